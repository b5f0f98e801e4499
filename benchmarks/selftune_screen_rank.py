"""How reliably the outer screen ranks the lever: a simulation (a benchmark, not a test).

The outer run's screening start-up (`start = "oat"`) measures each profile key alone at a far
value and combines the keys whose point beat the screen's median, ranked by their figure, 2 to 6
at a time (`agentos.providers.heuristic.design.combining`). This draws the screen's figures:
the lever's two keys at their ablation gains (`screen = 3` +0.025, `start = "sobol"` +0.021,
benchmarks/results/selftune-mechanisms-2core.txt), null keys, and clear losers, each point the
mean of DRAWS measurements of noise sd SD (0.034 in the two-draw run,
benchmarks/results/selftune-twodraw-2core.txt), and counts how often both lever keys rank in
the top two (the first joint move), the top three, and among the six combined.

    python -m benchmarks.selftune_screen_rank [--sd 0.034] [--screens 20000]
"""

from __future__ import annotations

import argparse
import random
import statistics

from agentos.providers.heuristic.design import MOST_COMBINED as COMBINED

LEVER = (0.025, 0.021)
NULL_KEYS = 16
LOSERS = 6  # mode mutate, max_measures 2, noise_reruns 0, remeasure_share 0, ...: about -0.2
LOSS = -0.2


def shares(sd: float, draws: int, screens: int, seed: int = 0) -> tuple[float, float, float]:
    """The shares of screens whose ranking puts both lever keys in the top two, the top three,
    and among the `COMBINED` winners above the median."""
    rng = random.Random(seed)
    effects = [*LEVER, *[0.0] * NULL_KEYS, *[LOSS] * LOSERS]
    top2 = top3 = combined = 0
    for _ in range(screens):
        figures = [e + statistics.fmean(rng.gauss(0.0, sd) for _ in range(draws))
                   for e in effects]
        order = sorted(range(len(figures)), key=lambda i: -figures[i])
        rank = {i: r for r, i in enumerate(order)}
        top2 += rank[0] < 2 and rank[1] < 2
        top3 += rank[0] < 3 and rank[1] < 3
        median = statistics.median(figures)
        winners = [i for i in order if figures[i] > median][:COMBINED]
        combined += 0 in winners and 1 in winners
    return top2 / screens, top3 / screens, combined / screens


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sd", type=float, default=0.034, help="one measurement's noise sd")
    parser.add_argument("--screens", type=int, default=20000, help="screens simulated")
    args = parser.parse_args()
    for draws in (1, 2, 4, 8):
        t2, t3, c = shares(args.sd, draws, args.screens)
        print(f"sd {args.sd} draws {draws}: both lever keys top-2 {t2:.3f}, top-3 {t3:.3f}, "
              f"among the {COMBINED} combined {c:.3f}")


if __name__ == "__main__":
    main()
