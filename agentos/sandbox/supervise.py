"""The orchestrator's side of a sandboxed run, shared by every backend.

It builds the cleared environment, the launcher's argv (rlimits, cgroup, parent-death signal),
starts the process in its own session, drains stdout, stderr and the audit channel in one selector
loop with byte caps (a flood is drained and dropped, never allowed to block the writer), and
enforces the wall-clock limit: SIGTERM to the launcher (which kills every descendant), then SIGKILL
to the group. A caller that may need to stop a run early (an executor cancelling a job) runs it
inside `cancelling(event)`: once the event is set, the run ends the same way at once and
`supervise` raises `Cancelled`.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import os
import selectors
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from agentos.errors import UserError
from agentos.sandbox.base import Limits, RunRequest, RunResult
from agentos.sandbox.interpreter import own
from agentos.sandbox.layout import import_dirs

LAUNCHER = Path(__file__).with_name("launcher.py")
SYSTEM_PATH = ("/usr/local/bin", "/usr/bin", "/bin", "/usr/local/sbin", "/usr/sbin", "/sbin")
AUDIT_CAP = 64 << 20
KILL_GRACE = 1.0
CANCEL_POLL = 0.1  # how often a run that can be cancelled looks at its event (seconds)

_cancel: contextvars.ContextVar[threading.Event | None] = contextvars.ContextVar(
    "agentos_cancel", default=None
)


class Cancelled(Exception):
    """The run was stopped by its caller's event (`cancelling`), not by its own end."""


@contextlib.contextmanager
def cancelling(event: threading.Event) -> Iterator[None]:
    """Run the body with `event` as its cancellation: a supervised run under way when it is set is
    stopped as at its wall-clock limit (within `CANCEL_POLL` s) and raises `Cancelled`; a run
    started after it is set raises `Cancelled` before it starts."""
    token = _cancel.set(event)
    try:
        yield
    finally:
        _cancel.reset(token)

# Variables that change what a program loads before its own code: never taken from a request.
_FORBIDDEN_PREFIXES = ("LD_", "DYLD_")
_FORBIDDEN = frozenset(
    {
        "PYTHONPATH",
        "PYTHONHOME",
        "PYTHONSTARTUP",
        "PYTHONUSERBASE",
        "PYTHONNOUSERSITE",
        "PYTHONSAFEPATH",
        "PYTHONEXECUTABLE",
        "PYTHONPLATLIBDIR",
        "PYTHONPYCACHEPREFIX",
        "PYTHONDONTWRITEBYTECODE",
        "BASH_ENV",
        "ENV",
        "AGENTOS_AUDIT",
        "AGENTOS_AUDIT_ROOT",
        "PATH",
    }
)


@dataclass(frozen=True)
class Outcome:
    """What the supervisor saw. `returncode` follows the shell: 128+N when killed by signal N."""

    returncode: int | None
    stdout: bytes
    stderr: bytes
    truncated: bool
    timed_out: bool
    duration: float
    audit: bytes
    audit_truncated: bool


def sandbox_env(
    request: RunRequest,
    *,
    home: str,
    tmp: str,
    output: str,
    tree: str,
    extra: Mapping[str, str] = {},
) -> dict[str, str]:
    """The cleared environment: a fixed allowlist, then the request's own variables.

    `PATH` starts with the run's interpreter's `bin`; `PYTHONPATH` is the audit hook's folder (in
    `extra`), then, when the request names its interpreter, the candidate's folders (`tree` is the
    snapshot as the command sees it), then the interpreter's own extra folders.
    Raises `UserError` when the request tries to set a loader or interpreter-hijacking variable.
    """
    for name in request.env:
        if name in _FORBIDDEN or name.startswith(_FORBIDDEN_PREFIXES):
            raise UserError(
                f"sandbox environment variable {name} is not allowed (it changes what gets loaded)",
                fix=f"remove {name} from the task's environment",
            )
    python = request.python or own()
    env = {
        "PATH": ":".join((python.bin_dir, *SYSTEM_PATH)),
        "HOME": home,
        "TMPDIR": tmp,
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "AGENTOS_OUTPUT": output,
        "PYTHONDONTWRITEBYTECODE": "1",
        # Bytecode is looked up only under this private, empty folder: a `__pycache__` beside
        # the sources (a stale or crafted .pyc) is never read.
        "PYTHONPYCACHEPREFIX": f"{tmp}/pycache",
    }
    if request.gpu and request.devices is not None:  # indices as nvidia-smi numbers them
        env["CUDA_VISIBLE_DEVICES"] = ",".join(request.devices)
        env["CUDA_DEVICE_ORDER"] = "PCI_BUS_ID"
    env.update(request.env)
    env.update(extra)
    paths = [extra["PYTHONPATH"]] if extra.get("PYTHONPATH") else []
    if request.python is not None:
        paths += import_dirs(request.tree, tree)
    paths += python.path
    if paths:
        env["PYTHONPATH"] = ":".join(paths)
    return env


LauncherKind = Literal["auto", "python"]

# The tool chain's last link: check that the orchestrator is still the parent (the parent-death
# signal is armed by now, so either it fires later or the parent is already gone), join the cgroups,
# then become the command. Every step is a dash/bash builtin: no extra process, no interpreter.
_JOIN = (
    'p=$1; shift; read -r _ _ _ q _ < /proc/self/stat; [ "$q" = "$p" ] || exit 125; '
    'while [ "$1" != -- ]; do echo 0 > "$1" || exit 126; shift; done; shift; exec "$@"'
)


@functools.cache
def chain_tools() -> tuple[str, str, str] | None:
    """Absolute paths of `setpriv`, `prlimit` and `sh`, or None where one is absent or too old.

    Checked once by running the chain on `true`: a `setpriv` before util-linux 2.33 has no
    `--pdeathsig`, and the Python launcher must serve then rather than every run failing.
    """
    found = [shutil.which(tool) for tool in ("setpriv", "prlimit", "sh")]
    if None in found:
        return None
    setpriv, prlimit, sh = (str(path) for path in found)
    probe = [setpriv, "--pdeathsig", "KILL", "--", prlimit, "--core=0", "--", sh, "-c", "exit 0"]
    try:
        subprocess.run(probe, capture_output=True, timeout=10, check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    return setpriv, prlimit, sh


def launcher_argv(
    limits: Limits,
    *,
    gpu: bool,
    mode: Literal["exec", "reap"],
    cgroup_procs: Sequence[str] = (),
    nproc: bool = False,
    kind: LauncherKind = "auto",
) -> list[str]:
    """The argv prefix that sets up the run: rlimits, parent-death signal, parent check, cgroup.

    In `exec` mode with `kind="auto"` it is a chain of small tools, each exec'ing the next:
    `setpriv --pdeathsig KILL`, `prlimit`, then a few `sh` builtins (`_JOIN`), about 3 ms; the
    Python launcher (`launcher.py` under `python -I -S`, about 14 ms) serves `reap` mode (the
    `local` backend's subreaper), hosts without those tools, and `kind="python"`.
    No address-space limit when `gpu` (it breaks CUDA start-up); the memory cgroup still applies.
    `nproc` caps processes per uid, which only holds for a non-root uid.
    """
    rlimits = [("core", 0), ("nofile", limits.open_files), ("fsize", limits.file_size_bytes)]
    if limits.cpu_seconds is not None:
        rlimits.append(("cpu", limits.cpu_seconds))
    if limits.memory_bytes is not None and not gpu:
        rlimits.append(("as", limits.memory_bytes))
    if nproc:
        rlimits.append(("nproc", limits.pids))
    tools = chain_tools() if mode == "exec" and kind == "auto" else None
    if tools is not None:
        setpriv, prlimit, sh = tools
        return [
            setpriv, "--pdeathsig", "KILL", "--",
            prlimit, *(f"--{name}={value}" for name, value in rlimits), "--",
            sh, "-c", _JOIN, "agentos-launch", str(os.getpid()), *cgroup_procs, "--",
        ]  # fmt: skip
    return [
        sys.executable, "-I", "-S", "-B", str(LAUNCHER), f"--mode={mode}",
        f"--parent={os.getpid()}", *(f"--rlimit-{name}={value}" for name, value in rlimits),
        *(f"--cgroup={p}" for p in cgroup_procs), "--",
    ]  # fmt: skip


def _signal(proc: subprocess.Popen[bytes], sig: int, group: bool) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        if group:
            os.killpg(proc.pid, sig)
        else:
            os.kill(proc.pid, sig)


def supervise(
    argv: Sequence[str],
    *,
    env: Mapping[str, str],
    cwd: Path,
    limits: Limits,
    audit_read: int | None = None,
    pass_fds: Sequence[int] = (),
    stop_signal: int = signal.SIGTERM,
) -> Outcome:
    """Run `argv` to completion under the wall-clock limit and return what it did.

    `audit_read` is the audit FIFO's read end, drained alongside the output (the caller owns and
    closes it); `pass_fds` are closed here once the child holds them. `stop_signal` goes to the
    first process at the deadline: SIGTERM lets the reaping launcher clean up; a namespace backend
    sends SIGKILL, since killing its first process ends the whole pid namespace. Raises `OSError`
    when the process cannot be started at all, and `Cancelled` when the run's cancellation event
    (`cancelling`) was set before or during it (the process killed first).
    """
    stop = _cancel.get()
    if stop is not None and stop.is_set():
        for fd in pass_fds:
            os.close(fd)
        raise Cancelled("cancelled before the run started")
    start = time.monotonic()
    deadline = start + limits.wall_seconds
    try:
        proc = subprocess.Popen(
            list(argv),
            cwd=cwd,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
            close_fds=True,
            pass_fds=tuple(pass_fds),
        )
    finally:
        for fd in pass_fds:
            os.close(fd)
    assert proc.stdout is not None and proc.stderr is not None
    out_fd, err_fd = proc.stdout.fileno(), proc.stderr.fileno()
    caps = {out_fd: limits.output_bytes, err_fd: limits.output_bytes}
    if audit_read is not None:
        caps[audit_read] = AUDIT_CAP
    bufs: dict[int, bytearray] = {fd: bytearray() for fd in caps}
    over: set[int] = set()
    timed_out = cancelled = False
    sel = selectors.DefaultSelector()
    for fd in caps:
        os.set_blocking(fd, False)
        sel.register(fd, selectors.EVENT_READ)

    def drain(fd: int) -> bool:
        """Read what is there; False at end-of-file."""
        try:
            chunk = os.read(fd, 1 << 16)
        except BlockingIOError:
            return True
        if not chunk:
            return False
        room = caps[fd] - len(bufs[fd])
        if len(chunk) > room:
            over.add(fd)
        bufs[fd] += chunk[: max(room, 0)]
        return True

    try:
        kill_at: float | None = None
        while {out_fd, err_fd} & sel.get_map().keys():
            now = time.monotonic()
            if stop is not None and stop.is_set() and not cancelled:
                cancelled = True
                deadline = min(deadline, now)
            if now >= deadline and not timed_out:
                timed_out = True
                _signal(proc, stop_signal, group=False)
                kill_at = now + KILL_GRACE
            if kill_at is not None and now >= kill_at:
                _signal(proc, signal.SIGKILL, group=True)
                _signal(proc, signal.SIGKILL, group=False)
                if now >= kill_at + KILL_GRACE:
                    break  # something outside our reach holds the pipes: stop reading
            wait = (kill_at if kill_at is not None else deadline) - now
            if stop is not None and kill_at is None:
                wait = min(wait, CANCEL_POLL)
            for key, _ in sel.select(timeout=wait if wait > 0 else 0.2):
                if not drain(int(key.fd)):
                    sel.unregister(key.fd)
        try:
            proc.wait(timeout=max(0.0, deadline - time.monotonic()) + KILL_GRACE)
        except subprocess.TimeoutExpired:
            timed_out = True
            _signal(proc, signal.SIGTERM, group=False)
            try:
                proc.wait(timeout=KILL_GRACE)
            except subprocess.TimeoutExpired:
                _signal(proc, signal.SIGKILL, group=True)
                _signal(proc, signal.SIGKILL, group=False)
                proc.wait()
        if audit_read is not None:
            while len(bufs[audit_read]) < AUDIT_CAP and drain(audit_read):
                if not select_readable(audit_read):
                    break
    finally:
        sel.close()
        proc.stdout.close()
        proc.stderr.close()
        if proc.returncode is None:
            _signal(proc, signal.SIGKILL, group=True)
            proc.wait()
    if cancelled:
        raise Cancelled(f"cancelled after {time.monotonic() - start:.2f} s")
    code = proc.returncode
    return Outcome(
        returncode=128 - code if code < 0 else code,
        stdout=bytes(bufs[out_fd]),
        stderr=bytes(bufs[err_fd]),
        truncated=bool(over - ({audit_read} if audit_read is not None else set())),
        timed_out=timed_out,
        duration=time.monotonic() - start,
        audit=bytes(bufs[audit_read]) if audit_read is not None else b"",
        audit_truncated=audit_read in over,
    )


def select_readable(fd: int) -> bool:
    with selectors.DefaultSelector() as one:
        one.register(fd, selectors.EVENT_READ)
        return bool(one.select(timeout=0))


def looks_oom(outcome: Outcome, limits: Limits, *, cgroup_oom: bool = False) -> bool:
    """Whether the run ended for lack of memory.

    A kernel or cgroup OOM kill (SIGKILL that we did not send while a memory limit was set), or a
    Python `MemoryError` exit (what an address-space limit produces).
    """
    if outcome.timed_out:
        return False
    if cgroup_oom:
        return True
    if outcome.returncode == 128 + signal.SIGKILL and limits.memory_bytes is not None:
        return True
    return outcome.returncode not in (0, None) and b"MemoryError" in outcome.stderr[-4096:]


def to_result(
    outcome: Outcome,
    *,
    oom: bool,
    reads: Mapping[str, str] | None = None,
    audit_problems: tuple[str, ...] = (),
    forgeries: tuple[str, ...] = (),
) -> RunResult:
    """The contract's result: exactly one of exited, timed out, or killed for memory."""
    return RunResult(
        exit_code=None if outcome.timed_out or oom else outcome.returncode,
        stdout=outcome.stdout.decode("utf-8", "replace"),
        stderr=outcome.stderr.decode("utf-8", "replace"),
        duration=outcome.duration,
        timed_out=outcome.timed_out,
        oom=oom,
        truncated=outcome.truncated,
        reads=reads,
        audit_problems=audit_problems,
        forgeries=forgeries,
    )
