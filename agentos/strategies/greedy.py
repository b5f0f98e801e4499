"""`greedy`: autoresearch's keep-if-better. Every proposal starts from the best so far."""

from __future__ import annotations

from typing import Any

from agentos.strategies.base import Choice, register_strategy
from agentos.strategies.common import Measured, State, StrategyBase


@register_strategy
class Greedy(StrategyBase):
    """Propose from the best; keep a candidate only when it beats the best (beyond the noise)."""

    name = "greedy"

    def choose(self, state: dict[str, Any], experiment: int) -> Choice:
        return Choice(state["best"]["commit"], 1.0, state["noise"])

    def after(self, state: State, m: Measured) -> str:
        state["walk"] = {"commit": state["best"]["commit"], "score": state["best"]["score"]}
        return ""
