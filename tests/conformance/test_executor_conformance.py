"""Both built-in executors pass the executor conformance suite (`executor_suite`)."""

from __future__ import annotations

import os
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


def _listening(pids: set[int]) -> list[str]:
    """The local addresses (hex, as /proc/net writes them) that these processes listen on."""
    inodes: set[str] = set()
    for pid in pids:
        try:
            links = [os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")]
        except OSError:
            continue
        inodes |= {link[8:-1] for link in links if link.startswith("socket:[")}
    out = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            cols = line.split()
            if cols[3] == "0A" and cols[9] in inodes:  # 0A: LISTEN
                out.append(cols[1].split(":")[0])
    return out


def _loopback(addr: str) -> bool:
    if len(addr) == 8:  # IPv4, little-endian: 127.x.x.x ends in 7F
        return addr.endswith("7F")
    mapped_v4 = addr[:24] == "0" * 16 + "FFFF0000"
    return addr == "0" * 24 + "01000000" or (mapped_v4 and addr.endswith("7F"))


def test_a_local_ray_listens_on_loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    mark = secrets.token_hex(8)
    monkeypatch.setenv("AGENTOS_TEST_MARK", mark)
    ex = RayExecutor(1)
    try:
        addresses = _listening({os.getpid(), *marked_pids(mark)})
    finally:
        ex.close()
    assert len(addresses) >= 3, addresses  # the GCS, the raylet and a worker at least
    assert all(_loopback(a) for a in addresses), addresses
    assert os.environ.get("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER") is None  # restored after the start
