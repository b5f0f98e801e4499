"""The self-tune ablation: the shipped profile against another (a profile file, or the shipped one
with fields changed) on one split of the shipped suite, per task and paired over the split's seeds
(a benchmark, not a test).

    python -m benchmarks.selftune_ablation [--field noise_reruns=0] [--field strategy=anneal]
    python -m benchmarks.selftune_ablation --field startup=6 --field local_sigma=0.1
    python -m benchmarks.selftune_ablation --profile tuned-profile.toml [--split holdout]

The figure is the inner score (`agentos.selftune.inner.InnerRun.score`: the true normalized gain,
at most 0 for a run that kept noise), as `agentos self-tune` reports it; beside it, per task, the
runs that made a false keep.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
from pathlib import Path

from agentos.profile import Profile, Sampler, load_profile
from agentos.selftune import Suite, load_suite, mean_ci, run_profile
from agentos.selftune.suite import Split

SUITE = Path(__file__).parent / "selftune" / "suite.toml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--field", action="append", help="NAME=VALUE of the profile (repeatable)")
    parser.add_argument("--profile", type=Path, help="a profile file to compare instead")
    parser.add_argument("--split", default="test", choices=["train", "holdout", "test"])
    args = parser.parse_args()
    shipped = load_profile()
    if args.profile is not None:
        other, label = load_profile(args.profile), str(args.profile)
    else:
        fields = args.field or ["noise_reruns=0"]
        other, label = _changed(shipped, fields), ", ".join(fields)
    split: Split = args.split
    suite = load_suite(SUITE)
    seeds = suite.seeds_of(split)
    per_seed: dict[str, list[float]] = {}
    for name, profile in (("shipped", shipped), (label, other)):
        print(f"{name}:")
        per_seed[name] = _runs(suite, profile, split, seeds)
    before, after = statistics.fmean(per_seed["shipped"]), statistics.fmean(per_seed[label])
    mean, low, high = mean_ci(
        [b - a for a, b in zip(per_seed["shipped"], per_seed[label], strict=True)])
    print(f"{split} split, {len(seeds)} seeds: shipped {before:.4f}, {label} {after:.4f}, "
          f"difference {mean:+.4f} (95% CI {low:+.4f} .. {high:+.4f})")


def _changed(profile: Profile, fields: list[str]) -> Profile:
    """`profile` with `NAME=VALUE` fields changed: the profile's own, or its sampler's
    (`[proposer] startup`, `local_sigma`, ...)."""
    own: dict[str, object] = {}
    sampler: dict[str, object] = {}
    names = {f.name for f in dataclasses.fields(Sampler)}
    for field in fields:
        name, text = field.split("=", 1)
        value: object = text
        if text in ("true", "false"):
            value = text == "true"
        elif text.lstrip("-").isdigit():
            value = int(text)
        elif text.replace(".", "", 1).replace("e-", "", 1).isdigit():
            value = float(text)
        (sampler if name in names else own)[name] = value
    new_sampler = dataclasses.replace(profile.sampler, **sampler)  # type: ignore[arg-type]
    return dataclasses.replace(profile, sampler=new_sampler, **own)  # type: ignore[arg-type]


def _runs(suite: Suite, profile: Profile, split: Split, seeds: tuple[int, ...]) -> list[float]:
    by_seed: list[list[float]] = [[] for _ in seeds]
    for task in suite.splits[split]:
        runs = [run_profile(suite.problem(task), profile, s, suite.budget) for s in seeds]
        for i, run in enumerate(runs):
            by_seed[i].append(run.score)
        false = sum(1 for r in runs if r.false_keeps)
        score = statistics.fmean(r.score for r in runs)
        print(f"  {task:18s} score {score:.4f}, gain "
              f"{statistics.fmean(r.gain for r in runs):.4f}, runs with a false keep {false}, "
              f"candidates {statistics.fmean(r.proposals for r in runs):.1f}, re-measure runs "
              f"{statistics.fmean(r.remeasured for r in runs):.1f}")
    return [statistics.fmean(s) for s in by_seed]


if __name__ == "__main__":
    main()
