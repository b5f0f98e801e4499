"""The joint stage: added terms chosen for every skill at once, on the train split only.

A skill tuned alone can seldom add more of its own terms: each one makes it louder than the
skills left as they were, so it takes their queries or moves the re-fitted "none" cut. Skills that
add their terms together keep their balance. This stage grows the added-terms sentence of every
skill (`agentos.skill.examples`) one term at a time, greedily, judged on train queries only (each
candidate first passes the `description-quality` gate against the set it starts from):

- an addition may not misroute any train query that was routed right (to another skill or to
  none);
- it must route more train queries right, or widen their margins (`router.margins`), each
  counted up to `MARGIN`: thin wins are widened before safe ones are fattened.

The tuner judges the additions like a merge (train accuracy up, held-out accuracy and every
held-out slice not down, no query routed right before taken by a rewritten skill), halving a
refused run until a part passes, for at most `LOOKS` held-out looks (`joint_stage`). The stage runs
before the per-skill rounds, which then tune from its result.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from agentos.evaluator import Evaluation
from agentos.skill.evals import EvalItem
from agentos.skill.examples import covered, requests_of, split_examples, with_examples
from agentos.skill.model import Skill, changed_names
from agentos.skill.quality import problems
from agentos.skill.report import Experiment
from agentos.skill.router import CalibratingRouter, Matrix, best_threshold, margins

MARGIN = 0.05  # cosine units: a train query routed right by this much counts as safe
MAX_STEPS = 150
LOOKS = 12  # joint candidates judged on held-out
TERMS = 12  # the terms of each skill the search may add (the most shared first)

Margins = npt.NDArray[np.float64]
Judged = tuple[Evaluation, str | None]  # a candidate's evaluation, and why it is refused


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
) -> list[Step]:
    """The greedy additions from `skills`, in order (empty when none helps on train); `exclude`
    holds (skill, request) pairs never to add."""
    names = [s.name for s in skills]
    wanted = {
        s.name: requests_of(train, s.name, f"{s.description}\n{s.body}")[:TERMS] for s in skills
    }
    queries_seen = [i.query for i in train]
    gates = {
        s.name: (
            lambda text, s=s: (
                not problems(s.description, text, own_text=s.body, queries=queries_seen)
            )
        )
        for s in skills
    }
    queries = [i.query for i in train]
    current = list(skills)
    matrix = router.scores(queries, current)
    score = _margins(matrix, names, train)
    start = int((score > 0).sum())
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
        now = _key(score)
        best: tuple[tuple[int, float], int, Skill, str, Matrix, Margins] | None = None
        for k, request, new in options:
            trial = matrix.copy()
            trial[:, k] = router.scores(queries, [new])[:, 0]  # only skill k's column moves
            trial_score = _margins(trial, names, train)
            if np.any((score > 0) & (trial_score <= 0)):
                continue  # it misroutes a train query that was routed right
            key = _key(trial_score)
            if key > now and (best is None or key > best[0]):
                best = (key, k, new, request, trial, trial_score)
        if best is None:
            break
        _, k, new, request, matrix, score = best
        current = [*current[:k], new, *current[k + 1 :]]
        steps.append(Step(current, new.name, request, int((score > 0).sum()) - start))
    return steps


def joint_stage(
    router: CalibratingRouter,
    skills: list[Skill],
    evaluation: Evaluation,
    train: Sequence[EvalItem],
    judge: Callable[[list[Skill], list[Skill], Evaluation], Judged],
    experiments: list[Experiment],
    say: Callable[[str], None],
) -> tuple[list[Skill], Evaluation, str] | None:
    """At most `LOOKS` candidates for `judge(candidate, current, its evaluation)`: the greedy
    additions judged whole, a refused run halved (its first additions kept) until one passes, a
    single refused addition left out of later runs; after a pass the search goes on from the
    accepted set. Each look is appended to `experiments` and reported to `say`. The accepted
    set, its evaluation and report line, or None."""
    current, current_eval, added = skills, evaluation, 0
    refused: set[tuple[str, str]] = set()
    steps = joint_examples(router, current, train)
    if not steps or steps[-1].gain <= 0:
        say("joint: no added terms would route more train queries right")
    for look in range(1, LOOKS + 1):
        if not steps or steps[-1].gain <= 0:
            break  # nothing, or wider margins only: the train side of acceptance refuses it
        candidate = steps[-1].skills
        result, why = judge(candidate, current, current_eval)
        over = _count(len(changed_names(candidate, current)), "skill")
        line = f"joint: {_count(len(steps), 'more term')} over {over}"
        status = "discard" if why else "keep"
        experiments.append(Experiment("(joint)", 0, look, status, result.metric, why or "", line))
        train_now = "-" if result.metric is None else f"{100 * result.metric:.1f}%"
        say(f"{line} {'refused: ' + why if why else 'kept'} (train {train_now})")
        if why is None:
            current, current_eval, added = candidate, result, added + len(steps)
        elif len(steps) > 1:
            steps = steps[: len(steps) // 2]
            continue
        else:
            refused.add((steps[0].skill, steps[0].request))
        steps = joint_examples(router, current, train, exclude=refused)
    if not added:
        return None
    changed = _count(len(changed_names(current, skills)), "skill")
    line = f"joint: {_count(added, 'added term')} over {changed}"
    return current, current_eval, line


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _options(skills: Sequence[Skill], wanted: dict[str, list[str]]) -> list[tuple[int, str, Skill]]:
    """Every skill with one more of its train requests quoted, within the format's limits."""
    out = []
    for k, skill in enumerate(skills):
        _, have, _ = split_examples(skill.description)
        present = {h.lower() for h in have}
        for request in wanted[skill.name]:
            if request in present or covered(request, skill.description):
                continue
            text = with_examples(skill.description, [*have, request])
            if text is not None:
                out.append((k, request, skill.with_components({f"{skill.name}/description": text})))
    return out


def _margins(matrix: Matrix, names: list[str], train: Sequence[EvalItem]) -> Margins:
    """Each train query's margin, with the "none" cut re-fitted for these scores."""
    return margins(matrix, names, train, best_threshold(matrix, names, train))


def _key(margin: Margins) -> tuple[int, float]:
    """Train queries routed right, then their margins capped at `MARGIN` (rounded, so float noise
    never counts as a gain)."""
    return int((margin > 0).sum()), round(float(np.minimum(margin, MARGIN).sum()), 6)
