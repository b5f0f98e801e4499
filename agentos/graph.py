"""The loop as a LangGraph StateGraph.

    baseline -> propose -> gates -+-> tool (one Send branch per tool of a stage) -> tool_join -+
                                  +-------------------------------------------------------------+
                                  +-> review -> run -> decide -+-> propose ...
                                                               +-> run (paired re-measure)
                                                               +-> canary -> propose | finish
                                                               +-> checkin -> propose | finish
                                                               +-> finish

Rejected candidates flow through gates, review and run untouched and are recorded by `decide`, so
every experiment gets exactly one terminal row and its findings feed the next proposal.
"""

from __future__ import annotations

from typing import Any, Literal

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from agentos.nodes import (
    make_baseline,
    make_checkin,
    make_decide,
    make_finish,
    make_gates,
    make_propose,
    make_review,
    make_run,
    route_after_decide,
)
from agentos.nodes.canary import make_canary
from agentos.nodes.decide import stop_reason
from agentos.nodes.tools import make_tool, make_tool_join, route_tools
from agentos.runtime import Runtime
from agentos.state import LoopState


def build_graph(
    runtime: Runtime, *, checkpointer: BaseCheckpointSaver[Any] | None = None
) -> CompiledStateGraph[LoopState, None, LoopState, LoopState]:
    """Build the agentos loop for `runtime`.

    Pass a checkpointer to run it on its own; leave it out to add the compiled graph to a host
    LangGraph application as a subgraph, which then uses the host's checkpointer.
    """
    g: StateGraph[LoopState, None, LoopState, LoopState] = StateGraph(LoopState)
    g.add_node("baseline", make_baseline(runtime))
    g.add_node("propose", make_propose(runtime))
    g.add_node("gates", make_gates(runtime))
    g.add_node("review", make_review(runtime))
    g.add_node("run", make_run(runtime))
    g.add_node("decide", make_decide(runtime))
    g.add_node("checkin", make_checkin(runtime))
    g.add_node("finish", make_finish(runtime, stop_reason))
    g.add_edge(START, "baseline")
    g.add_conditional_edges("baseline", _after_baseline, ["propose", "finish"])
    g.add_conditional_edges("propose", _after_propose, ["gates", "finish"])
    g.add_node("tool", make_tool(runtime))
    g.add_node("tool_join", make_tool_join(runtime))
    g.add_conditional_edges("gates", route_tools(runtime), ["tool", "review"])
    g.add_edge("tool", "tool_join")
    g.add_conditional_edges("tool_join", route_tools(runtime), ["tool", "review"])
    g.add_edge("review", "run")
    g.add_edge("run", "decide")
    g.add_node("canary", make_canary(runtime))
    g.add_conditional_edges(
        "decide", route_after_decide(runtime), ["run", "canary", "checkin", "propose", "finish"]
    )
    g.add_conditional_edges("canary", _after_checkin, ["propose", "finish"])
    g.add_conditional_edges("checkin", _after_checkin, ["propose", "finish"])
    g.add_edge("finish", END)
    return g.compile(checkpointer=checkpointer, name="agentos")


def _after_baseline(state: LoopState) -> Literal["propose", "finish"]:
    return "finish" if state.get("stop") else "propose"


def _after_propose(state: LoopState) -> Literal["gates", "finish"]:
    return "finish" if state.get("stop") else "gates"


def _after_checkin(state: LoopState) -> Literal["propose", "finish"]:
    return "finish" if state.get("stop") else "propose"
