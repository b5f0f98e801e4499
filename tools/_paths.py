"""Safe listing and reads of a snapshot (globs are matched by `agentos.task.glob_match`).

Reads never follow a symlink (a link is reported by its target text) and refuse files over a
size cap.
"""

from __future__ import annotations

import os
from pathlib import Path

MAX_READ = 2 << 20


def walk(tree: Path) -> list[str]:
    """Every file and symlink under `tree`, relative, sorted; `.git` is skipped."""
    found = []
    for folder, dirs, files in os.walk(tree):
        dirs[:] = sorted(d for d in dirs if d != ".git")
        for name in files + [d for d in dirs if os.path.islink(os.path.join(folder, d))]:
            found.append(os.path.relpath(os.path.join(folder, name), tree).replace(os.sep, "/"))
    return sorted(found)


def read_bytes(tree: Path, rel: str) -> bytes | None:
    """The bytes at `rel` (a symlink's target text, prefixed), or None when absent or too big."""
    path = tree / rel
    if path.is_symlink():
        return b"symlink:" + os.readlink(path).encode()
    if not path.is_file() or path.stat().st_size > MAX_READ:
        return None
    return path.read_bytes()
