"""`metric`: the metric command run on the snapshot in the sandbox, read by the trusted parser.

By default it runs `task.metric`; options `command`, `regex`, `json_file`, `json_key` and `timeout`
describe another measurement (a secondary metric as a signal). With `min` or `max` it becomes a
gate on the value. The number comes only through `agentos.metric.parse_metric`: exactly one regex
match on stdout or one key in a JSON file in the fresh output directory; anything else is a
failure with the parser's reason, never a silent zero.
"""

from __future__ import annotations

import shlex
from dataclasses import replace

from agentos.metric import parse_metric
from agentos.task import MetricSpec
from agentos.tool import Finding, ToolContext, ToolResult, tool

from ._sandboxed import ended_badly, run_in_sandbox, tail

NAME = "metric"


def spec_for(ctx: ToolContext) -> MetricSpec:
    """The task's metric spec with the tool's option overrides applied."""
    spec = ctx.task.metric
    o = ctx.options
    if "command" in o:
        command = o["command"]
        argv = tuple(shlex.split(command)) if isinstance(command, str) else tuple(command)
        spec = replace(spec, command=argv)
    if "regex" in o:
        spec = replace(spec, regex=str(o["regex"]), json_file=None, json_key=None)
    if "json_file" in o:
        spec = replace(spec, regex=None, json_file=str(o["json_file"]),
                       json_key=str(o.get("json_key", spec.json_key)))
    if "timeout" in o:
        spec = replace(spec, timeout=float(o["timeout"]))
    return spec


@tool(name=NAME, kind="signal", cost=60.0,
      options=["command", "regex", "json_file", "json_key", "timeout", "min", "max"],
      description="the metric command in the sandbox, read by the trusted parser (bounds optional)")
def metric_tool(ctx: ToolContext) -> ToolResult:
    spec = spec_for(ctx)
    with run_in_sandbox(ctx, spec.command, timeout=spec.timeout, audit=False) as ran:
        bad = ended_badly(ran, NAME)
        if bad:
            return ToolResult(NAME, "fail", (bad,), detail=bad.message)
        if ran.result.exit_code != 0:
            why = f"metric command exited {ran.result.exit_code}"
            return ToolResult(NAME, "fail", (Finding("", 0, "crash", why),),
                              detail=why + ": " + tail(ran.result.stderr, 400))
        value, reason = parse_metric(spec, ran.result.stdout, ran.output)
    if value is None:
        return ToolResult(NAME, "fail", (Finding("", 0, "no-metric", reason),), detail=reason)
    findings = []
    low, high = ctx.options.get("min"), ctx.options.get("max")
    if isinstance(low, int | float) and value < low:
        findings.append(Finding("", 0, "below-min", f"metric {value} is below {low}"))
    if isinstance(high, int | float) and value > high:
        findings.append(Finding("", 0, "above-max", f"metric {value} is above {high}"))
    return ToolResult(NAME, "fail" if findings else "pass", tuple(findings), {"metric": value},
                      detail=f"metric = {value}")
