"""The ledger in Datasette itself (a dev dependency), as docs/report.md says to browse it: a
`VACUUM INTO` copy opened immutable with the report's metadata. Each experiment links to its run,
each run lists the rows that name it, times read as ISO 8601, and the descriptions show."""

from __future__ import annotations

import asyncio
import re
import shutil
from pathlib import Path
from typing import Any

from datasette.app import Datasette

from agentos.ledger import Ledger
from agentos.report import datasette_metadata

V1 = Path(__file__).parents[1] / "ledger_v1" / "m003"  # written by an agentos of Unix-time floats
ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def _get(ds: Datasette, path: str) -> Any:
    async def get() -> Any:
        response = await ds.client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        return response

    return asyncio.run(get())


def test_datasette_links_each_row_to_its_run_and_shows_iso_times(tmp_path: Path) -> None:
    shutil.copytree(V1, tmp_path / "live")
    ledger = Ledger(tmp_path / "live" / "ledger.db")  # migrated on open
    (tmp_path / "copy").mkdir()
    ledger.backup(tmp_path / "copy" / "ledger.db")
    ledger.close()
    ds = Datasette(
        immutables=[str(tmp_path / "copy" / "ledger.db")], metadata=datasette_metadata("ledger")
    )

    rows = _get(ds, "/ledger/experiments.json?_labels=on&_shape=objects").json()["rows"]
    assert [r["run_id"]["value"] for r in rows] == ["r-old"] * 4 + ["r-old2"]
    assert all(ISO.match(r["created_at"]) for r in rows)
    page = _get(ds, "/ledger/experiments").text
    assert '<a href="/ledger/runs/r-old">r-old</a>' in page
    assert "One terminal row per experiment attempt" in page  # the metadata's description

    run = _get(ds, "/ledger/runs/r-old.json?_extras=foreign_key_tables").json()
    links = {t["other_table"]: t["count"] for t in run["foreign_key_tables"]}
    assert links == {"experiments": 4, "attempts": 4}
    started, finished = (
        run["rows"][0][run["columns"].index(c)] for c in ("started_at", "finished_at")
    )
    assert ISO.match(started) and ISO.match(finished) and started < finished
