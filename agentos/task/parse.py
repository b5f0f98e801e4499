"""Reading `agentos.toml`: the known keys, the checks, and the `Task` they build.

Every error names the file, the key and the fix (`UserError`, exit code 2); typed access to the
decoded TOML is `agentos.task.reader`.
"""

from __future__ import annotations

import difflib
import re
import shlex
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal, cast

from agentos.errors import UserError
from agentos.profile import load_profile
from agentos.settings.space import parse_space
from agentos.task.model import (
    DEFAULT_MODEL,
    TASK_FILE,
    Budget,
    Checkin,
    Env,
    Goal,
    MetricSpec,
    ReviewMode,
    Scale,
    Search,
    Task,
    ToolUse,
)
from agentos.task.reader import Reader

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
    r = Reader(path)
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
