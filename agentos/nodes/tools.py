"""Tool gates as a LangGraph fan-out: each stage's tools run as parallel `Send` branches, then
a join decides whether the next, costlier stage runs.

Stages come from `agentos.evaluate.gating.plan` (cheapest first). A blocking failure in a stage
makes the experiment `rejected` with a summary for the next proposal, and the later stages never
run.
"""

from __future__ import annotations

from typing import Any, TypedDict

from langgraph.types import Send

from agentos.evaluate import snapshot_dir
from agentos.evaluate.gating import blocked, join, plan, run_one
from agentos.runtime import Runtime
from agentos.state import LoopState, LoopUpdate, Node
from agentos.tool import ToolContext, ToolResult


class ToolBranch(TypedDict):
    """What one `Send` branch gets: which of the task's tools, in which stage, on which commits."""

    index: int
    stage: int
    parent: str
    commit: str
    changed: list[str]


def route_tools(rt: Runtime) -> Any:
    def route(state: LoopState) -> list[Send] | str:
        if state.get("outcome") or not rt.task.tools:
            return "review"
        stages = plan(rt.task.tools)
        stage = state.get("gate_stage", 0)
        if stage >= len(stages):
            return "review"
        candidate = state["candidate"]
        return [
            Send(
                "tool",
                ToolBranch(
                    index=rt.task.tools.index(use),
                    stage=stage,
                    parent=candidate["parent"],
                    commit=candidate["commit"],
                    changed=list(candidate.get("changed", [])),
                ),
            )
            for use in stages[stage]
        ]

    return route


def make_tool(rt: Runtime) -> Any:
    def tool(state: ToolBranch) -> dict[str, Any]:
        use = rt.task.tools[state["index"]]
        # every tool gets the parent's snapshot too: ruff, mypy and static fail only on what the
        # candidate adds relative to it (their parent findings are cached in the trusted dir)
        with (
            snapshot_dir(rt.repo, state["commit"]) as tree,
            snapshot_dir(rt.repo, state["parent"]) as parent_tree,
        ):
            ctx = ToolContext(
                tree=tree,
                changed=state["changed"],
                task=rt.task,
                sandbox=rt.sandbox,
                parent_tree=parent_tree,
                trusted_dir=rt.run_dir / "trusted",
            )
            result = run_one(use, ctx)
        return {"tool_results": [{**result.to_json(), "stage": state["stage"]}]}

    return tool


def make_tool_join(rt: Runtime) -> Node:
    def tool_join(state: LoopState) -> LoopUpdate:
        stages = plan(rt.task.tools)
        stage = state.get("gate_stage", 0)
        raw = state.get("tool_results", [])
        results = [ToolResult.from_json(r) for r in raw]
        this_stage = [ToolResult.from_json(r) for r in raw if r.get("stage") == stage]
        if blocked(stages[stage], this_stage):
            skipped = [u.name for later in stages[stage + 1 :] for u in later]
            run = join(rt.task.tools, results, skipped)
            return {
                "gates": run.report(),
                "gate_stage": len(stages),
                "outcome": {"status": "rejected", "reason": run.summary()},
            }
        if stage + 1 < len(stages):
            return {"gate_stage": stage + 1}
        return {"gates": join(rt.task.tools, results).report(), "gate_stage": len(stages)}

    return tool_join
