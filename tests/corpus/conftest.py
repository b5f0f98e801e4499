"""Corpus repositories as fresh git repositories: fetched, unpacked, benchmark added, committed."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from corpus_fetch import CorpusError, fetch, fetch_all, unpack
from corpus_repos import REPOS, CorpusRepo, benchmark
from helpers import commit_all

_OTHER_PYTHONS = ("python3.12", "python3.13", "python3.10", "python3.11", "python3")


def other_python() -> str:
    """A CPython 3.10+ other than agentos' own when this machine has one, another minor version
    first (else agentos' own): the repository's environment need not be agentos' interpreter."""
    ours = Path(sys.executable).resolve()
    dirs = [Path(d) for d in os.environ.get("PATH", "").split(os.pathsep) if d]
    found = [d / n for n in _OTHER_PYTHONS for d in dirs if (d / n).is_file()]
    found += sorted(Path.home().glob(".pyenv/versions/3.1[0-9]*/bin/python3"), reverse=True)
    usable: list[tuple[bool, str]] = []
    for candidate in found:
        done = subprocess.run(
            [str(candidate), "-c", "import sys, venv; print(sys.version_info[:2] >= (3, 10), "
             f"sys.version_info[:2] == (3, {sys.version_info[1]}), sys.executable)"],
            capture_output=True, text=True)
        fields = done.stdout.split()
        if done.returncode == 0 and fields[0] == "True" and Path(fields[2]).resolve() != ours:
            usable.append((fields[1] == "True", str(candidate)))
    other = [path for same, path in usable if not same] + [path for same, path in usable if same]
    return other[0] if other else sys.executable


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
