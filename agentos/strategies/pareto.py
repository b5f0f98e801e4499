"""`pareto`: parents drawn from the non-dominated front over several objectives, as GEPA does.

The objectives are the primary score plus the evaluator's `details` (per-slice or per-example
figures, oriented higher-is-better). A candidate joins the front when no member dominates it, and
evicts the members it dominates. A parent is sampled from the front with weight equal to the number
of objectives on which it is best (members best on none still get a small weight), so a candidate
that is the only one to solve some slice keeps being built on. Only a new best primary score is
`keep`. With no details the front is the single best and `pareto` behaves like `greedy`.
"""

from __future__ import annotations

from typing import Any, ClassVar

from agentos.strategies.base import Choice, register_strategy
from agentos.strategies.common import Measured, State, StrategyBase


def dominates(a: dict[str, float], b: dict[str, float]) -> bool:
    """`a` is at least as good on every shared objective and better on one."""
    keys = set(a) & set(b)
    return all(a[k] >= b[k] for k in keys) and any(a[k] > b[k] for k in keys)


@register_strategy
class Pareto(StrategyBase):
    name = "pareto"
    front_size: ClassVar[int] = 16

    def init(self, state: State) -> None:
        best = state["best"]
        state["front"] = [{"commit": best["commit"], "objs": {"score": best["score"]}}]

    def weights(self, front: list[dict[str, Any]]) -> list[float]:
        keys = sorted({k for m in front for k in m["objs"]})
        w = [0.25] * len(front)
        for k in keys:
            top = max(m["objs"].get(k, float("-inf")) for m in front)
            for i, m in enumerate(front):
                if m["objs"].get(k, float("-inf")) == top:
                    w[i] += 1.0
        return w

    def choose(self, state: dict[str, Any], experiment: int) -> Choice:
        front = state["front"]
        rng = self.rng(state, experiment, "parent")
        pick = rng.choices(range(len(front)), weights=self.weights(front))[0]
        return Choice(front[pick]["commit"], 1.0, state["noise"])

    def after(self, state: State, m: Measured) -> str:
        objs = {"score": m.score, **{f"d:{k}": float(v) for k, v in m.details.items()}}
        front = [f for f in state["front"] if f["commit"] != m.commit]
        note = ""
        if not any(dominates(f["objs"], objs) for f in front):
            front = [f for f in front if not dominates(objs, f["objs"])]
            front.append({"commit": m.commit, "objs": objs})
            front.sort(key=lambda f: -f["objs"]["score"])
            front = front[: self.front_size]
            note = "" if m.kept else f"joins the front ({len(front)} members)"
        state["front"] = front
        state["walk"] = {"commit": state["best"]["commit"], "score": state["best"]["score"]}
        return note
