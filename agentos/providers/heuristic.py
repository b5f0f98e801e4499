"""The embedded default provider: a heuristic proposer and a rubric reviewer, offline and seeded.

The proposer makes typed mutations of the settings it finds in the editable files
(`agentos.settings`): log-scale steps for learning-rate-like or `log`-hinted floats, powers of two
kept powers of two, ints kept ints, bools flipped, strings only among hinted `choices`. The same
request always gives the same proposal (the random stream is seeded by the task seed and the
experiment number), and a change already tried from the same parent is not proposed again when
another can be found. The reviewer runs binary rubric checks on the diff, each with its reason.
"""

from __future__ import annotations

import difflib
import math
import random
import re
from collections.abc import Sequence
from typing import Any, Literal

from agentos.errors import UserError
from agentos.providers.base import (
    Check,
    Proposal,
    ProposeRequest,
    Provider,
    ProviderError,
    Review,
    ReviewRequest,
    register_provider,
)
from agentos.settings import Setting, Value, apply, find_all, short
from agentos.task import Task

_LOG_NAME = re.compile(
    r"(^|[_.])(lr|learning_rate|eta|wd|weight_decay|eps|epsilon|tol|tolerance|lambda|lam|reg|l1|l2"
    r"|alpha|c|gamma|scale|std|init_std)($|[_.])",
    re.IGNORECASE,
)
_UNIT_NAME = re.compile(
    r"(^|[_.])(dropout|momentum|beta\d?|prob|p|ratio|frac|fraction|keep_prob|smoothing|ema)($|[_.])",
    re.IGNORECASE,
)
_ATTEMPTS = 24


def _sig(x: float, digits: int = 3) -> float:
    """Round to a few significant digits so edited files read like a human wrote them."""
    return float(f"{x:.{digits}g}")


def _is_pow2(v: int) -> bool:
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
    for _ in range(_ATTEMPTS):
        new = _numeric(setting.name, setting.kind == "int", float(v), lo, hi, h.log, rng, step)
        if new != v:
            return new
    return v


def _numeric(
    name: str, is_int: bool, v: float, lo: float | None, hi: float | None, log: bool,
    rng: random.Random, step: float,
) -> int | float:
    bounded = lo is not None and hi is not None
    pow2_bounds = all(b is None or b <= 1 or _is_pow2(int(b)) for b in (lo, hi))
    if is_int and _is_pow2(int(v)) and pow2_bounds:
        e = int(math.log2(v)) + rng.choice((-1, 1)) * (1 + int(rng.random() < 0.2 * step))
        e = max(e, 0)
        if hi is not None:
            e = min(e, math.floor(math.log2(max(hi, 1))))
        if lo is not None:
            e = max(e, math.ceil(math.log2(max(lo, 1))))
        return int(2**e)
    use_log = log or (not is_int and v > 0 and bool(_LOG_NAME.search(name)))
    if use_log and v > 0:
        if bounded and lo is not None and hi is not None and lo > 0:
            sigma = 0.2 * math.log(hi / lo) * step
            x = math.exp(_reflect(math.log(v) + rng.gauss(0, sigma), math.log(lo), math.log(hi)))
        else:
            x = v * math.exp(rng.gauss(0, 0.8 * step))
    elif bounded and lo is not None and hi is not None:
        x = _reflect(v + rng.gauss(0, 0.15 * (hi - lo) * step), lo, hi)
    elif not is_int and 0 <= v <= 1 and _UNIT_NAME.search(name):
        x = _reflect(v + rng.gauss(0, 0.1 * step), 0.0, 0.999)
    elif v != 0:
        x = v * math.exp(rng.gauss(0, 0.3 * step))
    else:
        x = rng.gauss(0, 0.1 * step) if not is_int else rng.choice((1, -1))
    if is_int:
        n = round(x)
        if n == int(v):
            n = int(v) + (1 if x >= v else -1)
        if not bounded and v >= 1:
            n = max(n, 1)
        elif not bounded and v >= 0:
            n = max(n, 0)
        if lo is not None:
            n = max(n, math.ceil(lo))
        if hi is not None:
            n = min(n, math.floor(hi))
        return n
    x = _sig(x)
    if lo is not None:
        x = max(x, lo)
    if hi is not None:
        x = min(x, hi)
    return x


def _weights(settings: Sequence[Setting], request: ProposeRequest) -> list[float]:
    """Settings whose changes were kept before get a little more attention (credit assignment)."""
    kept = " ".join(h["description"] for h in request.history if h["status"] == "keep")
    return [1.0 + kept.count(f"{s.name} ") for s in settings]


def propose_settings(request: ProposeRequest) -> Proposal:
    """The heuristic proposal for one request (deterministic in the request)."""
    found = find_all(request.files)
    mutable = [s for s in found if s.mutable]
    if not mutable:
        raise ProviderError(
            "the heuristic proposer found no mutable setting in the editable files "
            f"{sorted(request.files)}: it edits module-level Python constants and TOML/JSON "
            "scalars (strings only with a `# choices: a|b` hint, none marked `# fixed`)"
        )
    names = [s.name for s in mutable]
    label = {id(s): s.name if names.count(s.name) == 1 else f"{s.path}:{s.name}" for s in mutable}
    tried = {h["description"] for h in request.history if h["parent"] == request.parent}
    weights = _weights(mutable, request)
    rng = random.Random(f"agentos-heuristic:{request.seed}:{request.experiment}")
    best: tuple[str, dict[str, str]] | None = None
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
        components = apply(request.files, changes)
        best = (description, components)
        if description not in tried:
            break
    if best is None:
        raise ProviderError("the heuristic proposer could not change any setting's value")
    return Proposal(description=best[0], components=best[1])


# --- the rubric reviewer -----------------------------------------------------------------------


def glob_regex(pattern: str) -> re.Pattern[str]:
    """A repository-relative glob as a regex: `**` spans folders, `*` and `?` stay in one."""
    out, i = [], 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out) + "(?:/.*)?")


def matches(path: str, globs: Sequence[str]) -> str | None:
    """The first glob that covers `path` (a glob naming a folder covers what is inside), or None."""
    for g in globs:
        if glob_regex(g.rstrip("/")).fullmatch(path):
            return g
    return None


_ALWAYS_PROTECTED = (
    "agentos.toml", ".agentos/**", ".git/**", "**/conftest.py", "pytest.ini", "tox.ini",
    "setup.cfg", "**/sitecustomize.py", "**/usercustomize.py", "**/*.pth", ".env",
)
_TAMPER = [
    (
        re.compile(r"\bpytest\.(skip|xfail)\b|@pytest\.mark\.(skip|xfail)|\bunittest\.skip"),
        "skips tests",
    ),
    (re.compile(r"\bconftest\b|\bpytest_(configure|collection|runtest)\w*"), "hooks pytest"),
    (re.compile(r"\bos\._exit\b|\bsys\.exit\(\s*0?\s*\)"), "exits early"),
    (
        re.compile(r"\bsys\.(settrace|setprofile|addaudithook)\b|\bbuiltins\.\w+\s*="),
        "patches the interpreter",
    ),
    (re.compile(r"\bAGENTOS_\w+"), "touches agentos' trusted channel"),
    (re.compile(r"\bunittest\.mock\b|\bmonkeypatch\b"), "mocks behaviour"),
    (re.compile(r"\bsitecustomize\b|\.pth\b"), "adds start-up hooks"),
]
_MAX_NET_LINES = 40


def review_rubric(request: ReviewRequest) -> Review:
    """Binary rubric checks on a candidate's change, each with its reason."""
    task = request.task
    changed = list(request.changed) or sorted(set(request.after) | set(request.before))
    outside = [p for p in changed if matches(p, task.editable) is None]
    checks = [
        Check(
            "editable-surface",
            not outside,
            f"{outside[0]} matches none of the editable globs {list(task.editable)}"
            if outside else f"all {len(changed)} changed path(s) are editable",
        )
    ]
    hits = [(p, g) for p in changed if (g := matches(p, (*task.protected, *_ALWAYS_PROTECTED)))]
    checks.append(
        Check(
            "protected-paths",
            not hits,
            f"{hits[0][0]} is protected by {hits[0][1]!r}" if hits else "no protected path touched",
        )
    )
    added, removed = 0, 0
    tamper: list[str] = []
    metric_markers = _metric_markers(task)
    for path in changed:
        before = request.before.get(path, "").splitlines()
        after = request.after.get(path, "").splitlines()
        for line in difflib.unified_diff(before, after, lineterm="", n=0):
            if line.startswith(("---", "+++", "@@")):
                continue
            if line.startswith("-"):
                removed += 1
            elif line.startswith("+"):
                added += 1
                for pattern, why in _TAMPER:
                    if pattern.search(line):
                        tamper.append(f"{path}: added line {why}: {line[1:].strip()[:80]}")
                for marker in metric_markers:
                    if marker in line and re.search(r"\b(print|write|echo|log)", line):
                        tamper.append(f"{path}: added line prints the metric marker {marker!r}")
    checks.append(
        Check(
            "no-tampering", not tamper, tamper[0] if tamper else "no gate, test or metric tampering"
        )
    )
    net = added - removed
    checks.append(
        Check(
            "simplicity",
            net <= _MAX_NET_LINES,
            f"+{added} -{removed} lines (net {net:+d}, limit +{_MAX_NET_LINES})",
        )
    )
    return Review(checks=checks)


def _metric_markers(task: Task) -> list[str]:
    """The literal text before the first group of the metric regex (e.g. `val_bpb:`), if any."""
    if not task.metric.regex:
        return []
    head = re.split(r"[\\(\[.*+?^$|{]", task.metric.regex, maxsplit=1)[0].strip()
    return [head] if len(head) >= 3 else []


# --- model-based proposals (Optuna's TPE over the hinted settings) -----------------------------

_TPE = " | tpe "


def _dimensions(settings: Sequence[Setting]) -> dict[str, tuple[Setting, Any, str]]:
    """The hinted settings as Optuna distributions: bools, `choices`, bounded numbers.

    Powers of two within power-of-two bounds are searched by their exponent (`pow2`).
    """
    from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution

    dims: dict[str, tuple[Setting, Any, str]] = {}
    for st in settings:
        h = st.hint
        if st.kind == "bool":
            dims[st.name] = (st, CategoricalDistribution(["True", "False"]), "bool")
        elif h.choices:
            dims[st.name] = (st, CategoricalDistribution(list(h.choices)), "choice")
        elif h.low is not None and h.high is not None and h.low < h.high:
            lo, hi = h.low, h.high
            if st.kind == "int" and _is_pow2(int(st.value)) and _is_pow2(int(hi)) and (
                lo <= 1 or _is_pow2(int(lo))
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
    return _sig(float(raw))


def _encode(kind: str, text: str) -> Any:
    if kind in ("bool", "choice"):
        return text
    if kind == "pow2":
        return int(math.log2(int(text)))
    return int(text) if kind == "int" else float(text)


def propose_tpe(request: ProposeRequest) -> Proposal:
    """Optuna's TPE sampler over the hinted settings, rebuilt from the history on every call.

    Each proposal's description ends with the full configuration (`| tpe NAME=VALUE ...`), so the
    study is reconstructed from the history alone: nothing lives outside the checkpointed state,
    and the same request gives the same proposal. Without hinted settings it falls back to typed
    mutation. The history it learns from is the task's credit horizon: widen it for this mode.
    """
    import optuna
    from optuna.trial import create_trial

    dims = _dimensions([st for st in find_all(request.files) if st.mutable])
    if not dims:
        return propose_settings(request)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    sampler = optuna.samplers.TPESampler(
        seed=random.Random(f"agentos-tpe:{request.seed}:{request.experiment}").getrandbits(32),
        n_startup_trials=8,
    )
    study = optuna.create_study(
        direction="maximize" if request.task.metric.goal == "max" else "minimize", sampler=sampler
    )
    distributions = {name: d for name, (_, d, _) in dims.items()}
    seen: set[tuple[tuple[str, Any], ...]] = set()
    for item in request.history:
        if _TPE not in item["description"] or item["metric"] is None:
            continue
        pairs = dict(t.split("=", 1) for t in item["description"].split(_TPE, 1)[1].split())
        try:
            params = {n: _encode(kind, pairs[n]) for n, (_, _, kind) in dims.items()}
            study.add_trial(create_trial(params=params, distributions=distributions,
                                         value=float(item["metric"])))
        except (KeyError, ValueError):
            continue
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
        return Proposal(f"{described}{_TPE}{config}", components=apply(request.files, changes))
    return propose_settings(request)


Mode = Literal["mutate", "tpe"]


class HeuristicProvider:
    """The offline provider: typed setting mutations (or TPE over hinted settings) and the
    rubric reviewer."""

    name = "heuristic"

    def __init__(self, task: Task, mode: Mode = "mutate"):
        self.task = task
        self.mode = mode

    def propose(self, request: ProposeRequest) -> Proposal:
        if self.mode == "tpe":
            return propose_tpe(request)
        return propose_settings(request)

    def review(self, request: ReviewRequest) -> Review:
        return review_rubric(request)


@register_provider("heuristic")
def make_heuristic(task: Task, arg: str) -> Provider:
    """`heuristic` (typed mutation) or `heuristic:tpe` (Optuna's TPE over hinted settings)."""
    if arg not in ("", "mutate", "tpe"):
        raise UserError(
            f"unknown heuristic mode {arg!r}", path=task.path,
            fix='set [llm] provider to "heuristic", "heuristic:mutate" or "heuristic:tpe"',
        )
    return HeuristicProvider(task, "tpe" if arg == "tpe" else "mutate")
