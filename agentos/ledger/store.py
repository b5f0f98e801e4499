"""The ledger store: SQLite through sqlite-utils, WAL, named migrations, rows hash-chained.

Every experiment row carries `prev_hash` and `hash` (sha256 over its canonical JSON), so an edit in
place breaks the chain. A high-water mark (row count and last hash) is kept in a file beside the
database, so truncation or a replaced file is caught at start. A damaged ledger is refused, never
re-created: the error says how to recover.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, TypedDict

import sqlite_utils

from agentos.errors import IntegrityError

SCHEMA_VERSION = 1
_HWM_SIZE = 256  # within one disk sector
GENESIS = "sha256:" + "0" * 64


class Row(TypedDict, total=False):
    """One experiment attempt. `kind` is baseline, experiment, remeasure or canary."""

    seq: int
    run_id: str
    id: int
    attempt: int
    kind: str
    parent: str
    commit: str
    description: str
    diff_summary: str
    status: str
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
    created_at: float
    prev_hash: str
    hash: str


_COLUMNS: dict[str, type] = {
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
}
# Columns added by later migrations. They are hashed only when set, so that rows written before
# the migration still verify.
_LATER: dict[str, type] = {"details": str, "holdout": str}


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
    db.table("experiments").create(_COLUMNS, pk="seq", not_null={"run_id", "status", "hash"})
    db.table("experiments").create_index(["run_id", "id", "attempt"], unique=True)
    db.table("attempts").create(
        {"run_id": str, "id": int, "attempt": int, "token": str, "pid": int, "started_at": float},
        pk=("run_id", "id", "attempt"),
    )


def _m002_details_holdout(db: sqlite_utils.Database) -> None:
    """The evaluator's secondary figures and held-out figures, JSON, per experiment row."""
    for column, kind in _LATER.items():
        db.table("experiments").add_column(column, kind)


def _m003_foreign_keys(db: sqlite_utils.Database) -> None:
    """`experiments.run_id` and `attempts.run_id` reference `runs.run_id`, declared so that
    Datasette links them. The tables are rebuilt with every row and value as it was, so the hash
    chain still verifies."""
    for table in ("experiments", "attempts"):
        db.table(table).add_foreign_key("run_id", "runs", "run_id", ignore=True)


MIGRATIONS: list[tuple[str, Callable[[sqlite_utils.Database], None]]] = [
    ("m001_initial", _m001_initial),
    ("m002_details_holdout", _m002_details_holdout),
    ("m003_foreign_keys", _m003_foreign_keys),
]


def row_hash(row: Row) -> str:
    """sha256 over the canonical JSON of every column but `hash`."""
    body: dict[str, object] = {k: row.get(k) for k in sorted(_COLUMNS) if k != "hash"}
    body.update({k: row.get(k) for k in _LATER if row.get(k) is not None})
    blob = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(blob.encode()).hexdigest()


class Ledger:
    """The ledger of one repository, at `<state_dir>/ledger.db`."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.hwm_path = self.path.with_suffix(".hwm")
        self._lock = threading.RLock()  # one connection, shared by the graphs of one process
        fresh = not self.path.exists()
        if fresh and self.hwm_path.exists():
            raise self._damaged("the ledger file is missing but its high-water mark exists")
        if not fresh and self.path.stat().st_size == 0:
            raise self._damaged("the ledger file is empty (zero bytes)")
        try:
            if fresh:
                fresh = self._create()
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            self.db = sqlite_utils.Database(conn)
            self._migrate(False)
            if fresh:
                self._write_hwm(0, GENESIS)
            problems = self.verify()
        except sqlite3.DatabaseError as exc:
            raise self._damaged(f"SQLite cannot read it ({exc})") from exc
        if problems:
            raise self._damaged(problems[0])

    def _create(self) -> bool:
        """Build a new ledger beside its place and link it in whole: a crash never leaves a
        half-made (say, zero-byte) ledger.db, which would be refused as damaged. False when
        another process created it first."""
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.new")
        tmp.unlink(missing_ok=True)
        conn = sqlite3.connect(tmp, isolation_level=None)
        try:
            self.db = sqlite_utils.Database(conn)
            self._migrate(True)
            self.db.enable_wal()
        finally:
            conn.close()
        try:
            os.link(tmp, self.path)
            return True
        except FileExistsError:
            return False
        finally:
            tmp.unlink()

    def _damaged(self, why: str) -> IntegrityError:
        return IntegrityError(
            f"ledger refused: {why}",
            path=self.path,
            fix="restore ledger.db from a backup (`VACUUM INTO` copy) or move the .agentos "
            "folder away to start over; agentos never re-creates a damaged ledger",
        )

    def _migrate(self, fresh: bool) -> None:
        if fresh:
            self.db.table("migrations").create({"name": str, "applied_at": float}, pk="name")
        elif "migrations" not in self.db.table_names():
            raise self._damaged("it has no migrations table (not an agentos ledger)")
        done = {r["name"] for r in self.db.table("migrations").rows}
        known = {name for name, _ in MIGRATIONS}
        if done - known:
            raise self._damaged(f"it was written by a newer agentos ({sorted(done - known)[0]})")
        for name, migrate in MIGRATIONS:
            if name not in done:
                with self.db.conn:
                    migrate(self.db)
                    self.db.table("migrations").insert({"name": name, "applied_at": time.time()})

    # -- runs ---------------------------------------------------------------------------------

    def start_run(self, run_id: str, **fields: Any) -> None:
        with self._lock:
            if self.db.table("runs").count_where("run_id = ?", [run_id]) == 0:
                self.db.table("runs").insert(
                    {"run_id": run_id, "started_at": time.time(), **fields}
                )

    def finish_run(self, run_id: str, stop_reason: str) -> None:
        with self._lock:
            self.db.table("runs").update(
                run_id, {"finished_at": time.time(), "stop_reason": stop_reason}
            )

    def run(self, run_id: str) -> dict[str, Any] | None:
        with self._lock:
            rows = list(self.db.table("runs").rows_where("run_id = ?", [run_id]))
            return rows[0] if rows else None

    def latest_run(self) -> str | None:
        with self._lock:
            rows = list(self.db.table("runs").rows_where(order_by="started_at desc", limit=1))
            return str(rows[0]["run_id"]) if rows else None

    # -- attempts -------------------------------------------------------------------------------

    def begin_attempt(self, run_id: str, exp_id: int, token: str) -> int:
        """Mark an attempt as started (before its process runs) and return its number."""
        with self._lock:
            prior = self.db.execute(
                "select max(attempt) from attempts where run_id = ? and id = ?", [run_id, exp_id]
            ).fetchone()[0]
            attempt = (prior or 0) + 1
            self._insert(
                "attempts",
                {
                    "run_id": run_id,
                    "id": exp_id,
                    "attempt": attempt,
                    "token": token,
                    "pid": os.getpid(),
                    "started_at": time.time(),
                },
            )
            return attempt

    def _insert(self, table: str, row: Mapping[str, Any]) -> None:
        """One row by plain SQL (these are the per-experiment writes: no schema look-ups)."""
        columns = ", ".join(f"[{c}]" for c in row)
        marks = ", ".join("?" for _ in row)
        self.db.execute(f"insert into [{table}] ({columns}) values ({marks})", list(row.values()))

    def open_attempts(self, run_id: str) -> list[dict[str, Any]]:
        """Attempts started but never given a terminal row (the orchestrator died during them)."""
        with self._lock:
            return list(
                self.db.query(
                    "select a.* from attempts a left join experiments e "
                    "on e.run_id = a.run_id and e.id = a.id and e.attempt = a.attempt "
                    "where a.run_id = ? and e.seq is null",
                    [run_id],
                )
            )

    # -- experiments ----------------------------------------------------------------------------

    def find(self, run_id: str, exp_id: int, attempt: int | None = None) -> Row | None:
        with self._lock:
            where, args = "run_id = ? and id = ?", [run_id, exp_id]
            if attempt is not None:
                where += " and attempt = ?"
                args.append(attempt)
            cursor = self.db.execute(
                f"select * from experiments where {where} order by seq desc limit 1", args
            )
            found = cursor.fetchone()
            if found is None:
                return None
            names = [d[0] for d in cursor.description]
            return Row(**dict(zip(names, found, strict=True)))  # type: ignore[typeddict-item]

    def record(self, row: Row) -> Row:
        """Append one terminal row, chained to the last, then advance the high-water mark."""
        with self._lock, self.db.conn:
            last = self.db.execute(
                "select seq, hash from experiments order by seq desc limit 1"
            ).fetchone()
            full: Row = {}
            later = [k for k in _LATER if row.get(k) is not None]
            for key in (*_COLUMNS, *later):
                if key not in ("seq", "hash"):
                    full[key] = row.get(key)  # type: ignore[literal-required]
            full["seq"] = (last[0] if last else 0) + 1
            full["prev_hash"] = last[1] if last else GENESIS
            if full.get("created_at") is None:
                full["created_at"] = time.time()
            full["hash"] = row_hash(full)
            self._insert("experiments", full)
            self._write_hwm(full["seq"], full["hash"])
        return full

    def rows(self, run_id: str | None = None) -> Iterator[Row]:
        where, args = ("run_id = ?", [run_id]) if run_id else (None, [])
        for r in self.db.table("experiments").rows_where(where, args, order_by="seq"):
            yield Row(**r)  # type: ignore[typeddict-item]

    # -- integrity ------------------------------------------------------------------------------

    def verify(self) -> list[str]:
        """Recompute the chain and compare with the high-water mark; return the problems found."""
        problems: list[str] = []
        prev, count, last = GENESIS, 0, GENESIS
        for row in self.rows():
            count += 1
            if row["seq"] != count:
                problems.append(f"row {count}: sequence number {row['seq']} out of order")
            if row["prev_hash"] != prev:
                problems.append(f"row {row['seq']}: chain broken (prev_hash does not match)")
            if row_hash(row) != row["hash"]:
                problems.append(f"row {row['seq']}: contents edited (hash does not match)")
            prev = last = row["hash"]
        mark = self._read_hwm()
        if mark is not None:
            rows, mark_hash = mark
            if count < rows:
                problems.append(f"truncated: {count} rows, the high-water mark says {rows}")
            elif rows and self.db.execute(
                "select hash from experiments where seq = ?", [rows]
            ).fetchone() != (mark_hash,):
                problems.append("row at the high-water mark differs from the one recorded")
        elif count:
            problems.append("the high-water mark file is missing")
        if not problems and count and (mark is None or mark[0] != count):
            self._write_hwm(count, last)
        return problems

    def _read_hwm(self) -> tuple[int, str] | None:
        try:
            data = json.loads(self.hwm_path.read_text())
            return int(data["rows"]), str(data["last_hash"])
        except FileNotFoundError:
            return None
        except (ValueError, KeyError, TypeError) as exc:
            raise self._damaged(f"the high-water mark file is unreadable ({exc})") from exc

    def _write_hwm(self, rows: int, last_hash: str) -> None:
        """Record the mark durably. It is padded to `_HWM_SIZE` bytes: once the file exists at
        that size, each mark overwrites it in place and `fdatasync`s it (one sector, written
        whole or not at all), so a row costs no rename and no journal commit. A missing file, or
        one of another size, is replaced by a fully written one (write, fsync, rename)."""
        data = json.dumps({"rows": rows, "last_hash": last_hash}).encode()
        data = data.ljust(_HWM_SIZE - 1) + b"\n"
        try:
            fd = os.open(self.hwm_path, os.O_WRONLY)
        except FileNotFoundError:
            fd = -1
        if fd >= 0:
            try:
                if os.fstat(fd).st_size == _HWM_SIZE:
                    os.pwrite(fd, data, 0)
                    os.fdatasync(fd)
                    return
            finally:
                os.close(fd)
        tmp = self.hwm_path.with_suffix(".hwm.tmp")
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.hwm_path)

    def backup(self, dest: Path) -> None:
        """A consistent copy including what the WAL holds (a plain file copy would lose it)."""
        self.db.execute("VACUUM INTO ?", [str(dest)])

    def close(self) -> None:
        self.db.conn.close()
