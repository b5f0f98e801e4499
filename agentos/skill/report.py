"""The tuning report, built from the run's ledger rows: per skill and per slice before / after
(train and held-out), held-out accuracy with the router tuned against and with an independent one,
the confusions between skills, every gate a proposal tried to remove, the branch and output
folder, and the accepted SKILL.md texts; as a text table or JSON."""

from __future__ import annotations

import copy
import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from agentos.evaluate import Evaluation
from agentos.ledger import Row as LedgerRow
from agentos.skill.evals import slices_of
from agentos.skill.evaluator import LEXICAL, Scored, SkillEvaluator, accuracy
from agentos.skill.firing import near_miss_warning
from agentos.skill.gates import GATE_TOOL
from agentos.skill.proposer import move_of
from agentos.skill.router import Router, ThresholdRouting, route_with_train
from agentos.skill.text import advice, misses_by_skill, render_table, router_warnings, verdict
from agentos.skillfile import Skill

REPORT_FILE = "tune-report.json"  # `to_json` of the report, in the run's folder (`agentos report`)


@dataclass
class Experiment:
    """One move of the run (a ledger row): the skill it rewrote (`joint` for a joint move), its
    experiment id, its status (keep, discard, invalid, rejected) and why."""

    skill: str
    step: int
    status: str
    train: float | None
    reason: str
    description: str


@dataclass(frozen=True)
class Row:
    """Accuracy of one skill (its own queries), one slice, or everything."""

    group: str
    name: str
    train_before: float | None
    train_after: float | None
    holdout_before: float | None
    holdout_after: float | None
    holdout_n: int


@dataclass(frozen=True)
class Confusion:
    expected: str
    got: str
    before: int
    after: int


@dataclass(frozen=True)
class Miss:
    """A held-out query routed wrong before tuning, after it, or both: where it went each time
    (None: to no skill). `expect` is the skill it should go to, None for a near-miss."""

    query: str
    expect: str | None
    before: str | None
    after: str | None

    @property
    def change(self) -> str:
        """ "fixed" (missed before, right after), "new" (right before, missed after), or
        "still" (missed both times)."""
        if self.after == self.expect:
            return "fixed"
        return "new" if self.before == self.expect else "still"


@dataclass(frozen=True)
class RouterScore:
    """Held-out accuracy of the set before and after tuning, routed by one router."""

    router: str
    tuned_against: bool
    holdout_before: float | None
    holdout_after: float | None


@dataclass(frozen=True)
class TuneReport:
    run_id: str
    rows: list[Row]
    confusions: list[Confusion]
    refusals: list[str]
    accepted: list[str]
    changed: list[str]
    rewrites: dict[str, str]  # skill name -> its accepted SKILL.md text, for each changed skill
    branch: str | None
    commit: str | None
    out: str | None
    threshold: float
    gates: int
    elapsed: float
    counts: dict[str, int] = field(default_factory=dict)
    as_json: bool = False
    notes: list[str] = field(default_factory=list)  # skipped skills, a generated eval set
    descriptions: dict[str, tuple[str, str]] = field(default_factory=dict)  # name: before, after
    routers: list[RouterScore] = field(default_factory=list)
    failure: str | None = None  # the run could not do its work (the baseline does not measure)
    fix: str | None = None
    generated: bool = False  # the eval set is a generated draft (`agentos.skill.draft`)
    misses: list[Miss] = field(default_factory=list)  # held-out queries missed before or after
    # False for a folder outside git: the run lived in a scratch repository, removed after it,
    # so no branch, `agentos status` or `agentos report` knows it; `out` and `rewrites` hold it
    git: bool = True
    # per skill: its hand-written train queries, how many routed right before and after (the
    # train figures count the generated variants too); empty when train has no variants
    written: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    repo: str | None = None  # the git repository that holds `branch`, for the `next:` line

    def row(self, group: str, name: str) -> Row:
        return next(r for r in self.rows if r.group == group and r.name == name)


def _per_skill(ev: Evaluation, split: str, name: str, n: int) -> float | None:
    source = ev.details if split == "train" else ev.holdout
    hits = source.get(f"{split}/hits/{name}")
    return None if hits is None or n == 0 else hits / n


def experiments_of(rows: Sequence[LedgerRow]) -> tuple[list[Experiment], list[str], list[str]]:
    """From the run's ledger rows: every move, the gate refusals (each lost gate's message and
    the experiment), and the kept moves in order."""
    experiments: list[Experiment] = []
    refusals: list[str] = []
    accepted: list[str] = []
    for row in rows:
        if row["kind"] != "experiment":
            continue
        description = str(row.get("description") or "")
        exp = Experiment(
            move_of(description),
            int(row["id"]),
            str(row["status"]),
            row.get("metric"),
            str(row.get("reason") or ""),
            description,
        )
        experiments.append(exp)
        if exp.status == "keep":
            accepted.append(f"#{exp.step} {description}")
        if exp.status == "rejected":
            lost = [
                f["message"] for f in _json(row.get("findings")) or [] if f.get("tool") == GATE_TOOL
            ]
            if lost:
                refusals.append(f"{lost[0]} (experiment {exp.step})")
    return experiments, refusals, accepted


def _json(value: object) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def holdout_routes(
    router: Router, evaluator: SkillEvaluator, start: Sequence[Skill], skills: Sequence[Skill]
) -> list[str | None]:
    """Where `router` sends each held-out query for `skills`, routed as the tuned-against
    router is: its "none" cut fitted on train for `skills`, never below the cut fitted on train
    for the starting set `start` (`ThresholdRouting.floor`). With no floor, a rewrite that
    raises one skill's scores on its own train queries could lower the cut below where the
    author's set had it and let through a near-miss the rewrite has nothing to do with."""
    queries = [i.query for i in evaluator.holdout]
    if isinstance(router, ThresholdRouting):
        router = copy.copy(router)  # the caller's router keeps its own cut and floor
        router.calibrate(evaluator.train, start)
    return route_with_train(router, skills, evaluator.train, queries)[len(evaluator.train) :]


def held_out(
    router: Router, evaluator: SkillEvaluator, start: Sequence[Skill], skills: Sequence[Skill]
) -> float | None:
    """Held-out accuracy of `skills` routed by `router` (`holdout_routes`)."""
    routed = holdout_routes(router, evaluator, start, skills)
    return accuracy(evaluator.holdout, routed, "holdout").get("holdout/all")


def build_report(
    *,
    skills: Sequence[Skill],
    final: Sequence[Skill],
    rewrites: Mapping[str, str],
    evaluator: SkillEvaluator,
    second: Router,
    experiments: Sequence[Experiment],
    refusals: Sequence[str],
    accepted: Sequence[str],
    branch: str | None,
    commit: str | None,
    out: str | None,
    threshold: float,
    elapsed: float,
    gates: int,
    as_json: bool,
    run_id: str,
    router: str,
    notes: Sequence[str] = (),
    failure: str | None = None,
    fix: str | None = None,
    generated: bool = False,
    git: bool = True,
    repo: str | None = None,
) -> TuneReport:
    """The report of a run from its ledger rows (`experiments_of`) and the sets before and
    after, which the `evaluator` scores again (deterministic) for the per-skill, per-slice and
    confusion figures; `second` is the independent router whose held-out figures are shown
    beside the tuned-against one's."""
    baseline = evaluator.evaluate_skills(skills)
    after = evaluator.evaluate_skills(final)
    routers = [
        RouterScore(
            router, True, baseline.holdout.get("holdout/all"), after.holdout.get("holdout/all")
        )
    ]
    if evaluator.lexical is not None:  # the second router the run decided with
        key = f"{LEXICAL}/holdout/all"
        name = getattr(evaluator.lexical, "name", type(evaluator.lexical).__name__)
        routers.append(RouterScore(name, True, baseline.holdout.get(key), after.holdout.get(key)))
    routers.append(
        RouterScore(
            getattr(second, "name", type(second).__name__),
            False,
            held_out(second, evaluator, skills, skills),
            held_out(second, evaluator, skills, final),
        )
    )
    rows = []
    for s in skills:
        n_train = sum(i.expect == s.name for i in evaluator.train)
        n_hold = sum(i.expect == s.name for i in evaluator.holdout)
        rows.append(
            Row(
                "skill",
                s.name,
                _per_skill(baseline, "train", s.name, n_train),
                _per_skill(after, "train", s.name, n_train),
                _per_skill(baseline, "holdout", s.name, n_hold),
                _per_skill(after, "holdout", s.name, n_hold),
                n_hold,
            )
        )
    for key in [*slices_of(evaluator.holdout), "all"]:
        n_hold = sum(i.slice == key or key == "all" for i in evaluator.holdout)
        rows.append(
            Row(
                "slice" if key != "all" else "all",
                key,
                baseline.details.get(f"train/{key}"),
                after.details.get(f"train/{key}"),
                baseline.holdout.get(f"holdout/{key}"),
                after.holdout.get(f"holdout/{key}"),
                n_hold,
            )
        )
    pairs_before: Counter[tuple[str, str]] = Counter()
    pairs_after: Counter[tuple[str, str]] = Counter()
    misses: list[Miss] = []
    written: dict[str, tuple[int, int, int]] = {}
    if baseline.metric is not None or failure is None:  # a router that failed routes nothing
        (train_before, held_before), (train_after, held_after) = (
            evaluator.score(skills),
            evaluator.score(final),
        )
        pairs_before, pairs_after = _misroutes(held_before), _misroutes(held_after)
        misses = missed_queries(held_before, held_after)
        if any(i.generated for i in evaluator.train):
            counted = _written(train_before, train_after)
            written = {s.name: counted[s.name] for s in skills if s.name in counted}
    confusions = [
        Confusion(e, g, pairs_before[(e, g)], pairs_after[(e, g)])
        for e, g in sorted(
            set(pairs_before) | set(pairs_after),
            key=lambda k: (-pairs_after[k], -pairs_before[k], k),
        )
    ]
    return TuneReport(
        run_id,
        rows,
        confusions,
        list(refusals),
        list(accepted),
        list(rewrites),
        dict(rewrites),
        branch,
        commit,
        out,
        threshold,
        gates,
        elapsed,
        dict(Counter(e.status for e in experiments)),
        as_json,
        [*notes, *near_miss_warning(evaluator, final, _fired(confusions))],
        {
            s.name: (s.description, f.description)
            for s, f in zip(skills, final, strict=True)
            if s.description != f.description
        },
        routers,
        failure,
        fix,
        generated,
        misses,
        git,
        written,
        repo,
    )


def _written(before: Scored, after: Scored) -> dict[str, tuple[int, int, int]]:
    """Per skill: its hand-written train queries, and how many `before` and `after` route right."""
    out: dict[str, tuple[int, int, int]] = {}
    for i, b, a in zip(before.items, before.predicted, after.predicted, strict=True):
        if i.expect is not None and not i.generated:
            n, right_before, right_after = out.get(i.expect, (0, 0, 0))
            out[i.expect] = (n + 1, right_before + (b == i.expect), right_after + (a == i.expect))
    return out


def missed_queries(before: Scored, after: Scored) -> list[Miss]:
    """The held-out queries routed wrong by `before` or by `after` (the same items, routed for
    the starting and the final set), grouped by the skill they expect (near-misses last), in
    the eval file's order within each."""
    out = [
        Miss(i.query, i.expect, b, a)
        for i, b, a in zip(before.items, before.predicted, after.predicted, strict=True)
        if b != i.expect or a != i.expect
    ]
    return sorted(out, key=lambda m: (m.expect is None, m.expect or ""))


def _fired(confusions: Sequence[Confusion]) -> tuple[int, int]:
    """How many held-out near-misses fired a skill after the run, and before it."""
    nones = [c for c in confusions if c.expected == "none"]
    return sum(c.after for c in nones), sum(c.before for c in nones)


def _misroutes(scored: Scored) -> Counter[tuple[str, str]]:
    """(expected, routed) counts of the items routed wrong ("none" for no skill)."""
    return Counter(
        (i.expect or "none", p or "none")
        for i, p in zip(scored.items, scored.predicted, strict=True)
        if i.expect != p
    )


def to_json(report: TuneReport) -> str:
    """The machine form: every field of the report but how it is printed, and the summary's
    `verdict`, `next` (None without a kept rewrite) and `warnings` as the table prints them."""
    fields = {k: v for k, v in asdict(report).items() if k != "as_json"}
    fields["verdict"] = verdict(report)
    fields["next"] = advice(report) if report.rewrites else None
    fields["warnings"] = router_warnings(report)
    return json.dumps(fields, indent=2, sort_keys=True)


def render(report: TuneReport) -> str:
    """JSON when the run asked for it, the table otherwise."""
    return to_json(report) if report.as_json else render_table(report)


__all__ = [
    "REPORT_FILE",
    "Confusion",
    "Experiment",
    "Miss",
    "RouterScore",
    "Row",
    "TuneReport",
    "build_report",
    "experiments_of",
    "held_out",
    "holdout_routes",
    "missed_queries",
    "misses_by_skill",
    "render",
    "render_table",
    "to_json",
    "verdict",
]
