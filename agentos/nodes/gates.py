"""The gates node: deterministic checks before anything runs, cheapest first.

Built in: the change stays inside the editable surface and leaves every protected file byte-equal
to its pin. Then the task's tools fan out (`agentos.nodes.tools`). A failure makes the experiment
`rejected` and its findings go to the next proposal.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from agentos.measure import snapshot_dir
from agentos.runtime import Runtime
from agentos.state import Finding, GateReport, LoopState
from agentos.tool import ToolContext


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
    """Pin the protected files (and the test manifest, when pytest gates) from the baseline."""
    marker = trusted / ".pinned"
    if marker.exists():
        return
    from agentos.tools.integrity import write_pins
    from agentos.tools.pytest_gate import pin_test_manifest

    write_pins(trusted, rt.pins)  # the pins this node checks commits against, for `integrity`
    use = next((u for u in rt.task.tools if u.name == "pytest"), None)
    if use is not None:
        with snapshot_dir(rt.repo, rt.baseline_commit) as base:
            pin_test_manifest(
                ToolContext(
                    tree=base,
                    changed=[],
                    task=rt.task,
                    sandbox=rt.sandbox,
                    options=dict(use.options),  # `paths`, `pythonpath`, `timeout`
                    trusted_dir=trusted,
                )
            )
    marker.write_text("pinned\n")


def _finding(tool: str, path: str, message: str) -> Finding:
    return {"tool": tool, "path": path, "line": 0, "code": tool, "message": message}
