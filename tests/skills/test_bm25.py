"""The independent BM25 router: lexical, no model, its own "none" cut fitted on train."""

from __future__ import annotations

from skill_helpers import skill

from agentos.skill import EvalItem
from agentos.skill.bm25 import BM25Router, stem
from agentos.skill.router import route_with_train

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
