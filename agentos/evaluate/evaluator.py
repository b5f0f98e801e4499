"""The evaluator contract: how the loop measures a candidate snapshot.

The default is the task's metric command run in the sandbox (`agentos.evaluate.command`). Skill
tuning plugs in an evaluator that routes queries in-process. Whatever the evaluator, held-out data
never reaches the proposer: `details` are shown to it, `holdout` only to `veto`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from agentos.state import Status
from agentos.task import Goal


@dataclass(frozen=True)
class Evaluation:
    """One measurement. `status` is set only for failures (crash, timeout, oom, invalid, rejected).

    `reads` (snapshot-relative path to git blob id) is what the audited process actually read, when
    the sandbox could audit; the loop checks it against the commit.
    """

    metric: float | None
    status: Status | None = None
    reason: str = ""
    details: Mapping[str, float] = field(default_factory=dict)
    holdout: Mapping[str, float] = field(default_factory=dict)
    log_tail: str = ""
    reads: Mapping[str, str] | None = None
    duration: float = 0.0


class Evaluator(Protocol):
    def evaluate(self, tree: Path, commit: str) -> Evaluation:
        """Measure the read-only snapshot `tree` of `commit`. Failures are statuses, not raises."""
        ...

    def veto(self, incumbent: Evaluation, candidate: Evaluation) -> str | None:
        """Return why a candidate that the strategy would keep must not be kept, or None."""
        ...


def refuse_keep(
    evaluator: Evaluator, incumbent: Evaluation, candidate: Evaluation, *, gained: bool
) -> str | None:
    """The keep rule, one function for every caller: why `candidate` may not replace
    `incumbent`, or None to keep it. A failed measurement is never kept; nor is one without a
    gain (`gained`: the strategy's verdict, noise-aware where the strategy is); nor one the
    evaluator vetoes on figures the proposer never sees (held-out data, per-skill figures)."""
    if candidate.status is not None or candidate.metric is None:
        return candidate.reason or "no metric"
    if not gained:
        return "no gain"
    return evaluator.veto(incumbent, candidate)


def better(value: float, than: float, goal: Goal) -> bool:
    return value < than if goal == "min" else value > than


def gained(incumbent: Evaluation, candidate: Evaluation, goal: Goal) -> bool:
    """A single measurement's gain over the incumbent (no incumbent metric: any metric gains)."""
    if candidate.metric is None:
        return False
    return incumbent.metric is None or better(candidate.metric, incumbent.metric, goal)


def keeps(evaluator: Evaluator, incumbent: Evaluation, candidate: Evaluation, goal: Goal) -> bool:
    """Whether the keep rule lets one measurement replace `incumbent`, its gain being that single
    measurement's (`gained`): how the canary and the forgery self-test ask `refuse_keep`."""
    gain = gained(incumbent, candidate, goal)
    return refuse_keep(evaluator, incumbent, candidate, gained=gain) is None
