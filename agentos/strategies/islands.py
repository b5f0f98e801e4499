"""`islands`: several populations evolving apart, with migration that keeps them diverse.

Experiment `e` belongs to island `e % N`; each island walks greedily from its own incumbent with
its own step scale (a cautious island, a bold one, ...). Only a new global best is `keep`. Every
`MIGRATE` experiments the best island's incumbent migrates into another island, chosen for being
both poor and redundant: redundancy is the cosine similarity of the islands' descriptors, the
counts of which settings (or words) their accepted changes touched, so a distinct line of search
survives migration even when it scores lower for now.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

from agentos.strategies.base import Choice, register_strategy
from agentos.strategies.common import Measured, State, StrategyBase


def descriptor_terms(descriptor: str) -> list[str]:
    """What changed, as terms: the first word of each comma-separated part ("lr 0.1 -> 0.2")."""
    return [part.split()[0] for part in descriptor.split(",") if part.split()]


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    dot = sum(v * b.get(k, 0.0) for k, v in a.items())
    na = math.sqrt(sum(v * v for v in a.values()))
    nb = math.sqrt(sum(v * v for v in b.values()))
    return dot / (na * nb) if na and nb else 0.0


@register_strategy
class Islands(StrategyBase):
    name = "islands"
    steps: ClassVar[tuple[float, ...]] = (0.5, 1.0, 2.0, 1.0)
    migrate: ClassVar[int] = 12

    def init(self, state: State) -> None:
        best = state["best"]
        state["islands"] = [
            {"commit": best["commit"], "score": best["score"], "profile": {}} for _ in self.steps
        ]

    def choose(self, state: dict[str, Any], experiment: int) -> Choice:
        i = experiment % len(state["islands"])
        step = self.steps[i % len(self.steps)]
        return Choice(state["islands"][i]["commit"], step, state["noise"])

    def after(self, state: State, m: Measured) -> str:
        islands = state["islands"]
        i = m.experiment % len(islands)
        isl = islands[i]
        note = ""
        if m.kept or m.score > isl["score"]:
            isl["commit"], isl["score"] = m.commit, m.score
            for term in descriptor_terms(m.descriptor):
                isl["profile"][term] = isl["profile"].get(term, 0.0) + 1.0
            note = "" if m.kept else f"island {i} moves on (not a new best)"
        state["walk"] = {"commit": isl["commit"], "score": isl["score"]}
        return self._migrate(state, m.experiment, note)

    def failed(self, state: State, experiment: int) -> None:
        self._migrate(state, experiment, "")

    def _migrate(self, state: State, experiment: int, note: str) -> str:
        islands = state["islands"]
        if experiment == 0 or experiment % self.migrate != 0:
            return note
        src = max(range(len(islands)), key=lambda j: islands[j]["score"])
        scores = [isl["score"] for isl in islands]
        lo, hi = min(scores), max(scores)

        def unfitness(j: int) -> float:
            fit = (islands[j]["score"] - lo) / (hi - lo) if hi > lo else 0.5
            return cosine(islands[src]["profile"], islands[j]["profile"]) - fit

        dst = max((j for j in range(len(islands)) if j != src), key=unfitness)
        islands[dst] = {
            "commit": islands[src]["commit"],
            "score": islands[src]["score"],
            "profile": dict(islands[src]["profile"]),
        }
        moved = f"migration: island {src} -> island {dst}"
        return f"{note}; {moved}" if note else moved
