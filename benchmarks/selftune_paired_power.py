"""How often the noise rule keeps a gain on common draws, paired and unpaired (a benchmark).

A simulated outer metric: each draw has its own level (sd `--spread`: some draws of inner seeds
are easy for every profile), and a profile's measurement on a draw is that level plus its own
noise; the candidate gains `--gain` on every draw. The paired sd of the difference on one draw is
`--sd`. Every trial runs one candidate's test through the greedy strategy as the loop does (the
best measured on draws 0..3 first, re-runs of the best beside the candidate when the decision is
not alone), with `[search] paired` on and off, and prints the share kept and the mean
measurements of the candidate. With `--gain 0 --independent` the candidate's draws share nothing
with the best's (a change that alters every run's path): the share kept is the false keeps.

    python -m benchmarks.selftune_paired_power --gain 0.0224 --sd 0.0227
    python -m benchmarks.selftune_paired_power --gain 0 --sd 0.07 --independent --trials 1000
"""

from __future__ import annotations

import argparse
import random
from typing import Any

from agentos.profile import configure, parse_profile
from agentos.strategies import get_strategy

START = 4  # the outer run's start: its first measurement and 3 re-runs


def trial(paired: bool, best: list[float], cand: list[float]) -> tuple[bool, int]:
    """One candidate's test: whether it is kept, and its measurements."""
    g: Any = configure(get_strategy("greedy"),
                       parse_profile(f"[search]\npaired = {str(paired).lower()}\n"))
    state = g.start("best", best[:START], seed=0)
    scores, beside = [cand[0]], list[float]()
    while True:
        d = g.decide(state, 1, "candidate", scores, beside)
        if d.verdict != "remeasure":
            return d.verdict == "keep", len(scores)
        if not d.alone:
            beside.append(best[START + len(beside)])
        scores.append(cand[len(scores)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gain", type=float, default=0.0224)
    parser.add_argument("--sd", type=float, default=0.0227, help="paired sd of one draw")
    parser.add_argument("--spread", type=float, default=0.06, help="sd of the draws' levels")
    parser.add_argument("--independent", action="store_true",
                        help="the candidate's draws share nothing with the best's")
    parser.add_argument("--trials", type=int, default=300)
    args = parser.parse_args()
    for paired in (True, False):
        kept = runs = 0
        for seed in range(args.trials):
            rng = random.Random(seed)
            level = [0.75 + rng.gauss(0, args.spread) for _ in range(40)]
            own = args.sd / 2**0.5  # each side's noise: their difference has sd `--sd`
            best = [x + rng.gauss(0, own) for x in level]
            if args.independent:
                level = [0.75 + rng.gauss(0, args.spread) for _ in range(40)]
            cand = [x + args.gain + rng.gauss(0, own) for x in level]
            k, n = trial(paired, best, cand)
            kept, runs = kept + k, runs + n
        print(f"{'paired' if paired else 'unpaired'}: kept {kept} of {args.trials} "
              f"({kept / args.trials:.0%}), {runs / args.trials:.1f} measurements of the candidate")


if __name__ == "__main__":
    main()
