"""`pytest` in trusted mode, and the test manifest it is held to.

At the start of a run, `pin_test_manifest` runs the tests on the baseline snapshot and writes
every collected test id with its outcome to `trusted_dir/pytest-manifest.json`. The gate then runs
only the manifest's test files on the candidate, through a trusted driver: `--noconftest`, a `-c`
ini written into the output directory, plugin autoload off, the report written outside the tree.
It fails when a test that passed at baseline is not collected (missing, renamed, deleted), is
skipped or fails, or when collection breaks. A `conftest.py` the candidate adds, an ini section
it edits, or a test it deletes therefore cannot turn the gate green.

Limit: the tests import candidate code into the pytest process; code that rewrites pytest's own
internals at import time is beyond what an in-process harness can stop. The integrity pins on the
tests and the held-out evaluator are the second line.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

from agentos.errors import UserError
from agentos.tool import Finding, ToolContext, ToolResult, tool

from ._sandboxed import MAX_FINDINGS, ended_badly, option_float, option_strs, run_in_sandbox, tail

NAME = "pytest"
MANIFEST = "pytest-manifest.json"
_DRIVER = Path(__file__).with_name("_pytest_driver.py")


@dataclass(frozen=True)
class Report:
    """What the trusted recorder wrote: collected ids, outcome per id, collection errors."""

    collected: tuple[str, ...]
    outcomes: dict[str, str]
    errors: dict[str, str]


def trusted_ini(ctx: ToolContext) -> str:
    """The only ini pytest reads: from the task options, never from the candidate's files."""
    # ini paths are relative to the ini's folder (the output directory): anchor them on the tree.
    pythonpath = " ".join("{cwd}/" + p for p in option_strs(ctx, "pythonpath", ["."]))
    return ("[pytest]\naddopts =\npython_files = test_*.py *_test.py\n"
            f"pythonpath = {pythonpath}\n")


def run_trusted(ctx: ToolContext, paths: list[str], timeout: float) -> tuple[Report | None, str]:
    """Run the trusted driver on `paths` in the snapshot; the report, or None and why."""
    spec = {"ini": trusted_ini(ctx), "paths": paths}
    argv = (sys.executable, "-I", "-B", "-c", _DRIVER.read_text(encoding="utf-8"), json.dumps(spec))
    env = {"PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    with run_in_sandbox(ctx, argv, timeout=timeout, env=env) as ran:
        bad = ended_badly(ran, NAME)
        if bad:
            return None, bad.message
        try:
            data = json.loads((ran.output / "report.json").read_text(encoding="utf-8"))
            return Report(tuple(data["collected"]), dict(data["outcomes"]),
                          dict(data["errors"])), ""
        except (OSError, ValueError, KeyError, TypeError):
            why = f"no trusted report (pytest exited {ran.result.exit_code} before it finished)"
            return None, why + ": " + tail(ran.result.stdout + ran.result.stderr, 400)


def pin_test_manifest(ctx: ToolContext) -> Path:
    """Run the tests on the baseline snapshot `ctx.tree` and pin their ids and outcomes in
    `ctx.trusted_dir`. Raises `UserError` when nothing is collected or collection fails."""
    if ctx.trusted_dir is None:
        raise ValueError("pin_test_manifest needs ctx.trusted_dir")
    paths = list(option_strs(ctx, "paths", ["tests"] if (ctx.tree / "tests").is_dir() else ["."]))
    report, why = run_trusted(ctx, paths, option_float(ctx, "timeout", 600.0))
    fix = "make the baseline's tests collect, or set `paths` under [pytest] in agentos.toml"
    if report is None:
        raise UserError(f"pytest gate: the baseline run failed ({why})", path=ctx.task.path,
                        fix=fix)
    if report.errors or not report.collected:
        first = next(iter(report.errors), "no tests collected")
        raise UserError(f"pytest gate: baseline collection failed at {first}", path=ctx.task.path,
                        fix=fix)
    tests = {nodeid: report.outcomes.get(nodeid, "failed") for nodeid in report.collected}
    ctx.trusted_dir.mkdir(parents=True, exist_ok=True)
    target = ctx.trusted_dir / MANIFEST
    target.write_text(json.dumps({"version": 1, "paths": paths, "tests": tests}, indent=1) + "\n")
    return target


def compare(manifest: dict[str, str], report: Report) -> list[Finding]:
    """Every pinned test must be collected; every one that passed at baseline must pass."""
    found = [Finding(nodeid.split("::")[0], 0, "collection-error", text.splitlines()[-1][:300]
                     if text.strip() else "collection failed")
             for nodeid, text in report.errors.items()]
    collected = set(report.collected)
    for nodeid, before in manifest.items():
        path = nodeid.split("::")[0]
        now = report.outcomes.get(nodeid)
        if nodeid not in collected:
            found.append(Finding(path, 0, "missing-test", f"{nodeid} is pinned but not collected"))
        elif before == "passed" and now != "passed":
            found.append(Finding(path, 0, f"test-{now or 'not-run'}",
                                 f"{nodeid} passed at baseline, now {now or 'not run'}"))
    return found


@tool(name=NAME, kind="gate", cost=5.0,
      description="pytest in trusted mode against the test-id manifest pinned at the start")
def pytest_gate(ctx: ToolContext) -> ToolResult:
    if ctx.trusted_dir is None or not (ctx.trusted_dir / MANIFEST).is_file():
        return ToolResult(NAME, "error", detail="no pinned test manifest: call pin_test_manifest "
                          "on the baseline first")
    manifest: dict[str, str] = json.loads((ctx.trusted_dir / MANIFEST).read_text())["tests"]
    files = sorted({n.split("::")[0] for n in manifest})
    present = [f for f in files if (ctx.tree / f).is_file()]
    findings = [Finding(f, 0, "missing-file", f"pinned test file {f} is gone")
                for f in files if f not in present]
    report, why = run_trusted(ctx, present, option_float(ctx, "timeout", 600.0)) if present \
        else (Report((), {}, {}), "")
    if report is None:
        return ToolResult(NAME, "fail", (Finding("", 0, "no-report", why),), detail=why)
    findings += compare(manifest, report)
    counts = {o: float(sum(v == o for v in report.outcomes.values()))
              for o in ("passed", "failed", "skipped")}
    signals = {**counts, "missing": float(sum(f.code == "missing-test" for f in findings)),
               "new_tests": float(len(set(report.collected) - set(manifest)))}
    return ToolResult(NAME, "fail" if findings else "pass", tuple(findings[:MAX_FINDINGS]), signals,
                      detail=f"{len(manifest)} pinned, {len(report.collected)} collected, "
                      f"{len(findings)} problem(s)")
