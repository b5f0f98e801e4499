"""Tool configuration from the trusted side: the user's repository as the task found it.

A candidate may edit its own `pyproject.toml`; the gates never read that copy. Options in
`agentos.toml` (`[tools.ruff]`, `[tools.mypy]`, ...) name a config file relative to the task root,
which agentos never writes to, and the built-ins pass its content to the tool from outside the
tree. pytest's own options are read once from the baseline snapshot (`pytest_config`) and pinned
with the test manifest.
"""

from __future__ import annotations

import configparser
import json
import re
import shlex
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agentos.errors import UserError
from agentos.tool import ToolContext

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def trusted_file(ctx: ToolContext, key: str = "config") -> Path | None:
    """The config file an option names, resolved inside the task root, or None when unset."""
    name = ctx.options.get(key)
    if name is None:
        return None
    if not isinstance(name, str) or not name:
        raise UserError(f"option {key!r} must be a file name", path=ctx.task.path,
                        fix=f"set {key} = \"pyproject.toml\" or remove it")
    root = ctx.task.root.resolve()
    path = (root / name).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        raise UserError(f"config file {name!r} is not a file inside {root}", path=ctx.task.path,
                        fix=f"name an existing file relative to the repository in `{key}`")
    return path


def tool_table(path: Path, tool: str) -> Mapping[str, Any]:
    """The `[tool.<tool>]` table of a pyproject.toml, or the whole of `<tool>.toml`."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UserError(f"not valid TOML ({exc})", path=path, fix="correct the syntax") from exc
    if path.name == "pyproject.toml":
        table = data.get("tool", {}).get(tool, {})
        return table if isinstance(table, dict) else {}
    return data


def inline_pairs(table: Mapping[str, Any], prefix: str = "") -> list[str]:
    """Flatten a TOML table into `dotted.key = value` lines (ruff's `--config` overrides)."""
    pairs: list[str] = []
    for key, value in table.items():
        name = prefix + (key if _BARE_KEY.match(key) else json.dumps(key))
        if isinstance(value, dict):
            pairs.extend(inline_pairs(value, name + "."))
        else:
            pairs.append(f"{name} = {toml_value(value)}")
    return pairs


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    raise ValueError(f"cannot pass {value!r} as an inline TOML value")


# pytest's own options, read from the baseline snapshot in pytest's order of precedence. Only the
# keys below reach the trusted ini; `addopts` is filtered to the flags in `_SAFE_FLAGS`/`_VALUED`.
PYTEST_FILES = (("pytest.ini", "pytest"), (".pytest.ini", "pytest"),
                ("pyproject.toml", "tool.pytest.ini_options"), ("tox.ini", "pytest"),
                ("setup.cfg", "tool:pytest"))
PYTEST_KEYS = {
    "pythonpath": "args", "testpaths": "args", "python_files": "args", "python_classes": "args",
    "python_functions": "args", "norecursedirs": "args", "usefixtures": "args",
    "doctest_optionflags": "args", "markers": "linelist", "filterwarnings": "linelist",
    "xfail_strict": "value", "empty_parameter_set_mark": "value", "doctest_encoding": "value",
    "consider_namespace_packages": "value", "strict": "value", "strict_markers": "value",
    "strict_xfail": "value", "strict_parametrization_ids": "value", "log_level": "value",
    "log_format": "value", "log_date_format": "value",
}
_SAFE_FLAGS = re.compile(r"^(-[qvsl]+|-r\w+|--showlocals|--strict-markers|--strict|"
                         r"--doctest-modules|--doctest-continue-on-failure|--no-header|"
                         r"--no-summary|--disable-warnings|--disable-pytest-warnings)$")
_VALUED = {"--tb", "--import-mode", "--capture", "--durations", "--doctest-glob", "--ignore",
           "--ignore-glob", "--deselect", "--color", "--pythonwarnings", "-W", "-m", "-k", "-p"}


@dataclass(frozen=True)
class PytestConfig:
    """The repository's pytest options as the trusted run takes them: `values` per kept key
    (a list for list-typed keys), the kept `addopts`, and notes on what was left out."""

    source: str
    values: Mapping[str, str | list[str]]
    addopts: tuple[str, ...]
    notes: tuple[str, ...]


def pytest_config(tree: Path) -> PytestConfig:
    """The pytest options of the snapshot `tree` (the first of `PYTEST_FILES` that pytest
    itself would pick), restricted to what a trusted run may use."""
    for name, section in PYTEST_FILES:
        path = tree / name
        if path.is_symlink() or not path.is_file():
            continue
        found = _pytest_section(path, section)
        if found is not None:
            return _keep(f"{name} [{found[0]}]", found[1])
    return PytestConfig("", {}, (), ())


def _pytest_section(path: Path, section: str) -> tuple[str, Mapping[str, Any]] | None:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"cannot read the pytest options ({exc})", path=path,
                        fix="save the file as UTF-8") from exc
    if path.suffix == ".toml":
        tool = tool_table(path, "pytest")
        ini = tool.get("ini_options")
        if isinstance(ini, dict):
            return section, ini
        native = {k: v for k, v in tool.items() if k != "ini_options"}  # pytest 9's [tool.pytest]
        return ("tool.pytest", native) if native else None
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text, source=str(path))
    except configparser.Error as exc:
        raise UserError(f"not a valid ini file ({exc})".replace("\n", " "), path=path,
                        fix="correct the syntax") from exc
    if not parser.has_section(section):
        return (section, {}) if path.name in ("pytest.ini", ".pytest.ini") else None
    return section, dict(parser.items(section))


def _keep(source: str, raw: Mapping[str, Any]) -> PytestConfig:
    values: dict[str, str | list[str]] = {}
    notes = []
    for key, value in raw.items():
        kind = PYTEST_KEYS.get(key)
        if key == "addopts":
            continue
        if kind is None or not isinstance(value, str | bool | int | float | list):
            notes.append(f"option {key} left out")
        elif kind == "value":
            values[key] = value if isinstance(value, str) else toml_value(value).strip('"')
        elif isinstance(value, str):
            values[key] = shlex.split(value) if kind == "args" else \
                [s for line in value.split("\n") if (s := line.strip())]
        else:
            values[key] = [str(v) for v in value] if isinstance(value, list) else [str(value)]
    addopts = raw.get("addopts", [])
    kept, dropped = safe_addopts(shlex.split(addopts) if isinstance(addopts, str)
                                 else [str(a) for a in addopts])
    notes += [f"addopts {a} left out" for a in dropped]
    return PytestConfig(source, values, tuple(kept), tuple(notes))


def safe_addopts(args: list[str]) -> tuple[list[str], list[str]]:
    """The flags that only select, report or import (kept, as tokens), and the rest (dropped, one
    string per flag with its value): flags that load plugins, stop early, move the rootdir,
    config or cache, or write files."""
    kept: list[str] = []
    dropped: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        name, eq, value = arg.partition("=")
        short = name[:2] if len(name) > 2 and not name.startswith("--") else name
        if name in _VALUED and not eq and i + 1 < len(args):
            value, taken = args[i + 1], [arg, args[i + 1]]
            i += 1
        elif short in _VALUED and short != name:
            value, taken = name[2:], [arg]
        else:
            taken = [arg]
        i += 1
        plugin_ok = short != "-p" or value.startswith("no:")
        ok = _SAFE_FLAGS.match(arg) or ((name in _VALUED or short in _VALUED) and plugin_ok)
        if ok:
            kept += taken
        else:
            dropped.append(" ".join(taken))
    return kept, dropped
