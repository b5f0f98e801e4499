"""`greedy` and `anneal` decisions on small scripted score sequences."""

from __future__ import annotations

import json

from agentos.strategies import Anneal, get_strategy, strategy_names


def test_builtins_are_registered() -> None:
    assert {"greedy", "anneal", "restarts", "islands", "pareto"} <= set(strategy_names())


def test_greedy_keeps_only_improvements_and_proposes_from_best() -> None:
    g = get_strategy("greedy")
    st = g.start("base", [1.0], seed=0)
    assert g.choose(st, 1).parent == "base"
    d = g.decide(st, 1, "c1", [0.5])
    assert d.verdict == "discard" and d.incumbent == "base"
    d = g.decide(d.state, 2, "c2", [1.5])
    assert d.verdict == "keep" and d.incumbent == "c2"
    assert g.choose(d.state, 3).parent == "c2"
    d2 = g.decide(d.state, 3, "c3", [1.5])  # a tie is not a gain
    assert d2.verdict == "discard"
    st2 = g.fail(d2.state, 4)
    assert st2["since_best"] == 2 and g.choose(st2, 5).parent == "c2"
    json.dumps(st2)  # JSON-shaped


def test_decide_does_not_mutate_its_input() -> None:
    g = get_strategy("greedy")
    st = g.start("base", [1.0], seed=0)
    frozen = json.dumps(st, sort_keys=True)
    g.decide(st, 1, "c1", [2.0])
    g.fail(st, 2)
    assert json.dumps(st, sort_keys=True) == frozen


def run_anneal(seed: int, scores: list[float]) -> list[tuple[str, str]]:
    a = get_strategy("anneal")
    st = a.start("base", [0.0], seed=seed)
    out: list[tuple[str, str]] = []
    for i, s in enumerate(scores, start=1):
        parent = a.choose(st, i).parent
        d = a.decide(st, i, f"c{i}", [s])
        out.append((parent, d.verdict))
        st = d.state
    return out


def test_anneal_walks_through_worse_moves_without_keeping_them() -> None:
    # improve, then a long series of slightly worse moves: some are accepted by the walk
    scores = [1.0] + [1.0 - 0.01 * i for i in range(1, 6)]
    a = get_strategy("anneal")
    st = a.start("base", [0.0], seed=3)
    st = a.decide(st, 1, "c1", [1.0]).state
    accepted = 0
    for i, s in enumerate(scores[1:], start=2):
        d = a.decide(st, i, f"c{i}", [s])
        assert d.verdict == "discard"  # never keep a worse candidate
        assert d.state["best"]["commit"] == "c1"
        if d.incumbent == f"c{i}":
            accepted += 1
            assert "worse move accepted" in d.reason
        st = d.state
    assert accepted >= 1
    assert a.choose(st, 99).parent == st["walk"]["commit"]


def test_anneal_restarts_from_best_on_plateau() -> None:
    a = get_strategy("anneal")
    st = a.start("base", [0.0], seed=0)
    st = a.decide(st, 1, "best", [5.0]).state
    reasons = []
    for i in range(2, 2 + Anneal.patience):
        d = a.decide(st, i, f"w{i}", [4.99])
        reasons.append(d.reason)
        st = d.state
    assert "restart from the best" in reasons[-1]
    assert a.choose(st, 50).parent == "best" and st["anneal"]["restarts"] == 1


def test_anneal_is_deterministic_given_the_seed() -> None:
    seq = [1.0, 0.8, 0.9, 0.7, 1.2, 0.5, 0.6, 1.1]
    assert run_anneal(7, seq) == run_anneal(7, seq)
    assert len({tuple(run_anneal(s, seq)) for s in range(12)}) > 1
