"""Running a trusted Python tool inside the candidate's sandbox, and reading back what it said.

Every built-in that executes something (ruff, mypy, pytest, the metric command) goes through
`run_in_sandbox`: a `RunRequest` whose tree is `ctx.tree` (the snapshot, never the user's tree), a
fresh output directory created here outside the tree, and the tool's limits from its options.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from agentos.sandbox import Limits, RunRequest, RunResult
from agentos.sandbox.interpreter import PythonEnv
from agentos.scratch import scratch
from agentos.tool import Finding, ToolContext

_DRIVER = Path(__file__).with_name("_driver.py")
CWD_MARK = "agentos-cwd: "
MAX_FINDINGS = 200


@dataclass(frozen=True)
class Ran:
    """A finished sandbox run and its output directory (valid only inside `run_in_sandbox`)."""

    result: RunResult
    output: Path
    cwd: str


def option_float(ctx: ToolContext, key: str, default: float) -> float:
    value = ctx.options.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise ValueError(f"option {key!r} must be a positive number, not {value!r}")
    return float(value)


def option_strs(ctx: ToolContext, key: str, default: Sequence[str]) -> tuple[str, ...]:
    value = ctx.options.get(key, list(default))
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"option {key!r} must be a list of strings, not {value!r}")
    return tuple(value)


def python_files(ctx: ToolContext) -> list[str]:
    """The changed `.py` files that still exist in the snapshot (deleted ones cannot be checked)."""
    return sorted(p for p in set(ctx.changed)
                  if p.endswith(".py") and (ctx.tree / p).is_file() and not _escapes(p))


def _escapes(rel: str) -> bool:
    path = PurePosixPath(rel)
    return path.is_absolute() or ".." in path.parts


def driver_argv(module: str, args: Sequence[str], files: Mapping[str, str] | None = None,
                unset: Sequence[str] = ()) -> tuple[str, ...]:
    """The argv that runs `python -m module args` through the trusted driver."""
    spec = {"module": module, "args": list(args), "files": dict(files or {}), "unset": list(unset)}
    return (sys.executable, "-I", "-B", "-c", _DRIVER.read_text(encoding="utf-8"), json.dumps(spec))


def steps_argv(steps: Sequence[tuple[str, Sequence[str], str]],
               files: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """The argv that runs several `(module, args, stdout file)` steps in one sandbox run; the exit
    codes land in `steps.json` in the output directory."""
    spec = {"module": "", "args": [], "files": dict(files or {}),
            "steps": [{"module": m, "args": list(a), "stdout": o} for m, a, o in steps]}
    return (sys.executable, "-I", "-B", "-c", _DRIVER.read_text(encoding="utf-8"), json.dumps(spec))


@contextmanager
def run_in_sandbox(ctx: ToolContext, argv: Sequence[str], *, timeout: float,
                   env: Mapping[str, str] | None = None, audit: bool = False,
                   python: PythonEnv | None = None) -> Iterator[Ran]:
    """Run `argv` on the snapshot in `ctx.sandbox`; the output directory is removed afterwards.
    `python` is another interpreter than agentos' own that `argv` runs with (bound read-only)."""
    base = ctx.work_dir
    if base is not None:
        base.mkdir(parents=True, exist_ok=True)
    with scratch("tool", dir=base) as output:
        request = RunRequest(
            argv=tuple(argv), tree=ctx.tree, output=output, env=dict(env or {}),
            limits=Limits(wall_seconds=timeout), gpu=False, audit=audit, python=python,
        )
        result = ctx.sandbox.run(request)
        yield Ran(result, output, _cwd_of(result.stderr) or str(ctx.tree))


def _cwd_of(stderr: str) -> str | None:
    for line in stderr.splitlines()[:5]:
        if line.startswith(CWD_MARK):
            return line[len(CWD_MARK):].strip()
    return None


def relative(path: str, cwd: str) -> str:
    """A finding's path relative to the snapshot, whatever the sandbox mounted it as."""
    if os.path.isabs(path):
        rel = os.path.relpath(path, cwd)
        return path if rel.startswith("..") else rel
    return os.path.normpath(path)


def ended_badly(ran: Ran, tool: str) -> Finding | None:
    """A finding for a run that timed out, ran out of memory or was cut off, else None."""
    r = ran.result
    if r.timed_out:
        return Finding("", 0, "timeout", f"{tool} ran past its limit ({r.duration:.1f}s)")
    if r.oom:
        return Finding("", 0, "oom", f"{tool} was killed for memory")
    return None


def tail(text: str, limit: int = 800) -> str:
    text = text.strip()
    return text if len(text) <= limit else "..." + text[-limit:]
