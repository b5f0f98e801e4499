"""The `unshare` backend: for hosts without bubblewrap (the H100 benchmark hosts among them).

`unshare -Urn` run as root maps 0 to 0 and can still write the host, so the order matters: as real
root, in a private mount namespace, `mkroot.py` builds a root from read-only binds (system
directories, a few /etc files, the interpreters, the snapshot at /sandbox/tree or the run's own
writable copy of it) plus the output directory and a private /tmp, and `pivot_root`s into it; then
it drops every group and becomes
uid/gid 65534; only then `unshare -Urnm --fork --pid --mount-proc` gives the run its own user, net,
mount and pid namespaces, and `setpriv` empties the capability sets; last, `confine.py` installs a
seccomp filter that refuses new user namespaces and, where the kernel has it, Landlock, which
confines writes to the output, /tmp, /dev/shm (and the run's own copy of the tree) and forbids
mounts.
The inherited mounts are locked read-only by the kernel, the host uid is unprivileged, the network
is a lone loopback that is down, and the pid namespace dies with its first process.

Needs: root (to build the root), util-linux `unshare` and `setpriv`, user namespaces.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

from agentos.sandbox import audit, confine, layout
from agentos.sandbox.base import RunRequest, RunResult, register_backend
from agentos.sandbox.interpreter import bound_roots
from agentos.sandbox.scope import IsolatingSandbox, run_scope
from agentos.sandbox.supervise import launcher_argv, sandbox_env

UID = GID = 65534
log = logging.getLogger(__name__)
MKROOT = Path(layout.__file__).with_name("mkroot.py")
CONFINE = Path(layout.__file__).with_name("confine.py")
CONFINE_INSIDE = "/run/agentos/confine.py"
DEVICES = ("/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom")


@functools.cache
def _probe() -> str | None:
    if os.geteuid() != 0:
        return (
            "the unshare backend builds the sandbox root as root; run agentos as root or use bwrap"
        )
    for tool in ("unshare", "setpriv"):
        if shutil.which(tool) is None:
            return f"{tool} is missing; install util-linux (apt-get install -y util-linux)"
    try:
        done = subprocess.run(
            ["setpriv", f"--reuid={UID}", f"--regid={GID}", "--clear-groups", "--",
             "unshare", "-Urnm", "--fork", "--pid", "--mount-proc", "true"],
            capture_output=True, timeout=10, check=False,
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired) as err:
        return f"unshare does not start: {err}"
    if done.returncode != 0:
        why = done.stderr.decode(errors="replace").strip()
        return f"unprivileged user namespaces are not available ({why})"
    return None


@functools.cache
def landlock_missing() -> str | None:
    """Why runs here go without Landlock (the kernel lacks it), or None when they get it."""
    why = confine.why_missing()
    if why is not None:
        log.warning("unshare backend: runs without Landlock: %s", why)
    return why


def _confine_argv(
    binds: list[tuple[str, str, bool]], *, audited: bool, gpu: bool, work: bool
) -> list[str]:
    """The confine step (`confine.py`): the seccomp filter, and where the kernel has Landlock,
    writes only under the output, /tmp and the private /dev/shm (shared memory for
    multiprocessing and data loaders), the working folder when it is the run's own copy (`work`),
    and to the writable device nodes and the audit FIFO. A GPU
    run may also write under /proc: CUDA names its threads through `/proc/self/task/<tid>/comm`
    and fails to start (error 304) when that is denied; this /proc is the run's own, mounted in
    its user namespace, so the kernel's checks still apply there."""
    head = [sys.executable, "-I", "-S", "-B", CONFINE_INSIDE]
    if landlock_missing() is not None:
        return [*head, "--no-landlock", "--"]
    files = [target for _, target, writable in binds if writable and target.startswith("/dev/")]
    if audited:
        files.append(f"{layout.AUDIT_SITE}/channel")
    dirs = (layout.OUTPUT, "/tmp", "/dev/shm", *(("/proc",) if gpu else ()),
            *((layout.TREE,) if work else ()))  # fmt: skip
    return [*head, *(f"--dir={d}" for d in dirs), *(f"--file={f}" for f in files), "--"]


def _spec(
    request: RunRequest, root: Path, tree: Path, channel: audit.Channel | None
) -> dict[str, object]:
    binds: list[tuple[str, str, bool]] = []
    symlinks: list[tuple[str, str]] = []
    for path in layout.system_dirs():
        if os.path.islink(path):
            symlinks.append((os.readlink(path), path))
        else:
            binds.append((path, path, False))
    binds += [(p, p, False) for p in (*layout.etc_entries(), *bound_roots(request.python))]
    binds += [(d, d, True) for d in DEVICES if os.path.exists(d)]
    if request.gpu:
        binds += [(d, d, True) for d in layout.gpu_devices(request.devices)]
        binds.append(("/sys", "/sys", False))
    binds.append((str(tree), layout.TREE, request.work is not None))
    binds.append((str(request.output.resolve()), layout.OUTPUT, True))
    if channel is not None:
        binds.append((str(channel.site_dir), layout.AUDIT_SITE, False))
    env = sandbox_env(
        request, home="/tmp/home", tmp="/tmp", output=layout.OUTPUT, tree=layout.TREE,
        extra=channel.env if channel else {},
    )  # fmt: skip
    binds.append((str(CONFINE), CONFINE_INSIDE, False))
    last = _confine_argv(
        binds, audited=channel is not None, gpu=request.gpu, work=request.work is not None
    )
    inner = [
        shutil.which("unshare") or "/usr/bin/unshare", "--user", "--map-root-user", "--net",
        "--mount", "--pid", "--fork", "--mount-proc", "--kill-child=SIGKILL", "--",
        "setpriv", "--bounding-set=-all", "--inh-caps=-all", "--no-new-privs", "--",
        *last, *request.argv,
    ]  # fmt: skip
    return {
        "root": str(root), "binds": binds, "symlinks": symlinks, "uid": UID, "gid": GID,
        "parent": os.getpid(), "cwd": layout.TREE, "env": env, "argv": inner,
    }  # fmt: skip


@register_backend
class UnshareSandbox(IsolatingSandbox):
    """Namespaces by util-linux, after dropping to an unprivileged uid; a security boundary."""

    name = "unshare"

    @classmethod
    def missing(cls) -> str | None:
        return _probe()

    def run(self, request: RunRequest) -> RunResult:
        with run_scope(request, kind="unshare") as scope:
            scratch = scope.scratch
            os.chmod(scratch, 0o755)
            root = scratch / "root"
            root.mkdir()
            tree = scope.working_tree(owner=(UID, GID))
            tree.chmod(tree.stat().st_mode | 0o005)  # the unprivileged uid must enter it
            os.chown(request.output, UID, GID)
            channel = scope.open_audit(tree=layout.TREE, site_path=layout.AUDIT_SITE)
            spec_path = scratch / "spec.json"
            spec_path.write_text(json.dumps(_spec(request, root, tree, channel)))
            argv = launcher_argv(
                request.limits, gpu=request.gpu, mode="exec", nproc=True,
                cgroup_procs=scope.cgroup_procs, kind=self.launcher,
            )  # fmt: skip
            argv += [shutil.which("unshare") or "/usr/bin/unshare", "--mount",
                     "--propagation", "private", "--", sys.executable, "-I", "-S", "-B",
                     str(MKROOT), str(spec_path)]  # fmt: skip
            return scope.finish(
                argv, env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")}, cwd=scratch,
                stop_signal=signal.SIGKILL,
            )  # fmt: skip
