"""The sandbox contract.

A backend runs one argv with the candidate's snapshot as its read-only working directory, a fresh
empty output directory as its only writable place (besides a private /tmp), a cleared environment,
and limits. Backends are registered by name through the `agentos` plugin hook, the built-ins too.

Which backends are security boundaries:
- `bwrap` and `unshare` are meant to be (user and pid namespaces, no network, read-only tree);
- `local` is NOT: it is a plain subprocess with rlimits and a timeout, chosen only by name.
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from agentos.errors import UserError
from agentos.sandbox.interpreter import PythonEnv


class SandboxUnavailable(UserError):
    """The machine lacks a primitive this backend needs; the message says how to install it."""


@dataclass(frozen=True)
class Limits:
    """Resource limits for one run. `None` means the backend's default."""

    wall_seconds: float = 60.0
    cpu_seconds: int | None = None
    memory_bytes: int | None = None
    open_files: int = 1024
    file_size_bytes: int = 1 << 30
    pids: int = 512
    output_bytes: int = 1 << 20


@dataclass(frozen=True)
class RunRequest:
    """One command to run.

    `tree` is the snapshot (cwd, read-only where the backend can); `output` is a fresh empty
    directory, exported to the command as `$AGENTOS_OUTPUT`; `env` adds allowlisted variables to a
    cleared environment; `audit` asks for the read-audit hook in Python interpreters started inside.

    `python` is the interpreter that `python` on `PATH` means, bound read-only, with the snapshot
    (and its `src/`) first on `PYTHONPATH`, ahead of any installed copy of the same package; None
    runs agentos' own interpreter and leaves the import path as Python makes it. `work`, an empty
    directory the caller owns, makes the working folder a writable copy of `tree` made there: the
    command may write beside its files (into the copy, which the caller reads afterwards), and
    `tree` itself is never written.

    `devices`, with `gpu`, names the GPUs (their indices) the command may use: only their device
    nodes are bound, and `CUDA_VISIBLE_DEVICES` lists them; None gives every GPU of the machine.
    """

    argv: tuple[str, ...]
    tree: Path
    output: Path
    env: Mapping[str, str] = field(default_factory=dict)
    limits: Limits = Limits()
    gpu: bool = False
    devices: tuple[str, ...] | None = None
    audit: bool = False
    python: PythonEnv | None = None
    work: Path | None = None


@dataclass(frozen=True)
class RunResult:
    """What happened. Exactly one of: exited (exit_code set), timed_out, or oom (killed for memory).

    `reads` maps each snapshot-relative path the process opened for reading to its git blob id
    (`git hash-object` of the bytes it read), when auditing was asked for and an audited Python
    interpreter reported; `None` otherwise (unknown, not empty: a command that is not Python).
    `audit_problems` lists signs that the audit channel was tampered with or overflowed, or that
    no audited interpreter reported; any entry means `reads` cannot be trusted (treat as `invalid`).
    `forgeries` lists what the forgery guard (docs/forgery.md) saw the editable code do to the
    result, when the request's env asked for it; any entry makes the result `invalid`.
    """

    exit_code: int | None
    stdout: str
    stderr: str
    duration: float
    timed_out: bool = False
    oom: bool = False
    truncated: bool = False
    reads: Mapping[str, str] | None = None
    audit_problems: tuple[str, ...] = ()
    forgeries: tuple[str, ...] = ()


class Sandbox(abc.ABC):
    """A backend. Subclasses set `name` and `security_boundary` and implement `run`."""

    name: ClassVar[str]
    security_boundary: ClassVar[bool]

    @classmethod
    def missing(cls) -> str | None:
        """Return why this backend cannot run on this machine (and how to fix it), or None."""
        return None

    @abc.abstractmethod
    def run(self, request: RunRequest) -> RunResult:
        """Run the request to completion and return what happened.

        Failures are results, not exceptions: a timeout sets `timed_out`, a memory kill sets `oom`,
        a non-zero exit sets `exit_code`. Raises `SandboxUnavailable` only when a primitive is
        missing, and `OSError` only when the host itself fails (disk full, no such argv[0]).
        Every process started inside is dead when this returns.
        """


_BACKENDS: dict[str, type[Sandbox]] = {}

# Strongest first: `auto` picks the first whose `missing()` is None. `local` is never picked.
AUTO_ORDER: tuple[str, ...] = ("bwrap", "unshare")


def register_backend(cls: type[Sandbox]) -> type[Sandbox]:
    """Class decorator: make a backend available by its `name`."""
    _BACKENDS[cls.name] = cls
    return cls


def backend_names() -> list[str]:
    from agentos.plugins import load_plugins

    load_plugins()
    return sorted(_BACKENDS)


def get_backend(name: str, *, factory: Callable[[type[Sandbox]], Sandbox] | None = None) -> Sandbox:
    """Return a backend by name, or the strongest available for `auto`; fail closed otherwise."""
    from agentos.plugins import load_plugins

    load_plugins()
    if name == "auto":
        reasons = []
        for candidate in AUTO_ORDER:
            cls = _BACKENDS.get(candidate)
            if cls is None:
                continue
            why = cls.missing()
            if why is None:
                return factory(cls) if factory else cls()
            reasons.append(f"{candidate}: {why}")
        raise SandboxUnavailable(
            "no isolating sandbox backend works here ("
            + "; ".join(reasons or ["none registered"])
            + ")",
            fix="install bubblewrap (apt-get install -y bubblewrap), or set [sandbox] "
            'backend = "local" (no security boundary)',
        )
    cls = _BACKENDS.get(name)
    if cls is None:
        raise UserError(
            f"unknown sandbox backend {name!r}",
            fix=f"choose one of {[*sorted(_BACKENDS), 'auto']}",
        )
    why = cls.missing()
    if why is not None:
        raise SandboxUnavailable(f"sandbox backend {name!r} cannot run here: {why}")
    return factory(cls) if factory else cls()
