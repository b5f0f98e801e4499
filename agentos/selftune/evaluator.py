"""The outer run's evaluator: the inner suite, run in the sandbox by the installed agentos.

It is the task's metric command (`python -m agentos.selftune.inner`, with agentos' own Python,
on the candidate snapshot) read the way tune-skills' evaluator reports a held-out split: the
metric is the train gain, `details` hold each train task's gain (shown to the proposer), and
`holdout` holds the held-out gain, which only `veto` reads. The held-out line is cut from the
log tail, which the loop may show.

Every measurement runs the inner tasks on fresh seeds (`--draw N`): the k-th measurement of every
commit runs on the run's k-th draw, a block of seeds no fixed or test seed is in (common random
numbers). A profile's score is then a noisy measurement whose noise is the seeds' luck, judged as
any noisy metric is (the baseline's re-runs estimate the noise, a candidate within it is
re-measured by the strategy's noise rule, on its next draws); and two profiles' k-th measurements
meet the same luck, so what differs between them is mostly what the profiles change: a profile
that changes nothing an inner run reads measures exactly what its parent measured, rather than
ranking above or below it by luck (a screen's one-setting points are ranked this way). On fixed
seeds a candidate could win by the luck of those seeds, which no re-measure would ever reveal;
here each re-measure runs on a draw it has not run on.

The held-out veto is noise-aware too (`HeldOut`): the evaluator keeps every held-out figure it
measured, by commit, and compares the means of both commits' measurements (a re-measure
measures held-out too); a candidate is refused when its held-out mean fell below the
incumbent's by more than the noise explains (one-sided, at `VETO_ALPHA`), the noise being the
spread of held-out figures within the commits measured more than once. With no such commit yet
any fall vetoes, as on a deterministic metric.
"""

from __future__ import annotations

import copy
import json
import math
import os
import re
import secrets
import threading
from dataclasses import replace
from pathlib import Path

from agentos.evaluate import Evaluation, MetricEvaluator
from agentos.sandbox import Sandbox
from agentos.strategies.noise import mean, pool, t_quantile
from agentos.task import Task

HOLDOUT = "holdout/all"
VETO_ALPHA = 0.05  # one-sided: a held-out fall this unlikely under no change is a real fall
DRAWS = 2**30  # measurement N runs on seeds DRAW_SEED0 + 16 N ... (`Suite.seeds_of`)
STATE_FILE = "self-tune.json"  # each commit's draws and held-out figures, for a resumed run
_HOLDOUT_LINE = re.compile(r"^holdout: (\S+)$", re.MULTILINE)
_TASK_LINE = re.compile(r"^train/(\S+): (\S+)$", re.MULTILINE)


def fresh_draw() -> int:
    """A run's first draw: a random block of inner seeds (its k-th draw is the block k after)."""
    return secrets.randbelow(DRAWS)


class HeldOut:
    """Every held-out figure measured, by commit, and the veto that reads their means; and each
    commit's measurements so far, which give its next draw (`draw`). With `path` both are kept
    in that file, written whole after each change, so a resumed run draws on where it stopped
    and its veto still reads the figures measured before."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self.base = fresh_draw()  # the run's first draw: measurement k runs on base + k
        self.figures: dict[str, list[float]] = {}
        self.measured: dict[str, int] = {}
        self._commit_of: dict[float, str] = {}
        self._lock = threading.Lock()
        if path is not None and path.is_file():
            kept = json.loads(path.read_text(encoding="utf-8"))
            self.base, self.measured = int(kept["base"]), dict(kept["measured"])
            for commit, values in kept["figures"].items():
                for value in values:
                    self._add(commit, float(value))

    def draw(self, commit: str) -> int:
        """The draw of `commit`'s next measurement: the run's k-th for its k-th measurement."""
        with self._lock:
            k = self.measured.get(commit, 0)
            self.measured[commit] = k + 1
            self._save()
            return (self.base + k) % DRAWS

    def add(self, commit: str, value: float) -> None:
        with self._lock:
            self._add(commit, value)
            self._save()

    def _add(self, commit: str, value: float) -> None:
        self.figures.setdefault(commit, []).append(value)
        self._commit_of.setdefault(value, commit)

    def _save(self) -> None:
        if self.path is None:
            return
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.write_text(json.dumps({"base": self.base, "measured": self.measured,
                                   "figures": self.figures}), encoding="utf-8")
        os.replace(tmp, self.path)

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
    """`MetricEvaluator` on the commit's next draw of inner seeds, plus the held-out veto."""

    def __init__(self, task: Task, sandbox: Sandbox, *, heldout: HeldOut | None = None):
        super().__init__(task, sandbox)
        self.heldout = heldout or HeldOut()

    def evaluate(self, tree: Path, commit: str) -> Evaluation:
        one = copy.copy(self)  # this measurement's command: the task's, on the commit's draw
        metric = self.task.metric
        one.task = replace(self.task, metric=replace(
            metric, command=(*metric.command, "--draw", str(self.heldout.draw(commit)))))
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
