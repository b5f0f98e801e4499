"""Write the task: `init_task` looks (`agentos.init.detect`), decides the task from what was found,
renders the commented file, and lists what the user must still add (`todo:` lines, also marked
`TODO` in the file). A folder of skills gets no task file: it is tuned by `agentos tune-skills`.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from agentos.errors import UserError
from agentos.git import Repo
from agentos.init.detect import detect, skill_files
from agentos.init.found import CANDIDATES, DEFAULT_EVALUATOR, Detection, pytest_list, read_text
from agentos.settings.data import SUFFIXES as DATA_SUFFIXES
from agentos.settings.data import data_problems
from agentos.task import TASK_FILE, glob_match

_NOT_EDITABLE = frozenset({"setup.py", "conftest.py", "noxfile.py", "fabfile.py", "tasks.py"})


@dataclass(frozen=True)
class InitResult:
    """What init wrote and the `key: value` lines that say what it found and what is left."""

    path: Path
    lines: tuple[str, ...]
    todos: tuple[str, ...]


def init_task(path: Path | str) -> InitResult:
    """Detect what the repository at `path` holds and write `agentos.toml` at its root.

    Raises `UserError` for a folder of skills (nothing is written: `agentos tune-skills` is the
    command for it), an existing task file (never overwritten) and a repository with no Python.
    """
    folder = Path(path).resolve()
    skills = skill_files(folder) if folder.is_dir() else []
    if skills:
        raise UserError(
            f"a folder of skills ({len(skills)} SKILL.md), not a repository to write a task for;"
            " nothing written",
            path=folder,
            fix=f"run `agentos tune-skills {shlex.quote(str(path))} --evals EVALS.jsonl`",
        )
    repo = Repo(folder)
    target = repo.root / TASK_FILE
    if target.exists():
        raise UserError("already exists", path=target, fix="edit it, or remove it to start over")
    files = sorted(repo.entries("HEAD"))
    found = detect(repo.root, files)
    task = _decide(found, files)
    target.write_text(_render(found, task), encoding="utf-8")
    return InitResult(target, tuple(_summary(found, task)), tuple(task.todos))


@dataclass
class _Task:
    """The decided task, its TODO comments by key (`command`, `regex`, ...) and the todo lines."""

    editable: list[str]
    editable_why: str
    protected: list[str]
    command: str
    metric: str = "score"
    goal: str = "max"
    gates: list[str] = field(default_factory=list)
    notes: dict[str, str] = field(default_factory=dict)
    todos: list[str] = field(default_factory=list)
    values_only: bool = False  # the evaluator is the settings file: the settings-only gate


def _decide(found: Detection, files: list[str]) -> _Task:
    editable, why, todos = _editable(found, files)
    evaluator = found.evaluator or DEFAULT_EVALUATOR
    protected = [p for p in _protected(found, evaluator) if p not in editable]
    task = _Task(editable, why, protected, f"python {shlex.quote(evaluator)}")
    task.todos = [*found.todos, *todos]
    task.values_only = editable == [evaluator]
    if found.package_source == CANDIDATES and len(editable) > 1 and not found.settings_files:
        task.notes["editable"] = "keep the package(s) to change"
    _metric(found, evaluator, task)
    data = _settings_are_data(found, editable)
    code = any(p.endswith(".py") for p in editable)  # lint has nothing to judge in a TOML file
    task.gates = [
        g
        # ruff on code always: with the repository's config or ruff's defaults; only the
        # findings a candidate adds fail it, so old lint debt costs nothing. Settings that are
        # data get the data-only gate instead, unless the repository configures ruff and they
        # are Python.
        # An evaluator that is its own settings file gets the settings-only gate alone: a
        # candidate changes its settings' values, never its code (lint has nothing to judge).
        for g, on in (
            ("settings-only", task.values_only),
            ("data-only", data),
            ("static", code and not data and not task.values_only),  # forgery rules on code
            ("ruff", code and (bool(found.ruff) or not (data or task.values_only))),
            ("mypy", found.mypy and code and not task.values_only),
            ("pytest", found.has_tests),
        )
        if on
    ]
    return task


def _settings_are_data(found: Detection, editable: list[str]) -> bool:
    """Whether the editable files are the settings files and each holds data only (literal
    assignments in Python; TOML, JSON, and YAML, INI and .env files, which run no code): then
    the `data-only` gate keeps them so."""
    return bool(found.settings_files) and editable == list(found.settings_files) and not any(
        data_problems(p, read_text(found.root, p, limit=None)) for p in editable
        if p.endswith(DATA_SUFFIXES)
    )


def _editable(found: Detection, files: list[str]) -> tuple[list[str], str, list[str]]:
    """The editable globs, why they were chosen, and a todo when they are a guess."""
    if found.settings_files:
        why = "the settings files with tunable values (constants, config classes, data files)"
        left = []
        if found.evaluator and found.evaluator_settings:  # `train.py`'s flags beside its `.env`
            left.append(
                f"{found.evaluator} has {found.evaluator_settings} tunable setting(s) of its own "
                "(flags, constants) that are not searched: to search only them instead, make "
                f'editable = ["{found.evaluator}"] with the settings-only gate; to search both, '
                "move them into the settings file"
            )
        return list(found.settings_files), why, left
    if found.packages:
        why = f"the package source ({found.layout} layout, {found.package_source})"
        return [p if p.endswith(".py") else f"{p}/**/*.py" for p in found.packages], why, []
    tests = set(found.test_files) | set(found.conftests) | {found.evaluator} | _NOT_EDITABLE
    scripts = [p for p in files if p.endswith(".py") and "/" not in p and p not in tests]
    if not scripts and found.evaluator and found.evaluator_settings:
        # one script that holds the settings and prints the metric (`train.py`): its values
        why = f"{found.evaluator}, its settings' values only (the settings-only gate)"
        return [found.evaluator], why, []
    if not scripts:
        unread = [p for p in files if p.endswith(_UNREAD_SETTINGS)]
        if unread:  # settings in a format no parser of agentos.settings reads
            raise UserError(
                f"{unread[0]} is in a format agentos does not read ({', '.join(_UNREAD_SETTINGS)}),"
                " and no Python package, module or other settings file is committed",
                path=found.root,
                fix="write the settings as JSON, TOML, YAML, INI, .env or Python literals "
                "(settings.json) and have the evaluator read that file, then run `agentos init` "
                "again",
            )
        raise UserError(
            "no Python package, module or settings file found in the committed files",
            path=found.root,
            fix="commit the code to tune, then run `agentos init` again",
        )
    todo = (
        "no package found: [task] editable lists the Python files at the root; "
        "narrow it to the files the agent should change"
    )
    return scripts, "the Python files at the root (no package found)", [todo]


_UNREAD_SETTINGS = (".json5", ".jsonc", ".hjson")


def _metric(found: Detection, evaluator: str, task: _Task) -> None:
    """The metric line and goal from the evaluator's prints, or the todo that asks for them."""
    if found.evaluator is None:
        task.notes["command"] = f"write {evaluator}"
        task.todos.append(
            f"no evaluator found: write {evaluator}, a script that {_uses(found)}runs the code "
            "to improve and prints one line `score: <number>` (higher is better; or set "
            "[metric] regex and goal), then commit it"
        )
    elif found.metric is None:
        task.notes["regex"] = f"make {evaluator} print `score: <number>`, or set this regex"
        task.todos.append(
            f"metric line unknown: {evaluator} prints no single `name: value` line; make it "
            "print `score: <number>` on its own line, or set [metric] regex "
            "(or json_file and json_key) and goal"
        )
    else:
        task.metric = found.metric.name
        if found.metric.goal is None:
            task.notes["goal"] = f'is a higher {task.metric} better? "max" if so, else "min"'
            task.todos.append(
                f"metric goal unknown: is a higher `{task.metric}` better? set [metric] goal "
                '"max" or "min" (written: "max")'
            )
        else:
            task.goal = found.metric.goal
    if found.other_evaluators:
        task.todos.append(
            f"several evaluators ({', '.join([evaluator, *found.other_evaluators])}): "
            f"[metric] command runs {evaluator}; change it if another one measures what you want"
        )


def _uses(found: Detection) -> str:
    names = [
        PurePosixPath(p).stem if p.endswith(".py") else PurePosixPath(p).name
        for p in found.packages
    ]
    return f"imports {', '.join(names)}, " if names else ""


def _protected(found: Detection, evaluator: str) -> list[str]:
    parent = str(PurePosixPath(evaluator).parent)
    in_bench = found.evaluator and parent in ("bench", "benchmark", "benchmarks")
    evaluators = [f"{parent}/**" if in_bench else evaluator]  # its helpers and data too
    out = [*evaluators, *(f"{d}/**" for d in found.test_dirs)]
    out += [p for p in found.test_files + found.conftests if not any(glob_match(p, g) for g in out)]
    out += [f"{d}**" for d in found.data_dirs]
    out += found.project_files + found.task_profiles
    for config in (found.ruff, found.mypy, found.pytest):
        if config is not None and config.file not in out:
            out.append(config.file)
    return list(dict.fromkeys(out))


def _pytest_options(found: Detection) -> tuple[list[str], list[str], str]:
    """The pytest gate's `paths` and `pythonpath`, and where the pythonpath came from."""
    paths = pytest_list(found.pytest, "testpaths") or found.test_dirs or found.test_files
    pythonpath = pytest_list(found.pytest, "pythonpath")
    source = f"from {found.pytest.file}" if pythonpath and found.pytest else ""
    if not pythonpath:
        pythonpath = ["src"] if found.layout == "src" else ["."]
        source = "for the src layout" if found.layout == "src" else "the repository root"
    return paths, pythonpath, source


def _summary(found: Detection, task: _Task) -> list[str]:
    lines = [f"layout: {found.layout}"]
    if found.packages:
        names = ", ".join(found.packages)
        lines.append(f"package: {names} ({found.package_source})")
    if found.has_tests:
        paths, pythonpath, _ = _pytest_options(found)
        where = ", ".join(f"{d}/" for d in found.test_dirs) or ", ".join(found.test_files[:3])
        lines.append(
            f"tests: {where} (pytest, paths={' '.join(paths)}, pythonpath={' '.join(pythonpath)})"
        )
    else:
        lines.append("tests: none")
    for name, config in (("pytest", found.pytest), ("ruff", found.ruff), ("mypy", found.mypy)):
        where = f"{config.file} {config.section}".strip() if config else "not configured"
        lines.append(f"{name} config: {where}")
    lines.append(f"env: {found.env or 'none found (agentos own interpreter)'}")
    lines.append(f"evaluator: {found.evaluator or 'none found'}")
    if found.metric:
        lines.append(f"metric: {found.metric.name} ({found.metric.goal or 'goal unknown'})")
    if found.settings_files:
        counts = found.settings_files.items()
        lines.append("settings: " + ", ".join(f"{p} ({n} tunable)" for p, n in counts))
    if found.constants:
        total = sum(found.constants.values())
        top = sorted(found.constants.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
        most = ", ".join(f"{p} {n}" for p, n in top)
        lines.append(
            f"constants: {total} UPPER_CASE numeric in {len(found.constants)} module(s)"
            f" ({most}{', ...' if len(found.constants) > 3 else ''})"
        )
    if not found.settings_files and found.packages and not found.package_settings:
        lines.append(
            "proposer: the offline heuristic finds nothing to change in the package (it edits "
            "module-level constants); set ANTHROPIC_API_KEY for model proposals"
        )
    if task.values_only:
        lines.append(
            f"mode: settings only: {task.editable[0]} prints the metric and holds "
            f"{found.evaluator_settings} tunable setting(s); a candidate may change only their "
            "values (the settings-only gate), so its code stays the baseline's and the offline "
            "heuristic proposer searches them"
        )
    lines.append(f"editable: {', '.join(task.editable)}")
    lines.append(f"protected: {', '.join(task.protected) or 'none'}")
    lines.append(f"gates: {', '.join(task.gates) or 'none'}")
    lines += [f"todo: {t}" for t in task.todos]
    return lines


def _render(found: Detection, task: _Task) -> str:
    name = found.project or found.root.name
    todo = "\n# Lines marked TODO need you; `agentos check` reports on them." if task.todos else ""
    env = f"found {found.env}" if found.env else "none found, so agentos' own"
    note = {key: f"  # TODO: {text}" for key, text in task.notes.items()}
    llm = (
        "\n[llm]\n# Settings only: the offline proposer searches the values; a model's code edits "
        'would all be refused.\nprovider = "heuristic"\n'
        if task.values_only
        else ""
    )
    text = f'''# agentos task for {name}, written by `agentos init` from what it found.
# See docs/init.md and docs/loop.md (task file reference).{todo}

[task]
name = {_q(name)}
# Files the agent may change: {task.editable_why}.
editable = {_list(task.editable)}{note.get("editable", "")}
# Pinned when a run starts: the evaluator, the tests, their conftest, data, the project config.
protected = {_list(task.protected)}

[metric]
# Runs in a sandbox on a snapshot of the commit; its one number is read with the regex.
command = {_q(task.command)}{note.get("command", "")}
regex = '^{task.metric}:\\s*(?P<value>\\S+)'{note.get("regex", "")}
goal = "{task.goal}"{note.get("goal", "")}
timeout = 60        # seconds per run

[budget]
experiments = 20
# wall_time = 3600  # seconds
# patience = 10     # stop after this many experiments without a gain

[search]
strategy = "greedy" # see docs/search.md
seed = 0
{llm}
[sandbox]
backend = "auto"    # bwrap, unshare, or "local" (no security boundary)

[env]
# The Python that runs the metric and the gates: "auto" is the repository's own environment
# when there is one, else agentos' own; or "agentos", or a path. Here: {env}.
python = "auto"
'''
    return text + _render_tools(found, task)


def _render_tools(found: Detection, task: _Task) -> str:
    if not task.gates:
        return ""
    out = f"""
[tools]
# settings-only on an evaluator that is its own settings file; data-only on settings that are
# data; static (forgery rules) and ruff (its config, or its defaults) on code; mypy where
# configured; pytest where there are tests. Only the findings a candidate adds fail ruff and
# mypy: old lint debt is counted, not held against it.
gates = {_list(task.gates)}
"""
    if "ruff" not in task.gates:
        pass
    elif found.ruff:
        formats = "format" in found.ruff.values
        out += f"""
[tools.ruff]
config = {_q(found.ruff.file)}
format = {str(formats).lower()}  # {"the config has" if formats else "no"} [format] section
"""
    else:
        out += """
[tools.ruff]
format = false  # not configured here: ruff's default rules, no format check
"""
    if found.mypy:
        out += f"\n[tools.mypy]\nconfig = {_q(found.mypy.file)}\n"
    if found.has_tests:
        paths, pythonpath, source = _pytest_options(found)
        out += f"""
[tools.pytest]
paths = {_list(paths)}
pythonpath = {_list(pythonpath)}  # {source}
"""
    return out


def _q(text: str) -> str:
    return json.dumps(text)


def _list(items: list[str]) -> str:
    return "[" + ", ".join(_q(i) for i in items) + "]"
