"""The ledger declares its links (run ids reference `runs`), and an older ledger gains them by
migration with every row kept and its hash chain intact."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from agentos.ledger import Ledger


def _links(ledger: Ledger) -> set[tuple[str, str, str, str]]:
    return {
        (fk.table, fk.column, fk.other_table, fk.other_column)
        for name in ("experiments", "attempts")
        for fk in ledger.db.table(name).foreign_keys
    }


WANTED = {
    ("experiments", "run_id", "runs", "run_id"),
    ("attempts", "run_id", "runs", "run_id"),
}


def test_an_older_ledger_gains_its_foreign_keys_by_migration(tmp_path: Path) -> None:
    """tests/ledger_v1/m001 was written by agentos before the links were declared."""
    shutil.copytree(Path(__file__).parent / "ledger_v1" / "m001", tmp_path / "old")
    db = tmp_path / "old" / "ledger.db"
    with sqlite3.connect(db) as conn:
        assert conn.execute("pragma foreign_key_list(experiments)").fetchall() == []
        runs = conn.execute("select distinct run_id from experiments").fetchall()
    after = Ledger(db)  # migrates, then verifies the chain
    assert _links(after) == WANTED
    unique = [(i.columns, i.unique) for i in after.db.table("experiments").indexes]
    assert unique == [(["run_id", "id", "attempt"], 1)]  # the rebuild kept the one-row rule
    assert len(list(after.rows())) == 5 and after.verify() == []
    names = {r["name"] for r in after.db.table("migrations").rows}
    assert "m003_foreign_keys" in names
    assert after.db.execute("pragma foreign_key_check").fetchall() == [] and len(runs) == 2
    after.close()


def test_a_new_ledger_declares_them(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "ledger.db")
    assert _links(ledger) == WANTED
    ledger.close()
