"""Executors run the measurements of a run with `[run] workers` above one (docs/scale-out.md)."""

from __future__ import annotations

from collections.abc import Sequence

from agentos.executors.base import Done, Executor, Job, pack, run_job
from agentos.task import Task


def open_executor(task: Task, devices: Sequence[str] | None = None) -> Executor:
    """The executor `task` asks for (`[executor] kind`), sized by `[run] workers`; `devices`
    replaces the machine's GPU list (tests, and a host that shares out its GPUs itself)."""
    s = task.scale
    if s.executor == "ray":
        from agentos.executors.ray import RayExecutor

        return RayExecutor(
            s.workers, address=s.address, gpus=s.gpus, per_gpu=s.per_gpu, devices=devices
        )
    from agentos.executors.local import LocalExecutor

    return LocalExecutor(s.workers, gpus=s.gpus, per_gpu=s.per_gpu, devices=devices)


__all__ = ["Done", "Executor", "Job", "open_executor", "pack", "run_job"]
