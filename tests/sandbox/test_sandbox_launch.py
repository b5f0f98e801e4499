"""The launch prefix: the tool chain (setpriv, prlimit, sh) and the Python launcher keep the same
guarantees: rlimits, cgroup membership, the parent-death signal and the parent check."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
import uuid
from pathlib import Path

import pytest
from sandbox_helpers import alive_with

from agentos.sandbox import Limits, RunRequest, cgroup
from agentos.sandbox.supervise import LauncherKind, chain_tools, launcher_argv
from agentos.sandboxes.bwrap import BwrapSandbox
from agentos.sandboxes.unshare import UnshareSandbox

KINDS: tuple[LauncherKind, ...] = ("auto", "python")
LIMITS = Limits(open_files=77, file_size_bytes=3 << 20, cpu_seconds=9, memory_bytes=3 << 30)

pytestmark = pytest.mark.skipif(chain_tools() is None, reason="setpriv or prlimit is missing")


def limits_of(text: str) -> dict[str, str]:
    """`/proc/<pid>/limits` as {name: "soft hard"}."""
    found = {}
    for line in text.splitlines()[1:]:
        name, soft, hard = line[:26].strip(), *line[26:].split()[:2]
        found[name] = f"{soft} {hard}"
    return found


@pytest.mark.parametrize("kind", KINDS)
def test_the_prefix_sets_rlimits_and_joins_the_cgroup(kind: LauncherKind) -> None:
    group = cgroup.create(LIMITS)
    try:
        argv = launcher_argv(
            LIMITS, gpu=False, mode="exec", kind=kind,
            cgroup_procs=group.procs_files if group else (),
        )  # fmt: skip
        if kind == "auto":
            assert Path(argv[0]).name == "setpriv"
        script = "cat /proc/self/limits; echo ---; cat /proc/self/cgroup"
        done = subprocess.run([*argv, "sh", "-c", script], capture_output=True, text=True)
    finally:
        if group:
            group.remove()
    assert done.returncode == 0, done.stderr
    limits_text, _, cgroups = done.stdout.partition("---")
    limits = limits_of(limits_text)
    assert limits["Max open files"] == "77 77"
    assert limits["Max file size"] == f"{3 << 20} {3 << 20}"
    assert limits["Max cpu time"] == "9 9"
    assert limits["Max core file size"] == "0 0"
    assert limits["Max address space"] == f"{3 << 30} {3 << 30}"
    if group:
        assert all(d.name in cgroups for d in group.dirs)


def test_no_address_space_limit_on_a_gpu_run() -> None:
    argv = launcher_argv(LIMITS, gpu=True, mode="exec")
    done = subprocess.run([*argv, "cat", "/proc/self/limits"], capture_output=True, text=True)
    assert limits_of(done.stdout)["Max address space"] == "unlimited unlimited"


@pytest.mark.parametrize("kind", KINDS)
def test_a_launch_whose_parent_is_not_the_orchestrator_stops(kind: LauncherKind) -> None:
    """The parent check: a prefix started by someone else (here a forking shell) runs nothing."""
    argv = launcher_argv(Limits(), gpu=False, mode="exec", kind=kind)
    done = subprocess.run(["sh", "-c", '"$@"; exit $?', "sh", *argv, "echo", "ran"],
                          capture_output=True, text=True)  # fmt: skip
    assert done.returncode == 125 and done.stdout == ""


@pytest.mark.parametrize("kind", KINDS)
def test_the_command_dies_with_the_orchestrator(kind: LauncherKind) -> None:
    """kill -9 of the process that built the prefix kills the command (parent-death signal)."""
    marker = f"agentos-test-{uuid.uuid4().hex}"
    script = textwrap.dedent(f"""
        import subprocess, time
        from agentos.sandbox import Limits
        from agentos.sandbox.supervise import launcher_argv
        argv = launcher_argv(Limits(), gpu=False, mode="exec", kind={kind!r})
        subprocess.Popen([*argv, "sh", "-c", "sleep 1000; : {marker}"])
        time.sleep(1000)
    """)
    orchestrator = subprocess.Popen([sys.executable, "-c", script])
    try:
        deadline = time.monotonic() + 15
        while not alive_with(marker):
            assert time.monotonic() < deadline, "the command never started"
            time.sleep(0.02)
    finally:
        orchestrator.kill()
        orchestrator.wait()
    deadline = time.monotonic() + 5
    while alive_with(marker) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert alive_with(marker) == []


@pytest.mark.parametrize("cls", [BwrapSandbox, UnshareSandbox])
@pytest.mark.parametrize("kind", KINDS)
def test_both_launchers_hold_inside_the_namespaced_backends(
    cls: type[BwrapSandbox] | type[UnshareSandbox], kind: LauncherKind, tmp_path: Path
) -> None:
    why = cls.missing()
    if why is not None:
        pytest.skip(why)
    tree, out = tmp_path / "tree", tmp_path / "out"
    tree.mkdir()
    out.mkdir()
    box = cls(launcher=kind)
    result = box.run(RunRequest(("cat", "/proc/self/limits"), tree, out, limits=LIMITS))
    assert result.exit_code == 0, result.stderr
    assert limits_of(result.stdout)["Max open files"] == "77 77"
    assert limits_of(result.stdout)["Max cpu time"] == "9 9"
