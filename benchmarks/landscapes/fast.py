"""The fast path: the same strategy and proposer objects the loop uses, evaluated in-process.

A commit is the content hash of the settings text. Every evaluation counts against the budget:
the baseline's noise re-runs and every `remeasure` pair included. The true (noise-free) loss of
each keep is tracked, so regret and false keeps are measured against the truth.
"""

from __future__ import annotations

import hashlib
import math
import random
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agentos.profile import configure
from agentos.providers.base import NothingToPropose, ProposeRequest
from agentos.providers.heuristic import HeuristicProvider, Mode
from agentos.settings import Value, find_all
from agentos.state import HistoryItem
from agentos.strategies import get_strategy
from agentos.task import Budget, MetricSpec, Task
from benchmarks.landscapes.problems import Problem

NOISE_RERUNS = 3  # baseline re-runs on every problem, noiseless ones included (the default)


@dataclass
class Result:
    """One run: the true loss of the best after each evaluation, and the keeps that were false."""

    method: str
    problem: str
    seed: int
    trace: list[float] = field(default_factory=list)
    false_keeps: int = 0
    keeps: int = 0
    false_discards: int = 0  # discarded, though truly better than the best
    false_discards_sd: int = 0  # ... by more than one noise standard deviation
    better: int = 0  # candidates measured that were truly better than the best
    better_sd: int = 0  # ... by more than one noise standard deviation
    remeasures: int = 0  # evaluations spent re-measuring candidates and the best
    distinct: int = 0  # distinct settings measured
    log: list[tuple[str, str]] = field(default_factory=list)  # (description, status) per experiment

    @property
    def final(self) -> float:
        return self.trace[-1]


def make_task(problem: Problem, strategy: str, seed: int, budget: int = 20) -> Task:
    """The task the loop would read from the problem's `agentos.toml`: `budget` counts experiments
    and re-measures, as `[budget] experiments` does (the baseline's runs are not in it)."""
    return Task(
        root=Path("/landscape"), path=Path("/landscape/agentos.toml"), name=problem.name,
        editable=(problem.path,), protected=("evaluate.py",),
        metric=MetricSpec(("python", "evaluate.py"), "min", regex=r"loss: (\S+)"),
        budget=Budget(experiments=budget),
    )


class Evaluator:
    """The problem's loss plus seeded noise; counts evaluations."""

    def __init__(self, problem: Problem, seed: int):
        self.problem = problem
        self.rng = random.Random(f"noise:{problem.name}:{seed}")
        self.count = 0

    def true(self, text: str) -> float:
        return self.problem.loss(self.problem.values(text))

    def measure(self, text: str) -> float:
        self.count += 1
        noise = self.rng.gauss(0, self.problem.noise) if self.problem.noise else 0.0
        return self.true(text) + noise


def _commit(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def run_agentos(
    problem: Problem, strategy_name: str, seed: int, budget: int, *,
    noise_reruns: int | None = None, label: str | None = None, mode: Mode = "hybrid",
) -> Result:
    """Run a registered strategy with the heuristic proposer for `budget` evaluations."""
    horizon = 1000 if mode in ("tpe", "hybrid") else 8
    reruns = NOISE_RERUNS if noise_reruns is None else noise_reruns
    task = make_task(problem, strategy_name, seed, budget - 1 - reruns)
    provider = HeuristicProvider(task, mode)
    strategy = configure(get_strategy(strategy_name), task.profile)  # the shipped profile's screen
    ev = Evaluator(problem, seed)
    text0 = problem.settings
    texts = {_commit(text0): text0}
    result = Result(label or strategy_name, problem.name, seed)
    base_scores = [-ev.measure(text0) for _ in range(1 + reruns)]
    best_true = ev.true(text0)
    result.trace.extend([best_true] * ev.count)
    state: dict[str, Any] = strategy.start(_commit(text0), base_scores, seed)
    history: list[HistoryItem] = []
    experiment = 0
    while ev.count < budget:
        experiment += 1
        choice = strategy.choose(state, experiment)
        request = ProposeRequest(
            task=task, experiment=experiment, parent=choice.parent,
            files={problem.path: texts[choice.parent]}, history=history[-horizon:],
            seed=seed * 1_000_003 + experiment * 101,  # as the loop's propose node seeds it
            step=choice.step, noise=choice.noise,
        )
        try:
            proposal = provider.propose(request)
        except NothingToPropose:  # the loop ends the run here; its best stays the answer
            result.trace.extend([best_true] * (budget - ev.count))
            break
        text = proposal.components[problem.path]
        commit = _commit(text)
        texts[commit] = text
        before = ev.count
        scores = [-ev.measure(text)]
        parts = problem.parts(problem.values(text)) if problem.parts else None
        decision = strategy.decide(state, experiment, commit, scores, details=parts,
                                   descriptor=proposal.description)
        paired: list[float] = []
        while decision.verdict == "remeasure" and ev.count + decision.pass_runs <= budget:
            pair = decision.pair or decision.incumbent
            scores.append(-ev.measure(text))
            if not decision.alone:
                paired.append(-ev.measure(texts[pair]))
            decision = strategy.decide(decision.state, experiment, commit, scores, paired,
                                       details=parts, descriptor=proposal.description)
        if decision.verdict == "remeasure":  # out of budget: undecided means not kept
            state = strategy.fail(state, experiment)
            status = "discard"
        else:
            state = decision.state
            status = decision.verdict
        true = ev.true(text)
        result.remeasures += ev.count - before - 1
        result.better += true < best_true - 1e-12
        result.better_sd += true < best_true - problem.noise
        if status == "keep":
            result.keeps += 1
            if true > best_true + 1e-12:
                result.false_keeps += 1
            best_true = true
        elif true < best_true - 1e-12:
            result.false_discards += 1
            result.false_discards_sd += true < best_true - problem.noise
        result.trace.extend([best_true] * (ev.count - before))
        result.log.append((proposal.description, status))
        history.append(HistoryItem(
            id=experiment, parent=choice.parent, commit=commit, status=status,  # type: ignore[typeddict-item]
            metric=-statistics.fmean(scores), description=proposal.description,
            reason=decision.reason,
        ))
    result.trace = result.trace[:budget]
    result.distinct = len(texts)
    return result


def space(problem: Problem) -> dict[str, tuple[str, Any]]:
    """The search space the hints describe, for random search and Optuna."""
    out: dict[str, tuple[str, Any]] = {}
    for s in find_all({problem.path: problem.settings}):
        h = s.hint
        if h.choices:
            out[s.name] = ("cat", h.choices)
        elif s.kind == "bool":
            out[s.name] = ("cat", ("True", "False"))
        elif s.kind == "int":
            out[s.name] = ("int", (int(h.low or 0), int(h.high or 100), h.log))
        else:
            out[s.name] = ("float", (h.low, h.high, h.log))
    return out


def _text(problem: Problem, params: dict[str, Any]) -> str:
    from agentos.settings import apply

    found = find_all({problem.path: problem.settings})
    changes: list[tuple[Any, Value]] = []
    for s in found:
        v = params[s.name]
        if s.kind == "bool":
            v = v == "True" if isinstance(v, str) else bool(v)
        changes.append((s, v))
    return apply({problem.path: problem.settings}, changes)[problem.path]


def _finish(
    result: Result, ev: Evaluator, trues: Sequence[float], observed: Sequence[float]
) -> None:
    """Best-observed selection, as random search and TPE report it; a false keep is a new
    best-observed whose true loss is worse than the previous best-observed's."""
    best_obs, best_true = math.inf, trues[0]
    for t, o in zip(trues, observed, strict=True):
        if o < best_obs:
            if t > best_true + 1e-12:
                result.false_keeps += 1
            result.keeps += 1
            best_obs, best_true = o, t
        result.trace.append(best_true)


def run_random(problem: Problem, seed: int, budget: int) -> Result:
    rng = random.Random(f"random:{problem.name}:{seed}")
    ev = Evaluator(problem, seed)
    trues, obs = [ev.true(problem.settings)], [ev.measure(problem.settings)]
    sp = space(problem)
    while ev.count < budget:
        params: dict[str, Any] = {}
        for name, (kind, arg) in sp.items():
            if kind == "cat":
                params[name] = rng.choice(arg)
            else:
                lo, hi, log = arg
                x = (math.exp(rng.uniform(math.log(lo), math.log(hi))) if log
                     else rng.uniform(lo, hi))
                params[name] = round(x) if kind == "int" else float(f"{x:.4g}")
        text = _text(problem, params)
        trues.append(ev.true(text))
        obs.append(ev.measure(text))
    result = Result("random", problem.name, seed)
    _finish(result, ev, trues, obs)
    return result


def run_tpe(problem: Problem, seed: int, budget: int) -> Result:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    sampler = optuna.samplers.TPESampler(seed=seed)
    study = optuna.create_study(direction="minimize", sampler=sampler)
    sp = space(problem)
    base = {s.name: s.value for s in find_all({problem.path: problem.settings})}
    study.enqueue_trial({k: (str(v) if sp[k][0] == "cat" else v) for k, v in base.items()})
    ev = Evaluator(problem, seed)
    trues: list[float] = []
    obs: list[float] = []
    while ev.count < budget:
        trial = study.ask()
        params: dict[str, Any] = {}
        for name, (kind, arg) in sp.items():
            if kind == "cat":
                params[name] = trial.suggest_categorical(name, list(arg))
            elif kind == "int":
                params[name] = trial.suggest_int(name, arg[0], arg[1], log=arg[2])
            else:
                params[name] = trial.suggest_float(name, arg[0], arg[1], log=arg[2])
        text = _text(problem, params)
        trues.append(ev.true(text))
        obs.append(ev.measure(text))
        study.tell(trial, obs[-1])
    result = Result("tpe", problem.name, seed)
    _finish(result, ev, trues, obs)
    return result
