"""The Ray executor (`[executor] kind = "ray"`, the optional extra `agentos[ray]`): each job is a
Ray task running `run_job` on whichever node has a free CPU (and, with `[sandbox] gpus`, GPUs:
Ray's `num_gpus`, the devices Ray gave the task being the ones its sandbox sees).

With `address`, the run joins that cluster, whose nodes must have agentos, the task's Python and a
sandbox (docs/scale-out.md); without one, a Ray of this machine is started for the run (no
dashboard, Ray's token authentication on, every server it starts listening on loopback only) and
stopped at its end; a small watcher process kills every process of that Ray (they carry a mark in
their environment) once the driver is gone, even after a `kill -9`, and whatever `ray.shutdown()`
left behind.

Ray turns a node address of 127.0.0.1 into the machine's own address and then listens on every
interface, unless it is told that this is not a cluster (what it does on macOS and Windows): the
environment variable `RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0`, inherited by the processes Ray starts,
and the same switch in the driver, whose copy Ray read when it was imported (`_loopback`).

Ray's own fate sharing is not enough: its dashboard and runtime-env agents were seen outliving a
killed driver for minutes. Its processes share the driver's fate: a
The start-up is timed (`startup_s`).
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
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


MARK = "AGENTOS_RAY_RUN"  # in the environment of every process of a Ray started for a run

# Waits while its parent (the driver) lives; then, or when told to stop, kills every process whose
# environment holds the mark, or the node id the driver wrote to the file named (Ray starts some
# agents with an environment of its own), round after round until four in a row find none (an
# agent may start late, after the driver is gone), for at most 30 s.
_WATCHER = r"""
import os, signal, sys, time
mark, parent, ids = sys.argv[1].encode(), int(sys.argv[2]), sys.argv[3]
def reap(*_):
    try:
        with open(ids, "rb") as fh:
            marks = {mark, *fh.read().split()}
    except OSError:
        marks = {mark}
    quiet = 0
    for _ in range(60):  # until four rounds in a row find none (an agent may start late), <= 30 s
        found = 0
        for e in os.listdir("/proc"):
            try:
                with open(f"/proc/{e}/environ", "rb") as fh:
                    if e.isdigit() and marks & set(fh.read().split(b"\0")):
                        os.kill(int(e), signal.SIGKILL)
                        found += 1
            except OSError:
                pass
        quiet = 0 if found else quiet + 1
        if quiet >= 4:
            break
        time.sleep(0.5)
    os._exit(0)
signal.signal(signal.SIGTERM, reap)
while os.getppid() == parent:
    time.sleep(0.5)
reap()
"""


def _watch(mark: str, ids: str) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if k != MARK}
    return subprocess.Popen(
        [sys.executable, "-I", "-S", "-c", _WATCHER, f"{MARK}={mark}", str(os.getpid()), ids],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


_NOT_A_CLUSTER = "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"


@contextlib.contextmanager
def _loopback(ray: Any) -> Iterator[None]:
    """While a local Ray starts: every server it starts binds 127.0.0.1 (module docstring). Ray
    reads the switch from the environment when imported; the driver's copy is set for the start
    and both are restored after it, so a later Ray that joins a cluster is not affected."""
    from ray._private import ray_constants

    before_env, before = os.environ.get(_NOT_A_CLUSTER), ray_constants.ENABLE_RAY_CLUSTER
    os.environ[_NOT_A_CLUSTER] = "0"
    ray_constants.ENABLE_RAY_CLUSTER = False
    try:
        yield
    finally:
        ray_constants.ENABLE_RAY_CLUSTER = before
        if before_env is None:
            del os.environ[_NOT_A_CLUSTER]
        else:
            os.environ[_NOT_A_CLUSTER] = before_env


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
        self._watcher: subprocess.Popen[bytes] | None = None
        self._ids = ""
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
                mark = secrets.token_hex(8)
                fd, self._ids = tempfile.mkstemp(prefix="agentos-ray-")
                os.close(fd)
                self._watcher = _watch(mark, self._ids)
                os.environ[MARK] = mark  # inherited by the Ray processes started here
                try:
                    with _loopback(ray):
                        ray.init(num_cpus=workers, num_gpus=len(found) if gpus else 0, **options)
                finally:
                    del os.environ[MARK]
                node = ray.get_runtime_context().get_node_id()
                Path(self._ids).write_text(f"RAY_NODE_ID={node}\n")
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
        """As the local executor's: a job that already ended comes back with its result; any other
        is killed and comes back at once with an error (Ray's own cancel can lose the race with a
        task being handed to its worker, so the result is dropped here, not left to Ray)."""
        for ref, k in list(self._refs.items()):
            if k != key:
                continue
            ready, _ = self._ray.wait([ref], timeout=0)
            if ready:
                return
            self._ray.cancel(ref, force=True)
            del self._refs[ref]
            self._done.append(Done(key, None, error="cancelled"))

    def close(self) -> None:
        for ref in list(self._refs):
            self._ray.cancel(ref, force=True)
        self._refs.clear()
        self._done.clear()
        if self._started:
            self._ray.shutdown()
        if self._watcher is not None:  # and whatever shutdown left
            self._watcher.terminate()
            self._watcher.wait(timeout=30)
            self._watcher = None
            Path(self._ids).unlink(missing_ok=True)
