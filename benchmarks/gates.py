"""Benchmark the gate layer on a generated repository of 200 Python files.

For each candidate (one changed file), it times the full gate set (integrity, static, ruff, mypy,
pytest) run sequentially and fanned out per stage, and ruff and mypy on the changed file against
the whole tree, each with the parent's findings not yet cached (ruff and mypy then run twice: on
the candidate and on its parent), and on the changed file once more with the parent cached.
Every run goes through the `local` sandbox backend, as in a real loop.

    .venv/bin/python benchmarks/gates.py [--files 200] [--candidates 3]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from agentos.evaluate import run_gates
from agentos.sandbox import get_backend
from agentos.task import ToolUse, parse_task
from agentos.tool import ToolContext, get_tool, run_tool
from agentos.tools import pin_protected, pin_test_manifest

GATES = tuple(ToolUse(n, "gate") for n in ("integrity", "static", "ruff", "mypy", "pytest"))


def module(i: int) -> str:
    dep = f"from pkg.mod{i - 1:03d} import f{i - 1:03d}\n\n\n" if i else "\n"
    body = f"f{i - 1:03d}(x) + " if i else ""
    return (f'"""Module {i}."""\n\n{dep}'
            f"def f{i:03d}(x: int) -> int:\n    if x > {i}:\n        return x - {i}\n"
            f"    return {body}x * 2\n\n\n"
            f"class C{i:03d}:\n    def value(self, y: float) -> float:\n"
            f"        return y / {i + 1}\n")


def make_repo(root: Path, files: int) -> None:
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "__init__.py").write_text("")
    for i in range(files - 1):
        (root / "pkg" / f"mod{i:03d}.py").write_text(module(i))
    (root / "tests").mkdir()
    (root / "tests" / "test_pkg.py").write_text(
        "from pkg.mod000 import f000\nfrom pkg.mod010 import f010\n\n\n"
        "def test_f000() -> None:\n    assert f000(1) == 2\n\n\n"
        "def test_f010() -> None:\n    assert f010(100) == 90\n")


def timed(fn: object, *args: object, **kw: object) -> tuple[float, object]:
    start = time.perf_counter()
    out = fn(*args, **kw)  # type: ignore[operator]
    return time.perf_counter() - start, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--files", type=int, default=200)
    ap.add_argument("--candidates", type=int, default=3)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="agentos-bench-"))
    try:
        repo = tmp / "repo"
        make_repo(repo, args.files)
        task = parse_task({"task": {"editable": ["pkg/**"], "protected": ["tests/**"]},
                           "metric": {"command": "true", "goal": "min", "regex": "x"}},
                          root=repo, path=repo / "agentos.toml")
        base = ToolContext(tree=repo, changed=[], task=task, sandbox=get_backend("local"),
                           parent_tree=repo, trusted_dir=tmp / "trusted", work_dir=tmp / "work")
        pin_protected(base)
        pin_test_manifest(base)
        rows: dict[str, list[float]] = {}
        for c in range(args.candidates):
            tree = tmp / f"cand{c}"
            shutil.copytree(repo, tree)
            rel = f"pkg/mod{50 + c:03d}.py"
            (tree / rel).write_text(module(50 + c).replace("x * 2", "x * 3"))
            ctx = replace(base, tree=tree, changed=[rel])
            modes = (("full gates, sequential", False), ("full gates, fanned out", True))
            for label, conc in modes:
                shutil.rmtree(tmp / "trusted" / "findings-cache", ignore_errors=True)  # cold parent
                secs, run = timed(run_gates, GATES, ctx, concurrent=conc)
                assert run.passed, run.summary()  # type: ignore[attr-defined]
                rows.setdefault(label, []).append(secs)
            for name in ("ruff", "mypy"):
                for scope, label in (("changed", "changed file"),
                                     ("changed", "changed file, parent cached"), ("tree", "tree")):
                    if label != "changed file, parent cached":
                        shutil.rmtree(tmp / "trusted" / "findings-cache", ignore_errors=True)
                    secs, result = timed(run_tool, get_tool(name),
                                         replace(ctx, options={"scope": scope}))
                    assert result.outcome == "pass", result  # type: ignore[attr-defined]
                    rows.setdefault(f"{name} on {label}", []).append(secs)
        print(f"files: {args.files}  candidates: {args.candidates}  backend: local  "
              f"python: {sys.version.split()[0]}")
        for label, values in rows.items():
            print(f"{label:<36} median {statistics.median(values):7.3f}s  "
                  f"min {min(values):7.3f}s  max {max(values):7.3f}s")
        seq = statistics.median(rows["full gates, sequential"])
        fan = statistics.median(rows["full gates, fanned out"])
        print(f"fan-out speed-up: {seq / fan:.2f}x")
        for name in ("ruff", "mypy"):
            ratio = statistics.median(rows[f"{name} on tree"]) / statistics.median(
                rows[f"{name} on changed file"])
            print(f"{name} whole tree / changed file: {ratio:.2f}x")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
