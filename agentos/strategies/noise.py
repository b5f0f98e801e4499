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
3. The gain is kept when the test passes at `ALPHA` (per look); it is discarded when the fresh
   pairs show no gain on average, or after `MAX_RUNS` measurements of the candidate.

With no noise estimate (fewer than two baseline scores, or all equal) the comparison is plain.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

DIRECT_Z = 3.0
ALPHA = 0.025
MAX_RUNS = 4

# One-sided critical values of Student's t at alpha = 0.025 (= two-sided 0.05), df = 1..30.
_T975 = (
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
    2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
    2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
)


def t_critical(df: int) -> float:
    """The one-sided 97.5% quantile of Student's t with `df` degrees of freedom."""
    if df < 1:
        return math.inf
    if df <= len(_T975):
        return _T975[df - 1]
    return 1.960 + 2.4 / df  # close to the exact value beyond 30


def mean(xs: Sequence[float]) -> float:
    return sum(xs) / len(xs)


def sample_sd(xs: Sequence[float]) -> float:
    """Standard deviation with n - 1 in the denominator; 0 for fewer than two values."""
    if len(xs) < 2:
        return 0.0
    m = mean(xs)
    return math.sqrt(sum((x - m) ** 2 for x in xs) / (len(xs) - 1))


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
    band = DIRECT_Z * sd * math.sqrt(2)
    fresh = [c - r for c, r in zip(scores[1:], reference_rescores, strict=False)]
    if not fresh:
        if first <= 0:
            return Judgement("not-better", f"no gain ({first:+.4g})")
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
    if t >= crit:
        return Judgement(
            "better", f"paired gain {d:.4g} over {k} re-run(s), t={t:.2f} >= {crit:.2f}"
        )
    if (k >= 2 and d <= 0) or len(scores) >= MAX_RUNS:
        return Judgement(
            "not-better",
            f"gain not real: paired {d:+.4g} over {k} re-run(s), t={t:.2f} < {crit:.2f}",
        )
    return Judgement("unsure", f"paired {d:+.4g} over {k} re-run(s), t={t:.2f}: re-measure")
