"""Benchmark skill tuning on examples/skills: held-out accuracy before and after per slice, the
wall time of one tuning run, and the router's queries per second.

    .venv/bin/python benchmarks/skills.py [--budget N] [--seed S]

It tunes a copy of the examples in a temporary git repository (the checkout is never touched)
and prints `key: value` lines. It also prints `holdout_ceiling`: held-out accuracy when every
description quotes all of its skill's train queries at once (each as an example request would
quote it, with no limit on their number), with no acceptance check: nearest-neighbour routing over
the train split, about the most that description rewrites can give with this router.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from agentos.skill import load_skills, tune_skills
from agentos.skill.evals import augment, load_evals
from agentos.skill.examples import LEAD, request_phrase
from agentos.skill.model import Skill
from agentos.skill.router import EmbeddingRouter

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "skills"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--budget", type=int, default=12)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    t0 = time.monotonic()
    router = EmbeddingRouter()
    print(f"router_load_s: {time.monotonic() - t0:.1f}")
    skills = load_skills(EXAMPLES)
    queries = [f"deploy the service number {i} to production please" for i in range(1000)]
    t1 = time.monotonic()
    router.route(queries, skills)
    print(f"router_queries_per_s: {len(queries) / (time.monotonic() - t1):.0f}")
    print(f"holdout_ceiling: {100 * ceiling(router, skills, args.seed):.1f}")
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copytree(EXAMPLES, Path(tmp) / "skills")
        git = ["git", "-C", tmp, "-c", "user.name=b", "-c", "user.email=b@b"]
        subprocess.run(["git", "init", "-q", tmp], check=True)
        subprocess.run([*git, "add", "."], check=True)
        subprocess.run([*git, "commit", "-qm", "skills"], check=True)
        t2 = time.monotonic()
        report = tune_skills(
            Path(tmp) / "skills",
            Path(tmp) / "skills" / "evals.jsonl",
            seed=args.seed,
            budget=args.budget,
            router=router,
            offline=True,  # the offline proposer, key or not: the figures must not depend on it
        )
        wall = time.monotonic() - t2
    for row in report.rows:
        if row.group in ("slice", "all"):
            b, a = row.holdout_before or 0.0, row.holdout_after or 0.0
            print(f"holdout_{row.name}: {100 * b:.1f} -> {100 * a:.1f} ({100 * (a - b):+.1f})")
    worse = [
        r.name
        for r in report.rows
        if r.group == "slice" and (r.holdout_after or 0.0) < (r.holdout_before or 0.0)
    ]
    print(f"slices_worse: {len(worse)}")
    print(f"gates_pinned: {report.gates}")
    print(f"gates_refused: {len(report.refusals)}")
    print(f"skills_changed: {len(report.changed)}")
    print(f"experiments: {sum(report.counts.values())}")
    print(f"tune_wall_s: {wall:.1f}")


def ceiling(router: EmbeddingRouter, skills: list[Skill], seed: int) -> float:
    """Held-out accuracy with every train query quoted in its skill's description."""
    items = augment(load_evals(EXAMPLES / "evals.jsonl", [s.name for s in skills]), seed=seed)
    train = [i for i in items if i.split == "train"]
    holdout = [i for i in items if i.split == "holdout"]
    quoted = []
    for skill in skills:
        phrases = dict.fromkeys(
            p for i in train if i.expect == skill.name and (p := request_phrase(i))
        )
        text = skill.description + " " + LEAD + "; ".join(f'"{p}"' for p in phrases) + "."
        quoted.append(skill.with_components({f"{skill.name}/description": text}))
    routed = router.route_calibrated([i.query for i in holdout], quoted, train)[0][len(train) :]
    return sum(r == i.expect for r, i in zip(routed, holdout, strict=True)) / len(holdout)


if __name__ == "__main__":
    main()
