"""The package and its layout, the tests, and the pytest, ruff and mypy configuration."""

from __future__ import annotations

import configparser
import re
from collections.abc import Mapping
from pathlib import PurePosixPath
from typing import Any

from agentos.init.found import (
    CANDIDATES,
    NOT_PACKAGES,
    TEST_DIRS,
    TEST_FILE,
    Detection,
    ToolConfig,
    read_ini,
    read_toml,
    strs,
    table,
)


def detect_package(
    found: Detection,
    paths: list[str],
    pyproject: Mapping[str, Any],
    setup_cfg: configparser.ConfigParser | None,
    setup_py: str,
) -> None:
    name = table(pyproject, "project").get("name")
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
        modules = [f"{base}{w}.py" for base in ("src/", "") for w in sorted(wanted)]
        match = [c for c in candidates if PurePosixPath(c).stem.lower() in wanted]
        match += [m for m in modules if m in existing]
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
        # a module under src/ is a src layout too: its tests need `src` on the path
        found.layout = (
            "src" if first.startswith("src/") else ("module" if first.endswith(".py") else "flat")
        )


def _declared(
    pyproject: Mapping[str, Any], setup_cfg: configparser.ConfigParser | None, setup_py: str
) -> tuple[list[tuple[str, str]], str]:
    """Packages or modules the build configuration names, each with the file that names it, and
    the folder they live in. hatch names paths (`src/foo`), the others import names."""
    tool = table(pyproject, "tool")
    st = table(tool, "setuptools")
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
    names += strs(st.get("py-modules"))
    names += strs(table(tool, "hatch", "build", "targets", "wheel").get("packages"))
    poetry = table(tool, "poetry").get("packages")
    for item in poetry if isinstance(poetry, list) else []:
        if isinstance(item, dict) and isinstance(item.get("include"), str):
            names.append(item["include"])
            where = str(item.get("from", where))
    names += strs(table(tool, "flit", "module").get("name"))
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
    """Top-level packages and modules under `src/` (namespace packages too), else the packages
    at the root (root modules are scripts as often as libraries: they are named, not guessed)."""
    src = sorted({"/".join(d.split("/")[:2]) for d in dirs if d.startswith("src/")})
    src = [s for s in src if s.split("/")[1] not in NOT_PACKAGES and "." not in s]
    src += [
        p
        for p in paths
        if p.count("/") == 1
        and p.startswith("src/")
        and p.endswith(".py")
        and p not in ("src/conftest.py", "src/setup.py")
    ]
    if src:
        return src
    roots = sorted(
        {p.split("/")[0] for p in paths if p.count("/") == 1 and p.endswith("/__init__.py")}
    )
    return [r for r in roots if r not in NOT_PACKAGES and not r.startswith(".")]


def _name_variants(name: str | None) -> set[str]:
    if not name:
        return set()
    base = re.sub(r"[-.]+", "_", name.lower())
    return {base, base.removeprefix("python_"), base.removeprefix("py"), base.removesuffix("_py")}


# --- tests and tools ------------------------------------------------------------------------------


def detect_tests(found: Detection, paths: list[str]) -> None:
    tests = [p for p in paths if TEST_FILE.match(PurePosixPath(p).name)]
    dirs: set[str] = set()
    for p in tests:
        parts = p.split("/")[:-1]
        for i, part in enumerate(parts):
            if part in TEST_DIRS:
                dirs.add("/".join(parts[: i + 1]))
                break
    found.test_dirs = sorted(dirs)
    inside = tuple(d + "/" for d in dirs)
    found.test_files = [p for p in tests if not p.startswith(inside)]
    found.conftests = [
        p for p in paths if PurePosixPath(p).name == "conftest.py" and not p.startswith(inside)
    ]


def detect_tools(
    found: Detection,
    paths: list[str],
    pyproject: Mapping[str, Any],
    setup_cfg: configparser.ConfigParser | None,
) -> None:
    tool = table(pyproject, "tool")
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
            pytest = table(tool, "pytest")
            if pytest:
                options = table(pytest, "ini_options") or pytest
                key = "[tool.pytest.ini_options]" if "ini_options" in pytest else "[tool.pytest]"
                found.pytest = ToolConfig(name, key, options)
        elif (cfg := read_ini(found.root, name)) is not None and cfg.has_section(section):
            found.pytest = ToolConfig(name, f"[{section}]", dict(cfg[section]))
    for name in ("ruff.toml", ".ruff.toml"):
        if found.ruff is None and name in paths:
            found.ruff = ToolConfig(name, "", read_toml(found.root, name) or {})
    if found.ruff is None and isinstance(tool.get("ruff"), dict):
        found.ruff = ToolConfig("pyproject.toml", "[tool.ruff]", tool["ruff"])
    for name in ("mypy.ini", ".mypy.ini"):
        if found.mypy is None and name in paths:
            found.mypy = ToolConfig(name, "[mypy]")
    if found.mypy is None and isinstance(tool.get("mypy"), dict):
        found.mypy = ToolConfig("pyproject.toml", "[tool.mypy]", tool["mypy"])
    if found.mypy is None and setup_cfg is not None and setup_cfg.has_section("mypy"):
        found.mypy = ToolConfig("setup.cfg", "[mypy]")
