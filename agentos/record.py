"""Writing ledger rows from the graph, idempotently: a node re-run after a crash finds its row."""

from __future__ import annotations

import json
from typing import Any

from agentos.ledger import Row
from agentos.runtime import Runtime
from agentos.task import Task

_JSON_FIELDS = ("findings", "review", "timings", "samples", "details", "holdout")


def score_of(task: Task, metric: float) -> float:
    """Orient a metric so that higher is better."""
    return metric if task.metric.goal == "max" else -metric


def record(rt: Runtime, fields: dict[str, Any]) -> Row:
    """Append the terminal row of (run, id, attempt) unless it is already there."""
    existing = rt.ledger.find(rt.run_id, int(fields["id"]), int(fields.get("attempt", 1)))
    if existing is not None:
        return existing
    row: dict[str, Any] = {
        "run_id": rt.run_id,
        "attempt": 1,
        "kind": "experiment",
        "parent": "",
        "commit": "",
        "description": "",
        "diff_summary": "",
        "reason": "",
        "tree_before": "",
        "tree_after": "",
        "tokens_in": 0,
        "tokens_out": 0,
        "cost_usd": 0.0,
        **fields,
    }
    for key in ("details", "holdout"):  # columns of a later migration: absent rather than null
        if not row.get(key):
            row.pop(key, None)
    for key in _JSON_FIELDS:
        if key not in row and key in ("details", "holdout"):
            continue
        value = row.get(key)
        row[key] = json.dumps(value if value is not None else None, sort_keys=True, default=str)
    return rt.ledger.record(Row(**row))  # type: ignore[typeddict-item]
