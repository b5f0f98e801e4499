"""Noise-aware acceptance: a gain within the noise is re-measured, and kept only if real."""

from __future__ import annotations

import random

from agentos.strategies import get_strategy
from agentos.strategies.noise import judge, t_critical

BASELINE = [10.0, 10.3, 9.7, 10.1, 9.9]  # sd ~ 0.22


def test_within_noise_gain_asks_for_a_paired_remeasure_of_the_best() -> None:
    g = get_strategy("greedy")
    st = g.start("base", BASELINE, seed=0)
    d = g.decide(st, 1, "c1", [10.3])
    assert d.verdict == "remeasure" and d.pair == "base"
    assert d.state == st  # nothing is settled yet


def test_a_large_gain_is_kept_at_once_and_a_loss_discarded() -> None:
    g = get_strategy("greedy")
    st = g.start("base", BASELINE, seed=0)
    assert g.decide(st, 1, "c1", [13.0]).verdict == "keep"
    assert g.decide(st, 1, "c1", [9.9]).verdict == "discard"


def test_the_direct_band_is_wider_when_the_noise_estimate_has_few_runs() -> None:
    """The same gain and the same sd: kept at once after 21 baseline runs, re-measured after 3
    (a noise estimate from 3 runs may be far too small)."""
    g = get_strategy("greedy")
    few = g.start("base", [10.0, 10.2, 9.8], seed=0)
    many = g.start("base", [10.0 + 0.2 * (i % 3 - 1) for i in range(21)], seed=0)
    assert abs(few["noise"] - many["noise"]) < 0.05
    assert g.decide(many, 1, "c1", [12.0]).verdict == "keep"
    assert g.decide(few, 1, "c1", [12.0]).verdict == "remeasure"


def test_settled_remeasures_add_to_the_noise_estimate() -> None:
    g = get_strategy("greedy")
    st = g.start("base", BASELINE, seed=0)
    d = g.decide(st, 1, "c1", [10.3])
    d = g.decide(d.state, 1, "c1", [10.3, 9.6, 9.9], [10.1, 9.7])
    assert d.verdict in ("keep", "discard")
    assert d.state["noise_df"] == st["noise_df"] + 2
    assert d.state["noise"] != st["noise"]


def test_the_noise_test_refuses_a_within_noise_gain() -> None:
    """A lucky first draw of an equal candidate, then fresh paired runs that show nothing."""
    g = get_strategy("greedy")
    st = g.start("base", BASELINE, seed=0)
    cand, inc = [10.4], []
    d = g.decide(st, 1, "c1", cand)
    rng = random.Random(1)
    while d.verdict == "remeasure":
        cand.append(10.0 + rng.gauss(0, 0.2))
        inc.append(10.0 + rng.gauss(0, 0.2))
        d = g.decide(d.state, 1, "c1", cand, inc)
    assert d.verdict == "discard" and ("not real" in d.reason or "no gain" in d.reason)
    assert d.state["best"]["commit"] == "base"
    assert len(cand) <= 4


def test_a_real_small_gain_is_confirmed_by_the_paired_test() -> None:
    g = get_strategy("greedy")
    st = g.start("base", BASELINE, seed=0)
    d = g.decide(st, 1, "c1", [10.5])
    cand, inc = [10.5], []
    pairs = [(11.02, 10.01), (10.98, 9.98), (11.06, 10.05)]
    for c, i in pairs:
        if d.verdict != "remeasure":
            break
        cand.append(c)
        inc.append(i)
        d = g.decide(d.state, 1, "c1", cand, inc)
    assert d.verdict == "keep" and "paired gain" in d.reason


def test_false_keep_rate_is_small_for_equal_candidates() -> None:
    rng = random.Random(0)
    keeps = 0
    for _ in range(400):
        base = [rng.gauss(0, 1) for _ in range(4)]
        scores, ref = [rng.gauss(0, 1)], sum(base) / 4
        j = judge(scores, ref, [], 1.0, 3)
        while j.verdict == "unsure":
            scores.append(rng.gauss(0, 1))
            rescores = [rng.gauss(0, 1) for _ in scores[1:]]
            j = judge(scores, ref, rescores, 1.0, 3)
        keeps += j.verdict == "better"
    assert keeps <= 16  # well under 5%


def test_without_a_noise_estimate_comparison_is_plain() -> None:
    assert judge([1.01], 1.0, [], 0.0, 0).verdict == "better"
    assert judge([1.0], 1.0, [], 0.0, 0).verdict == "not-better"
    assert judge([1.01], 1.0, [], 0.0, 0).reason.endswith("(no noise estimate)")
    # re-runs that agreed: a deterministic metric, said so rather than "no estimate"
    agreed = judge([1.01], 1.0, [], 0.0, 3)
    assert agreed.verdict == "better" and "re-runs agreed" in agreed.reason
    assert t_critical(1) > t_critical(10) > t_critical(100) > 1.95


def test_one_fresh_pair_never_confirms_a_within_noise_gain() -> None:
    """However large the first fresh pair's gain, a keep inside the band needs two of them."""
    g = get_strategy("greedy")
    st = g.start("base", BASELINE, seed=0)
    d = g.decide(st, 1, "c1", [10.5])
    assert d.verdict == "remeasure"
    d = g.decide(d.state, 1, "c1", [10.5, 13.0], [10.0])
    assert d.verdict == "remeasure"
    d = g.decide(d.state, 1, "c1", [10.5, 13.0, 12.9], [10.0, 10.1])
    assert d.verdict == "keep" and "2 re-run(s)" in d.reason


def _simulate(gain: float, noise_df: int, n: int = 600) -> tuple[float, float]:
    """Candidates truly better than the best by `gain` noise sd, judged until settled: the share
    kept and the mean number of fresh pairs each cost."""
    rng = random.Random(1)
    keeps = pairs = 0
    for _ in range(n):
        scores, rescores = [gain + rng.gauss(0, 1)], []
        j = judge(scores, 0.0, [], 1.0, noise_df)
        while j.verdict == "unsure":
            scores.append(gain + rng.gauss(0, 1))
            rescores.append(rng.gauss(0, 1))
            j = judge(scores, 0.0, rescores, 1.0, noise_df)
        keeps += j.verdict == "better"
        pairs += len(rescores)
    return keeps / n, pairs / n


def test_re_measures_go_where_they_decide_something() -> None:
    """The sequential test: a candidate level with the best costs about one fresh pair and is
    never kept; one two noise sd ahead is re-measured for longer and mostly kept (the rule with
    a fixed cap of three fresh pairs kept under a third of them)."""
    level_kept, level_pairs = _simulate(0.0, 10)
    ahead_kept, ahead_pairs = _simulate(2.0, 10)
    assert level_kept == 0 and level_pairs < 1.5
    assert ahead_kept > 0.7 and ahead_pairs > 4


def test_a_large_gain_just_short_of_the_test_is_measured_again_not_discarded() -> None:
    """A candidate whose paired gain is large but whose t is just short after three pairs (a
    true gain thrown away by the rule with four measurements at most) gets more pairs."""
    scores = [0.3, 0.142, 0.142, 0.142]  # fresh pairs: +0.142 each, t=4.26 < 4.30
    j = judge(scores, 0.0, [0.0, 0.0, 0.0], 0.0463, 7)
    assert j.verdict == "unsure" and "t=4.26" in j.reason and "6 re-measure runs" in j.reason
    j = judge([*scores, 0.142], 0.0, [0.0] * 4, 0.0463, 7)
    assert j.verdict == "better" and "8 re-measure runs" in j.reason


def test_a_candidate_that_cannot_pass_is_settled_early() -> None:
    j = judge([0.5, 0.05, 0.02], 0.0, [0.0, 0.0], 1.0, 10)
    assert j.verdict == "not-better" and "cannot reach" in j.reason


def test_the_draw_that_had_a_best_kept_at_once_leaves_its_score_once_it_is_re_run() -> None:
    """A best kept at once holds only the draw that had it kept, likely too high; its first
    re-runs as the pair of a re-measure replace that draw rather than average with it."""
    g = get_strategy("greedy")
    st = g.start("base", BASELINE, seed=0)
    kept = g.decide(st, 1, "lucky", [13.0])
    assert kept.verdict == "keep" and kept.state["best"]["scores"] == []
    assert kept.state["best"]["score"] == 13.0
    d = g.decide(kept.state, 2, "c2", [13.1])
    assert d.verdict == "remeasure" and d.pair == "lucky"
    settled = g.decide(d.state, 2, "c2", [13.1, 11.0, 11.1], [12.0, 12.1])
    assert settled.verdict == "discard" and settled.state["best"]["scores"] == [12.0, 12.1]
    assert abs(settled.state["best"]["score"] - 12.05) < 1e-9


def test_the_score_of_a_tested_keep_leaves_out_the_draw_that_selected_it() -> None:
    g = get_strategy("greedy")
    st = g.start("base", BASELINE, seed=0)
    d = g.decide(st, 1, "c1", [11.5, 11.1, 11.2, 11.15], [10.0, 10.05, 9.95])
    assert d.verdict == "keep"
    assert d.state["best"]["scores"] == [11.1, 11.2, 11.15]
    assert abs(d.state["best"]["score"] - 11.15) < 1e-9
