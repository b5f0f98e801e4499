"""Tuning a folder of skills: propose, validate, keep the gates, measure, decide, per skill in
parallel, then merge what each skill won and write it on a git branch.

Each experiment follows the loop's order: the proposer returns whole SKILL.md files; the skill
validator refuses a malformed one (`invalid`); the pinned gates refuse one that dropped or weakened
a gate (`rejected`, with a report line); the evaluator routes the train and held-out queries; the
`greedy` strategy keeps it only if train accuracy rises; the evaluator's veto then refuses it if
held-out accuracy, a protected held-out slice or another skill's hits fell.

Rounds: every skill is tuned against the current set in a thread pool (the router's model call is
serialized; the rest is numpy), then each skill's winner is merged in turn, and kept only if the
merged set still passes the same acceptance. The branch is written with plumbing only
(`agentos.git.Repo.commit_files`, compare-and-swap `update-ref`); the user's tree is never touched.
"""

from __future__ import annotations

import logging
import secrets
import tempfile
import time
import zlib
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from agentos.candidate import EditError, apply
from agentos.errors import UserError
from agentos.evaluator import Evaluation
from agentos.git import Repo
from agentos.providers.base import ProposeRequest, Provider, ProviderError
from agentos.skill.evals import EvalItem, augment, load_evals
from agentos.skill.evaluator import SkillEvaluator
from agentos.skill.gates import GatePins, pin_gates
from agentos.skill.model import SKILL_FILE, Skill, load_skills, parse_skill, render_skill
from agentos.skill.operators import TextOperatorProposer
from agentos.skill.report import Experiment, TuneReport, build_report
from agentos.skill.router import EmbeddingRouter
from agentos.strategies.base import get_strategy
from agentos.task import MetricSpec, Task

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Won:
    skill: str
    rewritten: Skill
    gain: float
    description: str


def _task(root: Path, evals: Path) -> Task:
    """The task a provider sees: every SKILL.md editable, the eval set protected."""
    return Task(
        root=root,
        path=evals,
        name="tune-skills",
        editable=(f"*/{SKILL_FILE}",),
        protected=("*.jsonl",),
        metric=MetricSpec(("agentos", "tune-skills"), "max"),
    )


def _files(skills: Sequence[Skill]) -> dict[str, str]:
    return {f"{s.name}/{SKILL_FILE}": render_skill(s) for s in skills}


class _Tuner:
    """Shared, read-only pieces of one tuning run."""

    def __init__(
        self,
        task: Task,
        items: list[EvalItem],
        router: EmbeddingRouter,
        pins: GatePins,
        provider: Provider | None,
        seed: int,
    ):
        self.task = task
        self.items = items
        self.train = [i for i in items if i.split == "train"]
        self.router = router
        self.pins = pins
        self.provider = provider
        self.seed = seed

    def evaluator(self, target: str | None) -> SkillEvaluator:
        return SkillEvaluator(self.items, self.router, self.pins, target=target)

    def tune_one(
        self, name: str, skills: list[Skill], steps: int, rnd: int
    ) -> tuple[_Won | None, list[Experiment]]:
        """Greedy search on one skill's text against the fixed rest of the set."""
        evaluator = self.evaluator(name)
        provider = self.provider or TextOperatorProposer(self.train, self.router, target=name)
        strategy = get_strategy("greedy")
        current = list(skills)
        best = evaluator.evaluate_skills(current)
        assert best.metric is not None
        state = strategy.start("base", [best.metric], self.seed)
        won: _Won | None = None
        log_rows: list[Experiment] = []
        for step in range(1, steps + 1):
            seed = zlib.crc32(f"{self.seed}:{name}:{rnd}:{step}".encode())
            files = _files(current)
            row = Experiment(name, rnd, step, "discard", None, "", "")
            try:
                proposal = provider.propose(
                    ProposeRequest(
                        task=self.task, experiment=step, parent="incumbent", files=files, seed=seed
                    )
                )
                changed = apply(
                    self.task, files, edits=proposal.edits, components=proposal.components
                )
                row.description = proposal.description
                candidate = _merge(current, changed)
            except (ProviderError, EditError, UserError) as exc:
                row.status, row.reason = "invalid", str(exc)
                log_rows.append(row)
                continue
            result = evaluator.evaluate_skills(candidate)
            row.train = result.metric
            if result.status is not None:
                row.status, row.reason = result.status, result.reason
            else:
                verdict = strategy.decide(state, step, f"{rnd}.{step}", [result.metric or 0.0])
                veto = evaluator.veto(best, result) if verdict.verdict == "keep" else None
                row.reason = veto or verdict.reason
                if verdict.verdict == "keep" and veto is None:
                    state = verdict.state
                    row.status = "keep"
                    gain = (result.metric or 0.0) - (best.metric or 0.0)
                    prior = won.gain if won else 0.0
                    rewritten = next(s for s in candidate if s.name == name)
                    won = _Won(name, rewritten, prior + gain, proposal.description)
                    current, best = candidate, result
            log_rows.append(row)
        return won, log_rows


def _merge(skills: Sequence[Skill], changed: dict[str, str]) -> list[Skill]:
    """The skill set with the changed SKILL.md files parsed back in (validated)."""
    by_name = {s.name: s for s in skills}
    for path, text in changed.items():
        p = PurePosixPath(path)
        if p.name != SKILL_FILE or p.parent.name not in by_name:
            raise EditError(f"{path}: not a SKILL.md of this folder")
        old = by_name[p.parent.name]
        new = parse_skill(old.path, text, folder=p.parent.name)
        by_name[new.name] = Skill(
            new.name, new.description, new.body, old.path, new.front, new.declared_gates
        )
    return [by_name[s.name] for s in skills]


def _accepts(evaluator: SkillEvaluator, before: Evaluation, after: Evaluation) -> str | None:
    if after.metric is None:
        return after.reason or "no metric"
    if before.metric is not None and after.metric <= before.metric:
        return "train accuracy did not rise"
    return evaluator.veto(before, after)


def tune_skills(
    path: Path | str,
    evals: Path | str,
    *,
    seed: int = 0,
    budget: int = 12,
    provider: Provider | None = None,
    json: bool = False,
    rounds: int = 3,
    workers: int = 2,
    branch: str | None = None,
    router: EmbeddingRouter | None = None,
) -> TuneReport:
    """Tune every skill under `path` against the eval set `evals`; return the report.

    `budget` is the number of proposals per skill, spread over `rounds`. Every input is validated
    before anything is written. When `path` is inside a git repository with commits, the accepted
    rewrites end on the branch `branch` (default `agentos/tune-skills-<run>`), made from HEAD.
    """
    start = time.monotonic()
    root = Path(path).resolve()
    skills = load_skills(root)
    items = augment(load_evals(evals, [s.name for s in skills]), seed=seed)
    try:
        repo: Repo | None = Repo(root)
    except UserError as exc:
        if "not a git repository" not in str(exc):
            raise
        repo = None
    run_id = time.strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(2)
    router = router or EmbeddingRouter()
    threshold = router.calibrate(items, skills)
    side = (repo.git_dir / "agentos" / "skill-gates") if repo else Path(tempfile.mkdtemp())
    pins = pin_gates(skills, side / f"{run_id}.json")
    tuner = _Tuner(_task(root, Path(evals)), items, router, pins, provider, seed)
    judge = tuner.evaluator(None)
    baseline = judge.evaluate_skills(skills)
    current, current_eval = list(skills), baseline
    experiments: list[Experiment] = []
    refusals: list[str] = []
    accepted: list[str] = []
    per_round = max(1, -(-budget // max(1, rounds)))
    for rnd in range(1, rounds + 1):
        names = [s.name for s in current]
        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            results = list(
                pool.map(
                    tuner.tune_one,
                    names,
                    [current] * len(names),
                    [per_round] * len(names),
                    [rnd] * len(names),
                )
            )
        wins = sorted((w for w, _ in results if w), key=lambda w: (-w.gain, w.skill))
        for _, rows in results:
            experiments.extend(rows)
            refusals.extend(
                f"refused: {r.skill} #{r.round}.{r.step} {r.reason}"
                for r in rows
                if r.status == "rejected"
            )
        for win in wins:
            candidate = [win.rewritten if s.name == win.skill else s for s in current]
            result = tuner.evaluator(win.skill).evaluate_skills(candidate)
            why = _accepts(tuner.evaluator(win.skill), current_eval, result)
            if why is None:
                current, current_eval = candidate, result
                accepted.append(f"round {rnd}: {win.description}")
            else:
                log.info("merge of %s refused: %s", win.skill, why)
    final_check = judge.veto(baseline, current_eval)
    if final_check is not None:  # the merged set must still pass against the baseline
        current, current_eval = list(skills), baseline
        accepted = []
    changed = [
        s
        for s, o in zip(current, skills, strict=True)
        if s.description != o.description or s.body != o.body
    ]
    branch_name, commit = None, None
    if repo is not None and changed:
        branch_name = branch or f"agentos/tune-skills-{run_id}"
        commit = _write_branch(repo, changed, branch_name, run_id, accepted)
    return build_report(
        skills=skills,
        final=current,
        evaluator=judge,
        baseline=baseline,
        after=current_eval,
        experiments=experiments,
        refusals=refusals,
        accepted=accepted,
        branch=branch_name,
        commit=commit,
        threshold=threshold,
        elapsed=time.monotonic() - start,
        gates=pins.count(),
        as_json=json,
        run_id=run_id,
    )


def _write_branch(
    repo: Repo, changed: Sequence[Skill], branch: str, run_id: str, accepted: Sequence[str]
) -> str:
    """Commit the rewritten SKILL.md files on HEAD into `branch` (plumbing, compare-and-swap)."""
    head = repo.rev("HEAD")
    assert head is not None
    files = {
        s.path.resolve().relative_to(repo.root.resolve()).as_posix(): render_skill(s).encode()
        for s in changed
    }
    message = f"agentos tune-skills {run_id}\n\n" + "\n".join(accepted)
    commit = repo.commit_files(head, files, message)
    ref = f"refs/heads/{branch}"
    repo.update_ref(ref, commit, repo.rev(ref))
    return commit


__all__ = ["tune_skills"]
