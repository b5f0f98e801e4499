"""Object reads through one long-lived `git cat-file --batch` session.

Snapshots, pins and commits read blobs and commit objects many times per experiment; a git
process per read would cost more than the rest of the bookkeeping. One session serves them all,
whatever the repository's object format (SHA-1 or SHA-256), packed or loose, in an alternate or
not: git itself reads them. The session ends when its stdin closes, so it cannot outlive agentos.
"""

from __future__ import annotations

import contextlib
import subprocess
import threading
from collections.abc import Mapping
from pathlib import Path


class Session:
    """One long-lived git process fed on its stdin, started on first use and again after it
    died (thread-safe through `_lock`); it ends when its stdin closes."""

    def __init__(self, root: Path, env: Mapping[str, str], *args: str, stderr: int):
        self._argv = ["git", "-C", str(root), *args]
        self._env = dict(env)
        self._stderr = stderr
        self._lock = threading.Lock()
        self._proc: subprocess.Popen[bytes] | None = None

    def _session(self) -> subprocess.Popen[bytes]:
        if self._proc is None or self._proc.poll() is not None:
            self._proc = subprocess.Popen(
                self._argv,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self._stderr,
                env=self._env,
            )
        return self._proc


class ObjectReader(Session):
    """`git cat-file --batch` in one process (thread-safe)."""

    def __init__(self, root: Path, env: Mapping[str, str]):
        super().__init__(root, env, "cat-file", "--batch", stderr=subprocess.DEVNULL)

    def read(self, oid: str) -> tuple[str, bytes]:
        """The type and contents of the object `oid`; KeyError when the repository lacks it."""
        if not oid or any(c.isspace() for c in oid):
            raise KeyError(oid)
        with self._lock:
            proc = self._session()
            assert proc.stdin is not None and proc.stdout is not None
            try:
                proc.stdin.write(oid.encode() + b"\n")
                proc.stdin.flush()
                header = proc.stdout.readline().split()
                if len(header) == 3:
                    data = proc.stdout.read(int(header[2]) + 1)[:-1]
                    return header[1].decode(), data
            except (BrokenPipeError, ValueError):
                header = []
            if not header:  # the session died: the next read starts a new one
                self._close()
            raise KeyError(oid)

    def close(self) -> None:
        with self._lock:
            self._close()

    def _close(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        with contextlib.suppress(BrokenPipeError):
            assert proc.stdin is not None
            proc.stdin.close()
        proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()
