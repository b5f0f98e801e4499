"""The tool-node contract: deterministic checks that gate a candidate or signal about it.

A tool is a small object with a name, a kind (`gate` blocks a run on failure, `signal` is recorded
only), a typical cost in seconds (gates run cheapest first) and a `run` on a read-only snapshot of
the candidate. It returns a `ToolResult`; a broken tool returns `error`, never raises into the loop.

Write one as a decorated function:

    @tool(name="no-todo", kind="gate", cost=0.01, description="no TODO in changed files")
    def no_todo(ctx: ToolContext) -> ToolResult: ...

or as a class with the same attributes, decorated with `@tool` without arguments. Register the
module through the `agentos` entry point group; the built-ins in `tools/` load the same way.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol, overload, runtime_checkable

from agentos.errors import UserError
from agentos.sandbox import Sandbox
from agentos.task import Task

Kind = Literal["gate", "signal"]
Outcome = Literal["pass", "fail", "error"]


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    code: str
    message: str


@dataclass(frozen=True)
class ToolResult:
    tool: str
    outcome: Outcome
    findings: tuple[Finding, ...] = ()
    signals: Mapping[str, float] = field(default_factory=dict)
    duration: float = 0.0
    detail: str = ""


@dataclass(frozen=True)
class ToolContext:
    """What a tool sees: the candidate snapshot (read-only), the parent's snapshot when the loop made
    one, the changed paths, the task, the sandbox to run commands in, the tool's options from
    `agentos.toml`, and the trusted state directory (pins, manifests) outside the snapshot."""

    tree: Path
    changed: Sequence[str]
    task: Task
    sandbox: Sandbox
    options: Mapping[str, Any] = field(default_factory=dict)
    parent_tree: Path | None = None
    trusted_dir: Path | None = None


@runtime_checkable
class Tool(Protocol):
    name: str
    kind: Kind
    cost: float
    description: str

    def run(self, ctx: ToolContext) -> ToolResult: ...


@dataclass(frozen=True)
class FunctionTool:
    """A tool made from a plain function by `@tool(...)`."""

    name: str
    kind: Kind
    cost: float
    description: str
    fn: Callable[[ToolContext], ToolResult]

    def run(self, ctx: ToolContext) -> ToolResult:
        return self.fn(ctx)


_TOOLS: dict[str, Tool] = {}


@overload
def tool(obj: type[Any], /) -> type[Any]: ...
@overload
def tool(
    *, name: str, kind: Kind = "gate", cost: float = 1.0, description: str = ""
) -> Callable[[Callable[[ToolContext], ToolResult]], FunctionTool]: ...
def tool(obj: Any = None, /, *, name: str = "", kind: Kind = "gate", cost: float = 1.0,
         description: str = "") -> Any:
    """Register a tool: `@tool` on a class, or `@tool(name=..., ...)` on a function."""
    if obj is not None:
        instance = obj()
        if not isinstance(instance, Tool):
            raise TypeError(f"{obj!r} lacks name, kind, cost, description or run()")
        _TOOLS[instance.name] = instance
        return obj

    def deco(fn: Callable[[ToolContext], ToolResult]) -> FunctionTool:
        made = FunctionTool(name, kind, cost, description or (fn.__doc__ or "").strip(), fn)
        _TOOLS[name] = made
        return made

    return deco


def get_tool(name: str) -> Tool:
    from agentos.plugins import load_plugins

    load_plugins()
    found = _TOOLS.get(name)
    if found is None:
        raise UserError(f"unknown tool {name!r}", fix=f"choose one of {sorted(_TOOLS)}, or install its plugin")
    return found


def all_tools() -> list[Tool]:
    from agentos.plugins import load_plugins

    load_plugins()
    return sorted(_TOOLS.values(), key=lambda t: (t.cost, t.name))


def run_tool(t: Tool, ctx: ToolContext) -> ToolResult:
    """Run a tool, turning an exception into an `error` result with its message."""
    start = time.monotonic()
    try:
        result = t.run(ctx)
    except Exception as exc:  # a broken tool is a finding, not a crash of the loop
        return ToolResult(t.name, "error", detail=f"{type(exc).__name__}: {exc}",
                          duration=time.monotonic() - start)
    if result.duration == 0.0:
        result = ToolResult(result.tool, result.outcome, result.findings, result.signals,
                            time.monotonic() - start, result.detail)
    return result
