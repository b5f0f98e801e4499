"""The stop rules, in one place: the router after `decide` asks them whether to go on, and
`finish` asks them for the run's stop reason."""

from __future__ import annotations

import time

from agentos import memory
from agentos.runtime import Runtime
from agentos.state import LoopState


def stop_reason(rt: Runtime, state: LoopState) -> str | None:
    """The first stop rule that holds, as a message, or None to go on."""
    if state.get("stop"):
        return state["stop"]
    budget = rt.task.budget
    if budget_spent(rt, state):
        return f"budget: {_count(budget.experiments)}"
    if budget.wall_time and time.time() - state.get("started_at", time.time()) >= budget.wall_time:
        return f"budget: {budget.wall_time:g} s wall time"
    if budget.patience and since_keep(state) >= budget.patience:
        return f"patience: no gain in {_count(budget.patience)}"
    best = state.get("best", {}).get("metric")
    if (
        budget.target is not None
        and best is not None
        and (best >= budget.target if rt.task.metric.goal == "max" else best <= budget.target)
    ):
        return f"target reached: {best:g}"
    if budget.tokens and state.get("tokens", 0) >= budget.tokens:
        return f"budget: {budget.tokens} tokens"
    if budget.dollars is not None and state.get("cost_usd", 0.0) >= budget.dollars:
        return f"budget: ${budget.dollars:g}"
    return None


def budget_spent(rt: Runtime, state: LoopState) -> bool:
    """Whether the experiment budget is spent: every experiment started counts, re-runs too."""
    return started(state) + state.get("extra_runs", 0) >= rt.task.budget.experiments


def started(state: LoopState) -> int:
    """How many experiments the run started: proposed, decided or in flight (with workers, an
    experiment counts against the budget from the moment it is proposed)."""
    return max(state.get("experiment", 0), int(state.get("proposed", 0)))


def since_keep(state: LoopState) -> int:
    return memory.since_keep(state.get("history", []))


def _count(n: int) -> str:
    return f"{n} experiment" if n == 1 else f"{n} experiments"
