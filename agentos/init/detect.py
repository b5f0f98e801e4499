"""`detect`: look at a repository's committed files and say what it holds."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from agentos.init.found import PROJECT_FILES, Detection, read_ini, read_text, read_toml
from agentos.init.layout import detect_package, detect_tests, detect_tools
from agentos.init.scripts import detect_env, detect_evaluator, detect_settings


def skill_files(folder: Path) -> list[Path]:
    """The `SKILL.md` files that make `folder` a folder of skills (its own, or its children's)."""
    own = folder / "SKILL.md"
    return [own] if own.is_file() else sorted(folder.glob("*/SKILL.md"))


def detect(root: Path, files: Iterable[str]) -> Detection:
    """Look at the committed `files` of the repository at `root`."""
    paths = sorted(p for p in files if not p.startswith((".venv/", "venv/", ".tox/")))
    found = Detection(root=root)
    found.project_files = [p for p in PROJECT_FILES if p in paths]
    pyproject = read_toml(root, "pyproject.toml") if "pyproject.toml" in paths else {}
    if pyproject is None:
        pyproject = {}
        found.todos.append(
            "pyproject.toml is not valid TOML: its packages and tool configuration were not "
            "read; fix its syntax, then run `agentos init` again"
        )
    found.task_profiles = [p for p in paths if re.fullmatch(r"agentos[.\w-]+\.toml", p)]
    setup_cfg = read_ini(root, "setup.cfg") if "setup.cfg" in paths else None
    setup_py = read_text(root, "setup.py") if "setup.py" in paths else ""
    detect_package(found, paths, pyproject, setup_cfg, setup_py)
    detect_tests(found, paths)
    detect_tools(found, paths, pyproject, setup_cfg)
    found.env = detect_env(root)
    detect_evaluator(found, paths)
    detect_settings(found, paths)
    found.data_dirs = sorted(
        {
            p.split("/")[0] + "/"
            for p in paths
            if p.split("/")[0] in ("data", "datasets") and "/" in p
        }
    )
    return found
