"""Turning a proposal into a candidate: editable files in, edits applied, surface checked,
diff out."""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence

from agentos.git import Entry
from agentos.state import Edit
from agentos.task import Task

MAX_DIFF_CHARS = 20_000


class EditError(Exception):
    """A proposal that cannot be applied; the message goes back to the proposer."""


def editable_paths(task: Task, entries: Mapping[str, Entry]) -> list[str]:
    """The files of a commit the candidate may change (regular files only, never a symlink)."""
    return sorted(p for p, e in entries.items() if e.mode != "120000" and task.is_editable(p))


def apply(
    task: Task,
    files: Mapping[str, str],
    *,
    edits: Sequence[Edit] = (),
    components: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Return the changed files (path to new text), or raise `EditError` naming what is wrong.

    A search block must occur exactly once in its file. Any path outside the editable surface is
    refused, whether it exists or not.
    """
    new: dict[str, str] = {}
    for path, text in (components or {}).items():
        _check_surface(task, path)
        if path not in files:
            raise EditError(
                f"{path}: not an editable file of this task (editable: {list(task.editable)})"
            )
        if text != files[path]:
            new[path] = text
    for edit in edits:
        path = edit["path"]
        _check_surface(task, path)
        if path not in files:
            raise EditError(
                f"{path}: not an editable file of this task (editable: {list(task.editable)})"
            )
        current = new.get(path, files[path])
        count = current.count(edit["search"]) if edit["search"] else 0
        if count != 1:
            where = "not found" if count == 0 else f"found {count} times"
            raise EditError(f"{path}: search block {where}; quote the exact current text once")
        new[path] = current.replace(edit["search"], edit["replace"], 1)
        if new[path] == files[path]:
            del new[path]
    if not new:
        raise EditError("the proposal changes nothing")
    return new


def _check_surface(task: Task, path: str) -> None:
    if path.startswith("/") or ".." in path.split("/"):
        raise EditError(f"{path}: paths must be relative and inside the repository")
    if task.is_protected(path):
        raise EditError(
            f"{path}: protected (evaluator, tests or data); candidates may not change it"
        )
    if not task.is_editable(path):
        raise EditError(f"{path}: outside the editable surface {list(task.editable)}")


def unified_diff(before: Mapping[str, str], after: Mapping[str, str]) -> str:
    """A unified diff of the changed files, cut at MAX_DIFF_CHARS."""
    chunks: list[str] = []
    for path in sorted(after):
        chunks.extend(
            difflib.unified_diff(
                before.get(path, "").splitlines(keepends=True),
                after[path].splitlines(keepends=True),
                fromfile=f"a/{path}",
                tofile=f"b/{path}",
            )
        )
    text = "".join(chunks)
    return text if len(text) <= MAX_DIFF_CHARS else text[:MAX_DIFF_CHARS] + "\n[diff truncated]\n"


def diff_summary(before: Mapping[str, str], after: Mapping[str, str]) -> str:
    """`path +added -removed` for each changed file."""
    parts = []
    for path in sorted(after):
        added = removed = 0
        for line in difflib.unified_diff(
            before.get(path, "").splitlines(), after[path].splitlines(), lineterm="", n=0
        ):
            if line.startswith("+") and not line.startswith("+++"):
                added += 1
            elif line.startswith("-") and not line.startswith("---"):
                removed += 1
        parts.append(f"{path} +{added} -{removed}")
    return ", ".join(parts)
