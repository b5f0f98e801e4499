"""The graph state: one TypedDict, JSON-shaped values only, partial updates from nodes.

Everything here survives a checkpoint round trip (plain dicts, lists, str, int, float, bool, None).
Providers, the sandbox, the ledger and the task are not state: they travel in
`agentos.runtime.Runtime`.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Annotated, Any, Literal, NotRequired

from typing_extensions import TypedDict

Status = Literal["keep", "discard", "crash", "timeout", "oom", "invalid", "rejected"]
STATUSES: tuple[Status, ...] = ("keep", "discard", "crash", "timeout", "oom", "invalid", "rejected")


class _PointBase(TypedDict):
    commit: str
    metric: float | None


class Point(_PointBase, total=False):
    """A measured commit, with the evaluator's details (shown to the proposer) and held-out figures
    (used only to veto)."""

    details: dict[str, float]
    holdout: dict[str, float]


class Edit(TypedDict):
    """A search-and-replace block on one file."""

    path: str
    search: str
    replace: str


class Candidate(TypedDict, total=False):
    """What the proposer returned, then what the loop made of it."""

    parent: str
    description: str
    edits: list[Edit]
    components: dict[str, str]
    commit: str
    changed: list[str]
    diff: str
    summary: str
    tokens_in: int
    tokens_out: int
    cost_usd: float
    error: str


class Finding(TypedDict):
    tool: str
    path: str
    line: int
    code: str
    message: str


class GateReport(TypedDict):
    """The summary of every gate and signal run on one candidate."""

    passed: bool
    results: list[dict[str, object]]
    findings: list[Finding]


class Outcome(TypedDict, total=False):
    """What a node decided about the current experiment before `decide` records it."""

    status: Status
    metric: float | None
    reason: str
    exit_code: int | None
    duration: float
    tree_before: str
    tree_after: str
    log_tail: str
    attempt: int
    timings: dict[str, float]
    details: dict[str, float]
    holdout: dict[str, float]


def collect_results(
    old: list[dict[str, object]] | None, new: list[dict[str, object]] | None
) -> list[dict[str, object]]:
    """Reducer for tool results written by parallel `Send` branches; `None` starts afresh."""
    if new is None:
        return []
    return [*(old or []), *new]


class HistoryItem(TypedDict):
    id: int
    parent: str
    commit: str
    status: Status
    metric: float | None
    description: str
    reason: str
    vetoed: NotRequired[bool]  # the evaluator's veto discarded it: its reason quotes held-out data
    diff: NotRequired[str]  # not kept: its diff, cut (`agentos.memory.kept_diff`), for the memory


class LoopState(TypedDict, total=False):
    """The state of one run. `run_id`, `baseline_commit` and `settings` name the run (written
    once, by the `start` node): a checkpoint carries them, so whichever process resumes it
    continues that run, its ledger rows and its refs `refs/agentos/<run_id>/...`."""

    run_id: str
    baseline_commit: str
    settings: dict[str, object]
    experiment: int
    baseline: Point
    best: Point
    incumbent: Point
    candidate: Candidate
    gates: GateReport
    tool_results: Annotated[list[dict[str, object]], collect_results]
    gate_stage: int
    review: dict[str, object]
    outcome: Outcome
    scores: dict[str, list[float]]
    remeasure: bool
    pair: str | None
    alone: bool
    evaluations: int
    extra_runs: int
    history: Annotated[list[HistoryItem], operator.add]
    feedback: list[str]
    strategy: dict[str, object]
    tokens: int
    cost_usd: float
    started_at: float
    stop: str | None
    direction: str | None
    inflight: list[dict[str, Any]]  # with workers: the experiments submitted, not yet decided
    proposed: int  # with workers: the number of the last experiment proposed
    queued: list[dict[str, Any]]  # with workers: proposals of a batch call not used yet


class LoopUpdate(LoopState, total=False):
    """What a node returns: any subset of the state's keys (LangGraph merges it in)."""


Node = Callable[[LoopState], LoopUpdate]
"""The node contract: every node factory `make_X(rt)` returns one."""
