"""One sandboxed run's resources and its common end, shared by the built-in backends.

Every backend runs a command the same way around its own isolation: a scratch directory, a cgroup
with the run's memory and pids limits where one is delegated, the audit channel when the request
asks for one; then `supervise`, killing whatever is left in the cgroup, and `audit.finish`; and in
every case (an error included) the channel closed, the cgroup removed and the scratch deleted.
`run_scope` owns that; a backend adds only how it builds its command line.
"""

from __future__ import annotations

import os
import shutil
import signal
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from agentos.sandbox import audit, cgroup
from agentos.sandbox.base import RunRequest, RunResult, Sandbox
from agentos.sandbox.supervise import LauncherKind, supervise
from agentos.scratch import scratch


@dataclass
class RunScope:
    """The resources of one run; `channel` is set by `open_audit`."""

    request: RunRequest
    scratch: Path
    group: cgroup.Cgroup | None
    channel: audit.Channel | None = field(default=None)

    @property
    def cgroup_procs(self) -> tuple[str, ...]:
        """The cgroup's `cgroup.procs` files for the launcher to join (none without a cgroup)."""
        return self.group.procs_files if self.group else ()

    def open_audit(self, *, tree: str, site_path: str | None = None) -> audit.Channel | None:
        """Open the audit channel under the scratch when the request asks for one."""
        if self.request.audit:
            self.channel = audit.open_channel(
                self.scratch / "audit", tree=tree, site_path=site_path
            )
        return self.channel

    def working_tree(self, *, owner: tuple[int, int] | None = None) -> Path:
        """The folder the command runs in: the snapshot, or with `request.work` a copy of it made
        there (owned by `owner`, a uid and gid, when given) that the command may write."""
        tree = self.request.tree.resolve()
        work = self.request.work
        if work is None:
            return tree
        work = work.resolve()
        shutil.copytree(tree, work, symlinks=True, dirs_exist_ok=True)
        if owner is not None:
            os.lchown(work, *owner)
            for folder, dirs, files in os.walk(work):
                for name in dirs + files:
                    os.lchown(os.path.join(folder, name), *owner)
        return work

    def finish(
        self,
        argv: Sequence[str],
        *,
        env: Mapping[str, str],
        cwd: Path,
        stop_signal: int = signal.SIGTERM,
    ) -> RunResult:
        """Supervise `argv` to its end, kill what is left in the cgroup, and read the result."""
        outcome = supervise(
            argv,
            env=env,
            cwd=cwd,
            limits=self.request.limits,
            audit_read=self.channel.read_fd if self.channel else None,
            stop_signal=stop_signal,
        )
        if self.group:
            self.group.kill_all()
        oom = bool(self.group and self.group.oom_killed())
        return audit.finish(outcome, self.request, cgroup_oom=oom)


class IsolatingSandbox(Sandbox):
    """A namespaced backend (a security boundary) started through the launcher chain."""

    security_boundary = True

    def __init__(self, *, launcher: LauncherKind = "auto") -> None:
        """`launcher="python"` forces the Python launcher instead of the faster tool chain."""
        self.launcher: LauncherKind = launcher


@contextmanager
def run_scope(request: RunRequest, *, kind: str) -> Iterator[RunScope]:
    """A scratch directory `agentos-KIND-...` (the backend's name) and the run's cgroup,
    released on the way out."""
    with scratch(kind) as folder:
        scope = RunScope(request, folder, cgroup.create(request.limits))
        try:
            yield scope
        finally:
            if scope.channel:
                scope.channel.close()
            if scope.group:
                scope.group.remove()
