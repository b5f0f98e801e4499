"""Noise-aware acceptance: a gain smaller than the measured noise is not a gain.

The baseline is measured several times at the start; the sample standard deviation of those scores
is the noise `sd`. A candidate is compared with the commit it must beat (the best):

1. One measurement. A loss (or a tie) is discarded. A gain larger than `DIRECT_Z` standard
   deviations of a difference of two runs (`sd * sqrt(2)`) is kept at once. A smaller gain is
   within the noise band: the verdict is `remeasure`.
2. After `remeasure` the loop runs the candidate and the best once more, side by side, and the
   fresh pairs are tested: a one-sided paired t-test on the differences, its variance pooled with
   the baseline's (whose degrees of freedom it adds). The first measurement only selected the
   candidate, so it is left out of the test: a lucky draw cannot confirm itself.
3. The gain is kept when the test passes at `ALPHA` (per look) over at least `MIN_FRESH` fresh
   pairs; it is discarded when the fresh pairs show no gain on average, or after `MAX_RUNS`
   measurements of the candidate. The strict level, the two-pair minimum and the wide direct band
   come from the landscape benchmark: at 2.5% with one pair, model-based proposals (which test
   many near-equal candidates near the best) made false keeps; with these, none.

4. Every settled re-measure also sharpens the noise estimate: the spread of the candidate's fresh
   runs and of the best's re-runs (each a group of runs of one commit) is pooled with the
   baseline's (`pool`), and their degrees of freedom added. The baseline alone gives few (3 for
   the default 3 re-runs, where Student's t needs a gain of 4.5 standard errors at 1%); a run
   that re-measures often soon has enough for the test to confirm real gains of half that size,
   at the same level.

With no noise estimate (fewer than two baseline scores, or all equal) the comparison is plain.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

DIRECT_Z = 4.0
ALPHA = 0.01
MIN_FRESH = 2
MAX_RUNS = 4
SCREEN_Z = 0.0
FUTILITY = False

# One-sided critical values of Student's t at alpha = 0.01, df = 1..30.
_T99 = (
    31.821,
    6.965,
    4.541,
    3.747,
    3.365,
    3.143,
    2.998,
    2.896,
    2.821,
    2.764,
    2.718,
    2.681,
    2.650,
    2.624,
    2.602,
    2.583,
    2.567,
    2.552,
    2.539,
    2.528,
    2.518,
    2.508,
    2.500,
    2.492,
    2.485,
    2.479,
    2.473,
    2.467,
    2.462,
    2.457,
)


def t_critical(df: int) -> float:
    """The one-sided 99% quantile of Student's t with `df` degrees of freedom."""
    if df < 1:
        return math.inf
    if df <= len(_T99):
        return _T99[df - 1]
    return 2.326 + 3.9 / df  # close to the exact value beyond 30


def mean(xs: Sequence[float]) -> float:
    return sum(xs) / len(xs)


def sample_sd(xs: Sequence[float]) -> float:
    """Standard deviation with n - 1 in the denominator; 0 for fewer than two values."""
    if len(xs) < 2:
        return 0.0
    m = mean(xs)
    return math.sqrt(sum((x - m) ** 2 for x in xs) / (len(xs) - 1))


def pool(sd: float, df: int, groups: Sequence[Sequence[float]]) -> tuple[float, int]:
    """The noise estimate `sd` (with `df` degrees of freedom) pooled with the within-group spread
    of `groups`, each a list of runs of one commit: the pooled standard deviation and its df."""
    ss = sd * sd * df
    for g in groups:
        if len(g) >= 2:
            m = mean(g)
            ss += sum((x - m) ** 2 for x in g)
            df += len(g) - 1
    return (math.sqrt(ss / df) if df > 0 else 0.0), df


@dataclass(frozen=True)
class Judgement:
    verdict: Literal["better", "not-better", "unsure"]
    reason: str


def judge(
    scores: Sequence[float],
    reference: float,
    reference_rescores: Sequence[float],
    sd: float,
    noise_df: int,
) -> Judgement:
    """Is a candidate with `scores` better than a commit scored `reference`?

    `reference_rescores` are the reference's re-measurements paired with `scores[1:]`; `sd` is the
    noise estimated with `noise_df` degrees of freedom.
    """
    first = scores[0] - reference
    if sd <= 0 or noise_df < 1:
        if first > 0:
            return Judgement("better", f"gain {first:.4g} (no noise estimate)")
        return Judgement("not-better", f"no gain ({first:+.4g})")
    fresh = [c - r for c, r in zip(scores[1:], reference_rescores, strict=False)]
    if not fresh:
        if first <= 0:
            return Judgement("not-better", f"no gain ({first:+.4g})")
        band = DIRECT_Z * sd * math.sqrt(2)
        if first <= SCREEN_Z * sd * math.sqrt(2):
            return Judgement("not-better", f"gain {first:.4g} too small to confirm")
        if first > band:
            return Judgement("better", f"gain {first:.4g} beyond the noise band {band:.3g}")
        return Judgement("unsure", f"gain {first:.4g} within the noise band {band:.3g}: re-measure")
    k = len(fresh)
    d = mean(fresh)
    # pool the fresh pairs' variance with the baseline's estimate of a difference's variance
    var0 = 2 * sd * sd
    df = noise_df + (k - 1)
    pooled = (noise_df * var0 + (k - 1) * sample_sd(fresh) ** 2) / df
    t = d / math.sqrt(pooled / k)
    crit = t_critical(df)
    if t >= crit and k >= MIN_FRESH:
        return Judgement(
            "better", f"paired gain {d:.4g} over {k} re-run(s), t={t:.2f} >= {crit:.2f}"
        )
    if (k >= (1 if FUTILITY else 2) and d <= 0) or len(scores) >= MAX_RUNS:
        return Judgement(
            "not-better",
            f"gain not real: paired {d:+.4g} over {k} re-run(s), t={t:.2f} < {crit:.2f}",
        )
    return Judgement("unsure", f"paired {d:+.4g} over {k} re-run(s), t={t:.2f}: re-measure")
