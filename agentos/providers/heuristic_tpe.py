"""Model-based proposals: Optuna's TPE sampler over the hinted settings, and the hybrid mode.

`tpe`: every proposal is sampled by TPE. `hybrid` (the heuristic provider's default): once TPE
has seen `STARTUP` configurations, a growing share of the proposals (from `LOCAL_SHARE[0]` to
`LOCAL_SHARE[1]` as the run spends its experiment budget; which ones, the seeded stream picks) is
instead a local move of the parent (`heuristic_mutate.local_move`, a (1+1) evolution strategy
whose step adapts to its success rate): TPE's density model
finds the right basin but wanders inside it, a step-adapting local search converges.

Every description ends with the full hinted configuration (`| tpe NAME=VALUE ...`), local moves
included, so the study is rebuilt from the history alone: nothing lives outside the checkpointed
state, and the same request gives the same proposal. It learns from every measured trial of the
run (`ProposeRequest.trials`), not only the credit-horizon window an LLM prompt shows. Settings
without both bounds are outside TPE's space: a share of the proposals (half their share of the
tunable settings) changes one of them by typed mutation instead, with the `| tpe` configuration
unchanged. Without hinted settings both modes fall back to typed mutation.

Rebuilding the study on every call costs time that grows with the run, so the study's storage is
kept in a small in-process cache (`_StudyCache`) that adds only the trials it has not seen. The
cache is pure: each proposal uses a fresh sampler seeded by the request over exactly the trials of
the request, so a cold cache (after a restart) gives the same proposal as a warm one.
"""

from __future__ import annotations

import math
import random
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from agentos.providers.base import NothingToPropose, Proposal, ProposeRequest
from agentos.providers.heuristic_mutate import (
    LOCAL,
    is_pow2,
    local_move,
    local_step,
    propose_settings,
    sig,
)
from agentos.settings import Setting, Value, apply, find_all, short

TAG = " | tpe "
STARTUP = 12
LOCAL_SHARE = (0.2, 0.9)  # share of local moves after TPE's start-up, at the start and the end
_ATTEMPTS = 24

Dims = dict[str, tuple[Setting, Any, str]]
Params = dict[str, Any]


def dimensions(settings: Sequence[Setting]) -> Dims:
    """The hinted settings as Optuna distributions: bools, `choices`, bounded numbers.

    Powers of two within power-of-two bounds are searched by their exponent (`pow2`).
    """
    from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution

    dims: Dims = {}
    for st in settings:
        h = st.hint
        if st.kind == "bool":
            dims[st.name] = (st, CategoricalDistribution(["True", "False"]), "bool")
        elif h.choices:
            dims[st.name] = (st, CategoricalDistribution(list(h.choices)), "choice")
        elif h.low is not None and h.high is not None and h.low < h.high:
            lo, hi = h.low, h.high
            if (
                st.kind == "int"
                and is_pow2(int(st.value))
                and is_pow2(int(hi))
                and (lo <= 1 or is_pow2(int(lo)))
            ):
                e_lo, e_hi = math.ceil(math.log2(max(lo, 1))), math.floor(math.log2(hi))
                dims[st.name] = (st, IntDistribution(e_lo, e_hi), "pow2")
            elif st.kind == "int" and math.ceil(lo) < math.floor(hi):
                dist = IntDistribution(math.ceil(lo), math.floor(hi), log=h.log and lo >= 1)
                dims[st.name] = (st, dist, "int")
            elif st.kind == "float":
                dims[st.name] = (st, FloatDistribution(lo, hi, log=h.log), "float")
    return dims


def decode(kind: str, setting: Setting, raw: Any) -> Value:
    """A value in the file's type from Optuna's parameter value."""
    if kind == "bool":
        return bool(raw == "True")
    if kind == "pow2":
        return int(2 ** int(raw))
    if kind == "choice":
        if setting.kind == "int":
            return int(raw)
        return float(raw) if setting.kind == "float" else str(raw)
    if kind == "int":
        return int(raw)
    return sig(float(raw), 4)


def encode(kind: str, text: str) -> Any:
    """Optuna's parameter value from a value as the `| tpe` suffix writes it."""
    if kind in ("bool", "choice"):
        return text
    if kind == "pow2":
        return int(math.log2(int(text)))
    return int(text) if kind == "int" else float(text)


def config(dims: Dims, files: Mapping[str, str]) -> str:
    """The hinted settings' values in `files`, as the `| tpe` suffix lists them."""
    now = {st.name: st.value for st in find_all(files) if st.name in dims}
    return " ".join(f"{n}={short(now[n])}" for n in dims if n in now)


def measured_trials(dims: Dims, request: ProposeRequest) -> list[tuple[Params, float]]:
    """Every measured trial of the run that lists a full configuration of these dimensions."""
    out: list[tuple[Params, float]] = []
    for item in request.trials or request.history:
        if TAG not in item["description"] or item["metric"] is None:
            continue
        pairs = dict(t.split("=", 1) for t in item["description"].split(TAG, 1)[1].split())
        try:
            params = {n: encode(kind, pairs[n]) for n, (_, _, kind) in dims.items()}
        except (KeyError, ValueError):
            continue
        out.append((params, float(item["metric"])))
    return out


def local_share(request: ProposeRequest) -> float:
    """The share of local moves: it grows as the experiment budget is spent (refine late)."""
    progress = min(1.0, request.experiment / max(1, request.task.budget.experiments))
    low, high = LOCAL_SHARE
    return low + (high - low) * progress


def propose_tpe(request: ProposeRequest, *, hybrid: bool = False) -> Proposal:
    """TPE over the hinted settings (with `hybrid`, some proposals refine the parent)."""
    dims = dimensions([st for st in find_all(request.files) if st.mutable])
    if not dims:
        return propose_settings(request)
    trials = measured_trials(dims, request)
    seen = {_key(params) for params, _ in trials}
    current = {n: encode(kind, short(st.value)) for n, (st, _, kind) in dims.items()}
    rng = random.Random(f"agentos-tpe:{request.seed}:{request.experiment}")

    def fresh(params: Params) -> bool:
        return _key(params) not in seen and params != current

    # settings no hint bounds are outside TPE's space; a share of the proposals (their share of
    # the settings, halved) moves one of them by typed mutation, so none is left as it was
    mutable = [st.name for st in find_all(request.files) if st.mutable]
    others = frozenset(mutable) - set(dims)
    if others and rng.random() < 0.5 * len(others) / len(mutable):
        try:
            moved = propose_settings(request, only=others)
        except NothingToPropose:
            pass  # every change of them was tried from this parent: TPE proposes instead
        else:
            return Proposal(
                f"{moved.description}{TAG}{config(dims, moved.components)}",
                components=moved.components,
            )

    if hybrid and len(trials) >= STARTUP and rng.random() < local_share(request):
        sigma = local_step(request.trials or request.history)
        space = {n: (kind, dist) for n, (_, dist, kind) in dims.items()}
        for _ in range(_ATTEMPTS):
            params = local_move(space, current, rng, sigma)
            if fresh(params):
                return _proposal(request, dims, params, f"{LOCAL}{sigma:.3g}")

    sampled = _CACHE.sample(request.task.metric.goal, dims, trials, rng.getrandbits(32), fresh)
    if sampled is None:
        return propose_settings(request)
    return _proposal(request, dims, sampled)


def _key(params: Params) -> tuple[tuple[str, Any], ...]:
    return tuple(sorted(params.items()))


def _proposal(request: ProposeRequest, dims: Dims, params: Params, note: str = "") -> Proposal:
    chosen = {n: decode(kind, st, params[n]) for n, (st, _, kind) in dims.items()}
    changes = [(dims[n][0], v) for n, v in chosen.items() if v != dims[n][0].value]
    described = ", ".join(f"{st.name} {short(st.value)} -> {short(v)}" for st, v in changes)
    components = apply(request.files, changes)
    return Proposal(f"{described}{note}{TAG}{config(dims, components)}", components=components)


@dataclass
class _Entry:
    storage: Any
    name: str
    added: list[tuple[tuple[tuple[str, Any], ...], float]] = field(default_factory=list)


class _StudyCache:
    """Optuna storages holding the measured trials of recent runs, keyed by the search space.

    A request whose trials extend a cached list adds only the new ones; any other list starts a
    new storage. The sampler is never cached: each call gets a fresh one, seeded by the request.
    """

    def __init__(self, size: int = 8):
        self.size = size
        self.entries: OrderedDict[tuple[str, str], list[_Entry]] = OrderedDict()
        self.lock = threading.Lock()
        self.counter = 0

    def sample(
        self,
        goal: str,
        dims: Dims,
        trials: list[tuple[Params, float]],
        seed: int,
        accept: Callable[[Params], bool],
    ) -> Params | None:
        """TPE's first accepted sample (of up to `_ATTEMPTS`) over exactly `trials`, or None.

        Every asked trial is told FAIL, so the storage's measured trials stay those of the run.
        """
        import optuna

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        distributions = {name: d for name, (_, d, _) in dims.items()}
        with self.lock:
            study = self._study(goal, distributions, trials, seed)
            for _ in range(_ATTEMPTS):
                trial = study.ask(fixed_distributions=distributions)
                study.tell(trial, state=optuna.trial.TrialState.FAIL)
                if accept(trial.params):
                    return dict(trial.params)
        return None

    def _study(
        self,
        goal: str,
        distributions: dict[str, Any],
        trials: list[tuple[Params, float]],
        seed: int,
    ) -> Any:
        import optuna
        from optuna.trial import create_trial

        space = (goal, repr(sorted(distributions.items())))
        keys = [(_key(p), v) for p, v in trials]
        entries = self.entries.pop(space, [])
        entry = next((e for e in entries if keys[: len(e.added)] == e.added), None)
        if entry is None:
            self.counter += 1
            entry = _Entry(optuna.storages.InMemoryStorage(), f"agentos-{self.counter}")
            optuna.create_study(
                storage=entry.storage,
                study_name=entry.name,
                direction="maximize" if goal == "max" else "minimize",
            )
        else:
            entries.remove(entry)
        self.entries[space] = [entry, *entries][: self.size]
        while len(self.entries) > self.size:
            self.entries.popitem(last=False)
        sampler = optuna.samplers.TPESampler(seed=seed, n_startup_trials=STARTUP)
        study = optuna.load_study(study_name=entry.name, storage=entry.storage, sampler=sampler)
        for params, value in trials[len(entry.added) :]:
            study.add_trial(create_trial(params=params, distributions=distributions, value=value))
        entry.added.extend(keys[len(entry.added) :])
        return study


_CACHE = _StudyCache()
