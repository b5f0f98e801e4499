"""A host LangGraph application that embeds the agentos loop as one of its nodes.

The host has its own state, its own SQLite checkpointer and its own thread ids. When agentos
checks in (an `interrupt`), the host's graph pauses; the host resumes it with
`Command(resume=...)`. Kill the process at any moment and start it again with the same thread:
the same agentos run continues where the host's last checkpoint left it.

    python host_app.py REPO --db host.db --thread t1            # start, or continue thread t1
    python host_app.py REPO --db host.db --thread t1 --pause    # exit at the next check-in
    python host_app.py REPO --db host.db --thread t1 --use-async
    python host_app.py REPO --db host.db --thread t1 --provider heuristic:tpe

Each line it prints is `key: value`: `progress:` for agentos' custom stream events,
`checkin:` at a check-in, `paused:` when it exits at one, and `result:` (JSON) at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import sys
from pathlib import Path
from typing import Any, TypedDict

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.types import Command

from agentos import build_graph, open_runtime
from agentos.checkpoint import serializer


class HostState(TypedDict, total=False):
    request: str
    result: dict[str, Any]
    report: str


def make_host(
    runtime: Any, checkpointer: BaseCheckpointSaver[Any], *, use_async: bool = False
) -> Any:
    """The host graph: `optimize` runs agentos' graph as a subgraph, `summarize` reads its result.
    With `use_async`, `optimize` awaits the subgraph (for `ainvoke`/`astream` hosts)."""
    optimizer = build_graph(runtime)  # no checkpointer of its own: the host's is used

    def optimize(state: HostState) -> dict[str, Any]:
        final = optimizer.invoke({})
        return {"result": _result(final)}

    async def aoptimize(state: HostState) -> dict[str, Any]:
        final = await optimizer.ainvoke({})
        return {"result": _result(final)}

    def summarize(state: HostState) -> dict[str, Any]:
        r = state["result"]
        return {"report": f"{state['request']}: {r['baseline']} -> {r['best']} ({r['stop']})"}

    host: StateGraph[HostState, None, HostState, HostState] = StateGraph(HostState)
    host.add_node("optimize", aoptimize if use_async else optimize)
    host.add_node("summarize", summarize)
    host.add_edge(START, "optimize")
    host.add_edge("optimize", "summarize")
    host.add_edge("summarize", END)
    return host.compile(checkpointer=checkpointer)


def _result(final: dict[str, Any]) -> dict[str, Any]:
    return {
        "run": final["run_id"],
        "baseline": final["baseline"]["metric"],
        "best": final["best"]["metric"],
        "best_commit": final["best"]["commit"],
        "experiments": final["experiment"],
        "stop": final["stop"],
    }


def _step(snapshot: Any, request: str, answer: str, pause: bool) -> tuple[str, Any]:
    if not snapshot.values:
        return "go", {"request": request}
    if snapshot.interrupts:
        checkin = snapshot.interrupts[0].value
        print(f"checkin: {checkin['experiment']} best {checkin['best']}", flush=True)
        if pause:
            return "pause", None
        return "go", Command(resume=answer)
    if snapshot.next:
        return "go", None  # killed mid-run: continue from the last checkpoint
    return "done", None


def _overrides(budget: int, checkin_every: int, provider: str | None) -> dict[str, Any]:
    """`open_runtime`'s overrides: this host's budget and check-ins, and a provider spec
    (`heuristic`, `anthropic`, `script:PATH`, ...) when one is given instead of the task's."""
    chosen: dict[str, Any] = {"budget": budget, "sandbox": "local", "checkin_every": checkin_every}
    if provider is not None:
        chosen["provider"] = provider
    return chosen


def _show(chunk: Any) -> None:
    _namespace, mode, data = chunk
    if mode == "custom" and isinstance(data, dict) and data.get("event") == "experiment":
        print(f"progress: {json.dumps(data, sort_keys=True)}", flush=True)


def main(
    repo: Path,
    db: Path,
    thread: str,
    *,
    budget: int = 6,
    answer: str = "continue",
    pause: bool = False,
    checkin_every: int = 3,
    provider: str | None = None,
) -> dict[str, Any] | None:
    """Run (or continue) the host's thread to its end, or to the next check-in with `pause`."""
    config: Any = {"configurable": {"thread_id": thread}, "recursion_limit": 10_000}
    modes = ["custom", "updates"]
    with (
        open_runtime(repo, **_overrides(budget, checkin_every, provider)) as runtime,
        sqlite3.connect(db, check_same_thread=False) as conn,
    ):
        from langgraph.checkpoint.sqlite import SqliteSaver

        app = make_host(runtime, SqliteSaver(conn, serde=serializer()))
        while True:
            state, payload = _step(app.get_state(config), "tune the settings", answer, pause)
            if state == "pause":
                print("paused: at a check-in", flush=True)
                return None
            if state == "done":
                break
            for chunk in app.stream(payload, config, stream_mode=modes, subgraphs=True):
                _show(chunk)
        values = app.get_state(config).values
    print(f"report: {values['report']}", flush=True)
    print(f"result: {json.dumps(values['result'], sort_keys=True)}", flush=True)
    result: dict[str, Any] = values["result"]
    return result


async def amain(
    repo: Path,
    db: Path,
    thread: str,
    *,
    budget: int = 6,
    answer: str = "continue",
    pause: bool = False,
    checkin_every: int = 3,
    provider: str | None = None,
) -> dict[str, Any] | None:
    """`main` with `AsyncSqliteSaver` and the async graph API."""
    from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

    config: Any = {"configurable": {"thread_id": thread}, "recursion_limit": 10_000}
    with open_runtime(repo, **_overrides(budget, checkin_every, provider)) as runtime:
        async with AsyncSqliteSaver.from_conn_string(str(db)) as saver:
            saver.serde = serializer()  # agentos' allowlisted serializer (docs/embedding.md)
            app = make_host(runtime, saver, use_async=True)
            while True:
                state, payload = _step(
                    await app.aget_state(config), "tune the settings", answer, pause
                )
                if state == "pause":
                    print("paused: at a check-in", flush=True)
                    return None
                if state == "done":
                    break
                async for chunk in app.astream(
                    payload, config, stream_mode=["custom", "updates"], subgraphs=True
                ):
                    _show(chunk)
            values = (await app.aget_state(config)).values
    print(f"report: {values['report']}", flush=True)
    print(f"result: {json.dumps(values['result'], sort_keys=True)}", flush=True)
    result: dict[str, Any] = values["result"]
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repo", type=Path)
    parser.add_argument("--db", type=Path, default=Path("host.db"))
    parser.add_argument("--thread", default="host-1")
    parser.add_argument("--budget", type=int, default=6)
    parser.add_argument("--checkin-every", type=int, default=3)
    parser.add_argument("--pause", action="store_true", help="exit at the next check-in")
    parser.add_argument("--use-async", action="store_true", help="AsyncSqliteSaver and astream")
    parser.add_argument("--provider", help="a provider spec instead of the task's")
    args = parser.parse_args()
    kwargs: dict[str, Any] = {
        "budget": args.budget,
        "pause": args.pause,
        "checkin_every": args.checkin_every,
        "provider": args.provider,
    }
    if args.use_async:
        asyncio.run(amain(args.repo, args.db, args.thread, **kwargs))
    else:
        main(args.repo, args.db, args.thread, **kwargs)
    sys.exit(0)
