"""Landlock in the `unshare` backend: writes only under the output, /tmp and the allowed files.

Skipped, with the kernel's reason, where Landlock is absent."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from agentos.sandbox import RunRequest, confine
from agentos.sandboxes.unshare import UnshareSandbox, landlock_missing

needs_landlock = pytest.mark.skipif(
    confine.why_missing() is not None, reason=str(confine.why_missing())
)
SCRIPT = str(Path(confine.__file__))
NEW_USERNS = """
import ctypes, os, signal, sys
libc = ctypes.CDLL(None, use_errno=True)
if sys.argv[1] == "unshare":
    done = libc.unshare(0x10000000)
else:
    clone = {"x86_64": 56, "aarch64": 220}[os.uname().machine]
    done = libc.syscall(clone, 0x10000000 | signal.SIGCHLD, 0, 0, 0, 0)
    if done == 0:
        os._exit(0)
    if done > 0:
        os.waitpid(done, 0)
print("made" if done >= 0 else os.strerror(ctypes.get_errno()))
"""


def confined(
    dirs: list[Path], argv: list[str], *options: str
) -> subprocess.CompletedProcess[str]:
    head = [sys.executable, "-I", "-S", "-B", SCRIPT, *options, *(f"--dir={d}" for d in dirs)]
    return subprocess.run([*head, "--", *argv], capture_output=True, text=True)


@pytest.mark.parametrize("call", ["unshare", "clone"])
def test_the_seccomp_filter_refuses_new_user_namespaces_and_nothing_else(call: str) -> None:
    free = subprocess.run(
        [sys.executable, "-c", NEW_USERNS, call], capture_output=True, text=True
    )
    if free.stdout.strip() != "made":
        pytest.skip(f"this host refuses user namespaces already: {free.stdout}{free.stderr}")
    done = confined([], [sys.executable, "-c", NEW_USERNS, call], "--no-landlock")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "Operation not permitted"
    threads = "import threading, subprocess; t = threading.Thread(target=print, args=('t',));"
    threads += " t.start(); t.join(); print(subprocess.run(['true']).returncode)"
    ok = confined([], [sys.executable, "-c", threads], "--no-landlock")
    assert (ok.returncode, ok.stdout) == (0, "t\n0\n"), ok.stderr


@needs_landlock
def test_writes_outside_the_rules_are_denied(tmp_path: Path) -> None:
    allowed, other = tmp_path / "allowed", tmp_path / "other"
    allowed.mkdir()
    other.mkdir()
    (other / "existing").write_text("before")
    done = confined(
        [allowed],
        [
            "sh",
            "-c",
            f"echo ok > {allowed}/new; mkdir {allowed}/sub && echo ok > {allowed}/sub/f;"
            f" echo no > {other}/new; echo no > {other}/existing; rm {other}/existing; true",
        ],
    )
    assert done.returncode == 0, done.stderr
    assert (allowed / "new").read_text() == "ok\n" and (allowed / "sub" / "f").exists()
    assert not (other / "new").exists()
    assert (other / "existing").read_text() == "before"
    assert done.stderr.count("Permission denied") >= 3


@needs_landlock
def test_a_rule_that_cannot_be_made_runs_nothing(tmp_path: Path) -> None:
    done = confined([tmp_path / "missing"], ["touch", f"{tmp_path}/ran"])
    assert done.returncode == confine.FAILED
    assert "agentos confine" in done.stderr and not (tmp_path / "ran").exists()


@pytest.fixture
def unshare_box() -> UnshareSandbox:
    why = UnshareSandbox.missing()
    if why is not None:
        pytest.skip(why)
    return UnshareSandbox()


@pytest.mark.parametrize("call", ["unshare", "clone"])
def test_a_command_in_the_unshare_backend_cannot_make_a_user_namespace(
    unshare_box: UnshareSandbox, tmp_path: Path, call: str
) -> None:
    tree, out = tmp_path / "tree", tmp_path / "out"
    tree.mkdir()
    out.mkdir()
    result = unshare_box.run(RunRequest(("python", "-c", NEW_USERNS, call), tree, out))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == "Operation not permitted"


@needs_landlock
def test_the_unshare_backend_runs_its_command_landlocked(
    unshare_box: UnshareSandbox, tmp_path: Path
) -> None:
    assert landlock_missing() is None
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
@needs_landlock
@pytest.mark.skipif(not _has_cuda(), reason="needs CUDA")
def test_cuda_starts_in_a_landlocked_gpu_run(unshare_box: UnshareSandbox, tmp_path: Path) -> None:
    tree, out = tmp_path / "tree", tmp_path / "out"
    tree.mkdir()
    out.mkdir()
    code = "import torch; print(torch.ones(8, device='cuda').sum().item())"
    result = unshare_box.run(RunRequest(("python", "-c", code), tree, out, gpu=True))
    assert result.exit_code == 0, result.stderr[-2000:]
    assert result.stdout == "8.0\n"
