"""The Ray executor (`[executor] kind = "ray"`, the optional extra `agentos[ray]`): each job is a
Ray task running `run_job` on whichever node has a free CPU (and, with `[sandbox] gpus`, GPUs:
Ray's `num_gpus`, the devices Ray gave the task being the ones its sandbox sees).

With `address`, the run joins that cluster, whose nodes must have agentos, the task's Python and a
sandbox (docs/scale-out.md); without one, a Ray of this machine is started for the run (no
dashboard, Ray's token authentication on) and stopped at its end. Ray 2.60 offers no way to keep
its own servers on loopback: it turns 127.0.0.1 into the machine's address and listens on every
interface, so what guards them is the token. Its processes share the driver's fate: a
`kill -9` of agentos takes them down too. The start-up is timed (`startup_s`).
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Sequence
from typing import Any

from agentos.errors import UserError
from agentos.executors.base import Done, Job, run_job
from agentos.sandbox import gpus as gpu_mod

log = logging.getLogger(__name__)


def _remote_job(job: Job, gpus: int) -> tuple[Any, tuple[str, ...] | None]:
    """Runs on a Ray worker: the job, with the GPUs Ray assigned the task."""
    import ray

    devices = tuple(str(int(g)) for g in ray.get_gpu_ids()) if gpus else None
    with gpu_mod.assigning(devices):
        return run_job(job), devices


def _warm() -> None:
    """Runs on a Ray worker: hold it a moment, with the modules a job needs imported."""
    time.sleep(0.5)


class RayExecutor:
    kind = "ray"

    def __init__(
        self,
        workers: int,
        *,
        address: str | None = None,
        gpus: int = 0,
        per_gpu: int = 1,
        devices: Sequence[str] | None = None,
    ):
        try:
            import ray
        except ImportError as exc:
            raise UserError(
                '[executor] kind = "ray" needs Ray, which is not installed',
                fix="pip install 'agentos[ray]'",
            ) from exc
        self._ray = ray
        self.capacity = workers
        self._gpus = gpus
        t0 = time.monotonic()
        self._started = not ray.is_initialized()
        if self._started:
            options: dict[str, Any] = {
                "include_dashboard": False,
                "log_to_driver": False,
                "configure_logging": False,
                "ignore_reinit_error": True,
            }
            if address:
                ray.init(address=address, **options)
            else:
                found = gpu_mod.machine_gpus() if devices is None else list(devices)
                ray.init(
                    num_cpus=workers,
                    num_gpus=len(found) if gpus else 0,
                    **options,
                )
        resources: dict[str, Any] = {"num_cpus": 1, "max_retries": 0}
        if gpus:
            resources["num_gpus"] = gpus if per_gpu == 1 else gpus / per_gpu
        self._remote = ray.remote(**resources)(_remote_job)
        # start every worker process now (each imports agentos once), not during the first jobs
        warm = ray.remote(num_cpus=1)(_warm)
        ray.get([warm.remote() for _ in range(workers)])
        self.startup_s = time.monotonic() - t0
        log.info("ray executor ready in %.2f s (%s)", self.startup_s, address or "local")
        self._refs: dict[Any, str] = {}
        self._done: list[Done] = []

    def submit(self, job: Job) -> None:
        self._refs[self._remote.remote(job, self._gpus)] = job.key

    def wait(self, timeout: float | None = None) -> list[Done]:
        ray = self._ray
        if self._refs and not self._done:
            ray.wait(list(self._refs), num_returns=1, timeout=timeout)
        if self._refs:
            ready, _ = ray.wait(list(self._refs), num_returns=len(self._refs), timeout=0)
            for ref in ready:
                key = self._refs.pop(ref)
                try:
                    measurement, devices = ray.get(ref)
                    self._done.append(Done(key, measurement, devices=devices))
                except Exception as exc:  # the task died or was cancelled: no measurement
                    self._done.append(Done(key, None, error=f"ray: {type(exc).__name__}"))
        out, self._done = self._done, []
        return out

    def pending(self) -> set[str]:
        return set(self._refs.values()) | {d.key for d in self._done}

    def cancel(self, key: str) -> None:
        for ref, k in list(self._refs.items()):
            if k == key:
                self._ray.cancel(ref, force=True)

    def close(self) -> None:
        for ref in list(self._refs):
            self._ray.cancel(ref, force=True)
        self._refs.clear()
        self._done.clear()
        if self._started:
            self._ray.shutdown()


def ray_session_pids() -> list[int]:
    """The processes of local Rays of this user (for a check that none outlived its run)."""
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as fh:
                cmd = fh.read()
        except OSError:
            continue
        if b"ray/core/src/ray" in cmd or b"raylet" in cmd or b"gcs_server" in cmd:
            out.append(int(entry))
    return out
