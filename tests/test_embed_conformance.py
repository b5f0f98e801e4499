"""From the host's side: a LangGraph app embedding agentos (examples/embed/host_app.py) runs in a
child process with its own SqliteSaver, is killed with SIGKILL (mid-proposal, mid-experiment, at a
check-in) or exits at a check-in, and a new process resumes it from the host's checkpointer.
Whatever the interruption: one run, every experiment exactly once, the best promoted, the ledger
verifies; two threads are two runs."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import EXAMPLES, agentos_cli, git

from agentos.ledger import Ledger
from agentos.status import run_status

HOST = EXAMPLES / "embed" / "host_app.py"
BLOCKING_HOST = Path(__file__).with_name("embed_blocking_host.py")
BUDGET = 6
EVALUATOR = """import time
import settings
time.sleep(0.3)
print(f"score: {-abs(settings.X - 42.0)}")
"""


@pytest.fixture
def repo(repo_factory) -> Path:
    return repo_factory(
        {
            "settings.py": "X = 10.0  # range: 0..100\n",
            "evaluate.py": EVALUATOR,
            "agentos.toml": '[task]\neditable=["settings.py"]\nprotected=["evaluate.py"]\n'
            '[metric]\ncommand="python evaluate.py"\nregex="^score: (\\\\S+)$"\ngoal="max"\n'
            f"[budget]\nexperiments={BUDGET}\n",
        }
    )


def _host(repo: Path, db: Path, thread: str, *flags: str) -> list[str]:
    return [sys.executable, str(HOST), str(repo), "--db", str(db), "--thread", thread, *flags]


def _experiments(repo: Path) -> int:
    db = repo / ".agentos" / "ledger.db"
    if not db.exists():
        return 0
    try:  # read-only: a plain connect would create an empty file agentos then refuses
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            return int(conn.execute("select count(*) from experiments where id > 0").fetchone()[0])
    except sqlite3.Error:
        return 0


def _open_attempt(repo: Path) -> int:
    """The experiment whose metric command is running now (an attempt with no row), or 0."""
    db = repo / ".agentos" / "ledger.db"
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            row = conn.execute(
                "select max(a.id) from attempts a left join experiments e on e.run_id = a.run_id"
                " and e.id = a.id and e.attempt = a.attempt where e.seq is null and a.id > 0"
            ).fetchone()
            return int(row[0] or 0)
    except sqlite3.Error:
        return 0


def _kill_mid_experiment(cmd: list[str], repo: Path, exp: int, tmp: Path) -> None:
    """Start the host, wait until experiment `exp` (or a later one) is being measured, SIGKILL
    it there: that attempt must come back as `crash` and run again."""
    _kill_when(cmd, lambda: _open_attempt(repo) >= exp, tmp, settle=0.05)


def _kill_after(cmd: list[str], repo: Path, rows: int, tmp: Path, settle: float) -> None:
    """Start the host, wait for `rows` experiments in the ledger, then `settle` s, SIGKILL it."""
    _kill_when(cmd, lambda: _experiments(repo) >= rows, tmp, settle)


def _kill_when(cmd: list[str], ready: Callable[[], bool], tmp: Path, settle: float) -> None:
    log = tmp / f"host-{time.monotonic_ns()}.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 180
    while not ready() and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.02)
    assert proc.poll() is None, f"the host ended before it was killed: {log.read_text()[-2000:]}"
    assert ready(), f"the host never reached the kill point: {log.read_text()[-2000:]}"
    time.sleep(settle)
    proc.send_signal(signal.SIGKILL)
    proc.wait()


def _finish(cmd: list[str]) -> tuple[dict[str, object], str]:
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    line = next(x for x in done.stdout.splitlines() if x.startswith("result: "))
    return json.loads(line.removeprefix("result: ")), done.stdout


def _assert_one_complete_run(repo: Path, result: dict[str, object]) -> dict[int, list[str]]:
    db = repo / ".agentos" / "ledger.db"
    ledger = Ledger(db)
    try:
        runs = [r["run_id"] for r in ledger.db.table("runs").rows]
        assert runs == [result["run"]], "the resumed host started another run"
        assert ledger.verify() == []
        finals: dict[int, list[str]] = {}
        for r in ledger.rows(str(result["run"])):
            if r["kind"] not in ("baseline", "canary"):
                finals.setdefault(int(r["id"]), []).append(str(r["status"]))
        assert sorted(finals) == list(range(1, BUDGET + 1)), "an experiment was lost or repeated"
        for statuses in finals.values():  # a killed attempt is `crash`, then retried once
            assert all(s == "crash" for s in statuses[:-1]) and statuses.count("keep") <= 1
        assert ledger.open_attempts(str(result["run"])) == []
    finally:
        ledger.close()
    assert result["experiments"] == BUDGET
    status = run_status(repo)
    assert status["finished"] and status["run"] == result["run"]
    assert status["best"]["commit"] == result["best_commit"]
    branch = git(repo, "rev-parse", f"refs/heads/agentos/{result['run']}").strip()
    assert branch == result["best_commit"], "the best was not promoted to the run's branch"
    assert result["best"] is not None and result["baseline"] is not None
    assert float(str(result["best"])) > float(str(result["baseline"]))
    verify = agentos_cli("ledger", "verify", str(repo))
    assert verify.returncode == 0 and "ledger: ok" in verify.stdout
    return finals


@pytest.mark.parametrize("flags", [(), ("--use-async",)], ids=["SqliteSaver", "AsyncSqliteSaver"])
def test_host_killed_twice_mid_experiment_resumes_its_own_run(
    repo: Path, tmp_path: Path, flags: tuple[str, ...]
) -> None:
    cmd = _host(repo, tmp_path / "host.db", "t1", *flags)
    _kill_mid_experiment(cmd, repo, 2, tmp_path)
    _kill_mid_experiment(cmd, repo, 5, tmp_path)
    result, out = _finish(cmd)
    finals = _assert_one_complete_run(repo, result)
    crashed = sorted(i for i, statuses in finals.items() if "crash" in statuses)
    assert len(crashed) == 2 and crashed[0] >= 2 and crashed[1] >= 5, finals
    assert f"(budget: {BUDGET} experiments)" in out


@pytest.mark.parametrize("flags", [(), ("--use-async",)], ids=["SqliteSaver", "AsyncSqliteSaver"])
def test_host_killed_mid_proposal_resumes_its_own_run(
    repo: Path, tmp_path: Path, flags: tuple[str, ...]
) -> None:
    """The kill lands while `propose` runs (a proposer that blocks on experiment 4 until killed):
    no attempt was started, so nothing crashed; the resumed host proposes experiment 4 again."""
    marker = tmp_path / "proposing"
    cmd = _host(repo, tmp_path / "host.db", "t1", "--provider", f"blocking:{marker}@4", *flags)
    cmd[1] = str(BLOCKING_HOST)
    _kill_when(cmd, marker.exists, tmp_path, settle=0.05)
    assert marker.read_text().strip().isdigit()  # the host's own process was in `propose`
    assert _experiments(repo) == 3 and _open_attempt(repo) == 0
    result, out = _finish(cmd)
    finals = _assert_one_complete_run(repo, result)
    assert all(len(statuses) == 1 for statuses in finals.values()), finals
    assert f"(budget: {BUDGET} experiments)" in out


def test_host_exits_at_a_checkin_and_a_new_process_continues(repo: Path, tmp_path: Path) -> None:
    cmd = _host(repo, tmp_path / "host.db", "t1")
    paused = subprocess.run([*cmd, "--pause"], capture_output=True, text=True, timeout=300)
    assert paused.returncode == 0, paused.stderr[-3000:]
    assert "checkin: 3 " in paused.stdout and "paused: at a check-in" in paused.stdout
    assert _experiments(repo) == 3
    # the lock went with the process; a run stays open in the ledger until the host continues
    status = run_status(repo)
    assert not status["finished"] and status["state"] == "interrupted" and status["host"]
    shown = agentos_cli("status", str(repo)).stdout
    assert "state: not finished, no process running it: the host application's" in shown
    # the host's checkpointer holds this run: `agentos resume` says so instead of re-measuring
    refused = agentos_cli("resume", str(repo))
    assert refused.returncode == 2 and "resume it from that application" in refused.stderr
    result, out = _finish(cmd)
    assert "checkin: 3 " in out  # the same check-in, now answered
    _assert_one_complete_run(repo, result)


def test_host_killed_at_a_checkin_then_resumed(repo: Path, tmp_path: Path) -> None:
    cmd = _host(repo, tmp_path / "host.db", "t1")
    _kill_after(cmd, repo, 3, tmp_path, settle=0.6)  # the check-in follows the 3rd at once
    result, _ = _finish(cmd)
    _assert_one_complete_run(repo, result)


def test_two_host_threads_are_two_runs(repo: Path, tmp_path: Path) -> None:
    db = tmp_path / "host.db"
    first, _ = _finish(_host(repo, db, "t1"))
    second, _ = _finish(_host(repo, db, "t2"))
    assert first["run"] != second["run"]
    ledger = Ledger(repo / ".agentos" / "ledger.db")
    try:
        runs = {r["run_id"]: r for r in ledger.db.table("runs").rows}
        assert set(runs) == {first["run"], second["run"]}
        assert all(r["finished_at"] for r in runs.values())
    finally:
        ledger.close()
    for result in (first, second):
        branch = git(repo, "rev-parse", f"refs/heads/agentos/{result['run']}").strip()
        assert branch == result["best_commit"]
    again, _ = _finish(_host(repo, db, "t1"))  # a finished thread is not run again
    assert again == first
