"""The loop as a LangGraph StateGraph.

    start -> baseline -> propose -> gates -+-> tool (a Send per tool of a stage) -> tool_join -+
                                           +-----------------------------------------------------+
                                           +-> review -> run -> decide -+-> propose ...
                                                                        +-> run (re-measure)
                                                                        +-> canary -> propose|finish
                                                                        +-> checkin -> (same)
                                                                        +-> finish

With `[run] workers` above one, `review` goes to `submit` instead of `run`, and the experiments in
flight come back through `collect` to `decide` (`agentos.nodes.batch` draws that part).

Rejected candidates flow through gates, review and run untouched and are recorded by `decide`, so
every experiment gets exactly one terminal row and its findings feed the next proposal.

The run is graph state: `start` names it (`run_id`, `baseline_commit`) and every later node gets
the run's runtime from its `RunSource` by that state, so whichever process resumes a checkpoint
continues the run the checkpoint belongs to, and each LangGraph thread is a run of its own.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Literal

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.config import get_stream_writer
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.runtime import get_runtime
from langgraph.types import Send

from agentos.events import progress_events
from agentos.nodes import (
    after_collect,
    draining,
    make_baseline,
    make_batch_propose,
    make_canary,
    make_checkin,
    make_collect,
    make_decide,
    make_finish,
    make_gates,
    make_review,
    make_run,
    make_submit,
    make_tool,
    make_tool_join,
    route_after_submit,
    route_batch_after_decide,
    route_tools,
)
from agentos.nodes.stop import started
from agentos.runtime import RunSettings, RunSource, Runtime
from agentos.state import LoopState


def build_graph(
    runtime: RunSource, *, checkpointer: BaseCheckpointSaver[Any] | None = None
) -> CompiledStateGraph[LoopState, RunSettings, LoopState, LoopState]:
    """Build the agentos loop over `runtime`: what `open_runtime` returns (any run of a
    repository, one per thread), or a `Runtime` (its one run).

    Pass a checkpointer to run it on its own; leave it out to add the compiled graph to a host
    LangGraph application as a subgraph, which then uses the host's checkpointer. Its context
    schema is `RunSettings`: a new run takes the settings of the invocation that starts it.
    """
    by_run = _ByRun(runtime)
    g: StateGraph[LoopState, RunSettings, LoopState, LoopState] = StateGraph(
        LoopState, context_schema=RunSettings
    )
    g.add_node("start", _make_start(runtime))
    g.add_node("baseline", by_run(make_baseline, streams="baseline"))
    g.add_node("propose", by_run(make_batch_propose))
    g.add_node("gates", by_run(make_gates))
    g.add_node("review", by_run(make_review))
    g.add_node("run", by_run(make_run))
    g.add_node("decide", by_run(make_decide, streams="decide"))
    g.add_node("checkin", by_run(make_checkin))
    g.add_node("finish", by_run(make_finish, last=True))
    g.add_node("submit", by_run(make_submit))
    g.add_node("collect", by_run(make_collect))
    g.add_edge(START, "start")
    g.add_edge("start", "baseline")
    g.add_conditional_edges("baseline", _after_baseline, ["propose", "finish"])
    g.add_conditional_edges("propose", _after_propose, ["gates", "collect", "finish"])
    g.add_node("tool", by_run(make_tool))
    g.add_node("tool_join", by_run(make_tool_join))
    g.add_conditional_edges("gates", by_run(route_tools), ["tool", "review"])
    g.add_edge("tool", "tool_join")
    g.add_conditional_edges("tool_join", by_run(route_tools), ["tool", "review"])
    g.add_conditional_edges("review", by_run(_measure_by), ["run", "submit"])
    g.add_conditional_edges("submit", by_run(route_after_submit), ["propose", "collect", "decide"])
    g.add_conditional_edges("collect", after_collect, ["decide", "finish"])
    g.add_edge("run", "decide")
    g.add_node("canary", by_run(make_canary))
    g.add_conditional_edges(
        "decide",
        by_run(route_batch_after_decide),
        ["run", "canary", "checkin", "propose", "collect", "finish"],
    )
    g.add_conditional_edges("canary", _after_checkin, ["propose", "collect", "finish"])
    g.add_conditional_edges("checkin", _after_checkin, ["propose", "collect", "finish"])
    g.add_edge("finish", END)
    return g.compile(checkpointer=checkpointer, name="agentos")


def _make_start(source: RunSource) -> Any:
    def start(state: LoopState) -> dict[str, Any]:
        """Name the run (nothing durable yet): a resumed or re-entered run keeps its own."""
        if state.get("run_id"):
            return {}
        context = get_runtime().context
        return dict(source.begin(context if isinstance(context, RunSettings) else None))

    return start


class _ByRun:
    """Wraps a node or router factory so that it runs with the runtime of the run in the state.

    The factory's closure is made once per run and process (nodes such as `run` keep per-process
    memory in it) and dropped, with every other closure of the run, when the node marked `last`
    (`finish`) has run: a host's graph that serves run after run keeps only the runs in progress.
    A router's `Send` payloads carry the run id, so the branch node finds its run too, in
    whichever process runs it. A node named in `streams` also writes its progress events
    (`agentos.events`) to LangGraph's `custom` stream."""

    def __init__(self, source: RunSource):
        self.source = source
        self.made: dict[str, dict[int, Any]] = {}  # run id -> wrapper -> its closure for the run
        self.mutex = threading.Lock()

    def __call__(
        self, factory: Callable[[Runtime], Any], *, streams: str = "", last: bool = False
    ) -> Any:
        source, made, mutex = self.source, self.made, self.mutex

        def by_run(state: LoopState) -> Any:
            rt = source.runtime_for(state)
            with mutex:
                closures = made.setdefault(rt.run_id, {})
                fn = closures.get(id(by_run))
                if fn is None:
                    fn = closures[id(by_run)] = factory(rt)
            out = fn(state)
            if last:
                with mutex:
                    made.pop(rt.run_id, None)
            if streams and isinstance(out, dict):
                write = get_stream_writer()
                spent = started(state) + state.get("extra_runs", 0)
                for event in progress_events(streams, out, rt.run_id, spent=spent):
                    write(event)
            if isinstance(out, list):
                return [_tagged(s, rt.run_id) for s in out]
            return out

        return by_run


def _tagged(send: Any, run_id: str) -> Any:
    if isinstance(send, Send) and isinstance(send.arg, dict):
        return Send(send.node, {**send.arg, "run_id": run_id})
    return send


def _after_baseline(state: LoopState) -> Literal["propose", "finish"]:
    return "finish" if state.get("stop") else "propose"


def _after_propose(state: LoopState) -> str:
    return draining(state, "finish") if state.get("stop") else "gates"


def _after_checkin(state: LoopState) -> str:
    return draining(state, "finish") if state.get("stop") else "propose"


def _measure_by(rt: Runtime) -> Any:
    """`run` measures here, one experiment at a time; with workers, `submit` hands it on."""

    def route(state: LoopState) -> Literal["run", "submit"]:
        return "submit" if rt.task.scale.workers > 1 else "run"

    return route
