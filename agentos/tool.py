"""The tool-node contract: deterministic checks that gate a candidate or signal about it.

A tool is a small object with a name, a kind (`gate` blocks a run on failure, `signal` is recorded
only), a typical cost in seconds (gates run cheapest first) and a `run` on a read-only snapshot of
the candidate. It returns a `ToolResult`; a broken tool returns `error`, never raises into the loop.

Write one as a decorated function:

    @tool(name="no-todo", kind="gate", cost=0.01, description="no TODO in changed files")
    def no_todo(ctx: ToolContext) -> ToolResult: ...

or as a class with the same attributes, decorated with `@tool` without arguments. Register the
module through the `agentos` entry point group; the built-ins in `tools/` load the same way.
Whatever a tool executes from the candidate runs through `ctx.sandbox`, with `ctx.tree` as the
request's tree: never on the user's working tree.
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, Protocol, overload, runtime_checkable

from agentos.errors import UserError
from agentos.sandbox import Sandbox
from agentos.task import Task, ToolUse

Kind = Literal["gate", "signal"]
Outcome = Literal["pass", "fail", "error"]
KINDS: tuple[Kind, ...] = ("gate", "signal")
OUTCOMES: tuple[Outcome, ...] = ("pass", "fail", "error")


@dataclass(frozen=True)
class Finding:
    """One problem a tool found: `path` relative to the snapshot, `line` 0 for a whole file."""

    path: str
    line: int
    code: str
    message: str


@dataclass(frozen=True)
class ToolResult:
    """What one tool run found. `signals` are finite numbers (counts, deltas, a metric)."""

    tool: str
    outcome: Outcome
    findings: tuple[Finding, ...] = ()
    signals: Mapping[str, float] = field(default_factory=dict)
    duration: float = 0.0
    detail: str = ""

    def to_json(self) -> dict[str, object]:
        """A JSON-shaped copy for the graph state and the ledger."""
        return {
            "tool": self.tool,
            "outcome": self.outcome,
            "findings": [
                {"path": f.path, "line": f.line, "code": f.code, "message": f.message}
                for f in self.findings
            ],
            "signals": dict(self.signals),
            "duration": round(self.duration, 6),
            "detail": self.detail,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ToolResult:
        """The inverse of `to_json` (results travel through the checkpointed graph state)."""
        return cls(
            tool=str(data["tool"]),
            outcome=data["outcome"],
            findings=tuple(
                Finding(str(f["path"]), int(f["line"]), str(f["code"]), str(f["message"]))
                for f in data.get("findings", [])
            ),
            signals={str(k): float(v) for k, v in dict(data.get("signals", {})).items()},
            duration=float(data.get("duration", 0.0)),
            detail=str(data.get("detail", "")),
        )


@dataclass(frozen=True)
class ToolContext:
    """What a tool sees: the candidate snapshot (read-only), the parent's snapshot when the loop
    made one, the changed paths, the task, the sandbox to run commands in, the tool's options from
    `agentos.toml`, and the trusted state directory (pins, manifests) outside the snapshot.

    `work_dir` is where a tool may create the fresh output directories of its sandbox runs (a
    system temporary directory when None); it is never inside `tree`.
    """

    tree: Path
    changed: Sequence[str]
    task: Task
    sandbox: Sandbox
    options: Mapping[str, Any] = field(default_factory=dict)
    parent_tree: Path | None = None
    trusted_dir: Path | None = None
    work_dir: Path | None = None


@runtime_checkable
class Tool(Protocol):
    """A tool node. Plain class attributes satisfy the read-only members.

    One optional member is the pin hook: a tool that holds candidates to something taken from
    the baseline (the pytest gate's test manifest) has `pin(ctx)`, called once per run before its
    first candidate, with `ctx.tree` the baseline snapshot and `ctx.trusted_dir` the run's
    trusted folder, where it writes what it pinned (`pin_tools`). The protected files' pins are
    there already for every tool (`agentos.integrity.Pins.load(ctx.trusted_dir)`).
    """

    @property
    def name(self) -> str: ...
    @property
    def kind(self) -> Kind: ...
    @property
    def cost(self) -> float: ...
    @property
    def description(self) -> str: ...

    def run(self, ctx: ToolContext) -> ToolResult: ...


@dataclass(frozen=True)
class FunctionTool:
    """A tool made from a plain function by `@tool(...)`."""

    name: str
    kind: Kind
    cost: float
    description: str
    fn: Callable[[ToolContext], ToolResult]
    options: frozenset[str] | None = None
    pin: Callable[[ToolContext], object] | None = None

    def run(self, ctx: ToolContext) -> ToolResult:
        return self.fn(ctx)


class PinFailed(UserError):
    """A tool's pin hook refused the baseline (`tool` names it); the message is the hook's."""

    def __init__(self, tool: str, cause: UserError):
        Exception.__init__(self, str(cause))
        self.tool, self.path, self.fix = tool, cause.path, cause.fix


def pin_hook(t: Tool) -> Callable[[ToolContext], object] | None:
    """The tool's pin hook, or None when it pins nothing."""
    hook = getattr(t, "pin", None)
    return hook if callable(hook) else None


def pins_needed(uses: Iterable[ToolUse]) -> bool:
    """Whether any of these tools has a pin hook."""
    return any(pin_hook(get_tool(u.name)) is not None for u in uses)


def pin_tools(uses: Iterable[ToolUse], ctx: ToolContext) -> None:
    """Call the pin hook of every tool in `uses` that has one, with that use's options, on the
    baseline snapshot `ctx.tree`; a hook's `UserError` comes back as `PinFailed`."""
    for use in uses:
        hook = pin_hook(get_tool(use.name))
        if hook is not None:
            try:
                hook(replace(ctx, options=dict(use.options)))
            except PinFailed:
                raise
            except UserError as exc:
                raise PinFailed(use.name, exc) from exc


_TOOLS: dict[str, Tool] = {}
_ORIGIN: dict[str, str] = {}


def _register(made: Tool, origin: str) -> None:
    """Add a tool; a second tool under a taken name from another module is refused."""
    if not made.name or made.kind not in KINDS:
        raise ValueError(f"tool {made.name!r}: needs a name and a kind in {KINDS}")
    if not (math.isfinite(made.cost) and made.cost > 0):
        raise ValueError(f"tool {made.name!r}: cost must be a positive number of seconds")
    taken = _ORIGIN.get(made.name)
    if taken is not None and taken != origin:
        raise ValueError(f"tool name {made.name!r} is already registered by {taken}")
    _TOOLS[made.name] = made
    _ORIGIN[made.name] = origin


@overload
def tool(obj: type[Any], /) -> type[Any]: ...
@overload
def tool(
    *,
    name: str,
    kind: Kind = "gate",
    cost: float = 1.0,
    description: str = "",
    options: Iterable[str] | None = None,
    pin: Callable[[ToolContext], object] | None = None,
) -> Callable[[Callable[[ToolContext], ToolResult]], FunctionTool]: ...
def tool(
    obj: Any = None,
    /,
    *,
    name: str = "",
    kind: Kind = "gate",
    cost: float = 1.0,
    description: str = "",
    options: Iterable[str] | None = None,
    pin: Callable[[ToolContext], object] | None = None,
) -> Any:
    """Register a tool: `@tool` on a class, or `@tool(name=..., ...)` on a function.

    `options` names every key the tool reads from its `[tools.NAME]` table; when given, any other
    key there is refused before a run starts (`agentos.check`). A class declares the same as an
    `options` attribute. `pin` is the tool's pin hook (see `Tool`); a class defines a `pin`
    method."""
    if obj is not None:
        instance = obj()
        if not isinstance(instance, Tool):
            raise TypeError(f"{obj!r} lacks name, kind, cost, description or run()")
        _register(instance, f"{obj.__module__}.{obj.__qualname__}")
        return obj

    def deco(fn: Callable[[ToolContext], ToolResult]) -> FunctionTool:
        made = FunctionTool(
            name,
            kind,
            cost,
            description or (fn.__doc__ or "").strip(),
            fn,
            None if options is None else frozenset(options),
            pin,
        )
        _register(made, f"{fn.__module__}.{fn.__qualname__}")
        return made

    return deco


def get_tool(name: str) -> Tool:
    from agentos.plugins import load_plugins

    load_plugins()
    found = _TOOLS.get(name)
    if found is None:
        raise UserError(
            f"unknown tool {name!r}", fix=f"choose one of {sorted(_TOOLS)}, or install its plugin"
        )
    return found


def all_tools(*, plugins: bool = True) -> list[Tool]:
    """Every registered tool, cheapest first; with `plugins=False`, only those registered by the
    modules imported so far (no installed plugin is loaded: a plugin's own tests stay its own)."""
    if plugins:
        from agentos.plugins import load_plugins

        load_plugins()
    return sorted(_TOOLS.values(), key=lambda t: (t.cost, t.name))


@contextlib.contextmanager
def scoped_registry() -> Iterator[None]:
    """Tools registered inside the block are forgotten when it ends (tests, short-lived hosts).
    The installed plugins load first: loaded inside the block, they would be forgotten with it."""
    all_tools()
    tools, origin = dict(_TOOLS), dict(_ORIGIN)
    try:
        yield
    finally:
        _TOOLS.clear()
        _TOOLS.update(tools)
        _ORIGIN.clear()
        _ORIGIN.update(origin)


def run_tool(t: Tool, ctx: ToolContext) -> ToolResult:
    """Run a tool, turning an exception or a malformed result into an `error` result."""
    start = time.monotonic()
    try:
        result = t.run(ctx)
    except Exception as exc:  # a broken tool is a finding, not a crash of the loop
        return ToolResult(
            t.name,
            "error",
            detail=f"{type(exc).__name__}: {exc}",
            duration=time.monotonic() - start,
        )
    elapsed = time.monotonic() - start
    if not isinstance(result, ToolResult) or result.outcome not in OUTCOMES:
        return ToolResult(
            t.name,
            "error",
            duration=elapsed,
            detail=f"returned {type(result).__name__}, not a ToolResult",
        )
    bad = [k for k, v in result.signals.items() if not math.isfinite(v)]
    if bad:
        return ToolResult(
            t.name,
            "error",
            result.findings,
            duration=elapsed,
            detail=f"signal {bad[0]!r} is not a finite number",
        )
    return ToolResult(
        t.name,
        result.outcome,
        tuple(result.findings),
        dict(result.signals),
        result.duration or elapsed,
        result.detail,
    )


@dataclass(frozen=True)
class ToolInfo:
    """One row of `agentos tools list`."""

    name: str
    kind: Kind
    cost: float
    description: str
    origin: str


def tool_rows() -> list[ToolInfo]:
    """Every registered tool, built-in or plugin, cheapest first."""
    return [
        ToolInfo(t.name, t.kind, t.cost, t.description, _ORIGIN.get(t.name, "?"))
        for t in all_tools()
    ]


def format_tool_list(rows: Sequence[ToolInfo] | None = None) -> str:
    """The text `agentos tools list` prints: name, kind, typical cost, what it checks, origin."""
    rows = tool_rows() if rows is None else rows
    if not rows:
        return "no tools registered"
    width = max(len(r.name) for r in rows)
    lines = [f"{'name':<{width}}  kind    cost     checks"]
    for r in rows:
        source = r.origin.rsplit(".", 1)[0]
        cost = _cost(r.cost)
        lines.append(f"{r.name:<{width}}  {r.kind:<6}  {cost:>6}   {r.description} [{source}]")
    return "\n".join(lines)


def _cost(seconds: float) -> str:
    return f"{seconds * 1000:.0f}ms" if seconds < 1 else f"{seconds:.0f}s"


def tool_list_json(rows: Sequence[ToolInfo] | None = None) -> list[dict[str, object]]:
    """The `--json` form of `agentos tools list`."""
    rows = tool_rows() if rows is None else rows
    return [
        {
            "name": r.name,
            "kind": r.kind,
            "cost": r.cost,
            "description": r.description,
            "origin": r.origin,
        }
        for r in rows
    ]


__all__ = [
    "Finding",
    "FunctionTool",
    "Kind",
    "Outcome",
    "PinFailed",
    "Tool",
    "ToolContext",
    "ToolInfo",
    "ToolResult",
    "all_tools",
    "format_tool_list",
    "get_tool",
    "pin_hook",
    "pin_tools",
    "pins_needed",
    "run_tool",
    "scoped_registry",
    "tool",
    "tool_list_json",
    "tool_rows",
]
