"""Where the CPU time of one self-tune measurement goes, part by part (a benchmark, not a test).

Runs the shipped profile's inner runs of one split on the seeds of one draw, one worker
(`agentos.selftune.inner.score(suite, profile, SPLIT, draw=N, jobs=1)`), with the CPU time of
a few parts summed as they run: the heuristic proposer's Optuna sampling (a trial asked of TPE,
building a fresh sampler, and the storage of the run's trials), the reading of a settings text
not read before (`agentos.settings.scan`), and the strategy's decisions. cProfile's own cost
falls mostly on small Python functions and would overstate the reading; this timing wraps only
the parts named. The parts nest (a sampler is built within a sample), so their shares do not
add up to 100%.

    python -m benchmarks.selftune_parts [--split train] [--draw 5]
"""

from __future__ import annotations

import argparse
import functools
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from agentos.profile import load_profile
from agentos.selftune import DEFAULT_SUITE, load_suite, score

spent: dict[str, float] = {}
calls: Counter[str] = Counter()


def timed(owner: Any, name: str, part: str) -> None:
    """Wrap `owner.name` so that its CPU time adds to `part`."""
    fn: Callable[..., Any] = getattr(owner, name)

    @functools.wraps(fn)
    def call(*args: Any, **kwargs: Any) -> Any:
        start = time.process_time()
        try:
            return fn(*args, **kwargs)
        finally:
            spent[part] = spent.get(part, 0.0) + time.process_time() - start
            calls[part] += 1

    setattr(owner, name, call)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="train", choices=("train", "holdout"))
    parser.add_argument("--draw", type=int, default=5)
    args = parser.parse_args()
    import optuna  # noqa: F401  (loaded before the clock starts, as a pool's parent does)
    import scipy.special  # noqa: F401
    from optuna.samplers import TPESampler
    from optuna.study import Study

    from agentos.providers.heuristic.tpe import _StudyCache
    from agentos.settings import scan
    from agentos.strategies.common import StrategyBase

    timed(_StudyCache, "sample", "Optuna: a TPE sample, all told")
    timed(Study, "ask", "Optuna:   asking for a trial")
    timed(TPESampler, "__init__", "Optuna:   building a sampler")
    timed(Study, "add_trial", "Optuna:   adding the run's trials")
    timed(scan, "_scan", "reading a settings text not read before")
    timed(StrategyBase, "decide", "the strategy's decisions")
    suite, profile = load_suite(DEFAULT_SUITE), load_profile()
    start = time.process_time()
    figures = score(suite, profile, args.split, draw=args.draw, jobs=1)
    total = time.process_time() - start
    print(f"{args.split}, draw {args.draw}, jobs 1: {figures[args.split]:.6f}, CPU {total:.2f} s")
    for part, seconds in spent.items():
        print(f"{part:45s} {calls[part]:5d} calls {seconds:6.2f} s {seconds / total:5.0%}")


if __name__ == "__main__":
    main()
