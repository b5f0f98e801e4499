"""The proposer's search on the train split: which rewrite of one description to propose.

Routing the train split with a local router costs milliseconds once the embeddings are cached, so
the offline proposer does not send one random rewrite per experiment: it routes every candidate
rewrite against the train split (the "none" cut re-fitted for each, as the evaluator does) and
proposes the best, where best is, in order:

1. sends no more of another skill's train queries to this skill, routes no fewer train
   queries right by the second router, and, query by query on either router, sends no train
   query routed right (a near-miss included) or routed to no skill to a wrong skill, whichever
   skills it moves between (the veto would refuse each); and gains on train
   for this skill itself (more of its queries routed to it, or fewer of others' routed to
   it, on both routers), as the veto asks: a gain elsewhere is no reason to rewrite it,
2. the most train hits (the greedy strategy keeps only a rise), counted on both routers when the
   evaluator decides with two (`lexical`, BM25), as the joint search counts them,
3. the shortest text: a word that routes no more train queries right only moves the first
   router's scores, and it lengthens the text every router reads (a cosine over character
   n-grams dilutes what the description said before),
4. the largest soft margin: the sum over train items of how far each is from being misrouted,
   clipped at `CLIP` either way.

A winning rewrite is then *extended*: up to `EXTEND` more terms (`agentos.skill.examples`),
taken from the skill's train queries, are added one at a time while each routes one more train
query right and gains for the skill itself (a term that only widens the first router's
margins lengthens the text for that router's sake alone). The extended rewrite is proposed
first, the plain one next if it was refused, then the next best. Only train items are ever
routed here.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from agentos.skill.evals import EvalItem
from agentos.skill.evaluator import gains_own
from agentos.skill.examples import requests_of, split_examples, with_examples
from agentos.skill.router import CalibratingRouter, ThresholdRouting, decide, margins
from agentos.skillfile import Skill

CLIP = 0.1  # cosine units: a query won by this much is safe enough
EXTEND = 3


@dataclass(frozen=True)
class Fit:
    """How one skill set routes the train split."""

    hits: int  # train items routed right (near-misses included), by both routers when two
    soft: float
    weak: tuple[EvalItem, ...]  # the target's items missed or won by less than CLIP
    taken: frozenset[int]  # indices of other skills' items routed to the target
    lexical: int = 0  # train items the second router routes right (0 without one)
    own: int = 0  # the target's items routed to it (both routers)
    wrong: int = 0  # the items of others (near-misses included) routed to the target
    routed: tuple[tuple[str | None, ...], ...] = ()  # where each router sends each train item


class DescriptionSearch:
    """Scores rewrites of one skill's description against the train split, the rest fixed."""

    def __init__(
        self,
        router: CalibratingRouter,
        train: Sequence[EvalItem],
        skills: Sequence[Skill],
        target: str,
        accept: Callable[[str], bool] | None = None,
        lexical: ThresholdRouting | None = None,
    ):
        self.accept = accept  # the quality gate a rewrite must pass (None: every one)
        self.lexical = lexical  # the evaluator's second router: its train hits count too
        self.router = router
        self.train = list(train)
        self.skills = list(skills)
        self.target = target
        self._fits: dict[str, Fit] = {}

    def _with(self, description: str) -> list[Skill]:
        key = f"{self.target}/description"
        return [
            s.with_components({key: description}) if s.name == self.target else s
            for s in self.skills
        ]

    def prepare(self, descriptions: Sequence[str]) -> None:
        """Embed the facets of many rewrites in one model call."""
        todo = [d for d in dict.fromkeys(descriptions) if d not in self._fits]
        if todo:
            self.router.prepare([s for d in todo for s in self._with(d) if s.name == self.target])

    def fit(self, description: str) -> Fit:
        cached = self._fits.get(description)
        if cached is not None:
            return cached
        skills = self._with(description)
        names = [s.name for s in skills]
        scores, threshold = self.router.calibrated_scores([], skills, self.train)
        m = margins(scores, names, self.train, threshold)
        first = decide(scores, names, threshold)
        taken = frozenset(
            k
            for k, (item, got) in enumerate(zip(self.train, first, strict=True))
            if got == self.target and item.expect not in (None, self.target)
        )
        weak = tuple(
            i for i, v in zip(self.train, m, strict=True) if i.expect == self.target and v < CLIP
        )
        hits, lexical = int((m > 0).sum()), 0
        own, wrong = _own(self.train, self.target, first)
        ways: tuple[tuple[str | None, ...], ...] = (tuple(first),)
        if self.lexical is not None:  # a rewrite kept on train must help a word-based reading
            routed = self.lexical.route_calibrated([], skills, self.train)[0]
            ways += (tuple(routed),)
            lexical = sum(i.expect == got for i, got in zip(self.train, routed, strict=True))
            hits += lexical
            taken |= frozenset(
                k
                for k, (item, got) in enumerate(zip(self.train, routed, strict=True))
                if got == self.target and item.expect not in (None, self.target)
            )
            more, others = _own(self.train, self.target, routed)
            own, wrong = own + more, wrong + others
        soft = float(np.clip(m, -CLIP, CLIP).sum())
        fit = Fit(hits, soft, weak, taken, lexical, own, wrong, ways)
        self._fits[description] = fit
        return fit

    def key(self, base: Fit, description: str) -> tuple[bool, int, int, float]:
        """Sort key, smallest best: (takes another skill's query or lowers the second router's
        train hits, as the veto would refuse, -hits, length, -soft margin): of two rewrites that
        route as many train queries right, the shorter, so no word is added for the first
        router's margins alone."""
        fit = self.fit(description)
        lost = (
            not fit.taken <= base.taken
            or fit.lexical < base.lexical
            or _vetoed(self.train, base.routed, fit.routed)
        )
        return (lost, -fit.hits, len(description), -round(fit.soft, 6))

    def extend(self, base: Fit, description: str) -> str:
        """Add up to EXTEND terms from the target's train queries, one at a time, each
        routing one more train query right (no other skill's taken)."""
        skill = next(s for s in self.skills if s.name == self.target)
        pool = requests_of(self.train, self.target, f"{skill.description}\n{skill.body}")
        for _ in range(EXTEND):
            current = self.fit(description)
            _, have, _ = split_examples(description)
            options = []
            for phrase in pool:
                if phrase in have or phrase.lower() in description.lower():
                    continue
                added = with_examples(description, [*have, phrase])
                if added is not None and (self.accept is None or self.accept(added)):
                    options.append(added)
            self.prepare(options)
            good = [
                o
                for o in options
                if self.key(base, o)[0] is False
                and self.fit(o).hits > current.hits
                and _gains_own(current, self.fit(o))
            ]
            if not good:
                break
            description = min(good, key=lambda o: self.key(base, o))
        return description

    def train_of_target(self) -> list[EvalItem]:
        return [i for i in self.train if i.expect == self.target]

    def pick(
        self,
        current: str,
        candidates: dict[str, list[str]],
        tried: set[str],
        rng: random.Random,
    ) -> tuple[str, list[str]] | None:
        """The best untried candidate that the train side of acceptance would keep (more hits,
        no other skill's query taken), extended first; None when there is none (proposing a
        rewrite known to fail on train wastes an experiment)."""
        base = self.fit(current)
        self.prepare(list(candidates))
        ranked = sorted(candidates, key=lambda t: (self.key(base, t), rng.random()))
        for text in ranked:
            lost, hits, *_ = self.key(base, text)
            if lost or -hits <= base.hits:
                break
            if not _gains_own(base, self.fit(text)):  # the gain is not the target's doing
                continue
            longer = self.extend(base, text)
            if longer != text and longer not in tried:
                return longer, [*candidates[text], "extend added terms"]
            if text not in tried:
                return text, candidates[text]
        return None


def _own(train: Sequence[EvalItem], target: str, routed: Sequence[str | None]) -> tuple[int, int]:
    """The target's own train figures on one router (`evaluator.own_figures`): its items
    routed to it, and the items of others (near-misses included) routed to it."""
    to_it = [
        item.expect == target for item, got in zip(train, routed, strict=True) if got == target
    ]
    return sum(to_it), len(to_it) - sum(to_it)


def _vetoed(
    train: Sequence[EvalItem],
    before: Sequence[Sequence[str | None]],
    after: Sequence[Sequence[str | None]],
) -> bool:
    """Whether the veto would refuse the move from `before` to `after` (each router's routing of
    the train items) on train, query by query (`SkillEvaluator.veto`): a query routed right now
    goes to a wrong skill (a sibling lost it, or a near-miss fires), or a skill's query routed
    to no skill now goes to a wrong one. A rewrite shifts every skill's BM25 weights (the
    document lengths and frequencies are the set's), so it can move a query between two other
    skills; the search refuses what the veto would, rather than spend an experiment on it."""
    for old, new in zip(before, after, strict=True):
        for item, was, now in zip(train, old, new, strict=True):
            if now in (None, item.expect):
                continue
            if was == item.expect or (was is None and item.expect is not None):
                return True
    return False


def _gains_own(base: Fit, fit: Fit) -> bool:
    """Whether `fit` is a train gain of the target's own over `base` (`evaluator.gains_own`)."""
    return gains_own((base.own, base.wrong), (fit.own, fit.wrong))
