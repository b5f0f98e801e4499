"""The report of a run, read back from the page: one row per ledger row, the plot, the best that
`agentos status --json` names, diffs from git, hostile text escaped, and a killed run marked."""

from __future__ import annotations

import base64
import dataclasses
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from report_helpers import git, hostile_ledger, quickstart_copy, read_page, run_quickstart

from agentos import runner
from agentos.errors import UserError
from agentos.git import Repo
from agentos.ledger import Ledger
from agentos.report import collect, datasette_metadata, render_html, render_plot, write_report
from agentos.status import run_status

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, runner.RunSummary]:
    return run_quickstart(tmp_path_factory.mktemp("report") / "quickstart")


def test_quickstart_report_has_a_row_per_ledger_row_the_plot_and_the_status_best(
    finished_run: tuple[Path, runner.RunSummary], tmp_path: Path
) -> None:
    repo, summary = finished_run
    paths = write_report(repo, out_dir=tmp_path / "out")
    html = paths.html.read_text(encoding="utf-8")
    page = read_page(html)

    ledger = Ledger(repo / ".agentos" / "ledger.db")
    rows = list(ledger.rows(summary.run_id))
    assert len(rows) == 9  # the baseline and 8 experiments
    assert [r["data-seq"] for r in page.rows] == [str(r["seq"]) for r in rows]
    assert [r["data-status"] for r in page.rows] == [r["status"] for r in rows]
    assert paths.rows == len(rows) and paths.killed == 0 and not page.killed

    png = paths.png.read_bytes()
    assert png.startswith(PNG_MAGIC) and len(png) > 10_000
    plot = page.ids["plot"]
    assert plot["src"] == "data:image/png;base64," + base64.b64encode(png).decode()

    # The best the page names is the best `agentos status --json` names, to the digit.
    status = json.loads(json.dumps(run_status(repo)))
    best = page.ids["best"]
    assert best["data-commit"] == status["best"]["commit"] == summary.best_commit
    assert float(best["data-metric"]) == status["best"]["metric"] == summary.best
    assert "ok</span>: hash chain" in html
    assert "finished: budget: 8 experiments" in html


def test_diffs_come_from_the_commits_and_the_worktree_is_untouched(
    finished_run: tuple[Path, runner.RunSummary], tmp_path: Path
) -> None:
    repo, summary = finished_run
    before = (git(repo, "status", "--porcelain", "-z"), git(repo, "rev-parse", "HEAD"))
    data = collect(repo)
    after = (git(repo, "status", "--porcelain", "-z"), git(repo, "rev-parse", "HEAD"))
    assert before == after
    kept = [e for e in data.experiments if e.status == "keep" and e.kind != "baseline"]
    assert kept, "the quickstart keeps at least one change in 8 experiments"
    for e in kept:
        assert e.diff == git(repo, "diff-tree", "-p", "--no-color", e.parent, e.commit)
        assert "settings.py" in e.diff
    assert data.best.metric == summary.best
    assert {e.tree_verdict for e in data.rows} <= {"same", "none"}


def test_default_output_goes_to_the_ignored_state_folder(
    finished_run: tuple[Path, runner.RunSummary],
) -> None:
    repo, summary = finished_run
    paths = write_report(repo)
    assert paths.html.parent == repo / ".agentos" / "reports" / summary.run_id
    assert paths.png.parent == paths.html.parent
    assert git(repo, "status", "--porcelain") == ""


def test_unknown_run_and_no_ledger_are_one_line_user_errors(
    finished_run: tuple[Path, runner.RunSummary], tmp_path: Path
) -> None:
    repo, _ = finished_run
    with pytest.raises(UserError, match="no run 'nope'"):
        write_report(repo, run_id="nope", out_dir=tmp_path)
    empty = quickstart_copy(tmp_path / "empty")
    with pytest.raises(UserError, match="no agentos runs here yet"):
        write_report(empty)


def test_hostile_text_is_escaped_and_the_plot_survives_math_text(tmp_path: Path) -> None:
    repo = quickstart_copy(tmp_path / "repo")
    hostile_ledger(repo)
    paths = write_report(repo, out_dir=tmp_path / "out")
    html = paths.html.read_text(encoding="utf-8")
    page = read_page(html)
    assert "pwned" not in page.ids
    assert page.tags.get("script", 0) == 0
    assert page.tags["img"] == 1  # only the plot
    assert "&lt;script&gt;document.title" in html
    assert len(page.rows) == 3
    assert [r["data-status"] for r in page.rows] == ["keep", "keep", "crash"]
    assert 'class="bad">1 with drift' in html  # tree_before != tree_after on row 1
    assert "review simplicity:" in html and "ruff: &lt;script&gt;" in html
    assert paths.png.read_bytes().startswith(PNG_MAGIC)


def test_held_out_and_per_slice_figures_render_when_rows_carry_them(tmp_path: Path) -> None:
    repo = quickstart_copy(tmp_path / "repo")
    hostile_ledger(repo)
    data = collect(repo)
    slices = {"typo": 0.5, "clean": 0.9, "near-miss": 0.75, "train/route/0": 1.0,
              "train/route/17": -1.0}  # per-query marks: in the ledger, not a column each
    data.experiments = [
        dataclasses.replace(e, details=slices, holdout={"fuzzy": 0.625}) if e.id == 1 else e
        for e in data.experiments
    ]
    page = read_page(render_html(data, render_plot(data), "p.png"))
    assert "holdout" in page.ids and "details" in page.ids
    html = render_html(data, b"", "p.png")
    assert "<th>near-miss</th>" in html and ">0.625<" in html and ">0.75<" in html
    assert "route/" not in html


SLOW_EVALUATE = """
import pathlib, time
import settings
if pathlib.Path("settings.py").read_text() != pathlib.Path("baseline.txt").read_text():
    time.sleep(25)  # a candidate: slow enough to be killed mid-run
print("score: 1.0" if settings.WIDTH == 16 else "score: 2.0")
"""


def test_a_running_then_killed_run_renders_and_marks_the_open_attempt(tmp_path: Path) -> None:
    settings = (Path(__file__).resolve().parents[2] / "examples/quickstart/settings.py").read_text()
    repo = quickstart_copy(
        tmp_path / "repo", {"evaluate.py": SLOW_EVALUATE, "baseline.txt": settings}
    )
    toml = (repo / "agentos.toml").read_text().replace("timeout = 10", "timeout = 60")
    toml = toml.replace(
        'protected = ["evaluate.py"]', 'protected = ["evaluate.py", "baseline.txt"]'
    )
    (repo / "agentos.toml").write_text(toml)
    git(repo, "commit", "-qam", "slow evaluator")
    exe = Path(sys.executable).with_name("agentos")
    proc = subprocess.Popen(
        [
            str(exe),
            "run",
            str(repo),
            "--budget",
            "3",
            "--sandbox",
            "local",
            "--provider",
            "heuristic",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    db = repo / ".agentos" / "ledger.db"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if db.exists() and _open_attempts(db):
                break
            assert proc.poll() is None, "the run ended before it could be killed"
            time.sleep(0.1)
        else:
            pytest.fail("no attempt started within 60 s")
        # While it runs, the same attempt is shown as in progress, and the run as running.
        live = write_report(repo, out_dir=tmp_path / "live")
        page = read_page(live.html.read_text(encoding="utf-8"))
        assert len(page.running) == 1 and not page.killed
        assert "running (the orchestrator" in live.html.read_text(encoding="utf-8")
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    paths = write_report(repo, out_dir=tmp_path / "out")
    html = paths.html.read_text(encoding="utf-8")
    page = read_page(html)
    assert paths.killed == 1 and len(page.killed) == 1
    assert page.killed[0]["data-id"] == "1"
    # Its candidate commit was already made: the report names it and shows its diff.
    killed = next(e for e in collect(repo).experiments if e.killed)
    run_id = collect(repo).run_id
    assert killed.commit == git(repo, "rev-parse", f"refs/agentos/{run_id}/exp/1").strip()
    assert killed.description and "settings.py" in killed.diff
    assert "killed mid-experiment" in html
    assert "interrupted or crashed" in html
    assert len(page.rows) == 1  # only the baseline got its terminal row
    assert paths.png.read_bytes().startswith(PNG_MAGIC)


def _open_attempts(db: Path) -> int:
    conn = sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True)
    try:
        return int(
            conn.execute(
                "select count(*) from attempts a left join experiments e on e.run_id = a.run_id "
                "and e.id = a.id and e.attempt = a.attempt where e.seq is null"
            ).fetchone()[0]
        )
    except sqlite3.OperationalError:
        return 0
    finally:
        conn.close()


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


def test_a_ledger_edited_in_place_still_gets_a_report_that_says_so(
    finished_run: tuple[Path, runner.RunSummary], tmp_path: Path
) -> None:
    repo, _ = finished_run
    copy = quickstart_copy(tmp_path / "copy")
    state = runner.state_dir(Repo(copy))
    src = Ledger(repo / ".agentos" / "ledger.db")
    src.backup(state / "ledger.db")
    src.close()
    shutil.copy(repo / ".agentos" / "ledger.hwm", state / "ledger.hwm")
    conn = sqlite3.connect(state / "ledger.db")
    with conn:
        conn.execute("update experiments set metric = 99.0 where id = 1")
    conn.close()
    paths = write_report(copy, out_dir=tmp_path / "out")
    html = paths.html.read_text(encoding="utf-8")
    verdict = html[html.index('id="verify"') :][:600]
    assert 'class="bad">refused' in verdict and "contents edited" in verdict
    assert len(read_page(html).rows) == 9  # the rows are still shown, as they are


def test_the_gain_is_the_best_s_distance_from_the_baseline_whatever_the_goal(
    finished_run: tuple[Path, runner.RunSummary],
) -> None:
    from agentos.report.page import _summary

    data = collect(finished_run[0])
    for baseline, best in ((10.0, 3.0), (3.0, 10.0)):  # a lower metric is better, then higher
        moved = dataclasses.replace(
            data,
            baseline=dataclasses.replace(data.baseline, metric=baseline),
            best=dataclasses.replace(data.best, metric=best),
        )
        assert dict(_summary(moved))["gain"] == "7"
