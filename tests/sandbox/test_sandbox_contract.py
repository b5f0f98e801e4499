"""The contract every backend keeps (RELIABILITY.md A and C), `local` included."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
import uuid
from pathlib import Path

import pytest
from sandbox_helpers import Runner, alive_with

from agentos.errors import UserError
from agentos.sandbox import Limits, RunRequest, Sandbox, cgroup


def test_exit_code_output_and_cleared_environment(
    run: Runner, output: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTHONPATH", "/evil")
    monkeypatch.setenv("LD_PRELOAD", "/evil.so")
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-secret")
    code = """
import os, sys, config
print(sorted(os.environ))
print(config.VALUE)
open(os.path.join(os.environ["AGENTOS_OUTPUT"], "result"), "w").write("ok")
sys.stderr.write("to stderr")
sys.exit(3)
"""
    result = run(code, env={"SEED": "7"})
    assert result.exit_code == 3 and not result.timed_out and not result.oom
    names = eval(result.stdout.splitlines()[0])  # a list literal printed by the child
    assert {"PYTHONPATH", "LD_PRELOAD", "ANTHROPIC_API_KEY"}.isdisjoint(names)
    assert {"PATH", "HOME", "TMPDIR", "AGENTOS_OUTPUT", "SEED"} <= set(names)
    assert result.stdout.splitlines()[1] == "42"
    assert "candidate sitecustomize ran" not in result.stdout
    assert result.stderr == "to stderr"
    assert (output / "result").read_text() == "ok"


def test_the_interpreter_comes_first_on_path(run: Runner) -> None:
    result = run("import os; print(os.environ['PATH'].split(':')[0])")
    assert result.stdout.strip() == os.path.dirname(os.path.abspath(sys.executable))


@pytest.mark.parametrize(
    "name",
    [
        "LD_PRELOAD",
        "PYTHONPATH",
        "PYTHONSTARTUP",
        "PYTHONPYCACHEPREFIX",
        "PYTHONDONTWRITEBYTECODE",
        "PATH",
    ],
)
def test_a_request_cannot_set_loader_variables(run: Runner, name: str) -> None:
    with pytest.raises(UserError, match=name):
        run("pass", env={name: "/x"})


def test_infinite_loop_times_out_and_the_next_run_works(run: Runner) -> None:
    start = time.monotonic()
    result = run("while True: pass", wall_seconds=1.0)
    assert result.timed_out and result.exit_code is None and not result.oom
    assert time.monotonic() - start < 1.0 + 3
    assert run("print('again')").stdout == "again\n"


def test_memory_hog_is_oom(run: Runner) -> None:
    result = run("x = bytearray(4 << 30)\nprint('allocated')", memory_bytes=512 << 20)
    assert result.oom and result.exit_code is None and not result.timed_out
    assert "allocated" not in result.stdout


def test_output_flood_is_truncated(run: Runner) -> None:
    result = run(
        "import sys\nfor _ in range(2000): sys.stdout.write('x' * 10000)", output_bytes=100_000
    )
    assert result.truncated and result.exit_code == 0
    assert len(result.stdout) == 100_000


def test_disk_filler_is_stopped_at_the_file_size_limit(run: Runner, output: Path) -> None:
    code = """
import os
path = os.path.join(os.environ["AGENTOS_OUTPUT"], "big")
try:
    with open(path, "wb") as fh:
        for _ in range(64): fh.write(b"0" * (1 << 20))
except OSError as err:
    print("stopped", err.errno)
"""
    result = run(code, file_size_bytes=4 << 20)
    assert "stopped" in result.stdout
    assert (output / "big").stat().st_size <= 4 << 20


def test_fd_exhaustion_is_contained(run: Runner) -> None:
    code = """
import os
fds = []
try:
    while len(fds) < 100000: fds.append(os.open("/dev/null", os.O_RDONLY))
except OSError as err:
    print(len(fds), err.errno)
"""
    result = run(code, open_files=64)
    count, errno_ = map(int, result.stdout.split())
    assert count < 64 and errno_ == 24  # EMFILE
    assert result.exit_code == 0


def test_setsid_grandchild_is_dead_after_return(run: Runner) -> None:
    marker = f"agentos-test-{uuid.uuid4().hex}"
    code = f"""
import subprocess
subprocess.Popen(["sh", "-c", "sleep 1000; : {marker}"], start_new_session=True)
subprocess.Popen(["sh", "-c", "sleep 1000; : {marker}"])
print("spawned")
"""
    result = run(code)
    assert result.stdout == "spawned\n"
    assert alive_with(marker) == []


def test_bounded_fork_bomb_is_capped_and_reaped(run: Runner) -> None:
    marker = f"agentos-test-{uuid.uuid4().hex}"
    code = f"""
import subprocess
made = []
try:
    for _ in range(150):
        made.append(subprocess.Popen(["sh", "-c", "sleep 1000; : {marker}"]))
except OSError as err:
    pass
print(sum(p.poll() is None for p in made))
"""
    result = run(code, pids=40)
    if cgroup.create(Limits()) is not None:  # caps hold for root only through a pids cgroup
        # at most 40 at once: a shell that cannot fork its sleep exits and frees its slot
        assert int(result.stdout) < 40
    assert alive_with(marker) == []


def test_orchestrator_kill_9_kills_the_child(backend: Sandbox, tree: Path, output: Path) -> None:
    marker = f"agentos-test-{uuid.uuid4().hex}"
    script = textwrap.dedent(f"""
        from pathlib import Path
        from agentos.sandbox import RunRequest, get_backend
        get_backend({backend.name!r}).run(RunRequest(
            argv=("python", "-c", "import time; time.sleep(1000)  # {marker}"),
            tree=Path({str(tree)!r}), output=Path({str(output)!r})))
    """)
    orchestrator = subprocess.Popen([sys.executable, "-c", script])
    try:
        deadline = time.monotonic() + 15
        while not alive_with(marker):
            assert time.monotonic() < deadline, "the sandboxed child never started"
            time.sleep(0.05)
    finally:
        orchestrator.kill()
        orchestrator.wait()
    deadline = time.monotonic() + 5
    while alive_with(marker) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert alive_with(marker) == []


def test_missing_argv0_is_a_result_not_a_hang(backend: Sandbox, tree: Path, output: Path) -> None:
    result = backend.run(RunRequest(argv=("no-such-program-here",), tree=tree, output=output))
    assert result.exit_code not in (0, None)
