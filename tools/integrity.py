"""`integrity`: the task's protected files must be byte-identical to the pins taken at the start.

`pin_protected` hashes every file of the baseline snapshot under `task.protected` (evaluator,
tests, data, `conftest.py`, ...) into `trusted_dir/integrity-pins.json` as tagged digests
(`sha256:...`). The gate recomputes them on the candidate's snapshot: a changed, deleted or newly
added protected file fails it. Hashing runs in the orchestrator on the snapshot's bytes (nothing
is executed), and symlinks are hashed by their target text, never followed.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from agentos.task import glob_match
from agentos.tool import Finding, ToolContext, ToolResult, tool

from ._paths import read_bytes, walk
from ._sandboxed import MAX_FINDINGS

NAME = "integrity"
PINS = "integrity-pins.json"


def digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def protected_digests(tree: Path, globs: tuple[str, ...]) -> dict[str, str]:
    """Tagged digests of every protected file in a snapshot (a file too large to read is
    recorded as `unreadable`, which never matches a digest)."""
    out = {}
    for rel in walk(tree):
        if any(glob_match(rel, g) for g in globs):
            data = read_bytes(tree, rel)
            out[rel] = digest(data) if data is not None else "unreadable"
    return out


def pin_protected(ctx: ToolContext) -> Path:
    """Pin the protected files of the baseline snapshot `ctx.tree` into `ctx.trusted_dir`."""
    if ctx.trusted_dir is None:
        raise ValueError("pin_protected needs ctx.trusted_dir")
    ctx.trusted_dir.mkdir(parents=True, exist_ok=True)
    pins = {"version": 1, "globs": list(ctx.task.protected),
            "files": protected_digests(ctx.tree, ctx.task.protected)}
    target = ctx.trusted_dir / PINS
    target.write_text(json.dumps(pins, indent=1, sort_keys=True) + "\n")
    return target


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
      description="protected files (task.protected) match their sha256 pins from the start")
def integrity_gate(ctx: ToolContext) -> ToolResult:
    if ctx.trusted_dir is None or not (ctx.trusted_dir / PINS).is_file():
        return ToolResult(NAME, "error", detail="no integrity pins: call pin_protected on the "
                          "baseline first")
    pins = json.loads((ctx.trusted_dir / PINS).read_text())
    globs = tuple(pins["globs"])
    findings = verify(dict(pins["files"]), protected_digests(ctx.tree, globs))
    return ToolResult(NAME, "fail" if findings else "pass", tuple(findings[:MAX_FINDINGS]),
                      {"protected_files": float(len(pins["files"]))},
                      detail=f"{len(pins['files'])} pinned, {len(findings)} mismatch(es)")
