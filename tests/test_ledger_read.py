"""One ledger reader: `agentos status`, the report, a run's summary and the reader itself agree on
what is an experiment (canaries and the baseline are not), on the counts and on the best.

The ledger is tests/ledger_v1/m003 (written by agentos, migrated on open): run `r-old` holds a
baseline, a kept experiment, a canary, a discarded experiment, and an attempt killed before its
terminal row."""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import pytest
from helpers import quickstart_copy

from agentos.errors import UserError
from agentos.ledger import Ledger, times
from agentos.ledger.read import read_run
from agentos.report import collect, datasette_metadata, write_report
from agentos.runner import summarize
from agentos.status import run_status

V1 = Path(__file__).parent / "ledger_v1" / "m003"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    repo = quickstart_copy(tmp_path / "repo")
    (repo / ".agentos").mkdir(exist_ok=True)
    for name in ("ledger.db", "ledger.hwm"):
        shutil.copy(V1 / name, repo / ".agentos" / name)
    return repo


def test_every_consumer_counts_what_the_reader_counts(repo: Path) -> None:
    ledger = Ledger(repo / ".agentos" / "ledger.db")
    record = ledger.read("r-old")
    assert record.counts() == {"keep": 1, "discard": 1}  # not the canary, not the baseline
    assert [r["id"] for r in record.experiments] == [1, 3]
    assert [(r["id"], r["status"]) for r in record.canaries] == [(2, "invalid")]
    assert record.baseline == {"commit": "a" * 40, "metric": 1.0}
    assert record.best == {"commit": "b" * 40, "metric": 1.5}
    assert [(a["id"], a["attempt"]) for a in record.open_attempts] == [(4, 1)]
    assert summarize(ledger, "r-old", {}, 0.0).counts == record.counts()
    ledger.close()

    status = run_status(repo, "r-old")
    assert [e["id"] for e in status["experiments"]] == [1, 3]
    assert status["best"] == record.best and status["baseline"] == record.baseline
    assert status["canaries"] == [{"id": 2, "status": "invalid", "reason": "canary refused"}]
    assert status["finished"] is True and status["stop"] == "budget"

    data = collect(repo, "r-old")
    assert data.counts() == {"keep": 1, "discard": 1, "killed": 1}  # + the open attempt
    assert (data.best.commit, data.best.metric) == ("b" * 40, 1.5)
    assert [x for x, _, _ in data.running_best()] == [0, 1]
    assert run_status(repo)["run"] == collect(repo).run_id == "r-old2"  # the latest, both ways


def test_the_report_shows_ledger_times_and_an_unknown_run_is_one_user_error(
    repo: Path, tmp_path: Path
) -> None:
    paths = write_report(repo, "r-old", out_dir=tmp_path / "out")
    html = paths.html.read_text(encoding="utf-8")
    info = Ledger(repo / ".agentos" / "ledger.db").run("r-old")
    assert info is not None
    started = times.show(info["started_at"])
    assert started.endswith(" UTC") and f"<th>started</th><td>{started}</td>" in html
    for reader in (lambda: run_status(repo, "nope"), lambda: collect(repo, "nope")):
        with pytest.raises(UserError, match="no run 'nope' in the ledger") as raised:
            reader()
        assert "pick one of the latest: r-old" in str(raised.value)


def test_an_empty_ledger_has_no_latest_run(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "ledger.db")
    with pytest.raises(UserError, match="no run is recorded here yet"):
        ledger.read()
    conn = sqlite3.connect(tmp_path / "ledger.db")
    with pytest.raises(UserError, match="no run is recorded here yet"):
        read_run(conn, None, path=tmp_path / "ledger.db")
    conn.close()


def test_datasette_gets_iso_times_and_declared_links(repo: Path) -> None:
    """Datasette links a column to the row it names from SQLite's declared foreign keys
    (`pragma foreign_key_list`) and shows TEXT columns as they are: both are checked on the
    schema and values it is given, and every column has its words in the metadata."""
    db = repo / ".agentos" / "ledger.db"
    Ledger(db).close()  # migrated on open
    meta = datasette_metadata("ledger")["databases"]["ledger"]["tables"]  # type: ignore[index]
    conn = sqlite3.connect(db)
    try:
        for table in ("experiments", "attempts"):
            links = conn.execute(f"pragma foreign_key_list({table})").fetchall()
            assert [(fk[2], fk[3], fk[4]) for fk in links] == [("runs", "run_id", "run_id")]
            assert "links to `runs`" in meta[table]["columns"]["run_id"]
        for table, column in [
            ("runs", "started_at"),
            ("runs", "finished_at"),
            ("experiments", "created_at"),
            ("attempts", "started_at"),
            ("migrations", "applied_at"),
        ]:
            declared = {c[1]: c[2] for c in conn.execute(f"pragma table_info({table})")}
            assert declared[column] == "TEXT"
            kinds = conn.execute(f"select distinct typeof({column}) from {table}").fetchall()
            assert set(kinds) <= {("text",), ("null",)}, (table, column, kinds)
            assert "ISO 8601" in meta[table]["columns"][column]
            assert set(declared) == set(meta[table]["columns"]), table
        assert conn.execute("pragma foreign_key_check").fetchall() == []
    finally:
        conn.close()


def test_agentos_status_prints_one_line_per_experiment_with_its_reason_printable(
    repo: Path,
) -> None:
    from click.testing import CliRunner

    from agentos.cli.main import main

    ledger = Ledger(repo / ".agentos" / "ledger.db")
    hostile = "line one\n\x1b[31mred\x1b[0m " + "x" * 300
    ledger.record(
        {
            "run_id": "r-old2",
            "id": 1,
            "attempt": 1,
            "kind": "experiment",
            "status": "discard",
            "metric": 0.5,
            "reason": hostile,
        }
    )
    for exp, status, metric in ((2, "invalid", None), (3, "discard", 20343.975000000002)):
        ledger.record(
            {
                "run_id": "r-old2",
                "id": exp,
                "attempt": 1,
                "kind": "experiment",
                "status": status,
                "metric": metric,
                "reason": "r",
            }
        )
    ledger.close()
    done = CliRunner().invoke(main, ["status", str(repo), "--run", "r-old2"])
    assert done.exit_code == 0, done.output
    lines = done.output.splitlines()
    assert lines[:3] == ["run: r-old2", "baseline: 1.5 bbbbbbbbbbbb", "best: 1.5 bbbbbbbbbbbb"]
    assert lines[3].startswith("state: not finished, no process running it: continue it with")
    del lines[3]
    assert len(lines) == 6 and lines[3].split()[:5] == ["#1", "discard", "0.5", "line", "one"]
    assert lines[4].split()[:3] == ["#2", "invalid", "-"]  # no metric: not "None"
    # ten significant digits, without the float noise: --json has them all
    assert lines[5].split()[:3] == ["#3", "discard", "20343.975"]
    assert "\x1b" not in lines[3] and lines[3].endswith("...")
    full = CliRunner().invoke(main, ["status", str(repo), "--run", "r-old2", "--full"])
    whole = [line for line in full.output.splitlines() if not line.startswith("state: ")]
    assert len(whole) == 6 and "\x1b" not in whole[3]
    assert whole[3].endswith("x" * 300)  # the whole reason, still on one printable line


def test_an_open_attempt_of_a_finished_run_is_killed_even_when_its_pid_is_reused(
    repo: Path,
) -> None:
    """The attempt's orchestrator is gone; a live process that now has its pid is not the run."""
    conn = sqlite3.connect(repo / ".agentos" / "ledger.db")
    with conn:
        conn.execute("UPDATE attempts SET pid = ? WHERE run_id = 'r-old'", (os.getpid(),))
    conn.close()
    data = collect(repo, "r-old")
    assert data.state == "finished"
    assert data.counts() == {"keep": 1, "discard": 1, "killed": 1}
