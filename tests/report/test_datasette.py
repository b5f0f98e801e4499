"""The ledger as Datasette would show it: every table and column of a real ledger is described,
every column has a declared type, and the canned queries run."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from report_helpers import run_quickstart

from agentos import runner
from agentos.report import datasette_metadata, write_report


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, runner.RunSummary]:
    return run_quickstart(tmp_path_factory.mktemp("datasette") / "quickstart")


def test_every_table_and_column_is_described_and_typed(
    finished_run: tuple[Path, runner.RunSummary], tmp_path: Path
) -> None:
    repo, _ = finished_run
    paths = write_report(repo, out_dir=tmp_path)
    meta = json.loads(paths.metadata.read_text())
    assert meta == json.loads(json.dumps(datasette_metadata("ledger")))
    tables = meta["databases"]["ledger"]["tables"]
    conn = sqlite3.connect(f"{(repo / '.agentos' / 'ledger.db').as_uri()}?mode=ro", uri=True)
    try:
        names = {r[0] for r in conn.execute("select name from sqlite_master where type='table'")}
        assert names == set(tables)
        for name in names:
            info = conn.execute(f"pragma table_info({name})").fetchall()
            assert {col[1] for col in info} == set(tables[name]["columns"]), name
            assert all(col[2] in ("TEXT", "INTEGER", "FLOAT", "REAL") for col in info), (name, info)
        for query in meta["databases"]["ledger"]["queries"].values():
            conn.execute(query["sql"]).fetchall()  # raises if a query no longer fits the schema
        kept = conn.execute(meta["databases"]["ledger"]["queries"]["kept"]["sql"]).fetchall()
        assert kept, "the quickstart keeps something in 8 experiments"
    finally:
        conn.close()
