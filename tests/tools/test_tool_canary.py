"""Canaries: a known-bad patch must keep failing; one that passes marks the checks broken."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

import pytest
from tool_suite import FILES

from agentos.errors import UserError
from agentos.evaluator import Evaluation
from agentos.task import ToolUse
from agentos.tool import get_tool, run_tool
from agentos.tools import check_canary


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
        from dataclasses import replace

        result = run_tool(get_tool("metric"), replace(self.ctx, tree=tree))  # type: ignore
        value = result.signals.get("metric")
        return Evaluation(value, None if value is not None else "invalid", result.detail)

    def veto(self, incumbent: Evaluation, candidate: Evaluation) -> str | None:
        if self.trusting or candidate.metric is None or incumbent.metric is None:
            return None
        return "implausible jump" if candidate.metric > 100 * incumbent.metric else None


GATES = (ToolUse("integrity", "gate"), ToolUse("static", "gate"), ToolUse("pytest", "gate"))


def test_gates_refuse_a_deleted_test(baseline, tmp_path) -> None:
    ev = MetricEvaluator(baseline, trusting=True)
    verdict = check_canary(DELETE_TEST, ctx=baseline, uses=GATES, evaluator=ev,
                           incumbent=Evaluation(1.5), work_dir=tmp_path, expect="gates")
    assert not verdict.passed_gates and not verdict.broken
    assert verdict.message.startswith("canary refused")


def test_canary_that_passes_everything_is_broken(baseline, tmp_path) -> None:
    uses = (ToolUse("integrity", "gate"),)
    trusting = MetricEvaluator(baseline, trusting=True)
    verdict = check_canary(FAKE_SCORE, ctx=baseline, uses=uses, evaluator=trusting,
                           incumbent=Evaluation(1.5), work_dir=tmp_path)
    assert verdict.passed_gates and verdict.passed_evaluator and verdict.broken
    assert "checks are broken" in verdict.message
    careful = MetricEvaluator(baseline, trusting=False)
    verdict = check_canary(FAKE_SCORE, ctx=baseline, uses=uses, evaluator=careful,
                           incumbent=Evaluation(1.5), work_dir=tmp_path)
    assert not verdict.broken and verdict.evaluation.metric == 3000.0


def test_patch_that_does_not_apply_is_a_user_error(baseline, tmp_path) -> None:
    with pytest.raises(UserError, match="does not apply"):
        check_canary(FAKE_SCORE.replace("0.5", "0.9"), ctx=baseline, uses=GATES,
                     evaluator=MetricEvaluator(baseline, True), incumbent=Evaluation(1.5),
                     work_dir=tmp_path)
