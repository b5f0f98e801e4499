"""Many experiments at once: `[run] workers`, the budget and stop rules counting work in flight,
and GPUs shared out one per experiment."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from helpers import ACCEPT_IMPORT_RISK

from agentos import runner
from agentos.errors import UserError
from agentos.executors.local import LocalExecutor
from agentos.ledger import Ledger
from agentos.sandbox.gpus import DevicePool
from agentos.task import load_task

# The metric logs when it starts and ends (and its GPUs), then sleeps.
EVALUATOR = """import os, time
import settings
t0 = time.time()
time.sleep({sleep})
with open({log!r}, "a") as fh:
    fh.write(f"{{t0}} {{time.time()}} {{os.environ.get('CUDA_VISIBLE_DEVICES', '-')}}\\n")
print(f"score: {{-abs(settings.X - 42.0) - abs(settings.Y - 7.0)}}")
"""


def _repo(
    repo_factory, tmp_path: Path, *, extra: str = "", sleep: float = 0.3, name: str = "repo"
) -> Path:
    log = tmp_path / "metric.log"
    sandbox = '[sandbox]\nbackend="local"\n'
    if "[sandbox]\n" in extra:
        extra, sandbox = extra.replace("[sandbox]\n", sandbox), ""
    return repo_factory(
        {
            "settings.py": "X = 10.0  # range: 0..100\nY = 1.0  # range: 0..20\n",
            "evaluate.py": EVALUATOR.format(log=str(log), sleep=sleep),
            "agentos.toml": '[task]\neditable=["settings.py"]\nprotected=["evaluate.py"]\n'
            f"canary_every=0\n{ACCEPT_IMPORT_RISK}\n"
            '[metric]\ncommand="python evaluate.py"\nregex="^score: (\\\\S+)$"\ngoal="max"\n'
            + sandbox
            + extra,
        },
        name,
    )


def _spans(tmp_path: Path) -> list[tuple[float, float, str]]:
    out = []
    for line in (tmp_path / "metric.log").read_text().splitlines():
        a, b, dev = line.split()
        out.append((float(a), float(b), dev))
    return out


def _most_at_once(spans: list[tuple[float, float, str]]) -> int:
    return max(sum(1 for a, b, _ in spans if a <= t < b) for t, _, _ in spans)


def test_workers_run_experiments_at_once_and_record_each_once(repo_factory, tmp_path) -> None:
    # each metric sleeps long enough that three submitted in turn overlap on a busy machine
    extra = "[budget]\nexperiments=9\n[run]\nworkers=3\n"
    repo = _repo(repo_factory, tmp_path, extra=extra, sleep=1.5)
    summary = runner.run(repo)
    assert summary.experiments == 9
    ledger = Ledger(repo / ".agentos" / "ledger.db")
    assert ledger.verify() == []
    rows = [r for r in ledger.rows(summary.run_id) if r["kind"] == "experiment"]
    assert sorted(r["id"] for r in rows) == list(range(1, 10))  # each once, none lost
    assert ledger.open_attempts(summary.run_id) == []
    spans = _spans(tmp_path)[1:]  # the baseline ran alone
    assert _most_at_once(spans) == 3, spans  # three workers busy, never a fourth
    # the proposals differ: no two experiments measured the same settings
    commits = [r["commit"] for r in rows if r["commit"]]
    assert len(commits) == len(set(commits))
    trees = {r["tree_before"] for r in rows if r["tree_before"]}
    assert len(trees) == len([r for r in rows if r["tree_before"]])
    keeps = [r for r in rows if r["status"] == "keep"]
    assert keeps and summary.best_commit == keeps[-1]["commit"]  # decided in the ledger's order


def test_one_worker_keeps_the_sequential_graph(repo_factory, tmp_path) -> None:
    repo = _repo(repo_factory, tmp_path, extra="[budget]\nexperiments=3\n", sleep=0.0)
    nodes: list[str] = []
    runner.run(repo, on_update=lambda u: nodes.append(u["node"]))
    assert "run" in nodes and "submit" not in nodes and "collect" not in nodes


def test_the_budget_counts_experiments_in_flight(repo_factory, tmp_path) -> None:
    repo = _repo(repo_factory, tmp_path, extra="[budget]\nexperiments=5\n[run]\nworkers=4\n")
    summary = runner.run(repo)
    ledger = Ledger(repo / ".agentos" / "ledger.db")
    begun = ledger.db.execute(
        "select distinct id from attempts where run_id = ?", [summary.run_id]
    ).fetchall()
    assert sorted(i for (i,) in begun if i > 0) == [1, 2, 3, 4, 5]  # never a sixth
    assert summary.status == "budget: 5 experiments"
    rows = [r for r in ledger.rows(summary.run_id) if r["kind"] == "experiment"]
    assert sorted(r["id"] for r in rows) == [1, 2, 3, 4, 5]


@pytest.mark.parametrize("on_stop", ["finish", "cancel"])
def test_a_target_reached_finishes_or_cancels_the_work_in_flight(
    repo_factory, tmp_path, on_stop: str
) -> None:
    # any gain reaches the target; the work in flight then ends as `on_stop` says
    repo = _repo(
        repo_factory,
        tmp_path,
        extra=f'[budget]\nexperiments=30\ntarget=-40.0\n[run]\nworkers=4\non_stop="{on_stop}"\n',
        sleep=0.5,
    )
    summary = runner.run(repo)
    assert summary.status.startswith("target reached")
    ledger = Ledger(repo / ".agentos" / "ledger.db")
    rows = [r for r in ledger.rows(summary.run_id) if r["kind"] == "experiment"]
    cancelled = [r for r in rows if r["reason"].startswith("cancelled in flight")]
    assert ledger.open_attempts(summary.run_id) == []
    assert len(rows) < 30
    if on_stop == "cancel":
        assert cancelled and all(r["status"] == "crash" for r in cancelled)
    else:
        assert not cancelled
        assert all(r["status"] in ("keep", "discard") for r in rows)


def test_settings_errors_name_the_file_and_the_fix(repo_factory, tmp_path) -> None:
    for bad, key in (
        ("[run]\nworkers=0\n", "run.workers"),
        ('[executor]\nkind="slurm"\n', "executor.kind"),
        ('[run]\non_stop="later"\n', "run.on_stop"),
    ):
        repo = _repo(repo_factory, tmp_path, extra=bad, name=key)
        with pytest.raises(UserError) as err:
            load_task(repo)
        assert key in str(err.value) and "agentos.toml" in str(err.value)
    ok = _repo(repo_factory, tmp_path, extra="[sandbox]\ngpus=1\nper_gpu=2\n", name="ok")
    task = load_task(ok)
    assert task.gpu and task.scale.gpus == 1 and task.scale.per_gpu == 2


def test_each_experiment_gets_its_own_gpu(repo_factory, tmp_path) -> None:
    """Four workers on two (listed) GPUs: two at once, each alone on its device, which its
    sandbox sees as CUDA_VISIBLE_DEVICES."""
    from conformance.executor_suite import evaluator_for

    from agentos.executors import pack
    from agentos.git import Repo

    repo_path = _repo(repo_factory, tmp_path, extra="[sandbox]\ngpus=1\n", sleep=0.4)
    repo = Repo(repo_path)
    evaluator = evaluator_for(repo)
    ex = LocalExecutor(4, gpus=1, devices=["0", "1"])
    head = repo.rev("HEAD") or ""
    try:
        for i in range(6):
            ex.submit(pack(repo, head, evaluator, str(i)))
        got = []
        while len(got) < 6:
            got += ex.wait(timeout=30)
    finally:
        ex.close()
    spans = _spans(tmp_path)
    assert {d for _, _, d in spans} == {"0", "1"}
    assert {d.devices for d in got} == {("0",), ("1",)}
    for dev in ("0", "1"):
        mine = [s for s in spans if s[2] == dev]
        assert _most_at_once(mine) == 1, f"two experiments shared GPU {dev}: {mine}"
    assert _most_at_once(spans) == 2


def test_a_device_pool_queues_and_shares_as_told() -> None:
    pool = DevicePool(["0", "1", "2"], count=2, per_gpu=1)
    assert pool.slots == 1
    first = pool.take()
    taken: list[tuple[str, ...]] = []
    waiter = threading.Thread(target=lambda: taken.append(pool.take()))
    waiter.start()
    time.sleep(0.2)
    assert taken == []  # one device free: the second experiment waits
    pool.give(first)
    waiter.join(5)
    assert len(taken) == 1 and len(set(taken[0])) == 2
    shared = DevicePool(["0"], count=1, per_gpu=2)
    assert shared.take() == ("0",) and shared.take() == ("0",)
    with pytest.raises(UserError, match="gpus = 2"):
        DevicePool(["0"], count=2)


def test_ray_gives_each_experiment_its_own_gpu(repo_factory, tmp_path) -> None:
    """The same on Ray, through `num_gpus` on a local Ray told of two GPUs."""
    from conformance.executor_suite import evaluator_for

    from agentos.executors import pack
    from agentos.executors.ray import RayExecutor
    from agentos.git import Repo

    repo_path = _repo(repo_factory, tmp_path, extra="[sandbox]\ngpus=1\n", sleep=0.6)
    repo = Repo(repo_path)
    evaluator = evaluator_for(repo)
    ex = RayExecutor(3, gpus=1, devices=["0", "1"])
    try:
        head = repo.rev("HEAD") or ""
        for i in range(4):
            ex.submit(pack(repo, head, evaluator, str(i)))
        got = []
        while len(got) < 4:
            got += ex.wait(timeout=60)
    finally:
        ex.close()
    assert all(d.measurement is not None for d in got), [d.error for d in got]
    spans = _spans(tmp_path)
    assert {d.devices for d in got} == {("0",), ("1",)}
    assert {d for _, _, d in spans} == {"0", "1"}
    for dev in ("0", "1"):
        assert _most_at_once([s for s in spans if s[2] == dev]) == 1


def test_proposals_see_the_experiments_in_flight_as_their_worst_trials() -> None:
    """The constant liar: each experiment in flight is a trial with the worst metric so far, the
    baseline's included, which the TPE proposer reads as a measured configuration."""
    from agentos.nodes.batch import IN_FLIGHT, with_pending
    from agentos.providers.base import ProposeRequest
    from agentos.providers.heuristic.tpe import dimensions, measured_trials, observed
    from agentos.settings import find_all
    from agentos.state import HistoryItem
    from agentos.task import MetricSpec, Task

    done: list[HistoryItem] = [
        {"id": 1, "parent": "a", "commit": "b", "status": "keep", "metric": 3.0,
         "description": "X 1 -> 2 | tpe X=2 Y=1", "reason": ""},
        {"id": 2, "parent": "b", "commit": "c", "status": "discard", "metric": None,
         "description": "crashed", "reason": "exit 1"},
    ]  # fmt: skip
    pending = [(3, {"parent": "b", "commit": "d", "description": "X 2 -> 9 | tpe X=9 Y=1"})]
    low = with_pending(done, pending, "min", baseline=5.0)  # type: ignore[arg-type]
    assert low[:2] == done and low[2]["metric"] == 5.0 and low[2]["reason"] == IN_FLIGHT
    high = with_pending(done, pending, "max", baseline=5.0)  # type: ignore[arg-type]
    assert high[2]["metric"] == 3.0 and high[2]["id"] == 3

    files = {"settings.py": "X = 1.0  # range: 0..10\nY = 2.0  # range: 0..10\n"}
    dims = dimensions([s for s in find_all(files) if s.mutable])
    assert set(dims) == {"X", "Y"}
    flight = [(4, {"parent": "x", "commit": "y", "description": "moved | tpe X=4 Y=6"})]
    task = Task(
        root=Path("/t"),
        path=Path("/t/agentos.toml"),
        name="t",
        editable=("settings.py",),
        protected=(),
        metric=MetricSpec(("python", "e.py"), "min", regex=r"loss: (\S+)"),
    )
    request = ProposeRequest(
        task=task,
        experiment=5,
        parent="x",
        files=files,
        history=[],
        trials=with_pending([], flight, "min", baseline=7.5),  # type: ignore[arg-type]
    )
    trials = measured_trials(dims, observed(request))
    assert len(trials) == 1 and trials[0][1] == 7.5  # TPE counts it, as a bad one
