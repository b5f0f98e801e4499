"""Escapes that must fail inside the isolating backends (RELIABILITY.md A, B and D).

Each test runs a small Python program inside the sandbox that tries the escape and prints what
happened; the assertion is on the host's side.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sandbox_helpers import Runner

from agentos.sandbox.interpreter import own

ATTEMPT = """
import os, subprocess, sys
def attempt(label, fn):
    try:
        fn(); print(label, "SUCCEEDED")
    except Exception as err:
        print(label, "failed", type(err).__name__)
"""


def outcomes(stdout: str) -> dict[str, str]:
    return {line.split()[0]: line.split()[1] for line in stdout.splitlines() if line.strip()}


def test_writes_outside_output_fail(escape: Runner, tree: Path, tmp_path: Path) -> None:
    code = (
        ATTEMPT
        + """
attempt("parent", lambda: open("../x", "w").write("x"))
attempt("bashrc", lambda: open(os.path.expanduser("~/.bashrc"), "a").write("x"))
attempt("root_bashrc", lambda: open("/root/.bashrc", "a").write("x"))
attempt("snapshot", lambda: open("config.py", "a").write("x"))
attempt("snapshot_new", lambda: open("new.py", "w").write("x"))
attempt("etc", lambda: open("/etc/agentos-escape", "w").write("x"))
attempt("usr", lambda: open("/usr/agentos-escape", "w").write("x"))
attempt("tmp", lambda: open("/tmp/agentos-private", "w").write("x"))
"""
    )
    result = escape(code)
    got = outcomes(result.stdout)
    assert got.pop("tmp") == "SUCCEEDED"  # a private tmpfs
    assert got.pop("bashrc") == "SUCCEEDED"  # HOME is inside that private tmpfs
    assert set(got.values()) == {"failed"}, got
    assert not (tmp_path / "x").exists() and not Path("/etc/agentos-escape").exists()
    assert not Path("/tmp/agentos-private").exists()
    assert (tree / "config.py").read_text() == "VALUE = 42\n"
    assert not (tree / "new.py").exists()


def test_no_secrets_repo_or_home_visible(escape: Runner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-secret")
    code = """
import os
print(sorted(os.listdir("/root")) if os.path.isdir("/root") else [])
print(os.path.exists(os.getcwd() + "/.git"), os.path.exists("/etc/shadow"))
print(os.path.exists(HERE), os.path.exists("/root/.ssh"))
print("ANTHROPIC_API_KEY" in os.environ)
""".replace("HERE", repr(str(Path(__file__).resolve().parent)))
    lines = escape(code).stdout.splitlines()
    interpreter = {Path(r).parts[2] for r in own().roots if r.startswith("/root/")}
    assert set(eval(lines[0])) <= interpreter  # only the interpreter, never ~/.ssh and friends
    assert lines[1:] == ["False False", "False False", "False"]


@pytest.fixture
def host_server() -> Iterator[int]:
    """A TCP server on the host's loopback that counts connections."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.2)
    hits: list[object] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
                hits.append(conn)
                conn.close()
            except OSError:
                continue

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    server.close()
    assert hits == [], "a sandboxed process reached the host's loopback server"


def test_no_network(escape: Runner, host_server: int) -> None:
    code = (
        ATTEMPT
        + f"""
import socket
attempt("loopback", lambda: socket.create_connection(("127.0.0.1", {host_server}), timeout=2))
attempt("tcp", lambda: socket.create_connection(("1.1.1.1", 53), timeout=2))
attempt("dns", lambda: socket.getaddrinfo("example.com", 80))
"""
    )
    got = outcomes(escape(code, wall_seconds=20).stdout)
    assert got == {"loopback": "failed", "tcp": "failed", "dns": "failed"}


def test_privilege_operations_are_denied(escape: Runner, tree: Path) -> None:
    host_pid = os.getpid()
    code = (
        ATTEMPT
        + f"""
import ctypes, signal
libc = ctypes.CDLL(None, use_errno=True)
def run(*argv):
    done = subprocess.run(argv, capture_output=True)
    if done.returncode != 0: raise OSError(done.stderr.decode()[:60])
def ptrace():
    if libc.ptrace(16, {host_pid}, 0, 0) != 0: raise OSError(ctypes.get_errno())
attempt("remount_root", lambda: run("mount", "-o", "remount,rw", "/"))
attempt("remount_tree", lambda: run("mount", "-o", "remount,rw", "/sandbox/tree"))
attempt("unshare", lambda: run("unshare", "-Urm", "mount", "-o", "remount,rw", "/sandbox/tree"))
attempt("kill_parent", lambda: os.kill({host_pid}, signal.SIGKILL))
attempt("ptrace", ptrace)
"""
    )
    if shutil.which("chattr"):
        code += 'attempt("chattr", lambda: run("chattr", "+i", "/sandbox/tree/config.py"))\n'
    got = outcomes(escape(code).stdout)
    assert set(got.values()) == {"failed"}, got
    assert (tree / "config.py").read_text() == "VALUE = 42\n"


def test_the_snapshot_is_at_a_fixed_read_only_path(escape: Runner) -> None:
    result = escape("import os; print(os.getcwd(), os.environ['AGENTOS_OUTPUT'])")
    assert result.stdout.split() == ["/sandbox/tree", "/sandbox/output"]
