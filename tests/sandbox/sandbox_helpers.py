"""Helpers shared by the sandbox suite (imported by name: tests/ is not a package)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from agentos.sandbox import RunResult

Runner = Callable[..., RunResult]

# The start of an attack on the read audit: every FIFO descriptor (the audit channel) is pointed
# at a pipe of the process's own, so later reads would go unrecorded.
REPLACE_CHANNEL = """\
import os, stat
r, w = os.pipe()
for name in os.listdir("/proc/self/fd"):
    fd = int(name)
    if fd > 2 and fd not in (r, w):
        try:
            if stat.S_ISFIFO(os.fstat(fd).st_mode): os.dup2(w, fd)
        except OSError: pass
"""


def alive_with(marker: str) -> list[int]:
    """Host pids whose command line contains `marker` (the test's own process excluded)."""
    found = []
    for name in os.listdir("/proc"):
        if name.isdigit() and int(name) != os.getpid():
            try:
                cmdline = Path(f"/proc/{name}/cmdline").read_bytes()
                state = Path(f"/proc/{name}/stat").read_text().rpartition(")")[2].split()[0]
            except OSError:
                continue
            if marker.encode() in cmdline and state != "Z":
                found.append(int(name))
    return found
