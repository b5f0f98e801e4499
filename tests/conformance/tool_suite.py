"""The conformance suite every tool node passes (built-in or plugin), and a small project.

`assert_conforms(tool, ctx)` checks the contract of `agentos.tool`: well-formed attributes, a
well-formed `ToolResult` from `run` itself (no exception escapes), relative finding paths, finite
signals, the same outcome and findings twice in a row, an empty change list handled, and the
snapshot left byte-identical. A plugin's own tests can call it the same way
`tests/conformance/test_tool_conformance.py` does for everything registered.
"""

from __future__ import annotations

import hashlib
import math
import os
import shutil
import sys
from dataclasses import replace
from pathlib import Path

from agentos.sandbox import get_backend
from agentos.task import Task, parse_task
from agentos.tool import KINDS, OUTCOMES, Finding, Tool, ToolContext, ToolResult
from agentos.tools import pin_protected, pin_test_manifest

FILES = {
    "lib.py": "def add(a: int, b: int) -> int:\n    return a + b\n",
    "settings.py": "RATE = 0.5\n",
    "evaluate.py": (
        "from lib import add\n\nimport settings\n\n"
        'print(f"score: {add(1, 2) * settings.RATE}")\n'
    ),
    "tests/test_lib.py": (
        "from lib import add\n\n\ndef test_add() -> None:\n    assert add(1, 2) == 3\n\n\n"
        "def test_neg() -> None:\n    assert add(-1, 1) == 0\n"
    ),
}
PROTECTED = ["evaluate.py", "tests/**", "conftest.py", "**/conftest.py"]


def make_project(root: Path) -> Task:
    """Write the small project under `root` and return its task."""
    for rel, text in FILES.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    data = {
        "task": {"name": "demo", "editable": ["lib.py", "settings.py"], "protected": PROTECTED},
        "metric": {"command": [sys.executable, "evaluate.py"], "goal": "max",
                   "regex": r"^score: (\S+)$"},
    }
    return parse_task(data, root=root, path=root / "agentos.toml")


def candidate(base: Path, dest: Path, edits: dict[str, str | None]) -> list[str]:
    """Copy the snapshot `base` to `dest`, apply `edits` (None deletes), return changed paths."""
    shutil.copytree(base, dest, symlinks=True)
    for rel, text in edits.items():
        if text is None:
            (dest / rel).unlink()
        else:
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            (dest / rel).write_text(text)
    return sorted(edits)


def pinned_context(tmp: Path) -> ToolContext:
    """A baseline snapshot with integrity pins and the test manifest taken, on `local`."""
    repo, snap, trusted = tmp / "repo", tmp / "baseline", tmp / "trusted"
    repo.mkdir()
    task = make_project(repo)
    shutil.copytree(repo, snap)
    ctx = ToolContext(tree=snap, changed=[], task=task, sandbox=get_backend("local"),
                      parent_tree=snap, trusted_dir=trusted, work_dir=tmp / "work")
    pin_protected(ctx)
    pin_test_manifest(ctx)
    return ctx


def tree_digest(tree: Path) -> str:
    h = hashlib.sha256()
    for folder, dirs, files in sorted(os.walk(tree)):
        dirs.sort()
        for name in sorted(files):
            path = Path(folder) / name
            h.update(str(path.relative_to(tree)).encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def _check_result(t: Tool, result: object) -> ToolResult:
    assert isinstance(result, ToolResult), f"{t.name}.run returned {type(result).__name__}"
    assert result.tool == t.name
    assert result.outcome in OUTCOMES
    assert result.duration >= 0 and math.isfinite(result.duration)
    for f in result.findings:
        assert isinstance(f, Finding)
        assert not os.path.isabs(f.path) and ".." not in Path(f.path).parts, f.path
        assert isinstance(f.line, int) and f.line >= 0
        assert f.code and isinstance(f.message, str)
    for key, value in result.signals.items():
        assert isinstance(key, str) and isinstance(value, float | int) and math.isfinite(value)
    return result


def assert_conforms(t: Tool, ctx: ToolContext) -> ToolResult:
    """Check one tool against the contract on the candidate `ctx`; return its first result."""
    assert isinstance(t, Tool)
    assert t.name and isinstance(t.name, str) and t.kind in KINDS
    assert isinstance(t.cost, float | int) and math.isfinite(t.cost) and t.cost > 0
    assert t.description and isinstance(t.description, str)
    before = tree_digest(ctx.tree)
    first = _check_result(t, t.run(ctx))
    second = _check_result(t, t.run(ctx))
    assert (first.outcome, first.findings) == (second.outcome, second.findings), "not deterministic"
    _check_result(t, t.run(replace(ctx, changed=[])))
    assert tree_digest(ctx.tree) == before, f"{t.name} wrote into the snapshot"
    return first
