"""Datasette metadata for a ledger: what each table and column means, and a few canned queries.

The ledger's tables (`runs`, `experiments`, `attempts`, `migrations`) already have plain names and
declared SQLite types; this adds the words. `write_report` writes it beside the report as
`datasette-metadata.json`, for `datasette ledger.db --metadata datasette-metadata.json`.
"""

from __future__ import annotations

from typing import TypedDict


class Query(TypedDict):
    title: str
    sql: str


TABLES: dict[str, tuple[str, dict[str, str]]] = {
    "runs": (
        "One row per `agentos run`: the task, the baseline commit and how it ended.",
        {
            "run_id": "The run's id (also the branch agentos/<run_id>).",
            "task": "The task name from agentos.toml.",
            "repo": "The repository the run worked on.",
            "baseline": "The commit the run started from (git SHA-1).",
            "strategy": "The search strategy.",
            "seed": "The strategy's seed.",
            "provider": "Who proposed candidates: heuristic, anthropic, ...",
            "config": "JSON: the agentos.toml text and the command-line overrides.",
            "started_at": "When the run started (ISO 8601, UTC).",
            "finished_at": "When the run finished (ISO 8601, UTC); empty while running or after a "
            "crash.",
            "stop_reason": "Why it stopped: budget, patience, target, a human's stop.",
        },
    ),
    "experiments": (
        "One terminal row per experiment attempt, append-only and hash-chained "
        "(`agentos ledger verify` recomputes the chain).",
        {
            "seq": "Position in the ledger (1, 2, ...), across runs.",
            "run_id": "The run this row belongs to (links to `runs`).",
            "id": "Experiment number in the run; 0 is the baseline.",
            "attempt": "Attempt number (a retry after a crash gets the next one).",
            "kind": "baseline, experiment, remeasure or canary.",
            "parent": "The commit the candidate was built on.",
            "commit": "The candidate commit (its diff is `git diff parent commit`).",
            "description": "The proposer's one-line description of the change.",
            "diff_summary": "Files changed and lines added/removed.",
            "status": "keep, discard, crash, timeout, oom, invalid or rejected.",
            "metric": "The measured metric (mean of the samples); empty on failure.",
            "reason": "Why this status, in one line.",
            "findings": "JSON: gate findings (tool, path, line, code, message).",
            "review": "JSON: the reviewer's rubric checks.",
            "timings": "JSON: seconds spent per phase (snapshot, hash, evaluate).",
            "tree_before": "sha256 of the snapshot tree before the run.",
            "tree_after": "sha256 of the snapshot tree after the run (differs: drift).",
            "tokens_in": "Model input tokens spent on the proposal.",
            "tokens_out": "Model output tokens spent on the proposal.",
            "cost_usd": "Model cost of the proposal in US dollars.",
            "samples": "JSON: every measurement of the metric (higher-is-better scores).",
            "details": "JSON: the evaluator's secondary figures (e.g. per-slice train accuracy).",
            "holdout": "JSON: held-out figures; they only veto a keep, never reach the proposer.",
            "created_at": "When the row was written (ISO 8601, UTC).",
            "prev_hash": "The previous row's hash (the chain).",
            "hash": "sha256 over the canonical JSON of this row's columns that are set.",
        },
    ),
    "attempts": (
        "One row per attempt started, written before its process runs. An attempt with no "
        "matching experiments row was killed mid-experiment.",
        {
            "run_id": "The run (links to `runs`).",
            "id": "Experiment number.",
            "attempt": "Attempt number.",
            "token": "A random token naming the attempt.",
            "pid": "The orchestrator's process id.",
            "started_at": "When the attempt started (ISO 8601, UTC).",
        },
    ),
    "migrations": (
        "Named schema migrations applied to this ledger.",
        {
            "name": "Migration name.",
            "applied_at": "When it was applied (ISO 8601, UTC).",
            "note": "JSON: what a migration that re-chained the rows recorded (rows, the "
            "head hash before and after).",
        },
    ),
}

QUERIES: dict[str, Query] = {
    "kept": {
        "title": "Kept changes, in order",
        "sql": 'select run_id, id, metric, description, "commit" from experiments '
        "where status = 'keep' and kind != 'baseline' order by seq",
    },
    "statuses": {
        "title": "Experiments per status and run",
        "sql": "select run_id, status, count(*) as n from experiments "
        "where kind != 'baseline' group by run_id, status order by run_id, n desc",
    },
    "killed": {
        "title": "Attempts killed mid-experiment (no terminal row)",
        "sql": "select a.* from attempts a left join experiments e on e.run_id = a.run_id "
        "and e.id = a.id and e.attempt = a.attempt where e.seq is null",
    },
    "drift": {
        "title": "Rows whose tree changed during the run",
        "sql": "select run_id, id, status, reason, tree_before, tree_after from experiments "
        "where tree_before != '' and tree_after != '' and tree_before != tree_after",
    },
}


def datasette_metadata(database: str = "ledger") -> dict[str, object]:
    """Datasette metadata for a ledger file whose stem is `database`."""
    return {
        "title": "agentos ledger",
        "description": "Every experiment agentos ran: statuses, metrics, reasons and hashes.",
        "databases": {
            database: {
                "tables": {
                    name: {"description": text, "columns": columns}
                    for name, (text, columns) in TABLES.items()
                },
                "queries": dict(QUERIES),
            }
        },
    }
