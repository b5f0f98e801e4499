"""A real browser opens the report from a file:// URL with no network: the plot decodes, the table
has one row per ledger row, hostile text stays text. Needs Debian's `chromium` (CI installs it);
the screenshot is kept beside the test's tmp files as an artifact."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
from pathlib import Path

import pytest
from report_helpers import hostile_ledger, quickstart_copy, read_page, run_quickstart

from agentos import runner
from agentos.ledger import Ledger
from agentos.report import write_report

CHROMIUM = shutil.which("chromium")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="headless Chromium not installed (apt-get install -y chromium; CI installs it)",
)
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--hide-scrollbars",
    "--virtual-time-budget=5000",
)


def chromium(tmp: Path, *args: str) -> str:
    """Run headless Chromium with a fresh profile; return its stdout. Its whole process group is
    killed afterwards, so no renderer outlives the test."""
    assert CHROMIUM is not None
    profile = tmp / f"profile-{len(list(tmp.glob('profile-*')))}"
    proc = subprocess.Popen(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        text=True,
    )
    try:
        out, _ = proc.communicate(timeout=90)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    assert proc.returncode == 0, f"chromium exited with {proc.returncode}"
    return out


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, runner.RunSummary]:
    return run_quickstart(tmp_path_factory.mktemp("report") / "quickstart")


def test_browser_loads_the_plot_and_one_row_per_ledger_row(
    finished_run: tuple[Path, runner.RunSummary], tmp_path: Path
) -> None:
    repo, summary = finished_run
    paths = write_report(repo, out_dir=tmp_path / "report")
    url = paths.html.resolve().as_uri()
    page = read_page(chromium(tmp_path, "--dump-dom", url))

    plot = page.ids["plot"]
    assert "data-error" not in plot
    assert int(plot.get("data-natural-width", "0")) > 0  # set by the image's onload: it decoded
    rows = list(Ledger(repo / ".agentos" / "ledger.db").rows(summary.run_id))
    assert len(page.rows) == len(rows) == 9
    assert page.ids["best"]["data-commit"] == summary.best_commit

    shot = tmp_path / "report-screenshot.png"
    chromium(tmp_path, "--window-size=1400,2200", f"--screenshot={shot}", url)
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG") and len(data) > 20_000


def test_hostile_text_stays_text_in_the_browser(tmp_path: Path) -> None:
    repo = quickstart_copy(tmp_path / "repo")
    hostile_ledger(repo)
    paths = write_report(repo, out_dir=tmp_path / "report")
    dom = chromium(tmp_path, "--dump-dom", paths.html.resolve().as_uri())
    page = read_page(dom)
    assert "pwned" not in page.ids
    assert page.tags["img"] == 1
    assert "<title>agentos report: r1</title>" in dom
    assert len(page.rows) == 3
