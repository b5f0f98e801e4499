"""Glob matching for task paths, and safe reads from a snapshot.

Globs follow `agentos.toml` usage: `*` and `?` stay inside one path segment, `**/` spans any number
of folders, and a pattern that names a folder covers everything below it. Reads never follow a
symlink (a link is reported by its target text) and refuse files over a size cap.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterable
from pathlib import Path

MAX_READ = 2 << 20


@functools.lru_cache(maxsize=256)
def _compile(pattern: str) -> re.Pattern[str]:
    out, i = [], 0
    pattern = pattern.strip("/")
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out) + "(?:/.*)?")


def matches(path: str, patterns: Iterable[str]) -> bool:
    """Whether the snapshot-relative `path` falls under any of the globs."""
    return any(_compile(p).fullmatch(path) for p in patterns)


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
