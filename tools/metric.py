"""`metric`: the metric command run on the snapshot in the sandbox, read by the trusted parser.

By default it runs `task.metric`; options `command`, `regex`, `json_file`, `json_key` and `timeout`
describe another measurement (a secondary metric as a signal). With `min` or `max` it becomes a
gate on the value. It measures exactly as the loop does (`agentos.evaluate.MetricEvaluator`: the
task's Python, a writable working copy, the trusted parser): anything but one number is a failure
with the reason, never a silent zero.
"""

from __future__ import annotations

import shlex
from dataclasses import replace

from agentos.evaluate import MetricEvaluator
from agentos.task import MetricSpec
from agentos.tool import Finding, ToolContext, ToolResult, tool

from ._sandboxed import tail

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
    # the same path as the loop's own measurement: the task's Python, a writable working copy
    evaluation = MetricEvaluator(replace(ctx.task, metric=spec), ctx.sandbox).evaluate(ctx.tree, "")
    value = evaluation.metric
    if value is None:
        code = {"timeout": "timeout", "oom": "oom", "crash": "crash"}.get(
            evaluation.status or "", "no-metric")
        why = evaluation.reason
        return ToolResult(NAME, "fail", (Finding("", 0, code, why),),
                          detail=why + (": " + tail(evaluation.log_tail, 400)
                                        if code == "crash" else ""))
    findings = []
    low, high = ctx.options.get("min"), ctx.options.get("max")
    if isinstance(low, int | float) and value < low:
        findings.append(Finding("", 0, "below-min", f"metric {value} is below {low}"))
    if isinstance(high, int | float) and value > high:
        findings.append(Finding("", 0, "above-max", f"metric {value} is above {high}"))
    return ToolResult(NAME, "fail" if findings else "pass", tuple(findings), {"metric": value},
                      detail=f"metric = {value}")
