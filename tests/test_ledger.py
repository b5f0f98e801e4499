"""The ledger refuses every kind of damage instead of re-creating itself."""

from __future__ import annotations

import re
import shutil
import sqlite3
from datetime import datetime
from pathlib import Path

import pytest
from helpers import agentos_cli

from agentos import runner
from agentos.errors import IntegrityError
from agentos.ledger import Ledger, times


@pytest.fixture
def ran(quickstart: Path) -> Path:
    runner.run(quickstart, runner.Overrides(budget=4, sandbox="local"))
    return quickstart / ".agentos" / "ledger.db"


def _checkpoint(db: Path) -> None:
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def test_a_clean_ledger_verifies(ran: Path) -> None:
    assert Ledger(ran).verify() == []


def test_a_metric_edited_in_place_is_detected(ran: Path) -> None:
    with sqlite3.connect(ran) as conn:
        conn.execute("update experiments set metric = 99.0 where seq = 2")
    with pytest.raises(IntegrityError, match="contents edited"):
        Ledger(ran)
    done = agentos_cli("ledger", "verify", str(ran.parent.parent))
    assert done.returncode == 2 and "ledger refused" in done.stderr


def test_truncation_is_detected_by_the_high_water_mark(ran: Path) -> None:
    with sqlite3.connect(ran) as conn:
        conn.execute("delete from experiments where seq = (select max(seq) from experiments)")
    with pytest.raises(IntegrityError, match="truncated"):
        Ledger(ran)


def test_a_zero_length_file_is_refused_not_recreated(ran: Path) -> None:
    _checkpoint(ran)
    for suffix in ("-wal", "-shm"):
        Path(str(ran) + suffix).unlink(missing_ok=True)
    ran.write_bytes(b"")
    with pytest.raises(IntegrityError, match="empty"):
        Ledger(ran)
    assert ran.stat().st_size == 0


def test_a_bad_header_is_refused(ran: Path) -> None:
    _checkpoint(ran)
    data = bytearray(ran.read_bytes())
    data[0:16] = b"not sqlite at al"
    ran.write_bytes(bytes(data))
    with pytest.raises(IntegrityError):
        Ledger(ran)


def test_flipped_bytes_inside_a_row_are_detected(ran: Path) -> None:
    _checkpoint(ran)
    data = bytearray(ran.read_bytes())
    at = data.rfind(b"sha256:")  # in a row: a hash, a previous hash or a tree hash
    assert at > 0
    data[at + 10] = ord("0") if data[at + 10] != ord("0") else ord("1")
    ran.write_bytes(bytes(data))
    with pytest.raises(IntegrityError):
        Ledger(ran)


def test_a_missing_ledger_with_its_mark_present_is_refused(ran: Path) -> None:
    shutil.move(ran, ran.with_suffix(".moved"))
    for suffix in ("-wal", "-shm"):
        Path(str(ran) + suffix).unlink(missing_ok=True)
    with pytest.raises(IntegrityError, match="missing"):
        Ledger(ran)


def test_backup_keeps_what_the_wal_holds(ran: Path, tmp_path: Path) -> None:
    ledger = Ledger(ran)
    rows = sum(1 for _ in ledger.rows())
    copy = tmp_path / "copy.db"
    ledger.backup(copy)
    with sqlite3.connect(copy) as conn:
        assert conn.execute("select count(*) from experiments").fetchone()[0] == rows


def test_a_ledger_from_before_a_migration_is_migrated_and_still_verifies(tmp_path: Path) -> None:
    """tests/ledger_v1/m001 was written by agentos when the ledger had only its first migration."""
    shutil.copytree(Path(__file__).parent / "ledger_v1" / "m001", tmp_path / "old")
    db = tmp_path / "old" / "ledger.db"
    with sqlite3.connect(db) as conn:
        columns = {r[1] for r in conn.execute("pragma table_info(experiments)")}
    assert "details" not in columns
    migrated = Ledger(db)
    assert "details" in {c.name for c in migrated.db.table("experiments").columns}
    assert migrated.verify() == []
    row = migrated.record(
        {"run_id": "x", "id": 1, "attempt": 1, "status": "discard", "details": '{"a": 1.0}'}
    )
    assert migrated.verify() == [] and row["details"] == '{"a": 1.0}'


def test_a_run_writes_iso_times(ran: Path) -> None:
    ledger = Ledger(ran)
    stamps = [r["created_at"] for r in ledger.rows()]
    run_id = ledger.latest_run()
    assert run_id is not None
    info = ledger.run(run_id)
    assert info is not None
    stamps += [info["started_at"], str(info["finished_at"])]
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", s) for s in stamps), stamps
    assert stamps[:-2] == sorted(stamps[:-2])  # text order is time order
    assert times.parse(stamps[0]) == datetime.fromisoformat(stamps[0])


def test_the_high_water_mark_is_rewritten_in_place_and_an_old_format_is_replaced(
    ran: Path,
) -> None:
    ledger = Ledger(ran)
    mark = ran.with_suffix(".hwm")
    rows = list(ledger.rows())
    assert mark.stat().st_size == 256

    def append(exp_id: int) -> None:
        extra = dict(rows[0])
        extra.update(id=exp_id, seq=None, hash=None, prev_hash=None, created_at=None)
        ledger.record(extra)  # type: ignore[arg-type]

    inode = mark.stat().st_ino
    append(900)
    assert mark.stat().st_ino == inode and mark.stat().st_size == 256
    assert f'"rows": {len(rows) + 1},' in mark.read_text() and ledger.verify() == []
    mark.write_text(mark.read_text().strip())  # a mark in the unpadded format
    append(901)
    assert mark.stat().st_size == 256 and f'"rows": {len(rows) + 2},' in mark.read_text()
    ledger.close()
    assert Ledger(ran).verify() == []


def test_a_new_ledger_is_linked_in_whole_and_leaves_nothing_beside_it(tmp_path: Path) -> None:
    stale = tmp_path / ".ledger.db.1.new"  # a creation that died before its link
    stale.write_bytes(b"")
    ledger = Ledger(tmp_path / "ledger.db")
    assert ledger.verify() == [] and list(ledger.rows()) == []
    names = {p.name for p in tmp_path.iterdir()}
    assert {"ledger.db", "ledger.hwm"} <= names
    assert not [n for n in names if n.endswith(".new") and n != stale.name]
    ledger.close()
    again = Ledger(tmp_path / "ledger.db")  # opened, not created: the same file verifies
    assert again.verify() == []
