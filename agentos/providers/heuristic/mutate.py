"""Typed mutation of the settings in the editable files, and the hybrid mode's local move.

Log-scale steps for `log`-hinted numbers and small floats, powers of two moved mostly by factors
of two, ints kept ints, bools flipped, strings only among hinted `choices`. The same request always
gives the same proposal (the random stream is seeded by the task seed and the experiment number),
and a change already tried from the same parent (in either mode, in any trial of the run, not only
the credit horizon's window: `agentos.memory.measured`) is never proposed again.

With nothing to change (no tunable setting in the editable files, none that can take another value,
or every change drawn from the parent tried already) it raises `NothingToPropose`: the run ends
with that reason instead of spending its budget on proposals that cannot be used.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from typing import Any

from agentos.memory import gated_off, measured
from agentos.providers.base import NothingToPropose, Proposal, ProposeRequest
from agentos.settings import (
    NOTHING_TO_TUNE_FIX,
    Setting,
    Value,
    apply,
    disk_reader,
    find_all,
    guessed_unit,
    short,
    unit_high,
)
from agentos.state import HistoryItem

_ATTEMPTS = 24


def sig(x: float, digits: int = 3, lo: float | None = None, hi: float | None = None) -> float:
    """Round to a few significant digits so edited files read like a human wrote them, with as
    many more as it takes to stay inside [`lo`, `hi`]: 0.99996 in 0.9..0.99999 is not 1."""
    for d in range(digits, 18):
        out = float(f"{x:.{d}g}")
        if (lo is None or out >= lo) and (hi is None or out <= hi):
            return out
    return min(max(x, lo if lo is not None else x), hi if hi is not None else x)


def is_pow2(v: int) -> bool:
    return v >= 2 and v & (v - 1) == 0


def _reflect(x: float, lo: float, hi: float) -> float:
    if hi <= lo:
        return lo
    span = hi - lo
    y = (x - lo) % (2 * span)
    return lo + (span - abs(span - y))


def mutate(setting: Setting, rng: random.Random, step: float = 1.0) -> Value:
    """A new value of the same type, `step` scaling how far it moves. Never returns the old value
    unless the setting has only one possible value."""
    v, h = setting.value, setting.hint
    if setting.kind == "bool":
        return not v
    if h.choices:
        options = [c for c in h.choices if c != (v if setting.kind == "str" else short(v))]
        picked = rng.choice(options) if options else str(v)
        if setting.kind == "str":
            return picked
        try:
            return int(picked) if setting.kind == "int" else float(picked)
        except ValueError:
            return v
    if setting.kind == "str":
        return v
    assert isinstance(v, int | float) and not isinstance(v, bool)
    lo, hi = h.low, h.high
    unit = unit_high(setting) if guessed_unit(setting) else None
    for _ in range(_ATTEMPTS):
        new = _numeric(setting.kind == "int", float(v), lo, hi, h.log, unit, rng, step)
        if new != v:
            return new
    return v


def _numeric(
    is_int: bool,
    v: float,
    lo: float | None,
    hi: float | None,
    log: bool,
    unit: float | None,
    rng: random.Random,
    step: float,
) -> int | float:
    """One move of a number. The scale comes from the hint (bounds, `log`) and the value, never
    the name: an unbounded float moves multiplicatively, in wide log steps when it is small
    (<= 0.01, a rate or a tolerance); `unit` (the upper bound of a probability-like float,
    `guessed_unit`) reflects in [0, unit]. A power of two moves by factors of two three times in
    four, otherwise as any int, so values between powers stay reachable; an unbounded int never
    changes sign, but 1 reaches 0.
    """
    bounded = lo is not None and hi is not None
    pow2_bounds = all(b is None or b <= 1 or is_pow2(int(b)) for b in (lo, hi))
    if is_int and is_pow2(int(v)) and pow2_bounds and rng.random() < 0.75:
        e = int(math.log2(v)) + rng.choice((-1, 1)) * (1 + int(rng.random() < 0.2 * step))
        e = max(e, 0)
        if hi is not None:
            e = min(e, math.floor(math.log2(max(hi, 1))))
        if lo is not None:
            e = max(e, math.ceil(math.log2(max(lo, 1))))
        return int(2**e)
    if log and v > 0 and bounded and lo is not None and hi is not None and lo > 0:
        sigma = 0.2 * math.log(hi / lo) * step
        x = math.exp(_reflect(math.log(v) + rng.gauss(0, sigma), math.log(lo), math.log(hi)))
    elif bounded and lo is not None and hi is not None:
        x = _reflect(v + rng.gauss(0, 0.15 * (hi - lo) * step), lo, hi)
    elif unit is not None:
        x = _reflect(v + rng.gauss(0, 0.1 * step), 0.0, unit)
    elif v != 0:
        wide = log or (not is_int and abs(v) <= 0.01)
        x = v * math.exp(rng.gauss(0, (0.8 if wide else 0.3) * step))
    else:
        x = rng.gauss(0, 0.1 * step) if not is_int else rng.choice((1, -1))
    if is_int:
        n = round(x)
        if n == int(v):
            n = int(v) + (1 if x >= v else -1)
        if not bounded and v >= 0:
            n = max(n, 0)
        elif not bounded:
            n = min(n, 0)
        if lo is not None:
            n = max(n, math.ceil(lo))
        if hi is not None:
            n = min(n, math.floor(hi))
        return n
    return sig(min(max(x, lo if lo is not None else x), hi if hi is not None else x), 3, lo, hi)


def settings_of(request: ProposeRequest) -> list[Setting]:
    """The settings of the request's files as the task sees them: hinted by a schema beside a
    file (read from the task's repository), by the metric command's checks, and by the
    `[search.space]` table."""
    task = request.task
    return find_all(request.files, task.search.space, disk_reader(task.root), task.metric.command)


def searchable(request: ProposeRequest) -> list[Setting]:
    """The mutable settings, less those whose every change in the run (two or more) a gate
    refused before it was measured (`agentos.memory.gated_off`: the tests pin it, say). When
    that leaves none, the run ends saying so instead of spending its budget on refusals."""
    found = [s for s in settings_of(request) if s.mutable]
    off = gated_off(request.trials or request.history)
    kept = [s for s in found if s.name not in off and f"{s.path}:{s.name}" not in off]
    if found and not kept:
        raise NothingToPropose(
            f"every change of {', '.join(sorted(off))} was refused by a gate before it was "
            "measured (two or more times each): the gates' findings in the ledger say why"
        )
    return kept


def _weights(settings: Sequence[Setting], request: ProposeRequest) -> list[float]:
    """Settings whose changes were kept before get a little more attention (credit assignment)."""
    kept = " ".join(h["description"] for h in request.history if h["status"] == "keep")
    return [1.0 + kept.count(f"{s.name} ") for s in settings]


def propose_settings(request: ProposeRequest, only: frozenset[str] | None = None) -> Proposal:
    """The heuristic proposal for one request (deterministic in the request); with `only`, a
    change of those settings alone."""
    mutable = [s for s in searchable(request) if only is None or s.name in only]
    if not mutable:
        raise NothingToPropose(
            f"no tunable settings found in the editable files {_listed(request.files)}: "
            + NOTHING_TO_TUNE_FIX
        )
    names = [s.name for s in mutable]
    label = {id(s): s.name if names.count(s.name) == 1 else f"{s.path}:{s.name}" for s in mutable}
    # the change without its `| tpe ...` or `| local step` suffix: either mode may have tried it
    # every trial of the run, not only the credit-horizon window: the memory of the run
    tried = measured(request.trials or request.history, request.parent)
    weights = _weights(mutable, request)
    rng = random.Random(f"agentos-heuristic:{request.seed}:{request.experiment}")
    tried_any = False
    for _ in range(_ATTEMPTS):
        k = 1
        while k < len(mutable) and rng.random() < min(0.6, 0.25 * request.step):
            k += 1
        chosen: list[Setting] = []
        pool, w = list(mutable), list(weights)
        for _ in range(k):
            i = rng.choices(range(len(pool)), weights=w)[0]
            chosen.append(pool.pop(i))
            w.pop(i)
        chosen.sort(key=lambda s: (s.path, s.start))
        changes = [(s, mutate(s, rng, request.step)) for s in chosen]
        changes = [(s, v) for s, v in changes if v != s.value]
        if not changes:
            continue
        description = ", ".join(
            f"{label[id(s)]} {short(s.value)} -> {short(v)}" for s, v in changes
        )
        if description not in tried:
            return Proposal(description, components=apply(request.files, changes))
        tried_any = True
    if not tried_any:
        raise NothingToPropose(
            f"no setting in {_listed(request.files)} can take another value within its hints"
        )
    raise NothingToPropose(
        f"every change the heuristic proposer found in {_ATTEMPTS} draws from "
        f"{request.parent[:12]} was tried already ({len(tried)} tried from it): its settings "
        "are exhausted; widen their hints (`# range:`, `# choices:`) or use a Claude provider"
    )


def _listed(files: Mapping[str, str]) -> str:
    paths = sorted(files)
    return ", ".join(paths[:5]) + (f" (and {len(paths) - 5} more)" if len(paths) > 5 else "")


# --- the hybrid mode's local move: a (1+1) evolution strategy in the hinted space -----------------

LOCAL = " | local step "
LOCAL_UP = 1.5  # a kept local move widens the step, a failed one narrows it by UP ** -1/2: the
LOCAL_DOWN = LOCAL_UP**-0.5  # step holds still at one success in three (low-dimensional 1/5 rule)
LOCAL_BOUNDS = (1e-3, 0.5)


def local_step(history: Sequence[HistoryItem], first: float) -> float:
    """The local step after the run's local moves so far (success-based step-size control).

    Replayed from the history on every call (the marker in each local move's description and
    its status), so it needs no state of its own and a resumed run gets the same step.
    """
    sigma = first  # the profile's `local_sigma`: a fraction of each setting's (log) range
    for item in history:
        if LOCAL in item["description"]:
            sigma *= LOCAL_UP if item["status"] == "keep" else LOCAL_DOWN
            sigma = min(max(sigma, LOCAL_BOUNDS[0]), LOCAL_BOUNDS[1])
    return sigma


def local_move(
    space: Mapping[str, tuple[str, Any]],
    current: Mapping[str, Any],
    rng: random.Random,
    sigma: float,
) -> dict[str, Any]:
    """A move of every numeric setting at once by a Gaussian step of `sigma` of its range, and of
    each categorical one with probability 1/n: the (1+1) evolution strategy's mutation, which
    follows curved valleys that one-setting moves cannot.

    `space` maps a name to its kind (`float`, `int`, `pow2` (searched by exponent), `bool`,
    `choice`) and its Optuna distribution; `current` and the result are in Optuna's parameter
    values. At least one setting changes (the smallest step, when the Gaussian ones round away).
    """
    out = dict(current)
    n = len(space)
    for name, (kind, dist) in space.items():
        if kind in ("bool", "choice"):
            if rng.random() < 1 / n:
                out[name] = _other(dist.choices, current[name], rng)
            continue
        lo, hi = float(dist.low), float(dist.high)
        log = bool(dist.log)  # Optuna refuses a log scale unless low > 0
        f = math.log if log else float
        span = f(hi) - f(lo)
        u = (f(float(current[name])) - f(lo)) / span + rng.gauss(0, sigma)
        x = f(lo) + span * _reflect(u, 0.0, 1.0)
        x = math.exp(x) if log else x
        out[name] = min(max(round(x), lo), hi) if kind != "float" else sig(x, 4, lo, hi)
    if out == dict(current):
        name = rng.choice(sorted(space))
        kind, dist = space[name]
        if kind in ("bool", "choice"):
            out[name] = _other(dist.choices, current[name], rng)
        elif kind != "float":
            v = int(current[name]) + rng.choice((-1, 1))
            out[name] = v if dist.low <= v <= dist.high else int(current[name]) * 2 - v
    return out


def _other(choices: Sequence[Any], value: Any, rng: random.Random) -> Any:
    options = [c for c in choices if c != value]
    return rng.choice(options) if options else value
