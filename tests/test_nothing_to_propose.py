"""Nothing to try is an answer: the heuristic proposer with nothing it can change ends the run with
that reason instead of filling the budget with unusable proposals; and what it finds to tune in an
ordinary library module."""

from __future__ import annotations

from pathlib import Path

from helpers import agentos_cli, git, make_repo

from agentos import runner
from agentos.settings import find_settings
from agentos.status import run_status

TASK = """\
[task]
name = "plain"
editable = ["lib.py"]
protected = ["evaluate.py"]
accept_forgery_risk = [
  "exit-line", "system-exit-line", "stdout-rewrite", "print-patch", "stdout-sink"
]

[metric]
command = "python evaluate.py"
regex = '^score:\\s*(?P<value>\\S+)$'
goal = "max"
timeout = 10

[budget]
experiments = 12
"""

NO_SETTINGS = '''\
"""A module with code and no tunable constant."""

__version__ = "1.2.0"
__all__ = ["double"]
NAME = "plain"


def double(x: int) -> int:
    return 2 * x
'''


def test_a_file_without_settings_ends_the_run_at_once_with_the_reason(tmp_path: Path) -> None:
    repo = make_repo(
        tmp_path / "repo",
        {
            "agentos.toml": TASK,
            "lib.py": NO_SETTINGS,
            "evaluate.py": "import lib\nprint(f'score: {lib.double(2)}')\n",
        },
    )
    done = agentos_cli("run", str(repo), "--sandbox", "local")
    assert done.returncode == 1, done.stderr  # the run could not do its job, as `check` says
    assert "nothing to try before its first experiment" in done.stderr.splitlines()[-1]
    assert "# range: 1..64" in done.stderr.splitlines()[-1]
    summary = dict(line.split(": ", 1) for line in done.stdout.splitlines() if ": " in line)
    assert summary["experiments"] == "0"
    assert summary["status"].startswith(
        "the proposer has nothing left to try: no tunable settings found in the editable files "
        "lib.py: make `editable` name files with settings (numbers or booleans"
    )
    assert "# range:" in summary["status"] and "Claude provider" in summary["status"]
    assert run_status(repo)["experiments"] == []
    assert summary["branch"] == "none"  # a run that tried nothing leaves no branch
    assert git(repo, "branch", "--list", "agentos/*").strip() == ""


def test_every_setting_exhausted_ends_the_run_after_one_experiment(tmp_path: Path) -> None:
    """One boolean: its only change is measured and discarded; the next proposal would repeat it
    from the same parent, so the proposer stops."""
    repo = make_repo(
        tmp_path / "repo",
        {
            "agentos.toml": TASK,
            "lib.py": "FAST = False\n",
            "evaluate.py": "import lib\nprint(f'score: {0 if lib.FAST else 1}')\n",
        },
    )
    summary = runner.run(repo, runner.Overrides(sandbox="local"))
    rows = run_status(repo)["experiments"]
    assert [(r["description"].split(" | ")[0], r["status"]) for r in rows] == [
        ("FAST False -> True", "discard")
    ]
    assert summary.status.startswith("the proposer has nothing left to try: every change")
    assert "was tried already" in summary.status


def test_module_constants_of_a_library_file_are_found_and_its_non_settings_are_not() -> None:
    """An ordinary library module: the UPPER_CASE tunables are settings; a version, `__all__`,
    typing switches, bit masks written in hex and module state rebound at run time are not."""
    source = '''\
"""A small library module."""
import re

__version__ = "4.9.0"
__all__ = ["fmt"]
VERSION = 3
CACHE_VERSION = 2
TYPE_CHECKING = False
FLAG_MASK = 0x0F00
CHUNK_SIZE = 4096
RETRIES = 3
BACKOFF = 0.5
STRICT = True
_initialized = False
calls = 0
PATTERN = re.compile("x")


def fmt(x):
    global _initialized
    _initialized = True
    return str(x)


calls += 1
'''
    found = {s.name: s.value for s in find_settings("lib.py", source)}
    assert found == {"CHUNK_SIZE": 4096, "RETRIES": 3, "BACKOFF": 0.5, "STRICT": True}
