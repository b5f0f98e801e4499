"""Ref updates through one long-lived `git update-ref --stdin` session.

Every experiment moves at least one ref, and a git process per update costs a few milliseconds,
more than the rest of the bookkeeping. One session serves them all: each update is its own
transaction (`start`, `update`, `commit`), so it is as atomic and as compare-and-swap as a single
`git update-ref REF NEW OLD`, and is on disk when `commit: ok` comes back. On a failed update
git ends the session; the next update starts a new one. The session ends when its stdin closes,
so it cannot outlive agentos, even after a `kill -9`.
"""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import Mapping
from pathlib import Path

from agentos.git.objects import Session


class RefWriter(Session):
    """Compare-and-swap ref updates in one `git update-ref --stdin` process (thread-safe)."""

    def __init__(self, root: Path, env: Mapping[str, str]):
        super().__init__(root, env, "update-ref", "--stdin", stderr=subprocess.PIPE)

    def update(self, ref: str, new: str, old: str | None) -> None:
        """Point `ref` at `new`; with `old`, only if it points at `old` now (all zeros: only if it
        does not exist). Raises RuntimeError with git's message when the update is refused."""
        if any(c.isspace() for c in ref + new + (old or "")):
            raise RuntimeError(f"update-ref: refusing a ref or id with white space: {ref!r}")
        command = f"start\nupdate {ref} {new}{' ' + old if old else ''}\ncommit\n"
        with self._lock:
            proc = self._session()
            assert proc.stdin is not None and proc.stdout is not None
            try:
                proc.stdin.write(command.encode())
                proc.stdin.flush()
                replies = [proc.stdout.readline(), proc.stdout.readline()]
            except BrokenPipeError:
                replies = []
            if replies == [b"start: ok\n", b"commit: ok\n"]:
                return
            self._proc = None
            message = _ended(proc)
        raise RuntimeError(f"git update-ref failed: {message}")

    def close(self) -> None:
        """End the session (git exits when its stdin closes)."""
        with self._lock:
            if self._proc is not None:
                _ended(self._proc)
                self._proc = None


def _ended(proc: subprocess.Popen[bytes]) -> str:
    """Close the session's stdin, wait for it, and return what it said on stderr."""
    assert proc.stdin is not None and proc.stderr is not None
    with contextlib.suppress(BrokenPipeError):
        proc.stdin.close()
    err = proc.stderr.read()
    proc.wait()
    if proc.stdout is not None:
        proc.stdout.close()
    proc.stderr.close()
    return err.decode(errors="replace").strip() or f"exit {proc.returncode}"
