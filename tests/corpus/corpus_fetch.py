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
    return fetch_all([pin], cache)[pin]


def fetch_all(pins: list[Pin], cache: Path | None = None) -> dict[Pin, Path]:
    """Every pinned file, from the cache or downloaded into it (one `pip download` per kind of
    distribution for all that are missing), hash checked."""
    root = cache or cache_dir()
    found: dict[Pin, Path] = {}
    for kind in ("sdist", "wheel"):
        folder = root / f"{kind}s"
        folder.mkdir(parents=True, exist_ok=True)
        missing = []
        for pin in (p for p in pins if p.kind == kind):
            target = folder / pin.file
            if target.is_file() and sha256_of(target) == pin.sha256:
                found[pin] = target
            else:
                missing.append(pin)
        if missing:
            found.update(_download(missing, folder))
    return found


def _download(pins: list[Pin], folder: Path) -> dict[Pin, Path]:
    binary = ["--no-binary", ":all:"] if pins[0].kind == "sdist" else ["--only-binary", ":all:"]
    specs = [pin.spec for pin in pins]
    with tempfile.TemporaryDirectory(dir=folder) as tmp:
        done = subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", *binary, *specs,
             "-d", tmp, "--timeout", "20", "--retries", "1", "--disable-pip-version-check",
             "--no-input", "--quiet"],
            capture_output=True, text=True, timeout=600,
        )
        absent = [pin for pin in pins if not (Path(tmp) / pin.file).is_file()]
        if done.returncode != 0 or absent:
            last = (done.stderr.strip().splitlines() or ["no output"])[-1][:200]
            names = ", ".join(p.spec for p in absent or pins)
            raise CorpusError(
                f"corpus: cannot fetch {names} from the package registry (pip download exited "
                f"{done.returncode}: {last}); the corpus tests need the registry, or a cache "
                f"holding those files in {folder}"
            )
        out = {}
        for pin in pins:
            got = verify(pin, Path(tmp) / pin.file)
            out[pin] = Path(shutil.move(str(got), folder / pin.file))
    return out


def unpack(sdist: Path, dest: Path) -> Path:
    """Extract a source distribution's single top folder as `dest`."""
    with tempfile.TemporaryDirectory() as tmp, tarfile.open(sdist) as tar:
        tar.extractall(tmp, filter="data")
        (top,) = Path(tmp).iterdir()
        shutil.copytree(top, dest)
    return dest
