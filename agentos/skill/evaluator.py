"""The skill-routing evaluator: agentos' `Evaluator` protocol for a folder of skills.

`metric` is train accuracy over all skills; `details` (shown to the proposer) hold per-slice train
accuracy and per-skill train hits; `holdout` holds held-out accuracy overall, per slice and per
skill, and is read only by `veto`. A skill that fails validation is `invalid`; a body that lost a
pinned gate is `rejected`, whatever its routing score.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from agentos.errors import UserError
from agentos.evaluator import Evaluation
from agentos.providers.base import ProviderError
from agentos.skill.evals import FUZZY, SLICES, EvalItem, Slice
from agentos.skill.gates import GatePins, GateViolation
from agentos.skill.model import Skill, load_skills
from agentos.skill.router import Router


@dataclass(frozen=True)
class Scored:
    """Per-item predictions of one skill set (kept out of `Evaluation`, which is numbers only)."""

    items: Sequence[EvalItem]
    predicted: Sequence[str | None]


def accuracy(
    items: Sequence[EvalItem], predicted: Sequence[str | None], prefix: str
) -> dict[str, float]:
    """`PREFIX/all`, `PREFIX/SLICE` accuracy and `PREFIX/hits/SKILL` correct counts."""
    out: dict[str, float] = {}
    total = [(i, p) for i, p in zip(items, predicted, strict=True)]
    if total:
        out[f"{prefix}/all"] = sum(i.expect == p for i, p in total) / len(total)
    for s in SLICES:
        part = [(i, p) for i, p in total if i.slice == s]
        if part:
            out[f"{prefix}/{s}"] = sum(i.expect == p for i, p in part) / len(part)
    for i, p in total:
        if i.expect is not None:
            key = f"{prefix}/hits/{i.expect}"
            out[key] = out.get(key, 0.0) + float(i.expect == p)
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
        protect: Sequence[Slice] = SLICES,
        skills_dir: str = "",
    ):
        self.train = [i for i in items if i.split == "train"]
        self.holdout = [i for i in items if i.split == "holdout"]
        self.router = router
        self.pins = pins
        self.target = target
        self.protect = tuple(dict.fromkeys((*FUZZY, *protect)))
        self.refusals: list[GateViolation] = []
        self.skills_dir = skills_dir

    def score(self, skills: Sequence[Skill]) -> tuple[Scored, Scored]:
        """Predictions on (train, holdout)."""
        queries = [i.query for i in self.train] + [i.query for i in self.holdout]
        routed = self.router.route(queries, skills)
        n = len(self.train)
        return Scored(self.train, routed[:n]), Scored(self.holdout, routed[n:])

    def gate_check(self, skills: Sequence[Skill]) -> list[GateViolation]:
        if self.pins is None:
            return []
        return [v for s in skills for v in self.pins.check(s.name, s.body)]

    def evaluate_skills(self, skills: Sequence[Skill]) -> Evaluation:
        lost = self.gate_check(skills)
        if lost:
            self.refusals.extend(lost)
            return Evaluation(None, "rejected", "; ".join(v.line() for v in lost))
        try:
            train, holdout = self.score(skills)
        except ProviderError as exc:  # a model router that failed: a status, never a raise
            return Evaluation(None, "crash", f"router: {exc}")
        details = accuracy(train.items, train.predicted, "train")
        held = accuracy(holdout.items, holdout.predicted, "holdout")
        return Evaluation(details["train/all"], details=details, holdout=held)

    def evaluate(self, tree: Path, commit: str) -> Evaluation:
        """Evaluate the skills of the snapshot `tree`: its folder `skills_dir` (relative to the
        snapshot root, the repository root) holds the NAME/SKILL.md folders."""
        try:
            skills = load_skills(tree / self.skills_dir if self.skills_dir else tree)
        except UserError as exc:
            return Evaluation(None, "invalid", str(exc))
        return self.evaluate_skills(skills)

    def veto(self, incumbent: Evaluation, candidate: Evaluation) -> str | None:
        """Refuse a candidate that lowers held-out accuracy, a protected held-out slice, or any
        skill's hits (train or held-out) other than the target's own."""
        for key in ["all", *self.protect]:
            before, after = (
                incumbent.holdout.get(f"holdout/{key}"),
                candidate.holdout.get(f"holdout/{key}"),
            )
            if before is not None and after is not None and after < before - 1e-9:
                return f"held-out {key} accuracy fell from {before:.3f} to {after:.3f}"
        for split, old, new in (
            ("train", incumbent.details, candidate.details),
            ("held-out", incumbent.holdout, candidate.holdout),
        ):
            losses = _losses(old, new, self.target)
            if losses:
                return f"{losses[0]} lost {split} queries to the rewrite"
        return None


def _losses(old: Mapping[str, float], new: Mapping[str, float], target: str | None) -> list[str]:
    out = []
    for key, value in old.items():
        if "/hits/" in key:
            skill = key.rsplit("/", 1)[1]
            if skill != target and new.get(key, 0.0) < value:
                out.append(skill)
    return sorted(out)
