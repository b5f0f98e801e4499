"""The local executor: a pool of worker threads on this machine, each running one job's sandboxed
metric process at a time (the default, `[executor] kind = "local"`).

The work happens in the sandbox's own processes, so threads are enough: a worker only writes the
snapshot, hashes it and waits. With `[sandbox] gpus`, a job first takes its devices from a
`DevicePool` (waiting while none is free) and runs with them as its own.
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
        self._cancelled: set[str] = set()
        self._lock = threading.Lock()
        self.startup_s = time.monotonic() - t0

    def submit(self, job: Job) -> None:
        with self._lock:
            self._futures[job.key] = self._pool.submit(self._run, job)

    def _run(self, job: Job) -> None:
        if job.key in self._cancelled:
            return
        try:
            if self._devices is None:
                done = Done(job.key, run_job(job))
            else:
                with self._devices.held() as devices:
                    done = Done(job.key, run_job(job), devices=devices)
        except Exception as exc:  # the worker failed, not the metric: the job has no result
            done = Done(job.key, None, error=f"worker failed: {type(exc).__name__}: {exc}")
        if job.key not in self._cancelled:
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
        """A queued job never starts; a running one is left to end (its sandbox kills it at its
        time limit) and its result is dropped."""
        with self._lock:
            future = self._futures.get(key)
            if future is None:
                return
            self._cancelled.add(key)
            future.cancel()
        self._done.put(Done(key, None, error="cancelled"))

    def close(self) -> None:
        for key in self.pending():
            self.cancel(key)
        with self._lock:
            self._futures.clear()
        self._pool.shutdown(wait=False, cancel_futures=True)
