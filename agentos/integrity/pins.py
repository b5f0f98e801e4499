"""Pins: the protected files' digests, made once when a run starts, and the checks against them.

A pin is `sha256:` over a file's bytes (a symbolic link: over `symlink:` and its target text, never
followed), the same whatever the repository's object format. `Pins.of_commit` pins the baseline
commit's protected files (`Task.is_protected`, compiled bytecode left out as in every snapshot);
`Pins.write` puts them in the run's trusted folder (`PINS_FILE`), outside every snapshot, where
the `integrity` tool reads them back (`Pins.load`). `verify_commit` checks a candidate commit
(git's blob ids first: an unchanged file is never read), `Pins.verify_tree` a snapshot on disk.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from agentos.errors import IntegrityError
from agentos.git import Repo, is_bytecode, snapshot_entries
from agentos.integrity.tree import walk
from agentos.task import Task

PINS_FILE = "pins.json"
_VERSION = 3
_LINK = "120000"


class Mismatch(NamedTuple):
    """One protected file that differs from the pins: `code` is `protected-changed`,
    `protected-deleted` or `protected-added`."""

    path: str
    code: str
    message: str


def digest(data: bytes) -> str:
    """The `sha256:` pin of a file's bytes."""
    return "sha256:" + hashlib.sha256(data).hexdigest()


def file_digest(path: Path) -> str:
    """The pin of the file at `path`, read in chunks whatever its size; a symbolic link by its
    target text, never followed."""
    if path.is_symlink():
        return digest(b"symlink:" + os.readlink(path).encode("utf-8", "surrogateescape"))
    with open(path, "rb") as fh:
        return "sha256:" + hashlib.file_digest(fh, "sha256").hexdigest()


@dataclass(frozen=True)
class Pins:
    """Protected path to its `sha256:` pin. `blobs` (the pinned commit's git blob ids, kept in
    memory only) lets `verify_commit` skip reading files whose blob did not change."""

    files: Mapping[str, str]
    blobs: Mapping[str, str] = field(default_factory=dict, compare=False)

    @classmethod
    def of_commit(cls, repo: Repo, commit: str, task: Task) -> Pins:
        entries = snapshot_entries(repo.entries(commit))
        protected = {p: e for p, e in entries.items() if task.is_protected(p)}
        data = repo.read_many(commit, list(protected))
        return cls(
            {p: _pin(data[p], e.mode == _LINK) for p, e in protected.items()},
            {p: e.blob for p, e in protected.items()},
        )

    @classmethod
    def of_tree(cls, tree: Path, task: Task) -> Pins:
        """The pins of a snapshot on disk (outside a run: `agentos check`, tests, benchmarks)."""
        return cls({rel: file_digest(tree / rel) for rel in _protected_files(tree, task)})

    def write(self, trusted_dir: Path) -> Path:
        """Write the pins into `trusted_dir` (atomically); return the file."""
        trusted_dir.mkdir(parents=True, exist_ok=True)
        target = trusted_dir / PINS_FILE
        tmp = target.with_suffix(".tmp")
        body = {"version": _VERSION, "files": dict(self.files)}
        tmp.write_text(json.dumps(body, indent=1, sort_keys=True))
        os.replace(tmp, target)
        return target

    @classmethod
    def load(cls, trusted_dir: Path) -> Pins:
        """The pins written into `trusted_dir`; IntegrityError when absent or of another
        version."""
        path = trusted_dir / PINS_FILE
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError) as exc:
            raise IntegrityError(
                f"no readable pins ({exc})", path=path, fix="pin the baseline first (Pins.write)"
            ) from exc
        if data.get("version") != _VERSION:
            raise IntegrityError(
                "pins of another agentos version", path=path, fix="pin the baseline again"
            )
        return cls({str(k): str(v) for k, v in data["files"].items()})

    def verify_tree(self, tree: Path, task: Task) -> list[Mismatch]:
        """Every protected file of the snapshot at `tree` that differs from the pins."""
        now = {rel: file_digest(tree / rel) for rel in _protected_files(tree, task)}
        return _compare(self.files, now.get, set(now))


def verify_commit(repo: Repo, commit: str, pins: Pins, task: Task) -> list[Mismatch]:
    """Every protected file of `commit` that differs from the pins (changed, deleted or added)."""
    entries = snapshot_entries(repo.entries(commit))
    changed = [p for p in pins.files if p in entries and entries[p].blob != pins.blobs.get(p)]
    data = repo.read_many(commit, changed)
    now = {p: _pin(data[p], entries[p].mode == _LINK) for p in changed}

    def pin_of(path: str) -> str | None:
        if path not in entries:
            return None
        return now.get(path, pins.files.get(path))

    protected = {p for p in entries if task.is_protected(p)}
    return _compare(pins.files, pin_of, protected)


def _pin(data: bytes, link: bool) -> str:
    return digest(b"symlink:" + data) if link else digest(data)


def _compare(
    pinned: Mapping[str, str], pin_of: Callable[[str], str | None], present: set[str]
) -> list[Mismatch]:
    found = []
    for rel, want in sorted(pinned.items()):
        got = pin_of(rel)
        if got is None:
            found.append(Mismatch(rel, "protected-deleted", f"{rel} is protected, now gone"))
        elif got != want:
            found.append(Mismatch(rel, "protected-changed", f"{rel} differs from its pin {want}"))
    for rel in sorted(present - set(pinned)):
        found.append(Mismatch(rel, "protected-added", f"{rel} is new under a protected glob"))
    return found


def _protected_files(tree: Path, task: Task) -> list[str]:
    """Every protected file and symlink under `tree` (`.git` and compiled bytecode left out)."""
    return [rel for rel in walk(tree) if task.is_protected(rel) and not is_bytecode(rel)]
