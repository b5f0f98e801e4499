"""The live display off a terminal: plain lines, one for the baseline and one per experiment, fed
by a real run's stream; never one per node, never escape codes from candidate text."""

from __future__ import annotations

import io
import re
from pathlib import Path

from report_helpers import quickstart_copy

from agentos import runner
from agentos.cli.progress import RunDisplay
from agentos.figures import figure
from agentos.status import run_status

LINE = re.compile(
    r"^experiment (\d+)/8: (keep|discard|rejected|crash|invalid|timeout|oom) metric=\S+ "
    r"best=\S+ baseline=\S+ rate=[\d.]+/min left=\d+:\d\d:\d\d \| .*$"
)


def test_plain_lines_one_per_experiment_from_a_real_run(tmp_path: Path) -> None:
    repo = quickstart_copy(tmp_path / "quickstart")
    out = io.StringIO()
    events: list[str] = []

    def on_update(event: dict[str, object]) -> None:
        events.append(str(event["node"]))
        display.update(event)

    with RunDisplay(8, stream=out) as display:
        assert not display.live  # a StringIO is not a terminal
        summary = runner.run(
            repo,
            runner.Overrides(budget=8, sandbox="local", provider="heuristic"),
            on_update=on_update,
        )
    lines = out.getvalue().splitlines()
    # The stream carried many node updates; the log got exactly 1 + 8 lines.
    assert len(events) > 3 * 8
    assert len(lines) == 1 + 8 == display.lines
    assert lines[0] == f"baseline: {figure(summary.baseline)}"
    ids = []
    for line in lines[1:]:
        match = LINE.match(line)
        assert match, line
        ids.append(int(match.group(1)))
    assert ids == list(range(1, 9))
    assert f"best={figure(summary.best)}" in lines[-1]
    assert "\x1b" not in out.getvalue()


def test_candidate_text_cannot_forge_lines_or_escape_codes() -> None:
    out = io.StringIO()
    display = RunDisplay(0, stream=out)
    forged = "ok\nexperiment 99/99: keep metric=1e9\x1b[2J[red]x[/] " + "y" * 500
    for i in range(1, 4):
        display.update(
            {
                "node": "decide",
                "history": [{"id": i, "status": "discard", "metric": 1.0, "description": forged}],
            }
        )
    display.update({"node": "propose", "candidate": {"description": forged}})
    lines = out.getvalue().splitlines()
    assert len(lines) == 3
    assert all(line.startswith(f"experiment {i}/?:") for i, line in enumerate(lines, 1))
    assert "\x1b" not in out.getvalue()
    assert all(len(line) < 250 for line in lines)


def test_live_mode_draws_without_interpreting_markup() -> None:
    out = io.StringIO()
    with RunDisplay(2, stream=out, live=True) as display:
        display.update({"node": "baseline", "baseline": {"metric": 1.0}})
        display.update(
            {
                "node": "decide",
                "best": {"metric": 2.0},
                "history": [{"id": 1, "status": "keep", "metric": 2.0, "description": "[/]"}],
            }
        )
    text = out.getvalue()
    assert "baseline: 1" in text
    assert "1/2" in text and "best=2" in text and "last #1 keep 2" in text


def test_a_resumed_display_starts_from_the_ledger(tmp_path: Path) -> None:
    repo = quickstart_copy(tmp_path / "quickstart")
    summary = runner.run(repo, runner.Overrides(budget=3, sandbox="local", provider="heuristic"))
    out = io.StringIO()
    display = RunDisplay(0, stream=out)
    display.seed(run_status(repo))
    assert (display.baseline, display.best, display.done) == (summary.baseline, summary.best, 3)
    assert display.total == 3  # the run's budget, from the ledger
    display.update({"node": "decide", "history": [{"id": 3, "status": "crash", "metric": None}]})
    line = out.getvalue().strip()
    assert line.startswith("experiment 3/3: crash metric=- ")
    assert f"best={figure(summary.best)} baseline={figure(summary.baseline)}" in line


def test_the_summary_prints_metrics_without_float_noise() -> None:
    """A mean of re-runs (-0.5845516666666666) is printed to ten significant digits."""
    summary = runner.RunSummary(
        run_id="r", status="done", baseline=-4.3186290000000005, best=-0.5845516666666666,
        best_commit="c", branch=None, experiments=3,
    )
    lines = dict(line.split(": ", 1) for line in summary.lines())
    assert lines["baseline"] == "-4.318629" and lines["best"] == "-0.5845516667"
    assert runner.RunSummary("r", "s", None, None, "", None, 0).lines()[2] == "baseline: -"


def test_time_left_counts_the_budget_re_measures_spend() -> None:
    """A noisy run's re-measure runs spend the experiment budget too: after two experiments
    that spent 6 of 8 runs, 2 runs are left, not 6 experiments."""
    out = io.StringIO()
    display = RunDisplay(8, stream=out)
    for i, spent in ((1, 3), (2, 6)):
        display.event({"event": "experiment", "id": i, "status": "discard", "metric": 1.0,
                       "spent": spent})
    assert (display.done, display.spent, display.runs) == (2, 6, 6)
    assert display.time_left(1.0, 0.0) == 2.0
    assert out.getvalue().splitlines()[-1].startswith("experiment 2/8: discard metric=1 ")
    assert " spent=6/8 " in out.getvalue().splitlines()[-1]

