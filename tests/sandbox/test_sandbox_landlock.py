"""Landlock in the `unshare` backend: writes only under the output, /tmp and the allowed files.

Skipped, with the kernel's reason, where Landlock is absent."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from agentos.sandbox import RunRequest, landlock
from agentos.sandboxes.unshare import UnshareSandbox, landlock_missing

pytestmark = pytest.mark.skipif(
    landlock.why_missing() is not None, reason=str(landlock.why_missing())
)
SCRIPT = str(Path(landlock.__file__))


def confined(dirs: list[Path], command: str) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-I", "-S", "-B", SCRIPT, *(f"--dir={d}" for d in dirs), "--"]
    return subprocess.run([*argv, "sh", "-c", command], capture_output=True, text=True)


def test_writes_outside_the_rules_are_denied(tmp_path: Path) -> None:
    allowed, other = tmp_path / "allowed", tmp_path / "other"
    allowed.mkdir()
    other.mkdir()
    (other / "existing").write_text("before")
    done = confined(
        [allowed],
        f"echo ok > {allowed}/new; mkdir {allowed}/sub && echo ok > {allowed}/sub/f;"
        f" echo no > {other}/new; echo no > {other}/existing; rm {other}/existing; true",
    )
    assert done.returncode == 0, done.stderr
    assert (allowed / "new").read_text() == "ok\n" and (allowed / "sub" / "f").exists()
    assert not (other / "new").exists()
    assert (other / "existing").read_text() == "before"
    assert done.stderr.count("Permission denied") >= 3


def test_a_rule_that_cannot_be_made_runs_nothing(tmp_path: Path) -> None:
    done = confined([tmp_path / "missing"], f"touch {tmp_path}/ran")
    assert done.returncode == landlock.FAILED
    assert "agentos landlock" in done.stderr and not (tmp_path / "ran").exists()


@pytest.fixture
def unshare_box() -> UnshareSandbox:
    why = UnshareSandbox.missing()
    if why is not None:
        pytest.skip(why)
    assert landlock_missing() is None
    return UnshareSandbox()


def test_the_unshare_backend_runs_its_command_landlocked(
    unshare_box: UnshareSandbox, tmp_path: Path
) -> None:
    tree, out = tmp_path / "tree", tmp_path / "out"
    tree.mkdir()
    out.mkdir()
    (tree / "config.py").write_text("VALUE = 1\n")
    code = """
import os, config
for path in ("/sandbox/output/a", "/tmp/a", "/tmp/home/a", "/dev/shm/a", "/dev/null"):
    open(path, "w").write("x")
try:  # writable by the mounts (procfs, our own process), but not by the Landlock rules
    open("/proc/self/comm", "w").write("renamed")
    print("comm written")
except PermissionError:
    print("denied")
"""
    result = unshare_box.run(RunRequest(("python", "-c", code), tree, out, audit=True))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "denied\n"
    assert (out / "a").read_text() == "x"
    assert result.audit_problems == () and result.reads is not None and "config.py" in result.reads


def _has_cuda() -> bool:
    try:
        import torch
    except ImportError:
        return False
    return bool(torch.cuda.is_available())


@pytest.mark.gpu
@pytest.mark.skipif(not _has_cuda(), reason="needs CUDA")
def test_cuda_starts_in_a_landlocked_gpu_run(unshare_box: UnshareSandbox, tmp_path: Path) -> None:
    tree, out = tmp_path / "tree", tmp_path / "out"
    tree.mkdir()
    out.mkdir()
    code = "import torch; print(torch.ones(8, device='cuda').sum().item())"
    result = unshare_box.run(RunRequest(("python", "-c", code), tree, out, gpu=True))
    assert result.exit_code == 0, result.stderr[-2000:]
    assert result.stdout == "8.0\n"
