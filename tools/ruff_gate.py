"""`ruff`: lint and format check of the changed Python files, inside the candidate's sandbox.

The candidate's own `pyproject.toml`/`ruff.toml` are ignored (`--isolated`); the rules come from
the task options (`select`, `ignore`, `line_length`) or a trusted `config` file from the task root,
passed as inline `--config` overrides. Findings come from ruff's JSON output.
"""

from __future__ import annotations

import json
from typing import Any

from agentos.tool import Finding, ToolContext, ToolResult, tool

from ._config import inline_pairs, tool_table, trusted_file
from ._sandboxed import (
    MAX_FINDINGS,
    ended_badly,
    option_float,
    option_strs,
    python_files,
    relative,
    run_in_sandbox,
    steps_argv,
    tail,
)

NAME = "ruff"


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


@tool(name=NAME, kind="gate", cost=0.3,
      description="ruff lint and format check on changed Python files (trusted config)")
def ruff_gate(ctx: ToolContext) -> ToolResult:
    scope = ctx.options.get("scope", "changed")
    files = python_files(ctx) if scope == "changed" else ["."]
    if not files:
        return ToolResult(NAME, "pass", detail="no Python files changed")
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
    lint = sum(f.code != "unformatted" for f in findings)
    signals = {"lint_findings": float(lint), "unformatted": float(len(findings) - lint)}
    return ToolResult(NAME, "fail" if findings else "pass", tuple(findings[:MAX_FINDINGS]),
                      signals, detail=f"{len(findings)} finding(s) in {len(files)} file(s)")
