"""The ledger's migrations, frozen: each spells out its own tables and columns and never reads the
live schema (`agentos.ledger.schema`), so editing that module changes neither how an existing
ledger was built nor what its rows' hashes cover. A migration, once released, is never edited;
a change to the schema is a new migration here.

m004 moves every time from Unix-time floats to ISO 8601 text. A row's hash covers its
`created_at`, so the rows are re-chained, honestly: the chain is first verified as it was written
(with the hash of that time, `_row_hash_v1`, kept here), refused if broken, and the old head is
recorded in the migration's `note` with the new one, so a high-water mark or backup taken before
the migration is still tied to the ledger after it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from typing import Any, TypedDict

import sqlite_utils

from agentos.ledger import times

GENESIS = "sha256:" + "0" * 64


class ChainBroken(Exception):
    """The chain did not verify before a migration that re-chains it: nothing was changed."""


def canonical_hash(body: Mapping[str, object]) -> str:
    blob = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(blob.encode()).hexdigest()


def row_hash(row: Mapping[str, Any]) -> str:
    """The hash of rows since m004: every column set (not null) but `hash`. It names no column,
    so a column added later is covered where it is set and older rows still verify."""
    return canonical_hash({k: v for k, v in row.items() if k != "hash" and v is not None})


def create_migrations_table(db: sqlite_utils.Database) -> None:
    """The table every ledger starts with, before any migration: which ones were applied."""
    db.table("migrations").create({"name": str, "applied_at": float}, pk="name")


def _m001_initial(db: sqlite_utils.Database) -> None:
    db.table("runs").create(
        {
            "run_id": str,
            "task": str,
            "repo": str,
            "baseline": str,
            "strategy": str,
            "seed": int,
            "provider": str,
            "config": str,
            "started_at": float,
            "finished_at": float,
            "stop_reason": str,
        },
        pk="run_id",
    )
    db.table("experiments").create(
        {
            "seq": int,
            "run_id": str,
            "id": int,
            "attempt": int,
            "kind": str,
            "parent": str,
            "commit": str,
            "description": str,
            "diff_summary": str,
            "status": str,
            "metric": float,
            "reason": str,
            "findings": str,
            "review": str,
            "timings": str,
            "tree_before": str,
            "tree_after": str,
            "tokens_in": int,
            "tokens_out": int,
            "cost_usd": float,
            "created_at": float,
            "samples": str,
            "prev_hash": str,
            "hash": str,
        },
        pk="seq",
        not_null={"run_id", "status", "hash"},
    )
    db.table("experiments").create_index(["run_id", "id", "attempt"], unique=True)
    db.table("attempts").create(
        {"run_id": str, "id": int, "attempt": int, "token": str, "pid": int, "started_at": float},
        pk=("run_id", "id", "attempt"),
    )


def _m002_details_holdout(db: sqlite_utils.Database) -> None:
    """The evaluator's secondary figures and held-out figures, JSON, per experiment row."""
    db.table("experiments").add_column("details", str)
    db.table("experiments").add_column("holdout", str)


def _m003_foreign_keys(db: sqlite_utils.Database) -> None:
    """`experiments.run_id` and `attempts.run_id` reference `runs.run_id`, declared so that
    Datasette links them. The tables are rebuilt with every row and value as it was, so the hash
    chain still verifies."""
    for table in ("experiments", "attempts"):
        db.table(table).add_foreign_key("run_id", "runs", "run_id", ignore=True)


# The columns m001 made: a row written before m004 hashed each of them (null included), and
# `details` and `holdout` only where set.
_V1_ALWAYS = [
    "seq",
    "run_id",
    "id",
    "attempt",
    "kind",
    "parent",
    "commit",
    "description",
    "diff_summary",
    "status",
    "metric",
    "reason",
    "findings",
    "review",
    "timings",
    "tree_before",
    "tree_after",
    "tokens_in",
    "tokens_out",
    "cost_usd",
    "created_at",
    "samples",
    "prev_hash",
]
_V1_WHEN_SET = ("details", "holdout")


def _row_hash_v1(row: Mapping[str, Any]) -> str:
    body: dict[str, object] = {k: row.get(k) for k in _V1_ALWAYS}
    body.update({k: row[k] for k in _V1_WHEN_SET if row.get(k) is not None})
    return canonical_hash(body)


class Rechained(TypedDict):
    """What a migration that re-chained the rows records in its `migrations.note` (JSON): the
    row count, and the head hash before and after."""

    rows: int
    before: str
    after: str


Note = Rechained | None


def _m004_iso_times(db: sqlite_utils.Database) -> Note:
    """Every time becomes ISO 8601 text in UTC; the experiments are re-chained (see above)."""
    rows = list(db.query("select * from experiments order by seq"))
    prev = GENESIS
    for row in rows:
        if row["prev_hash"] != prev or _row_hash_v1(row) != row["hash"]:
            raise ChainBroken(f"row {row['seq']} does not verify; nothing was migrated")
        prev = row["hash"]
    old_head = prev
    for table, columns in (
        ("runs", ("started_at", "finished_at")),
        ("attempts", ("started_at",)),
        ("experiments", ("created_at",)),
        ("migrations", ("applied_at",)),
    ):
        for column in columns:  # values first: the rebuild below would make them text as is
            found = db.execute(
                f"select rowid, [{column}] from [{table}] "
                f"where typeof([{column}]) in ('real', 'integer')"
            ).fetchall()
            for rowid, value in found:
                db.execute(
                    f"update [{table}] set [{column}] = ? where rowid = ?",
                    [times.iso(value), rowid],
                )
        db.table(table).transform(types=dict.fromkeys(columns, str))
    db.table("migrations").add_column("note", str)
    prev = GENESIS
    for row in rows:
        if isinstance(row["created_at"], (int, float)):
            row["created_at"] = times.iso(row["created_at"])
        row["prev_hash"] = prev
        row["hash"] = prev = row_hash(row)
        db.execute(
            "update experiments set created_at = ?, prev_hash = ?, hash = ? where seq = ?",
            [row["created_at"], row["prev_hash"], row["hash"], row["seq"]],
        )
    if not rows:
        return None
    return {"rows": len(rows), "before": old_head, "after": prev}


def _unchanged(migrate: Callable[[sqlite_utils.Database], None]) -> Migration:
    def run(db: sqlite_utils.Database) -> Note:
        migrate(db)
        return None

    return run


Migration = Callable[[sqlite_utils.Database], Note]

MIGRATIONS: list[tuple[str, Migration]] = [
    ("m001_initial", _unchanged(_m001_initial)),
    ("m002_details_holdout", _unchanged(_m002_details_holdout)),
    ("m003_foreign_keys", _unchanged(_m003_foreign_keys)),
    ("m004_iso_times", _m004_iso_times),
]
