"""`skill-gates`: the tool gate that refuses a skill rewrite which lost a pinned gate or no longer
parses as a skill.

It reads every changed `SKILL.md` of the candidate snapshot, validates it with the skill model
(`skill-invalid` finding) and checks its body against the gates pinned at the start of the run
(`gate-lost` finding, message `refused: SKILL: KIND gate PROBLEM: 'TEXT'`). The pins live in a
sidecar outside the snapshot whose `sha256:` digest is re-checked on each use; the task passes its
path and digest as the tool's options (`pins`, `digest`). Nothing from the candidate is executed:
the checks are text comparisons in the orchestrator.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from agentos.errors import UserError
from agentos.skill.gates import GATE_TOOL, GatePins
from agentos.skillfile import SKILL_FILE, load_skill
from agentos.tool import Finding, ToolContext, ToolResult, tool

NAME = GATE_TOOL


@tool(
    name=NAME,
    kind="gate",
    cost=0.01,
    description="changed SKILL.md files parse and keep every pinned gate",
)
def skill_gates(ctx: ToolContext) -> ToolResult:
    """Validate the changed skills and compare their bodies with the pinned gates."""
    pins_path, digest = ctx.options.get("pins"), ctx.options.get("digest")
    if not isinstance(pins_path, str) or not isinstance(digest, str):
        return ToolResult(NAME, "error", detail="options `pins` and `digest` are required")
    pins = GatePins(Path(pins_path), digest)
    findings: list[Finding] = []
    for rel in ctx.changed:
        if PurePosixPath(rel).name != SKILL_FILE:
            continue
        folder = ctx.tree / PurePosixPath(rel).parent
        try:
            skill = load_skill(folder)
        except UserError as exc:
            findings.append(Finding(rel, 0, "skill-invalid", str(exc)))
            continue
        for lost in pins.check(skill.name, skill.body, skill.description):
            findings.append(Finding(rel, 0, "gate-lost", lost.line()))
    if findings:
        return ToolResult(NAME, "fail", tuple(findings), detail=findings[0].message)
    return ToolResult(NAME, "pass")


__all__ = ["NAME", "skill_gates"]
