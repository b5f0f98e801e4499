"""Noise-aware acceptance: a gain smaller than the measured noise is not a gain.

The baseline is measured several times at the start; the sample standard deviation of those scores
is the noise `sd`. A candidate is compared with the commit it must beat (the best), whose score is
the mean of its unselected runs:

1. One measurement. A loss (or a tie) is discarded. A gain larger than `DIRECT_Z` standard
   deviations of a difference of two runs is kept at once, the standard deviation taken at the
   noise's upper confidence bound (`sd_upper`, at `SD_CONFIDENCE`): an estimate from few runs, or
   one that came out small by chance, cannot make a narrow band (on the landscape benchmark an
   estimate of 0.16 for a true 0.5, over 9 degrees of freedom, let a draw 0.99 ahead through a
   band of 0.95 that the estimate itself gave). A smaller gain is within the band: `remeasure`.
2. After `remeasure` the loop runs the candidate once more, and the best beside it unless the
   strategy asks for the candidate alone (`Decision.alone`, while the best has more runs). The
   candidate's re-runs are tested against the best's score over all its unselected runs, the ones
   it had before and its re-runs in this test: a one-sided t-test whose variance pools the noise
   estimate with the spread of the test's own runs (the candidate's re-runs, the best's). The
   first measurement only selected the candidate, so it is left out: a lucky draw cannot confirm
   itself.
3. The gain is kept when the test passes at the level of its look over at least `MIN_FRESH`
   re-runs. The test is sequential: re-measures go where they can decide something, and it looks
   after every re-run, up to 14 times. A fixed level at each look would pass a tie several times
   as often as that level says (0.1% at each of 14 looks passes an exact tie 0.6% of the time),
   so `ALPHA` is the level of the whole test, spent over its looks (`sequential.look_levels`, as
   `ALPHA * (k / 15) ** SPENDING` by the look with `k` re-runs): whatever look a candidate no
   better than the best would pass at, it is kept at most `ALPHA` of the time. A candidate is
   discarded when its re-runs show no gain on average, after `MAX_RUNS` measurements, or as soon
   as it cannot pass by then even if its gain were `OPTIMISM` standard errors larger than
   measured (the gain so raised, over the standard error the cap's runs would give, stays below
   the cap's critical value). Every reason names the re-measure runs the candidate cost.
4. Drift: when the best's re-runs in a test score above its earlier runs beyond the noise
   (`drifted`, at `DRIFT_ALPHA`), the metric has moved under the run (a timing on a machine
   whose load changed); the earlier runs are dropped, the test is judged against the re-runs
   alone, paired, and the best's score becomes theirs. So the first re-measure of every
   test runs the best beside the candidate: a re-run of the candidate alone could not tell a
   drift from a gain.
5. Every settled re-measure also sharpens the noise estimate: the spread of the candidate's
   re-runs and of the best's (each a group of runs of one commit) is pooled with the estimate so
   far (`pool`), adding their degrees of freedom.

The level is strict (0.3% a test) because a run tests many near-equal candidates near the best:
on the landscape benchmark, 0.5% per look (a variant with 10 measurements at most) made false
keeps in four of six agentos columns (2 on seeds 2000..2039, 5 on 3000..3039), and 0.1% per look
(0.6% a test) made one in 1,120 runs (seed 2037: a candidate 0.4 noise sd worse than the best,
kept after 12 re-runs at t=3.77 >= 3.45). Spent as the square root of the re-runs (`SPENDING`
0.5), the first look stays near 0.1%, so a plain gain costs the runs it did, and the later looks,
where a near-tie gets through, are at about 0.04% each. Chosen on seeds 2000..2039 among 0.2% and
0.3% saved for the last looks (`SPENDING` 2, dearer: more false discards) and 0.3% and 0.4% spent
early; confirmed on 3000..3039 and 4000..4039 (docs/search.md has the figures). `MAX_RUNS` (16)
was chosen on seeds 2000..2039 among 10, 14, 16 and 18: with the best's earlier runs in the test
and re-runs of the candidate alone, a measurement mostly costs one run rather than two, so a
longer test costs little more budget than the old one of 9 fresh pairs.

With no noise estimate (fewer than two baseline scores, or all equal) the comparison is plain.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

DIRECT_Z = 4.0
SD_CONFIDENCE = 0.01  # a direct keep holds the gain against the noise's 99% upper bound
ALPHA = 0.003  # per test, over all its looks (`sequential.look_levels`)
SPENDING = 0.5  # spent as (k / last) ** SPENDING: < 1 spends more on the early looks
MIN_FRESH = 2
MAX_RUNS = 16  # the most measurements of one candidate: its first and 15 re-runs
OPTIMISM = 1.5  # standard errors of benefit of the doubt before a candidate is given up
DRIFT_ALPHA = 0.01  # one-sided: a false alarm only costs the test the best's earlier runs


# The nominal level of each look, with MIN_FRESH to MAX_RUNS - 1 re-runs: `look_levels(ALPHA,
# SPENDING, MIN_FRESH, MAX_RUNS - 1)` as it computes them (tests/strategies/test_sequential.py
# holds the two equal). Computing them loads scipy.stats and scipy.optimize and takes a second or
# two in every process that runs the noise rule: each worker of a self-tune measurement, each of
# its inner metric commands.
LEVELS = (
    0.0010954451150103322, 0.00042131525463838147, 0.000367378974915487, 0.00035312306953767147,
    0.00035019883163185336, 0.00035197608691497076, 0.00035608164804058924,
    0.0003614585069184124, 0.00036756854057238235, 0.0003741121234866422,
    0.0003809115145972292, 0.0003878562865197447, 0.0003948754484815017, 0.00040192220725412297,
)


def t_critical(df: int, fresh: int = MAX_RUNS - 1) -> float:
    """The critical value of Student's t with `df` degrees of freedom at the look with `fresh`
    re-runs of the candidate (the last by default): the quantile at that look's nominal level
    (`LEVELS`), which spends `ALPHA` over the test's looks (`sequential.look_levels`)."""
    last = MAX_RUNS - 1
    return t_quantile(1 - LEVELS[min(max(fresh, MIN_FRESH), last) - MIN_FRESH], df)


# scipy.special's functions are those scipy.stats' `t.ppf` and `chi2.ppf` call, to the last bit;
# scipy.special loads in a fraction of the time scipy.stats takes.
@functools.cache
def t_quantile(p: float, df: int) -> float:
    """The `p` quantile of Student's t with `df` degrees of freedom (infinite below 1)."""
    if df < 1:
        return math.inf
    from scipy.special import stdtrit  # imported on first use: it takes a noticeable time to load

    return float(stdtrit(df, p))


@functools.cache
def _chi2_low(df: int) -> float:
    """The `SD_CONFIDENCE` quantile of chi-square with `df` degrees of freedom."""
    from scipy.special import gammaincinv

    return float(2 * gammaincinv(df / 2, SD_CONFIDENCE))


def sd_upper(sd: float, df: int) -> float:
    """An upper confidence bound on the noise, at `1 - SD_CONFIDENCE`, from an estimate `sd` with
    `df` degrees of freedom (chi-square): 5.1x the estimate with 3 df, 2.1x with 9, 1.3x with 50."""
    return sd * math.sqrt(df / _chi2_low(df))


def direct_band(sd: float, df: int) -> float:
    """The gain a single measurement must exceed to be kept at once: `DIRECT_Z` standard
    deviations of a difference of two runs, the noise taken at its upper bound (`sd_upper`)."""
    return DIRECT_Z * sd_upper(sd, df) * math.sqrt(2)


def smallest_confirmed(sd: float, df: int, reference_runs: int, reruns: int) -> float:
    """The smallest true gain that `reruns` re-runs of a candidate, each beside a re-run of the
    best, would confirm if every run measured it exactly: the sequential test's critical value at
    that look (the re-runs' spread pooled into the noise's `df`) times the standard error of the
    difference (the best's `reference_runs` earlier runs and its re-runs). Infinite below
    `MIN_FRESH` re-runs."""
    if reruns < MIN_FRESH:
        return math.inf
    se = sd * math.sqrt(1 / reruns + 1 / (reference_runs + reruns))
    return t_critical(df + 2 * (reruns - 1), reruns) * se


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
    drift: bool = False  # the reference's re-runs disagree with its earlier runs


def judge(
    scores: Sequence[float],
    reference: float,
    reference_rescores: Sequence[float],
    sd: float,
    noise_df: int,
    reference_runs: int = 0,
) -> Judgement:
    """Is a candidate with `scores` better than a commit scored `reference`?

    `reference` is the mean of the commit's `reference_runs` unselected runs (0: it is a single
    draw that selected the commit, which its first re-run replaces); `reference_rescores` are its
    re-measurements beside `scores[1:]`; `sd` is the noise estimated with `noise_df` degrees of
    freedom.
    """
    first = scores[0] - reference
    if sd <= 0 or noise_df < 1:
        if first > 0:
            why = "no noise estimate" if noise_df < 1 else "the baseline's re-runs agreed: no noise"
            return Judgement("better", f"gain {first:.4g} ({why})")
        return Judgement("not-better", f"no gain ({first:+.4g})")
    fresh = [float(x) for x in scores[1:]]
    rescores = [float(x) for x in reference_rescores]
    if not fresh:
        if first <= 0:  # the best's score is the mean of its runs, not its first measurement
            return Judgement("not-better", f"no gain ({first:+.4g} against the best's mean)")
        band = direct_band(sd, noise_df)
        if first > band:
            return Judgement("better", f"gain {first:.4g} beyond the noise band {band:.3g}")
        return Judgement("unsure", f"gain {first:.4g} within the noise band {band:.3g}: re-measure")
    k = len(fresh)
    # the noise estimate pooled with this test's own spread, of the candidate and the reference
    s, df = pool(sd, noise_df, [fresh, rescores])
    drift = drifted(reference, reference_runs, rescores, s, df)
    if drift:  # the earlier runs describe a machine that has changed: the re-runs alone count
        reference_runs = 0
    n = reference_runs + len(rescores)
    if n == 0:
        return Judgement("unsure", "the reference has no unselected run: re-measure it")
    # the reference's earlier runs and its re-runs in this test estimate it together
    ref = (reference * reference_runs + sum(rescores)) / n
    d = mean(fresh) - ref
    se = s * math.sqrt(1 / k + 1 / n)
    t = d / se
    crit = t_critical(df, k)
    spent = f"{k + len(rescores)} re-measure runs"
    if drift:
        spent += (
            f"; the best's {len(rescores)} re-run(s) moved {mean(rescores) - reference:+.4g}"
            " from its earlier runs (drift): judged against the re-runs alone"
        )
    if t >= crit and k >= MIN_FRESH:
        return Judgement(
            "better", f"gain {d:.4g} over {k} re-run(s), t={t:.2f} >= {crit:.2f} ({spent})", drift
        )
    left = MAX_RUNS - len(scores)  # fresh pairs still allowed
    # where t would be at the cap if the gain were `OPTIMISM` standard errors larger than
    # measured: a candidate that cannot get there is settled now, one that can is measured again
    at_cap = s * math.sqrt(1 / (k + left) + 1 / max(n, k + left))
    reach = (d + OPTIMISM * se) / at_cap
    cap = t_critical(df + 2 * left, k + left)
    if k >= 2 and d <= 0:
        why = "no gain"
    elif left <= 0:
        why = f"{MAX_RUNS} measurements"
    elif reach < cap:
        why = f"cannot reach t={cap:.2f} in {left} more"
    else:
        return Judgement(
            "unsure", f"{d:+.4g} over {k} re-run(s), t={t:.2f}: re-measure ({spent})", drift
        )
    return Judgement(
        "not-better",
        f"gain not real ({why}): {d:+.4g} over {k} re-run(s), t={t:.2f} < {crit:.2f} ({spent})",
        drift,
    )


def drifted(
    reference: float, reference_runs: int, rescores: Sequence[float], sd: float, df: int
) -> bool:
    """Whether the reference's re-runs in this test score above its `reference_runs` earlier runs
    (mean `reference`) beyond the noise, at `DRIFT_ALPHA`: the metric moved under the run (a
    timing on a machine whose load changed), and the earlier runs would let any candidate look
    better than it is. Only that direction counts: dropping the earlier runs then raises the bar,
    so a drift seen by chance costs the test power, never a false keep (the other direction would
    judge candidates against re-runs that came out low by chance). The level is loose because a
    false alarm is cheap and a missed drift is not."""
    if not rescores or reference_runs == 0 or sd <= 0:
        return False
    se = sd * math.sqrt(1 / len(rescores) + 1 / reference_runs)
    return mean(rescores) - reference > t_quantile(1 - DRIFT_ALPHA, df) * se


def judge_paired(scores: Sequence[float], reference_draws: Sequence[float],
                 sd: float, noise_df: int) -> Judgement:
    """Is a candidate with `scores` better than a commit measured `reference_draws`, where the
    metric's k-th measurement of every commit runs on the same k-th draw (common random numbers:
    `[search] paired`)? The two are compared draw by draw: a draw that is easy or hard for every
    commit moves both scores alike, and their difference does not carry it.

    The first draw is compared with the reference's first: a loss or a tie is discarded, a gain
    beyond the noise band (`direct_band`, the unpaired noise `sd`: a bound, since a difference on
    one draw varies less than two independent ones) is kept at once, a smaller one is re-measured.
    Then the differences on the later draws both have measured (the first only selected the
    candidate) are tested by a one-sided paired t-test, their own spread their variance (`n - 1`
    degrees of freedom): pooling the spread of other tests would be wrong, since a change that
    alters every run's path varies as much paired as unpaired and one that alters few varies
    little. A candidate whose differences, the first included, do not gain on average is
    discarded. The levels, the cap and the give-up rule are the unpaired test's (`judge`).
    Should the best's draws and the candidate's fall out of step (a test cut short by the
    budget), the pairs are of independent draws: the test stays valid, only less sharp."""
    if not reference_draws:
        return Judgement("unsure", "the reference has no draw: re-measure it")
    first = scores[0] - reference_draws[0]
    if len(scores) == 1:
        if first <= 0:
            return Judgement("not-better", f"no gain ({first:+.4g} on the same draw)")
        if sd <= 0 or noise_df < 1:
            return Judgement("better", f"gain {first:.4g} on the same draw (no noise estimate)")
        band = direct_band(sd, noise_df)
        if first > band:
            return Judgement("better", f"gain {first:.4g} on the same draw, beyond the noise "
                             f"band {band:.3g}")
        return Judgement("unsure", f"gain {first:.4g} on the same draw, within the noise band "
                         f"{band:.3g}: re-measure")
    diffs = [c - r for c, r in zip(scores[1:], reference_draws[1:], strict=False)]
    k = len(diffs)
    spent = f"{k} paired draw(s)"
    overall = mean([first, *diffs])  # the draw that selected it included
    if k and overall <= 0:
        return Judgement("not-better", f"no gain ({overall:+.4g} over {k + 1} paired draws)")
    if k < MIN_FRESH:
        return Judgement("unsure", f"{first:+.4g} on the first draw, {k} paired: re-measure")
    d, s = mean(diffs), sample_sd(diffs)
    left = MAX_RUNS - len(scores)
    if s <= 0:  # every draw moved by the same amount: the change is exact, not noise
        if d > 0:
            return Judgement("better", f"gain {d:.4g} on each of {k} paired draws")
        return Judgement("not-better", f"no gain ({d:+.4g} on each of {k} paired draws)")
    se = s / math.sqrt(k)
    t = d / se
    crit = t_critical(k - 1, k)
    if t >= crit:
        return Judgement("better", f"gain {d:.4g} over {spent}, t={t:.2f} >= {crit:.2f}")
    at_cap = s / math.sqrt(k + left)
    cap = t_critical(k + left - 1, k + left)
    if d <= 0:
        why = "no gain"
    elif left <= 0:
        why = f"{MAX_RUNS} measurements"
    elif (d + OPTIMISM * se) / at_cap < cap:
        why = f"cannot reach t={cap:.2f} in {left} more"
    else:
        return Judgement("unsure", f"{d:+.4g} over {spent}, t={t:.2f}: re-measure")
    return Judgement("not-better",
                     f"gain not real ({why}): {d:+.4g} over {spent}, t={t:.2f} < {crit:.2f}")
