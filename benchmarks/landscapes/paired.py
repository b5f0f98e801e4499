"""Two methods on the same seeds: per-problem regret and success, and the paired difference.

    python -m benchmarks.landscapes.paired [--seeds 40] [--first-seed 2000] [--budget 60]
        [--workers 1] [--problems rastrigin,smooth] [--methods greedy@plain,keep-revert@plain]
        [--per-run]

For each problem: mean normalized regret and success rate of each method, and the mean of the
per-seed difference of regret (first method minus second, seed by seed) with a 95% paired
bootstrap interval over seeds (10,000 resamples, seeded). An interval wholly above zero says the
first method is worse beyond the seed-to-seed noise; one that contains zero says no difference
was resolved. With `--per-run` it also prints each seed's two regrets.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor

from benchmarks.landscapes.compare import regret, run
from benchmarks.landscapes.problems import PROBLEMS

RESAMPLES = 10_000


def bootstrap(diffs: Sequence[float], seed: int = 0) -> tuple[float, float]:
    """The 95% percentile bootstrap interval of the mean of `diffs`."""
    rng = random.Random(seed)
    n = len(diffs)
    means = sorted(statistics.fmean(rng.choices(diffs, k=n)) for _ in range(RESAMPLES))
    return means[int(0.025 * RESAMPLES)], means[int(0.975 * RESAMPLES) - 1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=40)
    ap.add_argument("--first-seed", type=int, default=2000)
    ap.add_argument("--budget", type=int, default=60)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--problems", default="", help="comma-separated (default: all)")
    ap.add_argument("--methods", default="greedy@plain,keep-revert@plain",
                    help="two methods, comma-separated: A,B (the difference is A - B)")
    ap.add_argument("--per-run", action="store_true", help="print every seed's regrets")
    args = ap.parse_args()
    problems = args.problems.split(",") if args.problems else list(PROBLEMS)
    a, b = args.methods.split(",")
    seeds = range(args.first_seed, args.first_seed + args.seeds)
    jobs = [(m, p, s, args.budget) for p in problems for m in (a, b) for s in seeds]
    t0 = time.time()
    with ProcessPoolExecutor(args.workers) as pool:
        results = list(pool.map(run, jobs, chunksize=4))
    by = {(r.problem, r.method, r.seed): r for r in results}
    print(f"seeds {seeds.start}..{seeds.stop - 1}, budget {args.budget}; difference = {a} - {b}")
    print(f"| problem | regret {a} | regret {b} | difference [95% CI] "
          f"| success {a} | success {b} |")
    print("|---|---|---|---|---|---|")
    for p in problems:
        ra = [regret(by[(p, a, s)], by[(p, a, s)].final) for s in seeds]
        rb = [regret(by[(p, b, s)], by[(p, b, s)].final) for s in seeds]
        diffs = [x - y for x, y in zip(ra, rb, strict=True)]
        lo, hi = bootstrap(diffs)
        tol, f_star = PROBLEMS[p].tol, PROBLEMS[p].f_star
        sa = sum(by[(p, a, s)].final - f_star <= tol for s in seeds) / len(seeds)
        sb = sum(by[(p, b, s)].final - f_star <= tol for s in seeds) / len(seeds)
        print(f"| {p} | {statistics.fmean(ra):.3f} | {statistics.fmean(rb):.3f} | "
              f"{statistics.fmean(diffs):+.3f} [{lo:+.3f}, {hi:+.3f}] | {sa:.0%} | {sb:.0%} |")
        if args.per_run:
            for s, x, y in zip(seeds, ra, rb, strict=True):
                print(f"    {p} seed {s}: {x:.3f} {y:.3f}")
    print(f"({time.time() - t0:.0f} s)")


if __name__ == "__main__":
    main()
