"""The outer run's evaluator: the inner suite, run in the sandbox by the installed agentos.

It is the task's metric command (`python -m agentos.selftune.inner`, with agentos' own Python,
on the candidate snapshot) read the way tune-skills' evaluator reports a held-out split: the
metric is the train gain, `details` hold each train task's gain (shown to the proposer), and
`holdout` holds the held-out gain, which only `veto` reads: a candidate the strategy would keep
is refused when its held-out gain falls below the incumbent's. The held-out line is cut from the
log tail, which the loop may show.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from agentos.evaluate import Evaluation, MetricEvaluator

HOLDOUT = "holdout/all"
_HOLDOUT_LINE = re.compile(r"^holdout: (\S+)$", re.MULTILINE)
_TASK_LINE = re.compile(r"^train/(\S+): (\S+)$", re.MULTILINE)


class SelfTuneEvaluator(MetricEvaluator):
    """`MetricEvaluator` plus the held-out gain and its veto."""

    def evaluate(self, tree: Path, commit: str) -> Evaluation:
        e = super().evaluate(tree, commit)
        if e.status is not None or e.metric is None:
            return e
        found = _HOLDOUT_LINE.findall(e.log_tail)
        if len(found) != 1:
            return replace(e, metric=None, status="invalid",
                           reason="the inner suite printed no single held-out line")
        details = {f"train/{name}": float(v) for name, v in _TASK_LINE.findall(e.log_tail)}
        tail = _HOLDOUT_LINE.sub("", e.log_tail).strip()
        return replace(e, details=details, holdout={HOLDOUT: float(found[0])}, log_tail=tail)

    def veto(self, incumbent: Evaluation, candidate: Evaluation) -> str | None:
        return holdout_veto(incumbent, candidate)


def holdout_veto(incumbent: Evaluation, candidate: Evaluation) -> str | None:
    """Why a candidate must not be kept: its held-out gain fell below the incumbent's."""
    before, after = incumbent.holdout.get(HOLDOUT), candidate.holdout.get(HOLDOUT)
    if before is not None and after is not None and after < before - 1e-9:
        return f"held-out gain fell from {before:.4f} to {after:.4f}"
    return None
