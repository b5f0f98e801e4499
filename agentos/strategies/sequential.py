"""The level of each look of a sequential test, so that the test as a whole keeps its level.

A test that looks at a growing sample after every re-run and stops at the first look that passes
a fixed level passes by chance far more often than that level: fourteen looks at 0.1% each pass
an exact tie about 0.6% of the time. Here the test's level `alpha` is spent over its looks
(Lan-DeMets alpha spending): by the look with `k` re-runs of at most `last`, the chance that an
exact tie has passed is at most `alpha * (k / last) ** rho`. `rho = 1` spends it about evenly
(close to Pocock's constant bound); a larger `rho` keeps more of it for the last looks (towards
O'Brien-Fleming's), a smaller one spends more on the first looks, where a plain gain is kept
after few runs.

The bound is computed for a reference known exactly (a gain estimated from the candidate's runs
alone), whose looks are the least alike: a reference estimated from runs of its own makes the
looks more alike, which for the same levels only lowers the chance of passing one (Slepian's
inequality). The statistic of the look with `k` runs is then the sum of `k` standard normal
increments, whose density below the bounds is carried from look to look on a grid (the recursive
integration of Armitage, McPherson and Rowe). The noise is known here; the caller turns each
look's level into a quantile of Student's t with its own degrees of freedom, the usual
approximation for an estimated noise.
"""

from __future__ import annotations

import functools
import math

GRID = 400  # points of the density below each bound: within 1e-3 of a grid of 2000


@functools.cache
def look_levels(alpha: float, rho: float, first: int, last: int) -> tuple[float, ...]:
    """The one-sided nominal level of each look, with `first` to `last` re-runs, that spends
    `alpha` over them as `alpha * (k / last) ** rho`: the level a look's own t-test uses."""
    if not 0 < alpha < 1 or rho <= 0 or not 1 <= first <= last:
        raise ValueError(f"no spending for alpha={alpha}, rho={rho}, looks {first}..{last}")
    from scipy.optimize import brentq
    from scipy.stats import norm

    def spent(k: int) -> float:
        return alpha * float((k / last) ** rho)

    levels = [spent(first)]
    walk = _Walk(first, last, float(norm.isf(levels[0])))
    for k in range(first + 1, last + 1):
        target = spent(k) - spent(k - 1)
        z = float(brentq(lambda z, target=target: walk.tail(z) - target, -30.0, 30.0))
        levels.append(float(norm.sf(z)))
        walk.advance(z)
    return tuple(levels)


def crossing(levels: tuple[float, ...], first: int) -> float:
    """The chance that an exact tie passes some look at the nominal `levels` of looks `first`,
    `first + 1`, ...: what such levels spend in all (0.1% at each of 14 looks spends 0.6%)."""
    from scipy.stats import norm

    walk = _Walk(first, first + len(levels) - 1, float(norm.isf(levels[0])))
    total = levels[0]
    for level in levels[1:]:
        z = float(norm.isf(level))
        total += walk.tail(z)
        walk.advance(z)
    return total


class _Walk:
    """The density of the sum of `k` standard normal runs on the paths that passed no look yet,
    on a grid below the last look's bound; each look's bound is a z-value times `sqrt(k)`."""

    def __init__(self, first: int, last: int, z: float):
        import numpy as np
        from scipy.stats import norm

        self.k = first
        self.low = -7 * math.sqrt(last)  # the density below this is negligible at every look
        self.grid = np.linspace(self.low, z * math.sqrt(first), GRID)
        self.density = norm.pdf(self.grid, scale=math.sqrt(first))

    def tail(self, z: float) -> float:
        """The chance of passing the next look, at z-value `z`, and no look before it."""
        import numpy as np
        from scipy.stats import norm

        bound = z * math.sqrt(self.k + 1)
        return float(np.trapezoid(self.density * norm.sf(bound - self.grid), self.grid))

    def advance(self, z: float) -> None:
        """Carry the density past the next look, at z-value `z`: one more run, then the cut."""
        import numpy as np
        from scipy.stats import norm

        self.k += 1
        below = np.linspace(self.low, z * math.sqrt(self.k), GRID)
        step = norm.pdf(below[:, None] - self.grid[None, :])
        self.density = np.trapezoid(self.density[None, :] * step, self.grid, axis=1)
        self.grid = below
