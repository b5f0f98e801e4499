"""The byte-level corpus: local files, read offline, split into train and validation by file.

The default corpus is the running interpreter's standard-library `.py` sources, which every Python
install has, so no download is ever needed. The split is by file and decided by a hash of the
file's path relative to its root, so it is the same on every run and does not depend on the order
the filesystem lists files in. Files are joined with a NUL byte, which never occurs in source text.
"""

from __future__ import annotations

import glob
import hashlib
import os
import sysconfig
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from agentos.errors import UserError

SEPARATOR = b"\x00"
_SKIP_PARTS = {"site-packages", "dist-packages", "__pycache__"}


@dataclass(frozen=True)
class Corpus:
    """Train and validation bytes, and where they came from."""

    train: bytes
    val: bytes
    files_train: int
    files_val: int
    digest: str


def default_sources() -> tuple[str, ...]:
    """The standard-library sources of the running interpreter, as one recursive glob."""
    return (os.path.join(sysconfig.get_paths()["stdlib"], "**", "*.py"),)


def _expand(source: str) -> list[tuple[str, Path]]:
    """Return (name used for the split, file path) for a directory or a glob."""
    if os.path.isdir(source):
        root = Path(source)
        paths = [p for p in root.rglob("*") if p.is_file()]
    else:
        prefix = source
        for magic in "*?[":
            prefix = prefix.split(magic)[0]
        root = Path(prefix or ".")
        root = root if prefix.endswith(os.sep) and root.is_dir() else root.parent
        paths = [Path(p) for p in glob.glob(source, recursive=True) if os.path.isfile(p)]
    found = []
    for path in paths:
        rel = os.path.relpath(path, root)
        if _SKIP_PARTS.intersection(Path(rel).parts):
            continue
        found.append((rel.replace(os.sep, "/"), path))
    return found


def in_validation(name: str, val_fraction: float) -> bool:
    """Whether the file named `name` belongs to the validation split (stable across machines)."""
    bucket = int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:8], "big") % 10_000
    return bucket < round(val_fraction * 10_000)


def build_corpus(
    sources: Sequence[str] = (),
    *,
    val_fraction: float = 0.1,
    max_bytes: int | None = None,
) -> Corpus:
    """Read the files named by `sources` (directories or globs) into a train/validation split.

    `max_bytes` caps the train split (files are taken in sorted order until it is reached); the
    validation split is never capped, so the evaluation does not depend on it.
    """
    if not 0.0 < val_fraction < 1.0:
        raise UserError(f"val fraction {val_fraction} must be between 0 and 1",
                        fix="pass --val-fraction 0.1, for example")
    files: dict[str, Path] = {}
    for source in sources or default_sources():
        found = _expand(source)
        if not found:
            raise UserError(f"corpus source {source!r} matches no file",
                            fix="pass an existing directory or a glob such as 'src/**/*.py'")
        for name, path in found:
            files.setdefault(name, path)
    train: list[bytes] = []
    val: list[bytes] = []
    size = 0
    digest = hashlib.sha256()
    for name in sorted(files):
        data = files[name].read_bytes().replace(SEPARATOR, b"")
        if not data:
            continue
        if in_validation(name, val_fraction):
            val.append(data)
        elif max_bytes is None or size < max_bytes:
            train.append(data)
            size += len(data) + 1
        else:
            continue
        digest.update(name.encode("utf-8") + SEPARATOR + hashlib.sha256(data).digest())
    if not train or not val:
        raise UserError(
            f"corpus has {len(train)} training and {len(val)} validation files; "
            "both must be non-empty",
            fix="point --corpus at more files",
        )
    return Corpus(
        train=SEPARATOR.join(train),
        val=SEPARATOR.join(val),
        files_train=len(train),
        files_val=len(val),
        digest="sha256:" + digest.hexdigest(),
    )
