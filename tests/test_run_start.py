"""`agentos run` refuses to waste its budget: bad input fails before anything is recorded (exit 2),
a baseline that does not measure ends the run (exit 1, no branch), Ctrl-C exits 130 naming
`agentos resume`, and `resume` after an early kill continues or says how to start."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from click.testing import CliRunner
from helpers import agentos_cli, git, quickstart_copy

from agentos.cli.main import main
from agentos.ledger import Ledger
from agentos.status import run_status

SLOW_EVALUATOR = """import time
import settings
time.sleep({seconds})
print("score:", settings.WIDTH)
"""


def _repo(tmp_path: Path, toml: tuple[str, str] | None = None, **files: str) -> Path:
    repo = quickstart_copy(tmp_path / "qs", files)
    if toml is not None:
        path = repo / "agentos.toml"
        path.write_text(path.read_text().replace(*toml))
        git(repo, "commit", "-qam", "task")
    return repo


def _runs(db: Path) -> int:
    if not db.exists():
        return 0
    try:  # read-only: a plain connect would create an empty file agentos then refuses
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            return int(conn.execute("select count(*) from runs").fetchone()[0])
    except sqlite3.Error:
        return 0


def _wait_for_run(proc: subprocess.Popen[bytes], db: Path, log: Path) -> None:
    deadline = time.monotonic() + 120
    while _runs(db) < 1 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _runs(db) == 1, f"the run was not recorded in time: {log.read_text()[-2000:]}"


def test_an_unknown_tool_fails_at_once_and_records_nothing(tmp_path: Path) -> None:
    repo = _repo(tmp_path, ('gates = ["data-only"]', 'gates = ["mypyy"]'))
    done = agentos_cli("run", str(repo))
    assert done.returncode == 2
    assert "[tools] gates: unknown tool 'mypyy'" in done.stderr
    assert "did you mean `mypy`?" in done.stderr
    assert not (repo / ".agentos" / "ledger.db").exists()


def test_an_editable_surface_that_is_all_protected_fails_at_once(tmp_path: Path) -> None:
    repo = _repo(tmp_path, ('protected = ["evaluate.py"]', 'protected = ["*"]'))
    result = CliRunner().invoke(main, ["run", str(repo)])
    assert result.exit_code == 2
    assert "every file [task] editable (settings.py) matches is protected by *" in result.stderr
    assert not (repo / ".agentos" / "ledger.db").exists()


def test_a_baseline_that_does_not_measure_exits_1_without_a_branch(tmp_path: Path) -> None:
    repo = _repo(tmp_path, **{"evaluate.py": "import settings\nraise SystemExit('no GPU found')\n"})
    done = agentos_cli("run", str(repo), "--sandbox", "local")
    assert done.returncode == 1, done.stderr
    lines = done.stdout.splitlines()
    assert "branch: none" in lines and "baseline: -" in lines
    assert git(repo, "branch", "--list", "agentos/*").strip() == ""
    err = done.stderr.splitlines()
    assert "  | no GPU found" in err
    assert err[-1].startswith(
        "agentos: error: the baseline does not measure: crash: exit code 1: no GPU found; fix: "
    )
    rows = list(Ledger(repo / ".agentos" / "ledger.db").rows())
    assert [(r["kind"], r["status"]) for r in rows] == [("baseline", "crash")]
    assert rows[0]["reason"] == "crash: exit code 1: no GPU found"


def test_uncommitted_edits_are_named_when_the_run_starts(tmp_path: Path) -> None:
    repo = _repo(tmp_path, ("[search]", "[search]\nnoise_reruns = 0"))
    (repo / "settings.py").write_text((repo / "settings.py").read_text() + "\nEXTRA = 1\n")
    head = git(repo, "rev-parse", "HEAD").strip()[:12]
    result = CliRunner().invoke(main, ["run", str(repo), "--budget", "1", "--sandbox", "local"])
    assert result.exit_code == 0, result.output
    assert (
        "agentos: warning: uncommitted changes to settings.py: the run uses the commit HEAD "
        f"{head}, not your working tree" in result.stderr
    )
    assert "branch: agentos/" in result.stdout


def test_a_second_run_that_would_repeat_the_first_ones_proposals_says_so(tmp_path: Path) -> None:
    """The offline proposer is deterministic: the same commit, task file and seed give the same
    experiments, so a user who runs again to search further is told to change the seed."""
    repo = _repo(tmp_path, ("[search]", "[search]\nnoise_reruns = 0"))
    args = ["run", str(repo), "--budget", "2", "--sandbox", "local"]
    first = CliRunner().invoke(main, args)
    assert first.exit_code == 0, first.output
    assert "searched this commit" not in first.stderr
    again = CliRunner().invoke(main, args)
    assert again.exit_code == 0, again.output
    runs = [line.split(": ")[1] for out in (first, again) for line in out.stdout.splitlines()
            if line.startswith("run: ")]
    assert f"run {runs[0]} searched this commit with the same task file" in again.stderr
    assert "pass --seed N" in again.stderr
    described = [[e["description"] for e in run_status(repo, run_id=r)["experiments"]]
                 for r in runs]
    assert described[0] == described[1]  # what the notice says: the same experiments again
    other = CliRunner().invoke(main, [*args, "--seed", "7"])
    assert other.exit_code == 0 and "searched this commit" not in other.stderr, other.output


def test_ctrl_c_exits_130_and_names_resume_which_then_finishes(tmp_path: Path) -> None:
    repo = _repo(
        tmp_path,
        ("[search]", '[sandbox]\nbackend = "local"\n[search]'),
        **{"evaluate.py": SLOW_EVALUATOR.format(seconds=0.5)},
    )
    log = tmp_path / "run.log"
    exe = str(Path(sys.executable).parent / "agentos")
    with open(log, "wb") as out:
        proc = subprocess.Popen([exe, "run", str(repo), "--budget", "3"], stdout=out, stderr=out)
    _wait_for_run(proc, repo / ".agentos" / "ledger.db", log)
    time.sleep(0.3)
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=60) == 130, log.read_text()[-2000:]
    text = log.read_text()
    assert "agentos: interrupted; run " in text
    assert f"is checkpointed: continue it with `agentos resume {repo}`" in text

    done = agentos_cli("resume", str(repo))
    assert done.returncode == 0, done.stderr
    assert "experiments: 3" in done.stdout


def test_resume_with_nothing_recorded_says_how_to_start(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    result = CliRunner().invoke(main, ["resume", str(repo)])
    assert result.exit_code == 2
    assert "nothing to resume: no run was recorded in this repository" in result.stderr
    assert "start one with `agentos run`" in result.stderr and "None" not in result.stderr
    assert not (repo / ".agentos").exists(), "resume created state where there was none"

    # the state a kill leaves between opening the ledger and recording the run: an empty ledger
    (repo / ".agentos").mkdir()
    Ledger(repo / ".agentos" / "ledger.db").close()
    result = CliRunner().invoke(main, ["resume", str(repo)])
    assert result.exit_code == 2
    assert "nothing to resume" in result.stderr and "None" not in result.stderr
    result = CliRunner().invoke(main, ["status", str(repo)])
    assert result.exit_code == 2
    assert "no run is recorded here yet" in result.stderr and "None" not in result.stderr


def test_kill_9_during_the_baseline_then_resume_measures_it_once_and_finishes(
    tmp_path: Path,
) -> None:
    """Killed after the run row and before the baseline node's checkpoint."""
    repo = _repo(
        tmp_path,
        ("[search]", '[sandbox]\nbackend = "local"\n[search]\nnoise_reruns = 0'),
        **{"evaluate.py": SLOW_EVALUATOR.format(seconds=2)},
    )
    db = repo / ".agentos" / "ledger.db"
    log = tmp_path / "run.log"
    exe = str(Path(sys.executable).parent / "agentos")
    with open(log, "wb") as out:
        proc = subprocess.Popen([exe, "run", str(repo), "--budget", "1"], stdout=out, stderr=out)
    _wait_for_run(proc, db, log)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    ledger = Ledger(db)
    run_id = ledger.latest_run()
    assert run_id is not None and list(ledger.rows(run_id)) == []  # no baseline row yet
    ledger.close()

    done = agentos_cli("resume", str(repo))
    assert done.returncode == 0, done.stderr
    assert f"run: {run_id}" in done.stdout and "experiments: 1" in done.stdout
    rows = list(Ledger(db).rows(run_id))
    assert [r["kind"] for r in rows].count("baseline") == 1
    assert rows[0]["status"] == "keep" and rows[0]["metric"] == 16.0


def test_a_seed_or_strategy_from_the_command_line_keeps_the_search_space(tmp_path: Path) -> None:
    """`--seed` and `--strategy` replace those two keys of [search] only: the space table, which
    here fixes every setting but WIDTH, still holds."""
    fixed = "".join(f'"settings.py:{n}" = {{type = "fixed"}}\n' for n in
                    ("LEARNING_RATE", "DEPTH", "DROPOUT", "USE_NORM", "ACTIVATION"))
    repo = _repo(tmp_path, ("seed = 0\n", f"seed = 0\n\n[search.space]\n{fixed}"))
    done = agentos_cli("run", str(repo), "--seed", "7", "--strategy", "greedy", "--budget", "3",
                       "--sandbox", "local", "--provider", "heuristic")
    assert done.returncode == 0, done.stderr
    changes = [e["description"] for e in run_status(repo)["experiments"]]
    assert len(changes) == 3 and all(c.startswith("WIDTH ") and "," not in c.split("|")[0]
                                     for c in changes), changes


def test_the_lock_is_free_once_released_though_a_forked_child_shares_its_file(
    tmp_path: Path,
) -> None:
    """A worker thread that forks to start a sandboxed metric shares the lock's open file until
    the child execs; closing ours alone left the lock held, and a resume right after a stopped
    run was refused. Releasing unlocks first, so the next run takes the lock at once."""
    import os

    from agentos.runner import repo_lock
    from agentos.runner.start import check_unlocked

    with repo_lock(tmp_path):
        child = os.fork()
        if child == 0:  # holds a copy of every descriptor, as a child between fork and exec
            time.sleep(3)
            os._exit(0)
    try:
        check_unlocked(tmp_path)  # raised LockedError while the child lived
        with repo_lock(tmp_path):
            pass
    finally:
        os.kill(child, signal.SIGKILL)
        os.waitpid(child, 0)
