"""`static`: an AST pass over the changed files, with the policy from the task options.

It reads the snapshot's bytes and parses them; it never executes candidate code, so it runs in the
orchestrator rather than the sandbox. It flags, in changed files only:
- new imports of forbidden modules (network, subprocess, ctypes by default) and new calls to
  forbidden functions (`eval`, `exec`, `os.system`, ...): "new" means more than in the parent;
- changed paths under `task.protected`, or outside `task.editable`;
- syntax errors;
- a diff larger than `max_lines_changed`, or a complexity growth over `max_complexity_delta`.
Its signals (lines added and removed, complexity and AST size deltas) carry autoresearch's
simplicity criterion as numbers the reviewer and the strategy can weigh.
"""

from __future__ import annotations

import ast
import difflib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from agentos.tool import Finding, ToolContext, ToolResult, tool

from ._paths import read_bytes, walk
from ._sandboxed import MAX_FINDINGS, option_strs

NAME = "static"
FORBIDDEN_IMPORTS = ("socket", "subprocess", "urllib", "http", "requests", "httpx", "aiohttp",
                     "ftplib", "smtplib", "telnetlib", "ctypes", "pty")
FORBIDDEN_CALLS = ("eval", "exec", "compile", "__import__", "os.system", "os.popen",
                   "os.execv", "os.execvp", "os.spawnv", "importlib.import_module")
_BRANCHES = (ast.If, ast.For, ast.AsyncFor, ast.While, ast.ExceptHandler, ast.IfExp,
             ast.comprehension, ast.match_case, ast.Assert, ast.FunctionDef,
             ast.AsyncFunctionDef, ast.Lambda)


@dataclass(frozen=True)
class Shape:
    """What the pass measures in one file: forbidden uses with their first lines, and sizes."""

    uses: Counter[tuple[str, str]]
    first_line: dict[tuple[str, str], int]
    complexity: int
    nodes: int


def _dotted(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else None
    return None


def _forbidden(module: str, banned: tuple[str, ...]) -> bool:
    return any(module == b or module.startswith(b + ".") for b in banned)


def shape(tree: ast.Module, imports: tuple[str, ...], calls: tuple[str, ...]) -> Shape:
    """Forbidden imports and calls, cyclomatic complexity (branches + boolean operands +
    one per function) and the AST node count of one parsed module."""
    uses: Counter[tuple[str, str]] = Counter()
    first: dict[tuple[str, str], int] = {}
    complexity = nodes = 0

    def note(key: tuple[str, str], line: int) -> None:
        uses[key] += 1
        first.setdefault(key, line)

    for node in ast.walk(tree):
        nodes += 1
        if isinstance(node, _BRANCHES):
            complexity += 1
        elif isinstance(node, ast.BoolOp):
            complexity += len(node.values) - 1
        if isinstance(node, ast.Import):
            for alias in node.names:
                if _forbidden(alias.name, imports):
                    note(("import", alias.name), node.lineno)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if _forbidden(node.module, imports):
                note(("import", node.module), node.lineno)
        elif isinstance(node, ast.Call):
            name = _dotted(node.func)
            if name is not None and name in calls:
                note(("call", name), node.lineno)
    return Shape(uses, first, complexity, nodes)


def _parse(data: bytes | None, rel: str) -> ast.Module | str | None:
    """The module, an error message, or None when there is no such file."""
    if data is None:
        return None
    try:
        return ast.parse(data, filename=rel)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        return f"{type(exc).__name__}: {exc}"[:300]


def _text(data: bytes | None) -> list[str]:
    return data.decode("utf-8", "replace").splitlines() if data else []


@tool(name=NAME, kind="gate", cost=0.05,
      description="AST policy on changed files: forbidden imports/calls, protected paths, "
      "diff size, complexity delta")
def static_gate(ctx: ToolContext) -> ToolResult:
    imports = option_strs(ctx, "forbidden_imports", FORBIDDEN_IMPORTS)
    calls = option_strs(ctx, "forbidden_calls", FORBIDDEN_CALLS)
    findings: list[Finding] = []
    added = removed = d_complexity = d_nodes = 0
    for rel in sorted(set(ctx.changed)):
        if ctx.task.is_protected(rel):
            findings.append(Finding(rel, 0, "protected-path", f"{rel} is protected by the task"))
        elif ctx.options.get("editable_only", True) and not ctx.task.is_editable(rel):
            findings.append(Finding(rel, 0, "not-editable", f"{rel} is outside task.editable"))
        new = read_bytes(ctx.tree, rel)
        old = read_bytes(ctx.parent_tree, rel) if ctx.parent_tree else None
        for line in difflib.ndiff(_text(old), _text(new)):
            added += line.startswith("+ ")
            removed += line.startswith("- ")
        if not rel.endswith(".py"):
            continue
        after, before = _parse(new, rel), _parse(old, rel)
        if isinstance(after, str):
            findings.append(Finding(rel, 0, "syntax-error", after))
            continue
        now = shape(after, imports, calls) if after else Shape(Counter(), {}, 0, 0)
        was = shape(before, imports, calls) if isinstance(before, ast.Module) else \
            Shape(Counter(), {}, 0, 0)
        for key, count in sorted(now.uses.items()):
            if count > was.uses.get(key, 0):
                kind, name = key
                findings.append(Finding(rel, now.first_line[key], f"forbidden-{kind}",
                                        f"{kind} of {name} is not allowed by the task policy"))
        d_complexity += now.complexity - was.complexity
        d_nodes += now.nodes - was.nodes
    findings += _limits(ctx, added + removed, d_complexity)
    signals = {"lines_added": float(added), "lines_removed": float(removed),
               "complexity_delta": float(d_complexity), "ast_nodes_delta": float(d_nodes)}
    return ToolResult(NAME, "fail" if findings else "pass", tuple(findings[:MAX_FINDINGS]),
                      signals, detail=f"+{added} -{removed} lines, complexity {d_complexity:+d}")


def _limits(ctx: ToolContext, changed_lines: int, d_complexity: int) -> list[Finding]:
    found = []
    most = ctx.options.get("max_lines_changed")
    if isinstance(most, int) and changed_lines > most:
        found.append(Finding("", 0, "diff-too-large",
                             f"{changed_lines} lines changed, the task allows {most}"))
    grow = ctx.options.get("max_complexity_delta")
    if isinstance(grow, int) and d_complexity > grow:
        found.append(Finding("", 0, "complexity-growth",
                             f"complexity grew by {d_complexity}, the task allows {grow}"))
    return found


def changed_between(parent: Path, child: Path) -> list[str]:
    """The relative paths whose bytes differ between two snapshots (added, removed, modified)."""
    a, b = set(walk(parent)), set(walk(child))
    return sorted(p for p in a | b if read_bytes(parent, p) != read_bytes(child, p))
