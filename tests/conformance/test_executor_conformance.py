"""Both built-in executors pass the executor conformance suite (`executor_suite`)."""

from __future__ import annotations

from pathlib import Path

from executor_suite import assert_executor_conforms

from agentos.executors.local import LocalExecutor
from agentos.executors.ray import RayExecutor, ray_session_pids


def test_local_executor_conforms(tmp_path: Path) -> None:
    assert_executor_conforms(LocalExecutor, tmp_path)


def test_ray_executor_conforms(tmp_path: Path) -> None:
    before = set(ray_session_pids())
    assert_executor_conforms(RayExecutor, tmp_path)
    # the Ray started for it is stopped with it
    import time

    deadline = time.monotonic() + 20
    while set(ray_session_pids()) - before and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not set(ray_session_pids()) - before, "a Ray process outlived close()"
