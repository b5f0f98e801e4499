"""The ledger store: SQLite through sqlite-utils, WAL, named migrations, rows hash-chained.

Every experiment row carries `prev_hash` and `hash` (sha256 over the canonical JSON of its columns
that are set, `migrations.row_hash`), so an edit in place breaks the chain. The schema is declared
in `schema`, the tables are made by the frozen migrations in `migrations`, and times are ISO 8601
text written and read through `times`. A high-water mark (row count and last hash) is kept in a
file beside the database, so truncation or a replaced file is caught at start. A damaged ledger
is refused, never re-created: the error says how to recover.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import sqlite_utils

from agentos.errors import IntegrityError
from agentos.ledger import read, times
from agentos.ledger.migrations import (
    GENESIS,
    MIGRATIONS,
    ChainBroken,
    create_migrations_table,
    row_hash,
)
from agentos.ledger.schema import COLUMNS, Attempt, Row, RunInfo

SCHEMA_VERSION = len(MIGRATIONS)
_HWM_SIZE = 256  # within one disk sector


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
        except ChainBroken as exc:
            raise self._damaged(f"before migrating, {exc}") from exc
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
            create_migrations_table(self.db)
        elif "migrations" not in self.db.table_names():
            raise self._damaged("it has no migrations table (not an agentos ledger)")
        done = {r["name"] for r in self.db.table("migrations").rows}
        known = {name for name, _ in MIGRATIONS}
        if done - known:
            raise self._damaged(f"it was written by a newer agentos ({sorted(done - known)[0]})")
        for name, migrate in MIGRATIONS:
            if name not in done:
                with self.db.atomic():  # all of a migration or none of it
                    note = migrate(self.db)
                    record: dict[str, object] = {"name": name, "applied_at": times.now()}
                    if note is not None:
                        record["note"] = json.dumps(note)
                    self.db.table("migrations").insert(record)
                if note is not None and not fresh:
                    self._write_hwm(note["rows"], note["after"])

    def _migrated_marks(self) -> set[tuple[int, str]]:
        """High-water marks written before a migration that re-chained the rows (a crash may
        have come between its commit and the new mark): each still names this ledger."""
        if "note" not in self.db.table("migrations").columns_dict:
            return set()
        marks = set()
        for (text,) in self.db.execute("select note from migrations where note is not null"):
            note = json.loads(text)
            marks.add((int(note["rows"]), str(note["before"])))
        return marks

    # -- runs ---------------------------------------------------------------------------------

    def start_run(self, run_id: str, **fields: Any) -> None:
        with self._lock:
            if self.db.table("runs").count_where("run_id = ?", [run_id]) == 0:
                self.db.table("runs").insert(
                    {"run_id": run_id, "started_at": times.now(), **fields}
                )

    def finish_run(self, run_id: str, stop_reason: str) -> None:
        with self._lock:
            self.db.table("runs").update(
                run_id, {"finished_at": times.now(), "stop_reason": stop_reason}
            )

    def run(self, run_id: str) -> RunInfo | None:
        with self._lock:
            rows = list(self.db.table("runs").rows_where("run_id = ?", [run_id]))
            return RunInfo(**rows[0]) if rows else None  # type: ignore[typeddict-item]

    def latest_run(self) -> str | None:
        with self._lock:
            return read.latest_run(self.db.conn)

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
                    "started_at": times.now(),
                },
            )
            return attempt

    def _insert(self, table: str, row: Mapping[str, Any]) -> None:
        """One row by plain SQL (these are the per-experiment writes: no schema look-ups)."""
        columns = ", ".join(f"[{c}]" for c in row)
        marks = ", ".join("?" for _ in row)
        self.db.execute(f"insert into [{table}] ({columns}) values ({marks})", list(row.values()))

    def open_attempts(self, run_id: str) -> list[Attempt]:
        """Attempts started but never given a terminal row (the orchestrator died during them)."""
        with self._lock:
            return read.open_attempts(self.db.conn, run_id)

    def read(self, run_id: str | None = None) -> read.RunRecord:
        """Run `run_id` (default: the latest) as `agentos.ledger.read` defines it; a missing run
        is a `UserError`."""
        with self._lock:
            return read.read_run(self.db.conn, run_id, path=self.path)

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
            for key in COLUMNS:
                if key not in ("seq", "hash") and row.get(key) is not None:
                    full[key] = row[key]  # type: ignore[literal-required]
            full["seq"] = (last[0] if last else 0) + 1
            full["prev_hash"] = last[1] if last else GENESIS
            full.setdefault("created_at", times.now())
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
            elif (
                rows
                and self.db.execute("select hash from experiments where seq = ?", [rows]).fetchone()
                != (mark_hash,)
                and (rows, mark_hash) not in self._migrated_marks()
            ):
                problems.append("row at the high-water mark differs from the one recorded")
        elif count:
            problems.append("the high-water mark file is missing")
        if not problems and count and mark != (count, last):
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
