"""The `local` backend: a plain subprocess with limits. NOT a security boundary.

It clears the environment, runs in the snapshot (or the run's writable copy of it, when the request
asks for one) with a private HOME and TMPDIR, applies rlimits
(CPU, open files, file size, and address space unless the run uses a GPU), joins a memory and pids
cgroup where one is delegated, enforces the wall clock, caps the output, and kills every descendant
before returning (the launcher is a child subreaper, so even `setsid()` grandchildren are found).
It does not stop the command from reading or writing anything the orchestrator's user can, from
reaching the network, or from signalling other processes. It is used only when named.
"""

from __future__ import annotations

from agentos.sandbox.base import RunRequest, RunResult, Sandbox, register_backend
from agentos.sandbox.scope import run_scope
from agentos.sandbox.supervise import launcher_argv, sandbox_env


@register_backend
class LocalSandbox(Sandbox):
    """Subprocess with rlimits, a timeout and descendant cleanup; chosen only by name."""

    name = "local"
    security_boundary = False

    def run(self, request: RunRequest) -> RunResult:
        with run_scope(request, kind="local") as scope:
            home, tmp = scope.scratch / "home", scope.scratch / "tmp"
            home.mkdir()
            tmp.mkdir()
            tree = scope.working_tree()
            channel = scope.open_audit(tree=str(tree))
            env = sandbox_env(
                request,
                home=str(home),
                tmp=str(tmp),
                output=str(request.output.resolve()),
                tree=str(tree),
                extra=channel.env if channel else {},
            )
            argv = launcher_argv(
                request.limits,
                gpu=request.gpu,
                mode="reap",
                cgroup_procs=scope.cgroup_procs,
            ) + list(request.argv)
            return scope.finish(argv, env=env, cwd=tree)
