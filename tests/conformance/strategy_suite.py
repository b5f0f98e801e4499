"""The conformance suite every search strategy passes (built-in or plugin).

`assert_strategy_conforms(make)` drives a strategy made by `make()` through the contract of
`agentos.strategies.base.Strategy`: JSON-shaped state (it is checkpointed), a `Choice` from
`choose`, a well-formed `Decision` from `decide`, `decide` and `fail` leaving the given state
untouched, and the same choices and decisions for the same seed and scores. A plugin's tests call
it the same way `test_contract_conformance.py` does for the built-ins.
"""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Callable
from typing import Any

from agentos.strategies.base import Choice, Decision, Strategy

BASELINE = "b" * 40
SCORES = (1.0, 1.2, 0.9, 1.5, 1.1, 2.0, 0.5, 2.5)


def _json(state: dict[str, Any], where: str) -> None:
    assert isinstance(state, dict), f"{where}: state is {type(state).__name__}, not a dict"
    assert json.loads(json.dumps(state)) == state, f"{where}: state is not JSON-shaped"


def _walk(strategy: Strategy, seed: int) -> list[tuple[object, ...]]:
    """Eight experiments: choose, then decide on a score (every third one fails)."""
    state = strategy.start(BASELINE, [1.0, 1.01, 0.99], seed)
    _json(state, "start")
    trace: list[tuple[object, ...]] = []
    for exp, score in enumerate(SCORES, start=1):
        choice = strategy.choose(copy.deepcopy(state), exp)
        assert isinstance(choice, Choice), f"choose returned {type(choice).__name__}"
        assert isinstance(choice.parent, str) and choice.parent, "choose: no parent commit"
        assert math.isfinite(choice.step) and choice.step > 0, f"choose: step {choice.step}"
        given = copy.deepcopy(state)
        commit = f"{exp:040x}"
        if exp % 3 == 0:
            failed = strategy.fail(state, exp)
            assert state == given, "fail changed the state it was given"
            state = failed
            _json(state, "fail")
            trace.append((choice.parent, choice.step, "fail"))
            continue
        decision = strategy.decide(state, exp, commit, [score], [1.0])
        assert state == given, "decide changed the state it was given"
        assert isinstance(decision, Decision), f"decide returned {type(decision).__name__}"
        assert decision.verdict in ("keep", "discard", "remeasure"), decision.verdict
        assert isinstance(decision.reason, str)
        assert isinstance(decision.incumbent, str) and decision.incumbent, "no incumbent"
        _json(decision.state, "decide")
        if decision.verdict == "remeasure":  # paired scores come back: decide again
            decision = strategy.decide(state, exp, commit, [score] * 3, [1.0] * 3)
            assert decision.verdict in ("keep", "discard", "remeasure"), decision.verdict
        state = decision.state
        trace.append((choice.parent, choice.step, decision.verdict, decision.incumbent))
    return trace


def assert_strategy_conforms(make: Callable[[], Strategy]) -> None:
    """Raise AssertionError naming the first breach of the strategy contract."""
    strategy = make()
    assert isinstance(strategy.name, str) and strategy.name, "a strategy needs a name"
    first = _walk(strategy, seed=7)
    assert first == _walk(make(), seed=7), "the same seed and scores gave other choices"
    assert first[0][0] == BASELINE, "the first proposal must start from the baseline"
