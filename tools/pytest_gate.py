"""`pytest` in trusted mode, and the test manifest it is held to.

At the start of a run, `pin_test_manifest` runs the tests on the baseline snapshot and writes
every collected test id with its outcome to `trusted_dir/pytest-manifest.json`, together with the
trusted ini and the `conftest.py` pins the gate will use. The ini carries the repository's own
pytest options read from the baseline (`_config.pytest_config`: `pythonpath`, markers,
`python_files`, safe `addopts`, ...), never the candidate's. The gate then runs only the
manifest's test files on the candidate, through a trusted driver: a `-c` ini written into the
output directory, plugin autoload off, the report written outside the tree, and `--noconftest`
unless every `conftest.py` of the baseline is protected by the task; then they are pinned and
loaded, and a candidate whose `conftest.py` files differ from the pins fails before anything runs.
It fails when a test that passed at baseline is not collected (missing, renamed, deleted), is
skipped or fails, or when collection breaks. A `conftest.py` the candidate adds or edits, an ini
section it edits, or a test it deletes therefore cannot turn the gate green.

On the baseline itself with nothing pinned (`agentos check`), the gate takes the manifest without
writing it: it passes when the tests collect and one or more pass (listing the tests that do not
pass there, which the gate will never require), and fails with the reason and the fix otherwise.

Limit: the tests import candidate code into the pytest process; code that rewrites pytest's own
internals at import time is beyond what an in-process harness can stop, and so is a pinned
conftest that imports hooks from editable modules (`pytest_plugins`, `import *`). The integrity
pins on the tests and the held-out evaluator are the second line.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agentos.environment import missing_module, python_with, uncommitted_module
from agentos.errors import UserError
from agentos.git import Repo
from agentos.integrity import walk
from agentos.tool import Finding, ToolContext, ToolResult, tool

from ._config import PYTEST_KEYS, PytestConfig, pytest_config
from ._delta import is_baseline
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
    messages: dict[str, str] = field(default_factory=dict)  # why a failed test failed


@dataclass(frozen=True)
class Plan:
    """How the trusted run goes: its ini, the `conftest.py` pins (empty: `--noconftest`)."""

    ini: str
    conftest: dict[str, str]


def trusted_ini(ctx: ToolContext, config: PytestConfig) -> str:
    """The only ini pytest reads: the repository's options from the baseline `config`, with
    `pythonpath` from the task options when set there."""
    values = dict(config.values)
    if "pythonpath" in ctx.options:
        values["pythonpath"] = list(option_strs(ctx, "pythonpath", ()))
    paths = [p for p in values.get("pythonpath", []) if p not in (".", "./")]
    # ini paths are relative to the ini's folder (the output directory): anchor them on the tree
    values["pythonpath"] = ["{cwd}/" + p.rstrip("/") for p in [*paths, "."]
                            if not p.startswith("/")]
    lines = ["[pytest]", "addopts = " + shlex.join(config.addopts)]
    for key, value in values.items():
        if key == "testpaths":
            continue  # the run always names its paths
        if isinstance(value, str):
            lines.append(f"{key} = {_one_line(value)}")
        elif PYTEST_KEYS[key] == "linelist":
            lines.append(f"{key} =" + "".join(f"\n    {_one_line(v)}" for v in value))
        else:
            lines.append(f"{key} = " + " ".join(shlex.quote(_one_line(v)) for v in value))
    return "\n".join(lines) + "\n"


def _one_line(text: str) -> str:
    """A value that cannot start a line of its own in the ini (and so add a key)."""
    return " ".join(text.split())


def conftests(tree: Path) -> dict[str, str]:
    """Every `conftest.py` in the snapshot, by the digest of its whole bytes (a symlink by its
    target text)."""
    found = {}
    for rel in walk(tree):
        if rel.rsplit("/", 1)[-1] == "conftest.py":
            path = tree / rel
            if path.is_symlink():
                digest = hashlib.sha256(b"symlink:" + os.readlink(path).encode())
            else:
                with path.open("rb") as fh:
                    digest = hashlib.file_digest(fh, "sha256")
            found[rel] = "sha256:" + digest.hexdigest()
    return found


def plan_baseline(ctx: ToolContext) -> tuple[Plan, PytestConfig, list[str]]:
    """The plan for the baseline snapshot `ctx.tree`, its options, and notes for the user."""
    config = pytest_config(ctx.tree)
    notes = list(config.notes)
    found = conftests(ctx.tree)
    loose = [rel for rel in found if not ctx.task.is_protected(rel)]
    if loose:
        notes.append(f"{loose[0]} is not loaded: it is not protected (add it to task.protected)")
    return Plan(trusted_ini(ctx, config), {} if loose else found), config, notes


def run_trusted(ctx: ToolContext, plan: Plan, paths: list[str],
                timeout: float) -> tuple[Report | None, str]:
    """Run the trusted driver on `paths` in the snapshot; the report, or None and why."""
    spec = {"ini": plan.ini, "paths": paths, "conftest": bool(plan.conftest)}
    # the repository's interpreter when it has pytest (its tests' dependencies live there)
    python = python_with(ctx.task, "pytest")
    argv = (python.executable, "-I", "-B", "-c", _DRIVER.read_text(encoding="utf-8"),
            json.dumps(spec))
    env = {"PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    with run_in_sandbox(ctx, argv, timeout=timeout, env=env, python=python) as ran:
        bad = ended_badly(ran, NAME)
        if bad:
            return None, bad.message
        try:
            data = json.loads((ran.output / "report.json").read_text(encoding="utf-8"))
            return Report(tuple(data["collected"]), dict(data["outcomes"]),
                          dict(data["errors"]), dict(data.get("messages", {}))), ""
        except (OSError, ValueError, KeyError, TypeError):
            why = f"no trusted report (pytest exited {ran.result.exit_code} before it finished)"
            return None, why + ": " + tail(ran.result.stdout + ran.result.stderr, 400)


def take_manifest(ctx: ToolContext) -> tuple[dict[str, Any] | None, str, str]:
    """Run the tests on the baseline snapshot `ctx.tree`: the manifest, or None with the reason
    and the fix."""
    plan, config, notes = plan_baseline(ctx)
    paths = list(option_strs(ctx, "paths", _test_paths(ctx.tree, config)))
    report, why = run_trusted(ctx, plan, paths, option_float(ctx, "timeout", 600.0))
    if config.source:
        fix = f"make the tests collect with the options in {config.source} at the baseline commit"
    else:
        fix = ("commit the tests' pytest options (such as pythonpath = [\"src\"]) in "
               "pyproject.toml [tool.pytest.ini_options], pytest.ini, tox.ini [pytest] or "
               "setup.cfg [tool:pytest]")
    fix += ", or set `paths` or `pythonpath` under [tools.pytest] in agentos.toml"
    fix += "".join(f"; {n}" for n in notes)
    if report is None:
        return None, f"the baseline run failed ({why})", _missing_module(ctx, why, paths) or fix
    errors = [f"{where}: {_last_line(text)}" if text.strip() else where
              for where, text in report.errors.items()]
    if not report.collected:
        why = f"collection failed at {errors[0]}" if errors else "no tests collected"
        text = " ".join(report.errors.values())
        return None, why, _missing_module(ctx, text, [*report.errors, *paths]) or fix
    if errors:
        # Files that do not collect at the baseline (a test extra that is not installed, say)
        # are left out of the pin, and said so; pytest runs nothing after a collection error, so
        # the files that do collect are run again alone.
        notes += [f"not collected at baseline, left out: {e}" for e in errors]
        paths = sorted({nodeid.split("::")[0] for nodeid in report.collected})
        report, why = run_trusted(ctx, plan, paths, option_float(ctx, "timeout", 600.0))
        if report is None or report.errors or not report.collected:
            why = why or "collection failed again"
            return None, f"the baseline run failed without the files that do not collect ({why})", \
                fix
    tests = {nodeid: report.outcomes.get(nodeid, "failed") for nodeid in report.collected}
    if "passed" not in tests.values():
        # a gate that holds no test to passing guards nothing: say why none passes
        first = next(iter(tests))
        said = report.messages.get(first) or tests[first]
        why = f"none of the {len(tests)} collected test(s) passes at the baseline ({first}: {said})"
        return None, why, _uncommitted_tests(ctx, paths) or (
            "make the tests pass at the baseline commit (install what they need in the "
            "repository's environment; a missing fixture: commit the conftest.py that defines "
            'it), or remove "pytest" from [tools] gates: it would hold no test to passing')
    return {"version": 2, "paths": paths, "tests": tests, "ini": plan.ini,
            "conftest": plan.conftest, "source": config.source, "notes": notes}, "", fix




def _missing_module(ctx: ToolContext, text: str, near: list[str]) -> str | None:
    """The fix when the tests (or their pytest options) import a module that the working tree
    holds but the commit does not (a test helper left untracked), or one their Python lacks and
    the repository does not hold (its own modules are a matter of `pythonpath`). `near` are the
    test paths that failed to import it."""
    absent = uncommitted_module(ctx.task.root, text, near)
    if absent:
        return absent
    named = missing_module(text)
    if named is None:
        return None
    module = named.split(".")[0]
    tree = ctx.tree
    if next(tree.glob(f"**/{module}.py"), None) or next(tree.glob(f"**/{module}/"), None):
        return None
    return (f"install {module} in the repository's environment (`.venv/`, with the tests' "
            "dependencies), or point [env] python in agentos.toml at one that has it: the tests "
            "run with that Python")


def _uncommitted_tests(ctx: ToolContext, paths: list[str]) -> str | None:
    """The fix naming the Python files under the test `paths` that the working tree holds and
    git does not (a `conftest.py` with the tests' fixtures, left untracked), or None."""
    try:
        out = Repo(ctx.task.root).git("ls-files", "--others", "--exclude-standard", "-z", "--",
                                      *paths).decode("utf-8", "replace")
    except (RuntimeError, UserError):
        return None
    loose = sorted(p for p in out.split("\0") if p.endswith(".py"))
    if not loose:
        return None
    named = ", ".join(loose[:3]) + (f" and {len(loose) - 3} more" if len(loose) > 3 else "")
    verbs = ("exists", "is", "it") if len(loose) == 1 else ("exist", "are", "them")
    return (f"{named} {verbs[0]} here but {verbs[1]} not committed (untracked), so the tests ran "
            f"without {verbs[2]}: commit {verbs[2]} with `git add {' '.join(loose)}`")


def _last_line(text: str) -> str:
    return re.sub(r"^E\s+", "", text.strip().splitlines()[-1])[:200]


def _test_paths(tree: Path, config: PytestConfig) -> list[str]:
    """The repository's `testpaths` that exist, else `tests` when it is a folder, else `.`."""
    patterns = [p for p in config.values.get("testpaths", [])
                if p and not p.startswith("/") and ".." not in p.split("/")]
    found = [str(p.relative_to(tree)) for pattern in patterns
             for p in sorted(tree.glob(pattern)) if p.exists()]
    return found or (["tests"] if (tree / "tests").is_dir() else ["."])


def pin_test_manifest(ctx: ToolContext) -> Path:
    """Run the tests on the baseline snapshot `ctx.tree` and pin their ids and outcomes in
    `ctx.trusted_dir`. Raises `UserError` when nothing is collected or collection fails."""
    if ctx.trusted_dir is None:
        raise ValueError("pin_test_manifest needs ctx.trusted_dir")
    manifest, why, fix = take_manifest(ctx)
    if manifest is None:
        raise UserError(f"pytest gate: {why}", path=ctx.task.path, fix=fix)
    ctx.trusted_dir.mkdir(parents=True, exist_ok=True)
    target = ctx.trusted_dir / MANIFEST
    target.write_text(json.dumps(manifest, indent=1) + "\n")
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
      options=["paths", "pythonpath", "timeout"], pin=pin_test_manifest,
      description="pytest in trusted mode against the test-id manifest pinned at the start")
def pytest_gate(ctx: ToolContext) -> ToolResult:
    if ctx.trusted_dir is None or not (ctx.trusted_dir / MANIFEST).is_file():
        if is_baseline(ctx):
            return _on_baseline(ctx)
        return ToolResult(NAME, "error", detail="no pinned test manifest: call pin_test_manifest "
                          "on the baseline first")
    data = json.loads((ctx.trusted_dir / MANIFEST).read_text())
    manifest: dict[str, str] = data["tests"]
    plan = Plan(data.get("ini") or trusted_ini(ctx, PytestConfig("", {}, (), ())),
                dict(data.get("conftest", {})))
    now = conftests(ctx.tree) if plan.conftest else {}
    if plan.conftest and now != plan.conftest:
        bad = sorted(p for p in set(now) | set(plan.conftest) if now.get(p) != plan.conftest.get(p))
        found = tuple(Finding(p, 0, "conftest-changed", f"{p} differs from its pin at baseline")
                      for p in bad)
        return ToolResult(NAME, "fail", found, detail="conftest.py changed: the tests did not run")
    files = sorted({n.split("::")[0] for n in manifest})
    present = [f for f in files if (ctx.tree / f).is_file()]
    findings = [Finding(f, 0, "missing-file", f"pinned test file {f} is gone")
                for f in files if f not in present]
    report, why = run_trusted(ctx, plan, present, option_float(ctx, "timeout", 600.0)) \
        if present else (Report((), {}, {}), "")
    if report is None:
        return ToolResult(NAME, "fail", (Finding("", 0, "no-report", why),), detail=why)
    findings += compare(manifest, report)
    counts = {o: float(sum(v == o for v in report.outcomes.values()))
              for o in ("passed", "failed", "skipped")}
    signals = {**counts, "missing": float(sum(f.code == "missing-test" for f in findings)),
               "new_tests": float(len(set(report.collected) - set(manifest)))}
    detail = (f"{len(manifest)} pinned, {len(report.collected)} collected, "
              f"{len(findings)} problem(s)")
    if is_baseline(ctx):  # `agentos check`: what was pinned, and what was left out and why
        held = sum(o == "passed" for o in manifest.values())
        detail += f"; {held} passed at baseline (only these must keep passing)"
        detail += "".join(f"; {n}" for n in data.get("notes", []))
    return ToolResult(NAME, "fail" if findings else "pass", tuple(findings[:MAX_FINDINGS]), signals,
                      detail=detail)


def _on_baseline(ctx: ToolContext) -> ToolResult:
    """The gate on the baseline itself with nothing pinned: would the manifest pin?"""
    manifest, why, fix = take_manifest(ctx)
    if manifest is None:
        return ToolResult(NAME, "fail", (Finding("", 0, "baseline-tests", why),),
                          detail=f"the tests cannot be pinned: {why}; fix: {fix}")
    tests: dict[str, str] = manifest["tests"]
    counts = {o: float(sum(v == o for v in tests.values()))
              for o in ("passed", "failed", "skipped")}
    source = manifest["source"] or "no pytest options of the repository"
    detail = (f"{len(tests)} collected, {counts['passed']:.0f} passed (only these must keep "
              f"passing); options from {source}" + "".join(f"; {n}" for n in manifest["notes"]))
    failing = tuple(Finding(n.split("::")[0], 0, "failing-at-baseline", f"{n} {o} at baseline")
                    for n, o in tests.items() if o != "passed")
    return ToolResult(NAME, "pass", failing[:MAX_FINDINGS], counts, detail=detail)
