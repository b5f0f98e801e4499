"""Model-based proposals: Optuna's TPE sampler over the hinted settings, and the hybrid mode.

`tpe`: every proposal is sampled by TPE. `hybrid` (the heuristic provider's default): once TPE
has seen `STARTUP` configurations, 30% of the proposals (chosen by the seeded stream) are instead
a typed mutation of the parent at a small, randomly picked step: local refinement near the best,
which TPE's global density model does poorly (it reaches the right basin, then wanders inside it).

Every description ends with the full hinted configuration (`| tpe NAME=VALUE ...`), local moves
included, so the study is rebuilt from the history alone: nothing lives outside the checkpointed
state, and the same request gives the same proposal. It learns from every measured trial of the
run (`ProposeRequest.trials`), not only the credit-horizon window an LLM prompt shows. Without
hinted settings both modes fall back to typed mutation.
"""

from __future__ import annotations

import dataclasses
import math
import random
from collections.abc import Sequence
from typing import Any

from agentos.providers.base import Proposal, ProposeRequest
from agentos.providers.heuristic_mutate import is_pow2, propose_settings, sig
from agentos.settings import Setting, Value, apply, find_all, short

TAG = " | tpe "
STARTUP = 8
LOCAL_SHARE = 0.3
LOCAL_STEPS = (0.5, 0.2, 0.05)
_ATTEMPTS = 24

Dims = dict[str, tuple[Setting, Any, str]]


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


def _decode(kind: str, setting: Setting, raw: Any) -> Value:
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
    return sig(float(raw))


def _encode(kind: str, text: str) -> Any:
    if kind in ("bool", "choice"):
        return text
    if kind == "pow2":
        return int(math.log2(int(text)))
    return int(text) if kind == "int" else float(text)


def _config(dims: Dims, files: dict[str, str]) -> str:
    """The hinted settings' values in `files`, as the `| tpe` suffix lists them."""
    now = {st.name: st.value for st in find_all(files) if st.name in dims}
    return " ".join(f"{n}={short(now[n])}" for n in dims if n in now)


def propose_tpe(request: ProposeRequest, *, hybrid: bool = False) -> Proposal:
    """TPE over the hinted settings (with `hybrid`, some proposals refine the parent)."""
    import optuna
    from optuna.trial import create_trial

    dims = dimensions([st for st in find_all(request.files) if st.mutable])
    if not dims:
        return propose_settings(request)
    distributions = {name: d for name, (_, d, _) in dims.items()}
    trials: list[tuple[dict[str, Any], float]] = []
    for item in request.trials or request.history:
        if TAG not in item["description"] or item["metric"] is None:
            continue
        pairs = dict(t.split("=", 1) for t in item["description"].split(TAG, 1)[1].split())
        try:
            params = {n: _encode(kind, pairs[n]) for n, (_, _, kind) in dims.items()}
        except (KeyError, ValueError):
            continue
        trials.append((params, float(item["metric"])))
    rng = random.Random(f"agentos-tpe:{request.seed}:{request.experiment}")
    if hybrid and len(trials) >= STARTUP and rng.random() < LOCAL_SHARE:
        local = propose_settings(dataclasses.replace(request, step=rng.choice(LOCAL_STEPS)))
        config = _config(dims, dict(local.components))
        return Proposal(f"{local.description}{TAG}{config}", components=local.components)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    sampler = optuna.samplers.TPESampler(seed=rng.getrandbits(32), n_startup_trials=STARTUP)
    study = optuna.create_study(
        direction="maximize" if request.task.metric.goal == "max" else "minimize", sampler=sampler
    )
    seen: set[tuple[tuple[str, Any], ...]] = set()
    for params, value in trials:
        study.add_trial(create_trial(params=params, distributions=distributions, value=value))
        seen.add(tuple(sorted(params.items())))
    for _ in range(_ATTEMPTS):
        trial = study.ask(fixed_distributions=distributions)
        key = tuple(sorted(trial.params.items()))
        chosen = {n: _decode(kind, st, trial.params[n]) for n, (st, _, kind) in dims.items()}
        changes = [(dims[n][0], v) for n, v in chosen.items() if v != dims[n][0].value]
        if key in seen or not changes:
            study.tell(trial, state=optuna.trial.TrialState.FAIL)
            continue
        described = ", ".join(f"{st.name} {short(st.value)} -> {short(v)}" for st, v in changes)
        config = " ".join(f"{n}={short(v)}" for n, v in chosen.items())
        return Proposal(f"{described}{TAG}{config}", components=apply(request.files, changes))
    return propose_settings(request)
