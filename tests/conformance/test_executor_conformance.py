"""Both built-in executors pass the executor conformance suite (`executor_suite`)."""

from __future__ import annotations

import secrets
import time
from pathlib import Path

import pytest
from executor_suite import assert_executor_conforms, marked_pids

from agentos.executors.local import LocalExecutor
from agentos.executors.ray import RayExecutor


def test_local_executor_conforms(tmp_path: Path) -> None:
    assert_executor_conforms(LocalExecutor, tmp_path)


def test_ray_executor_conforms(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mark = secrets.token_hex(8)
    monkeypatch.setenv("AGENTOS_TEST_MARK", mark)  # the local Ray's processes inherit it
    assert_executor_conforms(RayExecutor, tmp_path)
    deadline = time.monotonic() + 20  # the Ray started for it is stopped with it
    while marked_pids(mark) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not marked_pids(mark), "a Ray process outlived close()"
