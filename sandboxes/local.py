"""The `local` backend: a plain subprocess with limits. NOT a security boundary.

It clears the environment, runs in the snapshot with a private HOME and TMPDIR, applies rlimits
(CPU, open files, file size, and address space unless the run uses a GPU), joins a memory and pids
cgroup where one is delegated, enforces the wall clock, caps the output, and kills every descendant
before returning (the launcher is a child subreaper, so even `setsid()` grandchildren are found).
It does not stop the command from reading or writing anything the orchestrator's user can, from
reaching the network, or from signalling other processes. It is used only when named.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from agentos.sandbox import audit, cgroup
from agentos.sandbox.base import RunRequest, RunResult, Sandbox, register_backend
from agentos.sandbox.supervise import launcher_argv, sandbox_env, supervise


@register_backend
class LocalSandbox(Sandbox):
    """Subprocess with rlimits, a timeout and descendant cleanup; chosen only by name."""

    name = "local"
    security_boundary = False

    def run(self, request: RunRequest) -> RunResult:
        scratch = Path(tempfile.mkdtemp(prefix="agentos-local-"))
        group = cgroup.create(request.limits)
        channel: audit.Channel | None = None
        try:
            home, tmp = scratch / "home", scratch / "tmp"
            home.mkdir()
            tmp.mkdir()
            tree = request.tree.resolve()
            channel = (
                audit.open_channel(scratch / "audit", tree=str(tree)) if request.audit else None
            )
            env = sandbox_env(
                request,
                home=str(home),
                tmp=str(tmp),
                output=str(request.output.resolve()),
                extra=channel.env if channel else {},
            )
            argv = launcher_argv(
                request.limits,
                gpu=request.gpu,
                mode="reap",
                cgroup_procs=group.procs_files if group else (),
            ) + list(request.argv)
            outcome = supervise(
                argv,
                env=env,
                cwd=tree,
                limits=request.limits,
                audit_read=channel.read_fd if channel else None,
            )
            if group:
                group.kill_all()
            return audit.finish(outcome, request, cgroup_oom=bool(group and group.oom_killed()))
        finally:
            if channel:
                channel.close()
            if group:
                group.remove()
            shutil.rmtree(scratch, ignore_errors=True)
