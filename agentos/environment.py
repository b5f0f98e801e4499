"""The repository's own Python: which interpreter a task's metric runs with, and why.

`[env] python` in `agentos.toml` is `"auto"` (the default), `"agentos"` or a path. `auto` takes the
repository's own environment when it has one, in this order: a `.venv/` folder (a uv project's
environment is its `.venv/`, or `UV_PROJECT_ENVIRONMENT`), a `venv/` folder, the virtualenv named by
`VIRTUAL_ENV` when agentos started; otherwise agentos' own interpreter. A path is a virtualenv
folder or an interpreter, relative to the repository (a bare name not found there, such as
`python3.12`, is looked up on `PATH`). The interpreter is asked once where its standard library and
site-packages are (`agentos.sandbox.interpreter.probe`); the sandbox binds them read-only and puts
the candidate's tree ahead of them on the import path.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path, PurePosixPath

from agentos.errors import UserError
from agentos.git import Repo
from agentos.sandbox.interpreter import NotPython, PythonEnv, own, probe
from agentos.task import Task

__all__ = ["PythonEnv", "missing_module", "python_with", "resolve_python", "uncommitted_module"]

_FIX = 'set `python` under [env] in agentos.toml to a virtualenv folder, an interpreter, or "auto"'


def resolve_python(task: Task) -> PythonEnv:
    """The interpreter `task`'s metric runs with. Raises `UserError` (naming agentos.toml and the
    fix) when the configured or found one does not exist or does not run as CPython 3.9+."""
    choice = task.env.python
    if choice == "agentos":
        return own()
    if choice == "auto":
        found = _found(task.root)
        if found is None:
            why = "no .venv/, venv/ or VIRTUAL_ENV"
            if _is_uv(task.root):
                why = "uv.lock but no .venv/ yet: `uv sync` makes it"
            return replace(own(), source=f"agentos' own; {why}")
        folder, source = found
        return _probe(task, _interpreter_in(folder), source)
    path = Path(choice).expanduser()
    path = path if path.is_absolute() else task.root / path
    if not os.path.lexists(path) and "/" not in choice and shutil.which(choice):
        path = Path(str(shutil.which(choice)))  # a bare name such as "python3.12": from PATH
    if not os.path.lexists(path):
        raise UserError(f"[env] python: {choice} does not exist", path=task.path, fix=_FIX)
    if path.is_dir():
        exe = _interpreter_in(path)
        if exe is None:
            raise UserError(
                f"[env] python: {choice} is a folder without bin/python", path=task.path, fix=_FIX
            )
        return _probe(task, exe, f"[env] python = {choice!r}")
    return _probe(task, path, f"[env] python = {choice!r}")


def _found(root: Path) -> tuple[Path, str] | None:
    """The repository's own virtualenv, and how it was found."""
    uv_env = os.environ.get("UV_PROJECT_ENVIRONMENT")
    if uv_env and _is_uv(root) and _is_venv(root / uv_env):
        return root / uv_env, "uv project (UV_PROJECT_ENVIRONMENT)"
    if _is_venv(root / ".venv"):
        return root / ".venv", "uv project .venv/" if _is_uv(root) else "repo .venv/"
    if _is_venv(root / "venv"):
        return root / "venv", "repo venv/"
    active = os.environ.get("VIRTUAL_ENV")
    if active and _is_venv(Path(active)) and not _same(Path(active), Path(sys.prefix)):
        return Path(active), "VIRTUAL_ENV"
    return None


def _probe(task: Task, exe: Path | None, source: str) -> PythonEnv:
    if exe is None:
        raise UserError(f"[env] python: {source} has no bin/python", path=task.path, fix=_FIX)
    try:
        return probe(str(exe), source=source, hide=(str(task.root),))
    except NotPython as err:
        raise UserError(f"[env] python ({source}): {err}", path=task.path, fix=_FIX) from None


def _interpreter_in(folder: Path) -> Path | None:
    for name in ("python", "python3"):
        if os.access(folder / "bin" / name, os.X_OK):
            return folder / "bin" / name
    return None


def _is_venv(folder: Path) -> bool:
    return (folder / "pyvenv.cfg").is_file()


def _is_uv(root: Path) -> bool:
    return (root / "uv.lock").is_file()


def _same(a: Path, b: Path) -> bool:
    return os.path.realpath(a) == os.path.realpath(b)


def python_with(task: Task, module: str) -> PythonEnv:
    """The task's interpreter when it can import `module` (a repository's own pytest, with the
    plugins and dependencies its tests need), else agentos' own, which always can."""
    env = resolve_python(task)
    if env.executable == own().executable or not _imports(env.executable, module):
        return own()
    return env


@functools.cache
def _imports(executable: str, module: str) -> bool:
    try:
        done = subprocess.run(
            [executable, "-I", "-c", f"import {module}"], capture_output=True, timeout=60
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


_MISSING = re.compile(r"No module named '([\w.]+)'|Failed to import filter module '([\w.]+)'")


def missing_module(text: str) -> str | None:
    """The module a Python error in `text` says cannot be imported (`a.b` of `No module named
    'a.b'`, or of pytest's `Failed to import filter module`), or None."""
    found = _MISSING.search(text)
    return None if found is None else found.group(1) or found.group(2)


def uncommitted_module(root: Path, text: str, near: Iterable[str] = ()) -> str | None:
    """Why a `No module named 'a.b'` in `text` happened when the working tree `root` holds the
    file but git does not (untracked, or git-ignored), so no commit's snapshot has it: a sentence
    naming the file and the `git add` that commits it, or None. The file is `a/b.py` or
    `a/b/__init__.py` at the root, under `src/`, or under a folder of a path in `near` or one
    above it (pytest puts a test file's folder on the import path: `tests/helpers.py` is
    `helpers` there)."""
    named = missing_module(text)
    if named is None:
        return None
    rel = named.replace(".", "/")
    folders = {"", "src/"}
    for path in near:
        folders.update(f"{p.as_posix()}/" for p in PurePosixPath(path).parents if str(p) != ".")
    try:
        repo = Repo(root)
    except UserError:  # not a git repository (a task built in code): nothing to commit
        return None
    for folder in sorted(folders, key=len):
        for path in (f"{folder}{rel}.py", f"{folder}{rel}/__init__.py"):
            if not (repo.root / path).is_file() or repo.git("ls-files", "--", path).strip():
                continue
            if repo.ignored(path):
                return (f"{path} exists here but is git-ignored, so the commit's snapshot lacks "
                        f"it (a file generated at build time?): commit it with `git add -f {path}`")
            return (f"{path} exists here but is not committed (untracked), so the commit's "
                    f"snapshot lacks it: commit it with `git add {path}`")
    return None
