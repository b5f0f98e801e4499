"""The "none" cut a rewritten skill set is judged with never drops below the cut fitted on the
set the run started from."""

from __future__ import annotations

import numpy as np
from skill_helpers import skill

from agentos.skill import EvalItem
from agentos.skill.bm25 import BM25Router
from agentos.skill.router import best_threshold

SKILLS = [
    skill("stain-removal", "Remove stains from clothes: wine, coffee, grease and ink."),
    skill("recipe-scaling", "Scale a recipe for more servings and convert cups to grams."),
]
TRAIN = [
    EvalItem("get the coffee stain out of my shirt", "stain-removal", "clean", "train"),
    EvalItem("grease on my jeans", "stain-removal", "clean", "train"),
    EvalItem("convert two cups of sugar to grams", "recipe-scaling", "clean", "train"),
    EvalItem("what is the weather tomorrow", None, "near-miss", "train"),
]
NAMES = [s.name for s in SKILLS]


def test_a_refitted_cut_may_rise_but_never_drops_below_the_calibrated_one() -> None:
    router = BM25Router()
    cut = router.calibrate(TRAIN, SKILLS)
    assert router.floor == cut
    # a widened stain-removal: its weak query now scores just above a near-miss it also lifted;
    # the best train cut for these scores alone lies below the starting one
    low = np.array([[0.9, 0.0], [0.05, 0.0], [0.0, 0.9], [0.03, 0.0]], dtype=np.float32)
    assert best_threshold(low, NAMES, TRAIN) < cut
    assert router.fit_cut(low, NAMES, TRAIN) == cut
    high = low + np.float32(cut + 0.5)
    high[:, 1] = 0.0
    high[2, 1] = cut + 2.0
    assert router.fit_cut(high, NAMES, TRAIN) == best_threshold(high, NAMES, TRAIN) > cut
    # routing a rewritten set uses the floored cut: the lifted near-miss stays with none
    routed, used = router.route_calibrated(["what is the weather tomorrow"], SKILLS, TRAIN)
    assert used >= cut and routed[-1] is None
    # an uncalibrated router has no floor: the cut is the train optimum
    assert BM25Router().fit_cut(low, NAMES, TRAIN) == best_threshold(low, NAMES, TRAIN)
