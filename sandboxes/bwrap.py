"""The `bwrap` backend: bubblewrap with a user namespace, all capabilities dropped, no network.

Every machine here runs as root, so the user namespace and `--cap-drop ALL` are what keep root
inside from remounting `/` read-write; `--disable-userns` stops it from making a nested user
namespace to regain capabilities. The root is built from nothing: system directories, a short list
of /etc files and the interpreters (agentos' own and the run's), all read-only; the snapshot
read-only at /sandbox/tree (the working directory), or the run's throwaway copy of it, read-write,
when the request asks for one; the output directory at /sandbox/output; a private tmpfs /tmp
holding HOME. New pid, net, ipc, uts and cgroup namespaces; `--die-with-parent` and the
launcher's parent-death signal end the run with the orchestrator; when the command exits,
bubblewrap's init exits and the kernel kills every process left in the pid namespace, `setsid()` or
not.
"""

from __future__ import annotations

import functools
import os
import shutil
import signal
import subprocess
from pathlib import Path

from agentos.sandbox import audit, layout
from agentos.sandbox.base import RunRequest, RunResult, register_backend
from agentos.sandbox.interpreter import bound_roots
from agentos.sandbox.scope import IsolatingSandbox, run_scope
from agentos.sandbox.supervise import launcher_argv, sandbox_env

INSTALL = (
    "install bubblewrap: apt-get install -y bubblewrap (Debian/Ubuntu) or dnf install bubblewrap"
)


@functools.cache
def _probe() -> str | None:
    exe = shutil.which("bwrap")
    if exe is None:
        return f"bubblewrap (bwrap) is not installed; {INSTALL}"
    try:
        done = subprocess.run(
            [
                exe,
                "--unshare-all",
                "--unshare-user",
                "--disable-userns",
                "--cap-drop",
                "ALL",
                "--ro-bind",
                "/",
                "/",
                "true",
            ],
            capture_output=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as err:
        return f"bwrap does not start: {err}"
    if done.returncode != 0:
        why = done.stderr.decode(errors="replace").strip()
        return (
            f"bwrap cannot make namespaces here ({why}); needs bubblewrap >= 0.8, user namespaces"
        )
    return None


def bwrap_argv(
    request: RunRequest, *, scratch: Path, channel: audit.Channel | None, tree: Path | None = None
) -> list[str]:
    """The bubblewrap command line for one request, ending with `--` (the command follows).

    `tree` is the working folder made by `RunScope.working_tree`: the snapshot, bound read-only,
    or the run's writable copy of it, bound read-write."""
    tree = tree or request.tree.resolve()
    args = [
        "bwrap",
        "--unshare-all",
        "--unshare-user",
        "--disable-userns",
        "--cap-drop",
        "ALL",
        "--die-with-parent",
        "--new-session",
        "--hostname",
        "sandbox",
        "--clearenv",
    ]
    for path in layout.system_dirs():
        if os.path.islink(path):
            args += ["--symlink", os.readlink(path), path]
        else:
            args += ["--ro-bind", path, path]
    for path in layout.etc_entries():
        args += ["--ro-bind", path, path]
    args += [
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        "--tmpfs",
        "/dev/shm",
        "--tmpfs",
        "/tmp",
        "--dir",
        "/tmp/home",
    ]
    # after the private /tmp: an interpreter or venv that lives under /tmp stays visible
    for path in bound_roots(request.python):
        args += ["--ro-bind", path, path]
    if request.gpu:
        for dev in layout.gpu_devices(request.devices):
            args += ["--dev-bind", dev, dev]
        args += ["--ro-bind", "/sys", "/sys"]
    args += [
        "--bind" if request.work is not None else "--ro-bind",
        str(tree),
        layout.TREE,
        "--bind",
        str(request.output.resolve()),
        layout.OUTPUT,
        "--chdir",
        layout.TREE,
    ]
    if channel is not None:
        args += ["--ro-bind", str(channel.site_dir), layout.AUDIT_SITE]
    args += ["--remount-ro", "/"]  # the root tmpfs itself: no writes beside the binds
    env = sandbox_env(
        request,
        home="/tmp/home",
        tmp="/tmp",
        output=layout.OUTPUT,
        tree=layout.TREE,
        extra=channel.env if channel else {},
    )
    for name, value in env.items():
        args += ["--setenv", name, value]
    return [*args, "--"]


@register_backend
class BwrapSandbox(IsolatingSandbox):
    """bubblewrap: a security boundary for code that does not hold a kernel exploit."""

    name = "bwrap"

    @classmethod
    def missing(cls) -> str | None:
        return _probe()

    def run(self, request: RunRequest) -> RunResult:
        with run_scope(request, kind="bwrap") as scope:
            channel = scope.open_audit(tree=layout.TREE, site_path=layout.AUDIT_SITE)
            argv = launcher_argv(
                request.limits,
                gpu=request.gpu,
                mode="exec",
                cgroup_procs=scope.cgroup_procs,
                kind=self.launcher,
            )
            tree = scope.working_tree()
            argv += bwrap_argv(request, scratch=scope.scratch, channel=channel, tree=tree)
            argv += request.argv
            return scope.finish(
                argv,
                env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")},
                cwd=scope.scratch,
                stop_signal=signal.SIGKILL,
            )
