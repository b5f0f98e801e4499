"""Safe reads of a snapshot (globs are matched by `agentos.task.glob_match`; files are listed by
`agentos.integrity.walk`, the walker the pins use too).

Reads never follow a symlink (a link is reported by its target text) and refuse files over a
size cap.
"""

from __future__ import annotations

import os
from pathlib import Path

MAX_READ = 2 << 20


def read_bytes(tree: Path, rel: str) -> bytes | None:
    """The bytes at `rel` (a symlink's target text, prefixed), or None when absent or too big."""
    path = tree / rel
    if path.is_symlink():
        return b"symlink:" + os.readlink(path).encode()
    if not path.is_file() or path.stat().st_size > MAX_READ:
        return None
    return path.read_bytes()
