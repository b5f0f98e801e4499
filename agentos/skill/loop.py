"""One skill's tuning run: the graph of `agentos run` on a task built in code.

The task's editable surface is that skill's `SKILL.md` (repository-relative), the eval set is
protected, and the `skill-gates` tool gates every candidate. The `SkillEvaluator` is injected, so
the metric command is never run: the evaluator routes the queries in the orchestrator and executes
nothing from the candidate, which is why the `local` sandbox backend is acceptable here (the
snapshot is still made from the commit and its tree hash checked before and after).

Every proposal is a ledger row of its own run (`RUN-r<round>-<skill>`), with the graph's statuses:
`rejected` when a gate was lost (reason starting `gates: FAILED` and naming `refused: ...`),
`keep` / `discard` from the greedy strategy and the evaluator's held-out veto, `invalid` on tree
drift or a malformed skill.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agentos.git import RefConflict, Repo
from agentos.ledger import Ledger
from agentos.progress import clean, decided
from agentos.providers.base import Provider
from agentos.runner import drive, start_run
from agentos.runtime import Runtime
from agentos.skill.evaluator import SkillEvaluator
from agentos.skill.gates import GATE_TOOL, GatePins
from agentos.skill.model import SKILL_FILE
from agentos.skill.report import Experiment
from agentos.task import Budget, MetricSpec, Search, Task, ToolUse

# Valid but never run: the injected evaluator measures in-process.
METRIC = MetricSpec(("agentos", "tune-skills"), "max", regex=r"^accuracy: (\S+)$")


@dataclass(frozen=True)
class SkillRun:
    """What one skill's graph ended with: its best commit (the baseline when nothing was kept)."""

    skill: str
    run_id: str
    baseline: str
    best: str
    gain: float
    description: str
    experiments: list[Experiment]
    refusals: list[str]


def skill_path(skills_dir: str, name: str) -> str:
    """The repository-relative path of a skill's SKILL.md."""
    return f"{skills_dir}/{name}/{SKILL_FILE}" if skills_dir else f"{name}/{SKILL_FILE}"


def skill_task(
    root: Path,
    skills_dir: str,
    name: str,
    *,
    protected: tuple[str, ...],
    budget: int,
    seed: int,
    pins: GatePins,
) -> Task:
    """The task of tuning one skill: only its SKILL.md editable, the eval set protected."""
    return Task(
        root=root,
        path=root / (skills_dir or "."),
        name=f"tune-skills:{name}",
        editable=(skill_path(skills_dir, name),),
        protected=protected,
        metric=METRIC,
        budget=Budget(experiments=budget),
        search=Search("greedy", seed),
        tools=(ToolUse(GATE_TOOL, "gate", {"pins": str(pins.path), "digest": pins.digest}),),
        review="advisory",
        sandbox="local",
        credit_horizon=4,
    )


def open_skill_run(
    task: Task,
    repo: Repo,
    ledger: Ledger,
    run_id: str,
    baseline: str,
    evaluator: SkillEvaluator,
    provider: Provider,
) -> Runtime:
    """Record the run and build its runtime from `baseline` (HEAD, or a merged commit of an
    earlier round) through `start_run`."""
    return start_run(
        task,
        repo,
        ledger,
        run_id=run_id,
        evaluator=evaluator,
        provider=provider,
        baseline=baseline,
    )


def run_skill(
    rt: Runtime, skill: str, rnd: int, progress: Callable[[str], None] | None = None
) -> SkillRun:
    """Drive one skill's graph to its end and read its rows back from the ledger; `progress`
    gets one line per finished experiment and one when the run ends."""

    on_update: Callable[[dict[str, Any]], None] | None = None
    if progress is not None:

        def on_update(event: dict[str, Any]) -> None:
            for item in decided(event):
                metric = item.get("metric")
                train = "-" if metric is None else f"{metric:.3f}"
                progress(
                    f"round {rnd} {skill} #{item['id']}: {item['status']} train={train} "
                    f"| {clean(str(item.get('reason') or item.get('description') or ''))}"
                )

    summary = drive(rt, on_update=on_update)
    experiments: list[Experiment] = []
    refusals: list[str] = []
    for row in rt.ledger.rows(rt.run_id):
        if row["kind"] == "baseline":
            continue
        exp = Experiment(
            skill,
            rnd,
            int(row["id"]),
            str(row["status"]),
            row.get("metric"),
            str(row.get("reason") or ""),
            str(row.get("description") or ""),
        )
        experiments.append(exp)
        if exp.status != "rejected":
            continue
        lost = [
            f["message"]
            for f in json.loads(str(row.get("findings") or "null")) or []
            if f.get("tool") == GATE_TOOL
        ]
        if lost:
            refusals.append(f"{lost[0]} (experiment {rnd}.{exp.step})")
    gain = 0.0
    if summary.best is not None and summary.baseline is not None:
        gain = summary.best - summary.baseline
    if progress is not None:
        progress(
            f"round {rnd} {skill}: {len(experiments)} experiments, train {gain:+.3f} "
            f"({clean(summary.status)})"
        )
    best = summary.best_commit or rt.baseline_commit
    kept = [e.description for e in experiments if e.status == "keep"]
    _drop_branch(rt)
    return SkillRun(
        skill, rt.run_id, rt.baseline_commit, best, gain, "; ".join(kept), experiments, refusals
    )


def _drop_branch(rt: Runtime) -> None:
    """Remove the per-skill branch the graph's finish node made (compare-and-swap): the winners
    end on the one tune-skills branch; the run's commits stay under `refs/agentos/RUN/`."""
    ref = rt.branch_ref
    at = rt.repo.rev(ref)
    if at is None:
        return
    try:
        rt.repo.git("update-ref", "-d", ref, at)
    except RuntimeError as exc:
        raise RefConflict(f"{ref} moved under agentos: {exc}") from exc


def sub_run_id(run_id: str, rnd: int, skill: str) -> str:
    return f"{run_id}-r{rnd}-{skill}"


def new_run_id() -> str:
    return time.strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(2)


__all__ = ["SkillRun", "new_run_id", "open_skill_run", "run_skill", "skill_path", "skill_task"]
