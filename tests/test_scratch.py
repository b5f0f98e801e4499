"""Scratch folders a killed agentos left behind are swept; a live run's never are."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from agentos.scratch import MIN_AGE, drain, scratch, sweep

HOLD = """
import sys, time
from agentos.scratch import scratch
with scratch(sys.argv[1], dir=sys.argv[2]) as path:
    (path / "tree").mkdir()
    (path / "tree" / "f.py").write_text("x = 1\\n")
    (path / "tree").chmod(0o500)  # a run may leave a folder read-only
    print(path, flush=True)
    time.sleep(120)
"""


def _holder(kind: str, where: Path) -> tuple[subprocess.Popen[str], Path]:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, kind, str(where)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    return proc, Path(proc.stdout.readline().strip())


def _age(path: Path) -> None:
    old = time.time() - MIN_AGE - 5
    os.utime(path, (old, old))


def test_a_killed_process_folder_is_swept_and_a_live_one_is_kept(tmp_path: Path) -> None:
    dead, dead_path = _holder("snap", tmp_path)
    live, live_path = _holder("local", tmp_path)
    try:
        dead.send_signal(signal.SIGKILL)
        dead.wait()
        young = tmp_path / "agentos-snap-young"
        young.mkdir()  # unlocked but just made: it may be between creation and its lock
        other = tmp_path / "agentos-demo-quickstart-x"  # not a scratch kind
        other.mkdir()
        for path in (dead_path, live_path, other):
            _age(path)
        assert dead_path.is_dir()
        assert sweep([tmp_path, str(tmp_path)]) == [dead_path]
        assert not dead_path.exists()
        assert live_path.is_dir() and young.is_dir() and other.is_dir()
    finally:
        live.kill()
        live.wait()


def test_scratch_removes_its_folder_on_the_way_out_even_after_an_error(tmp_path: Path) -> None:
    try:
        with scratch("out", dir=tmp_path) as path:
            (path / "sub").mkdir()
            (path / "sub").chmod(0o500)
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    assert not path.exists() and list(tmp_path.iterdir()) == []


def test_later_removal_keeps_at_most_one_pending_and_drain_waits_for_it(tmp_path: Path) -> None:
    with scratch("snap", dir=tmp_path, later=True) as first:
        (first / "f").write_text("x")
    with scratch("snap", dir=tmp_path, later=True) as second:
        pass
    assert not first.exists()  # waited for before the second removal was handed over
    drain()
    assert not second.exists() and list(tmp_path.iterdir()) == []
