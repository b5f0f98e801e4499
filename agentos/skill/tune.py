"""Tuning a folder of skills: per round, a joint stage, then one `agentos run` graph per skill,
in parallel, then merge what each skill won; at the end, write it on a git branch.

When the offline operators propose and the router is local, the joint stage
(`agentos.skill.joint`) adds terms to every skill at once, chosen on train margins
and accepted like a merge, before each round and after the last (never twice on one set); an
accepted set is committed under `refs/agentos/RUN/joint/ROUND` and is what the round tunes.

Per round, every skill gets its own run of the loop's graph (`agentos.skill.loop`): the offline text
operators (or the given provider) propose a whole SKILL.md, the graph commits it, the gates node
runs the `skill-gates` tool (a lost or weakened gate: `rejected`, with a `refused:` report line),
the `SkillEvaluator` routes the train and held-out queries on the committed snapshot, the `greedy`
strategy keeps it only if train accuracy rises and the evaluator's veto refuses it if held-out
accuracy or a protected held-out slice fell, or a query another skill had now goes to the rewritten
one. The graphs run in a thread pool over one ledger (the router's model call is serialized; the
rest is numpy).

Then each skill's winner is merged in turn, in order of gain, and kept only if the merged set still
passes the same acceptance; the merged set is committed under `refs/agentos/RUN/merged/ROUND` and
is the next round's baseline. The branch is written with plumbing only (`Repo.commit_files`,
compare-and-swap `update-ref`); the user's tree is never touched. Outside a git repository the
graphs run in a scratch repository holding a copy of the folder, and no branch is written.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path, PurePosixPath

from agentos.candidate import EditError
from agentos.errors import UserError
from agentos.evaluator import Evaluation
from agentos.git import Repo
from agentos.ledger import Ledger
from agentos.plugins import load_plugins
from agentos.providers.base import Provider
from agentos.providers.llm.claude import AnthropicProvider
from agentos.providers.llm.registry import has_endpoint
from agentos.runner import repo_lock, state_dir
from agentos.skill.draft import is_draft, write_draft
from agentos.skill.evals import EvalItem, augment, load_evals
from agentos.skill.evaluator import SkillEvaluator
from agentos.skill.gates import GatePins, pin_gates
from agentos.skill.joint import Judged, joint_stage
from agentos.skill.llm import SkillLLMProposer
from agentos.skill.loop import (
    SkillRun,
    new_run_id,
    open_skill_run,
    run_skill,
    skill_path,
    skill_task,
    sub_run_id,
)
from agentos.skill.model import (
    SKILL_FILE,
    Skill,
    changed_names,
    load_folder,
    parse_skill,
    render_skill,
)
from agentos.skill.operators import TextOperatorProposer
from agentos.skill.report import Experiment, TuneReport, build_report
from agentos.skill.router import CalibratingRouter, EmbeddingRouter, SkillRouter, default_router
from agentos.skill.workspace import (
    check_out,
    protected_evals,
    repo_of,
    scratch_repo,
    write_branch,
    write_out,
)

DRAFT_FILE = "evals.draft.jsonl"


class _Tuner:
    """Shared, read-only pieces of one tuning run."""

    def __init__(
        self,
        repo: Repo,
        ledger: Ledger,
        skills_dir: str,
        protected: tuple[str, ...],
        items: list[EvalItem],
        router: SkillRouter,
        pins: GatePins,
        provider: Provider | None,
        seed: int,
        run_id: str,
        progress: Callable[[str], None] | None = None,
        offline: bool = False,
    ):
        self.repo = repo
        self.ledger = ledger
        self.skills_dir = skills_dir
        self.protected = protected
        self.items = items
        self.train = [i for i in items if i.split == "train"]
        self.router = router
        self.pins = pins
        self.provider = provider
        self.seed = seed
        self.run_id = run_id
        self.tried: dict[str, set[str]] = {}  # per skill: descriptions already proposed
        self._progress = progress
        self.offline = offline
        self._lock = threading.Lock()  # the runs of a round report from their threads
        self.skipped: tuple[str, ...] = ()  # folders invalid from the start, left untouched
        self.originals: list[Skill] = []  # the skills as the run found them

    @property
    def local_proposals(self) -> bool:
        """Whether the offline text operators propose (no provider given, and offline or no
        Claude endpoint)."""
        return self.provider is None and (self.offline or not has_endpoint())

    def say(self, line: str) -> None:
        if self._progress is not None:
            with self._lock:
                self._progress(line)

    def evaluator(
        self,
        target: str | None,
        rewritten: Sequence[str] = (),
        reference: Sequence[Skill] | None = None,
    ) -> SkillEvaluator:
        """The judge; a rewrite (`target` or `rewritten`) is judged against the `reference`
        set's routing, query by query."""
        return SkillEvaluator(
            self.items,
            self.router,
            self.pins,
            target=target,
            skills_dir=self.skills_dir,
            recalibrate=True,
            rewritten=rewritten,
            reference=reference,
            skipped=self.skipped,
            originals=self.originals,
        )

    def tune_one(
        self,
        name: str,
        skills: list[Skill],
        baseline: str,
        steps: int,
        rnd: int,
    ) -> SkillRun:
        """One skill's graph from `baseline`, against the fixed rest of the set."""
        others = [s for s in skills if s.name != name]
        task = skill_task(
            self.repo.root,
            self.skills_dir,
            name,
            protected=self.protected,
            budget=steps,
            seed=self.seed + 7919 * rnd,
            pins=self.pins,
        )
        provider = self.provider
        if provider is None and not self.local_proposals:
            provider = SkillLLMProposer(
                AnthropicProvider(task),
                self.train,
                self.router,
                target=name,
                others=others,
                gates=self.pins.gates().get(name, []),
            )
        if provider is None:
            provider = TextOperatorProposer(
                self.train,
                self.router,
                target=name,
                others=others,
                tried=self.tried.setdefault(name, set()),
            )
        rt = open_skill_run(
            task,
            self.repo,
            self.ledger,
            sub_run_id(self.run_id, rnd, name),
            baseline,
            self.evaluator(name, reference=skills),
            provider,
        )
        return run_skill(rt, name, rnd, self.say if self._progress is not None else None)


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
            new.name, new.description, new.body, old.path, new.front, new.declared_gates, new.source
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
    evals: Path | str | None = None,
    *,
    seed: int = 0,
    budget: int = 12,
    provider: Provider | None = None,
    json: bool = False,
    rounds: int = 3,
    workers: int = 2,
    branch: str | None = None,
    router: SkillRouter | None = None,
    progress: Callable[[str], None] | None = None,
    offline: bool = False,
    out: Path | str | None = None,
    evals_out: Path | str | None = None,
) -> TuneReport:
    """Tune every skill under `path` against the eval set `evals`; return the report.

    `budget` is the number of proposals per skill, spread over `rounds`. Every input is validated
    before anything is written. When `path` is inside a git repository with commits, the accepted
    rewrites end on the branch `branch` (default `agentos/tune-skills-<run>`), made from HEAD.
    `router` defaults to the Claude router when `ANTHROPIC_API_KEY` is set, else the offline
    embedding router, and the proposer to Claude (`SkillLLMProposer`) likewise; `offline` keeps
    both local whatever the environment. `progress`, when given, gets a line per joint look,
    per finished experiment, per skill run and per merge (after one opening line: the run, what it
    tunes on, the gates pinned and the router). A skill that fails validation is reported (a
    progress line and the report's `notes`) and left out; the rest are tuned. Without `evals`, a
    draft eval set is written from the skills' own text (`agentos.skill.draft`) to `evals_out`,
    or `DRAFT_FILE` in the folder, and the run tunes on it. `out`, a new or empty folder, gets a
    copy of `path` with the accepted rewrites (in or out of git); the report's `rewrites` hold
    them either way.
    """
    start = time.monotonic()
    root = Path(path).resolve()
    skills, problems = load_folder(root)
    notes = [f"skipped {name}: {exc}" for name, exc in sorted(problems.items())]
    if not skills:
        raise UserError("holds no valid skill", path=root, fix=f"fix them: {notes[0]}")
    if evals is None:
        evals = Path(evals_out) if evals_out is not None else root / DRAFT_FILE
        n = write_draft(skills, evals, seed=seed)
        notes.append(
            f"wrote a draft eval set of {n} queries to {evals}, from the skills' own text: "
            "review and edit it, then pass it with --evals"
        )
    elif is_draft(Path(evals)):
        notes.append(f"{evals} is a generated draft eval set: review it before trusting figures")
    for line in notes:
        if progress is not None:
            progress(line)
    items = augment(load_evals(evals, [s.name for s in skills], problems), seed=seed)
    out_dir = None if out is None else check_out(out, root)
    user_repo = repo_of(root)
    run_id = new_run_id()
    scratch = None if user_repo is not None else Path(tempfile.mkdtemp(prefix="agentos-skills-"))
    try:
        repo = user_repo or scratch_repo(root, scratch)  # type: ignore[arg-type]
        top = repo.root.resolve()
        skills_dir = root.relative_to(top).as_posix() if user_repo is not None else ""
        skills_dir = "" if skills_dir == "." else skills_dir
        protected = protected_evals(top, root, top / skills_dir, Path(evals).resolve())
        n_train = sum(i.split == "train" for i in items)
        if router is None and progress is not None:  # loading the model takes seconds
            progress(f"run {run_id}: loading the router, then fitting its none cut on train")
        router = router or (EmbeddingRouter() if offline else default_router())
        threshold = router.calibrate(items, skills)
        pins = pin_gates(skills, repo.git_dir / "agentos" / "skill-gates" / f"{run_id}.json")
        if progress is not None:
            n_made = sum(i.generated for i in items)
            progress(
                f"run {run_id}: {len(skills)} skills, {n_train} train queries ({n_made} "
                f"generated variants) and {len(items) - n_train} held-out, {pins.count()} gates "
                f"pinned, {type(router).__name__} (none cut {threshold:.3f})"
            )
        # Plugins load before the pool starts: `load_plugins` is not safe to enter from threads.
        load_plugins()
        sdir = state_dir(repo)
        with repo_lock(sdir):
            ledger = Ledger(sdir / "ledger.db")
            tuner = _Tuner(
                repo,
                ledger,
                skills_dir,
                protected,
                items,
                router,
                pins,
                provider,
                seed,
                run_id,
                progress,
                offline,
            )
            tuner.skipped, tuner.originals = tuple(problems), list(skills)
            outcome = _rounds(tuner, skills, rounds=rounds, budget=budget, workers=workers)
            ledger.close()
        current, current_eval, baseline, experiments, refusals, accepted = outcome
        if isinstance(router, CalibratingRouter):  # the cut the tuned set ships with
            threshold = router.calibrated_scores([], current, tuner.train)[1]
        judge = tuner.evaluator(None)
        rewrites = _rewrites(current, skills)
        branch_name, commit = None, None
        if user_repo is not None and rewrites:
            branch_name = branch or f"agentos/tune-skills-{run_id}"
            files = _files(skills_dir, rewrites)
            commit = write_branch(user_repo, files, branch_name, run_id, accepted)
        if out_dir is not None:
            write_out(root, out_dir, _files("", rewrites))
        return build_report(
            skills=skills,
            final=current,
            rewrites=rewrites,
            evaluator=judge,
            baseline=baseline,
            after=current_eval,
            experiments=experiments,
            refusals=refusals,
            accepted=accepted,
            branch=branch_name,
            commit=commit,
            out=None if out_dir is None else str(out_dir),
            threshold=threshold,
            elapsed=time.monotonic() - start,
            gates=pins.count(),
            as_json=json,
            run_id=run_id,
            notes=notes,
        )
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)


_Outcome = tuple[list[Skill], Evaluation, Evaluation, list[Experiment], list[str], list[str]]


def _rounds(
    tuner: _Tuner, skills: list[Skill], *, rounds: int, budget: int, workers: int
) -> _Outcome:
    """Run the rounds: the graphs in a pool, then the winners merged one at a time."""
    judge = tuner.evaluator(None)
    baseline = judge.evaluate_skills(skills)
    current, current_eval = list(skills), baseline
    head = tuner.repo.rev("HEAD")
    assert head is not None
    commit = head
    experiments: list[Experiment] = []
    refusals: list[str] = []
    accepted: list[str] = []
    per_round = max(1, -(-budget // max(1, rounds)))
    # every merged set, with how many accepted lines it has (the baseline first)
    merges: list[tuple[list[Skill], Evaluation, int]] = [(current, current_eval, 0)]
    # The joint stage runs before each round and after the last, on a set it has not searched
    # (a round whose winners all fail to merge leaves the set as it was); a round with no
    # winners ends the loop.
    searched: list[Skill] | None = None
    for rnd in range(1, rounds + 2):
        joint = None if current is searched else _joint(tuner, current, current_eval, experiments)
        if joint is not None:
            before, (current, current_eval, line) = current, joint
            commit = tuner.repo.commit_files(
                commit,
                _files(tuner.skills_dir, _rewrites(current, before)),
                f"agentos {tuner.run_id} {line}",
            )
            tuner.repo.update_ref(f"refs/agentos/{tuner.run_id}/joint/{rnd}", commit, None)
            accepted.append(f"{f'round {rnd}' if rnd <= rounds else 'last'}: {line}")
            merges.append((current, current_eval, len(accepted)))
        searched = current
        if rnd > rounds:
            break
        names = [s.name for s in current]
        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            runs = list(
                pool.map(
                    lambda name, base=commit, now=current, r=rnd: tuner.tune_one(
                        name, now, base, per_round, r
                    ),
                    names,
                )
            )
        for run in runs:
            experiments.extend(run.experiments)
            refusals.extend(run.refusals)
        wins = sorted(
            (r for r in runs if r.best != r.baseline and r.gain > 0),
            key=lambda r: (-r.gain, r.skill),
        )
        merged = False
        for win in wins:
            rel = skill_path(tuner.skills_dir, win.skill)
            text = tuner.repo.read(win.best, rel).decode("utf-8")
            try:
                candidate = _merge(current, {f"{win.skill}/{SKILL_FILE}": text})
            except (EditError, UserError) as exc:
                tuner.say(f"round {rnd}: merge of {win.skill} refused: {exc}")
                continue
            evaluator = tuner.evaluator(win.skill, reference=current)
            result = evaluator.evaluate_skills(candidate)
            why = _accepts(evaluator, current_eval, result)
            if why is not None:
                tuner.say(f"round {rnd}: merge of {win.skill} refused: {why}")
                continue
            current, current_eval, merged = candidate, result, True
            what = win.description.removeprefix(f"{win.skill}: ")
            accepted.append(f"round {rnd}: {win.skill}: {what}")
            tuner.say(f"round {rnd}: merged {win.skill} (train {_pct(result.metric)})")
            merges.append((current, current_eval, len(accepted)))
            commit = tuner.repo.commit_files(
                commit,
                {rel: text.encode("utf-8")},
                f"agentos {tuner.run_id} round {rnd}: merge {win.skill}",
            )
        if merged:
            ref = f"refs/agentos/{tuner.run_id}/merged/{rnd}"
            tuner.repo.update_ref(ref, commit, tuner.repo.rev(ref))
        elif not wins:
            break  # nothing moved: another round would search the same set again
    # Each merge passed against the set before it; the whole must still pass against the
    # baseline (no query drifted to a rewritten skill over several merges). If it does not, the
    # latest merges are undone one at a time until it does (the baseline always passes).
    for kept, kept_eval, n in reversed(merges):
        final = tuner.evaluator(None, changed_names(kept, skills), reference=skills)
        why = final.veto(baseline, final.evaluate_skills(kept))
        if why is None:
            return kept, kept_eval, baseline, experiments, refusals, accepted[:n]
        tuner.say(f"undoing the merge {accepted[n - 1]}: against the baseline, {why}")
    return list(skills), baseline, baseline, experiments, refusals, []


def _joint(
    tuner: _Tuner, skills: list[Skill], evaluation: Evaluation, experiments: list[Experiment]
) -> tuple[list[Skill], Evaluation, str] | None:
    """The joint stage, when the offline operators propose and the router is local."""
    if not tuner.local_proposals or not isinstance(tuner.router, CalibratingRouter):
        return None

    def judge(candidate: list[Skill], current: list[Skill], now: Evaluation) -> Judged:
        evaluator = tuner.evaluator(None, changed_names(candidate, current), reference=current)
        result = evaluator.evaluate_skills(candidate)
        return result, _accepts(evaluator, now, result)

    return joint_stage(tuner.router, skills, evaluation, tuner.train, judge, experiments, tuner.say)


def _rewrites(now: Sequence[Skill], before: Sequence[Skill]) -> dict[str, str]:
    """The SKILL.md texts of the skills of `now` that differ from `before`, by name."""
    changed = changed_names(now, before)
    return {s.name: render_skill(s) for s in now if s.name in changed}


def _files(skills_dir: str, rewrites: Mapping[str, str]) -> dict[str, bytes]:
    """`rewrites` as files, relative to the repository (or to the skills folder, for "")."""
    return {skill_path(skills_dir, name): text.encode("utf-8") for name, text in rewrites.items()}


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


__all__ = ["SkillRouter", "default_router", "tune_skills"]
