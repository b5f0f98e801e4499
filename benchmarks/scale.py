"""Scale-out: experiments per hour against `[run] workers`, local and Ray; each executor's overhead
per experiment; and the price of batching in search quality (a benchmark, not a test).

    python -m benchmarks.scale [--workers 1,2,4,8] [--executors local,ray] [--seeds 8]
        [--budget 60] [--skip-throughput] [--skip-regret]

Throughput: the whole loop (`agentos.runner.run`, heuristic proposer, local sandbox) on a repository
whose metric sleeps one second (I/O-bound) and on one that spins the CPU for half a second; the
rate is the decisions after the first over the time between the first and the last, so a Ray's
start-up (printed apart) is not in it. Every ratio is against one worker of the same executor,
measured in the same invocation. Overhead: a metric that exits at once, one job at a time, the
job's wall time less the metric process's own. Quality: the landscapes' fast path
(`benchmarks.landscapes.fast`) with 4 experiments in flight (each proposal sees the others as
constant-liar trials, `agentos.nodes.batch.with_pending`; decided in the order started, as equal
durations finish) against one, at the same number of evaluations: mean normalized regret.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import tempfile
import time
from collections import deque
from pathlib import Path
from typing import Any

from agentos import runner
from agentos.evaluate import MetricEvaluator
from agentos.executors import open_executor, pack
from agentos.git import Repo
from agentos.nodes.batch import with_pending
from agentos.providers.base import NothingToPropose, ProposeRequest
from agentos.providers.heuristic import HeuristicProvider
from agentos.sandbox import get_backend
from agentos.state import HistoryItem
from agentos.strategies import get_strategy
from agentos.task import load_task
from benchmarks.landscapes.compare import regret
from benchmarks.landscapes.fast import NOISE_RERUNS, Evaluator, Result, _commit, make_task
from benchmarks.landscapes.problems import PROBLEMS, Problem

METRICS = {
    "sleep 1 s": "time.sleep(1.0)",
    "cpu 0.5 s": "t = time.process_time()\nwhile time.process_time() - t < 0.5:\n    pass",
}
EVALUATE = "import time\nimport settings\n{work}\nprint(f'score: {{-abs(settings.X - 42.0)}}')\n"
TOML = (
    '[task]\neditable=["settings.py"]\nprotected=["evaluate.py"]\ncanary_every=0\n'
    'accept_forgery_risk = ["exit-line", "system-exit-line", "stdout-rewrite", "print-patch", '
    '"stdout-sink"]\n'
    '[metric]\ncommand="python evaluate.py"\nregex="^score: (\\\\S+)$"\ngoal="max"\n'
    '[search]\nnoise_reruns=0\n[sandbox]\nbackend="local"\n[executor]\nkind="{kind}"\n'
)


def make_repo(root: Path, work: str, kind: str) -> Path:
    root.mkdir(parents=True)
    (root / "settings.py").write_text("X = 10.0  # range: 0..100\n")
    (root / "evaluate.py").write_text(EVALUATE.format(work=work))
    (root / "agentos.toml").write_text(TOML.format(kind=kind))
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "bench"]):
        subprocess.run(["git", "-C", str(root), "-c", "user.name=b", "-c", "user.email=b@l", *args],
                       check=True)
    return root


def rate(repo: Path, workers: int) -> float:
    """Experiments per hour of the loop with `workers` at once."""
    stamps: list[float] = []

    def seen(update: dict[str, Any]) -> None:
        if update["node"] == "decide":
            stamps.append(time.monotonic())

    budget = max(8, 4 * workers)
    runner.run(repo, runner.Overrides(budget=budget, workers=workers, provider="heuristic"),
               on_update=seen)
    return 3600 * (len(stamps) - 1) / (stamps[-1] - stamps[0])


def throughput(workers: list[int], kinds: list[str], tmp: Path) -> None:
    for name, work in METRICS.items():
        for kind in kinds:
            rates = {}
            for w in workers:
                repo = make_repo(tmp / f"{kind}-{name.split()[0]}-{w}", work, kind)
                rates[w] = rate(repo, w)
            ratios = "  ".join(f"{w}: {rates[w]:.0f}/h ({rates[w] / rates[workers[0]]:.2f}x)"
                               for w in workers)
            print(f"{name:10} {kind:6} {ratios}", flush=True)


def overhead(kinds: list[str], tmp: Path, jobs: int = 6) -> None:
    for kind in kinds:
        root = make_repo(tmp / f"overhead-{kind}", "", kind)
        task = load_task(root)
        repo = Repo(root)
        evaluator = MetricEvaluator(task, get_backend(task.sandbox))
        head = repo.rev("HEAD") or ""
        t0 = time.monotonic()
        ex = open_executor(task)
        startup = time.monotonic() - t0
        extra = []
        try:
            for i in range(jobs + 1):
                t1 = time.monotonic()
                ex.submit(pack(repo, head, evaluator, str(i)))
                done = ex.wait(timeout=60)[0]
                wall = time.monotonic() - t1
                assert done.measurement is not None, done.error
                if i:  # the first warms the worker up
                    extra.append(wall - done.measurement.evaluation.duration)
        finally:
            ex.close()
        print(f"overhead   {kind:6} start-up {startup:.2f} s; per experiment "
              f"{1000 * statistics.median(extra):.0f} ms (median of {jobs}, beyond the metric "
              "process's own time)", flush=True)


def run_batched(problem: Problem, seed: int, budget: int, workers: int) -> Result:
    """The loop's decisions with `workers` experiments in flight, on the fast path (greedy, the
    heuristic proposer in its default mode)."""
    reruns = NOISE_RERUNS
    task = make_task(problem, "greedy", seed, budget - 1 - reruns)
    provider = HeuristicProvider(task, "hybrid")
    strategy = get_strategy("greedy")
    ev = Evaluator(problem, seed)
    text0 = problem.settings
    texts = {_commit(text0): text0}
    result = Result(f"greedy x{workers}", problem.name, seed)
    base_scores = [-ev.measure(text0) for _ in range(1 + reruns)]
    best_true = ev.true(text0)
    result.trace.extend([best_true] * ev.count)
    state: dict[str, Any] = strategy.start(_commit(text0), base_scores, seed)
    history: list[HistoryItem] = []
    flight: deque[tuple[int, str, str, str]] = deque()  # experiment, parent, commit, description
    started = 0
    exhausted = False
    while True:
        while not exhausted and len(flight) < workers and ev.count + len(flight) < budget:
            started += 1
            choice = strategy.choose(state, started)
            pending = [(e, {"parent": p, "commit": c, "description": d}) for e, p, c, d in flight]
            seen = with_pending(history, pending, "min")  # type: ignore[arg-type]
            request = ProposeRequest(
                task=task, experiment=started, parent=choice.parent,
                files={problem.path: texts[choice.parent]}, history=seen, trials=seen,
                seed=seed * 1_000_003 + started * 101, step=choice.step,
            )
            try:
                proposal = provider.propose(request)
            except NothingToPropose:
                exhausted = True
                break
            text = proposal.components[problem.path]
            texts[_commit(text)] = text
            flight.append((started, choice.parent, _commit(text), proposal.description))
        if not flight:
            break
        exp, parent, commit, description = flight.popleft()
        text = texts[commit]
        before = ev.count
        scores = [-ev.measure(text)]
        decision = strategy.decide(state, exp, commit, scores, descriptor=description)
        paired: list[float] = []
        while decision.verdict == "remeasure" and ev.count + len(flight) + 2 <= budget:
            pair = decision.pair or decision.incumbent
            scores.append(-ev.measure(text))
            paired.append(-ev.measure(texts[pair]))
            decision = strategy.decide(decision.state, exp, commit, scores, paired,
                                       descriptor=description)
        if decision.verdict == "remeasure":
            state, status = strategy.fail(state, exp), "discard"
        else:
            state, status = decision.state, decision.verdict
        if status == "keep":
            best_true = ev.true(text)
        result.trace.extend([best_true] * (ev.count - before))
        history.append(HistoryItem(
            id=exp, parent=parent, commit=commit, status=status,  # type: ignore[typeddict-item]
            metric=-scores[0], description=description, reason=decision.reason,
        ))
    result.trace = (result.trace + [best_true] * budget)[:budget]
    return result


def quality(seeds: int, budget: int, workers: int = 4) -> None:
    names = [n for n, p in PROBLEMS.items()]
    one, many = [], []
    for name in names:
        for seed in range(seeds):
            one.append(regret(r := run_batched(PROBLEMS[name], seed, budget, 1), r.final))
            many.append(regret(r := run_batched(PROBLEMS[name], seed, budget, workers), r.final))
    a, b = statistics.fmean(one), statistics.fmean(many)
    print(f"regret     {len(names)} landscapes x {seeds} seeds, {budget} evaluations: "
          f"1 worker {a:.3f}, {workers} workers {b:.3f} ({b / a:.2f}x; target <= 1.25x)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", default="1,2,4,8")
    ap.add_argument("--executors", default="local,ray")
    ap.add_argument("--seeds", type=int, default=8)
    ap.add_argument("--budget", type=int, default=60)
    ap.add_argument("--skip-throughput", action="store_true")
    ap.add_argument("--skip-regret", action="store_true")
    args = ap.parse_args()
    kinds = args.executors.split(",")
    with tempfile.TemporaryDirectory(prefix="agentos-bench-scale-") as tmp:
        if not args.skip_throughput:
            overhead(kinds, Path(tmp))
            throughput([int(w) for w in args.workers.split(",")], kinds, Path(tmp))
    if not args.skip_regret:
        quality(args.seeds, args.budget)


if __name__ == "__main__":
    main()
