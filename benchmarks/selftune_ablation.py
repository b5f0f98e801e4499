"""The self-tune ablation: the shipped profile against the shipped profile with fields changed, on
the sealed test split of the shipped suite, paired over its seeds (a benchmark, not a test).

    python -m benchmarks.selftune_ablation [--field noise_reruns=0] [--field strategy=anneal]

The figure is the inner score (`agentos.selftune.inner.InnerRun.score`: the true normalized gain,
at most 0 for a run that kept noise), as `agentos self-tune` reports it.
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
    parser.add_argument("--field", action="append", help="NAME=VALUE of the profile (repeatable)")
    parser.add_argument("--split", default="test", choices=["train", "holdout", "test"])
    args = parser.parse_args()
    fields = args.field or ["noise_reruns=0"]
    changes: dict[str, object] = {}
    for field in fields:
        name, value = field.split("=", 1)
        changes[name] = int(value) if value.lstrip("-").isdigit() else value
    suite = load_suite(SUITE)
    shipped = load_profile()
    changed = dataclasses.replace(shipped, **changes)  # type: ignore[arg-type]
    before, after = gains(suite, shipped, args.split), gains(suite, changed, args.split)
    mean, low, high = mean_ci([b - a for a, b in zip(before, after, strict=True)])
    print(f"{args.split} split, {len(before)} seeds: shipped {statistics.fmean(before):.4f}, "
          f"{', '.join(fields)} {statistics.fmean(after):.4f}, difference {mean:+.4f} "
          f"(95% CI {low:+.4f} .. {high:+.4f})")


if __name__ == "__main__":
    main()
