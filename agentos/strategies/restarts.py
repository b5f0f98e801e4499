"""`restarts`: a greedy walk with an escape harness.

The walk moves to any candidate better than where it stands (a new best is `keep`, other moves are
`discard`). An archive keeps the best few distinct candidates measured. After `patience`
experiments without the walk moving, it restarts: odd restarts jump to another archive member (a
different basin seen earlier), even ones go back to the best with a doubled step (up to `MAX_STEP`)
to jump further than a normal proposal. A new best resets the step.
"""

from __future__ import annotations

from typing import Any, ClassVar

from agentos.strategies.base import Choice, register_strategy
from agentos.strategies.common import Measured, State, StrategyBase


@register_strategy
class Restarts(StrategyBase):
    name = "restarts"
    patience: ClassVar[int] = 5
    archive_size: ClassVar[int] = 6
    max_step: ClassVar[float] = 4.0

    def init(self, state: State) -> None:
        best = state["best"]
        state["restarts"] = {
            "archive": [{"commit": best["commit"], "score": best["score"]}],
            "count": 0,
            "stuck": 0,
            "step": 1.0,
        }

    def choose(self, state: dict[str, Any], experiment: int) -> Choice:
        return Choice(state["walk"]["commit"], float(state["restarts"]["step"]), state["noise"])

    def after(self, state: State, m: Measured) -> str:
        r = state["restarts"]
        archive = [a for a in r["archive"] if a["commit"] != m.commit]
        archive.append({"commit": m.commit, "score": m.score})
        archive.sort(key=lambda a: -a["score"])
        r["archive"] = archive[: self.archive_size]
        if m.kept or m.score > state["walk"]["score"]:
            state["walk"] = {"commit": m.commit, "score": m.score}
            r["stuck"] = 0
            if m.kept:
                r["step"] = 1.0
            return "" if m.kept else "the walk moves on (not a new best)"
        r["stuck"] += 1
        return self._maybe_restart(state, m.experiment)

    def failed(self, state: State, experiment: int) -> None:
        state["restarts"]["stuck"] += 1
        self._maybe_restart(state, experiment)

    def _maybe_restart(self, state: State, experiment: int) -> str:
        r = state["restarts"]
        if r["stuck"] < self.patience:
            return ""
        r["stuck"] = 0
        r["count"] += 1
        here = state["walk"]["commit"]
        others = [a for a in r["archive"] if a["commit"] not in (here, state["best"]["commit"])]
        if r["count"] % 2 == 1 and others:
            pick = self.rng(state, experiment, "restart").choice(others)
            state["walk"] = dict(pick)
            r["step"] = 1.0
            return f"plateau: restart from archive member {pick['commit'][:12]}"
        best = state["best"]
        state["walk"] = {"commit": best["commit"], "score": best["score"]}
        r["step"] = min(self.max_step, float(r["step"]) * 2)
        return f"plateau: restart from the best with step {r['step']:g}"
