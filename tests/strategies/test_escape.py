"""`restarts`, `islands` and `pareto` decisions on small scripted sequences."""

from __future__ import annotations

import json

from agentos.strategies import Islands, Restarts, get_strategy
from agentos.strategies.islands import descriptor_terms
from agentos.strategies.pareto import dominates


def test_restarts_alternates_archive_jump_and_larger_step() -> None:
    r = get_strategy("restarts")
    st = r.start("base", [0.0], seed=0)
    st = r.decide(st, 1, "a", [1.0]).state  # new best
    st = r.decide(st, 2, "b", [0.5]).state  # archived, not a move
    notes = []
    exp = 3
    for _ in range(2 * Restarts.patience):
        d = r.decide(st, exp, f"x{exp}", [0.1])
        notes.append(d.reason)
        st = d.state
        exp += 1
    first, second = [n for n in notes if "restart" in n]
    assert "archive member" in first
    assert "with step 2" in second and r.choose(st, exp).step == 2.0
    assert r.choose(st, exp).parent == "a"
    st = r.decide(st, exp, "c", [3.0]).state
    assert r.choose(st, exp + 1) == r.choose(st, exp + 1)
    assert r.choose(st, exp + 1).step == 1.0 and r.choose(st, exp + 1).parent == "c"
    json.dumps(st)


def test_islands_walk_apart_and_migrate() -> None:
    s = get_strategy("islands")
    st = s.start("base", [0.0], seed=0)
    n = len(Islands.steps)
    # island 1 improves a lot, island 2 a little, on different settings
    st = s.decide(st, 1, "i1", [5.0], descriptor="lr 0.1 -> 0.2").state
    d = s.decide(st, 2, "i2", [1.0], descriptor="depth 2 -> 4")
    assert d.verdict == "discard" and "island 2 moves on" in d.reason
    st = d.state
    assert s.choose(st, 1 + n).parent == "i1" and s.choose(st, 2 + n).parent == "i2"
    assert s.choose(st, 3).parent == "base"
    assert {s.choose(st, e).step for e in range(n)} == set(Islands.steps)
    for e in range(3, Islands.migrate):
        st = s.fail(st, e)
    d = s.decide(st, Islands.migrate, "m", [-1.0])
    assert "migration: island 1 ->" in d.reason
    parents = [isl["commit"] for isl in d.state["islands"]]
    assert parents.count("i1") == 2 and "i2" in parents  # the distinct island survived


def test_descriptor_terms() -> None:
    assert descriptor_terms("lr 0.1 -> 0.2, depth 4 -> 8") == ["lr", "depth"]
    assert descriptor_terms("") == []


def test_pareto_front_keeps_specialists_as_parents() -> None:
    p = get_strategy("pareto")
    st = p.start("base", [0.0], seed=0)
    d = p.decide(st, 1, "gen", [2.0], details={"a": 0.5, "b": 0.5})
    assert d.verdict == "keep"
    d = p.decide(d.state, 2, "spec", [1.0], details={"a": 0.1, "b": 0.9})
    assert d.verdict == "discard" and "joins the front" in d.reason
    d = p.decide(d.state, 3, "bad", [0.5], details={"a": 0.1, "b": 0.2})
    assert "front" not in d.reason
    front = {m["commit"] for m in d.state["front"]}
    assert front == {"gen", "spec"}  # base is dominated by gen on the score; bad by spec
    parents = {p.choose(d.state, e).parent for e in range(40)}
    assert parents == {"gen", "spec"}


def test_dominance() -> None:
    assert dominates({"x": 1, "y": 1}, {"x": 1, "y": 0})
    assert not dominates({"x": 1, "y": 0}, {"x": 0, "y": 1})
    assert not dominates({"x": 1}, {"x": 1})
