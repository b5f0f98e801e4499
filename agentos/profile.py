"""The search profile: how agentos searches, as a text file it loads at run start.

A profile (TOML, `agentos/profiles/default.toml` is the one agentos ships) names the strategy
and its plateau patience, the baseline's noise re-runs, the share of the experiment budget that
paired re-measures may take (`remeasure_share`: once it is spent, a candidate the strategy is
still unsure of is discarded, as when the budget runs out) and the most measurements of one
candidate (`max_measures`: the same, per candidate), the screen of re-measures (`screen`: a
first gain below that many noise standard deviations is discarded unmeasured), the heuristic
proposer's mode and the settings of its model-based search (`Sampler`: TPE's start-up and its
sampler, the hybrid mode's share of local moves and their first step, the start-up's design and
the restart on stagnation), the credit horizon (how many recent experiments a proposer sees in
full) and the memory (the digest of everything tried in the run that a proposer
sees beyond that horizon: its form and size, and how many failed diffs it quotes). A task
names a profile with `[search] profile = "PATH"`; the keys it sets itself override the profile's.

A profile is data, never code: every key is typed and bounded here, and an unknown key, a value
outside its choices or a string that names a file is refused with the file and the fix. That is
what lets `agentos self-tune` hand a profile to a proposer to rewrite: a profile cannot point the
search at a file of answers or load a strategy from a path.
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Literal, cast, get_args

from agentos.errors import UserError

Mode = Literal["hybrid", "tpe", "mutate"]
MemoryForm = Literal["grouped", "list", "off"]
Start = Literal["random", "sobol", "oat"]
STRATEGIES = ("greedy", "anneal", "restarts", "islands", "pareto")
DEFAULT_PATH = Path(__file__).parent / "profiles" / "default.toml"

# table -> key -> (type, low, high) for numbers and bools, or the tuple of choices for strings
_SCHEMA: dict[str, dict[str, tuple[type, float, float] | tuple[str, ...]]] = {
    "search": {"strategy": STRATEGIES, "noise_reruns": (int, 0, 20), "patience": (int, 0, 100),
               "remeasure_share": (float, 0.0, 1.0), "max_measures": (int, 2, 18),
               "screen": (float, 0.0, 10.0), "paired": (bool, 0, 1)},
    "proposer": {
        "mode": get_args(Mode), "credit_horizon": (int, 0, 1000),
        "startup": (int, 1, 100), "candidates": (int, 1, 1000),
        "multivariate": (bool, 0, 1), "local_start": (float, 0.0, 1.0),
        "local_end": (float, 0.0, 1.0), "local_sigma": (float, 0.001, 0.5),
        "start": get_args(Start), "stall": (int, 0, 1000),
    },
    "memory": {"form": get_args(MemoryForm), "size": (int, 0, 200), "diffs": (int, 0, 50)},
}

# keys that describe the metric rather than the search: the shipped profile marks them `# fixed`,
# so no proposer (and no self-tune screen) changes them
UNSEARCHED = frozenset({"search.paired"})

PROFILE_GATE = "selftune-profile"  # the gate that parses a changed profile (agentos.tools)


@dataclass(frozen=True)
class Memory:
    """The digest of the run a proposer sees: `grouped` (one line per idea: the settings an
    experiment changed, with its outcomes), `list` (one line per experiment) or `off`; at most
    `size` lines, the most recent kept; then the diffs of the latest `diffs` experiments that
    were not kept (`agentos.memory`)."""

    form: MemoryForm = "grouped"
    size: int = 12
    diffs: int = 3


@dataclass(frozen=True)
class Sampler:
    """The heuristic proposer's model-based search (`agentos.providers.heuristic.tpe`): TPE
    samples at random for its first `startup` measured configurations, then from its model
    (`candidates` draws scored per proposal; `multivariate` models the settings jointly, as
    Optuna's default does, rather than one by one). In `hybrid` mode, once TPE is
    past its start-up, a share of the proposals growing from `local_start` to `local_end` over
    the experiment budget is a local move of the parent whose first step is `local_sigma` of
    each setting's range.

    `start` is the design of the start-up: TPE's independent `random` draws, or the points of a
    scrambled `sobol` sequence seeded by the run (space-filling: no two start-up draws crowd one
    corner while a basin goes unvisited). `stall` (0: never) is a restart on stagnation: after
    that many experiments without a keep, past the start-up, a proposal is the next unmeasured
    point of the run's Sobol design over the whole space instead of TPE's or a local move (a jump
    far from the best, into a basin the search has not seen)."""

    startup: int = 12
    candidates: int = 24
    multivariate: bool = True
    local_start: float = 0.2
    local_end: float = 0.9
    local_sigma: float = 0.05
    start: Start = "random"
    stall: int = 0


@dataclass(frozen=True)
class Profile:
    """A parsed profile. The defaults here are the shipped file's (a test holds them equal)."""

    strategy: str = "greedy"
    noise_reruns: int = 3
    patience: int = 0  # 0: the strategy's own
    remeasure_share: float = 1.0  # the most of the experiment budget paired re-measures may take
    max_measures: int = 18  # the most measurements of one candidate (18: the decide node's cap)
    screen: float = 3.0  # a first gain below this many noise sds is discarded, not re-measured
    paired: bool = False  # the metric's k-th measurement of every commit runs on one k-th draw
    mode: Mode = "hybrid"
    credit_horizon: int = 8
    memory: Memory = Memory()
    sampler: Sampler = Sampler()
    path: str = ""  # the file it came from ("" for the built-in defaults)


def parse_profile(text: str, *, path: Path | str = "profile.toml") -> Profile:
    """Validate a profile's TOML text; a bad one is a `UserError` naming the file, key and fix."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"not valid TOML ({exc})", path=path, fix="correct the syntax") from exc
    values: dict[str, Any] = {}
    for table, inner in data.items():
        if table not in _SCHEMA or not isinstance(inner, dict):
            raise UserError(f"unknown table [{table}]", path=path,
                            fix="a profile holds only " + ", ".join(f"[{t}]" for t in _SCHEMA))
        for key, value in inner.items():
            rule = _SCHEMA[table].get(key)
            if rule is None:
                raise UserError(f"[{table}] unknown key {key!r}", path=path,
                                fix=f"[{table}] takes: {', '.join(_SCHEMA[table])}")
            values[f"{table}.{key}"] = _check(table, key, value, rule, path)
    default = Profile()
    return Profile(
        strategy=values.get("search.strategy", default.strategy),
        noise_reruns=values.get("search.noise_reruns", default.noise_reruns),
        patience=values.get("search.patience", default.patience),
        remeasure_share=values.get("search.remeasure_share", default.remeasure_share),
        max_measures=values.get("search.max_measures", default.max_measures),
        screen=values.get("search.screen", default.screen),
        paired=values.get("search.paired", default.paired),
        mode=values.get("proposer.mode", default.mode),
        credit_horizon=values.get("proposer.credit_horizon", default.credit_horizon),
        memory=Memory(values.get("memory.form", default.memory.form),
                      values.get("memory.size", default.memory.size),
                      values.get("memory.diffs", default.memory.diffs)),
        sampler=Sampler(**{f.name: values.get(f"proposer.{f.name}",
                                              getattr(default.sampler, f.name))
                           for f in fields(Sampler)}),
        path=str(path),
    )


def _check(table: str, key: str, value: Any, rule: tuple[Any, ...], path: Path | str) -> Any:
    where = f"[{table}] {key}"
    if rule[0] is bool:
        if not isinstance(value, bool):
            raise UserError(f"{where} = {value!r} is not true or false", path=path,
                            fix=f"set {key} to true or false")
        return value
    if rule[0] is float:
        _, low, high = cast(tuple[type, float, float], rule)
        number = isinstance(value, int | float) and not isinstance(value, bool)
        if not number or not low <= value <= high:
            raise UserError(f"{where} = {value!r} is not a number in {low:g}..{high:g}", path=path,
                            fix=f"set {key} to a number from {low:g} to {high:g}")
        return float(value)
    if isinstance(rule[0], type):
        _, low, high = cast(tuple[type, int, int], rule)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise UserError(f"{where} = {value!r} is not an integer in {low}..{high}", path=path,
                            fix=f"set {key} to an integer from {low} to {high}")
        return value
    if value not in rule:
        hint = " (a profile is data: it names no file)" if _names_file(value) else ""
        raise UserError(f"{where} = {value!r} is not one of {list(rule)}{hint}", path=path,
                        fix=f"set {key} to one of: {', '.join(rule)}")
    return value


def _names_file(value: Any) -> bool:
    return isinstance(value, str) and ("/" in value or "." in value or ":" in value)


def load_profile(path: Path | str | None = None) -> Profile:
    """Read the profile at `path` (the shipped default when None, read once per process: every
    task load asks for it)."""
    return _read(Path(path)) if path is not None else _shipped()


@functools.cache
def _shipped() -> Profile:
    return _read(DEFAULT_PATH)


def _read(file: Path) -> Profile:
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"cannot read the search profile ({exc.__class__.__name__})", path=file,
                        fix="point `[search] profile` at a readable profile TOML file") from exc
    return parse_profile(text, path=file)


def configure(strategy: Any, profile: Profile) -> Any:
    """`strategy` with the profile's plateau patience (when it sets one and the strategy has
    one), its re-measure screen (`screen`) and its paired judgement (`paired`), for a strategy
    that has them (the built-ins' `StrategyBase`): strategies keep them as class defaults, so
    the instance gets its own."""
    if profile.patience and hasattr(strategy, "patience"):
        strategy.patience = profile.patience
    if hasattr(strategy, "screen"):
        strategy.screen = profile.screen
    if hasattr(strategy, "paired"):
        strategy.paired = profile.paired
    return strategy
