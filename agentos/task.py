"""The task spec: what `agentos.toml` declares, parsed and validated.

Every error names the file, the key and the fix. The parsed `Task` is frozen: it is part of the
runtime context, never of the graph state.
"""

from __future__ import annotations

import difflib
import functools
import math
import re
import shlex
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, cast, get_args

from agentos.errors import UserError
from agentos.profile import Profile, load_profile
from agentos.settings.space import Space, parse_space

Goal = Literal["min", "max"]
ReviewMode = Literal["off", "advisory", "blocking"]

TASK_FILE = "agentos.toml"
# claude-sonnet-4-5 retires on 2026-11-30. The default is the newest model that takes the forced
# tool choice agentos relies on (the 5.5 models refuse it and are asked with `auto` instead:
# `agentos.providers.llm.client.tool_choice`).
DEFAULT_MODEL = "claude-sonnet-5"


@dataclass(frozen=True)
class MetricSpec:
    """How to run the metric command and read its one number.

    Exactly one of `regex` (matched against stdout, exactly one match) or `json_file` plus
    `json_key` (a file the command writes into `$AGENTOS_OUTPUT`) is set.
    """

    command: tuple[str, ...]
    goal: Goal
    regex: str | None = None
    json_file: str | None = None
    json_key: str | None = None
    timeout: float = 60.0


@dataclass(frozen=True)
class Budget:
    experiments: int = 20
    wall_time: float | None = None
    patience: int | None = None
    target: float | None = None
    tokens: int | None = None
    dollars: float | None = None


@dataclass(frozen=True)
class Search:
    strategy: str = "greedy"
    seed: int = 0
    noise_reruns: int = 3
    space: Space = ()  # the `[search.space]` table (`agentos.settings.space`)


@dataclass(frozen=True)
class Scale:
    """How many experiments run at once and where (`[run]`, `[executor]`, `[sandbox] gpus`):
    docs/scale-out.md. `gpus` devices per experiment, at most `per_gpu` experiments on one device;
    `on_stop` says what a stop rule (but the experiment budget) does to the experiments in flight:
    "finish" them or "cancel" them."""

    workers: int = 1
    executor: str = "local"
    address: str | None = None
    gpus: int = 0
    per_gpu: int = 1
    on_stop: str = "finish"


@dataclass(frozen=True)
class Checkin:
    every: int = 0
    on_plateau: int = 0


@dataclass(frozen=True)
class ToolUse:
    """A tool node named in the task, used as a gate (blocking) or a signal (recorded only)."""

    name: str
    kind: Literal["gate", "signal"]
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Env:
    """`[env]`: the Python the metric runs with: "auto", "agentos" or a path (see
    `agentos.environment.resolve_python`)."""

    python: str = "auto"


@dataclass(frozen=True)
class Task:
    """A validated `agentos.toml`."""

    root: Path
    path: Path
    name: str
    editable: tuple[str, ...]
    protected: tuple[str, ...]
    metric: MetricSpec
    budget: Budget = Budget()
    search: Search = Search()
    checkin: Checkin = Checkin()
    tools: tuple[ToolUse, ...] = ()
    review: ReviewMode = "advisory"
    sandbox: str = "auto"
    gpu: bool = False
    provider: str = "auto"
    model: str = DEFAULT_MODEL
    credit_horizon: int = 8
    canary: str | None = None
    canary_every: int = 0
    accept_forgery_risk: tuple[str, ...] = ()
    raw: Mapping[str, Any] = field(default_factory=dict)
    env: Env = Env()
    scale: Scale = Scale()
    profile: Profile = field(default_factory=Profile)

    def is_editable(self, path: str) -> bool:
        return not self.is_protected(path) and _any_glob(self.editable).fullmatch(path) is not None

    def is_protected(self, path: str) -> bool:
        """Protected globs, plus agentos' own task file, which no candidate may change."""
        return path == TASK_FILE or _any_glob(self.protected).fullmatch(path) is not None


def glob_match(path: str, pattern: str) -> bool:
    """Match a repository-relative POSIX path: `*` and `?` stay within a folder, `**/` spans
    folders, and a pattern naming a folder (literally or through a wildcard) matches everything
    under it. The loop, the reviewer and the built-in gates all match paths here. (Not gitignore
    rules through pathspec: there `**.py` stays within one folder, `[ab]` is a class and `\\`
    escapes, so globs users already wrote would match other files.)"""
    return _glob_regex(pattern).fullmatch(path) is not None


@functools.lru_cache(maxsize=64)
def _any_glob(patterns: tuple[str, ...]) -> re.Pattern[str]:
    """One regex for a list of globs (never matches when the list is empty): a path is checked
    against every glob of a task for each file of each commit, so it is compiled once."""
    if not patterns:
        return re.compile("(?!)")
    return re.compile("|".join(f"(?:{_glob_regex(g).pattern})" for g in patterns))


@functools.lru_cache(maxsize=256)
def _glob_regex(pattern: str) -> re.Pattern[str]:
    out, i = [], 0
    pattern = pattern.strip("/")
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


# Every key each table of `agentos.toml` may hold. `[tools]` also holds one options table per tool
# it names (`[tools.ruff]`); the options inside are checked against the tool where it declares
# them (`agentos.check`). A key added to the task file is added here, or it is refused, and to
# the JSON Schema editors check the file with (agentos/schema/agentos.schema.json): a test
# compares the two.
KNOWN_KEYS: dict[str, frozenset[str]] = {
    "task": frozenset(
        {"name", "editable", "protected", "canary", "canary_every", "accept_forgery_risk"}
    ),
    "metric": frozenset({"command", "regex", "json_file", "json_key", "goal", "timeout"}),
    "budget": frozenset({"experiments", "wall_time", "patience", "target", "tokens", "dollars"}),
    "search": frozenset({"strategy", "seed", "noise_reruns", "space", "profile"}),
    "checkin": frozenset({"every", "on_plateau"}),
    "tools": frozenset({"gates", "signals"}),
    "review": frozenset({"mode"}),
    "sandbox": frozenset({"backend", "gpu", "gpus", "per_gpu"}),
    "run": frozenset({"workers", "on_stop"}),
    "executor": frozenset({"kind", "address"}),
    "llm": frozenset({"provider", "model", "credit_horizon"}),
    "env": frozenset({"python"}),
}
_TOP_KEYS = set(KNOWN_KEYS)


def unknown_key(path: Path, table: str, key: str, known: Iterable[str]) -> UserError:
    """The error for a key that `table` of the file at `path` does not take, with the nearest
    known key as the fix. `table` is "" for the top level, whose keys are tables."""
    choices = sorted(known)
    close = difflib.get_close_matches(key, choices, n=1, cutoff=0.6)
    if table:
        what = f"[{table}]: unknown key {key!r}"
        near = f"`{close[0]}`" if close else ""
        takes = f"[{table}] takes: {', '.join(choices) or 'no keys'}"
    else:
        what = f"unknown table [{key}]"
        near = f"[{close[0]}]" if close else ""
        takes = "the tables are: " + ", ".join(f"[{c}]" for c in choices)
    fix = f"did you mean {near}? ({takes})" if near else f"remove it ({takes})"
    return UserError(what, path=path, fix=fix)


def _check_keys(data: Mapping[str, Any], path: Path) -> None:
    """Refuse keys no table takes: a misspelt key would otherwise leave its default in force."""
    for name, value in data.items():
        if name not in KNOWN_KEYS:
            owner = next((t for t, keys in KNOWN_KEYS.items() if name in keys), None)
            if owner is not None and not isinstance(value, dict):
                raise UserError(
                    f"`{name}` is outside any table", path=path, fix=f"move it under [{owner}]"
                )
            raise unknown_key(path, "", name, KNOWN_KEYS)
        if not isinstance(value, dict):
            continue  # the typed reader says "must be a table"
        for key, inner in value.items():
            # `[tools.NAME]` option tables are checked against the tools the task names
            if key not in KNOWN_KEYS[name] and not (name == "tools" and isinstance(inner, dict)):
                raise unknown_key(path, name, key, KNOWN_KEYS[name])


def load_task(root: Path | str, path: Path | str | None = None) -> Task:
    """Read and validate `agentos.toml` under `root` (or the file `path`)."""
    root = Path(root).resolve()
    file = Path(path).resolve() if path else root / TASK_FILE
    if not file.is_file():
        raise UserError(
            "no agentos.toml here",
            path=file,
            fix="run `agentos init` to write a commented skeleton",
        )
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UserError(f"not valid TOML ({exc})", path=file, fix="correct the syntax") from exc
    return parse_task(data, root=root, path=file)


def parse_task(data: Mapping[str, Any], *, root: Path, path: Path) -> Task:
    """Validate the decoded TOML of a task file."""
    r = _Reader(path)
    _check_keys(data, path)
    task = r.table(data, "task")
    metric = r.table(data, "metric")
    budget = r.table(data, "budget", required=False)
    search = r.table(data, "search", required=False)
    checkin = r.table(data, "checkin", required=False)
    review = r.table(data, "review", required=False)
    sandbox = r.table(data, "sandbox", required=False)
    llm = r.table(data, "llm", required=False)
    run = r.table(data, "run", required=False)
    executor = r.table(data, "executor", required=False)

    editable = r.globs(task, "task.editable", required=True)
    protected = r.globs(task, "task.protected", required=False)
    for pattern in editable:
        if pattern in protected:
            r.fail("task.protected", f"{pattern!r} is both editable and protected")

    command = metric.get("command")
    if isinstance(command, str):
        argv = tuple(shlex.split(command))
    elif isinstance(command, list) and all(isinstance(c, str) for c in command):
        argv = tuple(cast(list[str], command))
    else:
        r.fail("metric.command", 'must be a string or a list of strings, e.g. "python evaluate.py"')
    if not argv:
        r.fail("metric.command", "is empty")
    goal = r.choice(metric, "metric.goal", Goal, default=None)
    if goal is None:
        r.fail("metric.goal", 'is required: "min" or "max"')
    regex = r.opt_str(metric, "metric.regex")
    json_file = r.opt_str(metric, "metric.json_file")
    json_key = r.opt_str(metric, "metric.json_key")
    if (regex is None) == (json_file is None):
        r.fail("metric", "set exactly one of `regex` or `json_file` (with `json_key`)")
    if regex is not None:
        try:
            re.compile(regex)
        except re.error as exc:
            r.fail("metric.regex", f"is not a valid regular expression ({exc})")
    if json_file is not None and json_key is None:
        r.fail("metric.json_key", "is required with `json_file`")
    timeout = r.number(metric, "metric.timeout", default=60.0, minimum=0.1)

    experiments = r.integer(budget, "budget.experiments", default=20, minimum=1)
    wall = r.opt_number(budget, "budget.wall_time", minimum=1)
    patience = r.opt_integer(budget, "budget.patience", minimum=1)
    target = r.opt_number(budget, "budget.target")
    tokens = r.opt_integer(budget, "budget.tokens", minimum=1)
    dollars = r.opt_number(budget, "budget.dollars", minimum=0)

    tools: list[ToolUse] = []
    tools_table = r.table(data, "tools", required=False)
    for key in ("gates", "signals"):
        for item in r.str_list(tools_table, f"tools.{key}"):
            options = r.table(tools_table, item, required=False)
            tools.append(ToolUse(item, "gate" if key == "gates" else "signal", options))
    named = {use.name for use in tools}
    for key, value in tools_table.items():
        if isinstance(value, dict) and key not in named:
            close = difflib.get_close_matches(key, sorted(named), n=1, cutoff=0.6)
            raise UserError(
                f"[tools.{key}]: options for a tool that is neither in `gates` nor in `signals`",
                path=path,
                fix=f"did you mean [tools.{close[0]}]?"
                if close
                else f'add "{key}" to `gates` or `signals` under [tools], or remove the table',
            )

    canary = r.opt_str(task, "task.canary")
    # the search profile gives the defaults; the task's own keys override it
    profile_file = r.opt_str(search, "search.profile")
    profile = load_profile(root / profile_file if profile_file else None)
    return Task(
        root=root,
        path=path,
        name=r.string(task, "task.name", default=root.name),
        editable=editable,
        protected=protected,
        metric=MetricSpec(argv, goal, regex, json_file, json_key, timeout),
        budget=Budget(experiments, wall, patience, target, tokens, dollars),
        search=Search(
            r.string(search, "search.strategy", default=profile.strategy),
            r.integer(search, "search.seed", default=0),
            r.integer(search, "search.noise_reruns", default=profile.noise_reruns, minimum=0),
            parse_space(search.get("space"), path),
        ),
        checkin=Checkin(
            r.integer(checkin, "checkin.every", default=0, minimum=0),
            r.integer(checkin, "checkin.on_plateau", default=0, minimum=0),
        ),
        tools=tuple(tools),
        review=r.choice(review, "review.mode", ReviewMode, default="advisory") or "advisory",
        sandbox=r.string(sandbox, "sandbox.backend", default="auto"),
        gpu=r.boolean(sandbox, "sandbox.gpu", default=False)
        or r.integer(sandbox, "sandbox.gpus", default=0, minimum=0) > 0,
        provider=r.string(llm, "llm.provider", default="auto"),
        model=r.string(llm, "llm.model", default=DEFAULT_MODEL),
        credit_horizon=r.integer(
            llm, "llm.credit_horizon", default=profile.credit_horizon, minimum=0
        ),
        canary=canary,
        canary_every=r.integer(task, "task.canary_every", default=10, minimum=0),
        accept_forgery_risk=r.str_list(task, "task.accept_forgery_risk"),
        raw=data,
        env=Env(r.string(r.table(data, "env", required=False), "env.python", default="auto")),
        scale=Scale(
            workers=r.integer(run, "run.workers", default=1, minimum=1),
            executor=r.choice(executor, "executor.kind", Literal["local", "ray"], default="local")
            or "local",
            address=r.opt_str(executor, "executor.address"),
            gpus=r.integer(sandbox, "sandbox.gpus", default=0, minimum=0),
            per_gpu=r.integer(sandbox, "sandbox.per_gpu", default=1, minimum=1),
            on_stop=r.choice(run, "run.on_stop", Literal["finish", "cancel"], default="finish")
            or "finish",
        ),
        profile=profile,
    )


class _Reader:
    """Typed access to decoded TOML that fails with the file, the key and the fix."""

    def __init__(self, path: Path):
        self.path = path

    def fail(self, key: str, message: str) -> Any:
        raise UserError(
            f"[{key}] {message}", path=self.path, fix=f"edit `{key}` in {self.path.name}"
        )

    def table(self, data: Mapping[str, Any], key: str, *, required: bool = True) -> dict[str, Any]:
        value = data.get(key)
        if value is None:
            if required:
                self.fail(key, "table is missing")
            return {}
        if not isinstance(value, dict):
            self.fail(key, "must be a table")
        return cast(dict[str, Any], value)

    def _get(self, data: Mapping[str, Any], key: str) -> Any:
        return data.get(key.rsplit(".", 1)[-1])

    def string(self, data: Mapping[str, Any], key: str, *, default: str) -> str:
        value = self._get(data, key)
        if value is None:
            return default
        if not isinstance(value, str) or not value:
            self.fail(key, "must be a non-empty string")
        return cast(str, value)

    def opt_str(self, data: Mapping[str, Any], key: str) -> str | None:
        value = self._get(data, key)
        if value is not None and (not isinstance(value, str) or not value):
            self.fail(key, "must be a non-empty string")
        return cast(str | None, value)

    def str_list(self, data: Mapping[str, Any], key: str) -> tuple[str, ...]:
        value = self._get(data, key)
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            self.fail(key, "must be a list of strings")
        return tuple(cast(list[str], value))

    def globs(self, data: Mapping[str, Any], key: str, *, required: bool) -> tuple[str, ...]:
        value = self._get(data, key)
        if isinstance(value, str):
            value = [value]
        if value is None or value == []:
            if required:
                self.fail(key, 'is required: a list of globs, e.g. ["settings.py"]')
            return ()
        items = value
        if not isinstance(items, list) or not all(isinstance(v, str) and v for v in items):
            self.fail(key, "must be a list of glob strings")
        for pattern in items:
            if pattern.startswith("/") or ".." in Path(pattern).parts:
                self.fail(key, f"{pattern!r} must be relative to the repository, inside it")
            if pattern == ".git" or pattern.startswith(".git/") or pattern.startswith(".agentos"):
                self.fail(key, f"{pattern!r} names agentos' or git's own files")
        return tuple(cast(list[str], items))

    def integer(
        self, data: Mapping[str, Any], key: str, *, default: int, minimum: int | None = None
    ) -> int:
        value = self.opt_integer(data, key, minimum=minimum)
        return default if value is None else value

    def opt_integer(
        self, data: Mapping[str, Any], key: str, *, minimum: int | None = None
    ) -> int | None:
        value = self._get(data, key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(key, "must be an integer")
        if minimum is not None and value < minimum:
            self.fail(key, f"must be at least {minimum}")
        return cast(int, value)

    def number(
        self, data: Mapping[str, Any], key: str, *, default: float, minimum: float | None = None
    ) -> float:
        value = self.opt_number(data, key, minimum=minimum)
        return default if value is None else value

    def opt_number(
        self, data: Mapping[str, Any], key: str, *, minimum: float | None = None
    ) -> float | None:
        value = self._get(data, key)
        if value is None:
            return None
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            self.fail(key, "must be a finite number")
        if minimum is not None and value < minimum:
            self.fail(key, f"must be at least {minimum}")
        return float(value)

    def boolean(self, data: Mapping[str, Any], key: str, *, default: bool) -> bool:
        value = self._get(data, key)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.fail(key, "must be true or false")
        return cast(bool, value)

    def choice(self, data: Mapping[str, Any], key: str, kind: Any, *, default: Any) -> Any:
        value = self._get(data, key)
        if value is None:
            return default
        allowed = get_args(kind)
        if value not in allowed:
            self.fail(key, f"must be one of {list(allowed)}")
        return value
