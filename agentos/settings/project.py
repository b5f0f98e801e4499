"""The application's own tables of a project file. `pyproject.toml`, `setup.cfg` and `tox.ini`
configure the build and the developer tools too (`[project] version`, `[tool.ruff]
line-length`, `setup.cfg`'s `[metadata] version = 0.1`): those are never settings to search.
What is left is what an application keeps there for itself (`[tool.ranker]` read by its
evaluator, `setup.cfg`'s `[relaxer]`)."""

from __future__ import annotations

import configparser
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import PurePosixPath
from typing import Any

from agentos.settings.setting import Setting

PROJECT_FILES = ("pyproject.toml", "setup.cfg", "tox.ini")

# build back-ends, packaging and developer tools that keep a table in a project file
# fmt: off
DEV_TOOLS = frozenset((
    "aliases", "autoflake", "autopep8", "bandit", "basedpyright", "bdist_wheel", "black",
    "build_sphinx", "bumpversion", "bumpver", "check-manifest", "cibuildwheel", "codespell",
    "commitizen", "conda-lock", "coverage", "cython", "deptry", "distutils", "docformatter",
    "easy_install", "egg_info", "flake8", "flit", "hatch", "importlinter", "interrogate", "isort",
    "jupytext", "maturin", "meson-python", "metadata", "mutmut", "mypy", "nbqa", "nosetests",
    "numpydoc", "options", "pdm", "pep8", "pixi", "poe", "poetry", "pycodestyle", "pydocstyle",
    "pylama", "pylint", "pyproject-fmt", "pyrefly", "pyright", "pytest", "pytype", "pyupgrade",
    "refurb", "repo-review", "rstcheck", "ruff", "scikit-build", "scikit-build-core", "sdist",
    "semantic_release", "setuptools", "setuptools-rust", "setuptools_scm", "setuptools-scm",
    "sphinx", "taskipy", "testenv", "tox", "towncrier", "ty", "typos", "uv", "versioneer",
    "vulture", "yapf",
))
# fmt: on


def is_project_file(path: str) -> bool:
    return PurePosixPath(path).name in PROJECT_FILES


def own_settings(path: str, settings: Sequence[Setting]) -> list[Setting]:
    """The settings of a project file that belong to the application: in `pyproject.toml` those
    under `[tool.NAME]` for a NAME no build or developer tool uses; in `setup.cfg` and `tox.ini`
    those of a section that is not a tool's (`[flake8]`, `[tool:pytest]`, `[coverage:run]`)."""
    return [s for s in settings if own_table(path, s.name)]


def own_table(path: str, name: str) -> bool:
    """Whether the table `name` of the project file `path`, or a dotted name under it, is the
    application's own: `tool.ranker` of pyproject.toml; setup.cfg's or tox.ini's `relaxer`, not
    `metadata`, `tool:pytest` or `DEFAULT` (read into every section, the tools' too)."""
    if PurePosixPath(path).name == "pyproject.toml":
        return name.startswith("tool.") and name.split(".")[1] not in DEV_TOOLS
    section = name.split(".")[0]
    return ":" not in section and section not in DEV_TOOLS and section != "DEFAULT"


def _tables(path: str, text: str) -> dict[str, Any]:
    """The project file's tables by name (`project`, `tool.ruff`, `metadata`, `tool:pytest`);
    raises ValueError when the text does not parse."""
    if PurePosixPath(path).name == "pyproject.toml":
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ValueError(f"not valid TOML: {exc}") from None
        tools = data.pop("tool", {})
        named: dict[str, Any] = dict(data)
        if isinstance(tools, Mapping):
            named.update((f"tool.{k}", v) for k, v in tools.items())
        else:
            named["tool"] = tools
        return named
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(text)
    except configparser.Error as exc:
        raise ValueError(f"not valid INI: {exc.message}") from None
    named = {name: dict(parser.items(name, raw=True)) for name in parser.sections()}
    named["DEFAULT"] = dict(parser.defaults())
    return named


def foreign_changes(path: str, before: str, after: str) -> list[str]:
    """What an edit of the project file `path` from `before` to `after` changed outside the
    application's own tables (`own_settings`), by value: `[project]` (its version, its
    dependencies), `[build-system]`, `[tool.ruff]`, setup.cfg's `[metadata]`, as `[NAME]`, or
    why the text cannot be compared. An empty text is a file that does not exist."""
    try:
        old = _tables(path, before)
        new = _tables(path, after)
    except ValueError as exc:
        return [f"the whole file ({exc})"]
    return [f"[{name}]" for name in sorted(set(old) | set(new))
            if not own_table(path, name) and old.get(name) != new.get(name)]
