"""Corpus repositories as fresh git repositories: fetched, unpacked, benchmark added, committed."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from corpus_fetch import CorpusError, fetch, fetch_all, unpack
from corpus_repos import REPOS, CorpusRepo, benchmark
from helpers import commit_all

_OTHER_PYTHONS = ("python3.12", "python3.13", "python3.10", "python3.11")


def other_python() -> str:
    """A CPython other than agentos' own when one is on PATH (else agentos' own)."""
    ours = Path(sys.executable).resolve()
    for name in _OTHER_PYTHONS:
        found = shutil.which(name)
        if not found:
            continue
        done = subprocess.run([found, "-c", "import sys, venv; print(sys.executable)"],
                              capture_output=True, text=True)
        if done.returncode == 0 and Path(done.stdout.strip()).resolve() != ours:
            return found
    return sys.executable


def make_env(repo: CorpusRepo, root: Path) -> Path:
    """The repository's own `.venv` (git-ignored), holding the pinned wheels."""
    wheels = [fetch(pin) for pin in repo.env]
    venv = root / ".venv"
    subprocess.run([other_python(), "-m", "venv", "--without-pip", str(venv)], check=True)
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install",
         "--quiet", "--no-deps", "--no-index", "--disable-pip-version-check",
         *map(str, wheels)],
        check=True, capture_output=True,
    )
    return venv


def prepare(name: str, dest: Path) -> Path:
    """A git repository at `dest`: the pinned sdist of `name` plus `benchmark.py`, committed."""
    repo = REPOS[name]
    try:
        sdist = fetch(repo.pin)
        unpack(sdist, dest)
        (dest / "benchmark.py").write_text(benchmark(repo), encoding="utf-8")
        commit_all(dest, f"{repo.pin.spec} from its source distribution")
        if repo.env:
            (dest / ".git" / "info").mkdir(exist_ok=True)
            with (dest / ".git" / "info" / "exclude").open("a") as f:
                f.write(".venv/\n")
            make_env(repo, dest)
    except CorpusError as exc:
        pytest.fail(str(exc), pytrace=False)
    return dest


@pytest.fixture(scope="session")
def corpus_cache() -> None:
    """Every pin of the corpus in the cache, fetched at most once per session, in one go."""
    try:
        fetch_all([pin for repo in REPOS.values() for pin in (repo.pin, *repo.env)])
    except CorpusError as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture
def corpus_repo(corpus_cache: None, tmp_path: Path) -> Callable[[str], Path]:
    return lambda name: prepare(name, tmp_path / name)
