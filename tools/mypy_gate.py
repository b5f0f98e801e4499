"""`mypy`: type check of the changed Python files, inside the candidate's sandbox.

The configuration comes from the trusted side: the task's `config` option names a file in the task
root (`pyproject.toml` with `[tool.mypy]`, or a `mypy.ini`), whose text is written into the run's
output directory and passed with `--config-file`; with none, an empty config is passed, so a
`mypy.ini` or `[tool.mypy]` the candidate adds or edits is never read. The cache goes to the output
directory too (the tree is read-only). With `scope = "changed"` (the default) imported modules are
analysed but only the changed files' errors count, and of those only the ones the candidate adds
relative to its parent fail the gate (`_delta`).
"""

from __future__ import annotations

import json

from agentos.tool import Finding, ToolContext, ToolResult, tool

from ._config import trusted_file
from ._delta import check_both, judge, targets
from ._sandboxed import (
    driver_argv,
    ended_badly,
    option_float,
    relative,
    run_in_sandbox,
    tail,
)

NAME = "mypy"


def parse_mypy_json(text: str, cwd: str) -> list[Finding]:
    """Error findings from `mypy -O json` (one JSON object a line; notes are dropped)."""
    found = []
    for line in text.splitlines():
        line = line.strip()
        if not line.startswith("{"):
            continue
        item = json.loads(line)
        if item.get("severity") != "error":
            continue
        found.append(Finding(
            path=relative(str(item.get("file", "")), cwd),
            line=int(item.get("line") or 0),
            code=str(item.get("code") or "error"),
            message=str(item.get("message", "")),
        ))
    return found


def mypy_args(ctx: ToolContext) -> tuple[list[str], dict[str, str]]:
    """The mypy flags and the trusted files the driver writes into the output directory."""
    config = trusted_file(ctx)
    if config is None:
        name, text = "mypy.ini", "[mypy]\n"
    else:
        name, text = config.name, config.read_text(encoding="utf-8")
    args = ["--config-file", "{out}/" + name, "--cache-dir", "{out}/.mypy_cache", "-O", "json",
            "--no-error-summary", "--hide-error-context", "--no-color-output"]
    if ctx.options.get("strict", False):
        args.append("--strict")
    return args, {name: text}


def check(ctx: ToolContext, files: list[str]) -> list[Finding] | ToolResult:
    """mypy's errors in `files` of `ctx.tree`, or an error/fail result when mypy did not finish."""
    args, trusted = mypy_args(ctx)
    if files != ["."]:
        args.append("--follow-imports=silent")
    argv = driver_argv("mypy", [*args, "--", *files], trusted)
    with run_in_sandbox(ctx, argv, timeout=option_float(ctx, "timeout", 300.0)) as ran:
        bad = ended_badly(ran, NAME)
        if bad:
            return ToolResult(NAME, "fail", (bad,), detail=tail(ran.result.stderr))
        code = ran.result.exit_code
        try:
            findings = parse_mypy_json(ran.result.stdout, ran.cwd)
        except ValueError as exc:
            return ToolResult(NAME, "error", detail=f"unreadable mypy output ({exc})")
    if code not in (0, 1) or (code == 1 and not findings):
        return ToolResult(NAME, "error", detail=f"mypy exited {code}: "
                          + tail(ran.result.stderr + ran.result.stdout))
    return findings


@tool(name=NAME, kind="gate", cost=3.0,
      options=["strict", "scope", "config", "timeout"],
      description="mypy type check: errors the change adds (config from the trusted side)")
def mypy_gate(ctx: ToolContext) -> ToolResult:
    scope = ctx.options.get("scope", "changed")
    files = targets(ctx) if scope == "changed" else ["."]
    if not files:
        return ToolResult(NAME, "pass", detail="no Python files changed")
    # an error in one file depends on the modules it imports: key the parent's on the whole tree
    found, before = check_both(ctx, NAME, files, mypy_args(ctx), check, depends="tree")
    if isinstance(found, ToolResult):
        return found
    return judge(ctx, NAME, found, before, signals={"type_errors": float(len(found))},
                 scope=f"in {len(files)} target(s)")
