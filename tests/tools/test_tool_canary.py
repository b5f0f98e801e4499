"""Canaries: a known-bad patch must keep failing; one that passes marks the checks broken."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from helpers import commit_all, git
from tool_suite import FILES, make_project

from agentos.errors import UserError
from agentos.evaluate import CanaryVerdict, Evaluation, Expect, check_canary, pin_baseline
from agentos.git import Repo
from agentos.integrity import Pins
from agentos.sandbox import Sandbox
from agentos.task import Task, ToolUse
from agentos.tool import get_tool, run_tool


def diff(path: str, before: str, after: str) -> str:
    return "".join(difflib.unified_diff(before.splitlines(True), after.splitlines(True),
                                        f"a/{path}", f"b/{path}"))


DELETE_TEST = diff("tests/test_lib.py", FILES["tests/test_lib.py"],
                   FILES["tests/test_lib.py"].split("\n\n\ndef test_neg")[0] + "\n")
FAKE_SCORE = """\
--- a/settings.py
+++ b/settings.py
@@ -1 +1 @@
-RATE = 0.5
+RATE = 1000.0
"""


@dataclass
class MetricEvaluator:
    """A real evaluator: the metric tool on the snapshot; `trusting` skips the sanity veto."""

    ctx: object
    trusting: bool

    def evaluate(self, tree: Path, commit: str) -> Evaluation:
        result = run_tool(get_tool("metric"), replace(self.ctx, tree=tree))  # type: ignore
        value = result.signals.get("metric")
        return Evaluation(value, None if value is not None else "invalid", result.detail)

    def veto(self, incumbent: Evaluation, candidate: Evaluation) -> str | None:
        if self.trusting or candidate.metric is None or incumbent.metric is None:
            return None
        return "implausible jump" if candidate.metric > 100 * incumbent.metric else None


GATES = (ToolUse("integrity", "gate"), ToolUse("static", "gate"), ToolUse("pytest", "gate"))


@dataclass
class Project:
    """The conformance project committed in a git repository, its run pins taken."""

    repo: Repo
    commit: str
    task: Task
    sandbox: Sandbox
    trusted: Path
    pins: Pins

    def canary(self, patch: str, evaluator: MetricEvaluator, uses: tuple[ToolUse, ...],
               expect: Expect = "either") -> CanaryVerdict:
        return check_canary(patch, repo=self.repo, parent=self.commit, task=self.task,
                            sandbox=self.sandbox, trusted=self.trusted, pins=self.pins,
                            evaluator=evaluator, incumbent=Evaluation(1.5), uses=uses,
                            expect=expect)


@pytest.fixture
def project(baseline, tmp_path) -> Project:
    root = tmp_path / "canary-repo"
    root.mkdir()
    make_project(root)
    commit_all(root, "project")
    repo = Repo(root)
    commit = repo.rev("HEAD") or ""
    task = replace(baseline.task, root=root, path=root / "agentos.toml", tools=GATES)
    pins = Pins.of_commit(repo, commit, task)
    trusted = tmp_path / "trusted"
    pin_baseline(task, repo, commit, baseline.sandbox, trusted, pins)
    return Project(repo, commit, task, baseline.sandbox, trusted, pins)


def test_gates_refuse_a_deleted_test(baseline, project) -> None:
    ev = MetricEvaluator(baseline, trusting=True)
    verdict = project.canary(DELETE_TEST, ev, GATES, expect="gates")
    assert not verdict.passed_gates and not verdict.broken
    assert verdict.message.startswith("canary refused")


def test_canary_that_passes_everything_is_broken(baseline, project) -> None:
    uses = (ToolUse("integrity", "gate"),)
    trusting = MetricEvaluator(baseline, trusting=True)
    verdict = project.canary(FAKE_SCORE, trusting, uses)
    assert verdict.passed_gates and verdict.passed_evaluator and verdict.broken
    assert "checks are broken" in verdict.message
    careful = MetricEvaluator(baseline, trusting=False)
    verdict = project.canary(FAKE_SCORE, careful, uses)
    assert not verdict.broken and verdict.evaluation.metric == 3000.0


def test_patch_that_does_not_apply_is_a_user_error(baseline, project) -> None:
    with pytest.raises(UserError, match="does not apply"):
        project.canary(FAKE_SCORE.replace("0.5", "0.9"), MetricEvaluator(baseline, True), GATES)


def test_the_canary_is_a_commit_judged_like_a_candidate(baseline, project) -> None:
    """The canary is committed on the baseline (the user's branch and worktree untouched) and
    goes through the built-in gates: a patch outside the editable surface is refused before any
    tool runs, whatever the tools would say."""
    before = git(project.repo.root, "rev-parse", "HEAD")
    outside = diff("evaluate.py", FILES["evaluate.py"], FILES["evaluate.py"] + "# more\n")
    verdict = project.canary(outside, MetricEvaluator(baseline, True), (), expect="gates")
    assert not verdict.passed_gates and not verdict.broken
    assert verdict.gates.results[0].findings[0].path == "evaluate.py"
    assert git(project.repo.root, "rev-parse", "HEAD") == before
    assert git(project.repo.root, "status", "--porcelain") == ""
