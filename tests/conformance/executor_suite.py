"""The conformance suite every executor passes (`agentos.executors.base.Executor`).

`assert_executor_conforms(make, tmp)` builds a small repository and task in `tmp`, then checks,
with executors made by `make(workers)`: a job's measurement is the metric of the commit it names,
with the snapshot's digest; jobs run at once up to the capacity; bytes that differ from their blob
ids are `invalid` before anything runs; every job comes back from `wait` exactly once; a cancelled
job comes back with an error and no measurement, and a running one has its metric process killed
within two seconds; `close` leaves nothing pending. A third-party
executor's tests call it the way `tests/conformance/test_executor_conformance.py` does.
"""

from __future__ import annotations

import dataclasses
import os
import secrets
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from agentos.evaluate import MetricEvaluator
from agentos.executors import Done, Executor, pack
from agentos.git import Repo
from agentos.integrity import tree_digest
from agentos.sandbox import get_backend
from agentos.task import parse_task

SLEEP = 1.0
TOML = (
    '[task]\neditable=["settings.py"]\nprotected=["evaluate.py"]\ncanary_every=0\n'
    '[metric]\ncommand="python evaluate.py {mark}"\nregex="^score: (\\\\S+)$"\ngoal="max"\n'
    '[sandbox]\nbackend="{backend}"\n'
)
EVALUATE = (
    "import json, os, time\n"
    "x = json.load(open(os.path.join(os.environ['AGENTOS_SETTINGS'], 'settings.py.json')))"
    "['X']\n"
    "time.sleep(x if x < 10 else 0)\n"
    "print(f'score: {x * 2}')\n"
)


def make_commits(
    root: Path, values: list[float], backend: str = "local", mark: str = ""
) -> tuple[Repo, list[str]]:
    """A repository with one commit per value of `settings.X` (the metric is `2 * X`; an `X`
    under 10 is also how many seconds the metric sleeps); `mark` is an argument of the metric's
    command, to find its processes (`metric_pids`)."""
    root.mkdir(parents=True)
    (root / "evaluate.py").write_text(EVALUATE)
    (root / "agentos.toml").write_text(TOML.format(backend=backend, mark=mark))

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@l", *args],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()

    git("init", "-q")
    commits = []
    for value in values:
        (root / "settings.py").write_text(f"X = {value}\n")
        git("add", "-A")
        git("commit", "-q", "-m", f"X={value}")
        commits.append(git("rev-parse", "HEAD"))
    return Repo(root), commits


def evaluator_for(repo: Repo) -> MetricEvaluator:
    task = parse_task(
        __import__("tomllib").loads((repo.root / "agentos.toml").read_text()),
        root=repo.root,
        path=repo.root / "agentos.toml",
    )
    return MetricEvaluator(task, get_backend(task.sandbox))


def cancel_running(ex: Executor, key: str, mark: str, start_within: float = 20) -> float:
    """Wait for job `key`'s metric (its command line holds `mark`) to start, cancel the job, and
    check that the metric process dies within 2 s; the seconds it took."""
    deadline = time.monotonic() + start_within
    while not metric_pids(mark):
        assert time.monotonic() < deadline, "the metric never started"
        time.sleep(0.05)
    ex.cancel(key)
    t0 = time.monotonic()
    while metric_pids(mark) and time.monotonic() - t0 < 5:
        time.sleep(0.05)
    gone = time.monotonic() - t0
    assert not metric_pids(mark), "the cancelled job's metric still runs"
    assert gone < 2.0, f"the cancelled job's metric took {gone:.2f} s to die"
    return gone


def marked_pids(marker: str) -> list[int]:
    """Live processes whose environment holds `AGENTOS_TEST_MARK=marker`: what a driver started
    with that mark (a local Ray's processes inherit it) left running."""
    want = f"AGENTOS_TEST_MARK={marker}".encode()
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as fh:
                env = fh.read().split(b"\0")
            with open(f"/proc/{entry}/stat") as fh:
                zombie = fh.read().split(")")[-1].split()[0] == "Z"
        except OSError:
            continue
        if want in env and not zombie:
            out.append(int(entry))
    return out


def metric_pids(mark: str) -> list[int]:
    """Live processes whose command line holds `mark` (a metric's, under any sandbox)."""
    out = []
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as fh:
                cmdline = fh.read()
            with open(f"/proc/{entry}/stat") as fh:
                zombie = fh.read().rpartition(")")[2].split()[0] == "Z"
        except (OSError, IndexError):
            continue
        if mark.encode() in cmdline and not zombie and int(entry) != os.getpid():
            out.append(int(entry))
    return out


def collect(ex: Executor, keys: set[str], limit: float = 60.0) -> dict[str, Done]:
    """Wait until every key in `keys` came back; each must come back once."""
    got: dict[str, Done] = {}
    deadline = time.monotonic() + limit
    while set(got) != keys:
        assert time.monotonic() < deadline, f"still pending: {keys - set(got)}"
        for done in ex.wait(timeout=5):
            assert done.key not in got, f"{done.key} came back twice"
            got[done.key] = done
    return got


def assert_executor_conforms(make: Callable[[int], Executor], tmp: Path) -> None:
    mark = f"mark{secrets.token_hex(6)}"
    repo, commits = make_commits(tmp / "repo", [SLEEP, 12.0, SLEEP, 20.0, 9.0], mark=mark)
    evaluator = evaluator_for(repo)
    ex = make(3)
    try:
        assert ex.capacity == 3 and ex.startup_s >= 0
        # a job measures the commit it names, from its bytes, with the snapshot's digest
        job = pack(repo, commits[1], evaluator, "one")
        ex.submit(job)
        one = collect(ex, {"one"})["one"]
        assert one.error == "" and one.measurement is not None, one
        assert one.measurement.evaluation.metric == 24.0, one.measurement.evaluation
        assert one.measurement.tree_before == tree_digest(job.blobs)
        assert ex.pending() == set()
        assert ex.wait(timeout=0.1) == []

        # three one-second jobs at once on three workers take well under three seconds
        t0 = time.monotonic()
        for i, commit in enumerate([commits[0], commits[2], commits[0]]):
            ex.submit(pack(repo, commit, evaluator, f"p{i}"))
        assert ex.pending() == {"p0", "p1", "p2"}
        done = collect(ex, {"p0", "p1", "p2"})
        elapsed = time.monotonic() - t0
        assert all(d.measurement and d.measurement.evaluation.metric == 2.0 for d in done.values())
        assert elapsed < 3 * SLEEP, f"3 jobs on 3 workers took {elapsed:.2f} s: not at once"

        # bytes that are not the commit's: invalid before the metric runs
        good = pack(repo, commits[3], evaluator, "forged")
        files = dict(good.files)
        files["settings.py"] = ("100644", b"X = 99.0\n")
        ex.submit(dataclasses.replace(good, files=files))
        forged = collect(ex, {"forged"})["forged"].measurement
        assert forged is not None and forged.evaluation.status == "invalid"
        assert "drift before the run" in forged.evaluation.reason
        assert "settings.py" in forged.evaluation.reason

        # a cancelled job comes back once, with an error and no measurement
        ex.submit(pack(repo, commits[0], evaluator, "slow"))
        ex.cancel("slow")
        gone = collect(ex, {"slow"})["slow"]
        assert gone.measurement is None and gone.error

        # a running job cancelled: its metric process (a 9 s sleep) is killed at once
        ex.submit(pack(repo, commits[4], evaluator, "running"))
        cancel_running(ex, "running", mark, start_within=30)
        running = collect(ex, {"running"})["running"]
        assert running.measurement is None and running.error
        ex.submit(pack(repo, commits[0], evaluator, "left"))
    finally:
        ex.close()
    assert ex.pending() == set()
