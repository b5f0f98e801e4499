"""The Python interpreter a sandboxed run uses, and what of the host it needs to see.

A `PythonEnv` is found by asking the interpreter itself, once (`probe`): where its prefixes, its
standard library and its site-packages are, and which version it is. The isolating backends bind
its `roots` read-only at their own paths and put its `bin_dir` first on `PATH`; `path` is put on
`PYTHONPATH` after the candidate's tree.

agentos' own interpreter (`own`) is always bound as well: the sandbox's helpers and agentos' trusted
harnesses (`python -m agentos.tools.trainer`) run with it. Its roots add the real folders of the
`agentos` package and of the folders mapped under it (`agentos.tools`, `agentos.sandboxes`,
`agentos.skills`), wherever the install put them: an editable install's source folders (found by
its import finder in site-packages), a wheel's site-packages, or a `pip install --target` folder,
which is also put on `PYTHONPATH` since only the host's `PYTHONPATH` named it.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import os
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass, replace

from agentos.sandbox.layout import SYSTEM_DIRS

MIN_VERSION = (3, 9)  # the read-audit hook's oldest Python
PROBE_TIMEOUT = 60.0
# Standard library only, and valid in any Python 3, so an old one can still say its version.
_PROBE = """\
import json, site, sys
try:
    sp = site.getsitepackages()
except AttributeError:
    sp = []
print(json.dumps({
    "executable": sys.executable, "version": list(sys.version_info[:3]),
    "implementation": sys.implementation.name,
    "prefixes": [sys.prefix, getattr(sys, "base_prefix", sys.prefix), sys.exec_prefix,
                 getattr(sys, "base_exec_prefix", sys.exec_prefix)],
    "site_packages": sp, "path": [p for p in sys.path if p],
}))
"""
# The packages of pyproject.toml's `[tool.setuptools] package-dir`: an editable install maps each
# to a folder of its own.
_MAPPED = ("agentos", "agentos.tools", "agentos.sandboxes", "agentos.skills")


class NotPython(ValueError):
    """The path does not run as a usable Python interpreter; the message says why."""


@dataclass(frozen=True)
class PythonEnv:
    """One interpreter as a sandbox needs it.

    `executable` is the interpreter as `sys.executable` names it (a venv's `bin/python`, not its
    target); `roots` are the host folders to bind read-only (prefixes, the standard library,
    site-packages, every folder on the way of the executable's symlinks); `bin_dir` goes first on
    `PATH`; `site_packages` is for people to read; `path` goes on `PYTHONPATH` after the tree;
    `source` says why this interpreter was chosen.
    """

    executable: str
    version: str
    roots: tuple[str, ...]
    bin_dir: str
    site_packages: tuple[str, ...]
    source: str
    path: tuple[str, ...] = ()

    def describe(self) -> str:
        """One line: the interpreter, its version, why it was chosen, and its site-packages."""
        sites = ", ".join(self.site_packages) or "none"
        line = f"{self.executable} (Python {self.version}, {self.source}); site-packages: {sites}"
        return line + (f"; also on the import path: {', '.join(self.path)}" if self.path else "")


@functools.cache
def probe(executable: str, *, source: str, hide: tuple[str, ...] = ()) -> PythonEnv:
    """Ask `executable` where it lives; `hide` lists host folders never to bind (the user's
    repository: an editable install's path into the working tree must not reach the sandbox).
    Asked once per process for each interpreter: a check, a run's start and every pytest gate ask
    again, and the answer does not change.

    Raises `NotPython` when it does not start, is not CPython, or is older than 3.9.
    """
    try:
        done = subprocess.run(
            [executable, "-I", "-c", _PROBE],
            capture_output=True,
            text=True,
            timeout=PROBE_TIMEOUT,
            check=False,
            # -I ignores the PYTHON* variables; a pyenv shim needs the others
            env={**os.environ, "LC_ALL": "C.UTF-8"},
        )
    except (OSError, subprocess.TimeoutExpired) as err:
        raise NotPython(f"{executable} does not run ({err})") from err
    try:
        info = json.loads(done.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        why = (done.stderr.strip().splitlines() or [""])[0][:80] or f"exit code {done.returncode}"
        raise NotPython(f"{executable} is not a Python interpreter ({why})") from None
    version = tuple(info["version"])
    shown = ".".join(map(str, version))
    if info["implementation"] != "cpython":
        raise NotPython(f"{executable} is {info['implementation']} {shown}, not CPython")
    if version < MIN_VERSION:
        raise NotPython(f"{executable} is Python {shown}; the read audit needs Python 3.9 or later")
    exe = str(info["executable"]) or executable
    hidden = tuple(os.path.realpath(h) for h in hide)
    paths = [p for p in info["path"] if not _under(os.path.realpath(p), hidden)]
    sites = tuple(p for p in info["site_packages"] if os.path.isdir(p))
    return PythonEnv(
        executable=exe,
        version=shown,
        roots=minimal_roots([*info["prefixes"], *_link_dirs(exe), *sites, *paths]),
        bin_dir=os.path.dirname(os.path.abspath(exe)),
        site_packages=sites,
        source=source,
    )


@functools.cache
def own() -> PythonEnv:
    """agentos' own interpreter, with the folders that make `agentos` importable inside."""
    env = probe(sys.executable, source="agentos' own")
    folders: list[str] = []
    for name in _MAPPED:
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.submodule_search_locations:
            folders += [os.path.realpath(p) for p in spec.submodule_search_locations]
    path: tuple[str, ...] = ()
    top = os.path.dirname(folders[0]) if folders else ""
    mapped_inside = all(_under(f, (folders[0],)) for f in folders)
    seen = {os.path.realpath(p) for p in (*env.roots, *env.site_packages)}
    # A wheel or `--target` install keeps every mapped folder inside `agentos/`; when its parent
    # is not one of the interpreter's own folders, only the host's PYTHONPATH named it.
    if folders and mapped_inside and os.path.realpath(top) not in seen:
        path = (top,)
    return replace(env, roots=minimal_roots([*env.roots, *folders, *path]), path=path)


def bound_roots(python: PythonEnv | None) -> tuple[str, ...]:
    """What a run binds read-only: agentos' own interpreter and package folders, and the run's
    interpreter when it is another."""
    mine = own().roots
    return mine if python is None else minimal_roots([*mine, *python.roots])


def minimal_roots(paths: Iterable[str]) -> tuple[str, ...]:
    """The existing folders among `paths` (as given and resolved), none inside another, outside
    the system folders and /etc (the sandbox binds those, or the /etc entries it allows, anyway)."""
    found: set[str] = set()
    for path in paths:
        for candidate in {os.path.abspath(path), os.path.realpath(path)}:
            if os.path.exists(candidate) and not _under(candidate, (*SYSTEM_DIRS, "/etc")):
                found.add(candidate)
    ordered = sorted(found)
    return tuple(p for p in ordered if not _under(p, tuple(q for q in ordered if q != p)))


def _link_dirs(executable: str) -> list[str]:
    """The folder of every hop of the executable's symlink chain (a venv's `bin/python` points
    into the base interpreter, a pyenv or uv folder, or /usr/bin through /etc/alternatives)."""
    dirs, path = [], os.path.abspath(executable)
    for _ in range(40):
        dirs.append(os.path.dirname(path))
        if not os.path.islink(path):
            break
        path = os.path.join(os.path.dirname(path), os.readlink(path))
    return dirs


def _under(path: str, roots: Iterable[str]) -> bool:
    return any(path == r or path.startswith(r.rstrip("/") + "/") for r in roots)
