"""The strategy contract: where to propose from, and whether to accept what came back.

A strategy is deterministic given its state and seed. Its state is a JSON-shaped dict kept in the
graph state, so a resumed run continues exactly where it stopped. Scores are oriented so that
higher is better (`score = metric` for max, `-metric` for min).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from agentos.errors import UserError

Verdict = Literal["keep", "discard", "remeasure"]


@dataclass(frozen=True)
class Choice:
    """Where the next proposal starts from and how far it may step, and the metric's noise: the
    standard deviation the strategy measured (0 when it measured none), which the proposer may
    use to size its moves (`ProposeRequest.noise`)."""

    parent: str
    step: float = 1.0
    noise: float = 0.0


@dataclass(frozen=True)
class Decision:
    """`keep` moves the best; `incumbent` is where the walk continues (it may differ from best).

    `remeasure` asks the loop to run the candidate and the incumbent once more, paired, and to call
    `decide` again with the longer list of scores (noise-aware acceptance). The loop counts every
    re-run against the budget and records it in the ledger.

    `pair` names the commit to re-measure beside the candidate on `remeasure` (the one the candidate
    must beat: the best, for every built-in strategy); None means the incumbent. `alone` asks for
    the candidate's run only: the pair has more runs already, so `decide` is called again with the
    same re-measured scores of the pair as before.
    """

    verdict: Verdict
    reason: str
    incumbent: str
    state: dict[str, Any]
    pair: str | None = None
    alone: bool = False

    @property
    def pass_runs(self) -> int:
        """The runs one re-measure pass costs: the candidate's, and its pair's unless `alone`."""
        return 1 if self.alone else 2


class Strategy(Protocol):
    name: str

    def start(
        self, baseline_commit: str, baseline_scores: Sequence[float], seed: int
    ) -> dict[str, Any]:
        """Begin from the baseline; several scores of the same commit estimate the noise."""
        ...

    def choose(self, state: dict[str, Any], experiment: int) -> Choice: ...

    def decide(
        self,
        state: dict[str, Any],
        experiment: int,
        commit: str,
        scores: Sequence[float],
        incumbent_scores: Sequence[float] = (),
        *,
        details: Mapping[str, float] | None = None,
        descriptor: str = "",
    ) -> Decision:
        """Judge a candidate from its scores (one, or several after `remeasure`), paired with the
        re-measured scores of `Decision.pair` (or the incumbent) when there are any. The new
        state is `Decision.state`; `state` itself is left untouched (after a veto the graph hands
        the same state to `fail`).

        Optional: `details` are the evaluator's secondary figures, oriented higher-is-better (the
        `pareto` strategy uses them as objectives); `descriptor` says what changed (the candidate's
        description; `islands` uses it to keep populations diverse). Strategies that do not use
        them ignore them.
        """
        ...

    def fail(self, state: dict[str, Any], experiment: int) -> dict[str, Any]:
        """Record an experiment that produced no score (crash, invalid, rejected, vetoed); return
        the new state, leaving `state` untouched."""
        ...


_STRATEGIES: dict[str, type[Any]] = {}


def register_strategy(cls: type[Any]) -> type[Any]:
    _STRATEGIES[cls.name] = cls
    return cls


def get_strategy(name: str) -> Strategy:
    from agentos import strategies  # noqa: F401  (registers the built-ins)

    cls = _STRATEGIES.get(name)
    if cls is None:
        raise UserError(f"unknown strategy {name!r}", fix=f"choose one of {sorted(_STRATEGIES)}")
    strategy: Strategy = cls()
    return strategy


def strategy_names() -> list[str]:
    from agentos import strategies  # noqa: F401

    return sorted(_STRATEGIES)
