"""Benchmark skill tuning on examples/skills: held-out accuracy before and after per slice, the
wall time of one tuning run, and the router's queries per second.

    .venv/bin/python benchmarks/skills.py [--budget N] [--seed S] [--audit]

It tunes a copy of the examples in a temporary git repository (the checkout is never touched)
and prints `key: value` lines. It also prints `holdout_ceiling`: held-out accuracy when every
description quotes all of its skill's train queries at once (each as an example request would
quote it, with no limit on their number), with no acceptance check: nearest-neighbour routing over
the train split, about the most that description rewrites can give with this router.

The held-out split gates every acceptance, so the held-out gain is measured on queries that
helped decide what was kept. `--audit` holds back every other held-out query of each slice from
tuning altogether (the run is gated by the other half) and prints `audit_*` lines: accuracy on
the held-back queries before and after, a figure no decision of the run has seen. Beside them it
prints each half's ceiling (`audit_ceiling_gating`, `audit_ceiling_held_back`), which no held-out
query decides either: the halves differ in how much room they leave, and a run that gains as much
on a half as its ceiling does has not been flattered by the queries that gated it.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from agentos.git import Repo
from agentos.skill import load_skills, tune_skills
from agentos.skill.evals import SLICES, EvalItem, augment, load_evals
from agentos.skill.evaluator import SkillEvaluator
from agentos.skill.examples import LEAD, request_phrase
from agentos.skill.model import Skill, parse_skill
from agentos.skill.router import EmbeddingRouter

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "skills"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--budget", type=int, default=12)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--audit", action="store_true", help="hold back half the held-out split")
    args = parser.parse_args()
    t0 = time.monotonic()
    router = EmbeddingRouter()
    print(f"router_load_s: {time.monotonic() - t0:.1f}")
    skills = load_skills(EXAMPLES)
    queries = [f"deploy the service number {i} to production please" for i in range(1000)]
    t1 = time.monotonic()
    router.route(queries, skills)
    print(f"router_queries_per_s: {len(queries) / (time.monotonic() - t1):.0f}")
    items = augment(load_evals(EXAMPLES / "evals.jsonl", [s.name for s in skills]), seed=args.seed)
    quoted = quote_all(skills, [i for i in items if i.split == "train"])
    ceiling = SkillEvaluator(items, router, recalibrate=True).evaluate_skills(quoted)
    print(f"holdout_ceiling: {100 * ceiling.holdout['holdout/all']:.1f}")
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copytree(EXAMPLES, Path(tmp) / "skills")
        held_back = hold_back(Path(tmp) / "skills" / "evals.jsonl") if args.audit else []
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
        if held_back:
            repo = Repo(tmp)
            tuned = [
                parse_skill(
                    s.path,
                    repo.read(report.commit, f"skills/{s.name}/SKILL.md").decode(),
                    folder=s.name,
                )
                if report.commit and s.name in report.changed
                else s
                for s in skills
            ]
            gate_items = load_evals(Path(tmp) / "skills" / "evals.jsonl", [s.name for s in skills])
            train = [i for i in augment(gate_items, seed=args.seed) if i.split == "train"]
            audit = SkillEvaluator([*train, *held_back], router, recalibrate=True)
            before, after = (audit.evaluate_skills(ss).holdout for ss in (skills, tuned))
            for slice_ in ("all", *SLICES):
                b, a = before[f"holdout/{slice_}"], after[f"holdout/{slice_}"]
                print(f"audit_{slice_}: {change(b, a)}")
            gating = [i for i in gate_items if i.split == "holdout"]
            for label, half in (("gating", gating), ("held_back", held_back)):
                judge = SkillEvaluator([*train, *half], router, recalibrate=True)
                b, c = (judge.evaluate_skills(ss).holdout["holdout/all"] for ss in (skills, quoted))
                print(f"audit_ceiling_{label}: {change(b, c)}")
    for row in report.rows:
        if row.group in ("slice", "all"):
            b, a = row.holdout_before or 0.0, row.holdout_after or 0.0
            print(f"holdout_{row.name}: {change(b, a)}")
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


def hold_back(path: Path) -> list[EvalItem]:
    """Rewrite the eval set at `path` without every other held-out line of each slice (in file
    order); return those lines as items."""
    kept, back, seen = [], [], dict.fromkeys(SLICES, 0)
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row["split"] == "holdout":
            seen[row["slice"]] += 1
            if seen[row["slice"]] % 2 == 0:
                back.append(EvalItem(row["query"], row["expect"], row["slice"], "holdout"))
                continue
        kept.append(line)
    path.write_text("".join(f"{line}\n" for line in kept), encoding="utf-8")
    return back


def change(before: float, after: float) -> str:
    """`before -> after (+delta)` in points."""
    return f"{100 * before:.1f} -> {100 * after:.1f} ({100 * (after - before):+.1f})"


def quote_all(skills: list[Skill], train: list[EvalItem]) -> list[Skill]:
    """Every skill with all of its train queries quoted in its description: the ceiling's set."""
    quoted = []
    for skill in skills:
        phrases = dict.fromkeys(
            p for i in train if i.expect == skill.name and (p := request_phrase(i))
        )
        text = skill.description + " " + LEAD + "; ".join(f'"{p}"' for p in phrases) + "."
        quoted.append(skill.with_components({f"{skill.name}/description": text}))
    return quoted


if __name__ == "__main__":
    main()
