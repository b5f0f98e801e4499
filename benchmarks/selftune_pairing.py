"""How much common draws of inner seeds pair two profiles' measurements (a benchmark, not a test).

`agentos self-tune` runs every commit's k-th measurement on the run's k-th draw of inner seeds
(`agentos.selftune.evaluator.HeldOut.draw`). This measures, on the shipped suite's train split,
the shipped profile and a few one-change profiles on the same DRAWS draws, and prints for each
change its mean, its own standard deviation a draw, and the mean and standard deviation of its
paired difference with the shipped profile (draw by draw): where the paired sd is well below
the unpaired one, common draws rank that change by what it does rather than by luck.

    python -m benchmarks.selftune_pairing [--draws 8] [--first 1000] [--seeds 4]
    python -m benchmarks.selftune_pairing --draws 16 --first 2000 --seeds 4 --change screen=3.0

`--change NAME=VALUE[,NAME=VALUE...]` (repeatable) measures those one-change profiles instead of
the built-in three; `--seeds N` sets the seeds of a draw (default: the suite's `draw_seeds`).
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import re
import statistics

from agentos.profile import DEFAULT_PATH, parse_profile
from agentos.selftune import DEFAULT_SUITE, load_suite, score

CHANGES = {  # one-change profiles: a setting of the local moves, the lever, a clear loser
    "local_sigma = 0.005": {"local_sigma": "0.005"},
    'screen = 3, start = "sobol"': {"screen": "3.0", "start": '"sobol"'},
    'mode = "mutate"': {"mode": '"mutate"'},
}


def changed(text: str, keys: dict[str, str]) -> str:
    for key, value in keys.items():
        text, n = re.subn(rf"(?m)^{key} = \S+", f"{key} = {value}", text)
        if n != 1:
            raise SystemExit(f"the shipped profile has no single `{key} = ...` line")
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=8, help="draws of inner seeds")
    parser.add_argument("--first", type=int, default=1000, help="the first draw")
    parser.add_argument("--seeds", type=int, default=0, help="seeds a draw (default: the suite's)")
    parser.add_argument("--change", action="append", default=[],
                        help="NAME=VALUE[,NAME=VALUE...]: a changed profile (repeatable)")
    args = parser.parse_args()
    suite = load_suite(DEFAULT_SUITE)
    if args.seeds:
        suite = dataclasses.replace(suite, draw_seeds=args.seeds)
    changes = {c: dict(kv.split("=", 1) for kv in c.split(",")) for c in args.change} or CHANGES
    base = DEFAULT_PATH.read_text(encoding="utf-8")
    texts = {"shipped": base, **{name: changed(base, keys) for name, keys in changes.items()}}
    figures: dict[str, list[float]] = {name: [] for name in texts}
    for draw in range(args.first, args.first + args.draws):
        for name, text in texts.items():
            figures[name].append(score(suite, parse_profile(text), "train", draw=draw)["train"])
        print(f"draw {draw}: " + "  ".join(f"{n} {v[-1]:.4f}" for n, v in figures.items()),
              flush=True)
    shipped = figures["shipped"]
    print(f"shipped: mean {statistics.fmean(shipped):.4f} sd {statistics.stdev(shipped):.4f}")
    for name in changes:
        own = figures[name]
        diffs = [a - b for a, b in zip(own, shipped, strict=True)]
        unpaired = math.hypot(statistics.stdev(own), statistics.stdev(shipped))
        print(f"{name}: mean {statistics.fmean(own):.4f} sd {statistics.stdev(own):.4f}; "
              f"paired difference {statistics.fmean(diffs):+.4f} sd {statistics.stdev(diffs):.4f} "
              f"(unpaired {unpaired:.4f})")


if __name__ == "__main__":
    main()
