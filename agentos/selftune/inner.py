"""The inner runs of `agentos self-tune`: a profile searches each task of the suite.

`run_profile` is the loop's search on one problem, in-process: the profile's strategy (with its
patience) and heuristic mode, its noise re-runs, its credit horizon, every trial as the run's
memory, the loop's seeding, and the problem's loss plus seeded noise as the metric. Its result is
the normalized gain of the commit the run would hand back, on the true (noise-free) loss:
(baseline - best) / (baseline - optimum), 1 at the optimum, 0 for no gain; and its false keeps
(a kept change that was not truly better than the best it replaced). A run's score is its gain,
or at most 0 when it made a false keep (`InnerRun.score`): on a noisy task a profile that takes
noise for gains is penalised, not rewarded for the budget it saved.

`python -m agentos.selftune.inner` is the outer run's protected metric command: the installed
agentos runs it in the sandbox on the candidate snapshot, reading the candidate's profile as data
and the pinned suite; the candidate never runs code. It prints one `train/TASK:` line per train
task, `train:` (the metric), then `holdout:` last (read only by the veto, never shown to the
proposer). With `--draw N` (the outer run's evaluator adds a new N to every measurement) the
train and held-out tasks run on the fresh seeds of draw N instead of the suite's. The sealed test
split is not reachable from this command.
"""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing
import os
import random
import statistics
import sys
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agentos.candidate import EditError, apply, unified_diff
from agentos.errors import UserError
from agentos.memory import kept_diff
from agentos.profile import Profile, configure, load_profile
from agentos.providers.base import (
    NothingToPropose,
    Proposal,
    ProposeRequest,
    Provider,
    ProviderError,
    ReviewRequest,
)
from agentos.providers.heuristic import HeuristicProvider
from agentos.selftune.suite import Problem, Split, Suite, load_suite
from agentos.state import HistoryItem
from agentos.strategies import get_strategy
from agentos.task import Budget, MetricSpec, Search, Task


def _commit(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


ProviderFactory = Callable[[Task], Provider]


@dataclass(frozen=True)
class InnerRun:
    """One inner run: the normalized true gain of the commit it hands back, its keeps, and its
    false keeps (kept, yet not truly better than the best it replaced: noise taken for a gain)."""

    gain: float
    keeps: int = 0
    false_keeps: int = 0
    proposals: int = 0  # candidates measured
    remeasured: int = 0  # evaluations spent re-measuring candidates (and the best, when paired)

    @property
    def score(self) -> float:
        """The gain, or at most 0 when the run kept noise: agentos promises no false keeps, so a
        run that reported a gain it did not have has failed, whatever it handed back."""
        return min(self.gain, 0.0) if self.false_keeps else self.gain


def run_profile(
    problem: Problem, profile: Profile, seed: int, budget: int, *,
    provider: ProviderFactory | None = None,
) -> InnerRun:
    """One run of `profile` on `problem` in `budget` evaluations: its gain and its keeps.

    With `provider` (a Claude provider with a candidate's prompts), it proposes instead of the
    heuristic, and reviews each change: a failed review, an unusable answer or an edit that does
    not apply spends one evaluation of the budget, so every run ends."""
    reruns = min(profile.noise_reruns, budget - 2)
    task = Task(
        root=Path("/inner"), path=Path("/inner/agentos.toml"), name=problem.name,
        editable=(problem.path,), protected=("evaluate.py",),
        metric=MetricSpec(("python", "evaluate.py"), "min", regex=r"loss: (\S+)"),
        budget=Budget(experiments=max(1, budget - 1 - reruns)),
        search=Search(profile.strategy, seed, reruns), credit_horizon=profile.credit_horizon,
        profile=profile,
    )
    proposer = provider(task) if provider is not None else HeuristicProvider(task, profile.mode)
    strategy = configure(get_strategy(profile.strategy), profile)
    rng = random.Random(f"noise:{problem.name}:{seed}")
    spent = 0

    def measure(text: str) -> float:
        nonlocal spent
        spent += 1
        noise = rng.gauss(0, problem.noise) if problem.noise else 0.0
        return -(problem.loss(problem.values(text)) + noise)  # a score: higher is better

    def true(text: str) -> float:
        return problem.loss(problem.values(text))

    text0 = problem.settings
    texts = {_commit(text0): text0}
    base_scores = [measure(text0) for _ in range(1 + reruns)]
    state: dict[str, Any] = strategy.start(_commit(text0), base_scores, seed)
    best = base = true(text0)
    history: list[HistoryItem] = []
    experiment = keeps = false_keeps = remeasured = proposals = 0
    while spent < budget:
        experiment += 1
        choice = strategy.choose(state, experiment)
        window = history[-profile.credit_horizon:] if profile.credit_horizon else []
        request = ProposeRequest(
            task=task, experiment=experiment, parent=choice.parent,
            files={problem.path: texts[choice.parent]}, history=window, trials=list(history),
            seed=seed * 1_000_003 + experiment * 101, step=choice.step, noise=choice.noise,
        )
        try:
            proposal = proposer.propose(request)
        except NothingToPropose:
            break  # the loop ends the run here: its best is the answer
        except ProviderError:
            spent += 1
            continue
        text = _changed(task, proposer if provider is not None else None, request, proposal)
        if text is None:
            spent += 1
            history.append(HistoryItem(
                id=experiment, parent=choice.parent, commit="", status="rejected", metric=None,
                description=proposal.description, reason="refused before measuring",
            ))
            continue
        commit = _commit(text)
        texts[commit] = text
        scores = [measure(text)]
        proposals += 1
        decision = strategy.decide(state, experiment, commit, scores,
                                   descriptor=proposal.description)
        paired: list[float] = []
        while (decision.verdict == "remeasure" and spent + decision.pass_runs <= budget
               and len(scores) < profile.max_measures
               and remeasured + decision.pass_runs
               <= profile.remeasure_share * task.budget.experiments):
            scores.append(measure(text))
            if not decision.alone:
                paired.append(measure(texts[decision.pair or decision.incumbent]))
            remeasured += decision.pass_runs
            decision = strategy.decide(decision.state, experiment, commit, scores, paired,
                                       descriptor=proposal.description)
        if decision.verdict == "remeasure":  # out of budget: undecided is not kept
            state, status = strategy.fail(state, experiment), "discard"
        else:
            state, status = decision.state, decision.verdict
        if status == "keep":
            keeps += 1
            false_keeps += true(text) >= best  # no truer than the best it replaced
            best = true(text)
        item = HistoryItem(
            id=experiment, parent=choice.parent, commit=commit, status=status,  # type: ignore[typeddict-item]
            metric=-scores[0], description=proposal.description, reason=decision.reason,
        )
        diff = kept_diff(status, unified_diff({problem.path: texts[choice.parent]},
                                              {problem.path: text}))
        if diff is not None:
            item["diff"] = diff
        history.append(item)
    span = base - problem.f_star
    return InnerRun((base - best) / span if span > 0 else 0.0, keeps, false_keeps, proposals,
                    remeasured)


def _changed(
    task: Task, reviewer: Provider | None, request: ProposeRequest, proposal: Proposal
) -> str | None:
    """The proposal's new settings text, or None when it does not apply or the review fails."""
    path = task.editable[0]
    try:
        changed = apply(task, request.files, edits=proposal.edits, components=proposal.components)
    except EditError:
        return None
    if path not in changed:
        return None
    if reviewer is not None:
        before = {path: request.files[path]}
        after = {path: changed[path]}
        try:
            review = reviewer.review(ReviewRequest(task, unified_diff(before, after), [path],
                                                   before, after))
        except ProviderError:
            return None
        if not review.passed:
            return None
    return changed[path]


def cpus() -> int:
    """The CPUs this process may run on: the inner runs' default parallelism."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


_WORK: tuple[list[tuple[Problem, int]], Profile, int] | None = None  # a forked worker's share


def _run_one(i: int) -> InnerRun:
    assert _WORK is not None
    work, profile, budget = _WORK
    problem, seed = work[i]
    return run_profile(problem, profile, seed, budget)


def runs(
    suite: Suite, profile: Profile, pairs: Sequence[tuple[str, int]], *,
    provider: ProviderFactory | None = None, jobs: int | None = None,
) -> list[InnerRun]:
    """The inner run of every `(task, seed)` of `pairs`, in order. Each is deterministic and
    independent of the others, so they run in `jobs` forked worker processes (default: one a
    CPU, `cpus`), with the same results as one after another; one after another where a provider
    proposes (a Claude client is not shared across processes), where the process runs threads
    (a fork copies their locks held) or where the platform cannot fork."""
    global _WORK
    work = [(suite.problem(name), seed) for name, seed in pairs]
    jobs = min(jobs or cpus(), len(work))
    if (provider is not None or jobs < 2 or threading.active_count() > 1
            or "fork" not in multiprocessing.get_all_start_methods()):
        return [run_profile(p, profile, s, suite.budget, provider=provider) for p, s in work]
    _WORK = (work, profile, suite.budget)
    _preload()
    try:
        with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork")) as pool:
            return list(pool.map(_run_one, range(len(work))))
    finally:
        _WORK = None


def _preload() -> None:
    """Load once, before the workers fork, what an inner run loads on first use: every worker
    would load it again (half a second to a second each, on every split of every measurement)."""
    import optuna  # noqa: F401  (the heuristic proposer's TPE)
    import scipy.special  # noqa: F401  (the noise rule's quantiles)


def score(
    suite: Suite, profile: Profile, split: Split, *, provider: ProviderFactory | None = None,
    draw: int | None = None, jobs: int | None = None,
) -> dict[str, float]:
    """`SPLIT/TASK` mean score (`InnerRun.score`) over the split's seeds for every task, and
    `SPLIT` their mean; with `draw`, over that measurement's fresh seeds (`Suite.seeds_of`)."""
    return scores(suite, profile, (split,), provider=provider, draw=draw, jobs=jobs)


def scores(
    suite: Suite, profile: Profile, splits: Sequence[Split], *,
    provider: ProviderFactory | None = None, draw: int | None = None, jobs: int | None = None,
) -> dict[str, float]:
    """`score` of every split of `splits`, their inner runs in one pool of workers: no worker
    waits at the end of one split for its last runs before the next split starts."""
    pairs = [(n, s) for split in splits for n in suite.splits[split]
             for s in suite.seeds_of(split, draw)]
    done = iter(runs(suite, profile, pairs, provider=provider, jobs=jobs))
    out: dict[str, float] = {}
    for split in splits:
        seeds, names = suite.seeds_of(split, draw), suite.splits[split]
        for n in names:
            out[f"{split}/{n}"] = statistics.fmean(next(done).score for _ in seeds)
        out[split] = statistics.fmean(out[f"{split}/{n}"] for n in names)
    return out


def gains(
    suite: Suite, profile: Profile, split: Split, *, provider: ProviderFactory | None = None,
    jobs: int | None = None,
) -> list[float]:
    """Per seed, the mean score over the split's tasks (the unit of the sealed test's
    interval)."""
    names = suite.splits[split]
    done = iter(runs(suite, profile, [(n, s) for s in suite.seeds_of(split) for n in names],
                     provider=provider, jobs=jobs))
    return [statistics.fmean(next(done).score for _ in names) for _ in suite.seeds_of(split)]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m agentos.selftune.inner",
                                     description="score a search profile on the pinned suite")
    parser.add_argument("--suite", required=True, type=Path)
    parser.add_argument("--pin", required=True, help="the suite's sha256: digest")
    parser.add_argument("--profile", required=True, type=Path)
    parser.add_argument("--jobs", type=int, default=None,
                        help="inner runs at a time, in worker processes (default: one a CPU)")
    parser.add_argument("--draw", type=int, default=None,
                        help="run train and held-out on the fresh seeds of measurement N "
                             "(default: the suite's seeds)")
    args = parser.parse_args(argv)
    if args.draw is not None and args.draw < 0:
        parser.error("--draw must be 0 or more")
    if args.jobs is not None and args.jobs < 1:
        parser.error("--jobs must be 1 or more")
    try:
        suite = load_suite(args.suite, pin=args.pin)
        profile = load_profile(args.profile)
    except UserError as exc:
        print(f"agentos self-tune: error: {exc}", file=sys.stderr)
        return 2
    figures = scores(suite, profile, ("train", "holdout"), draw=args.draw, jobs=args.jobs)
    if args.draw is not None:
        seeds = suite.seeds_of("train", args.draw)
        print(f"draw: {args.draw} (seeds {seeds[0]}..{seeds[-1]})")
    for name in suite.splits["train"]:
        print(f"train/{name}: {figures[f'train/{name}']:.6f}")
    print(f"train: {figures['train']:.6f}")
    print(f"holdout: {figures['holdout']:.6f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
