"""Paired judgement on common draws (`[search] paired`): every commit's k-th measurement runs on the
same k-th draw, and a candidate is judged draw by draw against the best."""

from __future__ import annotations

import random
from typing import Any

from agentos.profile import configure, parse_profile
from agentos.strategies import get_strategy
from agentos.strategies.base import Decision
from agentos.strategies.noise import judge_paired

START = 4  # the best's measurements before the test: draws 0..3


def draws(seed: int, n: int = 20, spread: float = 0.06) -> list[float]:
    """A metric's level on each of `n` draws: some draws are easy for every commit, some hard."""
    rng = random.Random(seed)
    return [0.75 + rng.gauss(0, spread) for _ in range(n)]


def greedy(paired: bool) -> Any:
    """The greedy strategy as a profile with `[search] paired` configures it (the screen off, so
    every unsure first draw is re-measured and these tests see the paired test alone)."""
    text = f"[search]\npaired = {str(paired).lower()}\nscreen = 0.0\n"
    return configure(get_strategy("greedy"), parse_profile(text))


def settle(paired: bool, best: list[float], cand: list[float]) -> tuple[Decision, int]:
    """Run one candidate's test as the loop does: the candidate's k-th measurement is `cand[k]`,
    the best's k-th is `best[k]` (its first `START` measured before), a re-measure runs the best
    beside the candidate unless the decision says alone. Returns the decision and the
    candidate's measurements."""
    g = greedy(paired)
    state = g.start("base", best[:START], seed=0)
    scores, beside = [cand[0]], list[float]()
    while True:
        d = g.decide(state, 1, "cand", scores, beside)
        if d.verdict != "remeasure":
            return d, len(scores)
        if not d.alone:
            beside.append(best[START + len(beside)])
        scores.append(cand[len(scores)])


def test_a_small_gain_on_common_draws_is_kept_paired_and_not_unpaired() -> None:
    """A gain of a third of the draws' spread, measured on the same draws as the best: the draws'
    luck cancels in each difference, so the paired test keeps it; the unpaired test, on the very
    same measurements, cannot tell it from the draws' spread."""
    rng = random.Random(7)
    level = draws(1)
    best = [x + rng.gauss(0, 0.005) for x in level]
    cand = [x + 0.02 + rng.gauss(0, 0.005) for x in level]
    paired, runs = settle(True, best, cand)
    unpaired, _ = settle(False, best, cand)
    assert paired.verdict == "keep", paired.reason
    assert "paired draw" in paired.reason and runs <= 8
    assert unpaired.verdict == "discard", unpaired.reason


def test_a_tie_on_the_first_draw_is_not_kept_and_costs_one_measurement() -> None:
    level = draws(2)
    decision, runs = settle(True, level, list(level))
    assert decision.verdict == "discard" and runs == 1
    assert "on the same draw" in decision.reason


def test_a_first_draw_that_a_later_one_takes_back_is_no_gain() -> None:
    level = draws(3)
    cand = [level[0] + 0.02, level[1] - 0.03, *level[2:]]
    decision, runs = settle(True, level, cand)
    assert decision.verdict == "discard" and runs == 2
    assert "no gain" in decision.reason


def test_the_candidate_runs_alone_while_the_best_has_its_next_draw() -> None:
    g = greedy(True)
    level = draws(4)
    state = g.start("base", level[:START], seed=0)
    cand = [x + 0.02 * (k % 2 == 0) for k, x in enumerate(level)]  # +0.02 on every other draw
    for k in range(1, START + 2):
        d = g.decide(state, 1, "cand", cand[:k], level[START:k])
        assert d.verdict == "remeasure"
        assert d.alone == (k < START), k  # from draw 4 on, the best runs on it too


def test_the_best_keeps_its_measurements_in_draw_order() -> None:
    g = greedy(True)
    level = draws(5)
    state = g.start("base", level[:START], seed=0)
    assert state["best"]["draws"] == level[:START]
    lost = [x - 0.02 for x in level]
    d = g.decide(state, 1, "c1", lost[:6], level[START:6])
    assert d.verdict == "discard"
    assert d.state["best"]["draws"] == level[:6]  # its re-runs in the test joined its draws
    won = [x + 5.0 for x in level]  # beyond the noise band: kept on its first draw
    k = g.decide(d.state, 2, "c2", won[:1])
    assert k.verdict == "keep" and k.state["best"]["draws"] == won[:1]


def test_equal_commits_on_independent_paths_are_rarely_kept() -> None:
    """A change that alters every inner run's path: its draws share nothing with the best's, so
    the paired differences vary as much as two independent measurements. The test estimates
    their spread from the differences themselves, and keeps such a tie at most the rare time."""
    keeps = 0
    for seed in range(200):
        rng = random.Random(seed)
        best = [0.75 + rng.gauss(0, 0.05) for _ in range(24)]
        cand = [0.75 + rng.gauss(0, 0.05) for _ in range(24)]
        keeps += settle(True, best, cand)[0].verdict == "keep"
    assert keeps <= 2


def test_the_profile_turns_paired_judgement_on() -> None:
    text = "[search]\nstrategy = \"greedy\"\npaired = true\n"
    profile: Any = parse_profile(text)
    assert profile.paired
    assert configure(get_strategy("greedy"), profile).paired
    assert not configure(get_strategy("greedy"), parse_profile("")).paired


def test_an_exact_gain_on_every_draw_is_kept() -> None:
    level = [0.5, 0.75, 0.625]  # exact in binary: every difference is exactly 0.125
    verdict = judge_paired([x + 0.125 for x in level], level, sd=0.5, noise_df=3)
    assert verdict.verdict == "better" and "each of 2 paired draws" in verdict.reason


def test_self_tune_never_searches_the_paired_key() -> None:
    """`paired` says how the metric draws its randomness: the shipped profile marks it fixed,
    so the heuristic proposer (and self-tune's screen) never flips it, and the outer profile
    turns it on."""
    from agentos.profile import DEFAULT_PATH, UNSEARCHED
    from agentos.selftune.command import outer_profile
    from agentos.settings import find_settings

    text = DEFAULT_PATH.read_text(encoding="utf-8")
    names = {s.name for s in find_settings("profile.toml", text) if s.mutable}
    assert "search.screen" in names and "search.paired" not in names
    assert "search.paired" in UNSEARCHED
    assert not parse_profile(text).paired and parse_profile(outer_profile(60)).paired
