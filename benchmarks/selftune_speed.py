"""How long one outer measurement of `agentos self-tune` takes, before and now (a benchmark).

Each of three versions runs the same measurement, the shipped profile's inner runs on one split
of the shipped suite on the seeds of one draw, one after another
(`agentos.selftune.inner.score(suite, profile, SPLIT, draw=N, jobs=1)`), in a fresh process:

- `before`: the agentos of `--before REV` (the last commit without the caches and the scipy
  savings), its package taken by `git archive` into a temporary folder, the same environment;
- `uncached`: this checkout with every cache of `agentos.settings.memo` off;
- `now`: this checkout.

Then `before` and `now` run the outer run's metric command itself (`python -m
agentos.selftune.inner --suite ... --draw N`: train and held-out, in its worker processes).
The versions take turns, `--repeats` rounds, so a change of the machine's load falls on all of
them. It prints each version's median seconds for the measurement (`score`, the lazy imports
of its first call included; its CPU seconds, which other people's load on the machine moves
less) and for its whole process (agentos' imports too), whether every inner run's figures
(gain, keeps, false keeps, proposals, re-measures) are identical to `before`'s, the metric
command's seconds and whether its output is identical, and the ratios.

    python -m benchmarks.selftune_speed [--split train] [--draw 5] [--repeats 3] [--jobs N]
                                        [--before REV]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from agentos.selftune.suite import Split

ROOT = Path(__file__).resolve().parents[1]
BEFORE = "7c5377e"  # the last commit before the caches of the inner runs
SUITE = ROOT / "benchmarks" / "selftune" / "suite.toml"
PROFILE = ROOT / "agentos" / "profiles" / "default.toml"  # the shipped profile


def child(split: Split, draw: int, uncached: bool, source: Path) -> None:
    """One measurement in this process: a JSON line of its figures and times."""
    start = time.perf_counter()
    import dataclasses
    from contextlib import AbstractContextManager, nullcontext

    from agentos.profile import load_profile
    from agentos.selftune.inner import runs
    from agentos.selftune.suite import load_suite

    imported = time.perf_counter()
    if not Path(runs.__code__.co_filename).is_relative_to(source):
        raise SystemExit(f"agentos was imported from {runs.__code__.co_filename}, not {source}")
    suite, profile = load_suite(SUITE), load_profile()
    switch: AbstractContextManager[None] = nullcontext()
    if uncached:  # `before` has no caches to turn off, nor this module
        from agentos.settings.memo import uncached as off

        switch = off()
    seeds = suite.seeds_of(split, draw)
    pairs = [(n, s) for n in suite.splits[split] for s in seeds]
    began, cpu = time.perf_counter(), time.process_time()
    with switch:  # what `score` runs, every run kept to compare
        done = runs(suite, profile, pairs, jobs=1)
    ended = time.perf_counter()
    print(json.dumps({
        "score": ended - began, "cpu": time.process_time() - cpu, "process": ended - start,
        "imports": imported - start,
        "runs": [list(dataclasses.astuple(r)) for r in done],
        "split": statistics.fmean(r.score for r in done),
    }))


@dataclass(frozen=True)
class Timed:
    """One version's measurement: its seconds, and every inner run's figures."""

    score: float  # the measurement in-process (`score`, its first call's lazy imports included)
    cpu: float  # its CPU time: what it costs whatever else the machine runs
    process: float  # the whole process: agentos' imports and the measurement
    imports: float
    runs: list[list[float]]  # gain, keeps, false keeps, proposals, re-measures of each inner run
    split: float  # the split's mean score


def _run(version: str, source: Path, args: argparse.Namespace) -> Timed:
    # -P: the working directory is not put first on the path, so `source`'s agentos is imported
    command = [sys.executable, "-P", "-m", "benchmarks.selftune_speed", "--child", "--split",
               args.split, "--draw", str(args.draw), "--source", str(source)]
    command += ["--uncached"] if version == "uncached" else []
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(source), str(ROOT)])}
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return Timed(**json.loads(done.stdout.strip().splitlines()[-1]))


def _command(source: Path, args: argparse.Namespace) -> tuple[float, str]:
    """The outer run's metric command on the shipped profile: its seconds and its output."""
    from agentos.selftune.suite import digest_of

    command = [sys.executable, "-P", "-m", "agentos.selftune.inner", "--suite", str(SUITE),
               "--pin", digest_of(SUITE), "--profile", str(PROFILE), "--draw", str(args.draw)]
    command += ["--jobs", str(args.jobs)] if args.jobs else []
    env = {**os.environ, "PYTHONPATH": str(source)}
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return time.perf_counter() - start, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="train", choices=("train", "holdout"))
    parser.add_argument("--draw", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=3, help="rounds of the versions")
    parser.add_argument("--jobs", type=int, default=0,
                        help="the metric command's workers (default: its own, one a CPU)")
    parser.add_argument("--before", default=BEFORE, help="the git revision measured as before")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--uncached", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--source", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.split, args.draw, args.uncached, args.source)
        return
    results: dict[str, list[Timed]] = {"before": [], "uncached": [], "now": []}
    commands: dict[str, list[tuple[float, str]]] = {"before": [], "now": []}
    with tempfile.TemporaryDirectory(prefix="agentos-before-") as folder:
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", args.before, "agentos"],
                                 capture_output=True, check=True).stdout
        with tarfile.open(fileobj=BytesIO(archive)) as tar:
            tar.extractall(folder, filter="data")
        sources = {"before": Path(folder), "uncached": ROOT, "now": ROOT}
        for round_ in range(1, args.repeats + 1):
            for version, source in sources.items():
                r = _run(version, source, args)
                results[version].append(r)
                print(f"round {round_} {version}: score {r.score:.2f} s (CPU {r.cpu:.2f} s), "
                      f"process {r.process:.2f} s (imports {r.imports:.2f} s)", flush=True)
            for version in commands:
                commands[version].append(_command(sources[version], args))
                print(f"round {round_} {version}: metric command "
                      f"{commands[version][-1][0]:.2f} s", flush=True)
    reference = results["before"][0].runs
    score = {v: statistics.median(r.score for r in rs) for v, rs in results.items()}
    cpu = {v: statistics.median(r.cpu for r in rs) for v, rs in results.items()}
    process = {v: statistics.median(r.process for r in rs) for v, rs in results.items()}
    print(f"measurement: {args.split}, draw {args.draw}, jobs 1, the shipped profile, "
          f"{len(reference)} inner runs")
    for version, rs in results.items():
        same = all(r.runs == reference for r in rs)
        print(f"{version}: score {score[version]:.2f} s (CPU {cpu[version]:.2f} s), process "
              f"{process[version]:.2f} s (medians of {len(rs)}); {args.split} "
              f"{rs[0].split:.6f}; inner runs "
              f"{'identical to before' if same else 'DIFFERENT from before'}")
    wall = {v: statistics.median(t for t, _ in cs) for v, cs in commands.items()}
    printed = {out for cs in commands.values() for _, out in cs}
    print(f"metric command (train and held-out, draw {args.draw}, "
          f"{f'--jobs {args.jobs}' if args.jobs else 'its default workers'}): before "
          f"{wall['before']:.2f} s, now {wall['now']:.2f} s (medians); its output "
          f"{'identical' if len(printed) == 1 else 'DIFFERENT'}")
    print(f"speed-up: score {score['before'] / score['now']:.2f}x, "
          f"CPU {cpu['before'] / cpu['now']:.2f}x "
          f"(the caches alone {cpu['uncached'] / cpu['now']:.2f}x), "
          f"process {process['before'] / process['now']:.2f}x, "
          f"metric command {wall['before'] / wall['now']:.2f}x")


if __name__ == "__main__":
    main()
