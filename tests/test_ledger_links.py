"""The ledger declares its links (run ids reference `runs`), and an older ledger gains them by
migration with every row kept and its hash chain intact."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentos import runner
from agentos.ledger import Ledger, store


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


def test_an_older_ledger_gains_its_foreign_keys_by_migration(
    quickstart: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as older:  # a ledger written before the links were declared
        older.setattr(store, "MIGRATIONS", store.MIGRATIONS[:2])
        runner.run(quickstart, runner.Overrides(budget=2, sandbox="local"))
        db = quickstart / ".agentos" / "ledger.db"
        before = Ledger(db)
        assert _links(before) == set()
        rows = [dict(r) for r in before.rows()]
        before.close()
    after = Ledger(db)  # migrates, then verifies the chain
    assert _links(after) == WANTED
    unique = [(i.columns, i.unique) for i in after.db.table("experiments").indexes]
    assert unique == [(["run_id", "id", "attempt"], 1)]  # the rebuild kept the one-row rule
    assert [dict(r) for r in after.rows()] == rows and len(rows) == 3
    assert after.verify() == []
    names = {r["name"] for r in after.db.table("migrations").rows}
    assert "m003_foreign_keys" in names
    after.close()


def test_a_new_ledger_declares_them(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "ledger.db")
    assert _links(ledger) == WANTED
    ledger.close()
