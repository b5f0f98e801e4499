"""The hybrid mode's second local move: a hop of one setting, for rugged landscapes.

The (1+1) evolution strategy's move (`mutate.local_move`) changes every setting at once by a
step that shrinks as it fails; inside one basin of a multimodal landscape it converges to that
basin's floor and stays there, its gains ever smaller. A hop changes one setting by a wide step,
the typed mutation's (`HOP_SIGMA` of its range, as keep/revert moves), so it can land in another
basin; on a landscape that is close to separable, a better basin of one setting is better
whatever the others are.

Which of the two a local proposal uses follows what each gained in this run (adaptive operator
selection by probability matching): the share of hops is the mean gain per try of the last
`WINDOW` hops, over that plus the mean gain per try of the last `WINDOW` evolution-strategy
moves (a try that was not kept gains 0), held within `FLOOR`..1 - `FLOOR` so neither move is
abandoned; it is `START` until both have been tried, and one half while neither gains. On a
smooth bowl the strategy's moves gain more and hops fade toward the floor; where the strategy's
step has collapsed into a basin, hops gain more and take over. Replayed from the history's
descriptions (`HOP`, `mutate.LOCAL`) and statuses, so it needs no state and a resumed run makes
the same choices.

On a noisy metric no hop is made: one draw cannot tell a hop's gain, and the local moves there
are chosen by a model of the measurements (`surrogate`).
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from typing import Any

from agentos.providers.heuristic.mutate import LOCAL, _other, _reflect, sig
from agentos.state import HistoryItem

HOP = " | hop "
HOP_SIGMA = 0.15  # of a setting's (log) range: the typed mutation's step for a bounded number
WINDOW = 6  # the latest tries of each move that its gain is averaged over
FLOOR = 0.1  # the least share either move keeps
START = 0.25  # the share of hops until both moves have been tried


def hop_share(history: Sequence[HistoryItem], goal: str) -> float:
    """The share of local proposals that hop: each move's mean gain per try over the last
    `WINDOW` tries (gain over its parent's metric when kept, else 0), matched in proportion.
    Without noise only; the hybrid mode draws a hop with this probability."""
    metric = {h["commit"]: h["metric"] for h in history if h["metric"] is not None}
    gains: dict[str, list[float]] = {HOP: [], LOCAL: []}
    for h in history:
        move = HOP if HOP in h["description"] else LOCAL if LOCAL in h["description"] else ""
        if not move or h["metric"] is None or h["parent"] not in metric:
            continue
        gain = h["metric"] - metric[h["parent"]]
        gains[move].append(max(0.0, gain if goal == "max" else -gain) if h["status"] == "keep"
                           else 0.0)
    hops, steps = gains[HOP][-WINDOW:], gains[LOCAL][-WINDOW:]
    if not hops or not steps:
        return START
    a, b = sum(hops) / len(hops), sum(steps) / len(steps)
    if a + b <= 0:
        return 0.5  # neither gains: both are stuck, and a hop is the move that may leave
    return min(max(a / (a + b), FLOOR), 1 - FLOOR)


def hop(
    space: Mapping[str, tuple[str, Any]],
    current: Mapping[str, Any],
    rng: random.Random,
    sigma: float = HOP_SIGMA,
) -> dict[str, Any]:
    """A move of one setting: a number by a Gaussian step of `sigma` of its (log) range,
    reflected at its bounds, a bool or choice to another value. `space` and `current` are as
    for `mutate.local_move`. The setting changes, unless `_DRAWS` Gaussian draws all round to
    its value (the caller's freshness check then draws again)."""
    out = dict(current)
    name = rng.choice(sorted(space))
    kind, dist = space[name]
    if kind in ("bool", "choice"):
        out[name] = _other(dist.choices, current[name], rng)
        return out
    lo, hi = float(dist.low), float(dist.high)
    f = math.log if dist.log else float
    span = f(hi) - f(lo)
    for _ in range(_DRAWS):
        u = (f(float(current[name])) - f(lo)) / span + rng.gauss(0, sigma)
        x = f(lo) + span * _reflect(u, 0.0, 1.0)
        x = math.exp(x) if dist.log else x
        out[name] = min(max(round(x), lo), hi) if kind != "float" else sig(x, 4, lo, hi)
        if out[name] != current[name]:
            break
    return out


_DRAWS = 8
