"""What `agentos init` finds in a repository: layout, package, tests, tool configuration,
environment, evaluator and tunable settings.

Everything is read from the committed files of HEAD (a run measures commits, so a path that is not
committed does not exist for agentos), except the environment (`.venv/` is rarely committed) and
config files, which are read from the working tree the gates read them from. Nothing here writes;
`agentos.init` turns a `Detection` into an `agentos.toml`.
"""

from __future__ import annotations

import configparser
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Literal

from agentos.settings import find_settings

Layout = Literal["src", "flat", "module", "none"]

_NOT_PACKAGES = frozenset(
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
_TEST_DIRS = frozenset({"tests", "test", "testing"})
_TEST_FILE = re.compile(r"(^test_.*|.*_test)\.py$")
_SETTINGS_STEMS = frozenset({"settings", "config", "params", "hparams", "hyperparams", "train"})
_SETTINGS_SUFFIXES = (".py", ".toml", ".json")
_PROJECT_FILES = ("pyproject.toml", "setup.cfg", "setup.py", "tox.ini", "pytest.ini")
_EVALUATOR_NAMES = ("evaluate.py", "eval.py", "evaluation.py", "score.py")
_BENCH_DIRS = ("bench", "benchmark", "benchmarks")
_MARKER = re.compile(r"""print\(\s*[rfRF]{0,2}["']\s*([A-Za-z_][A-Za-z0-9_]*)\s*:""")
_MAXIMISE = re.compile(r"score|acc|accuracy|auc|f1|precision|recall|throughput|ops|per_s|speedup")
_MINIMISE = re.compile(r"loss|err|error|bpb|perplexity|ppl|time|seconds|secs|ms|latency|cost")
_SMALL = 64_000  # bytes: settings and markers are looked for in files up to this size
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
    project_files: list[str] = field(default_factory=list)
    data_dirs: list[str] = field(default_factory=list)
    todos: list[str] = field(default_factory=list)

    @property
    def has_tests(self) -> bool:
        return bool(self.test_dirs or self.test_files)


def skill_files(folder: Path) -> list[Path]:
    """The `SKILL.md` files that make `folder` a folder of skills (its own, or its children's)."""
    own = folder / "SKILL.md"
    return [own] if own.is_file() else sorted(folder.glob("*/SKILL.md"))


def detect(root: Path, files: Iterable[str]) -> Detection:
    """Look at the committed `files` of the repository at `root`."""
    paths = sorted(p for p in files if not p.startswith((".venv/", "venv/", ".tox/")))
    found = Detection(root=root)
    found.project_files = [p for p in _PROJECT_FILES if p in paths]
    pyproject = _toml(root, "pyproject.toml") if "pyproject.toml" in paths else {}
    setup_cfg = _ini(root, "setup.cfg") if "setup.cfg" in paths else None
    setup_py = _text(root, "setup.py") if "setup.py" in paths else ""
    _detect_package(found, paths, pyproject, setup_cfg, setup_py)
    _detect_tests(found, paths)
    _detect_tools(found, paths, pyproject, setup_cfg)
    found.env = _detect_env(root)
    _detect_evaluator(found, paths)
    _detect_settings(found, paths)
    found.data_dirs = sorted(
        {
            p.split("/")[0] + "/"
            for p in paths
            if p.split("/")[0] in ("data", "datasets") and "/" in p
        }
    )
    return found


# --- package and layout ---------------------------------------------------------------------------


def _detect_package(
    found: Detection,
    paths: list[str],
    pyproject: Mapping[str, Any],
    setup_cfg: configparser.ConfigParser | None,
    setup_py: str,
) -> None:
    name = _table(pyproject, "project").get("name")
    if name is None and setup_cfg is not None:
        name = setup_cfg.get("metadata", "name", fallback=None)
    if name is None:
        m = re.search(r"""\bname\s*=\s*["']([\w.-]+)["']""", setup_py)
        name = m.group(1) if m else None
    found.project = str(name) if name else None
    declared, where = _declared(pyproject, setup_cfg, setup_py)
    existing = set(paths)
    dirs = {str(PurePosixPath(p).parent) for p in paths if p.endswith(".py")}
    named: dict[str, str] = {}  # package folder or module file -> the file that names it
    for source, item in declared:
        if "/" in item:
            item = item.strip("/")
            if item in dirs or any(d.startswith(item + "/") for d in dirs):
                named.setdefault(item, source)
            continue
        top = item.split(".")[0]
        for base in (where, "src", ""):
            folder = f"{base}/{top}" if base else top
            if folder in dirs or any(d.startswith(folder + "/") for d in dirs):
                named.setdefault(folder, source)
                break
            if f"{folder}.py" in existing:
                named.setdefault(f"{folder}.py", source)
                break
    if named:
        found.packages = sorted(named)
        found.package_source = "declared in " + ", ".join(sorted(set(named.values())))
    else:
        candidates = _candidates(paths, dirs)
        wanted = _name_variants(found.project)
        match = [c for c in candidates if PurePosixPath(c).stem.lower() in wanted]
        if match:
            found.packages, found.package_source = match[:1], "named like the project"
        elif candidates:
            found.packages, found.package_source = candidates, CANDIDATES
            if len(candidates) > 1:
                found.todos.append(
                    f"several candidate packages ({', '.join(candidates)}): all are editable; "
                    "keep in [task] editable only the one(s) the agent should change"
                )
    if found.packages:
        first = found.packages[0]
        found.layout = (
            "module" if first.endswith(".py") else ("src" if first.startswith("src/") else "flat")
        )


def _declared(
    pyproject: Mapping[str, Any], setup_cfg: configparser.ConfigParser | None, setup_py: str
) -> tuple[list[tuple[str, str]], str]:
    """Packages or modules the build configuration names, each with the file that names it, and
    the folder they live in. hatch names paths (`src/foo`), the others import names."""
    tool = _table(pyproject, "tool")
    st = _table(tool, "setuptools")
    names: list[str] = []
    where = ""
    pkgs = st.get("packages")
    if isinstance(pkgs, list):
        names += [str(p) for p in pkgs]
    elif isinstance(pkgs, dict) and isinstance(pkgs.get("find"), dict):
        w = pkgs["find"].get("where")
        where = str(w[0] if isinstance(w, list) and w else w or "")
    package_dir = st.get("package-dir")
    if isinstance(package_dir, dict) and isinstance(package_dir.get(""), str):
        where = package_dir[""]
    names += _strs(st.get("py-modules"))
    names += _strs(_table(tool, "hatch", "build", "targets", "wheel").get("packages"))
    poetry = _table(tool, "poetry").get("packages")
    for item in poetry if isinstance(poetry, list) else []:
        if isinstance(item, dict) and isinstance(item.get("include"), str):
            names.append(item["include"])
            where = str(item.get("from", where))
    names += _strs(_table(tool, "flit", "module").get("name"))
    out = [("pyproject.toml", n) for n in names]
    if setup_cfg is not None:
        for key in ("packages", "py_modules"):
            listed = re.split(r"[\s,]+", setup_cfg.get("options", key, fallback=""))
            out += [("setup.cfg", n) for n in listed if n and not n.startswith("find")]
        where = setup_cfg.get("options.packages.find", "where", fallback=where).strip()
        m = re.search(r"^\s*=\s*(\S+)", setup_cfg.get("options", "package_dir", fallback=""), re.M)
        where = m.group(1) if m else where
    m = re.search(r"""package_dir\s*=\s*\{\s*["']{2}\s*:\s*["']([\w/]+)["']""", setup_py)
    where = m.group(1) if m else where
    for key in ("packages", "py_modules"):
        m = re.search(rf"""\b{key}\s*=\s*\[([^\]]*)\]""", setup_py)
        listed = re.findall(r"""["']([\w.]+)["']""", m.group(1)) if m else []
        out += [("setup.py", n) for n in listed]
    return out, where


def _candidates(paths: list[str], dirs: set[str]) -> list[str]:
    """Top-level packages under `src/` (namespace ones too), else at the root."""
    src = sorted({"/".join(d.split("/")[:2]) for d in dirs if d.startswith("src/")})
    src = [s for s in src if s.split("/")[1] not in _NOT_PACKAGES and "." not in s]
    if src:
        return src
    roots = sorted(
        {p.split("/")[0] for p in paths if p.count("/") == 1 and p.endswith("/__init__.py")}
    )
    return [r for r in roots if r not in _NOT_PACKAGES and not r.startswith(".")]


def _name_variants(name: str | None) -> set[str]:
    if not name:
        return set()
    base = re.sub(r"[-.]+", "_", name.lower())
    return {base, base.removeprefix("python_"), base.removeprefix("py"), base.removesuffix("_py")}


# --- tests and tools ------------------------------------------------------------------------------


def _detect_tests(found: Detection, paths: list[str]) -> None:
    tests = [p for p in paths if _TEST_FILE.match(PurePosixPath(p).name)]
    dirs: set[str] = set()
    for p in tests:
        parts = p.split("/")[:-1]
        for i, part in enumerate(parts):
            if part in _TEST_DIRS:
                dirs.add("/".join(parts[: i + 1]))
                break
    found.test_dirs = sorted(dirs)
    inside = tuple(d + "/" for d in dirs)
    found.test_files = [p for p in tests if not p.startswith(inside)]
    found.conftests = [
        p for p in paths if PurePosixPath(p).name == "conftest.py" and not p.startswith(inside)
    ]


def _detect_tools(
    found: Detection,
    paths: list[str],
    pyproject: Mapping[str, Any],
    setup_cfg: configparser.ConfigParser | None,
) -> None:
    tool = _table(pyproject, "tool")
    # pytest's own order: pytest.ini, pyproject.toml, tox.ini, setup.cfg
    for name, section in (
        ("pytest.ini", "pytest"),
        ("pyproject.toml", ""),
        ("tox.ini", "pytest"),
        ("setup.cfg", "tool:pytest"),
    ):
        if found.pytest is not None or name not in paths:
            continue
        if name == "pyproject.toml":
            table = _table(tool, "pytest")
            if table:
                options = _table(table, "ini_options") or table
                key = "[tool.pytest.ini_options]" if "ini_options" in table else "[tool.pytest]"
                found.pytest = ToolConfig(name, key, options)
        elif (cfg := _ini(found.root, name)) is not None and cfg.has_section(section):
            found.pytest = ToolConfig(name, f"[{section}]", dict(cfg[section]))
    for name in ("ruff.toml", ".ruff.toml"):
        if found.ruff is None and name in paths:
            found.ruff = ToolConfig(name, "", _toml(found.root, name))
    if found.ruff is None and isinstance(tool.get("ruff"), dict):
        found.ruff = ToolConfig("pyproject.toml", "[tool.ruff]", tool["ruff"])
    for name in ("mypy.ini", ".mypy.ini"):
        if found.mypy is None and name in paths:
            found.mypy = ToolConfig(name, "[mypy]")
    if found.mypy is None and isinstance(tool.get("mypy"), dict):
        found.mypy = ToolConfig("pyproject.toml", "[tool.mypy]", tool["mypy"])
    if found.mypy is None and setup_cfg is not None and setup_cfg.has_section("mypy"):
        found.mypy = ToolConfig("setup.cfg", "[mypy]")


def pytest_list(config: ToolConfig | None, key: str) -> list[str]:
    """A pytest ini option that holds paths (`pythonpath`, `testpaths`), as a list."""
    value = config.values.get(key) if config else None
    if isinstance(value, list):
        return [str(v) for v in value]
    return str(value).split() if value else []


# --- environment, evaluator, settings -------------------------------------------------------------


def _detect_env(root: Path) -> str | None:
    for name in (".venv", "venv"):
        cfg = root / name / "pyvenv.cfg"
        if cfg.is_file():
            m = re.search(
                r"^version(?:_info)?\s*=\s*(\S+)", _text(root, f"{name}/pyvenv.cfg"), re.MULTILINE
            )
            return f"{name}/" + (f" (python {m.group(1)})" if m else "")
    return "uv.lock (a uv project)" if (root / "uv.lock").is_file() else None


def _detect_evaluator(found: Detection, paths: list[str]) -> None:
    inside = tuple(d + "/" for d in found.test_dirs)
    scripts = [
        p
        for p in paths
        if p.endswith(".py")
        and not p.startswith(inside)
        and not _TEST_FILE.match(PurePosixPath(p).name)
        and p not in found.conftests
    ]
    ranked: list[tuple[int, str]] = []
    for p in scripts:
        parts = PurePosixPath(p).parts
        if parts[-1] in _EVALUATOR_NAMES and len(parts) <= 2:
            rank = 0
        elif parts[-1].startswith("bench") and len(parts) == 1:
            rank = 1
        elif len(parts) == 2 and parts[0] in _BENCH_DIRS:
            rank = 2
        elif len(parts) <= 2 and "score" in _markers(found.root, p):
            rank = 3
        else:
            continue
        if _runnable(_text(found.root, p)):
            ranked.append((rank, p))
    ranked.sort()
    if not ranked:
        return
    best = ranked[0][0]
    top = [p for r, p in ranked if r == best]
    found.evaluator, found.other_evaluators = top[0], top[1:]
    names = _markers(found.root, found.evaluator)
    known = [n for n in names if _goal(n)] if len(names) > 1 else names
    if len(known) == 1:
        found.metric = Metric(known[0], _goal(known[0]))


def _runnable(text: str) -> bool:
    """A script, not a test module or an asv/pytest-benchmark suite of functions."""
    return "__main__" in text or bool(re.search(r"^print\(", text, re.MULTILINE))


def _markers(root: Path, path: str) -> list[str]:
    """The names a script prints as `name: value` (`print(f"score: {s}")`)."""
    return sorted(set(_MARKER.findall(_text(root, path))))


def _goal(name: str) -> Literal["min", "max"] | None:
    low = name.lower()
    if _MAXIMISE.search(low):
        return "max"
    return "min" if _MINIMISE.search(low) else None


def _detect_settings(found: Detection, paths: list[str]) -> None:
    """Settings files (by name, outside tests and packages) that the heuristic proposer can tune,
    and the UPPER_CASE constants of the package's small modules (reported only)."""
    inside = tuple(d + "/" for d in found.test_dirs)
    packages = tuple(p + "/" for p in found.packages if not p.endswith(".py"))
    for p in paths:
        pure = PurePosixPath(p)
        if p.startswith(inside) or pure.suffix not in _SETTINGS_SUFFIXES or p == found.evaluator:
            continue
        in_package = p.startswith(packages) or p in found.packages
        if pure.stem in _SETTINGS_STEMS and not in_package and p not in _PROJECT_FILES:
            count = sum(s.mutable for s in find_settings(p, _text(found.root, p)))
            if count:
                found.settings_files[p] = count
        elif in_package and pure.suffix == ".py":
            settings = find_settings(p, _text(found.root, p))
            count = sum(s.mutable and s.name.isupper() and s.kind != "str" for s in settings)
            if count:
                found.constants[p] = count


# --- reading files --------------------------------------------------------------------------------


def _text(root: Path, path: str) -> str:
    try:
        file = root / path
        if file.stat().st_size > _SMALL:
            return ""
        return file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def _toml(root: Path, path: str) -> dict[str, Any]:
    try:
        return tomllib.loads((root / path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return {}


def _ini(root: Path, path: str) -> configparser.ConfigParser | None:
    cfg = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        cfg.read_string((root / path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, configparser.Error):
        return None
    return cfg


def _table(data: Mapping[str, Any], *keys: str) -> Mapping[str, Any]:
    """The nested table at `keys`, or an empty one when any level is missing or not a table."""
    for key in keys:
        value = data.get(key)
        data = value if isinstance(value, dict) else {}
    return data


def _strs(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []
