"""The `trainer` tool node (kind `signal`): train the candidate's model file and record its numbers.

A task names it under `[tools] signals = ["trainer"]` with options in `[tools.trainer]`:
`model` (default `model.py`), `profile` (`cpu` or `gpu`), `budget`, `eval_bytes`. It runs the
trusted harness in the task's sandbox on the read-only candidate snapshot and returns `val_bpb`,
`tokens_per_s`, `mfu_percent`, `peak_memory_mb`, `steps` and `params` as signals, read from the
report the harness wrote (never from the model's stdout). A run that diverged or leaked is `fail`,
and so is one in which the forgery guard saw the model file reach for the report (docs/forgery.md,
"The trainer"). Importing this module does not import torch.
"""

from __future__ import annotations

import json
import sys

from agentos.evaluate import guard_env
from agentos.sandbox import Limits, RunRequest
from agentos.sandbox.audit import GUARD_ENV
from agentos.scratch import scratch
from agentos.tool import ToolContext, ToolResult, tool

from .profiles import PROFILES
from .report import REPORT_FILE

NAME = "trainer"
SIGNALS = ("val_bpb", "tokens_per_s", "mfu_percent", "peak_memory_mb", "steps", "params")


def _argv(options: dict[str, object]) -> tuple[tuple[str, ...], float]:
    """The harness command line for the tool's options, and the wall-clock limit it needs."""
    profile = str(options.get("profile", "cpu"))
    if profile not in PROFILES:
        raise ValueError(f"[tools.trainer] profile must be one of {sorted(PROFILES)}")
    budget = float(options.get("budget", PROFILES[profile].budget))  # type: ignore[arg-type]
    argv = [sys.executable, "-m", "agentos.tools.trainer", "--profile", profile,
            "--model", str(options.get("model", "model.py")), "--budget", str(budget)]
    if "eval_bytes" in options:
        argv += ["--eval-bytes", str(int(options["eval_bytes"]))]  # type: ignore[call-overload]
    limit = budget + PROFILES[profile].warmup_limit + 120.0
    return tuple(argv), limit


@tool(name=NAME, kind="signal", cost=60.0,
      options=["profile", "budget", "model", "eval_bytes"],
      description="train the model file for a fixed budget; report val_bpb, tokens/s, MFU, memory")
def trainer(ctx: ToolContext) -> ToolResult:
    argv, limit = _argv(dict(ctx.options))
    with scratch("trainer") as output:
        result = ctx.sandbox.run(RunRequest(
            argv=argv, tree=ctx.tree, output=output, limits=Limits(wall_seconds=limit),
            gpu=ctx.task.gpu, audit=True, env={GUARD_ENV: guard_env(ctx.task)[GUARD_ENV]},
        ))
        if result.forgeries or result.audit_problems:  # the model file reached for the report
            why = (result.forgeries or result.audit_problems)[0][:240]
            return ToolResult(NAME, "fail", detail=f"forgery guard: {why}")
        report_path = output / REPORT_FILE
        if result.timed_out or result.oom or result.exit_code != 0 or not report_path.is_file():
            why = ("timed out" if result.timed_out else "killed for memory" if result.oom
                   else f"exit code {result.exit_code}")
            tail = (result.stderr.strip().splitlines() or [""])[-1][:200]
            return ToolResult(NAME, "error", detail=f"harness {why}: {tail}".strip())
        report = json.loads(report_path.read_text(encoding="utf-8"))
    signals = {k: float(report[k]) for k in SIGNALS if isinstance(report.get(k), int | float)}
    ok = report.get("status") == "ok"
    detail = f"status {report.get('status')}" + (f": {report['reason']}" if report.get("reason")
                                                 else "")
    return ToolResult(NAME, "pass" if ok else "fail", signals=signals, detail=detail)
