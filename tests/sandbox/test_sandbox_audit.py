"""The read audit: which snapshot files an interpreter read, with their git blob ids."""

from __future__ import annotations

import subprocess
from pathlib import Path

from sandbox_helpers import REPLACE_CHANNEL, Runner


def git_blob(path: Path) -> str:
    return subprocess.run(
        ["git", "hash-object", str(path)], capture_output=True, text=True, check=True
    ).stdout.strip()


def test_reads_are_recorded_with_git_blob_ids(run: Runner, tree: Path) -> None:
    (tree / "pkg").mkdir()
    (tree / "pkg" / "__init__.py").write_text("")
    (tree / "pkg" / "data.txt").write_text("payload\n")
    code = """
import config, pathlib, os
from pathlib import Path
Path("pkg/data.txt").read_text()
os.close(os.open("pkg/__init__.py", os.O_RDONLY))
open(os.path.join(os.environ["AGENTOS_OUTPUT"], "w"), "w").write("written, not read")
"""
    result = run(code, audit=True)
    assert result.exit_code == 0, result.stderr
    assert result.audit_problems == ()
    assert result.reads == {
        "config.py": git_blob(tree / "config.py"),
        "pkg/data.txt": git_blob(tree / "pkg" / "data.txt"),
        "pkg/__init__.py": git_blob(tree / "pkg" / "__init__.py"),
    }


def test_child_interpreters_are_audited_too(run: Runner, tree: Path) -> None:
    code = "import subprocess, sys; subprocess.run([sys.executable, '-c', 'import config'])"
    result = run(code, audit=True)
    assert result.reads == {"config.py": git_blob(tree / "config.py")}


def test_no_audit_unless_asked(run: Runner) -> None:
    assert run("import config").reads is None


def test_replacing_the_channel_stops_the_run(run: Runner) -> None:
    code = REPLACE_CHANNEL + 'import config\nprint("read without being recorded")\n'
    result = run(code, audit=True)
    assert "read without being recorded" not in result.stdout
    assert result.audit_problems, "tampering went unreported"


def test_forged_records_are_reported(run: Runner) -> None:
    code = """
import os
fd = os.open(os.environ["AGENTOS_AUDIT"].split(":", 1)[1], os.O_WRONLY)
os.write(fd, b"R 1 %s %s\\n" % (b"config.py".hex().encode(), b"0" * 40))
os.write(fd, b"R 1 %s %s\\n" % (b"../../etc/passwd".hex().encode(), b"0" * 40))
os.write(fd, b"garbage\\n")
"""
    result = run(code, audit=True)
    problems = " ".join(result.audit_problems)
    assert (
        "config.py" in problems and "outside the snapshot" in problems and "malformed" in problems
    )


def test_an_interpreter_started_with_minus_I_is_reported(run: Runner) -> None:
    code = "import subprocess, sys; subprocess.run([sys.executable, '-I', '-c', 'pass'])"
    result = run(code, audit=True)
    assert result.audit_problems == ()  # the outer interpreter reported; the -I one is not seen
    result2 = run("pass", audit=True)
    assert result2.audit_problems == ()
