"""The gates node: deterministic checks before anything runs, cheapest first.

Built in: the change stays inside the editable surface and leaves every protected file byte-equal
to its pin. Then the task's tools fan out (`agentos.nodes.tools`). A failure makes the experiment
`rejected` and its findings go to the next proposal.
"""

from __future__ import annotations

from pathlib import Path

from agentos.evaluate import builtin_findings, pin_baseline
from agentos.runtime import Runtime
from agentos.state import GateReport, LoopState, LoopUpdate, Node


def make_gates(rt: Runtime) -> Node:
    def gates(state: LoopState) -> LoopUpdate:
        if state.get("outcome"):
            return {}
        candidate = state["candidate"]
        findings = builtin_findings(
            rt.repo, rt.task, rt.pins, candidate["parent"], candidate["commit"]
        )
        report: GateReport = {"passed": not findings, "results": [], "findings": findings}
        if not findings and rt.task.tools:
            pin_once(rt, rt.run_dir / "trusted")
            # the task's tools run next, stage by stage, as parallel `tool` branches
            # None resets the stage results (the `collect_results` reducer)
            return {"gates": report, "tool_results": None, "gate_stage": 0}  # type: ignore[typeddict-item]
        if findings:
            first = findings[0]
            return {
                "gates": report,
                "outcome": {
                    "status": "rejected",
                    "reason": f"{first['tool']}: {first['path']}: {first['message']}",
                },
            }
        return {"gates": report}

    return gates


def pin_once(rt: Runtime, trusted: Path) -> None:
    """Write the run's pins and the tools' own (their pin hooks) once, from the baseline."""
    marker = trusted / ".pinned"
    if marker.exists():
        return
    pin_baseline(rt.task, rt.repo, rt.baseline_commit, rt.sandbox, trusted, rt.pins)
    marker.write_text("pinned\n")
