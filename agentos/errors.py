"""User-facing errors: one line, naming the file and the fix, exit code 2."""

from __future__ import annotations

from pathlib import Path


class UserError(Exception):
    """Bad input from the user. The CLI prints it as one line and exits with code 2.

    The message names the file (when there is one) and says how to fix it.
    """

    exit_code = 2

    def __init__(self, message: str, *, path: Path | str | None = None, fix: str | None = None):
        self.path = str(path) if path is not None else None
        self.fix = fix
        parts = [f"{self.path}: {message}" if self.path else message]
        if fix:
            parts.append(f"fix: {fix}")
        super().__init__("; ".join(parts))


class IntegrityError(UserError):
    """A pinned file, the ledger or a checkpoint no longer matches what was recorded."""


class LockedError(UserError):
    """Another agentos process holds this repository."""
