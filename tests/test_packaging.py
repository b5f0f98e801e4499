"""Packaging: every package is listed for wheels, and no generic top-level name is installed."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAPPED = {"tools": "agentos.tools", "sandboxes": "agentos.sandboxes", "skills": "agentos.skills"}


def test_every_package_folder_is_listed_in_pyproject() -> None:
    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    found = set()
    for init in ROOT.glob("*/**/__init__.py"):
        rel = init.parent.relative_to(ROOT)
        top = rel.parts[0]
        if top == "agentos":
            found.add(".".join(rel.parts))
        elif top in MAPPED:
            found.add(".".join((MAPPED[top], *rel.parts[1:])))
    assert found <= listed, f"add to [tool.setuptools] packages: {sorted(found - listed)}"


def test_no_generic_top_level_import_names() -> None:
    names = ("tools", "sandboxes", "skills")
    code = f"import importlib.util as u; print([n for n in {names!r} if u.find_spec(n)])"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd="/", capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


def test_an_installed_agentos_finds_its_examples(tmp_path: Path) -> None:
    """`agentos demo --example NAME` works from a wheel install, not only from a checkout."""
    pip = [sys.executable, "-m", "pip", "-q"]
    # built from a copy: setuptools writes build/ and *.egg-info into the tree it builds
    src = tmp_path / "src"
    shutil.copytree(
        ROOT,
        src,
        ignore=shutil.ignore_patterns(".venv", ".git", "build", "*.egg-info", ".*_cache", ".whl"),
    )
    subprocess.run(
        [*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(tmp_path / "w"), str(src)],
        check=True,
        capture_output=True,
    )
    wheel = next((tmp_path / "w").glob("agentos-*.whl"))
    site = tmp_path / "site"
    subprocess.run([*pip, "install", "--no-deps", "--target", str(site), str(wheel)], check=True)
    code = (
        "import agentos.cli.main as m; print(m.agentos.__file__); print(m._example('quickstart'))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd="/",
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"},
    ).stdout.split()
    assert out[0].startswith(str(site)), out  # the installed copy, not this checkout
    assert out[1] == str(site / "agentos" / "examples" / "quickstart")
    assert (Path(out[1]) / "evaluate.py").is_file()
