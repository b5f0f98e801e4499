"""The canary: a known-bad patch the task names (`task.canary`), judged as the loop judges a
candidate. It is committed on the baseline like any candidate, goes through the built-in gates,
the task's tools and `measure()`, and if the layer that should refuse it lets it through, the
checks are broken.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from agentos.errors import UserError
from agentos.evaluate.evaluator import Evaluation, Evaluator, keeps
from agentos.evaluate.gating import GateRun, builtin_findings, changed_paths, run_gates
from agentos.evaluate.measure import measure, snapshot_dir
from agentos.git import Repo
from agentos.integrity import Pins
from agentos.sandbox import Sandbox
from agentos.task import Task, ToolUse
from agentos.tool import Finding, ToolContext, ToolResult

Expect = Literal["gates", "evaluator", "either"]


@dataclass(frozen=True)
class CanaryVerdict:
    """What the canary did: whether each layer let it through, and whether that means broken."""

    gates: GateRun
    evaluation: Evaluation
    passed_gates: bool
    passed_evaluator: bool
    expect: Expect

    @property
    def broken(self) -> bool:
        """True when the layer that should refuse the canary accepted it: stop the run."""
        if self.expect == "gates":
            return self.passed_gates
        if self.expect == "evaluator":
            return self.passed_evaluator
        return self.passed_gates and self.passed_evaluator

    @property
    def message(self) -> str:
        layers = [n for n, ok in (("the gates", self.passed_gates),
                                  ("the evaluator", self.passed_evaluator)) if ok]
        if not self.broken:
            return "canary refused" + (f" (it passed {' and '.join(layers)})" if layers else "")
        return (f"canary passed {' and '.join(layers)}: a known-bad candidate would be kept, so "
                "the checks are broken; the run stops (fix the evaluator, gates or pins)")


def check_canary(patch: str, *, repo: Repo, parent: str, task: Task, sandbox: Sandbox,
                 trusted: Path, pins: Pins, evaluator: Evaluator, incumbent: Evaluation,
                 uses: Sequence[ToolUse] | None = None,
                 expect: Expect = "either") -> CanaryVerdict:
    """Commit the canary patch on `parent` and judge the commit as the loop judges a candidate:
    the built-in gates and the tools (`uses`, default the task's) against the pins in `trusted`,
    then `measure()` with `evaluator`. Both layers run, so a broken evaluator is found even while
    the gates still catch the canary. A patch that does not apply is a `UserError`."""
    try:
        commit = repo.commit_patch(parent, patch, "agentos canary")
    except RuntimeError as exc:
        raise UserError(f"the canary patch does not apply ({str(exc)[:200]})",
                        fix="regenerate task.canary against the current baseline (git diff)"
                        ) from exc
    uses = tuple(task.tools if uses is None else uses)
    builtin = builtin_findings(repo, task, pins, parent, commit)
    if builtin:  # as in the loop: the tools run only on a change the built-in gates let by
        found = tuple(Finding(f["path"], f["line"], f["code"], f["message"]) for f in builtin)
        gates = GateRun(uses, (ToolResult("built-in", "fail", found),),
                        tuple(u.name for u in uses), False)
    else:
        with snapshot_dir(repo, parent) as before, snapshot_dir(repo, commit) as tree:
            ctx = ToolContext(tree=tree, changed=changed_paths(repo, parent, commit), task=task,
                              sandbox=sandbox, parent_tree=before, trusted_dir=trusted)
            gates = run_gates(uses, ctx)
    evaluation = measure(repo, commit, evaluator).evaluation
    ok = keeps(evaluator, incumbent, evaluation, task.metric.goal)
    return CanaryVerdict(gates, evaluation, gates.passed, ok, expect)
