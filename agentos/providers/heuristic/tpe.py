"""Model-based proposals: Optuna's TPE sampler over the tunable settings, and the hybrid mode.

`tpe`: every proposal is sampled by TPE. `hybrid` (the heuristic provider's default): once TPE
has seen `startup` configurations, a growing share of the proposals (from `local_start` to
`local_end` as the run spends its experiment budget; which ones, the seeded stream picks) is
instead a local move of the parent (`mutate.local_move`, a (1+1) evolution strategy
whose step adapts to its success rate): TPE's density model
finds the right basin but wanders inside it, a step-adapting local search converges. Without
noise, a share of the local moves that follows what each kind gained in the run is a hop of one
setting by a wide step instead (`hops`), which leaves a basin the evolution strategy has
converged in on a rugged landscape. On a noisy
metric (`ProposeRequest.noise` > 0) a local model of the measurements picks the local move, or
leaves it to TPE when no move is predicted to gain a noise sd (`surrogate`).

Every description ends with the full configuration (`| tpe NAME=VALUE ...`), local moves
included, so the study is rebuilt from the history alone: nothing lives outside the checkpointed
state, and the same request gives the same proposal. It learns from every measured trial of the
run (`ProposeRequest.trials`), not only the credit-horizon window an LLM prompt shows; a
configuration measured more than once is one trial with the mean of its measures. A number's
missing bound is grown from the run's evidence (`grown`), never guessed. A setting TPE cannot
search is changed by typed mutation in a share of the proposals (half its share of the tunable
settings), with the `| tpe` configuration unchanged; with nothing TPE can search, both modes fall
back to typed mutation.

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
from dataclasses import dataclass, field, replace
from typing import Any

from agentos.memory import changed, since_keep
from agentos.profile import Sampler
from agentos.providers.base import NothingToPropose, Proposal, ProposeRequest
from agentos.providers.heuristic.design import DESIGN, SCREEN, combining, point, screening
from agentos.providers.heuristic.hops import HOP, HOP_SIGMA, hop, hop_share
from agentos.providers.heuristic.mutate import (
    LOCAL,
    is_pow2,
    local_move,
    local_step,
    propose_settings,
    searchable,
    sig,
)
from agentos.providers.heuristic.surrogate import pick
from agentos.settings import Setting, Value, apply, find_all, guessed_unit, short, unit_high
from agentos.state import HistoryItem

TAG = " | tpe "
_ATTEMPTS = 24

Dims = dict[str, tuple[Setting, Any, str]]
Params = dict[str, Any]


def dimensions(
    settings: Sequence[Setting], evidence: Evidence | None = None, progress: float = 0.0
) -> Dims:
    """The tunable settings as Optuna distributions: bools, `choices`, numbers.

    A number's missing bound (one-sided hints, no hint) comes from the evidence (`grown`).
    Powers of two within power-of-two bounds are searched by their exponent (`pow2`); where a
    bound was grown, only in the first half of the budget: then any integer.
    """
    from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution

    dims: Dims = {}
    for st in settings:
        h = st.hint
        if st.kind == "bool":
            dims[st.name] = (st, CategoricalDistribution(["True", "False"]), "bool")
        elif h.choices:
            dims[st.name] = (st, CategoricalDistribution(list(h.choices)), "choice")
        elif st.kind in ("int", "float"):
            lo, hi, log = grown(st, evidence or Evidence())
            bounded = h.low is not None and h.high is not None
            if not lo < hi:
                continue
            if (
                st.kind == "int"
                and is_pow2(int(st.value))
                and is_pow2(int(hi))
                and (lo <= 1 or is_pow2(int(lo)))
                and (bounded or progress < 0.5)
            ):
                e_lo, e_hi = math.ceil(math.log2(max(lo, 1))), math.floor(math.log2(hi))
                dims[st.name] = (st, IntDistribution(e_lo, e_hi), "pow2")
            elif st.kind == "int" and math.ceil(lo) < math.floor(hi):
                dist = IntDistribution(math.ceil(lo), math.floor(hi), log=log and lo >= 1)
                dims[st.name] = (st, dist, "int")
            elif st.kind == "float":
                dims[st.name] = (st, FloatDistribution(lo, hi, log=log and lo > 0), "float")
    return dims


@dataclass(frozen=True)
class Evidence:
    """What the run measured so far: each setting's values (`NAME -> values`), and its value in
    the best measured configuration."""

    seen: Mapping[str, Sequence[float]] = field(default_factory=dict)
    best: Mapping[str, float] = field(default_factory=dict)


GROW = 4.0  # a grown bound lies this factor beyond the best value (or beyond 0 by 1 or 4)


def grown(st: Setting, evidence: Evidence) -> tuple[float, float, bool]:
    """A number's search bounds and scale: its hint's bounds, and for a side without one, the
    farthest of the values measured so far and `GROW` times the best value away from zero (a
    float at 0 reaches 1, an int at 0 reaches 4; an int reaches 0 from below 4; no value changes
    sign). So the space grows as the best moves toward an edge. A float whose lower bound is
    grown, or whose grown range spans two decades, is searched on a log scale."""
    if guessed_unit(st):
        return 0.0, unit_high(st), False
    h = st.hint
    v = float(st.value)
    best = evidence.best.get(st.name, v)
    xs = [v, *evidence.seen.get(st.name, ())]
    is_int = st.kind == "int"
    lo, hi, log = h.low, h.high, h.log
    if best > 0 or (best == 0 and v >= 0):
        up = best * GROW if best else (4.0 if is_int else 1.0)
        down = float(best // GROW) if is_int else best / GROW
        if is_int:
            up = max(up, best + GROW)
    else:
        up, down = best / GROW, best * GROW if best else -1.0
        if is_int:
            up, down = float(-(-best // GROW)), min(down, best - GROW)
    if hi is None:
        hi = max(*xs, up)
        # as for a comment's range: two decades or more of positive floats is a log scale
        log = log or (not is_int and lo is not None and lo > 0 and hi / lo >= 100)
    if lo is None:
        lo = min(*xs, down)
        log = log or (not is_int and lo > 0)
    return lo, hi, log


def decode(kind: str, setting: Setting, raw: Any, dist: Any = None) -> Value:
    """A value in the file's type from Optuna's parameter value (a float rounded inside its
    distribution `dist`'s bounds)."""
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
    return sig(float(raw), 4, getattr(dist, "low", None), getattr(dist, "high", None))


def encode(kind: str, text: str) -> Any:
    """Optuna's parameter value from a value as the `| tpe` suffix writes it (ValueError for a
    value the kind cannot hold)."""
    if kind in ("bool", "choice"):
        return text
    if kind == "pow2":  # 1 is 2 ** 0, the low end of a range from 0 or 1
        if int(text) != 1 and not is_pow2(int(text)):
            raise ValueError(text)
        return int(math.log2(int(text)))
    return int(text) if kind == "int" else float(text)


def config(dims: Dims, files: Mapping[str, str]) -> str:
    """The searched settings' values in `files`, as the `| tpe` suffix lists them."""
    now = {st.name: st.value for st in find_all(files) if st.name in dims}
    return " ".join(f"{n}={short(now[n])}" for n in dims if n in now)


Observed = list[tuple[dict[str, str], float]]


def observed(request: ProposeRequest) -> Observed:
    """`NAME -> value` (as written) and the metric of every measured trial of the run whose
    description lists its configuration (`| tpe ...`)."""
    out: Observed = []
    for item in request.trials or request.history:
        if TAG not in item["description"] or item["metric"] is None:
            continue
        words = item["description"].split(TAG, 1)[1].split()
        out.append((dict(w.split("=", 1) for w in words if "=" in w), float(item["metric"])))
    return out


def evidence(trials: Observed, goal: str, best: float | None = None) -> Evidence:
    """The numeric values each setting took in `trials`, and those of the best one; none is the
    best where it falls short of the run's `best` metric (nothing kept beats the start: the
    start's own values, the parent's, stay the centre). Otherwise a run that keeps nothing
    would centre each grown bound on its least bad failure, and every unbounded setting would
    climb with each discard (600 points, then 1,797, 3,765, ... 568,584 in 15 experiments)."""
    seen: dict[str, list[float]] = {}
    for pairs, _ in trials:
        for name, text in pairs.items():
            try:
                seen.setdefault(name, []).append(float(text))
            except ValueError:
                continue  # a bool or a choice
    top: dict[str, float] = {}
    if trials:
        pairs, metric = (max if goal == "max" else min)(trials, key=lambda t: t[1])
        if best is not None and (metric < best if goal == "max" else metric > best):
            pairs = {}
        for name, text in pairs.items():
            try:
                top[name] = float(text)
            except ValueError:
                continue
    return Evidence(seen, top)


def measured_trials(dims: Dims, trials: Observed) -> list[tuple[Params, float]]:
    """The trials that give a full configuration of these dimensions, one per configuration:
    a configuration measured more than once (re-proposed, or re-measured) counts once, with the
    mean of its metrics, so TPE models the noisy means rather than single draws."""
    return [(params, m) for params, m, _ in _measured(dims, trials)]


def _measured(dims: Dims, trials: Observed) -> list[tuple[Params, float, int]]:
    """`measured_trials`, each with the number of measures its mean is over."""
    sums: dict[tuple[tuple[str, Any], ...], tuple[Params, float, int]] = {}
    for pairs, metric in trials:
        try:
            params = {n: encode(kind, pairs[n]) for n, (_, _, kind) in dims.items()}
        except (KeyError, ValueError):
            continue
        if not all(d._contains(d.to_internal_repr(params[n])) for n, (_, d, _) in dims.items()):
            continue  # outside a space edited since (the [search.space] table, on resume)
        key = _key(params)
        _, total, n = sums.get(key, (params, 0.0, 0))
        sums[key] = (params, total + metric, n + 1)
    return [(params, total / n, n) for params, total, n in sums.values()]


def joint_refused(past: Sequence[HistoryItem], at_least: int = 2, wide: int = 4) -> bool:
    """Whether the gates refused `at_least` moves of `wide` settings or more at once before they
    were measured, and passed none. A library whose tests pin its behaviour (chardet's
    detection tests against 34 settings) refuses nearly every random configuration of all of
    them, and TPE's start-up counts measured trials only, so it would draw them for the whole
    budget; a move of one or two settings (`propose_settings`) can pass, and its refusals say
    which setting the tests pin (`agentos.memory.gated_off`). A narrow move that passes says
    nothing of the wide draws, so only a wide one that passes ends this."""
    joint = [t["status"] for t in past
             if TAG in t["description"] and len(changed(t["description"])) >= wide]  # fmt: skip
    return joint.count("rejected") >= at_least and all(s == "rejected" for s in joint)


def sampler_for(request: ProposeRequest) -> Sampler:
    """The search profile's `[proposer]` settings for this run: a start-up of at most a third of
    the experiment budget (at least 2), so a small budget is not spent on random draws of every
    setting at once (a budget of 10 and a start-up of 12 would be random search)."""
    knobs = request.task.profile.sampler
    cap = max(2, request.task.budget.experiments // 3)
    return replace(knobs, startup=cap) if knobs.startup > cap else knobs


def local_share(progress: float, knobs: Sampler) -> float:
    """The share of local moves: it grows as the experiment budget is spent (refine late)."""
    return knobs.local_start + (knobs.local_end - knobs.local_start) * progress


def propose_tpe(request: ProposeRequest, *, hybrid: bool = False) -> Proposal:
    """TPE over the tunable settings (with `hybrid`, some proposals refine the parent)."""
    found = searchable(request)
    seen = observed(request)
    progress = min(1.0, request.experiment / max(1, request.task.budget.experiments))
    best = request.best.get("metric") if request.best else None
    dims = dimensions(found, evidence(seen, request.task.metric.goal, best), progress)
    if not dims:
        return propose_settings(request)
    measured = _measured(dims, seen)
    trials = [(params, m) for params, m, _ in measured]  # `measured_trials`
    tried = {_key(params) for params, _ in trials}
    current = {n: encode(kind, short(st.value)) for n, (st, _, kind) in dims.items()}
    rng = random.Random(f"agentos-tpe:{request.seed}:{request.experiment}")

    def fresh(params: Params) -> bool:
        return _key(params) not in tried and params != current

    # settings no hint bounds are outside TPE's space; a share of the proposals (their share of
    # the settings, halved) moves one of them by typed mutation, so none is left as it was
    mutable = [st.name for st in found]
    others = frozenset(mutable) - set(dims)
    if others and rng.random() < 0.5 * len(others) / len(mutable):
        try:
            moved = propose_settings(request, only=others)
        except NothingToPropose:
            pass  # every change of them was tried from this parent: TPE proposes instead
        else:
            return _tagged(dims, moved)

    if joint_refused(request.trials or request.history) and rng.random() < 0.8:
        try:  # the gates refuse joint moves here: one setting at a time finds which they pin
            return _tagged(dims, propose_settings(request))
        except NothingToPropose:
            pass

    knobs = sampler_for(request)
    past = request.trials or request.history
    jump = _screen_move(request, dims, current, past, fresh) if knobs.start == "oat" else None
    jump = jump or _design_move(request, dims, knobs, len(trials), past, fresh)
    if jump is not None:
        return jump
    if hybrid and len(trials) >= knobs.startup and rng.random() < local_share(progress, knobs):
        sigma = local_step(past, knobs.local_sigma)
        space = {n: (kind, dist) for n, (_, dist, kind) in dims.items()}
        hopping = request.noise <= 0 and rng.random() < hop_share(past, request.task.metric.goal)
        moves: list[Params] = []  # without noise the first fresh move; with it, every one
        for _ in range(_ATTEMPTS):
            params = (hop(space, current, rng) if hopping
                      else local_move(space, current, rng, sigma))
            if fresh(params):
                moves.append(params)
                if request.noise <= 0:
                    break
        if moves:
            goal = request.task.metric.goal
            picked = pick(space, current, moves, measured, goal, request.noise)
            if picked is not None:
                note = f"{HOP}{HOP_SIGMA:g}" if hopping else f"{LOCAL}{sigma:.3g}"
                return _proposal(request, dims, picked, note)

    sampled = _CACHE.sample(request.task.metric.goal, dims, trials, rng.getrandbits(32), fresh,
                            knobs)
    if sampled is None:  # TPE drew only measured configurations: a typed mutation, whose
        return _tagged(dims, propose_settings(request))  # configuration TPE then learns from
    return _proposal(request, dims, sampled)


def _design_move(
    request: ProposeRequest, dims: Dims, knobs: Sampler, measured: int,
    past: Sequence[HistoryItem], fresh: Callable[[Params], bool],
) -> Proposal | None:
    """The next point of the run's space-filling design (`design`), where the profile asks for
    one: a start-up configuration (`start = "sobol"`, while fewer than `startup` are measured),
    or a jump after every `stall` experiments without a keep; else None."""
    starting = knobs.start == "sobol" and measured < knobs.startup
    waited = since_keep(past)
    stalled = (knobs.stall > 0 and measured >= knobs.startup and waited > 0
               and waited % knobs.stall == 0)
    if not (starting or stalled):
        return None
    dists = {n: dist for n, (_, dist, _) in dims.items()}
    params = point(dists, request.task.search.seed, lambda p: fresh(_canon(dims, p)))
    if params is None:
        return None
    params = _canon(dims, params)
    note = "start" if starting else f"restart after {waited} without a keep"
    return _proposal(request, dims, params, f"{DESIGN}{note}")


def _screen_move(
    request: ProposeRequest, dims: Dims, current: Params, past: Sequence[HistoryItem],
    fresh: Callable[[Params], bool],
) -> Proposal | None:
    """`start = "oat"`: the screening design's next point (`design.screening`: one setting at a
    time at a far value of the parent), then the joint moves of the settings whose point beat
    the screen's median (`design.combining`), each proposed once (a point the gates refused
    is not proposed again); None once all are proposed, and TPE and the local moves take over.
    Replayed from the descriptions (`| design screen NAME=V`), so a resumed run proposes the
    same."""
    dists = {n: dist for n, (_, dist, _) in dims.items()}
    proposed = [t["description"] for t in past if DESIGN in t["description"]]

    def untried(plan: list[tuple[str, Params]]) -> Proposal | None:
        for note, params in plan:
            if any(f"{DESIGN}{note}{TAG}" in d for d in proposed):
                continue
            params = _canon(dims, params)
            if fresh(params):
                return _proposal(request, dims, params, f"{DESIGN}{note}")
        return None

    plan = screening(dists, current,
                     lambda n, v: short(decode(dims[n][2], dims[n][0], v, dims[n][1])))
    found = untried(plan)
    if found is not None:
        return found
    screened = []
    for note, params in plan:
        name, _, _ = note.removeprefix(SCREEN).partition("=")
        metrics = [float(t["metric"]) for t in past if t["metric"] is not None
                   and f"{DESIGN}{note}{TAG}" in t["description"]]
        if metrics:
            screened.append((name, params[name], sum(metrics) / len(metrics)))
    return untried(combining(current, screened, request.task.metric.goal))


def _canon(dims: Dims, params: Params) -> Params:
    """`params` as the `| tpe` suffix will write and read them back."""
    return {n: encode(kind, short(decode(kind, st, params[n], dist)))
            for n, (st, dist, kind) in dims.items()}


def _tagged(dims: Dims, moved: Proposal) -> Proposal:
    """A typed mutation with the `| tpe` configuration it leads to, so TPE learns from it and
    never proposes it again."""
    return Proposal(f"{moved.description}{TAG}{config(dims, moved.components)}",
                    components=moved.components)


def _key(params: Params) -> tuple[tuple[str, Any], ...]:
    return tuple(sorted(params.items()))


def _proposal(request: ProposeRequest, dims: Dims, params: Params, note: str = "") -> Proposal:
    chosen = {n: decode(kind, st, params[n], dist) for n, (st, dist, kind) in dims.items()}
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
        knobs: Sampler,
    ) -> Params | None:
        """TPE's first accepted sample (of up to `_ATTEMPTS`) over exactly `trials`, or None.

        Every asked trial is told FAIL, so the storage's measured trials stay those of the run.
        """
        import optuna

        if optuna.logging.get_verbosity() != optuna.logging.WARNING:
            optuna.logging.set_verbosity(optuna.logging.WARNING)  # it clears logging's caches
        distributions = {name: d for name, (_, d, _) in dims.items()}
        with self.lock:
            study = self._study(goal, distributions, trials, seed, knobs)
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
        knobs: Sampler,
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
        sampler = optuna.samplers.TPESampler(
            seed=seed, n_startup_trials=knobs.startup, n_ei_candidates=knobs.candidates,
            multivariate=knobs.multivariate,
        )
        study = optuna.load_study(study_name=entry.name, storage=entry.storage, sampler=sampler)
        for params, value in trials[len(entry.added) :]:
            study.add_trial(create_trial(params=params, distributions=distributions, value=value))
        entry.added.extend(keys[len(entry.added) :])
        return study


_CACHE = _StudyCache()
