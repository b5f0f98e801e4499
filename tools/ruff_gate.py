"""`ruff`: lint and format check of the changed Python files, inside the candidate's sandbox.

The candidate's own `pyproject.toml`/`ruff.toml` are ignored (`--isolated`); the rules come from
the task options (`select`, `ignore`, `line_length`) or a trusted `config` file from the task root,
passed as inline `--config` overrides. Findings come from ruff's JSON output; only those the
candidate adds relative to its parent fail the gate (`_delta`).
"""

from __future__ import annotations

import json
from typing import Any

from agentos.tool import Finding, ToolContext, ToolResult, tool

from ._config import inline_pairs, tool_table, trusted_file
from ._delta import check_both, judge, targets
from ._sandboxed import (
    ended_badly,
    option_float,
    option_strs,
    relative,
    run_in_sandbox,
    steps_argv,
    tail,
)

NAME = "ruff"
LOOSE = ("unformatted",)  # one finding per file, wherever ruff first sees a difference


def ruff_args(ctx: ToolContext) -> list[str]:
    """The shared flags: no cache (the tree is read-only), no config but the trusted one."""
    args = ["--isolated", "--no-cache", "--output-format", "json"]
    config = trusted_file(ctx)
    pairs = inline_pairs(tool_table(config, "ruff")) if config else []
    if "line_length" in ctx.options:
        pairs.append(f"line-length = {int(ctx.options['line_length'])}")
    for key in ("select", "ignore"):
        if key in ctx.options:
            pairs.append(f"lint.{key} = {json.dumps(list(option_strs(ctx, key, ())))}")
    for pair in pairs:
        args += ["--config", pair]
    return args


def parse_ruff_json(text: str, cwd: str) -> list[Finding]:
    """Findings from `ruff check`/`ruff format --check` JSON output."""
    if not text.strip():
        return []
    items: Any = json.loads(text)
    if not isinstance(items, list):
        raise ValueError("ruff JSON output is not a list")
    found = []
    for item in items:
        location = item.get("location") or {}
        found.append(Finding(
            path=relative(str(item.get("filename", "")), cwd),
            line=int(location.get("row") or 0),
            code=str(item.get("code") or "syntax"),
            message=str(item.get("message", "")),
        ))
    return found


def check(ctx: ToolContext, files: list[str]) -> list[Finding] | ToolResult:
    """ruff's findings on `files` of `ctx.tree`, or a fail/error result when ruff did not end."""
    args = ruff_args(ctx)
    steps: list[tuple[str, list[str], str]] = [
        ("ruff", ["check", *args, "--", *files], "check.json")
    ]
    if ctx.options.get("format", True):
        steps.append(("ruff", ["format", "--check", *args, "--", *files], "format.json"))
    timeout = option_float(ctx, "timeout", 60.0)
    with run_in_sandbox(ctx, steps_argv(steps), timeout=timeout) as ran:
        bad = ended_badly(ran, NAME)
        if bad:
            return ToolResult(NAME, "fail", (bad,), detail=tail(ran.result.stderr))
        try:
            codes = json.loads((ran.output / "steps.json").read_text())
            findings: list[Finding] = []
            for (_, _, out), code in zip(steps, codes, strict=True):
                if code not in (0, 1):
                    return ToolResult(NAME, "error", detail=f"ruff exited {code}: "
                                      + tail(ran.result.stderr))
                findings += parse_ruff_json((ran.output / out).read_text("utf-8"), ran.cwd)
        except (OSError, ValueError) as exc:
            return ToolResult(NAME, "error", detail=f"no ruff report ({exc}): "
                              + tail(ran.result.stderr))
    return findings


@tool(name=NAME, kind="gate", cost=0.3,
      options=["select", "ignore", "line_length", "config", "scope", "format", "timeout"],
      description="ruff lint and format check: findings the change adds (trusted config)")
def ruff_gate(ctx: ToolContext) -> ToolResult:
    scope = ctx.options.get("scope", "changed")
    files = targets(ctx) if scope == "changed" else ["."]
    if not files:
        return ToolResult(NAME, "pass", detail="no Python files changed")
    options = [ruff_args(ctx), bool(ctx.options.get("format", True))]
    found, before = check_both(ctx, NAME, files, options, check, depends="file", loose=LOOSE)
    if isinstance(found, ToolResult):
        return found
    lint = sum(f.code != "unformatted" for f in found)
    signals = {"lint_findings": float(lint), "unformatted": float(len(found) - lint)}
    return judge(ctx, NAME, found, before, loose=LOOSE, signals=signals,
                 scope=f"in {len(files)} file(s)")
