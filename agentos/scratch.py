"""Throwaway directories (snapshots, sandbox scratch, run outputs), and the sweep of the ones a
killed agentos left behind.

Every such directory is made by `scratch`, which holds a shared `flock` on the directory itself
for as long as it exists. A `kill -9` skips the `finally` that removes it, but the kernel drops
the lock with the process. `sweep`, run when a run starts or resumes, removes every
`agentos-*` directory that nobody holds a lock on: a live run's directories (of any process, in
any PID namespace, on the same kernel) are never touched. Snapshots live on tmpfs, in memory, so
a leftover would otherwise hold a whole tree until reboot.
"""

from __future__ import annotations

import atexit
import fcntl
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

PREFIX = "agentos-"
# Kinds made by `scratch` (the demo's and the skill tuner's own folders are left alone).
KINDS = ("snap", "out", "local", "bwrap", "unshare", "canary", "tool", "trainer")
# A directory younger than this may be between its creation and its lock: never swept.
MIN_AGE = 60.0


@contextmanager
def scratch(kind: str, *, dir: str | Path | None = None, later: bool = False) -> Iterator[Path]:
    """A fresh directory `agentos-KIND-...` (in `dir`, else the system temporary directory),
    locked while it exists and removed on the way out; with `later`, removed by a worker thread
    while the caller goes on (see `drain`)."""
    assert kind in KINDS, kind
    path = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{kind}-", dir=dir))
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH)
        yield path
    finally:
        if later:
            _remove_later(path, fd)
        else:
            remove_tree(path)
            os.close(fd)


_pending: threading.Thread | None = None
_pending_lock = threading.Lock()


def _remove_later(path: Path, fd: int) -> None:
    """Remove `path` (then drop its lock) in a worker thread: a snapshot's deletion then overlaps
    the next experiment's proposal instead of delaying it. At most one removal is pending: the
    previous one is waited for first, so leftovers never pile up."""
    global _pending

    def work() -> None:
        try:
            remove_tree(path)
        finally:
            os.close(fd)

    with _pending_lock:
        if _pending is not None:
            _pending.join()
        _pending = threading.Thread(target=work, name="agentos-scratch-removal", daemon=True)
        _pending.start()


def drain() -> None:
    """Wait for a pending removal (at the end of a run, and at exit)."""
    global _pending
    with _pending_lock:
        if _pending is not None:
            _pending.join()
            _pending = None


atexit.register(drain)


def remove_tree(root: Path) -> None:
    """Delete a directory; folders a run made read-only are opened up only when that is needed."""
    try:
        shutil.rmtree(root)
    except FileNotFoundError:
        pass
    except OSError:
        for path in (root, *root.rglob("*")):
            if path.is_dir() and not path.is_symlink():
                path.chmod(0o755)
        shutil.rmtree(root, ignore_errors=True)


def sweep(roots: Iterable[str | Path]) -> list[Path]:
    """Remove the unlocked `agentos-KIND-*` directories of this user under `roots` (older than
    `MIN_AGE` seconds); return them."""
    removed: list[Path] = []
    for root in dict.fromkeys(str(r) for r in roots):
        try:
            entries = list(os.scandir(root))
        except OSError:
            continue
        for entry in entries:
            kind = entry.name[len(PREFIX) :].split("-", 1)[0]
            if not entry.name.startswith(PREFIX) or kind not in KINDS:
                continue
            try:
                st = entry.stat(follow_symlinks=False)
                if (
                    not entry.is_dir(follow_symlinks=False)
                    or st.st_uid != os.getuid()
                    or st.st_mtime > time.time() - MIN_AGE
                ):
                    continue
                fd = os.open(entry.path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
            except OSError:
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:  # held: a live run's directory
                os.close(fd)
                continue
            try:
                remove_tree(Path(entry.path))
                removed.append(Path(entry.path))
            finally:
                os.close(fd)
    return removed
