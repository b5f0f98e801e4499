"""The task of tuning a skill set: the graph of `agentos run` on a task built in code.

The task's editable surface is every valid skill's `SKILL.md` (repository-relative), so its
candidate is the set's named components `{path: text}`; the eval set is protected, and the
`skill-gates` tool gates every candidate. The `SkillEvaluator` is injected, so the metric command
is never run: the evaluator routes the queries in the orchestrator and executes nothing from the
candidate, which is why the `local` sandbox backend is acceptable here (the snapshot is still made
from the commit and its tree hash checked before and after).

Every move is one ledger row of the one run, with the graph's statuses: `rejected` when a gate
was lost or a description failed the quality gate, `keep` / `discard` from the `greedy` strategy
and the evaluator's veto (decided in the graph's `decide` node), `invalid` on tree drift or a
malformed skill.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from agentos.skill.gates import GATE_TOOL, GatePins
from agentos.skillfile import SKILL_FILE
from agentos.task import Budget, MetricSpec, Search, Task, ToolUse

# Valid but never run: the injected evaluator measures in-process.
METRIC = MetricSpec(("agentos", "tune-skills"), "max", regex=r"^accuracy: (\S+)$")
TASK_NAME = "tune-skills"
# what a skill run's metric is, for `agentos status`: the train figure the run decides on (the
# text report's train columns are the embedding router's alone) and where held-out figures are
FIGURE = (
    "train accuracy the run decides on (offline: the mean of the embedding router's and "
    "BM25's); held-out figures: agentos report"
)


def skill_path(skills_dir: str, name: str) -> str:
    """The repository-relative path of a skill's SKILL.md."""
    return f"{skills_dir}/{name}/{SKILL_FILE}" if skills_dir else f"{name}/{SKILL_FILE}"


def skill_set_task(
    root: Path,
    skills_dir: str,
    names: Sequence[str],
    *,
    protected: tuple[str, ...],
    experiments: int,
    seed: int,
    pins: GatePins,
) -> Task:
    """The task of tuning the skills `names` together: their SKILL.md files editable, the eval
    set protected, the gates pinned, at most `experiments` moves."""
    return Task(
        root=root,
        path=root / (skills_dir or "."),
        name=TASK_NAME,
        editable=tuple(skill_path(skills_dir, n) for n in names),
        protected=protected,
        metric=METRIC,
        budget=Budget(experiments=experiments),
        search=Search("greedy", seed),
        tools=(ToolUse(GATE_TOOL, "gate", {"pins": str(pins.path), "digest": pins.digest}),),
        review="advisory",
        sandbox="local",
        credit_horizon=4,
    )


__all__ = ["FIGURE", "METRIC", "TASK_NAME", "skill_path", "skill_set_task"]
