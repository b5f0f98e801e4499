"""One figure, one way: the run summary, the live progress line, `agentos status` and the HTML
report print a metric with the same formatter (`agentos.figures.figure`), so a figure copied from
one finds the same text in the others."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from report_helpers import quickstart_copy

from agentos.cli.main import main


def _values(text: str, key: str) -> list[str]:
    return [line.split()[1] for line in text.splitlines() if line.startswith(f"{key}: ")]


def test_summary_progress_status_and_report_show_a_metric_alike(tmp_path: Path) -> None:
    repo = quickstart_copy(tmp_path / "quickstart")
    cli = CliRunner()
    ran = cli.invoke(main, ["run", str(repo), "--budget", "2", "--sandbox", "local",
                            "--provider", "heuristic"])
    assert ran.exit_code == 0, ran.output
    # the quickstart's baseline, 5.727614, has seven significant digits
    assert _values(ran.stdout, "baseline") == ["5.727614"], ran.stdout
    assert _values(ran.stderr, "baseline") == ["5.727614"], ran.stderr  # the progress line
    best = _values(ran.stdout, "best")
    status = cli.invoke(main, ["status", str(repo)])
    assert _values(status.stdout, "baseline") == ["5.727614"], status.stdout
    assert _values(status.stdout, "best") == best, status.stdout
    report = cli.invoke(main, ["report", str(repo), "--out", str(tmp_path / "report")])
    assert report.exit_code == 0, report.output
    page = (tmp_path / "report" / "report.html").read_text()
    assert "5.727614 at " in page and f"{best[0]} at " in page


def test_a_missing_metric_is_a_dash_everywhere(tmp_path: Path) -> None:
    """A baseline that does not measure: `-` in the summary, never Python's `None`."""
    repo = quickstart_copy(tmp_path / "quickstart", {"evaluate.py": "raise SystemExit(3)\n"})
    ran = CliRunner().invoke(main, ["run", str(repo), "--budget", "1", "--sandbox", "local",
                                    "--provider", "heuristic"])
    assert _values(ran.stdout, "baseline") == ["-"], ran.output
    assert "None" not in ran.stdout
