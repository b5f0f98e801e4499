"""Crash and resume: kill -9 of the orchestrator mid-experiment loses and repeats nothing."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from helpers import (
    ACCEPT_IMPORT_RISK,
    UNSCREENED_FILE,
    UNSCREENED_KEY,
    agentos_cli,
    alive,
    resumed_attempts,
)

from agentos.ledger import Ledger
from agentos.status import run_status

EVALUATOR = """import os, time
import settings
with open({pidfile!r}, "a") as fh:
    fh.write(f"{{os.getpid()}}\\n")
time.sleep(0.4)
print(f"score: {{-abs(settings.X - 42.0)}}")
"""


def _rows(db: Path) -> int:
    if not db.exists():
        return 0
    try:  # read-only: a plain connect would create an empty file agentos then refuses
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            return int(conn.execute("select count(*) from experiments").fetchone()[0])
    except sqlite3.Error:
        return 0


def test_kill9_mid_run_then_resume_completes_without_loss_or_duplicates(
    repo_factory, tmp_path: Path
) -> None:
    pidfile = tmp_path / "pids.txt"
    repo = repo_factory(
        {
            "settings.py": "X = 10.0  # range: 0..100\n",
            "evaluate.py": EVALUATOR.format(pidfile=str(pidfile)),
            "agentos.toml": '[task]\neditable=["settings.py"]\nprotected=["evaluate.py"]\n'
            f"{ACCEPT_IMPORT_RISK}\n"
            '[metric]\ncommand="python evaluate.py"\nregex="^score: (\\\\S+)$"\ngoal="max"\n'
            '[budget]\nexperiments=8\n[sandbox]\nbackend="local"\n',
        }
    )
    exe = str(Path(sys.executable).parent / "agentos")
    log = tmp_path / "run.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([exe, "run", str(repo)], stdout=out, stderr=subprocess.STDOUT)
    db = repo / ".agentos" / "ledger.db"
    deadline = time.monotonic() + 180  # generous: CI machines can be slow to start Python
    while _rows(db) < 4 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _rows(db) >= 4, f"the run did not get going in time: {log.read_text()[-2000:]}"
    time.sleep(0.2)  # land inside the next experiment's metric command
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    pids = [int(p) for p in pidfile.read_text().split()]
    time.sleep(0.5)
    assert not [p for p in pids if alive(p)], "a metric process outlived the orchestrator"

    shown = agentos_cli("status", str(repo))  # the killed run: nobody runs it, resume does
    hint = f"state: not finished, no process running it: continue it with `agentos resume {repo}`"
    assert hint in shown.stdout, shown.stdout
    assert run_status(repo)["state"] == "interrupted"
    done = agentos_cli("resume", str(repo))
    assert done.returncode == 0, done.stderr
    assert "experiments: 8" in done.stdout
    assert "experiment 8/8: " in done.stderr and "/?" not in done.stderr  # the run's budget
    # the summary's counts are of experiments (their last attempt), the retried attempts apart
    lines = dict(line.split(": ", 1) for line in done.stdout.splitlines() if ": " in line)
    head = {"run", "status", "baseline", "best", "best_commit", "branch", "experiments"}
    rest = {"elapsed_s", "retried", "remeasure_runs"}
    counts = {k: int(v) for k, v in lines.items() if k not in head | rest}
    assert sum(counts.values()) == 8, lines
    assert int(lines.get("retried", "0")) >= 1, lines  # the attempt the kill cut short

    resumed_attempts(db, 8)
    status = run_status(repo)
    assert status["finished"] and status["state"] == "finished" and not status["host"]
    assert "state: finished (budget: 8 experiments)" in agentos_cli("status", str(repo)).stdout
    again = agentos_cli("resume", str(repo))
    assert again.returncode == 2 and "already finished" in again.stderr
    assert not [p for p in map(int, pidfile.read_text().split()) if alive(p)]


# Noisy (the score alternates by 1 call to call), the first experiment a little ahead: it is
# re-measured, and the call that would re-measure it hangs until the orchestrator is killed.
NOISY = """import os, time
import settings
calls = {calls!r}
n = len(open(calls).read().split()) if os.path.exists(calls) else 0
with open(calls, "a") as fh:
    fh.write(f"{{os.getpid()}}\\n")
if n == {hang}:
    time.sleep(120)
print(f"score: {{(n % 2) + (1.2 if n == {first} else 0.0)}}")
"""


def test_kill9_during_a_remeasure_then_resume_records_the_experiment(
    repo_factory, tmp_path: Path
) -> None:
    calls = tmp_path / "calls.txt"
    baseline = 4  # 1 + the shipped profile's noise_reruns (3)
    repo = repo_factory(
        {
            "settings.py": "X = 10.0  # range: 0..100\n",
            "evaluate.py": NOISY.format(calls=str(calls), hang=baseline + 1, first=baseline),
            "agentos.toml": '[task]\neditable=["settings.py"]\nprotected=["evaluate.py"]\n'
            f"{ACCEPT_IMPORT_RISK}\n"
            '[metric]\ncommand="python evaluate.py"\nregex="^score: (\\\\S+)$"\ngoal="max"\n'
            '[budget]\nexperiments=4\n'  # room to re-measure
            f'[search]\n{UNSCREENED_KEY}[sandbox]\nbackend="local"\n',
            **UNSCREENED_FILE,
        }
    )
    exe = str(Path(sys.executable).parent / "agentos")
    log = tmp_path / "run.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([exe, "run", str(repo)], stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 180
    while (not calls.exists() or len(calls.read_text().split()) <= baseline + 1) and (
        time.monotonic() < deadline
    ):
        time.sleep(0.05)
    assert len(calls.read_text().split()) > baseline + 1, log.read_text()[-2000:]
    time.sleep(0.3)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    hung = int(calls.read_text().split()[baseline + 1])
    deadline = time.monotonic() + 10
    while alive(hung) and time.monotonic() < deadline:
        time.sleep(0.1)

    done = agentos_cli("resume", str(repo))
    assert done.returncode == 0, done.stderr
    # the summary says where the budget went: re-measures count in it
    assert "remeasure_runs: " in done.stdout and "(counted in the experiment budget)" in done.stdout
    ledger = Ledger(repo / ".agentos" / "ledger.db")
    assert ledger.verify() == []
    rows = [r for r in ledger.rows() if r["kind"] == "experiment"]
    first = [r for r in rows if r["id"] == 1]
    # the kill landed in experiment 1's re-measure: the premise of this test
    assert first and len(first[-1]["samples"] or []) >= 2, first
    # its decision is recorded once, with its measurements, not as a crash never retried
    assert [r["status"] for r in first] in (["keep"], ["discard"]), first
    assert ledger.open_attempts(ledger.latest_run() or "") == []


# Every measurement after the baseline's four is a little ahead, in noise of the same size: the
# noise rule keeps asking for re-measures, which the experiment budget must bound.
UNSURE = """import os
import settings
calls = {calls!r}
n = len(open(calls).read().split()) if os.path.exists(calls) else 0
with open(calls, "a") as fh:
    fh.write(f"{{os.getpid()}}\\n")
print(f"score: {{(n % 2) + (0.6 if n >= 4 else 0.0)}}")
"""


def test_re_measures_never_take_a_run_past_the_experiment_budget(repo_factory, tmp_path) -> None:
    from agentos import runner

    calls = tmp_path / "calls.txt"
    repo = repo_factory(
        {
            "settings.py": "X = 10.0  # range: 0..100\n",
            "evaluate.py": UNSURE.format(calls=str(calls)),
            "agentos.toml": '[task]\neditable=["settings.py"]\nprotected=["evaluate.py"]\n'
            f"{ACCEPT_IMPORT_RISK}\n"
            '[metric]\ncommand="python evaluate.py"\nregex="^score: (\\\\S+)$"\ngoal="max"\n'
            f'[budget]\nexperiments=5\n[search]\n{UNSCREENED_KEY}[sandbox]\nbackend="local"\n',
            **UNSCREENED_FILE,
        }
    )
    summary = runner.run(repo)
    after_baseline = len(calls.read_text().split()) - 4
    assert summary.remeasures > 0, summary  # the premise: the rule did re-measure
    assert after_baseline == summary.experiments + summary.remeasures <= 5, summary
    rows = [r for r in Ledger(repo / ".agentos" / "ledger.db").rows() if r["kind"] == "experiment"]
    assert any("no runs left to re-measure" in (r["reason"] or "") for r in rows) or (
        after_baseline < 5
    ), rows
