"""`integrity`: the task's protected files must be byte-identical to the pins taken at the start.

A pin is a file's git blob id, the digest the loop itself uses: `agentos run` pins the baseline
commit's protected files once (`Runtime.pins`), its gates node checks every candidate commit
against them, and it writes the same pins to `trusted_dir/integrity-pins.json` for this tool,
which checks the bytes of the candidate's snapshot on disk. Outside the loop, `pin_protected`
pins a baseline snapshot the same way. Protected files are the task's (`Task.is_protected`: its
protected globs and `agentos.toml`). A changed, deleted or newly added protected file fails the
gate. Hashing runs in the orchestrator on the snapshot's bytes (nothing is executed), streams
large files whole, and hashes a symlink by its target text, never following it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path

from agentos.git import file_blob_id
from agentos.task import Task
from agentos.tool import Finding, ToolContext, ToolResult, tool

from ._paths import walk
from ._sandboxed import MAX_FINDINGS

NAME = "integrity"
PINS = "integrity-pins.json"


def protected_digests(tree: Path, task: Task) -> dict[str, str]:
    """The blob id of every protected file in a snapshot."""
    return {rel: file_blob_id(tree / rel) for rel in walk(tree) if task.is_protected(rel)}


def write_pins(trusted_dir: Path, files: Mapping[str, str]) -> Path:
    """Write `files` (path to blob id) as the pins the gate checks."""
    trusted_dir.mkdir(parents=True, exist_ok=True)
    target = trusted_dir / PINS
    tmp = target.with_suffix(".tmp")
    tmp.write_text(json.dumps({"version": 2, "files": dict(files)}, indent=1, sort_keys=True))
    os.replace(tmp, target)
    return target


def pin_protected(ctx: ToolContext) -> Path:
    """Pin the protected files of the baseline snapshot `ctx.tree` into `ctx.trusted_dir`."""
    if ctx.trusted_dir is None:
        raise ValueError("pin_protected needs ctx.trusted_dir")
    return write_pins(ctx.trusted_dir, protected_digests(ctx.tree, ctx.task))


def verify(pinned: dict[str, str], now: dict[str, str]) -> list[Finding]:
    """Findings for every protected file that changed, vanished or appeared."""
    found = []
    for rel, want in sorted(pinned.items()):
        got = now.get(rel)
        if got is None:
            found.append(Finding(rel, 0, "protected-deleted", f"{rel} is protected, now gone"))
        elif got != want:
            found.append(Finding(rel, 0, "protected-changed", f"{rel} differs from its pin {want}"))
    for rel in sorted(set(now) - set(pinned)):
        found.append(Finding(rel, 0, "protected-added", f"{rel} is new under a protected glob"))
    return found


@tool(name=NAME, kind="gate", cost=0.02,
      options=[],
      description="protected files (task.protected) match their pins (git blob ids) from the start")
def integrity_gate(ctx: ToolContext) -> ToolResult:
    pins_file = ctx.trusted_dir / PINS if ctx.trusted_dir is not None else None
    if pins_file is None or not pins_file.is_file():
        return ToolResult(NAME, "error", detail="no integrity pins: call pin_protected on the "
                          "baseline first")
    pins = json.loads(pins_file.read_text())
    if pins.get("version") != 2:
        return ToolResult(NAME, "error", detail=f"{pins_file}: pins of an older agentos; "
                          "pin the baseline again (pin_protected)")
    findings = verify(dict(pins["files"]), protected_digests(ctx.tree, ctx.task))
    return ToolResult(NAME, "fail" if findings else "pass", tuple(findings[:MAX_FINDINGS]),
                      {"protected_files": float(len(pins["files"]))},
                      detail=f"{len(pins['files'])} pinned, {len(findings)} mismatch(es)")
