"""Tuning a folder of skills: one run of the loop's graph over the whole set.

The skill set is one task (`agentos.skill.loop.skill_set_task`) whose candidate is the named
components `{SKILL.md path: text}`. One proposer (`agentos.skill.proposer.SkillSetProposer`) makes
every move: joint additions over several skills when the offline operators propose and the router
is local (`agentos.skill.joint`), and each skill's own rewrites in turn (the offline text
operators, Claude, or the provider given). The graph gates each move (the `skill-gates` tool), the
`SkillEvaluator` routes the train and held-out queries on the committed snapshot, and the graph's
`decide` node keeps or discards it: kept only if train accuracy rises and the evaluator does not
veto it (held-out accuracy, a held-out slice or a skill's own held-out accuracy fell, or a sibling
lost queries to the rewrite). Every move is a ledger row of the one run; the result is the run's
own branch `agentos/<run>`, and the report is built from the ledger.

This module is orchestration only: build the task, drive the graph, write `--out`, build the
report. The user's tree is never touched. Outside a git repository the run works in a scratch
repository holding a copy of the folder, and no branch is left.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from agentos.events import clean, decided
from agentos.git import Repo
from agentos.ledger import Ledger
from agentos.plugins import load_plugins
from agentos.providers import uses_claude
from agentos.providers.base import Provider
from agentos.providers.llm.claude import AnthropicProvider
from agentos.runner import drive, new_run_id, repo_lock, start_run, state_dir
from agentos.skill.bm25 import BM25Router
from agentos.skill.draft import is_draft, write_draft
from agentos.skill.evals import EvalItem, augment, load_evals
from agentos.skill.evaluator import SkillEvaluator
from agentos.skill.gates import GatePins, pin_gates
from agentos.skill.joint import LOOKS, JointMoves
from agentos.skill.llm import SkillLLMProposer
from agentos.skill.loop import skill_path, skill_set_task
from agentos.skill.ngram import NgramRouter
from agentos.skill.operators import TextOperatorProposer
from agentos.skill.proposer import SkillSetProposer
from agentos.skill.report import REPORT_FILE, TuneReport, build_report, experiments_of, to_json
from agentos.skill.router import CalibratingRouter, EmbeddingRouter, SkillRouter, default_router
from agentos.skill.workspace import (
    check_draft,
    check_out,
    protected_evals,
    refuse_uncommitted,
    repo_of,
    scratch_repo,
    write_out,
)
from agentos.skillfile import (
    Skill,
    changed_names,
    load_tunable,
    parse_skill,
    render_skill,
)
from agentos.task import Task

DRAFT_FILE = "evals.draft.jsonl"  # the default draft is NAME.evals.draft.jsonl beside NAME
BASELINE_FIX = (
    "the skills as HEAD holds them must load and route: fix the skill or the router named "
    "above (--offline routes locally), then run again"
)


def tune_skills(
    path: Path | str,
    evals: Path | str | None = None,
    *,
    seed: int = 0,
    budget: int = 12,
    provider: Provider | None = None,
    json: bool = False,
    router: SkillRouter | None = None,
    progress: Callable[[str], None] | None = None,
    offline: bool = False,
    out: Path | str | None = None,
    evals_out: Path | str | None = None,
) -> TuneReport:
    """Tune every skill under `path` against the eval set `evals`; return the report.

    `budget` is the number of moves per skill (the run's experiment budget is `budget` times the
    number of skills, plus the joint looks). Every input is validated before anything is written.
    In a git repository the accepted rewrites end on the run's branch `agentos/<run>`, made from
    HEAD; `agentos status` and `agentos report` show the run like any other. `router` defaults
    to the Claude router when `ANTHROPIC_API_KEY` is set, else the offline embedding router, and
    the proposer to Claude (`SkillLLMProposer`) likewise; `offline` keeps both local whatever the
    environment. A given `provider` proposes each skill's rewrites, seeing that skill's file only.
    `progress`, when given, gets an opening line (the run, what it tunes on, the gates pinned and
    the router), then a line per decided move. A skill that fails validation is reported and left
    out; the rest are tuned. Without `evals`, a draft eval set is written from the skills' own
    text (`agentos.skill.draft`) to `evals_out`, or beside the folder (`draft_path`: never into
    it, where it would be a stray file among the user's skills), and the run
    tunes on it. `out`, a new or empty folder, gets a copy of `path` with the accepted rewrites
    (in or out of git); the report's `rewrites` hold them either way.
    """
    start = time.monotonic()
    root = Path(path).resolve()
    skills, problems, notes = load_tunable(root)
    user_repo = repo_of(root)
    if user_repo is not None:
        refuse_uncommitted(user_repo, [s.path for s in skills])
    generated = evals is None or is_draft(Path(evals))
    if evals is None:
        evals = check_draft(evals_out, root) if evals_out else draft_path(root)
        n = write_draft(skills, evals, seed=seed)
        notes.append(
            f"wrote a draft eval set of {n} queries to {evals}, from the skills' own text: "
            "review and edit it, then pass it with --evals"
        )
    elif is_draft(Path(evals)):
        notes.append(f"{evals} is a generated draft eval set: review it before trusting figures")
    warnings: list[str] = []
    loaded = load_evals(evals, [s.name for s in skills], problems, warnings)
    notes += [f"warning: {w}" for w in warnings]
    untaught = [
        s.name for s in skills if not any(i.expect == s.name for i in loaded if i.split == "train")
    ]
    if untaught:  # nothing on train to gain, so no rewrite of them is ever kept
        notes.append(
            f"warning: {len(untaught)} of {len(skills)} skills have no train query in {evals} "
            f"({', '.join(untaught)}): no rewrite of them can gain on train; add train lines "
            "for them"
        )
    for line in notes:
        if progress is not None:
            progress(line)
    items = augment(loaded)  # the same variants whatever the run's seed
    out_dir = None if out is None else check_out(out, root)
    run_id = new_run_id()
    scratch = None if user_repo is not None else Path(tempfile.mkdtemp(prefix="agentos-skills-"))
    try:
        repo = user_repo or scratch_repo(root, scratch)  # type: ignore[arg-type]
        top = repo.root.resolve()
        skills_dir = root.relative_to(top).as_posix() if user_repo is not None else ""
        skills_dir = "" if skills_dir == "." else skills_dir
        protected = protected_evals(top, root, top / skills_dir, Path(evals).resolve())
        if router is None and progress is not None:  # loading the model takes seconds
            progress(f"run {run_id}: loading the router, then fitting its none cut on train")
        router = router or (EmbeddingRouter() if offline else default_router())
        threshold = router.calibrate(items, skills)
        pins = pin_gates(skills, repo.git_dir / "agentos" / "skill-gates" / f"{run_id}.json")
        if progress is not None:
            n_train = sum(i.split == "train" for i in items)
            n_made = sum(i.generated for i in items)
            progress(
                f"run {run_id}: {len(skills)} skills, {n_train} train queries ({n_made} "
                f"generated variants) and {len(items) - n_train} held-out, {pins.count()} gates "
                f"pinned, {type(router).__name__} (none cut {threshold:.3f} for these "
                "descriptions, fitted again on train for each candidate)"
            )
        judge = SkillEvaluator(
            items,
            router,
            pins,
            skills_dir=skills_dir,
            recalibrate=True,
            skipped=tuple(problems),
            originals=skills,
            lexical=BM25Router() if isinstance(router, CalibratingRouter) else None,
        )
        load_plugins()
        head = repo.rev("HEAD")
        assert head is not None
        sdir = state_dir(repo)
        with repo_lock(sdir):
            ledger = Ledger(sdir / "ledger.db")
            try:
                joint = _joint(router, judge, skills, provider=provider, offline=offline)
                task = skill_set_task(
                    repo.root,
                    skills_dir,
                    [s.name for s in skills],
                    protected=protected,
                    experiments=budget * len(skills) + (LOOKS if joint is not None else 0),
                    seed=seed,
                    pins=pins,
                )
                proposer = _proposer(task, skills, judge.train, router, pins, provider, joint)
                rt = start_run(
                    task,
                    repo,
                    ledger,
                    run_id=run_id,
                    evaluator=judge,
                    provider=proposer,
                    baseline=head,
                )
                summary = drive(rt, on_update=_lines(progress))
                if progress is not None:
                    progress(f"run {run_id}: {summary.experiments} moves, ended: {summary.status}")
                rows = list(ledger.rows(run_id))
            finally:
                ledger.close()
        # a set that does not measure at HEAD fails the run; finding nothing to try does not
        failure = summary.failure if summary.baseline is None else None
        best = head if failure else summary.best_commit or head
        final = _skills_at(repo, best, skills_dir, skills)
        rewrites = {
            s.name: render_skill(s) for s in final if s.name in changed_names(final, skills)
        }
        if isinstance(router, CalibratingRouter):  # the cut the tuned set ships with
            threshold = router.calibrated_scores([], final, judge.train)[1]
        if out_dir is not None:
            write_out(root, out_dir, _files("", rewrites))
        experiments, refusals, accepted = experiments_of(rows)
        # the graph's branch, named only when it exists and holds a rewrite
        on_branch = user_repo is not None and bool(rewrites) and summary.branch is not None
        report = build_report(
            skills=skills,
            final=final,
            rewrites=rewrites,
            evaluator=judge,
            second=BM25Router() if judge.lexical is None else NgramRouter(),
            experiments=experiments,
            refusals=refusals,
            accepted=accepted,
            branch=summary.branch if on_branch else None,
            commit=best if on_branch else None,
            out=None if out_dir is None else str(out_dir),
            threshold=threshold,
            elapsed=time.monotonic() - start,
            gates=pins.count(),
            as_json=json,
            run_id=run_id,
            notes=notes,
            router=type(router).__name__,
            failure=failure,
            fix=None if failure is None else BASELINE_FIX,
            generated=generated,
            git=user_repo is not None,
            repo=None if user_repo is None else str(user_repo.root.resolve()),
        )
        # beside the run's other files, for `agentos report` (gone with a scratch repository)
        rt.run_dir.mkdir(parents=True, exist_ok=True)
        part = rt.run_dir / f".{REPORT_FILE}.part"  # whole or absent: written, then renamed
        part.write_text(to_json(report), encoding="utf-8")
        part.replace(rt.run_dir / REPORT_FILE)
        return report
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)


def draft_path(root: Path) -> Path:
    """Where a run without an eval set writes its draft: beside the skills folder `root`."""
    return root.parent / f"{root.name}.{DRAFT_FILE}"


def make_evals(
    path: Path | str, evals: Path | str, *, seed: int = 0
) -> tuple[dict[str, int], list[str]]:
    """Write a draft eval set for the valid skills under `path` to the new file `evals` (for the
    user to review, then pass to `tune_skills`); return its counts (`queries`, `train`,
    `holdout`, `near_misses`: lines of each) and the notes (skipped skills)."""
    root = Path(path).resolve()
    skills, _, notes = load_tunable(root)
    n = write_draft(skills, Path(evals), seed=seed, option="--make-evals")
    rows = [json.loads(line) for line in Path(evals).read_text("utf-8").splitlines()]
    counts = {"queries": n, "train": 0, "holdout": 0, "near_misses": 0}
    for row in rows:
        counts[row["split"]] += 1
        counts["near_misses"] += row["slice"] == "near-miss"
    return counts, notes


def _joint(
    router: SkillRouter,
    judge: SkillEvaluator,
    skills: Sequence[Skill],
    *,
    provider: Provider | None,
    offline: bool,
) -> JointMoves | None:
    """Joint moves, when the offline operators propose and the router is local; they search
    with the evaluator's second router too."""
    local = provider is None and (offline or not uses_claude())
    if local and isinstance(router, CalibratingRouter):
        return JointMoves(
            router, judge.train, lexical=judge.lexical, blame=judge.blame, originals=skills
        )
    return None


def _proposer(
    task: Task,
    skills: Sequence[Skill],
    train: Sequence[EvalItem],
    router: SkillRouter,
    pins: GatePins,
    provider: Provider | None,
    joint: JointMoves | None,
) -> SkillSetProposer:
    """The run's one proposer: joint moves (when given), then each skill's rewrites by the given
    provider, by Claude (a key set and no joint moves), or by the offline text operators."""
    names = [s.name for s in skills]
    if provider is not None:
        given = provider
        return SkillSetProposer(lambda _: given, names, reviewer=given, files_of_target=True)
    if joint is None and uses_claude():
        llm = AnthropicProvider(task)
        gates = pins.gates()
        return SkillSetProposer(
            lambda name: SkillLLMProposer(
                llm, train, router, target=name, others=(), gates=gates.get(name, [])
            ),
            names,
            reviewer=llm,
        )
    tried: dict[str, set[str]] = {}
    lexical = None if joint is None else joint.lexical  # the evaluator's second router
    return SkillSetProposer(
        lambda name: TextOperatorProposer(
            train,
            router,
            target=name,
            tried=tried.setdefault(name, set()),
            lexical=lexical,
            originals=skills,
        ),
        names,
        joint=joint,
    )


def _skills_at(repo: Repo, commit: str, skills_dir: str, skills: Sequence[Skill]) -> list[Skill]:
    """The skill set as the commit holds it (each SKILL.md parsed back, in the original order)."""
    out = []
    for s in skills:
        text = repo.read(commit, skill_path(skills_dir, s.name)).decode("utf-8")
        new = parse_skill(s.path, text, folder=s.name)
        out.append(new)
    return out


def _lines(progress: Callable[[str], None] | None) -> Callable[[dict[str, Any]], None] | None:
    """One progress line per decided move."""
    if progress is None:
        return None

    def on_update(event: dict[str, Any]) -> None:
        for item in decided(event):
            metric = item.get("metric")
            train = "-" if metric is None else f"{metric:.3f}"
            progress(
                f"#{item['id']} {item['status']} train={train} | "
                f"{clean(str(item.get('description') or ''))} | "
                f"{clean(str(item.get('reason') or ''))}"
            )

    return on_update


def _files(skills_dir: str, rewrites: Mapping[str, str]) -> dict[str, bytes]:
    """`rewrites` as files, relative to the repository (or to the skills folder, for "")."""
    return {skill_path(skills_dir, name): text.encode("utf-8") for name, text in rewrites.items()}


__all__ = ["DRAFT_FILE", "SkillRouter", "default_router", "draft_path", "make_evals", "tune_skills"]
