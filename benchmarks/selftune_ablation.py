"""The self-tune ablation: the shipped profile against the shipped profile with one field changed,
on the sealed test split of the shipped suite, paired over its seeds (a benchmark, not a test).

    python -m benchmarks.selftune_ablation [--field noise_reruns=0]
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
from pathlib import Path

from agentos.profile import load_profile
from agentos.selftune import gains, load_suite, mean_ci

SUITE = Path(__file__).parent / "selftune" / "suite.toml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--field", default="noise_reruns=0", help="NAME=INT of the profile")
    args = parser.parse_args()
    name, value = args.field.split("=", 1)
    suite = load_suite(SUITE)
    shipped = load_profile()
    changed = dataclasses.replace(shipped, **{name: int(value)})
    before, after = gains(suite, shipped, "test"), gains(suite, changed, "test")
    mean, low, high = mean_ci([b - a for a, b in zip(before, after, strict=True)])
    print(f"test split, {len(before)} seeds: shipped {statistics.fmean(before):.4f}, "
          f"{args.field} {statistics.fmean(after):.4f}, difference {mean:+.4f} "
          f"(95% CI {low:+.4f} .. {high:+.4f})")


if __name__ == "__main__":
    main()
