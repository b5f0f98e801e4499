"""The Python launch prefix: limits, cgroup, parent-death signal, then the command.

This file runs as a standalone script (`python -I -S launcher.py ...`, standard library only),
never as an import of agentos: it starts between the orchestrator and the command so that
everything is set up in the child before any candidate code exists, without `preexec_fn` (unsafe in
a threaded process).

Modes:
- `exec`: replace itself with the command (bwrap and unshare where `setpriv` or `prlimit` is
  missing, or with `launcher="python"`; elsewhere `supervise.launcher_argv` uses a faster chain of
  small tools that does the same);
- `reap`: become a child subreaper, fork the command, and when it ends (or on SIGTERM from the
  orchestrator) SIGKILL every remaining descendant, including those that called `setsid()`, then
  exit with the command's status. The local backend uses it: `killpg` alone would miss those.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import resource
import signal
import sys

PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36

RLIMITS = {
    "cpu": resource.RLIMIT_CPU,
    "nofile": resource.RLIMIT_NOFILE,
    "fsize": resource.RLIMIT_FSIZE,
    "as": resource.RLIMIT_AS,
    "nproc": resource.RLIMIT_NPROC,
    "core": resource.RLIMIT_CORE,
}


def _prctl(option: int, value: int) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(option, value, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), f"prctl({option}) failed")


def _children(me: int) -> list[int]:
    """Pids whose parent is `me` (orphans are re-parented here because we are a subreaper)."""
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        fields = stat.rpartition(b")")[2].split()
        if len(fields) > 1 and int(fields[1]) == me:
            found.append(int(name))
    return found


def _kill_descendants() -> None:
    """SIGKILL and reap every descendant until none is left.

    Killing a child re-parents its own children to us, so repeat until a scan finds nobody.
    """
    me = os.getpid()
    while kids := _children(me):
        for pid in kids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        for pid in kids:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)


def _exit_like(status: int) -> None:
    """Exit with the same status the command ended with, re-raising its signal if it had one."""
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        signal.signal(sig, signal.SIG_DFL)
        os.kill(os.getpid(), sig)
        os._exit(128 + sig)
    os._exit(os.waitstatus_to_exitcode(status))


def main(args: list[str]) -> None:
    mode = "exec"
    parent = -1
    cgroups: list[str] = []
    while args and args[0] != "--":
        key, _, value = args.pop(0).partition("=")
        if key == "--mode":
            mode = value
        elif key == "--parent":
            parent = int(value)
        elif key == "--cgroup":
            cgroups.append(value)
        elif key.startswith("--rlimit-"):
            limit = int(value)
            resource.setrlimit(RLIMITS[key[len("--rlimit-") :]], (limit, limit))
        else:
            raise SystemExit(f"agentos launcher: unknown option {key}")
    argv = args[1:]
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if parent > 0 and os.getppid() != parent:
        os._exit(125)  # the orchestrator died before the signal was armed
    for procs in cgroups:
        with open(procs, "w") as fh:
            fh.write("0")
    if mode == "exec":
        os.execvp(argv[0], argv)
    _prctl(PR_SET_CHILD_SUBREAPER, 1)
    pid = os.fork()
    if pid == 0:
        _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        try:
            os.execvp(argv[0], argv)
        except OSError as err:
            os.write(2, f"agentos launcher: cannot run {argv[0]!r}: {err.strerror}\n".encode())
            os._exit(127)

    def on_term(signum: int, frame: object) -> None:
        _kill_descendants()
        os._exit(128 + signal.SIGKILL)

    signal.signal(signal.SIGTERM, on_term)
    while True:
        try:
            _, status = os.waitpid(pid, 0)
            break
        except InterruptedError:
            continue
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    _kill_descendants()
    _exit_like(status)


if __name__ == "__main__":
    main(sys.argv[1:])
