"""The skill-routing evaluator: agentos' `Evaluator` protocol for a folder of skills.

`metric` is train accuracy over all skills; `details` (shown to the proposer) hold per-slice train
accuracy and per-skill train hits; `holdout` holds held-out accuracy overall, per slice and per
skill, and is read only by `veto`. A skill that fails validation is `invalid`; a body that lost a
pinned gate, or a description that fails the `description-quality` gate
(`agentos.skill.quality`, against the description the run started from), is `rejected`, whatever
its routing score.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from agentos.errors import UserError
from agentos.evaluator import Evaluation
from agentos.providers.base import ProviderError
from agentos.skill.evals import EvalItem, Slice, fuzzy, slices_of
from agentos.skill.gates import GatePins, GateViolation
from agentos.skill.model import Skill, load_folder
from agentos.skill.quality import description_problems, refusal
from agentos.skill.router import Router, route_with_train


@dataclass(frozen=True)
class Scored:
    """Per-item predictions of one skill set (kept out of `Evaluation`, which is numbers only)."""

    items: Sequence[EvalItem]
    predicted: Sequence[str | None]


def accuracy(
    items: Sequence[EvalItem],
    predicted: Sequence[str | None],
    prefix: str,
    reference: Sequence[str | None] | None = None,
) -> dict[str, float]:
    """`PREFIX/all`, `PREFIX/SLICE` accuracy, `PREFIX/hits/SKILL` correct counts and
    `PREFIX/to/GOT/SKILL` counts of SKILL's queries that went to the skill GOT instead (SKILL is
    `none` for a near-miss). With the `reference` predictions, also `PREFIX/took/GOT/SKILL`:
    SKILL's queries routed right by the reference that now go to the skill GOT."""
    out: dict[str, float] = {}
    total = [(i, p) for i, p in zip(items, predicted, strict=True)]
    if total:
        out[f"{prefix}/all"] = sum(i.expect == p for i, p in total) / len(total)
    for s in slices_of(items):
        part = [(i, p) for i, p in total if i.slice == s]
        if part:
            out[f"{prefix}/{s}"] = sum(i.expect == p for i, p in part) / len(part)
    for i, p in total:
        if i.expect is not None:
            key = f"{prefix}/hits/{i.expect}"
            out[key] = out.get(key, 0.0) + float(i.expect == p)
        if p is not None and p != i.expect:
            key = f"{prefix}/to/{p}/{i.expect or 'none'}"
            out[key] = out.get(key, 0.0) + 1.0
    for i, p, r in zip(items, predicted, reference or (), strict=False):
        if i.expect is not None and r == i.expect and p not in (None, i.expect):
            key = f"{prefix}/took/{p}/{i.expect}"
            out[key] = out.get(key, 0.0) + 1.0
    return out


class SkillEvaluator:
    """Routes every eval query in-process; the same object judges snapshots and in-memory sets."""

    def __init__(
        self,
        items: Sequence[EvalItem],
        router: Router,
        pins: GatePins | None = None,
        *,
        target: str | None = None,
        protect: Sequence[Slice] | None = None,
        skills_dir: str = "",
        recalibrate: bool = False,
        rewritten: Sequence[str] = (),
        reference: Sequence[Skill] | None = None,
        skipped: Sequence[str] = (),
        originals: Sequence[Skill] = (),
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
        self.skipped = frozenset(skipped)  # folders invalid from the start, left out of tuning
        self.recalibrate = recalibrate
        self.rewritten = frozenset(rewritten) | ({target} if target else set())
        if self.rewritten and reference is None:
            raise ValueError("naming rewritten skills needs the reference skill set")
        self.reference = list(reference) if reference is not None else None
        self._reference_routes: tuple[Scored, Scored] | None = None

    def score(self, skills: Sequence[Skill]) -> tuple[Scored, Scored]:
        """Predictions on (train, holdout)."""
        # with `recalibrate`, the "none" cut this skill set would ship with, fitted on train only
        holdout = [i.query for i in self.holdout]
        routed = route_with_train(
            self.router, skills, self.train, holdout, recalibrate=self.recalibrate
        )
        n = len(self.train)
        return Scored(self.train, routed[:n]), Scored(self.holdout, routed[n:])

    def _reference_predictions(
        self,
    ) -> tuple[Sequence[str | None] | None, Sequence[str | None] | None]:
        """Where the reference set routes (train, holdout), scored once."""
        if self.reference is None:
            return None, None
        if self._reference_routes is None:
            self._reference_routes = self.score(self.reference)
        return self._reference_routes[0].predicted, self._reference_routes[1].predicted

    def gate_check(self, skills: Sequence[Skill]) -> list[GateViolation]:
        if self.pins is None:
            return []
        return [v for s in skills for v in self.pins.check(s.name, s.body, s.description)]

    def quality_check(self, skills: Sequence[Skill]) -> list[str]:
        """The `description-quality` refusal of each rewritten description that fails it, checked
        against the description the run started from and every eval query."""
        out = []
        for s in skills:
            original = self.originals.get(s.name)
            if original is not None:
                reasons = description_problems(original, s, self.queries)
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
            train, holdout = self.score(skills)
        except ProviderError as exc:  # a model router that failed: a status, never a raise
            return Evaluation(None, "crash", f"router: {exc}")
        ref_train, ref_holdout = self._reference_predictions()
        details = accuracy(train.items, train.predicted, "train", ref_train)
        held = accuracy(holdout.items, holdout.predicted, "holdout", ref_holdout)
        return Evaluation(details["train/all"], details=details, holdout=held)

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
        """Refuse a candidate that lowers held-out accuracy, a protected held-out slice or any
        skill's own held-out accuracy, or that takes another skill's queries (train or held-out).

        With a target (one skill's rewrite) or `rewritten` skills (a merged or joint set),
        "takes" means a query that the reference set routed to its skill now goes to a
        rewritten skill, compared query by query: a query that drops to "none" because the
        re-fitted cut moved is not taken by the rewrite, and is already counted by the accuracy
        checks; one already misrouted that moves elsewhere was not its skill's to lose. With
        neither, any skill's loss of a hit is refused."""
        for key in ["all", *self.protect]:
            before, after = (
                incumbent.holdout.get(f"holdout/{key}"),
                candidate.holdout.get(f"holdout/{key}"),
            )
            if before is not None and after is not None and after < before - 1e-9:
                return f"held-out {key} accuracy fell from {before:.3f} to {after:.3f}"
        fell = _losses(incumbent.holdout, candidate.holdout)
        if fell:
            return f"{fell[0]}'s own held-out accuracy fell"
        for split, old, new in (
            ("train", incumbent.details, candidate.details),
            ("held-out", incumbent.holdout, candidate.holdout),
        ):
            losses = _taken(old, new, self.rewritten) if self.rewritten else _losses(old, new)
            if losses:
                return f"{losses[0]} lost {split} queries to the rewrite"
        return None


def _taken(
    old: Mapping[str, float], new: Mapping[str, float], rewritten: frozenset[str]
) -> list[str]:
    """The skills that lost more of their reference-routed queries to a rewritten skill than
    before."""
    out = set()
    for key, value in new.items():
        parts = key.split("/")
        took = len(parts) == 4 and parts[1] == "took" and parts[2] in rewritten
        if took and value > old.get(key, 0.0):
            out.add(parts[3])
    return sorted(out)


def _losses(old: Mapping[str, float], new: Mapping[str, float]) -> list[str]:
    """The skills with fewer hits than before."""
    return sorted(
        key.rsplit("/", 1)[1]
        for key, value in old.items()
        if "/hits/" in key and new.get(key, 0.0) < value
    )
