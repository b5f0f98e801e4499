"""Joint moves: added terms chosen for every skill at once, on the train split only.

A skill tuned alone can seldom add more of its own terms: each one makes it louder than the
skills left as they were, so it takes their queries or moves the re-fitted "none" cut. Skills that
add their terms together keep their balance. This stage grows the added-terms sentence of every
skill (`agentos.skill.examples`) one term at a time, greedily, judged on train queries only (each
candidate first passes the `description-quality` gate against the set it starts from):

- an addition may not misroute any train query that was routed right (to another skill or to
  none);
- an addition that routes any train query anew must gain on train for its own skill, summed
  over the routers: more of that skill's queries routed to it, or fewer of others'
  (near-misses included), as the evaluator's keep rule asks of every rewritten skill
  (`SkillEvaluator.idle`); a term whose gain is another skill's query let through by the
  re-fitted "none" cut is not added;
- it must route more train queries right, or widen their margins (`router.margins`), each
  counted up to `MARGIN`: thin wins are widened before safe ones are fattened (a term that
  only widens margins routes nothing anew; a look whose only term for a skill is one is
  refused by the keep rule, and the skill blamed).

The additions are one move of the skill-set proposer (`agentos.skill.proposer`), judged by the
graph like any other candidate. A refused look is searched again without the terms of the skills
its veto blames (`SkillEvaluator.blame`: those that drew a query that was not theirs), and of a
blamed skill only the term whose removal alone gives a lost query back, when one does, so one
costly term no longer costs the rest of the bundle nor its own skill's other terms; a look
refused with no skill to blame is halved until a part passes; at most `LOOKS` looks in a run
(`JointMoves`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from agentos.skill.english import not_a_noun_phrase
from agentos.skill.evals import EvalItem
from agentos.skill.evaluator import gains_own
from agentos.skill.examples import (
    covered,
    own_terms,
    requests_of,
    split_examples,
    with_examples,
)
from agentos.skill.quality import train_gate
from agentos.skill.router import CalibratingRouter, Matrix, ThresholdRouting, margins
from agentos.skillfile import Skill, changed_names

MARGIN = 0.05  # cosine units: a train query routed right by this much counts as safe
MAX_STEPS = 150
LOOKS = 24  # joint candidates judged on held-out (each costs one routing of the eval set)
TERMS = 12  # the terms of each skill's train queries the search may add (the most shared first)

Margins = npt.NDArray[np.float64]
Right = npt.NDArray[np.bool_]
Routed = npt.NDArray[np.object_]  # the skill each train query goes to (None: to no skill)
Rank = tuple[int, int, int, float]  # train hits, words of the term, -its length, margins
# the skills of a refused candidate that its veto blames, given the incumbent and the candidate
Blame = Callable[[Sequence[Skill], Sequence[Skill]], Sequence[str]]


@dataclass(frozen=True)
class Step:
    """The skill set after one more added term, which, and how many more train queries
    are routed right than before the run."""

    skills: list[Skill]
    skill: str
    request: str
    gain: int


def joint_examples(
    router: CalibratingRouter,
    skills: Sequence[Skill],
    train: Sequence[EvalItem],
    *,
    limit: int = MAX_STEPS,
    exclude: Collection[tuple[str, str]] = (),
    body: bool = False,
    lexical: ThresholdRouting | None = None,
    originals: Sequence[Skill] = (),
) -> list[Step]:
    """The greedy additions from `skills`, in order (empty when none helps on train); `exclude`
    holds (skill, request) pairs never to add. The terms are those of each skill's train
    queries, and with `body` also those of its own body (`examples.own_terms`). With a
    `lexical` router (the evaluator's second one), an addition may not misroute a train query
    that router routed right either, and its train hits count with the first router's. Each
    candidate passes the quality gate against the set the run started from (`originals`, when
    given), as the evaluator checks it: so a skill's added-terms sentence can grow after a keep."""
    names = [s.name for s in skills]

    def nouns(terms: list[str]) -> list[str]:  # the gate refuses the rest: they take no slot
        return [t for t in terms if not_a_noun_phrase(t) is None]

    wanted = {
        s.name: list(
            dict.fromkeys(
                [
                    *nouns(requests_of(train, s.name, f"{s.description}\n{s.body}"))[:TERMS],
                    *(nouns(own_terms(s, skills)) if body else []),
                ]
            )
        )
        for s in skills
    }
    began = {s.name: s for s in originals}
    gates = {s.name: train_gate(began.get(s.name, s), train, originals or skills) for s in skills}
    queries = [i.query for i in train]
    expect = np.array([i.expect for i in train], dtype=object)
    current = list(skills)
    matrix = router.scores(queries, current)
    score, cut = _margins(router, matrix, names, train)
    lex, lex_to = _lexical(lexical, current, train)
    start = int((score > 0).sum()) + int(lex.sum())
    steps: list[Step] = []
    for _ in range(limit):
        options = [
            o
            for o in _options(current, wanted)
            if (current[o[0]].name, o[1]) not in exclude and gates[o[2].name](o[2].description)
        ]
        if not options:
            break
        router.prepare([new for _, _, new in options])  # one model call for the whole step
        now = _key(score, lex)
        best: tuple[Rank, int, Skill, str, Matrix, Margins, float, Right, Routed] | None = None
        for k, request, new in options:
            trial = matrix.copy()
            trial[:, k] = router.scores(queries, [new])[:, 0]  # only skill k's column moves
            trial_score, trial_cut = _margins(router, trial, names, train)
            if np.any((score > 0) & (trial_score <= 0)):
                continue  # it misroutes a train query that was routed right
            trial_lex, trial_to = lex, lex_to
            if lexical is not None:
                trial_lex, trial_to = _lexical(
                    lexical, [*current[:k], new, *current[k + 1 :]], train
                )
                if np.any(lex & ~trial_lex):
                    continue  # the second router misroutes a train query it routed right
            key = _key(trial_score, trial_lex)
            mine = expect == names[k]
            before = [_to(matrix, cut, k), lex_to == names[k]]
            after = [_to(trial, trial_cut, k), trial_to == names[k]]
            routes = key[0] != now[0] or any(
                np.any(a != b) for a, b in zip(after, before, strict=True)
            )
            if routes and not _own_gain(mine, before, after):
                continue  # it routes queries anew, and not for its skill (the evaluator's `idle`)
            # of the additions that gain, the most train hits; then the term of more words (a
            # qualified thing, `split ratio`, says more than `split`); then the shorter (`library`
            # before `libraries`: a longer word lengthens what every router reads); then margins
            rank = (key[0], len(request.split()), -len(request), key[1])
            if key > now and (best is None or rank > best[0]):
                best = (rank, k, new, request, trial, trial_score, trial_cut, trial_lex, trial_to)
        if best is None:
            break
        _, k, new, request, matrix, score, cut, lex, lex_to = best
        current = [*current[:k], new, *current[k + 1 :]]
        gain = int((score > 0).sum()) + int(lex.sum()) - start
        steps.append(Step(current, new.name, request, gain))
    return steps


class JointMoves:
    """The joint moves of one run: on an incumbent not yet searched, all the greedy additions.
    While the incumbent stays (the last look was refused), the additions of the skills the
    veto blames (`blame`, the evaluator's) are left out of later searches and the rest searched
    again: of a blamed skill's additions, only those whose removal alone gives back a lost
    query, when there are any (`_costly`); when it blames none, the first half of the last
    look, and a single refused addition is left out of later searches. The terms of the train
    queries are searched first; only when they give no train gain are the skills' own body terms
    added to the search. At most `looks` moves in all."""

    def __init__(
        self,
        router: CalibratingRouter,
        train: Sequence[EvalItem],
        *,
        looks: int = LOOKS,
        lexical: ThresholdRouting | None = None,
        blame: Blame | None = None,
        originals: Sequence[Skill] = (),
    ):
        self.router = router
        self.originals = list(originals)  # the set the run started from, for the quality gate
        self.lexical = lexical
        self.train = list(train)
        self.looks = looks
        self.blame = blame
        self.refused: set[tuple[str, str]] = set()
        self._done: set[str] = set()  # incumbents searched to the end
        self._last: tuple[str, list[Step]] | None = None  # the incumbent and the last look

    def next(self, parent: str, skills: Sequence[Skill]) -> tuple[list[Skill], str] | None:
        """The next joint candidate from the incumbent `parent` (its skills `skills`) and its
        description, or None when there is none (then none until the incumbent moves)."""
        if self.looks <= 0 or parent in self._done:
            return None
        last = self._last
        refused = last[1] if last is not None and last[0] == parent else []
        blamed = set(self.blame(skills, refused[-1].skills)) if refused and self.blame else set()
        left_out: list[Step] = []
        if blamed:  # the rest of the look may pass without them
            left_out = self._costly(refused, blamed)
            self.refused.update((s.skill, s.request) for s in left_out)
        if len(refused) > 1 and not blamed:
            steps = refused[: len(refused) // 2]
        else:
            if refused and not blamed:
                self.refused.add((refused[0].skill, refused[0].request))
            steps = joint_examples(
                self.router,
                skills,
                self.train,
                exclude=self.refused,
                lexical=self.lexical,
                body=self.lexical is not None,
                originals=self.originals,
            )
            if not steps or steps[-1].gain <= 0:  # the train queries' terms are spent
                steps = joint_examples(
                    self.router,
                    skills,
                    self.train,
                    exclude=self.refused,
                    body=True,
                    lexical=self.lexical,
                    originals=self.originals,
                )
        if not steps or steps[-1].gain <= 0:
            # nothing, or wider margins only: the train side of acceptance would refuse it
            self._done.add(parent)
            self._last = None
            return None
        self._last = (parent, steps)
        self.looks -= 1
        over = _count(len(changed_names(steps[-1].skills, skills)), "skill")
        which = ", ".join(f"{step.skill} {step.request!r}" for step in steps)
        line = f"{_count(len(steps), 'added term')} over {over} ({which})"
        if blamed:
            which = ", ".join(f"{step.skill} {step.request!r}" for step in left_out)
            line += f"; the last look's {which} left out"
        return steps[-1].skills, line

    def _costly(self, look: Sequence[Step], blamed: Collection[str]) -> list[Step]:
        """The additions of the refused `look` to leave out of later searches, for the skills
        its veto blames: for each, the ones whose removal alone, from the refused candidate,
        gives back a query it lost (asked of `blame` with the candidate less that one term as
        the incumbent: one routing of the eval set each); all of the skill's additions when it
        added one term or no single term is to blame (two that cost a query only together).
        So a good term that shared a look with a costly one of the same skill comes back."""
        assert self.blame is not None
        candidate = look[-1].skills
        out: list[Step] = []
        for name in sorted(blamed):
            mine = [step for step in look if step.skill == name]
            costly = []
            if len(mine) > 1:
                skill = next(s for s in candidate if s.name == name)
                _, have, _ = split_examples(skill.description)
                for step in mine:
                    text = with_examples(skill.description, [h for h in have if h != step.request])
                    if text is None:
                        continue
                    without = skill.with_components({f"{name}/description": text})
                    less = [without if s.name == name else s for s in candidate]
                    if name in self.blame(less, candidate):
                        costly.append(step)
            out += costly or mine
        return out


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _options(skills: Sequence[Skill], wanted: dict[str, list[str]]) -> list[tuple[int, str, Skill]]:
    """Every skill with one more of its train requests quoted, within the format's limits."""
    out = []
    for k, skill in enumerate(skills):
        _, have, _ = split_examples(skill.description)
        present = {h.lower() for h in have}
        for request in wanted[skill.name]:
            if request.lower() in present or covered(request, skill.description):
                continue
            text = with_examples(skill.description, [*have, request])
            if text is not None:
                out.append((k, request, skill.with_components({f"{skill.name}/description": text})))
    return out


def _margins(
    router: CalibratingRouter, matrix: Matrix, names: list[str], train: Sequence[EvalItem]
) -> tuple[Margins, float]:
    """Each train query's margin, with the "none" cut re-fitted for these scores, and the cut."""
    cut = router.fit_cut(matrix, names, train)
    return margins(matrix, names, train, cut), cut


def _to(matrix: Matrix, cut: float, k: int) -> Right:
    """Which train queries (rows of `matrix`) the first router sends to skill `k`."""
    return np.asarray((matrix.argmax(axis=1) == k) & (matrix.max(axis=1) >= cut), dtype=bool)


def _own_gain(mine: Right, before: Sequence[Right], after: Sequence[Right]) -> bool:
    """Whether an addition gains on train for its own skill (`evaluator.gains_own`, asked of
    each term as the keep rule asks it of a rewritten skill); each `before` and `after` entry:
    which train queries a router sends to that skill; `mine`: the skill's own queries."""

    def figures(to_skill: Sequence[Right]) -> tuple[int, int]:
        return sum(int((a & mine).sum()) for a in to_skill), sum(
            int((a & ~mine).sum()) for a in to_skill
        )

    return gains_own(figures(before), figures(after))


def _lexical(
    lexical: ThresholdRouting | None, skills: Sequence[Skill], train: Sequence[EvalItem]
) -> tuple[Right, Routed]:
    """Which train queries `lexical` routes right for `skills`, and where it sends each (none
    routed right, and none sent anywhere, without one)."""
    if lexical is None:
        return np.zeros(len(train), dtype=bool), np.full(len(train), None, dtype=object)
    routed = lexical.route_calibrated([], skills, train)[0]
    right = np.array([i.expect == p for i, p in zip(train, routed, strict=True)], dtype=bool)
    return right, np.array(routed, dtype=object)


def _key(margin: Margins, lex: Right) -> tuple[int, float]:
    """Train queries routed right (by both routers, with a second one), then the first router's
    margins capped at `MARGIN` (rounded, so float noise never counts as a gain)."""
    hits = int((margin > 0).sum()) + int(lex.sum())
    return hits, round(float(np.minimum(margin, MARGIN).sum()), 6)
