"""The report's warning when most held-out near-misses (`expect: null`) fire a skill after a
tune-skills run, with the advice its case calls for (`near_miss_warning`).
"""

from __future__ import annotations

from collections.abc import Sequence

from agentos.skill.evaluator import SkillEvaluator
from agentos.skill.router import ThresholdRouting
from agentos.skillfile import Skill

MIN_NEAR_MISSES = 5  # held-out near-misses below which no warning is given


def near_miss_warning(
    evaluator: SkillEvaluator, final: Sequence[Skill], fired_before: tuple[int, int]
) -> list[str]:
    """A warning when most held-out near-misses (`expect: null`) fire a skill after the run
    (`final`; `fired_before`: how many fired after it and before it): the accuracy figures then
    say little about requests no skill should take. Its advice fits the case: with few near-
    misses on train, the cut had little to fit on, so add some; with enough there that the cut
    turns away, the held-out ones ask for something else, so add near-misses like them; with
    enough there and still firing, to the router they look like the skills' own queries, so no
    cut separates them (`_inseparable` says what a cut that did would cost) and only another
    router or narrower descriptions would."""
    total = sum(i.expect is None for i in evaluator.holdout)
    fired, before = fired_before
    if total < MIN_NEAR_MISSES or 2 * fired < total:
        return []
    head = (
        f"warning: {fired} of {total} held-out near-misses (expect: null) fire a skill "
        f"({before} before)"
    )
    written = [i.expect is None and not i.generated for i in evaluator.train]
    if sum(written) < MIN_NEAR_MISSES:
        return [
            f"{head}: the train split, which the none cut is fitted on, has {sum(written)} "
            "near-misses; add near-misses to it, or narrow the descriptions"
        ]
    routed = evaluator.score(final)[0].predicted
    through = sum(p is not None for p, w in zip(routed, written, strict=True) if w)
    if 2 * through < sum(written):  # the cut turns the train ones away, not these
        return [
            f"{head}, though the cut turns away {sum(written) - through} of the "
            f"{sum(written)} train near-misses it was fitted on: the held-out ones ask for "
            "other things than those; add near-misses like them to the train split (they are "
            "listed with the missed queries)"
        ]
    cost = _inseparable(evaluator, final)
    return [
        f"{head}, and {through} of the {sum(written)} train near-misses the none cut was "
        f"fitted on: to {type(evaluator.router).__name__} they look like the skills' own "
        f"queries{cost}, so no none cut separates them and more near-misses will not help. "
        "What would: a router that reads the request (set ANTHROPIC_API_KEY to route with "
        "Claude), or descriptions that say what each skill is for narrowly enough that these "
        "requests stop matching (the near-misses are listed with the missed queries)"
    ]


def _inseparable(evaluator: SkillEvaluator, final: Sequence[Skill]) -> str:
    """What turning away half the hand-written train near-misses would cost: " (a cut that
    turned away half of them would also turn away N% of the train queries it routes right)",
    for a router that routes by score and cut; "" for another."""
    router = evaluator.router
    train = [i for i in evaluator.train if not i.generated]
    if not isinstance(router, ThresholdRouting) or not train:
        return ""
    scores, cut = router.calibrated_scores([], final, evaluator.train)
    rows = [n for n, i in enumerate(evaluator.train) if not i.generated]
    top = scores[rows].max(axis=1)
    picked = [final[int(b)].name for b in scores[rows].argmax(axis=1)]
    near = sorted(float(t) for t, i in zip(top, train, strict=True) if i.expect is None)
    half = near[len(near) // 2]  # a cut above the median near-miss turns away half of them
    right = [
        float(t) for t, p, i in zip(top, picked, train, strict=True) if i.expect == p and t >= cut
    ]
    if not right or half <= cut:
        return ""
    lost = sum(t <= half for t in right) / len(right)
    return (
        f" (a cut that turned away half of them would also turn away {100 * lost:.0f}% of the "
        "train queries it routes right)"
    )
