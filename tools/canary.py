"""Canaries: a known-bad candidate that the gates and the evaluator must keep refusing.

The task names a patch (`task.canary`) that must never be accepted: a deleted test, a hard-coded
answer, a fake metric line. Every `canary_every` experiments the loop calls `check_canary`: the
patch is applied to a copy of the incumbent's snapshot, the copy goes through the gates and the
evaluator, and if it passes what it is expected to fail, the checks are broken and the run stops
(`CanaryVerdict.broken`, with a message saying which layer let it through).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from agentos.errors import UserError
from agentos.evaluator import Evaluation, Evaluator
from agentos.task import Goal, ToolUse
from agentos.tool import ToolContext

from .runner import GateRun, run_gates
from .static import changed_between

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


def apply_patch(base: Path, patch: str, dest: Path) -> list[str]:
    """Copy the snapshot `base` to `dest` and apply a unified diff there; return the changed
    paths. Raises `UserError` when the patch does not apply."""
    shutil.copytree(base, dest, symlinks=True)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"),
           "GIT_CEILING_DIRECTORIES": str(dest.parent.resolve())}
    proc = subprocess.run(["git", "apply", "--whitespace=nowarn", "-"], cwd=dest, env=env,
                          input=patch.encode(), capture_output=True, check=False)
    if proc.returncode != 0:
        raise UserError(f"the canary patch does not apply ({proc.stderr.decode().strip()[:200]})",
                        fix="regenerate task.canary against the current baseline (git diff)")
    return changed_between(base, dest)


def better(value: float, than: float, goal: Goal) -> bool:
    return value < than if goal == "min" else value > than


def passes_evaluator(evaluator: Evaluator, incumbent: Evaluation, candidate: Evaluation,
                     goal: Goal) -> bool:
    """Whether the evaluator would let this measurement be kept over the incumbent."""
    if candidate.status is not None or candidate.metric is None:
        return False
    if incumbent.metric is not None and not better(candidate.metric, incumbent.metric, goal):
        return False
    return evaluator.veto(incumbent, candidate) is None


def check_canary(patch: str, *, ctx: ToolContext, uses: Sequence[ToolUse], evaluator: Evaluator,
                 incumbent: Evaluation, work_dir: Path, expect: Expect = "either",
                 commit: str = "canary") -> CanaryVerdict:
    """Run the canary through the gates and the evaluator. `ctx.tree` is the incumbent's
    snapshot; the patched copy is made under `work_dir` and removed afterwards. Both layers
    run, so a broken evaluator is found even while the gates still catch the canary."""
    dest = work_dir / "canary-tree"
    if dest.exists():
        shutil.rmtree(dest)
    try:
        changed = apply_patch(ctx.tree, patch, dest)
        cctx = replace(ctx, tree=dest, changed=changed, parent_tree=ctx.tree)
        gates = run_gates(uses, cctx)
        evaluation = evaluator.evaluate(dest, commit)
    finally:
        shutil.rmtree(dest, ignore_errors=True)
    ok = passes_evaluator(evaluator, incumbent, evaluation, ctx.task.metric.goal)
    return CanaryVerdict(gates, evaluation, gates.passed, ok, expect)
