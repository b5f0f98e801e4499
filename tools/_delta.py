"""Which findings a candidate added: the one rule that ruff, mypy and static judge by.

A gate runs its tool on the candidate and on the parent snapshot, and only the findings that are
new relative to the parent fail it. Findings are matched as a multiset of fingerprints: the path,
the rule code, the message (with `line N` references blanked) and the whitespace-collapsed text of
the offending line; never the line number, so moved lines and edits elsewhere in the file leave old
findings old. A second copy of an old finding is new. A line the candidate rewrote keeps its old
finding when the parent's file has one with the same rule and message left unmatched.
Codes named `loose` (whole-file findings such as ruff's `unformatted`, static's forbidden uses)
are matched without the line's text.

With no parent (a gate run on the baseline itself, as `agentos check` does) nothing is new: the
findings are counted as already there and the gate passes; given no change list there, the gates
inspect every editable Python file (`targets`).

The parent's fingerprints are cached under `trusted_dir/findings-cache/`, keyed by the tool, its
options, the file and the digest of what the result depends on (the file's bytes for per-file
tools, every Python source of the parent for mypy), so an incumbent that stays the parent of many
candidates is checked once per file.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
from collections import Counter
from collections.abc import Callable, Collection, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from agentos.integrity import walk
from agentos.tool import Finding, ToolContext, ToolResult

from ._paths import read_bytes
from ._sandboxed import MAX_FINDINGS, python_files

Fingerprint = tuple[str, str, str, str]
Check = Callable[[ToolContext, list[str]], "list[Finding] | ToolResult"]
CACHE = "findings-cache"
SOURCES = (".py", ".pyi", ".ipynb", "py.typed")
_LINE_REF = re.compile(r"\bline \d+")


@dataclass(frozen=True)
class Delta:
    """The candidate's findings split against its parent's."""

    new: tuple[Finding, ...]
    old: int
    fixed: int
    judged: bool  # False when there was no parent to compare with


def is_baseline(ctx: ToolContext) -> bool:
    """True when there is no parent to judge against (the baseline itself, or no snapshot)."""
    return ctx.parent_tree is None or ctx.parent_tree.resolve() == ctx.tree.resolve()


def targets(ctx: ToolContext) -> list[str]:
    """The Python files a gate inspects: the changed ones that still exist; on the baseline
    with no change list (`agentos check`), every editable Python file of the snapshot."""
    if ctx.changed or not is_baseline(ctx):
        return python_files(ctx)
    return [rel for rel in walk(ctx.tree) if rel.endswith(".py") and ctx.task.is_editable(rel)]


def fingerprints(found: Sequence[Finding], tree: Path, loose: Collection[str] = ()) -> list[
        Fingerprint]:
    """One location-independent fingerprint per finding, in order."""
    lines: dict[str, list[str]] = {}
    out = []
    for f in found:
        text = ""
        if f.line > 0 and f.code not in loose and f.path:
            if f.path not in lines:
                data = read_bytes(tree, f.path) if not os.path.isabs(f.path) else None
                lines[f.path] = data.decode("utf-8", "replace").splitlines() if data else []
            row = lines[f.path]
            text = " ".join(row[f.line - 1].split()) if f.line <= len(row) else ""
        out.append((f.path, f.code, _LINE_REF.sub("line N", f.message), text))
    return out


def split(found: Sequence[Finding], tree: Path, before: Sequence[Fingerprint] | None,
          loose: Collection[str] = ()) -> Delta:
    """The findings of `found` (on `tree`) that `before` does not account for."""
    if before is None:
        return Delta((), len(found), 0, judged=False)
    left = Counter(before)
    unmatched = []
    for finding, fp in zip(found, fingerprints(found, tree, loose), strict=True):
        if left[fp] > 0:
            left[fp] -= 1
        else:
            unmatched.append((finding, fp))
    # A line the candidate rewrote that keeps its finding (same file, rule and message) is the
    # old finding, not a new one: match what is left without the line's text.
    loose_left = Counter(fp[:3] for fp in left.elements())
    new = []
    for finding, fp in unmatched:
        if loose_left[fp[:3]] > 0:
            loose_left[fp[:3]] -= 1
        else:
            new.append(finding)
    fixed = sum(loose_left.values())
    return Delta(tuple(new), len(found) - len(new), fixed, judged=True)


def parent_fingerprints(ctx: ToolContext, tool: str, files: Sequence[str], options: object,
                        check: Check, *, depends: Literal["file", "tree"],
                        loose: Collection[str] = ()) -> list[Fingerprint] | str | None:
    """The parent's fingerprints for `files` (None without a parent; a reason string when the
    parent could not be checked). `check(ctx, files)` is the gate's own run on a context."""
    if is_baseline(ctx):
        return None
    assert ctx.parent_tree is not None
    parent = ctx.parent_tree
    present = [f for f in files if f == "." or (parent / f).is_file()]
    tree_digest = _tree_digest(parent) if depends == "tree" or "." in present else ""
    keys = {f: _key(tool, options, f, tree_digest or _digest(read_bytes(parent, f)))
            for f in present}
    cache = ctx.trusted_dir / CACHE if ctx.trusted_dir is not None else None
    got: dict[str, list[Fingerprint]] = {}
    for f, key in keys.items():
        hit = _load(cache / key) if cache is not None else None
        if hit is not None:
            got[f] = hit
    missing = [f for f in present if f not in got]
    if missing:
        result = check(replace(ctx, tree=parent, changed=missing, parent_tree=None), missing)
        if isinstance(result, ToolResult):
            return f"the parent could not be checked ({result.outcome}: {result.detail[:200]})"
        fps = fingerprints(result, parent, loose)
        for f in missing:
            got[f] = [fp for fp in fps if f == "." or fp[0] == f]
            if cache is not None:
                _store(cache / keys[f], got[f])
    return [fp for f in present for fp in got[f]]


def check_both(ctx: ToolContext, tool: str, files: list[str], options: object, check: Check, *,
               depends: Literal["file", "tree"], loose: Collection[str] = ()) -> tuple[
                   list[Finding] | ToolResult, list[Fingerprint] | str | None]:
    """`check` on the candidate and `parent_fingerprints` at the same time (two sandbox runs
    when the parent is not cached): the candidate's findings and the parent's fingerprints."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        parent = pool.submit(parent_fingerprints, ctx, tool, files, options, check,
                             depends=depends, loose=loose)
        found = check(ctx, files)
        return found, parent.result()


def judge(ctx: ToolContext, tool: str, found: Sequence[Finding],
          before: list[Fingerprint] | str | None, *, loose: Collection[str] = (),
          signals: Mapping[str, float] | None = None, scope: str = "") -> ToolResult:
    """The gate's result: fail on new findings only, listing those; the old ones as a count."""
    note = ""
    if isinstance(before, str):  # judged against nothing: every finding counts as new
        note, before = f"; {before}, so every finding counts as new", []
    delta = split(found, ctx.tree, before, loose)
    if delta.judged:
        detail = f"{len(delta.new)} new, {delta.old} already there"
        detail += f", {delta.fixed} fixed" if delta.fixed else ""
    else:
        detail = f"{delta.old} already there (no parent: nothing judged new)"
    counts = {"new_findings": float(len(delta.new)), "old_findings": float(delta.old),
              "fixed_findings": float(delta.fixed)}
    return ToolResult(tool, "fail" if delta.new else "pass", delta.new[:MAX_FINDINGS],
                      {**(signals or {}), **counts}, detail=detail + (scope and f" {scope}") + note)


def _key(tool: str, options: object, rel: str, digest: str) -> str:
    text = json.dumps([tool, options, rel, digest], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest() + ".json"


def _digest(data: bytes | None) -> str:
    return "sha256:" + hashlib.sha256(data or b"").hexdigest() if data is not None else "absent"


def _tree_digest(tree: Path) -> str:
    """The digest of every Python source (and stub, notebook, `py.typed`) in the snapshot."""
    h = hashlib.sha256()
    for rel in walk(tree):
        if rel.endswith(SOURCES):
            h.update(rel.encode() + b"\0" + _digest(read_bytes(tree, rel)).encode() + b"\0")
    return "sha256:" + h.hexdigest()


def _load(path: Path) -> list[Fingerprint] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return [(str(a), str(b), str(c), str(d)) for a, b, c, d in data]
    except (OSError, ValueError, TypeError):
        return None


def _store(path: Path, fps: list[Fingerprint]) -> None:
    """Write atomically: gates run as concurrent branches and may fill the same entry."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
    tmp.write_text(json.dumps(fps), encoding="utf-8")
    os.replace(tmp, path)
