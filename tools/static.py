"""`static`: an AST pass over the changed files, with the policy from the task options.

It reads the snapshot's bytes and parses them; it never executes candidate code, so it runs in the
orchestrator rather than the sandbox. It flags, in changed files only:
- new imports of forbidden modules (network, subprocess, ctypes by default) and new calls to
  forbidden functions (`eval`, `exec`, `os.system`, ...), and syntax errors: "new" means not in
  the parent (`_delta`: a forbidden use is matched by file and name, so more uses than the parent
  had are new, wherever they sit);
- new forgery constructs (`_forgery`, finding codes `forgery-<rule>`: exit calls at import,
  stream replacement, exit and signal hooks, the output's name, reaching into the evaluator or
  pytest, frame and gc tricks, patches of other modules), unless `forgery_rules = false`;
- changed paths under `task.protected`, or outside `task.editable`;
- a diff larger than `max_lines_changed`, or a complexity growth over `max_complexity_delta`.
Its signals (lines added and removed, complexity and AST size deltas) carry autoresearch's
simplicity criterion as numbers the reviewer and the strategy can weigh.
"""

from __future__ import annotations

import ast
import difflib
from dataclasses import dataclass, replace
from pathlib import Path

from agentos.integrity import walk
from agentos.tool import Finding, ToolContext, ToolResult, tool

from ._delta import judge, parent_fingerprints, targets
from ._forgery import RULES, dotted, forgeries
from ._paths import read_bytes
from ._sandboxed import MAX_FINDINGS, option_strs

NAME = "static"
LOOSE = ("forbidden-import", "forbidden-call")  # judged by count per name, not by line
FORBIDDEN_IMPORTS = ("socket", "subprocess", "urllib", "http", "requests", "httpx", "aiohttp",
                     "ftplib", "smtplib", "telnetlib", "ctypes", "pty")
FORBIDDEN_CALLS = ("eval", "exec", "compile", "__import__", "os.system", "os.popen",
                   "os.execv", "os.execvp", "os.spawnv", "importlib.import_module")
_BRANCHES = (ast.If, ast.For, ast.AsyncFor, ast.While, ast.ExceptHandler, ast.IfExp,
             ast.comprehension, ast.match_case, ast.Assert, ast.FunctionDef,
             ast.AsyncFunctionDef, ast.Lambda)


@dataclass(frozen=True)
class Shape:
    """What the pass measures in one file: forbidden uses `(kind, name, line)`, and sizes."""

    uses: tuple[tuple[str, str, int], ...]
    complexity: int
    nodes: int


EMPTY = Shape((), 0, 0)


def _forbidden(module: str, banned: tuple[str, ...]) -> bool:
    return any(module == b or module.startswith(b + ".") for b in banned)


def shape(tree: ast.Module, imports: tuple[str, ...], calls: tuple[str, ...]) -> Shape:
    """Forbidden imports and calls, cyclomatic complexity (branches + boolean operands +
    one per function) and the AST node count of one parsed module."""
    uses: list[tuple[str, str, int]] = []
    complexity = nodes = 0
    for node in ast.walk(tree):
        nodes += 1
        if isinstance(node, _BRANCHES):
            complexity += 1
        elif isinstance(node, ast.BoolOp):
            complexity += len(node.values) - 1
        if isinstance(node, ast.Import):
            uses += [("import", alias.name, node.lineno) for alias in node.names
                     if _forbidden(alias.name, imports)]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if _forbidden(node.module, imports):
                uses.append(("import", node.module, node.lineno))
        elif isinstance(node, ast.Call):
            name = dotted(node.func)
            if name is not None and name in calls:
                uses.append(("call", name, node.lineno))
    return Shape(tuple(sorted(uses, key=lambda u: u[2])), complexity, nodes)


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


def _policy(ctx: ToolContext) -> tuple[tuple[str, ...], tuple[str, ...]]:
    return (option_strs(ctx, "forbidden_imports", FORBIDDEN_IMPORTS),
            option_strs(ctx, "forbidden_calls", FORBIDDEN_CALLS))


def _evaluator_names(ctx: ToolContext) -> frozenset[str]:
    """The module names of the evaluator: the metric command's script or `-m` module and the
    task's protected Python files."""
    names = set()
    argv = ctx.task.metric.command
    for i, arg in enumerate(argv):
        if arg.endswith(".py"):
            names.add(Path(arg).stem)
        elif arg == "-m" and i + 1 < len(argv):
            names.add(argv[i + 1].split(".")[0])
    names.update(Path(p).stem for p in ctx.task.protected if p.endswith(".py") and "*" not in p)
    return frozenset(names)


def check(ctx: ToolContext, files: list[str]) -> list[Finding]:
    """The per-file findings (syntax errors, forbidden uses, forgery constructs) of `files`."""
    imports, calls = _policy(ctx)
    rules = ctx.options.get("forgery_rules", True) is not False
    evaluator = _evaluator_names(ctx)
    output = frozenset(n for n in (ctx.task.metric.json_file,) if n)
    found = []
    for rel in files:
        parsed = _parse(read_bytes(ctx.tree, rel), rel) if rel.endswith(".py") else None
        if isinstance(parsed, str):
            found.append(Finding(rel, 0, "syntax-error", parsed))
        elif parsed is not None:
            found += [Finding(rel, line, f"forbidden-{kind}",
                              f"{kind} of {name} is not allowed by the task policy")
                      for kind, name, line in shape(parsed, imports, calls).uses]
            if rules:
                base = Path(rel).name
                tests = base.startswith("test_") or base.endswith("_test.py")
                found += [Finding(rel, line, f"forgery-{rule}", f"{what}: {RULES[rule]}")
                          for rule, line, what in forgeries(
                              parsed, evaluator=evaluator - {Path(rel).stem},
                              output_names=output, tests=tests)]
    return found


@tool(name=NAME, kind="gate", cost=0.05,
      options=["editable_only", "max_lines_changed", "max_complexity_delta",
               "forbidden_imports", "forbidden_calls", "forgery_rules"],
      description="AST policy on changed files: new forbidden imports/calls and forgery "
      "constructs, protected paths, diff size, complexity delta")
def static_gate(ctx: ToolContext) -> ToolResult:
    imports, calls = _policy(ctx)
    files = sorted(set(ctx.changed)) if ctx.changed else targets(ctx)
    found = check(ctx, files)
    policy = [imports, calls, sorted(RULES), ctx.options.get("forgery_rules", True)]
    before = parent_fingerprints(ctx, NAME, files, policy, check, depends="file", loose=LOOSE)
    if before is None:  # the baseline itself: no change to measure, old findings only counted
        return judge(ctx, NAME, found, None, scope=f"in {len(files)} file(s)")
    findings: list[Finding] = []
    added = removed = d_complexity = d_nodes = 0
    for rel in files:
        if ctx.task.is_protected(rel):
            findings.append(Finding(rel, 0, "protected-path", f"{rel} is protected by the task"))
        elif ctx.options.get("editable_only", True) and not ctx.task.is_editable(rel):
            findings.append(Finding(rel, 0, "not-editable", f"{rel} is outside task.editable"))
        new = read_bytes(ctx.tree, rel)
        old = read_bytes(ctx.parent_tree, rel) if ctx.parent_tree else None
        for line in difflib.ndiff(_text(old), _text(new)):
            added += line.startswith("+ ")
            removed += line.startswith("- ")
        if rel.endswith(".py"):
            now, was = _shape(new, rel, imports, calls), _shape(old, rel, imports, calls)
            d_complexity += now.complexity - was.complexity
            d_nodes += now.nodes - was.nodes
    findings += _limits(ctx, added + removed, d_complexity)
    signals = {"lines_added": float(added), "lines_removed": float(removed),
               "complexity_delta": float(d_complexity), "ast_nodes_delta": float(d_nodes)}
    per_file = judge(ctx, NAME, found, before, loose=LOOSE, signals=signals)
    every = (*findings, *per_file.findings)
    return replace(per_file, outcome="fail" if every else "pass", findings=every[:MAX_FINDINGS],
                   detail=f"+{added} -{removed} lines, complexity {d_complexity:+d}; "
                   + per_file.detail)


def _shape(data: bytes | None, rel: str, imports: tuple[str, ...],
           calls: tuple[str, ...]) -> Shape:
    parsed = _parse(data, rel)
    return shape(parsed, imports, calls) if isinstance(parsed, ast.Module) else EMPTY


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
