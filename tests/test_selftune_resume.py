"""`kill -9` of `agentos self-tune` mid-run, then `agentos resume`: the outer run continues from
its checkpoint with its own evaluator (rebuilt from its task file), every experiment has one
terminal row per attempt, and the sealed test is read at the end as in an unbroken run."""

from __future__ import annotations

import os
import re
import secrets
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conformance.executor_suite import marked_pids
from helpers import agentos_cli, quickstart_copy, resumed_attempts
from test_selftune import small_suite

from agentos import runner
from agentos.errors import UserError
from agentos.selftune import is_self_tune


def _experiments(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            sql = "select count(*) from experiments where kind = 'experiment'"
            return int(conn.execute(sql).fetchone()[0])
    except sqlite3.Error:
        return 0


@pytest.mark.timeout(600)  # two self-tune processes, each starting agentos in the sandbox
def test_kill9_of_self_tune_then_agentos_resume(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    suite = small_suite(tmp_path / "suite")
    mark = secrets.token_hex(8)  # every process the driver starts inherits it
    exe = str(Path(sys.executable).parent / "agentos")
    log = tmp_path / "run.log"
    with open(log, "wb") as sink:
        proc = subprocess.Popen(
            [exe, "self-tune", "--out", str(out), "--suite", str(suite), "--budget", "12"],
            stdout=sink, stderr=subprocess.STDOUT, env={**os.environ, "AGENTOS_TEST_MARK": mark},
        )
    db = out / ".agentos" / "ledger.db"
    deadline = time.monotonic() + 240
    # killed once the first experiment is recorded: re-measures spend the budget too, and the
    # screened outer run of budget 6 could record its end between the first experiment and the kill;
    # the first experiment is a screen point, drawn twice after the start's four measurements
    while time.monotonic() < deadline and _experiments(db) < 1 and proc.poll() is None:
        time.sleep(0.05)
    assert proc.poll() is None, f"the run ended before it was killed: {log.read_text()[-2000:]}"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    done_before = _experiments(db)
    assert 1 <= done_before < 12
    assert "baseline: " in log.read_text()  # the outer run's progress, a line an experiment
    deadline = time.monotonic() + 20
    while marked_pids(mark) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not marked_pids(mark), "a process of the killed self-tune outlived it"
    assert not (out / "tuned-profile.toml").exists()

    assert is_self_tune(out)
    with pytest.raises(UserError, match="measures with the self-tune evaluator"):
        runner.resume(out)  # the plain library resume cannot rebuild its evaluator
    monkeypatch.setenv("AGENTOS_TEST_MARK", mark)
    done = agentos_cli("resume", str(out), timeout=300)
    assert done.returncode == 0, done.stderr
    lines = dict(line.split(": ", 1) for line in done.stdout.splitlines() if ": " in line)
    # the budget is spent: experiments and re-measure runs (each measurement runs on fresh inner
    # seeds, so a gain within the noise is re-measured)
    experiments = int(lines["experiments"])
    remeasures = int(lines.get("remeasure_runs", "0").split()[0])
    assert experiments + remeasures == 12 and experiments >= done_before
    assert "(95% CI" in lines["test_gain_diff"] and lines["test"].startswith("tuned ")
    assert (out / "tuned-profile.toml").is_file()
    assert re.search(r"^experiment \d+/12: (keep|discard) .* spent=\d+/12 ", done.stderr,
                     re.MULTILINE)  # the screen's second draws spend the budget too
    assert "final figures: " in done.stderr and "the sealed test (" in done.stderr

    _, finals = resumed_attempts(db, experiments)
    assert all(attempts[-1]["status"] in ("keep", "discard") for attempts in finals.values())
    assert not marked_pids(mark)
    again = agentos_cli("resume", str(out))
    assert again.returncode == 2 and "already finished" in again.stderr


def test_a_plain_run_is_not_a_self_tune_run(tmp_path: Path) -> None:
    repo = quickstart_copy(tmp_path / "q")
    assert not is_self_tune(repo)  # no ledger yet
    runner.run(repo, runner.Overrides(budget=1, sandbox="local"))
    assert not is_self_tune(repo)
