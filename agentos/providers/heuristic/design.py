"""A space-filling design over TPE's space: the start-up's points and the restarts' jumps.

TPE's start-up samples each configuration independently at random; a dozen independent draws
crowd some regions and leave others empty, so a narrow basin far from the start (a needle on a
plateau, the deep basin of a deceptive landscape) is missed in a share of the runs that no later
refinement recovers. A scrambled Sobol sequence (Owen's scrambling: randomized quasi-Monte Carlo)
spreads its points evenly over the unit cube, each coordinate stratified, and stays a random
design: each point is uniform, and the run's seed draws the scrambling.

The design is the run's (seeded by the task's search seed, not the experiment), so its points
come in the same order on every call: `point` returns the first one not measured yet. The
profile picks where it is used (`agentos.profile.Sampler`): `start = "sobol"` takes the
start-up's configurations from it, and `stall = K` jumps to its next point after K experiments
without a keep (a restart on stagnation, far from the best rather than beside it).
"""

from __future__ import annotations

import math
import random
import statistics
import warnings
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from agentos.memory import JOINT_MOVE, SCREEN_POINT

DESIGN = " | design "  # the description's note of a design point
POINTS = 256  # the design's length: 2**8, a Sobol sequence's balanced size


def point(
    dists: Mapping[str, Any], seed: int, accept: Callable[[dict[str, Any]], bool]
) -> dict[str, Any] | None:
    """The first point of the run's design that `accept` takes (one not measured yet), as
    Optuna parameter values of `dists` (name -> distribution), or None when all `POINTS` are
    taken. `seed` is the run's: the design is the same on every call."""
    from scipy.stats import qmc  # imported on first use: it takes a noticeable time to load

    names = sorted(dists)
    rng = random.Random(f"agentos-design:{seed}:{','.join(names)}")
    sobol = qmc.Sobol(d=len(names), scramble=True, seed=rng.getrandbits(32))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rows = sobol.random_base2(int(math.log2(POINTS)))
    for row in rows:
        params = {n: value(dists[n], float(u)) for n, u in zip(names, row, strict=True)}
        if accept(params):
            return params
    return None


def value(dist: Any, u: float) -> Any:
    """The value of an Optuna distribution at quantile `u` in [0, 1): a choice's stratum, an
    integer's or a float's point on its (log) scale."""
    from optuna.distributions import CategoricalDistribution, IntDistribution

    if isinstance(dist, CategoricalDistribution):
        return dist.choices[min(int(u * len(dist.choices)), len(dist.choices) - 1)]
    lo, hi = float(dist.low), float(dist.high)
    if isinstance(dist, IntDistribution):
        if dist.log:
            x = math.exp(math.log(lo) + u * (math.log(hi + 1) - math.log(lo)))
        else:
            x = lo + u * (hi - lo + 1)
        return int(min(max(math.floor(x), lo), hi))
    x = math.exp(math.log(lo) + u * (math.log(hi) - math.log(lo))) if dist.log else (
        lo + u * (hi - lo))
    return min(max(x, lo), hi)


# --- the screening design: one setting at a time at a far value, then the winners together ----

SCREEN = SCREEN_POINT.removeprefix(DESIGN)  # of a one-setting point: ` | design screen NAME=V`
COMBINE = JOINT_MOVE.removeprefix(DESIGN)  # of a joint move of the winners: `combine K: A, B`
MOST_COMBINED = 6  # the most winners one joint move sets


def far(dist: Any, now: Any) -> list[Any]:
    """The far values of a setting now at `now` (Optuna's parameter value): a number's end of
    its (log) range farther from `now` (the upper end on a tie), every other choice of a choice
    or a bool."""
    from optuna.distributions import CategoricalDistribution

    if isinstance(dist, CategoricalDistribution):
        return [c for c in dist.choices if c != now]
    lo, hi = float(dist.low), float(dist.high)
    f = math.log if dist.log else float
    u = (f(float(now)) - f(lo)) / (f(hi) - f(lo))
    return [dist.low if u > 0.5 else dist.high]


def screening(
    dists: Mapping[str, Any], current: Mapping[str, Any],
    show: Callable[[str, Any], str] = lambda name, v: str(v),
) -> list[tuple[str, dict[str, Any]]]:
    """The screen's points, in order: `current` with one setting moved to one of its far values
    (`far`), every setting of `dists` in turn (name order), each with its note (`screen
    NAME=V`, V as `show` writes the value). A lever of a few settings set far from the start
    shows in these points one setting at a time, where a draw that moves most settings at once
    loses what the others cost."""
    out = []
    for name in sorted(dists):
        for v in far(dists[name], current[name]):
            if v != current[name]:
                out.append((f"{SCREEN}{name}={show(name, v)}", {**current, name: v}))
    return out


def combining(
    current: Mapping[str, Any], screened: Sequence[tuple[str, Any, float]], goal: str,
) -> list[tuple[str, dict[str, Any]]]:
    """The joint moves after the screen: `screened` holds each screened point's setting, value
    and mean metric; the winners are the settings whose point beat the median of the screen's
    points (a choice's best value only), ranked by their gain; the moves set the best 2, 3, ...
    `MOST_COMBINED` of them at once (note `combine K: A, B, ...`), so the settings that helped
    alone are tried together. Most settings move the metric by little, so the median is the
    parent's level, measured over every point: the parent's own few measurements can be high
    by luck (a start measured at 0.833 against points of 0.72 to 0.83), and then no point beats
    it and nothing is combined. Where several points measured exactly the same (settings that
    change nothing measured, on a deterministic metric or one whose measurements share their
    luck: `agentos self-tune`'s common draws), that value is the parent's level instead: those
    points tie it, and a median pulled below it by the losers would count them winners."""
    if not screened:
        return []
    sign = 1.0 if goal == "max" else -1.0
    counts = Counter(metric for _, _, metric in screened)
    tied = max(counts, key=lambda m: (counts[m], sign * m))
    level = tied if counts[tied] > 1 else statistics.median(counts.elements())
    top: dict[str, tuple[float, Any]] = {}
    for name, v, metric in screened:
        gain = sign * (metric - level)
        if gain > 0 and (name not in top or gain > top[name][0]):
            top[name] = (gain, v)
    ranked = sorted(top, key=lambda n: (-top[n][0], n))[:MOST_COMBINED]
    out = []
    for k in range(2, len(ranked) + 1):
        names = ranked[:k]
        params = {**current, **{n: top[n][1] for n in names}}
        out.append((f"{COMBINE}{k}: {', '.join(names)}", params))
    return out
