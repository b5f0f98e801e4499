"""The application's own tables of a project file. `pyproject.toml`, `setup.cfg` and `tox.ini`
configure the build and the developer tools too (`[project] version`, `[tool.ruff]
line-length`, `setup.cfg`'s `[metadata] version = 0.1`): those are never settings to search.
What is left is what an application keeps there for itself (`[tool.ranker]` read by its
evaluator, `setup.cfg`'s `[relaxer]`)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import PurePosixPath

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
    "sphinx", "taskipy", "tox", "towncrier", "ty", "typos", "uv", "versioneer", "vulture", "yapf",
))
# fmt: on


def is_project_file(path: str) -> bool:
    return PurePosixPath(path).name in PROJECT_FILES


def own_settings(path: str, settings: Sequence[Setting]) -> list[Setting]:
    """The settings of a project file that belong to the application: in `pyproject.toml` those
    under `[tool.NAME]` for a NAME no build or developer tool uses; in `setup.cfg` and `tox.ini`
    those of a section that is not a tool's (`[flake8]`, `[tool:pytest]`, `[coverage:run]`)."""
    if PurePosixPath(path).name == "pyproject.toml":
        return [
            s for s in settings
            if s.name.startswith("tool.") and s.name.split(".")[1] not in DEV_TOOLS
        ]  # fmt: skip
    return [
        s for s in settings
        if ":" not in (section := s.name.split(".")[0]) and section not in DEV_TOOLS
    ]  # fmt: skip
