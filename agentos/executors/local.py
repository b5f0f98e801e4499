"""The local executor: a pool of worker threads on this machine, each running one job's sandboxed
metric process at a time (the default, `[executor] kind = "local"`).

The work happens in the sandbox's own processes, so threads are enough: a worker only writes the
snapshot, hashes it and waits. With `[sandbox] gpus`, a job first takes its devices from a
`DevicePool` (waiting while none is free) and runs with them as its own. Each job runs inside
`supervise.cancelling` with an event of its own: `cancel` sets it, and the job's sandboxed process
is killed at once (the worker is free again within a fraction of a second).
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor

from agentos.executors.base import Done, Job, run_job
from agentos.sandbox import gpus as gpu_mod
from agentos.sandbox.gpus import DevicePool
from agentos.sandbox.supervise import Cancelled, cancelling


class LocalExecutor:
    kind = "local"

    def __init__(
        self,
        workers: int,
        *,
        gpus: int = 0,
        per_gpu: int = 1,
        devices: Sequence[str] | None = None,
    ):
        t0 = time.monotonic()
        self.capacity = workers
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="agentos-worker")
        self._devices = (
            DevicePool(gpu_mod.machine_gpus() if devices is None else devices, gpus, per_gpu)
            if gpus
            else None
        )
        self._done: queue.Queue[Done] = queue.Queue()
        self._futures: dict[str, Future[None]] = {}
        self._stops: dict[str, threading.Event] = {}  # the jobs submitted and not yet ended
        self._lock = threading.Lock()
        self.startup_s = time.monotonic() - t0

    def submit(self, job: Job) -> None:
        with self._lock:
            stop = self._stops[job.key] = threading.Event()
            self._futures[job.key] = self._pool.submit(self._run, job, stop)

    def _run(self, job: Job, stop: threading.Event) -> None:
        try:
            if stop.is_set():
                return
            with cancelling(stop):
                if self._devices is None:
                    done = Done(job.key, run_job(job))
                else:
                    with self._devices.held() as devices:
                        done = Done(job.key, run_job(job), devices=devices)
        except Cancelled:
            return
        except Exception as exc:  # the worker failed, not the metric: the job has no result
            done = Done(job.key, None, error=f"worker failed: {type(exc).__name__}: {exc}")
        finally:
            with self._lock:
                if self._stops.get(job.key) is stop:
                    del self._stops[job.key]
        if not stop.is_set():
            self._done.put(done)

    def wait(self, timeout: float | None = None) -> list[Done]:
        out: list[Done] = []
        if self._done.empty() and self.pending():
            try:
                out.append(self._done.get(timeout=timeout))
            except queue.Empty:
                return []
        while True:
            try:
                out.append(self._done.get_nowait())
            except queue.Empty:
                break
        with self._lock:
            for d in out:
                self._futures.pop(d.key, None)
        return out

    def pending(self) -> set[str]:
        with self._lock:
            return set(self._futures)

    def cancel(self, key: str) -> None:
        """A queued job never starts; a running one has its sandboxed process killed (it ends as
        at its time limit, within `supervise.CANCEL_POLL` s) and its result is dropped. A job that
        already ended comes back with its result."""
        with self._lock:
            stop = self._stops.get(key)
            if stop is None or stop.is_set():
                return
            stop.set()
            self._futures[key].cancel()
        self._done.put(Done(key, None, error="cancelled"))

    def close(self) -> None:
        for key in self.pending():
            self.cancel(key)
        with self._lock:
            self._futures.clear()
        self._pool.shutdown(wait=False, cancel_futures=True)
