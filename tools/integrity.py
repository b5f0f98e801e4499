"""`integrity`: the task's protected files must be byte-identical to the pins taken at the start.

The pins are the run's (`agentos.integrity.Pins`: `sha256:` over each protected file's bytes,
made once from the baseline commit when the run starts, and written into the run's trusted
folder, where this tool reads them back). The gates node checks every candidate commit against the
same pins; this tool checks the bytes of the candidate's snapshot on disk. Outside a run,
`pin_protected` pins a baseline snapshot the same way. Protected files are the task's
(`Task.is_protected`: its protected globs and `agentos.toml`). A changed, deleted or newly added
protected file fails the gate. Hashing runs in the orchestrator on the snapshot's bytes (nothing is
executed), streams large files whole, and hashes a symlink by its target text, never following it.
"""

from __future__ import annotations

from pathlib import Path

from agentos.errors import IntegrityError
from agentos.integrity import Pins
from agentos.tool import Finding, ToolContext, ToolResult, tool

from ._sandboxed import MAX_FINDINGS

NAME = "integrity"


def pin_protected(ctx: ToolContext) -> Path:
    """Pin the protected files of the baseline snapshot `ctx.tree` into `ctx.trusted_dir`."""
    if ctx.trusted_dir is None:
        raise ValueError("pin_protected needs ctx.trusted_dir")
    return Pins.of_tree(ctx.tree, ctx.task).write(ctx.trusted_dir)


@tool(name=NAME, kind="gate", cost=0.02,
      options=[],
      description="protected files (task.protected) match their sha256 pins from the start")
def integrity_gate(ctx: ToolContext) -> ToolResult:
    if ctx.trusted_dir is None:
        return ToolResult(NAME, "error", detail="no integrity pins: call pin_protected on the "
                          "baseline first")
    try:
        pins = Pins.load(ctx.trusted_dir)
    except IntegrityError as exc:
        return ToolResult(NAME, "error", detail=f"{exc} (pin_protected on the baseline)")
    mismatches = pins.verify_tree(ctx.tree, ctx.task)
    findings = [Finding(m.path, 0, m.code, m.message) for m in mismatches]
    return ToolResult(NAME, "fail" if findings else "pass", tuple(findings[:MAX_FINDINGS]),
                      {"protected_files": float(len(pins.files))},
                      detail=f"{len(pins.files)} pinned, {len(findings)} mismatch(es)")
