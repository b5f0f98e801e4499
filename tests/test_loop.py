"""The loop end to end through the public API and the CLI: it improves, it records, it touches
nothing of the user's, and every bad input gets its own status or error."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
from helpers import ACCEPT_IMPORT_RISK, agentos_cli, git

from agentos import runner
from agentos.errors import UserError
from agentos.git import Repo
from agentos.ledger import Ledger
from agentos.status import run_status

LOCAL = runner.Overrides(sandbox="local")


def _score_by_hand(repo: Path, commit: str) -> float:
    """Re-evaluate a commit outside agentos: export it and run the evaluator."""
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(
            ["git", "-C", str(repo), "archive", commit], capture_output=True, check=True
        )
        subprocess.run(["tar", "-x", "-C", tmp], input=archive.stdout, check=True)
        out = subprocess.run(
            [sys.executable, "evaluate.py"], cwd=tmp, capture_output=True, text=True, check=True
        ).stdout
    match = re.search(r"^score:\s*(\S+)$", out, re.MULTILINE)
    assert match
    return float(match.group(1))


def test_quickstart_improves_and_the_best_reproduces(quickstart: Path) -> None:
    summary = runner.run(quickstart, runner.Overrides(budget=30, sandbox="local"))
    assert summary.baseline is not None and summary.best is not None
    assert summary.best > summary.baseline + 1.0
    status = run_status(quickstart)
    assert status["best"]["metric"] == summary.best
    assert status["best"]["commit"] == summary.best_commit
    assert _score_by_hand(quickstart, summary.best_commit) == pytest.approx(summary.best, abs=1e-6)
    assert git(quickstart, "rev-parse", f"agentos/{summary.run_id}").strip() == summary.best_commit
    ids = [e["id"] for e in status["experiments"]]
    assert ids == list(range(1, 31))
    assert {e["status"] for e in status["experiments"]} <= {"keep", "discard", "rejected"}
    # the checkpoint file holds the newest step only: its size does not grow with the run
    conn = sqlite3.connect(quickstart / ".agentos" / "checkpoints.db")
    kept = conn.execute("SELECT COUNT(*) FROM checkpoints WHERE thread_id = ?", (summary.run_id,))
    assert kept.fetchone() == (1,)
    conn.close()


def test_cli_run_prints_a_greppable_summary_and_status_json(quickstart: Path) -> None:
    done = agentos_cli("run", str(quickstart), "--budget", "4", "--sandbox", "local")
    assert done.returncode == 0, done.stderr
    summary = dict(line.split(": ", 1) for line in done.stdout.splitlines() if ": " in line)
    for key in ("run", "status", "baseline", "best", "best_commit", "branch", "experiments"):
        assert key in summary
    assert summary["experiments"] == "4"
    shown = agentos_cli("status", str(quickstart), "--json")
    data = json.loads(shown.stdout)
    assert set(data) >= {"run", "baseline", "best", "experiments"}
    assert data["run"] == summary["run"]
    assert all(
        set(e) >= {"id", "parent", "commit", "status", "metric", "reason"}
        for e in data["experiments"]
    )
    assert len(data["experiments"]) == 4
    verify = agentos_cli("ledger", "verify", str(quickstart))
    assert verify.returncode == 0 and "ledger: ok" in verify.stdout


def _worktree_bytes(repo: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(repo)): p.read_bytes()
        for p in sorted(repo.rglob("*"))
        if p.is_file() and ".git" not in p.parts and ".agentos" not in p.parts
    }


def test_user_files_index_head_and_branches_are_untouched(quickstart: Path) -> None:
    (quickstart / "settings.py").write_text((quickstart / "settings.py").read_text() + "# mine\n")
    (quickstart / "notes.txt").write_text("staged\n")
    git(quickstart, "add", "notes.txt")
    (quickstart / "scratch with space.txt").write_text("untracked\n")
    status_before = git(quickstart, "status", "--porcelain", "-z")
    files_before = _worktree_bytes(quickstart)
    index_before = (quickstart / ".git" / "index").read_bytes()
    head_before = git(quickstart, "rev-parse", "HEAD")
    branches_before = git(quickstart, "for-each-ref", "refs/heads")

    summary = runner.run(quickstart, runner.Overrides(budget=5, sandbox="local"))

    assert (quickstart / ".git" / "index").read_bytes() == index_before
    assert _worktree_bytes(quickstart) == files_before
    assert git(quickstart, "status", "--porcelain", "-z") == status_before
    assert git(quickstart, "rev-parse", "HEAD") == head_before
    after = git(quickstart, "for-each-ref", "refs/heads")
    assert after.replace(f"refs/heads/agentos/{summary.run_id}", "").count(
        "refs/heads"
    ) == branches_before.count("refs/heads")


SLOW_EVALUATOR = """import time
time.sleep({delay})
import settings
print(f"score: {{settings.X}}")
"""


def test_out_of_band_writer_during_the_run_is_invalid_never_keep(
    repo_factory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = repo_factory(
        {
            "settings.py": "X = 1.0  # range: 0..100\n",
            "evaluate.py": SLOW_EVALUATOR.format(delay=0.6),
            "agentos.toml": '[task]\neditable=["settings.py"]\nprotected=["evaluate.py"]\n'
            f"{ACCEPT_IMPORT_RISK}\n"
            '[metric]\ncommand="python evaluate.py"\nregex="^score: (\\\\S+)$"\ngoal="max"\n',
        }
    )
    snaps = tmp_path / "snaps"
    snaps.mkdir()
    monkeypatch.setenv("AGENTOS_SNAPSHOT_DIR", str(snaps))
    stop = threading.Event()

    def writer() -> None:  # a "linter" that rewrites the candidate's settings while it runs
        while not stop.is_set():
            for settings in snaps.glob("agentos-snap-*/tree/settings.py"):
                try:
                    if "X = 1.0 " not in settings.read_text():
                        settings.write_text("X = 1000.0\n")
                except OSError:
                    pass
            time.sleep(0.02)

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    try:
        runner.run(repo, runner.Overrides(budget=3, sandbox="local"))
    finally:
        stop.set()
        thread.join()
    experiments = run_status(repo)["experiments"]
    assert experiments and all(e["status"] == "invalid" for e in experiments)
    assert all("tree drift" in e["reason"] for e in experiments)


def _task(metric_line: str) -> dict[str, str]:
    return {
        "settings.py": "X = 1.0  # range: 0..100\n",
        "evaluate.py": f"import settings\n{metric_line}\n",
        "agentos.toml": '[task]\neditable=["settings.py"]\nprotected=["evaluate.py"]\n'
            f"{ACCEPT_IMPORT_RISK}\n"
        '[metric]\ncommand="python evaluate.py"\nregex="^score: (\\\\S+)$"\ngoal="max"\n',
    }


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ('print("score: nan")', "not finite"),
        ('print("score: inf")', "not finite"),
        ("pass", "no metric"),
        ('print("score: 1")\nprint("score: 2")', "ambiguous metric"),
        ('print("score: fast")', "not a number"),
    ],
)
def test_a_bad_metric_is_invalid_with_its_reason(repo_factory, line: str, reason: str) -> None:
    repo = repo_factory(_task(line))
    summary = runner.run(repo, runner.Overrides(budget=2, sandbox="local"))
    assert "baseline does not measure" in summary.status
    rows = list(Ledger(repo / ".agentos" / "ledger.db").rows())
    assert rows[0]["status"] == "invalid" and reason in rows[0]["reason"]


def test_a_candidate_metric_that_turns_nan_is_invalid(repo_factory) -> None:
    repo = repo_factory(_task("print(f\"score: {float('nan') if settings.X != 1.0 else 1.0}\")"))
    runner.run(repo, runner.Overrides(budget=3, sandbox="local"))
    experiments = run_status(repo)["experiments"]
    assert [e["status"] for e in experiments] == ["invalid"] * 3
    assert all("not finite" in e["reason"] for e in experiments)


@pytest.mark.parametrize(
    ("toml", "needle"),
    [
        ("[task\n", "not valid TOML"),
        ('[task]\neditable=["a.py"]\n', "[metric] table is missing"),
        (
            '[task]\neditable=["a.py"]\n[metric]\ncommand="x"\ngoal="up"\nregex="x"\n',
            "[metric.goal]",
        ),
        ('[task]\neditable=["a.py"]\n[metric]\ncommand="x"\ngoal="max"\n', "exactly one of"),
        (
            '[task]\neditable=["../a.py"]\n[metric]\ncommand="x"\ngoal="max"\nregex="x"\n',
            "inside it",
        ),
        (
            '[task]\neditable=["a.py"]\n[metric]\ncommand="x"\ngoal="max"\nregex="("\n',
            "[metric.regex]",
        ),
        (
            '[task]\neditable=["a.py"]\n[metric]\ncommand="x"\ngoal="max"\nregex="x"\n[budget]\nexperiments=0\n',
            "[budget.experiments]",
        ),
    ],
)
def test_a_malformed_task_file_is_one_line_naming_file_and_key(
    repo_factory, toml: str, needle: str
) -> None:
    repo = repo_factory({"agentos.toml": toml, "a.py": "A = 1\n"})
    done = agentos_cli("run", str(repo), "--sandbox", "local")
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert "agentos.toml" in done.stderr and needle in done.stderr and "fix:" in done.stderr


def test_a_directory_that_is_not_a_repository(tmp_path: Path) -> None:
    done = agentos_cli("run", str(tmp_path))
    assert done.returncode == 2 and "not a git repository" in done.stderr


def test_a_repository_mid_rebase_is_refused(quickstart: Path) -> None:
    (quickstart / ".git" / "rebase-merge").mkdir()
    with pytest.raises(UserError, match="middle of a rebase"):
        runner.run(quickstart, LOCAL)


def test_a_second_orchestrator_on_the_same_repository_refuses(quickstart: Path) -> None:
    with runner.repo_lock(runner.state_dir(Repo(quickstart))):
        done = agentos_cli("run", str(quickstart), "--budget", "1", "--sandbox", "local")
    assert done.returncode == 2 and "another agentos process" in done.stderr


def test_a_change_to_a_protected_file_is_rejected_before_it_runs(
    quickstart: Path, tmp_path: Path
) -> None:
    scenario = tmp_path / "scenario.jsonl"
    edits = [
        {"path": "evaluate.py", "search": "total = 10.0", "replace": "total = 99.0"},
        {"path": "agentos.toml", "search": "experiments = 40", "replace": "experiments = 4"},
    ]
    scenario.write_text(
        "".join(
            json.dumps({"type": "proposal", "description": f"edit {e['path']}", "edits": [e]})
            + "\n"
            for e in edits
            for _ in range(3)  # the first try and both retries
        )
    )
    runner.run(
        quickstart, runner.Overrides(budget=2, sandbox="local", provider=f"script:{scenario}")
    )
    experiments = run_status(quickstart)["experiments"]
    assert [e["status"] for e in experiments] == ["rejected", "rejected"]
    assert "evaluate.py: protected" in experiments[0]["reason"]
    assert "agentos.toml: protected" in experiments[1]["reason"]
    assert all(e["commit"] == "" for e in experiments), "nothing was committed, nothing ran"


def test_a_glob_naming_a_folder_covers_what_is_below_it() -> None:
    """One matcher for the loop and the gates: a folder named literally or through a wildcard
    covers its contents, and `*` never crosses a folder boundary within a name."""
    from agentos.task import glob_match

    assert glob_match("eval/sub/x.py", "eval/*") and glob_match("data/a/b", "data/")
    assert glob_match("src/pkg/m.py", "src/**/*.py") and glob_match("m.py", "**/*.py")
    assert not glob_match("evaluate.py", "eval") and not glob_match("src/m.pyc", "src/*.py")


class _HoldoutFalls:
    """Train metric: the quickstart's own score; held-out: its opposite. Every gain is a held-out
    loss, so a veto that sees the baseline's held-out figures refuses every candidate."""

    def __init__(self, task: object) -> None:
        from agentos.evaluate import MetricEvaluator
        from agentos.sandbox import get_backend

        self.inner = MetricEvaluator(task, get_backend("local"))  # type: ignore[arg-type]

    def evaluate(self, tree: Path, commit: str) -> object:
        import dataclasses

        e = self.inner.evaluate(tree, commit)
        if e.metric is None:
            return e
        return dataclasses.replace(e, details={"train": e.metric}, holdout={"all": -e.metric})

    def veto(self, incumbent: object, candidate: object) -> str | None:
        before = incumbent.holdout.get("all")  # type: ignore[attr-defined]
        after = candidate.holdout.get("all")  # type: ignore[attr-defined]
        if before is None or after is None:
            return None  # nothing to compare with: the bug this test guards against
        return "held-out fell" if after < before else None


def test_the_baseline_point_carries_the_evaluators_figures_for_the_veto(quickstart: Path) -> None:
    from agentos.git import Repo
    from agentos.task import load_task

    task = load_task(quickstart)
    repo = Repo(quickstart)
    state = runner.state_dir(repo)
    with runner.repo_lock(state):
        ledger = Ledger(state / "ledger.db")
        rt = runner.start_run(
            task, repo, ledger, overrides=runner.Overrides(budget=8),
            evaluator=_HoldoutFalls(task),  # type: ignore[arg-type]
        )  # fmt: skip
        runner.drive(rt)
    rows = [r for r in ledger.rows(rt.run_id) if r["kind"] != "baseline"]
    baseline = next(r for r in ledger.rows(rt.run_id) if r["kind"] == "baseline")
    assert json.loads(baseline["holdout"])["all"] == -baseline["metric"]
    assert any(r["reason"].startswith("vetoed: held-out fell") for r in rows)
    assert not any(r["status"] == "keep" for r in rows)


class _TwoThenNothing:
    """Proposes two edits of the quickstart's settings, then has nothing left to try."""

    name = "two-then-nothing"

    def propose(self, request: object) -> object:
        from agentos.providers.base import NothingToPropose, Proposal

        if request.experiment > 2:  # type: ignore[attr-defined]
            raise NothingToPropose("both ideas tried")
        exp = request.experiment  # type: ignore[attr-defined]
        text = request.files["settings.py"]  # type: ignore[attr-defined]
        new = re.sub(r"DEPTH = \d+", f"DEPTH = {1 + exp}", text)
        return Proposal(f"depth {exp}", components={"settings.py": new})

    def review(self, request: object) -> object:
        from agentos.providers.heuristic import review_rubric

        return review_rubric(request)  # type: ignore[arg-type]


def test_a_proposer_with_nothing_left_ends_the_run_instead_of_spending_it(
    quickstart: Path,
) -> None:
    from agentos.git import Repo
    from agentos.task import load_task

    task, repo = load_task(quickstart), Repo(quickstart)
    state = runner.state_dir(repo)
    with runner.repo_lock(state):
        ledger = Ledger(state / "ledger.db")
        rt = runner.start_run(
            task, repo, ledger, overrides=runner.Overrides(budget=10),
            provider=_TwoThenNothing(),  # type: ignore[arg-type]
        )  # fmt: skip
        summary = runner.drive(rt)
    rows = [r for r in ledger.rows(rt.run_id) if r["kind"] != "baseline"]
    assert [r["description"] for r in rows] == ["depth 1", "depth 2"]
    assert "rejected" not in {r["status"] for r in rows}
    assert summary.status == "the proposer has nothing left to try: both ideas tried"
