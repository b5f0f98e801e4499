"""The loop runs a re-measure the way the strategy asks: after a first pass with the best beside
it, the candidate alone while the best has more runs, so each such pass costs one run of the
budget, not two."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from helpers import ACCEPT_IMPORT_RISK, UNSCREENED_FILE, UNSCREENED_KEY

# Every run alternates 0 and 1 (the noise); a changed X adds 0.6. The baseline's four runs give
# the best four unselected runs, more than a candidate's first re-runs.
EVALUATOR = """import os
import settings
calls = {calls!r}
n = len(open(calls).read().split()) if os.path.exists(calls) else 0
with open(calls, "a") as fh:
    fh.write(f"{{settings.X}}\\n")
print(f"score: {{(n % 2) + (0.6 if settings.X != 10.0 else 0.0)}}")
"""


def _task_toml(experiments: int) -> str:
    """A task on settings.py, scored by evaluate.py's `score:` line (higher is better), with the
    re-measure screen off."""
    return (
        '[task]\neditable=["settings.py"]\nprotected=["evaluate.py"]\n'
        f"{ACCEPT_IMPORT_RISK}\n"
        '[metric]\ncommand="python evaluate.py"\nregex="^score: (\\\\S+)$"\ngoal="max"\n'
        f'[budget]\nexperiments={experiments}\n[search]\n{UNSCREENED_KEY}'
        '[sandbox]\nbackend="local"\n'
    )


def test_a_re_measure_runs_the_candidate_alone_while_the_best_has_more_runs(
    repo_factory: Callable[..., Path], tmp_path: Path
) -> None:
    from agentos import runner

    calls = tmp_path / "calls.txt"
    repo = repo_factory(
        {
            "settings.py": "X = 10.0  # range: 0..100\n",
            "evaluate.py": EVALUATOR.format(calls=str(calls)),
            "agentos.toml": _task_toml(6),
            **UNSCREENED_FILE,
        }
    )
    summary = runner.run(repo)
    runs = [float(x) for x in calls.read_text().split()]
    assert runs[:4] == [10.0] * 4  # the baseline
    first = runs[4]
    assert first != 10.0 and summary.remeasures > 0, (runs, summary)
    # the first re-measure runs the best beside the candidate (a drift check); the next ones
    # come without it
    assert runs[5:8] == [first, 10.0, first], runs
    assert len(runs) - 4 == summary.experiments + summary.remeasures <= 6, summary


def test_a_candidate_left_unsure_when_the_budget_ends_is_an_undecided_discard(
    repo_factory: Callable[..., Path], tmp_path: Path
) -> None:
    """With two experiments, a first run 0.1 above the best's mean (noise 0.58) cannot be
    re-measured: it is not kept, its reason starts `undecided:`, and the summary counts it as
    undecided rather than leaving a real gain to read as 'measured, not better'."""
    from agentos import runner
    from agentos.status import run_status

    repo = repo_factory(
        {
            "settings.py": "X = 10.0  # range: 0..100\n",
            "evaluate.py": EVALUATOR.format(calls=str(tmp_path / "calls.txt")),
            "agentos.toml": _task_toml(2),
            **UNSCREENED_FILE,
        }
    )
    summary = runner.run(repo)
    rows = run_status(repo)["experiments"]
    undecided = [r for r in rows if (r["reason"] or "").startswith("undecided: ")]
    assert undecided and all(r["status"] == "discard" for r in undecided), rows
    assert "no runs left to re-measure" in undecided[0]["reason"]
    assert summary.undecided == len(undecided)
    assert any(
        line.startswith(f"undecided: {len(undecided)} of the discards") for line in summary.lines()
    )


def test_a_kept_move_of_several_settings_is_named_as_kept_together(
    repo_factory: Callable[..., Path],
) -> None:
    """Only X scores; a draw that moves X and Y together and is kept carries Y's move with it, and
    the summary says which kept experiments moved several settings at once."""
    from agentos import runner
    from agentos.status import run_status

    repo = repo_factory(
        {
            "settings.py": "X = 10.0  # range: 0..100\nY = 10.0  # range: 0..100\n",
            "evaluate.py": "import settings\nprint(f'score: {settings.X}')\n",
            "agentos.toml": _task_toml(4),
            **UNSCREENED_FILE,
        }
    )
    summary = runner.run(repo)
    rows = run_status(repo)["experiments"]
    both = [r for r in rows if r["status"] == "keep"
            and re.search(r"\bX \S+ -> .*\bY \S+ -> ", r["description"])]  # fmt: skip
    assert both, rows  # seed 0's first draws move both
    assert summary.together == [f"#{r['id']} (X, Y)" for r in both]
    line = next(x for x in summary.lines() if x.startswith("kept_together: "))
    assert f"#{both[0]['id']} (X, Y)" in line and "was not measured" in line
