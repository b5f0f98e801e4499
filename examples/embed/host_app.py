"""A host LangGraph application that embeds the agentos loop as one of its nodes.

The host has its own state, its own checkpointer, and its own human-in-the-loop: when agentos
checks in (an `interrupt`), the host's graph pauses; the host resumes it with `Command(resume=...)`.

Run it on any repository with an agentos.toml:  python host_app.py PATH
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, TypedDict

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, StateGraph
from langgraph.types import Command

from agentos import build_graph, open_runtime


class HostState(TypedDict, total=False):
    request: str
    result: dict[str, Any]
    report: str


def make_host(repo: Path, budget: int) -> Any:
    runtime = open_runtime(repo, budget=budget, sandbox="local", checkin_every=3)
    optimizer = build_graph(runtime)  # no checkpointer: the host's is used

    def optimize(state: HostState) -> dict[str, Any]:
        final = optimizer.invoke({})
        return {
            "result": {
                "baseline": final["baseline"]["metric"],
                "best": final["best"]["metric"],
                "best_commit": final["best"]["commit"],
                "stop": final["stop"],
            }
        }

    def summarize(state: HostState) -> dict[str, Any]:
        r = state["result"]
        return {"report": f"{state['request']}: {r['baseline']} -> {r['best']} ({r['stop']})"}

    host: StateGraph[HostState, None, HostState, HostState] = StateGraph(HostState)
    host.add_node("optimize", optimize)
    host.add_node("summarize", summarize)
    host.add_edge(START, "optimize")
    host.add_edge("optimize", "summarize")
    host.add_edge("summarize", END)
    return host.compile(checkpointer=InMemorySaver())


def main(repo: Path, budget: int = 6) -> str:
    app = make_host(repo, budget)
    config: Any = {"configurable": {"thread_id": "host-1"}}
    payload: Any = {"request": "tune the settings"}
    while True:
        app.invoke(payload, config)
        snapshot = app.get_state(config)
        if not snapshot.interrupts:
            break
        checkin = snapshot.interrupts[0].value
        print(f"agentos checked in at experiment {checkin['experiment']}: best {checkin['best']}")
        payload = Command(resume="continue")
    report: str = app.get_state(config).values["report"]
    return report


if __name__ == "__main__":
    print(main(Path(sys.argv[1] if len(sys.argv) > 1 else ".")))
