"""A crafted or stale .pyc beside a source is never what runs, and snapshots carry no bytecode."""

from __future__ import annotations

import os
import py_compile
import subprocess
import sys
from pathlib import Path

from helpers import git, make_repo

from agentos.git import Repo
from agentos.integrity import scan_tree
from agentos.sandbox import Limits, RunRequest, Sandbox


def _stale_pyc(tree: Path) -> None:
    """mod.py says 1; its __pycache__ holds bytecode for 2 with mod.py's exact size and mtime."""
    source = tree / "mod.py"
    source.write_text("VALUE = 2\n")
    os.utime(source, ns=(1_000_000_000, 1_000_000_000))
    py_compile.compile(
        str(source), cfile=str(tree / "__pycache__" / f"mod.{sys.implementation.cache_tag}.pyc")
    )
    source.write_text("VALUE = 1\n")
    os.utime(source, ns=(1_000_000_000, 1_000_000_000))


def test_a_stale_pyc_is_never_read_inside_the_sandbox(backend: Sandbox, tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    _stale_pyc(tree)
    code = "import mod; print(mod.VALUE)"
    bare = subprocess.run([sys.executable, "-c", code], cwd=tree, capture_output=True, text=True)
    assert bare.stdout.strip() == "2", "the stale .pyc is what plain Python runs"
    result = backend.run(
        RunRequest(
            argv=("python", "-c", code), tree=tree, output=out, limits=Limits(wall_seconds=20)
        )
    )
    assert result.stdout.strip() == "1", result.stderr


def test_snapshots_carry_no_committed_bytecode(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"mod.py": "VALUE = 1\n", "pkg/x.pyc": "junk"})
    _stale_pyc(repo)
    git(repo, "add", "-f", "-A")
    git(repo, "commit", "-qm", "bytecode committed")
    dest = tmp_path / "snap"
    dest.mkdir()
    Repo(repo).snapshot("HEAD", dest)
    assert sorted(scan_tree(dest)) == ["mod.py"]
