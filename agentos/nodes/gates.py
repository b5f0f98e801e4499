"""The gates node: deterministic checks before anything runs, cheapest first.

Built in: the change stays inside the editable surface and leaves every protected file byte-equal
to its pin. Then the task's tools fan out (`agentos.nodes.tools`). A failure makes the experiment
`rejected` and its findings go to the next proposal.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from agentos.gating import pin_baseline
from agentos.integrity import verify_commit
from agentos.runtime import Runtime
from agentos.state import Finding, GateReport, LoopState


def make_gates(rt: Runtime) -> Any:
    def gates(state: LoopState) -> dict[str, Any]:
        if state.get("outcome"):
            return {}
        candidate = state["candidate"]
        parent = rt.repo.entries(candidate["parent"])
        entries = rt.repo.entries(candidate["commit"])
        changed = sorted(p for p in set(parent) | set(entries) if parent.get(p) != entries.get(p))
        findings: list[Finding] = []
        for path in changed:
            if not rt.task.is_editable(path):
                findings.append(_finding("surface", path, "outside the editable surface"))
        for bad in verify_commit(rt.repo, candidate["commit"], rt.pins, rt.task):
            findings.append(_finding("integrity", bad.path, "protected file differs from its pin"))
        report: GateReport = {"passed": not findings, "results": [], "findings": findings}
        if not findings and rt.task.tools:
            _pin_once(rt, rt.run_dir / "trusted")
            # the task's tools run next, stage by stage, as parallel `tool` branches
            return {"gates": report, "tool_results": None, "gate_stage": 0}
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


def _pin_once(rt: Runtime, trusted: Path) -> None:
    """Write the run's pins and the tools' own (their pin hooks) once, from the baseline."""
    marker = trusted / ".pinned"
    if marker.exists():
        return
    pin_baseline(rt.task, rt.repo, rt.baseline_commit, rt.sandbox, trusted, rt.pins)
    marker.write_text("pinned\n")


def _finding(tool: str, path: str, message: str) -> Finding:
    return {"tool": tool, "path": path, "line": 0, "code": tool, "message": message}
