"""A memory and pids cgroup per run, where the host delegates one to us.

Found from `/proc/self/cgroup` and `/proc/self/mountinfo`: cgroup v2 when our cgroup's
`cgroup.subtree_control` enables `memory`/`pids` and is writable, otherwise the v1 `memory` and
`pids` hierarchies when writable. When neither works the run goes on without (rlimits still
apply): `create` returns None rather than failing, because a missing cgroup weakens limits but not
isolation.
The launcher joins the group itself (it writes to `cgroup.procs` before running anything), so no
process of the run ever starts outside it.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path

from agentos.sandbox.base import Limits

log = logging.getLogger(__name__)
_counter = itertools.count()


@dataclass(frozen=True)
class Cgroup:
    """The directories of one run's cgroup (one for v2, one per controller for v1)."""

    dirs: tuple[Path, ...]
    version: int

    @property
    def procs_files(self) -> tuple[str, ...]:
        return tuple(str(d / "cgroup.procs") for d in self.dirs)

    def oom_killed(self) -> bool:
        """Whether the kernel killed a process of this group for memory."""
        for d in self.dirs:
            for name in ("memory.events", "memory.oom_control"):
                with contextlib.suppress(OSError):
                    for line in (d / name).read_text().splitlines():
                        key, _, value = line.partition(" ")
                        if key == "oom_kill" and int(value) > 0:
                            return True
        return False

    def pids(self) -> set[int]:
        found: set[int] = set()
        for procs in self.procs_files:
            with contextlib.suppress(OSError):
                found.update(int(p) for p in Path(procs).read_text().split())
        return found

    def kill_all(self) -> None:
        """SIGKILL every process still in the group (`cgroup.kill` on v2, a sweep on v1).

        Usually one process is left: a namespace's init still tearing down its mounts after
        the run's status came back. It dies within a few milliseconds, so the wait starts at
        half a millisecond and doubles, rather than costing every run a fixed 10 ms sleep.
        """
        for d in self.dirs:
            with contextlib.suppress(OSError):
                (d / "cgroup.kill").write_text("1")
        deadline = time.monotonic() + 5.0
        pause = 0.0005
        while (left := self.pids()) and time.monotonic() < deadline:
            for pid in left:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            time.sleep(pause)
            pause = min(pause * 2, 0.02)

    def remove(self) -> None:
        self.kill_all()
        for d in self.dirs:
            for _ in range(50):
                try:
                    d.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.01)


def _mounts() -> list[tuple[str, str, str, set[str]]]:
    """(root, mount point, fstype, super options) of each cgroup mount."""
    found = []
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/mountinfo").read_text().splitlines():
            left, _, right = line.partition(" - ")
            parts, rparts = left.split(), right.split()
            if len(rparts) >= 3 and rparts[0] in ("cgroup", "cgroup2"):
                found.append((parts[3], parts[4], rparts[0], set(rparts[2].split(","))))
    return found


def _own_paths() -> dict[str, str]:
    """Controller name ('' for v2) to our cgroup path, from /proc/self/cgroup."""
    paths: dict[str, str] = {}
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/cgroup").read_text().splitlines():
            _, controllers, path = line.split(":", 2)
            for c in controllers.split(",") if controllers else [""]:
                paths[c] = path
    return paths


def _locate(root: str, mountpoint: str, path: str) -> Path | None:
    rel = os.path.relpath(path, root) if path.startswith(root) else None
    return None if rel is None else Path(mountpoint) / rel


def _make(parent: Path, settings: dict[str, str]) -> Path | None:
    if not os.access(parent, os.W_OK):
        return None
    child = parent / f"agentos-{os.getpid()}-{next(_counter)}"
    try:
        child.mkdir()
        for name, value in settings.items():
            (child / name).write_text(value)
    except OSError as err:
        log.debug("cgroup %s unusable: %s", child, err)
        with contextlib.suppress(OSError):
            child.rmdir()
        return None
    return child


def create(limits: Limits) -> Cgroup | None:
    """Make a cgroup with the run's memory and pids limits; None where none is delegated."""
    own, mounts = _own_paths(), _mounts()
    for root, point, fstype, _ in mounts:
        if fstype != "cgroup2" or "" not in own:
            continue
        base = _locate(root, point, own[""])
        if base is None:
            continue
        with contextlib.suppress(OSError):
            enabled = set((base / "cgroup.subtree_control").read_text().split())
            if {"memory", "pids"} <= enabled:
                settings = {"pids.max": str(limits.pids)}
                if limits.memory_bytes is not None:
                    settings |= {"memory.max": str(limits.memory_bytes), "memory.swap.max": "0"}
                made = _make(base, settings)
                if made is not None:
                    return Cgroup(dirs=(made,), version=2)
    dirs = []
    memory = limits.memory_bytes is not None
    for controller, settings in (
        ("memory", {"memory.limit_in_bytes": str(limits.memory_bytes)} if memory else {}),
        ("pids", {"pids.max": str(limits.pids)}),
    ):
        for root, point, fstype, opts in mounts:
            if fstype == "cgroup" and controller in opts and controller in own:
                base = _locate(root, point, own[controller])
                made = _make(base, settings) if base is not None else None
                if made is not None:
                    dirs.append(made)
                break
    return Cgroup(dirs=tuple(dirs), version=1) if dirs else None
