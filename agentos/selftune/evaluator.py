"""The outer run's evaluator: the inner suite, run in the sandbox by the installed agentos.

It is the task's metric command (`python -m agentos.selftune.inner`, with agentos' own Python,
on the candidate snapshot) read the way tune-skills' evaluator reports a held-out split: the
metric is the train gain, `details` hold each train task's gain (shown to the proposer), and
`holdout` holds the held-out gain, which only `veto` reads. The held-out line is cut from the
log tail, which the loop may show.

Every measurement runs the inner tasks on fresh seeds (`--draw N`, a new N each time): a
profile's score is then a noisy measurement whose noise is the seeds' luck, and the outer run
judges it as it judges any noisy metric (the baseline's re-runs estimate the noise, a candidate
within it is re-measured, paired, by the strategy's noise rule). On fixed seeds a candidate
could win by the luck of those seeds, which no re-measure would ever reveal.

The held-out veto is noise-aware too (`HeldOut`): the evaluator keeps every held-out figure it
measured, by commit, and compares the means of both commits' measurements (a re-measure
measures held-out too); a candidate is refused when its held-out mean fell below the
incumbent's by more than the noise explains (one-sided, at `VETO_ALPHA`), the noise being the
spread of held-out figures within the commits measured more than once. With no such commit yet
any fall vetoes, as on a deterministic metric.
"""

from __future__ import annotations

import copy
import math
import re
import secrets
import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from agentos.evaluate import Evaluation, MetricEvaluator
from agentos.sandbox import Sandbox
from agentos.strategies.noise import mean, pool, t_quantile
from agentos.task import Task

HOLDOUT = "holdout/all"
VETO_ALPHA = 0.05  # one-sided: a held-out fall this unlikely under no change is a real fall
DRAWS = 2**30  # measurement N runs on seeds DRAW_SEED0 + 16 N ... (`Suite.seeds_of`)
_HOLDOUT_LINE = re.compile(r"^holdout: (\S+)$", re.MULTILINE)
_TASK_LINE = re.compile(r"^train/(\S+): (\S+)$", re.MULTILINE)


def fresh_draw() -> int:
    """A new measurement's draw: a random block of inner seeds, never one the run chose before
    but by a chance of about one in 10^7 over a whole run (and a resumed run draws on)."""
    return secrets.randbelow(DRAWS)


class HeldOut:
    """Every held-out figure measured, by commit, and the veto that reads their means."""

    def __init__(self) -> None:
        self.figures: dict[str, list[float]] = {}
        self._commit_of: dict[float, str] = {}
        self._lock = threading.Lock()

    def add(self, commit: str, value: float) -> None:
        with self._lock:
            self.figures.setdefault(commit, []).append(value)
            self._commit_of.setdefault(value, commit)

    def noise(self) -> tuple[float, int]:
        """The spread of held-out figures within commits measured more than once, and its
        degrees of freedom (0 when no commit was)."""
        with self._lock:
            return pool(0.0, 0, list(self.figures.values()))

    def runs(self, e: Evaluation) -> list[float]:
        """All held-out figures of the commit whose measurement `e` is (the decide node hands
        the veto the figures of one measurement, which identify it), or that one alone."""
        value = e.holdout.get(HOLDOUT)
        if value is None:
            return []
        with self._lock:
            commit = self._commit_of.get(value)
            return list(self.figures[commit]) if commit is not None else [value]

    def veto(self, incumbent: Evaluation, candidate: Evaluation) -> str | None:
        before, after = self.runs(incumbent), self.runs(candidate)
        if not before or not after:
            return None
        b, a = mean(before), mean(after)
        sd, df = self.noise()
        if sd <= 0 or df < 1:
            return holdout_veto(incumbent, candidate, before=b, after=a)
        margin = t_quantile(1 - VETO_ALPHA, df) * sd * math.sqrt(1 / len(before) + 1 / len(after))
        if a < b - margin:
            return (f"held-out gain fell from {b:.4f} to {a:.4f} (means of {len(before)} and "
                    f"{len(after)} measurements), beyond the noise ({margin:.4f})")
        return None


class SelfTuneEvaluator(MetricEvaluator):
    """`MetricEvaluator` on fresh inner seeds per measurement, plus the held-out veto."""

    def __init__(self, task: Task, sandbox: Sandbox, *, draw: Callable[[], int] = fresh_draw):
        super().__init__(task, sandbox)
        self.draw = draw
        self.heldout = HeldOut()

    def evaluate(self, tree: Path, commit: str) -> Evaluation:
        one = copy.copy(self)  # this measurement's command: the task's, on a fresh draw
        metric = self.task.metric
        one.task = replace(self.task, metric=replace(
            metric, command=(*metric.command, "--draw", str(self.draw()))))
        e = MetricEvaluator.evaluate(one, tree, commit)
        if e.status is not None or e.metric is None:
            return e
        found = _HOLDOUT_LINE.findall(e.log_tail)
        if len(found) != 1:
            return replace(e, metric=None, status="invalid",
                           reason="the inner suite printed no single held-out line")
        self.heldout.add(commit, float(found[0]))
        details = {f"train/{name}": float(v) for name, v in _TASK_LINE.findall(e.log_tail)}
        tail = _HOLDOUT_LINE.sub("", e.log_tail).strip()
        return replace(e, details=details, holdout={HOLDOUT: float(found[0])}, log_tail=tail)

    def veto(self, incumbent: Evaluation, candidate: Evaluation) -> str | None:
        return self.heldout.veto(incumbent, candidate)


def holdout_veto(incumbent: Evaluation, candidate: Evaluation, *, before: float | None = None,
                 after: float | None = None) -> str | None:
    """Why a candidate must not be kept: its held-out gain fell below the incumbent's (`before`
    and `after` replace the two measurements' figures, when means of several are known)."""
    if before is None:
        before = incumbent.holdout.get(HOLDOUT)
    if after is None:
        after = candidate.holdout.get(HOLDOUT)
    if before is not None and after is not None and after < before - 1e-9:
        return f"held-out gain fell from {before:.4f} to {after:.4f}"
    return None
