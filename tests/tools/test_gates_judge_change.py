"""ruff, mypy and static judge what the candidate changed, not the findings already in the file.

Each test commits a parent and candidates in a real git repository, snapshots both commits the
way the loop does, and runs the task's gate through `run_gates`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from helpers import make_repo

from agentos.evaluate import GateRun, run_gates, snapshot_dir
from agentos.git import Repo
from agentos.sandbox import get_backend
from agentos.task import Task, load_task
from agentos.tool import ToolContext

TOML = """[task]
editable = ["lib.py", "typed.py", "risky.py"]
protected = ["evaluate.py"]
[metric]
command = "python evaluate.py"
regex = '^score: (\\S+)$'
goal = "max"
[tools]
gates = ["static", "ruff", "mypy"]
[tools.ruff]
select = ["E", "F"]
"""

# ten ruff findings (E, F): three F401, one F841, three E711, one E714, one E741, one E721
LINT = """import os
import sys
import json


def compare(a, b):
    unused = 1
    if a == None:
        return b == None
    if not a is b:
        return True
    return a != None


def more(x):
    l = 1
    return x in [y for y in range(3)] and type(x) == type(l)
"""

# three mypy errors
TYPED = """def f(x: int) -> str:
    return x


def g() -> int:
    return "s"


y: int = "a"
"""

RISKY = """import subprocess


def run() -> object:
    return eval("1 + 1")
"""


class Project:
    def __init__(self, root: Path) -> None:
        files = {"lib.py": LINT, "typed.py": TYPED, "risky.py": RISKY,
                 "evaluate.py": "print('score: 1')\n", "agentos.toml": TOML}
        self.root = make_repo(root / "repo", files)
        self.repo = Repo(self.root)
        self.task: Task = load_task(self.root)
        self.base = self.repo.rev("HEAD") or ""
        self.trusted = root / "trusted"

    @contextmanager
    def context(self, edits: dict[str, str] | None, files: list[str]) -> Iterator[ToolContext]:
        """The gate context of a candidate with `edits` over the base commit (None: the base
        itself with `files` to inspect, judged with no parent)."""
        commit = self.base
        if edits is not None:
            data = {k: v.encode() for k, v in edits.items()}
            commit = self.repo.commit_files(self.base, data, "candidate")
        with snapshot_dir(self.repo, commit) as tree, snapshot_dir(self.repo, self.base) as parent:
            yield ToolContext(tree=tree, changed=sorted(edits or files),
                              task=self.task, sandbox=get_backend("local"),
                              parent_tree=parent if edits is not None else None,
                              trusted_dir=self.trusted)

    def gate(self, name: str, edits: dict[str, str] | None, files: tuple[str, ...] = ()) -> GateRun:
        uses = [u for u in self.task.tools if u.name == name]
        with self.context(edits, list(files)) as ctx:
            return run_gates(uses, ctx)


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return Project(tmp_path)


def test_ruff_rejects_the_one_finding_a_candidate_adds_to_ten_old_ones(project) -> None:
    # a new function above the old code: every old finding moves down three lines
    added = LINT.replace("\n\ndef compare", "\n\ndef fresh(v):\n    return v == None\n\n\n"
                         "def compare")
    run = project.gate("ruff", {"lib.py": added})
    (result,) = run.results
    assert not run.passed and result.outcome == "fail"
    assert [(f.path, f.line, f.code) for f in result.findings] == [("lib.py", 7, "E711")]
    assert "1 new, 10 already there" in result.detail
    assert "lib.py:7 E711" in run.summary() and "F401" not in run.summary()


def test_ruff_passes_a_candidate_that_fixes_an_old_finding_and_adds_none(project) -> None:
    fixed = '"""Comparisons."""\n\n' + LINT.replace("    unused = 1\n", "")
    run = project.gate("ruff", {"lib.py": fixed})
    assert run.passed, run.summary()
    assert "0 new, 9 already there, 1 fixed" in run.results[0].detail


def test_ruff_counts_a_copy_of_an_old_finding_as_new(project) -> None:
    copied = LINT + "\n\ndef again(a):\n    return a != None\n"  # same text as an old line
    (result,) = project.gate("ruff", {"lib.py": copied}).results
    assert [(f.line, f.code) for f in result.findings] == [(21, "E711")]


def test_ruff_on_the_baseline_counts_old_findings_and_passes(project) -> None:
    run = project.gate("ruff", None, ("lib.py",))
    assert run.passed
    assert run.results[0].detail.startswith("10 already there (no parent")
    assert run.results[0].signals["old_findings"] == 10.0


def test_every_gate_on_the_baseline_passes_and_counts_what_is_there(project) -> None:
    """What `agentos check` sees: no parent, no change list, every editable Python file."""
    with project.context(None, []) as ctx:
        run = run_gates(project.task.tools, ctx)
    assert run.passed and not run.skipped
    details = {r.tool: r.detail for r in run.results}
    assert details == {
        "static": "2 already there (no parent: nothing judged new) in 3 file(s)",
        "ruff": "11 already there (no parent: nothing judged new) in 3 file(s)",
        "mypy": "3 already there (no parent: nothing judged new) in 3 target(s)",
    }


def test_the_parents_findings_are_cached_per_file(project) -> None:
    project.gate("ruff", {"lib.py": LINT + "\nX = 1\n"})
    (entry,) = (project.trusted / "findings-cache").iterdir()  # one parent file, one entry
    second = project.gate("ruff", {"lib.py": LINT + "\n\ndef z(v):\n    return v != None\n"})
    assert [f.code for f in second.results[0].findings] == ["E711"]
    entry.write_text("[]")  # the next candidate's parent findings come from this entry
    third = project.gate("ruff", {"lib.py": LINT + "\n\ndef z(v):\n    return v != None\n"})
    assert len(third.results[0].findings) == 11


def test_mypy_rejects_an_added_type_error_and_passes_a_fix(project) -> None:
    added = 'z: str = 1\n\n\n' + TYPED
    run = project.gate("mypy", {"typed.py": added})
    (result,) = run.results
    assert result.outcome == "fail" and "1 new, 3 already there" in result.detail
    assert [(f.line, f.code) for f in result.findings] == [(1, "assignment")]
    fixed = '"""Typed."""\n\n' + TYPED.replace('y: int = "a"', "y: int = 0")
    ok = project.gate("mypy", {"typed.py": fixed})
    assert ok.passed and "0 new, 2 already there, 1 fixed" in ok.results[0].detail


def test_static_rejects_an_added_forbidden_call_and_passes_a_fix(project) -> None:
    added = RISKY + '\n\ndef again() -> object:\n    return eval("2")\n'
    run = project.gate("static", {"risky.py": added})
    (result,) = run.results
    assert result.outcome == "fail"
    assert [(f.line, f.code) for f in result.findings] == [(9, "forbidden-call")]
    assert "1 new, 2 already there" in result.detail
    fixed = '"""Risky."""\n\n\ndef run() -> object:\n    return eval("1 + 2")\n'
    ok = project.gate("static", {"risky.py": fixed})
    assert ok.passed and "0 new, 1 already there, 1 fixed" in ok.results[0].detail
    base = project.gate("static", None, ("risky.py",))
    assert base.passed and base.results[0].detail.startswith("2 already there")


LOOP_TOML = """[task]
editable = ["settings.py"]
protected = ["evaluate.py"]
[metric]
command = "python evaluate.py"
regex = '^score: (\\S+)$'
goal = "max"
[tools]
gates = ["static", "ruff", "mypy"]
"""


def test_in_the_loop_old_lint_debt_no_longer_rejects_every_edit(repo_factory) -> None:
    from agentos import runner
    from agentos.status import run_status

    debt = "import os\nimport sys\n\nX = 1.0  # range: 0..100\nY: int = 'a'\n"  # F401 x2, mypy
    repo = repo_factory({"settings.py": debt, "agentos.toml": LOOP_TOML,
                         "evaluate.py": "import settings\nprint(f'score: {settings.X}')\n"})
    runner.run(repo, runner.Overrides(budget=2, sandbox="local"))
    experiments = run_status(repo)["experiments"]
    assert len(experiments) == 2
    assert {e["status"] for e in experiments} <= {"keep", "discard"}, experiments[0]["reason"]


def test_a_rewritten_line_that_keeps_its_old_finding_is_not_new(tmp_path: Path) -> None:
    """The same rule and message on a line the candidate rewrote is the old finding."""
    from agentos.tool import Finding
    from agentos.tools._delta import fingerprints, split

    (tmp_path / "a.py").write_text("x = f(1)  # old\ny = 2\n")
    before = fingerprints([Finding("a.py", 1, "F821", "Undefined name `f`")], tmp_path)
    (tmp_path / "a.py").write_text("x = f(1) + 1  # rewritten\ny = 2\nz = f(2)\n")
    found = [Finding("a.py", 1, "F821", "Undefined name `f`"),
             Finding("a.py", 3, "F821", "Undefined name `f`")]
    delta = split(found, tmp_path, before)
    assert [f.line for f in delta.new] == [3] and delta.old == 1 and delta.fixed == 0
