"""The self-tune ablation: the shipped profile against another (a profile file, or the shipped one
with fields changed) on one split of the shipped suite, per task and paired over the split's seeds
(a benchmark, not a test).

    python -m benchmarks.selftune_ablation [--field noise_reruns=0] [--field strategy=anneal]
    python -m benchmarks.selftune_ablation --field startup=6 --field local_sigma=0.1
    python -m benchmarks.selftune_ablation --profile tuned-profile.toml [--split holdout]
    python -m benchmarks.selftune_ablation --split train --seeds 48 --workers 2 \
        --variant start=sobol --variant stall=6 --variant start=sobol,stall=6

`--variant` (repeatable, comma-separated NAME=VALUE) compares several changed profiles with one
run of the shipped one; `--seeds N` runs the split's first N seeds (the suite's seeds extended
past its own 16, or the sealed test's 1000, 1001, ...); `--workers` runs tasks in parallel.

The figure is the inner score (`agentos.selftune.inner.InnerRun.score`: the true normalized gain,
at most 0 for a run that kept noise), as `agentos self-tune` reports it; beside it, per task, the
runs that made a false keep.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import statistics
from concurrent.futures import Executor, ProcessPoolExecutor
from pathlib import Path

from agentos.profile import Profile, Sampler, load_profile
from agentos.selftune import Suite, load_suite, mean_ci, run_profile
from agentos.selftune.inner import InnerRun
from agentos.selftune.suite import Split

SUITE = Path(__file__).parent / "selftune" / "suite.toml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--field", action="append", help="NAME=VALUE of the profile (repeatable)")
    parser.add_argument("--profile", type=Path, help="a profile file to compare instead")
    parser.add_argument("--variant", action="append",
                        help="NAME=VALUE[,NAME=VALUE...]: one changed profile (repeatable)")
    parser.add_argument("--split", default="test", choices=["train", "holdout", "test"])
    parser.add_argument("--seeds", type=int, default=0, help="the split's first N seeds")
    parser.add_argument("--workers", type=int, default=1, help="processes running the tasks")
    args = parser.parse_args()
    shipped = load_profile()
    others: list[tuple[str, Profile]] = []
    if args.profile is not None:
        others.append((str(args.profile), load_profile(args.profile)))
    for variant in args.variant or []:
        others.append((variant, _changed(shipped, variant.split(","))))
    if not others or args.field:
        fields = args.field or ["noise_reruns=0"]
        others.append((", ".join(fields), _changed(shipped, fields)))
    split: Split = args.split
    suite = _suite()
    seeds = suite.seeds_of(split)
    if args.seeds:
        seeds = tuple(range(seeds[0], seeds[0] + args.seeds))
    per_seed: dict[str, list[float]] = {}
    with ProcessPoolExecutor(max(1, args.workers)) as pool:
        for name, profile in (("shipped", shipped), *others):
            print(f"{name}:", flush=True)
            per_seed[name] = _runs(suite, profile, split, seeds, pool)
    before = statistics.fmean(per_seed["shipped"])
    for label, _ in others:
        mean, low, high = mean_ci(
            [b - a for a, b in zip(per_seed["shipped"], per_seed[label], strict=True)])
        print(f"{split} split, {len(seeds)} seeds: shipped {before:.4f}, {label} "
              f"{statistics.fmean(per_seed[label]):.4f}, difference {mean:+.4f} "
              f"(95% CI {low:+.4f} .. {high:+.4f})")


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


@functools.cache
def _suite() -> Suite:
    return load_suite(SUITE)


def _run(task: str, profile: Profile, seed: int) -> InnerRun:
    """One inner run, in a worker (by name: the suite's problems are loaded there)."""
    suite = _suite()
    return run_profile(suite.problem(task), profile, seed, suite.budget)


def _runs(
    suite: Suite, profile: Profile, split: Split, seeds: tuple[int, ...], pool: Executor
) -> list[float]:
    by_seed: list[list[float]] = [[] for _ in seeds]
    jobs = {task: [pool.submit(_run, task, profile, s) for s in seeds]
            for task in suite.splits[split]}
    for task in suite.splits[split]:
        runs = [job.result() for job in jobs[task]]
        for i, run in enumerate(runs):
            by_seed[i].append(run.score)
        false = sum(1 for r in runs if r.false_keeps)
        score = statistics.fmean(r.score for r in runs)
        print(f"  {task:18s} score {score:.4f}, gain "
              f"{statistics.fmean(r.gain for r in runs):.4f}, runs with a false keep {false}, "
              f"candidates {statistics.fmean(r.proposals for r in runs):.1f}, re-measure runs "
              f"{statistics.fmean(r.remeasured for r in runs):.1f}", flush=True)
    return [statistics.fmean(s) for s in by_seed]


if __name__ == "__main__":
    main()
