"""The lexical routers (BM25 and character n-grams): no model, a "none" cut fitted on train."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from skill_helpers import skill

from agentos.skill import EvalItem, SkillEvaluator
from agentos.skill.bm25 import BM25Router, stem
from agentos.skill.ngram import NgramRouter
from agentos.skill.report import holdout_routes
from agentos.skill.router import Matrix, ThresholdRouting, route_with_train
from agentos.skillfile import Skill

SKILLS = [
    skill("stain-removal", "Remove stains from clothes: wine, coffee, grease and ink."),
    skill("recipe-scaling", "Scale a recipe for more servings and convert cups to grams."),
]


def test_bm25_routes_by_shared_words_and_sends_unrelated_queries_to_none() -> None:
    train = [
        EvalItem("get the coffee stain out of my shirt", "stain-removal", "clean", "train"),
        EvalItem("convert two cups of sugar to grams", "recipe-scaling", "clean", "train"),
        EvalItem("what is the weather tomorrow", None, "near-miss", "train"),
    ]
    router = BM25Router()
    cut = router.calibrate(train, SKILLS)
    assert 0.0 < cut < 1.0
    routed = router.route(
        ["grease stains on jeans", "scale the recipe for ten servings", "book a flight"], SKILLS
    )
    assert routed == ["stain-removal", "recipe-scaling", None]
    # a misspelling shares no word: the lexical router misses what an embedding may catch
    assert router.route(["stane on my shrit"], SKILLS) == [None]


def test_bm25_refits_its_cut_for_each_skill_set_and_stems_plurals() -> None:
    assert stem("recipes") == stem("recipe") and stem("baking") == stem("baked") == stem("bake")
    assert (
        stem("stains") == stem("stain") and stem("berries") == "berry" and stem("glass") == "glass"
    )
    train = [EvalItem("wine stains", "stain-removal", "clean", "train")]
    routed = route_with_train(BM25Router(threshold=0.99), SKILLS, train, ["ink stain"])
    assert routed == ["stain-removal", "stain-removal"]  # the 0.99 cut was refitted on train


def test_the_ngram_router_matches_a_misspelling_that_bm25_cannot() -> None:
    train = [
        EvalItem("get the coffee stain out of my shirt", "stain-removal", "clean", "train"),
        EvalItem("convert two cups of sugar to grams", "recipe-scaling", "clean", "train"),
        EvalItem("what is the weather tomorrow", None, "near-miss", "train"),
    ]
    router = NgramRouter()
    router.calibrate(train, SKILLS)
    assert router.route(
        ["grease stanes on jeans", "scaling a recipie", "book a flight"], SKILLS
    ) == [
        "stain-removal",
        "recipe-scaling",
        None,
    ]
    assert BM25Router().route(["stanes"], SKILLS) == [None]  # no whole word in common


class TableRouter(ThresholdRouting):
    """Scores read from a table keyed by (query, description): 0 where it has none."""

    def __init__(self, table: dict[tuple[str, str], float]):
        self.table, self.threshold = table, 0.5

    def scores(self, queries: Sequence[str], skills: Sequence[Skill]) -> Matrix:
        rows = [[self.table.get((q, s.description), 0.0) for s in skills] for q in queries]
        return np.array(rows, dtype=np.float32)

    def prepare(self, skills: Sequence[Skill]) -> None:
        """Nothing to cache."""


def test_the_independent_router_keeps_the_starting_sets_cut_as_its_floor() -> None:
    start, wider = [skill("a", "Start.")], [skill("a", "Start. It is also for more.")]
    train = [
        EvalItem("q1", "a", "clean", "train"),
        EvalItem("n1", None, "near-miss", "train"),
    ]
    holdout = [EvalItem("h1", None, "near-miss", "holdout")]
    table = {("q1", "Start."): 0.8, ("n1", "Start."): 0.2, ("h1", "Start."): 0.35}
    table |= {("q1", wider[0].description): 0.4, ("n1", wider[0].description): 0.2}
    table[("h1", wider[0].description)] = 0.35
    router = TableRouter(table)
    judge = SkillEvaluator([*train, *holdout], router, recalibrate=True)
    # re-fitted on train alone the wider set's cut drops (0.5 -> 0.3) and lets h1 through;
    # the report keeps the starting set's cut as the floor, as the tuned-against router does
    assert route_with_train(router, wider, train, ["h1"]) == ["a", None, "a"]
    assert holdout_routes(router, judge, start, wider) == [None]
    assert holdout_routes(router, judge, start, start) == [None]
    assert router.floor == float("-inf")  # the caller's router is left as it was
