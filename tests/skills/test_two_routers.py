"""A run decides with two routers of different kinds (the embedding router and BM25): the
metric is the mean of their train accuracies, the veto reads both (a gain that fools one router
is refused), the joint search may not misroute a train query on either; a third router, which no
decision reads, is the report's independent one."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from skill_helpers import SKILL_EXAMPLES

from agentos.skill import EvalItem, SkillEvaluator, load_skills
from agentos.skill import joint as joint_module
from agentos.skill.bm25 import BM25Router
from agentos.skill.evals import augment, load_evals
from agentos.skill.router import EmbeddingRouter
from agentos.skillfile import Skill

SPLIT = [
    EvalItem("wine stains on a shirt", "stain-removal", "clean", "train"),
    EvalItem("grease spot on my jeans", "stain-removal", "clean", "train"),
    EvalItem("convert cups to grams", "recipe-scaling", "clean", "train"),
    EvalItem("double the recipe for eight", "recipe-scaling", "clean", "train"),
    EvalItem("book a flight to Rome", None, "near-miss", "train"),
    EvalItem("ink on a white shirt", "stain-removal", "clean", "holdout"),
    EvalItem("halve a cake recipe", "recipe-scaling", "clean", "holdout"),
]
START = [
    Skill("stain-removal", "Remove stains from clothes.", "Steps.\n", SKILL_EXAMPLES / "x"),
    Skill("recipe-scaling", "Scale a recipe.", "Steps.\n", SKILL_EXAMPLES / "y"),
]


def with_description(skills: list[Skill], name: str, text: str) -> list[Skill]:
    return [
        s.with_components({f"{s.name}/description": text}) if s.name == name else s for s in skills
    ]


def test_the_metric_is_the_mean_of_both_routers_train_accuracy(router: EmbeddingRouter) -> None:
    judge = SkillEvaluator(SPLIT, router, recalibrate=True, originals=START, lexical=BM25Router())
    ev = judge.evaluate_skills(START)
    first, second = ev.details["train/all"], ev.details["lexical/train/all"]
    assert ev.metric == (first + second) / 2
    assert "lexical/holdout/all" in ev.holdout and "holdout/all" in ev.holdout
    alone = SkillEvaluator(SPLIT, router, recalibrate=True, originals=START)
    assert alone.evaluate_skills(START).metric == first  # one router: its own train accuracy


def test_a_rewrite_that_lowers_the_second_routers_train_accuracy_is_vetoed(
    router: EmbeddingRouter,
) -> None:
    judge = SkillEvaluator(SPLIT, router, recalibrate=True, originals=START, lexical=BM25Router())
    before = judge.evaluate_skills(START)
    # hand-made figures: the embedding router gains on train, BM25 loses a train query
    up = before.details["train/all"] + 0.2
    down = before.details["lexical/train/all"] - 0.2
    after = replace(before, details={**before.details, "train/all": up, "lexical/train/all": down})
    reason = judge.veto(before, after)
    assert reason is not None and reason.startswith("train (bm25) accuracy fell")
    assert judge.veto(before, judge.evaluate_skills(START)) is None
    # a held-out figure of the second router falling is refused as the first's is
    fell = before.holdout["lexical/holdout/all"] - 0.5
    held = replace(before, holdout={**before.holdout, "lexical/holdout/all": fell})
    reason = judge.veto(before, held)
    assert reason is not None and "held-out all (bm25) accuracy fell" in reason


def test_joint_additions_never_misroute_a_train_query_on_either_router(
    router: EmbeddingRouter,
) -> None:
    skills = load_skills(SKILL_EXAMPLES)
    items = augment(load_evals(SKILL_EXAMPLES / "evals.jsonl", [s.name for s in skills]))
    train = [i for i in items if i.split == "train"]
    lexical = BM25Router()
    lexical.calibrate(train, skills)

    def right(r: EmbeddingRouter | BM25Router, ss: list[Skill]) -> np.ndarray:
        routed = r.route_calibrated([], ss, train)[0]
        return np.array([i.expect == p for i, p in zip(train, routed, strict=True)])

    steps = joint_module.joint_examples(router, skills, train, limit=3, lexical=lexical, body=True)
    assert steps
    before = (right(router, skills), right(lexical, skills))
    start = before[0].sum() + before[1].sum()
    for step in steps:
        after = (right(router, step.skills), right(lexical, step.skills))
        assert not np.any(before[0] & ~after[0]) and not np.any(before[1] & ~after[1])
        assert step.gain == after[0].sum() + after[1].sum() - start
        before = after


def test_the_per_skill_search_counts_both_routers_and_refuses_a_bm25_fall(
    router: EmbeddingRouter,
) -> None:
    """The per-skill search ranks a rewrite by both routers' train hits, as the joint search
    does, and puts one that lowers BM25's train hits with those the veto refuses."""
    from agentos.skill.search import DescriptionSearch

    train = [i for i in SPLIT if i.split == "train"]
    lexical = BM25Router()
    lexical.calibrate(train, START)
    search = DescriptionSearch(router, train, START, "stain-removal", lexical=lexical)
    base = search.fit("Remove stains from clothes.")
    wider = "Remove stains from clothes. It is also for wine, grease and jeans."
    assert search.fit(wider).lexical > base.lexical  # BM25 now finds "grease spot on my jeans"
    assert search.fit(wider).hits > base.hits and search.key(base, wider)[0] is False
    firing = "Remove stains from clothes. It is also for flights and books."  # the near-miss
    assert search.fit(firing).lexical < base.lexical and search.fit(firing).taken <= base.taken
    assert search.key(base, firing)[0] is True
    alone = DescriptionSearch(router, train, START, "stain-removal")  # one router: no BM25
    assert alone.fit(wider).lexical == 0


def test_the_per_skill_search_refuses_what_the_veto_refuses_query_by_query(
    router: EmbeddingRouter,
) -> None:
    """A rewrite whose hit counts hold while one train query is lost (a near-miss fires on BM25
    as the skill gains one of its own) is vetoed on train query by query; the search puts it
    with those the veto refuses instead of proposing it."""
    from agentos.skill.search import DescriptionSearch

    train = [i for i in SPLIT if i.split == "train"]
    lexical = BM25Router()
    lexical.calibrate(train, START)
    # routing only (no originals: no quality gate), the BM25 cut fitted on the starting set
    judge = SkillEvaluator(train, router, recalibrate=True, lexical=lexical)
    search = DescriptionSearch(router, train, START, "stain-removal", lexical=lexical)
    base = search.fit("Remove stains from clothes.")
    text = "Remove stains from clothes, grease spots and jeans. It is also for flights to Rome."
    fit = search.fit(text)
    assert fit.lexical == base.lexical and fit.taken <= base.taken  # the counts hold
    after = judge.evaluate_skills(with_description(START, "stain-removal", text))
    reason = judge.veto(judge.evaluate_skills(START), after)
    assert reason is not None and "near-miss 'book a flight to Rome' now goes to a skill" in reason
    assert search.key(base, text)[0] is True
