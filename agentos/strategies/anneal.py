"""`anneal`: simulated annealing on the walk, with a restart from the best on a plateau.

The walk moves to any candidate at least as good as where it stands, and to a worse one with
probability `exp(delta / T)`. The temperature is scale-free: `T0` times a running average of
|delta| (so no unit of the metric is assumed), cooled by `DECAY` each experiment since the last
(re)start. Moving to a worse candidate is recorded as `discard`: only a new best is `keep`. After
`patience` experiments without a new best, the walk restarts from the best and reheats.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

from agentos.strategies.base import Choice, register_strategy
from agentos.strategies.common import Measured, State, StrategyBase


@register_strategy
class Anneal(StrategyBase):
    name = "anneal"
    t0: ClassVar[float] = 1.0
    decay: ClassVar[float] = 0.85

    def init(self, state: State) -> None:
        state["anneal"] = {"scale": None, "steps": 0, "since_restart": 0, "restarts": 0}

    def choose(self, state: dict[str, Any], experiment: int) -> Choice:
        return Choice(state["walk"]["commit"], 1.0, state["noise"])

    def temperature(self, state: State) -> float:
        a = state["anneal"]
        scale = a["scale"] if a["scale"] else 1e-12
        return float(self.t0 * scale * self.decay ** a["steps"])

    def after(self, state: State, m: Measured) -> str:
        a, walk = state["anneal"], state["walk"]
        delta = m.score - walk["score"]
        a["scale"] = abs(delta) if a["scale"] is None else 0.8 * a["scale"] + 0.2 * abs(delta)
        note = ""
        if m.kept:
            state["walk"] = {"commit": m.commit, "score": m.score}
        elif delta >= 0:
            state["walk"] = {"commit": m.commit, "score": m.score}
            note = "the walk moves on (not a new best)"
        else:
            t = self.temperature(state)
            p = math.exp(delta / t) if t > 0 else 0.0
            if self.rng(state, m.experiment, "accept").random() < p:
                state["walk"] = {"commit": m.commit, "score": m.score}
                note = f"worse move accepted by the walk (p={p:.2f})"
        a["steps"] += 1
        a["since_restart"] += 1
        return self._plateau(state, note)

    def failed(self, state: State, experiment: int) -> None:
        state["anneal"]["since_restart"] += 1
        self._plateau(state, "")

    def _plateau(self, state: State, note: str) -> str:
        a = state["anneal"]
        if state["since_best"] >= self.patience and a["since_restart"] >= self.patience:
            state["walk"] = {"commit": state["best"]["commit"], "score": state["best"]["score"]}
            a["steps"] = 0
            a["since_restart"] = 0
            a["restarts"] += 1
            return "; ".join(x for x in (note, "plateau: restart from the best, reheated") if x)
        return note
