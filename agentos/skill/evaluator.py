"""The skill-routing evaluator: agentos' `Evaluator` protocol for a folder of skills.

`metric` is train accuracy over all skills; `details` (shown to the proposer) hold per-slice train
accuracy and per-skill train hits; `holdout` holds held-out accuracy overall, per slice and per
skill, and is read only by `veto`. A skill that fails validation is `invalid`; a body that lost a
pinned gate, or a description that fails the `description-quality` gate
(`agentos.skill.quality`, against the description the run started from), is `rejected`, whatever
its routing score.
"""

from __future__ import annotations

import hashlib
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from agentos.errors import UserError
from agentos.evaluate import Evaluation
from agentos.providers.base import ProviderError
from agentos.skill.evals import EvalItem, Slice, fuzzy, slices_of
from agentos.skill.gates import GatePins, GateViolation, violations
from agentos.skill.quality import description_problems, refusal
from agentos.skill.router import Router, ThresholdRouting, route_with_train
from agentos.skillfile import Skill, changed_names, load_folder

RIGHT, NONE, OTHER = 1.0, 0.0, -1.0  # how one query was routed (`accuracy`'s route marks)
LEXICAL = "lexical"  # the prefix of the second router's figures (`SkillEvaluator.lexical`)
DESCRIBED = "description"  # `DESCRIBED/SKILL`: a digest of the skill's description (`described`)


@dataclass(frozen=True)
class Scored:
    """Per-item predictions of one skill set (kept out of `Evaluation`, which is numbers only)."""

    items: Sequence[EvalItem]
    predicted: Sequence[str | None]


def accuracy(
    items: Sequence[EvalItem], predicted: Sequence[str | None], prefix: str
) -> dict[str, float]:
    """`PREFIX/all`, `PREFIX/SLICE` accuracy, `PREFIX/hits/SKILL` correct counts,
    `PREFIX/to/GOT/SKILL` counts of SKILL's queries that went to the skill GOT instead (SKILL is
    `none` for a near-miss), and `PREFIX/route/I`, how query I was routed: `RIGHT`, `NONE` (to no
    skill, wrongly) or `OTHER` (to a wrong skill). The route marks let `veto` compare two
    measurements query by query, whatever the sets they were taken on."""
    out: dict[str, float] = {}
    total = [(i, p) for i, p in zip(items, predicted, strict=True)]
    if total:
        out[f"{prefix}/all"] = sum(i.expect == p for i, p in total) / len(total)
    for s in slices_of(items):
        part = [(i, p) for i, p in total if i.slice == s]
        if part:
            out[f"{prefix}/{s}"] = sum(i.expect == p for i, p in part) / len(part)
    for n, (i, p) in enumerate(total):
        if i.expect is not None:
            key = f"{prefix}/hits/{i.expect}"
            out[key] = out.get(key, 0.0) + float(i.expect == p)
        if p is not None and p != i.expect:
            key = f"{prefix}/to/{p}/{i.expect or 'none'}"
            out[key] = out.get(key, 0.0) + 1.0
        out[f"{prefix}/route/{n}"] = RIGHT if p == i.expect else NONE if p is None else OTHER
    return out


def described(skills: Sequence[Skill]) -> dict[str, float]:
    """`DESCRIBED/SKILL`: the first 48 bits of the sha256 of each skill's description, a float
    that holds them exactly, so `veto` tells from two measurements which skills were rewritten."""
    digest = {s.name: hashlib.sha256(s.description.encode()).hexdigest() for s in skills}
    return {f"{DESCRIBED}/{name}": float(int(d[:12], 16)) for name, d in digest.items()}


def own_figures(details: Mapping[str, float], name: str, prefix: str = "") -> tuple[float, float]:
    """Skill `name`'s own train figures on one router (`prefix`: "" or "lexical/"): its train
    queries routed to it, and the train queries of others (near-misses included) routed to it."""
    wrong = f"{prefix}train/to/{name}/"
    taken = sum(v for k, v in details.items() if k.startswith(wrong))
    return details.get(f"{prefix}train/hits/{name}", 0.0), taken


def gains_own(before: Sequence[float], after: Sequence[float]) -> bool:
    """Whether a rewritten skill gains on train by its own doing, from its (own, others')
    figures before and after, each summed over the deciding routers (`own_figures`): more of
    its own queries routed to it, or fewer of others' (near-misses included). The keep rule
    (`SkillEvaluator.idle`), the per-skill search and the joint search all ask it."""
    return after[0] - before[0] > 1e-9 or after[1] - before[1] < -1e-9


class SkillEvaluator:
    """Routes every eval query in-process; the same object judges snapshots and in-memory sets."""

    def __init__(
        self,
        items: Sequence[EvalItem],
        router: Router,
        pins: GatePins | None = None,
        *,
        protect: Sequence[Slice] | None = None,
        skills_dir: str = "",
        recalibrate: bool = False,
        skipped: Sequence[str] = (),
        originals: Sequence[Skill] = (),
        lexical: ThresholdRouting | None = None,
    ):
        self.train = [i for i in items if i.split == "train"]
        self.holdout = [i for i in items if i.split == "holdout"]
        self.router = router
        self.pins = pins
        # every slice is protected unless named otherwise; the fuzzy ones always are
        present = slices_of(self.holdout)
        chosen = present if protect is None else [s for s in present if s in protect or fuzzy(s)]
        self.protect: tuple[Slice, ...] = tuple(chosen)
        self.refusals: list[GateViolation] = []
        self.skills_dir = skills_dir
        self.originals = {s.name: s for s in originals}  # what `description-quality` compares to
        self.queries = tuple(i.query for i in items if not i.generated)
        # the train queries that may vouch for an added word (held-out ones never do)
        self.evidence: dict[str | None, tuple[str, ...]] = {}
        for i in items:
            if not i.generated and i.split == "train":  # a skill's own train queries
                self.evidence[i.expect] = (*self.evidence.get(i.expect, ()), i.query)
        self.skipped = frozenset(skipped)  # folders invalid from the start, left out of tuning
        self.recalibrate = recalibrate
        # a second router of another kind (`bm25.BM25Router`), consulted beside `router`: the
        # metric is the mean of their train accuracies and `veto` reads both; its "none" cut is
        # fitted on the starting set (`originals`) and never re-fitted below it
        self.lexical = lexical
        if lexical is not None and self.train and originals:
            lexical.calibrate(self.train, originals)

    def score(self, skills: Sequence[Skill]) -> tuple[Scored, Scored]:
        """Predictions on (train, holdout)."""
        # with `recalibrate`, the "none" cut this skill set would ship with, fitted on train only
        holdout = [i.query for i in self.holdout]
        routed = route_with_train(
            self.router, skills, self.train, holdout, recalibrate=self.recalibrate
        )
        n = len(self.train)
        return Scored(self.train, routed[:n]), Scored(self.holdout, routed[n:])

    def gate_check(self, skills: Sequence[Skill]) -> list[GateViolation]:
        if self.pins is None:
            return []
        pinned = self.pins.gates()  # the sidecar read and its digest checked once per candidate
        return [
            v for s in skills for v in violations(pinned.get(s.name, []), s.body, s.description)
        ]

    def quality_check(self, skills: Sequence[Skill]) -> list[str]:
        """The `description-quality` refusal of each rewritten description that fails it, checked
        against the description the run started from and every eval query."""
        out = []
        for s in skills:
            original = self.originals.get(s.name)
            if original is not None:
                reasons = description_problems(
                    original,
                    s,
                    self.queries,
                    self.evidence.get(s.name, ()),
                    list(self.originals.values()),
                )
                if reasons:
                    out.append(refusal(s.name, reasons))
        return out

    def evaluate_skills(self, skills: Sequence[Skill]) -> Evaluation:
        poor = self.quality_check(skills)
        if poor:
            return Evaluation(None, "rejected", "; ".join(poor))
        lost = self.gate_check(skills)
        if lost:
            self.refusals.extend(lost)
            return Evaluation(None, "rejected", "; ".join(v.line() for v in lost))
        try:
            routes = self._routes(skills)
        except ProviderError as exc:  # a model router that failed: a status, never a raise
            return Evaluation(None, "crash", f"router: {exc}")
        return self._measured(routes, skills)

    def _routes(self, skills: Sequence[Skill]) -> dict[str, Sequence[str | None]]:
        """Where each router sends the train queries, then the held-out ones: the first router
        under "", the second (with `lexical`) under `LEXICAL`."""
        train, holdout = self.score(skills)
        out: dict[str, Sequence[str | None]] = {"": [*train.predicted, *holdout.predicted]}
        if self.lexical is not None:
            queries = [i.query for i in self.holdout]
            out[LEXICAL] = self.lexical.route_calibrated(queries, skills, self.train)[0]
        return out

    def _measured(
        self, routes: Mapping[str, Sequence[str | None]], skills: Sequence[Skill]
    ) -> Evaluation:
        n = len(self.train)
        details: dict[str, float] = described(skills)
        held: dict[str, float] = {}
        for key, routed in routes.items():
            prefix = f"{key}/" if key else ""
            details |= accuracy(self.train, routed[:n], f"{prefix}train")
            held |= accuracy(self.holdout, routed[n:], f"{prefix}holdout")
        metric = statistics.fmean(details[f"{k}/train/all" if k else "train/all"] for k in routes)
        return Evaluation(metric, details=details, holdout=held)

    def blame(self, incumbent: Sequence[Skill], candidate: Sequence[Skill]) -> list[str]:
        """The rewritten skills of `candidate` that its veto against `incumbent` blames: each one
        whose rewrite, undone alone, gives back a query `candidate` lost (train or held-out, on
        either router: one routed right that no longer is, or one that went to no skill and now
        goes to a wrong one). A skill that drew a sibling's query is blamed, and so is one whose
        words raised the re-fitted "none" cut over another skill's query. Empty when `veto`
        lets `candidate` pass, or when no one rewrite undone gives a query back. Only skill
        names leave the evaluator, for the joint search (`joint.JointMoves`) to search a
        refused look again without them (asked with the look less one term of a blamed skill
        as `incumbent`, it says whether that term cost the query); halving a look learns as
        much from its refusal. A rewritten skill whose own train figure did not rise (`idle`)
        is blamed too: its rewrite is not what the look gained by."""
        old, new = self._routes(incumbent), self._routes(candidate)
        before, after = self._measured(old, incumbent), self._measured(new, candidate)
        if self.veto(before, after) is None:
            return []
        lost = self._lost(old, new)
        out = self.idle(before, after)
        for name in changed_names(candidate, incumbent):
            if name in out:
                continue
            undone = [o if s.name == name else s for s, o in zip(candidate, incumbent, strict=True)]
            if lost - self._lost(old, self._routes(undone)):
                out.append(name)
        return out

    def _lost(
        self, old: Mapping[str, Sequence[str | None]], new: Mapping[str, Sequence[str | None]]
    ) -> set[tuple[str, int]]:
        """The (router, query) pairs routed right in `old` and not in `new`, or sent from no
        skill in `old` to a wrong one in `new` (train queries first, then held-out)."""
        items = [*self.train, *self.holdout]
        return {
            (key, n)
            for key, routed in new.items()
            for n, (item, before, after) in enumerate(zip(items, old[key], routed, strict=True))
            if (before == item.expect and after != item.expect)
            or (before is None and after not in (None, item.expect))
        }

    def evaluate(self, tree: Path, commit: str) -> Evaluation:
        """Evaluate the skills of the snapshot `tree`: its folder `skills_dir` (relative to the
        snapshot root, the repository root) holds the NAME/SKILL.md folders."""
        try:
            skills, problems = load_folder(tree / self.skills_dir if self.skills_dir else tree)
        except UserError as exc:
            return Evaluation(None, "invalid", str(exc))
        broken = [str(e) for name, e in problems.items() if name not in self.skipped]
        if broken:  # a skill that was valid at the start must stay valid
            return Evaluation(None, "invalid", broken[0])
        return self.evaluate_skills(skills)

    def veto(self, incumbent: Evaluation, candidate: Evaluation) -> str | None:
        """Why `candidate` may not replace `incumbent` although its train accuracy rose, or None:
        held-out accuracy fell, overall or on a protected slice; a skill's own held-out accuracy
        fell; a query that went to its skill now goes to another one (a sibling lost queries
        to the rewrite), a query that went to no skill now goes to a skill it is not for (a
        wrong skill firing is worse than none, though accuracy does not move), or a near-miss
        (`expect: null`) that went to no skill now fires, train or held-out, compared query by
        query. A query that drops to "none" because the re-fitted cut
        moved is counted by the accuracy checks, not here."""
        for router in ("", f"{LEXICAL}/") if self.lexical is not None else ("",):
            which = f" ({getattr(self.lexical, 'name', LEXICAL)})" if router else ""
            keys = [f"holdout/{k}" for k in ["all", *self.protect]]
            if router:  # the second router's train accuracy may not fall for the first's gain
                keys.insert(0, "train/all")
            for key in keys:
                before, after = (
                    (e.holdout if key.startswith("holdout") else e.details).get(router + key)
                    for e in (incumbent, candidate)
                )
                if before is not None and after is not None and after < before - 1e-9:
                    label = key.replace("holdout/", "held-out ").replace("train/all", "train")
                    return f"{label}{which} accuracy fell from {before:.3f} to {after:.3f}"
            fell = _losses(incumbent.holdout, candidate.holdout, router)
            if fell:
                return f"{fell[0]}'s own held-out accuracy fell{which}"
            for split, old, new, items in (
                ("train", incumbent.details, candidate.details, self.train),
                ("held-out", incumbent.holdout, candidate.holdout, self.holdout),
            ):
                prefix = router + ("train" if split == "train" else "holdout")
                lost = _taken(old, new, prefix, items)
                if lost:
                    return f"{lost[0]} lost {split} queries to another skill{which}"
                wrong = _misfired(old, new, prefix, items)
                if wrong:
                    return (
                        f"the {split} query {wrong[0].query!r} of {wrong[0].expect}, routed to "
                        f"no skill before, now goes to another skill{which}"
                    )
                fired = _fired(old, new, prefix, items)
                if fired:
                    return f"the {split} near-miss {fired[0]!r} now goes to a skill{which}"
        idle = self.idle(incumbent, candidate)
        if idle:
            return (
                f"the train gain is not {idle[0]}'s own: its rewrite routes no more of its train "
                "queries to it, nor fewer of others' away from it"
            )
        return None

    def idle(self, incumbent: Evaluation, candidate: Evaluation) -> list[str]:
        """The skills `candidate` rewrote (their `DESCRIBED` digest changed) with no train gain
        of their own (`own_figures`, each summed over the deciding routers): no more of their
        train queries routed to them, and no fewer of others' routed to them. A train gain that
        a rewrite of S brings about elsewhere (a sibling's query that the re-fitted "none" cut
        now lets through, a near-miss it now turns away) is drift, not S's doing, and keeps
        nothing of S's. A query of another skill that comes to S is no loss of S's own here:
        one routed right before, or to no skill, is refused by the checks above, so only one
        already misrouted elsewhere can come, as `_taken` counts it."""
        routers = ("", f"{LEXICAL}/") if self.lexical is not None else ("",)
        out = []
        for key, value in sorted(candidate.details.items()):
            if not key.startswith(f"{DESCRIBED}/"):
                continue
            old = incumbent.details.get(key)
            if old is None or old == value:
                continue
            name = key.split("/", 1)[1]
            before = [own_figures(incumbent.details, name, r) for r in routers]
            after = [own_figures(candidate.details, name, r) for r in routers]
            summed = [(sum(f[0] for f in fs), sum(f[1] for f in fs)) for fs in (before, after)]
            if not gains_own(*summed):
                out.append(name)
        return out


def _fired(
    old: Mapping[str, float], new: Mapping[str, float], prefix: str, items: Sequence[EvalItem]
) -> list[str]:
    """The near-misses (no skill expected) routed to none in `old` and to a skill in `new`."""
    return [
        item.query
        for n, item in enumerate(items)
        if item.expect is None
        and old.get(f"{prefix}/route/{n}") == RIGHT
        and new.get(f"{prefix}/route/{n}") == OTHER
    ]


def _misfired(
    old: Mapping[str, float], new: Mapping[str, float], prefix: str, items: Sequence[EvalItem]
) -> list[EvalItem]:
    """The queries of a skill routed to no skill in `old` and to another skill in `new`."""
    return [
        item
        for n, item in enumerate(items)
        if item.expect is not None
        and old.get(f"{prefix}/route/{n}") == NONE
        and new.get(f"{prefix}/route/{n}") == OTHER
    ]


def _taken(
    old: Mapping[str, float], new: Mapping[str, float], prefix: str, items: Sequence[EvalItem]
) -> list[str]:
    """The skills with a query routed right in `old` that goes to another skill in `new`."""
    out = set()
    for n, item in enumerate(items):
        key = f"{prefix}/route/{n}"
        if item.expect is not None and old.get(key) == RIGHT and new.get(key) == OTHER:
            out.add(item.expect)
    return sorted(out)


def _losses(old: Mapping[str, float], new: Mapping[str, float], router: str = "") -> list[str]:
    """The skills with fewer held-out hits than before (with `router`, that router's)."""
    return sorted(
        key.rsplit("/", 1)[1]
        for key, value in old.items()
        if key.startswith(f"{router}holdout/hits/") and new.get(key, 0.0) < value
    )
