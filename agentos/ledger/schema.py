"""The ledger's schema as it stands today, declared once.

`Row` is the `experiments` table (its keys are the columns `Ledger.record` writes), `RunInfo` the
`runs` table, `Attempt` the `attempts` table. The tables themselves are made by the migrations in
`agentos.ledger.migrations`, which are frozen: each spells out its own columns, so a change here
never changes how an existing ledger was built, nor the hashes of its rows.

Times are ISO 8601 text in UTC (`agentos.ledger.times`).
"""

from __future__ import annotations

from typing import Literal, TypedDict

from agentos.state import STATUSES, Status

Kind = Literal["baseline", "experiment", "remeasure", "canary"]
KINDS: tuple[Kind, ...] = ("baseline", "experiment", "remeasure", "canary")
MEASURED: tuple[Kind, ...] = ("experiment", "remeasure")
"""The kinds that count as experiments: not the baseline, not a canary (an integrity check)."""


class Row(TypedDict, total=False):
    """One terminal row of an experiment attempt (`experiments` table)."""

    seq: int
    run_id: str
    id: int
    attempt: int
    kind: Kind
    parent: str
    commit: str
    description: str
    diff_summary: str
    status: Status
    metric: float | None
    reason: str
    findings: str
    review: str
    timings: str
    tree_before: str
    tree_after: str
    tokens_in: int
    tokens_out: int
    cost_usd: float
    samples: str
    details: str
    holdout: str
    created_at: str
    prev_hash: str
    hash: str


class RunInfo(TypedDict, total=False):
    """One run (`runs` table)."""

    run_id: str
    task: str
    repo: str
    baseline: str
    strategy: str
    seed: int | None
    provider: str
    config: str
    started_at: str
    finished_at: str | None
    stop_reason: str | None


class Attempt(TypedDict):
    """One attempt started (`attempts` table), written before its process runs."""

    run_id: str
    id: int
    attempt: int
    token: str
    pid: int
    started_at: str


COLUMNS: tuple[str, ...] = tuple(Row.__annotations__)
"""The `experiments` columns, in `Row`'s order."""

__all__ = [
    "COLUMNS",
    "KINDS",
    "MEASURED",
    "STATUSES",
    "Attempt",
    "Kind",
    "Row",
    "RunInfo",
    "Status",
]
