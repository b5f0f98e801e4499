"""The package tree keeps its imports one way (docs/architecture.md): the library never imports
the command line, and the settings package (which the engine, init and
the heuristic provider read) imports only errors and git below it."""

from __future__ import annotations

import ast
from pathlib import Path

import agentos

ROOT = Path(agentos.__file__).parent
CLI = "agentos.cli"


def _imports(path: Path) -> set[str]:
    """Every `agentos...` module a file imports, at module level or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
    return {m for m in found if m == "agentos" or m.startswith("agentos.")}


def _modules(under: Path) -> list[Path]:
    return sorted(under.rglob("*.py"))


def test_the_library_never_imports_the_command_line() -> None:
    outside = [p for p in _modules(ROOT) if ROOT / "cli" not in p.parents]
    assert outside, "no library modules found"
    upward = {str(p.relative_to(ROOT)): sorted(m for m in _imports(p) if m.startswith(CLI))
              for p in outside}
    assert {k: v for k, v in upward.items() if v} == {}


def test_settings_imports_only_itself_errors_and_git() -> None:
    modules = _modules(ROOT / "settings")
    assert len(modules) >= 6
    allowed = ("agentos.settings", "agentos.errors", "agentos.git")
    stray = {str(p.relative_to(ROOT)): sorted(m for m in _imports(p) if not m.startswith(allowed))
             for p in modules}
    assert {k: v for k, v in stray.items() if v} == {}


def test_the_checker_sees_an_upward_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from agentos.cli.progress import RunDisplay\n")
    assert "agentos.cli.progress" in _imports(module)


# agentos.evaluate, bottom up: a module imports only modules of a lower rank (docs/architecture.md)
EVALUATE_RANKS = {
    "evaluator": 0, "metric": 0, "measure": 1, "command": 2, "gating": 2, "forgery": 2,
    "canary": 3, "selftest": 3,
}  # fmt: skip
LOOP = ("agentos.nodes", "agentos.graph", "agentos.runner", "agentos.check", "agentos.workspace",
        "agentos.runtime", "agentos.skill", "agentos.selftune", CLI)


def test_evaluate_imports_one_way_and_never_the_loop() -> None:
    modules = [p for p in _modules(ROOT / "evaluate") if p.stem != "__init__"]
    assert {p.stem for p in modules} == set(EVALUATE_RANKS)
    wrong = {}
    for p in modules:
        for m in _imports(p):
            inner = m.removeprefix("agentos.evaluate.").split(".")[0]
            if m.startswith(LOOP) or m == "agentos.evaluate" or (
                m.startswith("agentos.evaluate.")
                and EVALUATE_RANKS.get(inner, 99) >= EVALUATE_RANKS[p.stem]
            ):
                wrong.setdefault(p.stem, []).append(m)
    assert wrong == {}


def test_the_task_package_imports_only_what_sits_below_it() -> None:
    allowed = ("agentos.task", "agentos.errors", "agentos.profile", "agentos.settings")
    stray = {str(p.relative_to(ROOT)): sorted(m for m in _imports(p) if not m.startswith(allowed))
             for p in _modules(ROOT / "task")}
    assert {k: v for k, v in stray.items() if v} == {}
