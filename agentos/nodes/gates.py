"""The gates node: deterministic checks before anything runs, cheapest first.

Built in: the change stays inside the editable surface and leaves every protected file byte-equal
to its pin. Then the task's tool gates. A failure makes the experiment `rejected` and its findings
go to the next proposal.
"""

from __future__ import annotations

from typing import Any

from agentos.runtime import Runtime
from agentos.state import Finding, LoopState


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
        for path, blob in rt.pins.items():
            now = entries.get(path)
            if now is None or now.blob != blob:
                findings.append(_finding("integrity", path, "protected file differs from its pin"))
        report = {"passed": not findings, "results": [], "findings": findings}
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


def _finding(tool: str, path: str, message: str) -> Finding:
    return {"tool": tool, "path": path, "line": 0, "code": tool, "message": message}
