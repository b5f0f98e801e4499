"""What `agentos init` found in a repository, and how it reads the files it looks at.

Everything is read from the committed files of HEAD (a run measures commits, so a path that is not
committed does not exist for agentos), except the environment (`.venv/` is rarely committed) and
config files, which are read from the working tree, where the gates read them.
"""

from __future__ import annotations

import configparser
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

Layout = Literal["src", "flat", "module", "none"]

NOT_PACKAGES = frozenset(
    {
        "tests",
        "test",
        "testing",
        "docs",
        "doc",
        "examples",
        "example",
        "benchmarks",
        "benchmark",
        "bench",
        "scripts",
        "build",
        "dist",
        "ci",
        "site-packages",
        "node_modules",
        "venv",
    }
)
TEST_DIRS = frozenset({"tests", "test", "testing"})
TEST_FILE = re.compile(r"(^tests?_.*|.*_tests?|^tests?)\.py$")  # test_x, x_test, tests, x_tests
PROJECT_FILES = ("pyproject.toml", "setup.cfg", "setup.py", "tox.ini", "pytest.ini")
SMALL = 64_000  # bytes: markers and constants are looked for in files up to this size
DEFAULT_EVALUATOR = "bench/agentos_bench.py"
CANDIDATES = "the folders with Python code"  # the package source when nothing names one


@dataclass(frozen=True)
class ToolConfig:
    """Where a tool's configuration lives: the file and the section it was read from."""

    file: str
    section: str
    values: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Metric:
    """The evaluator's metric line, when its prints name exactly one metric."""

    name: str
    goal: Literal["min", "max"] | None


@dataclass
class Detection:
    """Everything init decided about a repository, and what it could not decide (`todos`)."""

    root: Path
    project: str | None = None
    layout: Layout = "none"
    packages: list[str] = field(default_factory=list)  # package folders or single modules
    package_source: str = ""
    test_dirs: list[str] = field(default_factory=list)
    test_files: list[str] = field(default_factory=list)  # test modules outside test_dirs
    conftests: list[str] = field(default_factory=list)  # conftest.py outside test_dirs
    pytest: ToolConfig | None = None
    ruff: ToolConfig | None = None
    mypy: ToolConfig | None = None
    env: str | None = None
    evaluator: str | None = None
    other_evaluators: list[str] = field(default_factory=list)
    metric: Metric | None = None
    settings_files: dict[str, int] = field(default_factory=dict)  # path -> tunable settings
    constants: dict[str, int] = field(default_factory=dict)  # package module -> UPPER_CASE ones
    package_settings: int = 0  # settings in the package the heuristic proposer could change
    evaluator_settings: int = 0  # tunable settings in the evaluator itself (`train.py`'s flags)
    project_files: list[str] = field(default_factory=list)
    data_dirs: list[str] = field(default_factory=list)
    task_profiles: list[str] = field(default_factory=list)  # other task files: agentos.gpu.toml
    todos: list[str] = field(default_factory=list)

    @property
    def has_tests(self) -> bool:
        return bool(self.test_dirs or self.test_files)


def pytest_list(config: ToolConfig | None, key: str) -> list[str]:
    """A pytest ini option that holds paths (`pythonpath`, `testpaths`), as a list."""
    value = config.values.get(key) if config else None
    if isinstance(value, list):
        return [str(v) for v in value]
    return str(value).split() if value else []


# --- reading files --------------------------------------------------------------------------------


def read_text(root: Path, path: str, *, limit: int | None = SMALL) -> str:
    """The file's text, or "" when it cannot be read or is larger than `limit` bytes."""
    try:
        file = root / path
        if limit is not None and file.stat().st_size > limit:
            return ""
        return file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def read_toml(root: Path, path: str) -> dict[str, Any] | None:
    """The decoded TOML file, or None when it cannot be read or is not valid TOML."""
    try:
        return tomllib.loads((root / path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None


def read_ini(root: Path, path: str) -> configparser.ConfigParser | None:
    cfg = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        cfg.read_string((root / path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, configparser.Error):
        return None
    return cfg


def table(data: Mapping[str, Any], *keys: str) -> Mapping[str, Any]:
    """The nested table at `keys`, or an empty one when any level is missing or not a table."""
    for key in keys:
        value = data.get(key)
        data = value if isinstance(value, dict) else {}
    return data


def strs(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []
