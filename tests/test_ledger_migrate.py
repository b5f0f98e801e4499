"""A ledger written by agentos before times were ISO 8601 text (tests/ledger_v1/, made by that
agentos and never edited since) is migrated: every time becomes ISO text, the chain is verified as
written, then re-chained, and the migration records the old head beside the new one."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
from pathlib import Path

import pytest
from helpers import agentos_cli, quickstart_copy

from agentos.errors import IntegrityError
from agentos.ledger import Ledger, schema, store
from agentos.ledger.migrations import MIGRATIONS

V1 = Path(__file__).parent / "ledger_v1"
ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def _copy(tmp_path: Path, which: str = "m003") -> Path:
    dest = tmp_path / which
    shutil.copytree(V1 / which, dest)
    return dest / "ledger.db"


def _raw(db: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


@pytest.mark.parametrize("which", ["m001", "m003"])
def test_an_old_ledger_is_migrated_to_iso_times_and_verifies(tmp_path: Path, which: str) -> None:
    db = _copy(tmp_path, which)
    before = _raw(db, "select seq, created_at, hash from experiments order by seq")
    assert all(isinstance(created, float) for _, created, _ in before)
    ledger = Ledger(db)  # migrates, then verifies
    assert ledger.verify() == []
    rows = list(ledger.rows())
    assert [r["seq"] for r in rows] == [seq for seq, _, _ in before] and len(rows) == 5
    assert rows[0]["created_at"] == "2024-12-06T07:01:02.345Z"  # written as 1733468462.3456789
    assert all(ISO.match(r["created_at"]) for r in rows)
    assert [r["hash"] for r in rows] != [h for _, _, h in before]  # re-chained
    for table, column in [
        ("runs", "started_at"),
        ("runs", "finished_at"),
        ("attempts", "started_at"),
        ("migrations", "applied_at"),
    ]:
        values = [v for (v,) in _raw(db, f"select {column} from {table}") if v is not None]
        assert values and all(isinstance(v, str) and ISO.match(v) for v in values), table
        types = {c.name: c.type for c in ledger.db.table(table).columns}
        assert types[column] == "TEXT", (table, column)
    note = json.loads(
        _raw(db, "select note from migrations where name = 'm004_iso_times'")[0][0]  # type: ignore[arg-type]
    )
    assert note == {"rows": 5, "before": before[-1][2], "after": rows[-1]["hash"]}
    mark = json.loads(db.with_suffix(".hwm").read_text())
    assert mark == {"rows": 5, "last_hash": rows[-1]["hash"]}
    # The links and the one-row-per-attempt rule survive the rebuilds.
    assert {(fk.table, fk.other_table) for fk in ledger.db.table("experiments").foreign_keys} == {
        ("experiments", "runs")
    }
    assert [(i.columns, i.unique) for i in ledger.db.table("experiments").indexes] == [
        (["run_id", "id", "attempt"], 1)
    ]
    assert ledger.latest_run() == "r-old2"
    ledger.record({"run_id": "r-old2", "id": 1, "attempt": 1, "status": "discard"})
    ledger.close()
    assert Ledger(db).verify() == []


def test_agentos_ledger_verify_passes_on_a_migrated_old_ledger(tmp_path: Path) -> None:
    repo = quickstart_copy(tmp_path / "repo")
    (repo / ".agentos").mkdir(exist_ok=True)
    for name in ("ledger.db", "ledger.hwm"):
        shutil.copy(V1 / "m003" / name, repo / ".agentos" / name)
    done = agentos_cli("ledger", "verify", str(repo))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["ledger: ok", "rows: 5"]


def test_an_old_ledger_whose_chain_is_broken_is_refused_and_left_as_it_was(
    tmp_path: Path,
) -> None:
    db = _copy(tmp_path)
    with sqlite3.connect(db) as conn:
        conn.execute("update experiments set metric = 9.0 where seq = 2")
    with pytest.raises(IntegrityError, match="before migrating, row 2 does not verify"):
        Ledger(db)
    names = [n for (n,) in _raw(db, "select name from migrations")]
    assert names == ["m001_initial", "m002_details_holdout", "m003_foreign_keys"]
    assert all(isinstance(c, float) for (c,) in _raw(db, "select created_at from experiments"))


def test_a_mark_from_before_the_migration_still_names_the_ledger(tmp_path: Path) -> None:
    """A crash between the migration's commit and its new high-water mark leaves the old mark:
    it is accepted because the migration recorded that head, and then rewritten. A mark that
    names any other head is still refused."""
    db = _copy(tmp_path)
    mark = db.with_suffix(".hwm")
    old = mark.read_text()
    Ledger(db).close()
    mark.write_text(old)
    ledger = Ledger(db)
    assert (
        ledger.verify() == []
        and json.loads(mark.read_text())["last_hash"] != json.loads(old)["last_hash"]
    )
    ledger.close()
    forged = json.loads(old)
    forged["last_hash"] = "sha256:" + "1" * 64
    mark.write_text(json.dumps(forged))
    with pytest.raises(IntegrityError, match="high-water mark differs"):
        Ledger(db)


def test_old_hashes_verify_whatever_the_schema_module_now_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The migrations and the hash name their own columns: editing the declared schema (here a
    column dropped from it and one added) changes neither how an old ledger migrates nor whether
    its rows verify."""
    edited = (*(c for c in schema.COLUMNS if c != "samples"), "gpu_seconds")
    monkeypatch.setattr(schema, "COLUMNS", edited)
    monkeypatch.setattr(store, "COLUMNS", edited)
    db = _copy(tmp_path)
    ledger = Ledger(db)
    assert ledger.verify() == []
    ledger.db.table("experiments").add_column("gpu_seconds", float)  # as a later migration would
    ledger.record({"run_id": "r-old", "id": 9, "attempt": 1, "status": "keep", "gpu_seconds": 2.5})
    ledger.close()
    fresh = Ledger(tmp_path / "fresh.db")
    columns = [c.name for c in fresh.db.table("experiments").columns]
    assert "samples" in columns and "gpu_seconds" not in columns  # built by the frozen m001
    fresh.close()
    monkeypatch.undo()
    again = Ledger(db)
    assert again.verify() == []
    assert [r.get("gpu_seconds") for r in again.rows()][-2:] == [None, 2.5]
    assert [name for name, _ in MIGRATIONS][-1] == "m004_iso_times"
