"""GPUs for experiments run at once: which devices this machine has, who holds which, and the
devices the current measurement was given (`[sandbox] gpus`, docs/scale-out.md).

A `DevicePool` hands each experiment `gpus` devices of its own, at most `per_gpu` experiments on
one device; an experiment that finds none free waits for one. The executor that runs an
experiment sets `assigned` around it, and the metric's sandbox sees only those devices
(`RunRequest.devices`: their nodes alone bound, `CUDA_VISIBLE_DEVICES` naming them).
"""

from __future__ import annotations

import contextlib
import contextvars
import glob
import os
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator, Sequence

from agentos.errors import UserError

GPUS_ENV = "AGENTOS_GPUS"  # a comma-separated list of GPU indices, in place of discovery

_assigned: contextvars.ContextVar[tuple[str, ...] | None] = contextvars.ContextVar(
    "agentos_gpus", default=None
)


def machine_gpus() -> list[str]:
    """This machine's GPU indices: `$AGENTOS_GPUS` when set, else nvidia-smi's, else the numbered
    `/dev/nvidia<N>` nodes; empty when there is none."""
    chosen = os.environ.get(GPUS_ENV)
    if chosen is not None:
        return [g.strip() for g in chosen.split(",") if g.strip()]
    if shutil.which("nvidia-smi"):
        try:
            out = subprocess.run(
                ["nvidia-smi", "--query-gpu=index", "--format=csv,noheader"],
                capture_output=True,
                text=True,
                timeout=30,
                check=True,
            ).stdout
            return [line.strip() for line in out.splitlines() if line.strip()]
        except (OSError, subprocess.SubprocessError):
            pass
    nodes = (n[len("/dev/nvidia") :] for n in glob.glob("/dev/nvidia*"))
    return sorted((n for n in nodes if re.fullmatch(r"\d+", n)), key=int)


def assigned() -> tuple[str, ...] | None:
    """The GPUs the measurement running in this context was given; None when it was given none
    (the sandbox then binds every GPU to a task that asks for one, as with one experiment)."""
    return _assigned.get()


@contextlib.contextmanager
def assigning(devices: Sequence[str] | None) -> Iterator[None]:
    """Run the body with `devices` as the current measurement's GPUs."""
    token = _assigned.set(tuple(devices) if devices is not None else None)
    try:
        yield
    finally:
        _assigned.reset(token)


class DevicePool:
    """`devices` shared by experiments: each `take` gets `count` distinct devices with room (at most
    `per_gpu` holders each), waiting until enough are free."""

    def __init__(self, devices: Sequence[str], count: int, per_gpu: int = 1):
        if count > len(devices):
            raise UserError(
                f"[sandbox] gpus = {count} but this machine has {len(devices)} GPU(s)",
                fix=f"set [sandbox] gpus to at most {len(devices)}, or run on a machine with more",
            )
        self.count = count
        self.per_gpu = per_gpu
        self._holders = {d: 0 for d in devices}
        self._cond = threading.Condition()

    @property
    def slots(self) -> int:
        """How many experiments can hold devices at once."""
        return len(self._holders) * self.per_gpu // max(1, self.count) if self.count else 0

    def take(self) -> tuple[str, ...]:
        with self._cond:
            while True:
                free = [d for d, n in self._holders.items() if n < self.per_gpu]
                if len(free) >= self.count:  # the least used first, then by index
                    chosen = sorted(free, key=lambda d: self._holders[d])[: self.count]
                    for d in chosen:
                        self._holders[d] += 1
                    return tuple(chosen)
                self._cond.wait()

    def give(self, devices: Sequence[str]) -> None:
        with self._cond:
            for d in devices:
                self._holders[d] -= 1
            self._cond.notify_all()

    @contextlib.contextmanager
    def held(self) -> Iterator[tuple[str, ...]]:
        devices = self.take()
        try:
            with assigning(devices):
                yield devices
        finally:
            self.give(devices)
