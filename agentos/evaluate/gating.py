"""The gating engine: what a run pins before its first candidate, the built-in gates, and how the
task's tools run on a candidate. Tools themselves are plugins (`agentos.tools`, entry
points); the engine never names one.

Tools run cheapest first, concurrent within a stage, and the first blocking failure skips every
more expensive stage. The graph fans out with `Send`, one branch per tool: `plan` gives the
stages, `run_one` is one branch (one tool, one call), `join` turns the stage's results into a
`GateRun`, and `blocked` says whether to stop before the next stage. `run_gates` does all of it
in-process (threads: each tool mostly waits on its sandboxed process) for callers outside the
graph (`agentos check`, the forgery self-test, the canary (`agentos.evaluate.canary`), the
benchmark).
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

from agentos.evaluate.measure import snapshot_dir
from agentos.git import Repo
from agentos.integrity import Pins, verify_commit
from agentos.sandbox import Sandbox
from agentos.settings.project import foreign_changes, is_project_file
from agentos.state import Finding as StateFinding
from agentos.state import GateReport
from agentos.task import Task, ToolUse
from agentos.tool import (
    ToolContext,
    ToolResult,
    get_tool,
    pin_tools,
    pins_needed,
    run_tool,
)


def pin_baseline(
    task: Task, repo: Repo, commit: str, sandbox: Sandbox, trusted: Path, pins: Pins | None = None,
    *, tree: Path | None = None,
) -> None:
    """Fill the trusted folder a run's gates read: the protected files' pins (`pins`, else made
    from `commit`), then every task tool's own pins (its pin hook, on a snapshot of `commit`:
    `tree` when the caller has one, else one made here). A hook's failure raises
    `agentos.tool.PinFailed`."""
    (pins if pins is not None else Pins.of_commit(repo, commit, task)).write(trusted)
    if pins_needed(task.tools):
        with contextlib.nullcontext(tree) if tree else snapshot_dir(repo, commit) as base:
            ctx = ToolContext(
                tree=base, changed=[], task=task, sandbox=sandbox, trusted_dir=trusted
            )
            pin_tools(task.tools, ctx)


def changed_paths(repo: Repo, parent: str, commit: str) -> list[str]:
    """The paths whose mode or bytes differ between two commits (added, removed, modified)."""
    a, b = repo.entries(parent), repo.entries(commit)
    return sorted(p for p in set(a) | set(b) if a.get(p) != b.get(p))


def builtin_findings(
    repo: Repo, task: Task, pins: Pins, parent: str, commit: str
) -> list[StateFinding]:
    """The built-in gates, before any tool: the change stays inside the editable surface (in an
    editable project file such as `pyproject.toml`, inside the application's own tables), and
    every protected file is byte-equal to its pin."""
    changed = changed_paths(repo, parent, commit)
    found = [_finding("surface", p, "outside the editable surface")
             for p in changed if not task.is_editable(p)]
    found += [
        _finding("surface", p, f"{what} changed: in a project file only the application's own "
                 "tables are editable ([tool.NAME] of pyproject.toml for a NAME no build or "
                 "developer tool uses), never its build, dependencies or tools' settings")
        for p in changed if task.is_editable(p) and is_project_file(p)
        for what in foreign_changes(p, _text(repo, parent, p), _text(repo, commit, p))
    ]
    found += [
        _finding("integrity", bad.path, "protected file differs from its pin")
        for bad in verify_commit(repo, commit, pins, task)
    ]
    return found


def _text(repo: Repo, commit: str, path: str) -> str:
    """The text of `path` at `commit`, empty when the commit lacks it."""
    if path not in repo.entries(commit):
        return ""
    return repo.read(commit, path).decode("utf-8", "replace")


def _finding(tool: str, path: str, message: str) -> StateFinding:
    return {"tool": tool, "path": path, "line": 0, "code": tool, "message": message}


SUMMARY_FINDINGS = 5


def stage_of(cost: float) -> int:
    """Tools whose typical cost is within the same decade share a stage."""
    return math.floor(math.log10(max(cost, 1e-6)))


def plan(uses: Sequence[ToolUse]) -> list[list[ToolUse]]:
    """The uses grouped into stages, cheapest stage first; the order inside a stage is stable."""
    staged: dict[int, list[ToolUse]] = {}
    for use in sorted(uses, key=lambda u: (get_tool(u.name).cost, u.name)):
        staged.setdefault(stage_of(get_tool(use.name).cost), []).append(use)
    return [staged[k] for k in sorted(staged)]


def run_one(use: ToolUse, ctx: ToolContext) -> ToolResult:
    """One tool on one candidate, with this use's options: the body of one `Send` branch."""
    return run_tool(get_tool(use.name), replace(ctx, options=dict(use.options)))


def blocks(use: ToolUse, result: ToolResult) -> bool:
    """A gate that did not pass blocks (an `error` fails closed); a signal never does."""
    return use.kind == "gate" and result.outcome != "pass"


def blocked(uses: Sequence[ToolUse], results: Sequence[ToolResult]) -> bool:
    by_name = {r.tool: r for r in results}
    return any(u.name in by_name and blocks(u, by_name[u.name]) for u in uses)


@dataclass(frozen=True)
class GateRun:
    """Every result in run order, the tools skipped after a blocking failure, and the verdict."""

    uses: tuple[ToolUse, ...]
    results: tuple[ToolResult, ...]
    skipped: tuple[str, ...]
    passed: bool

    def report(self) -> GateReport:
        """The JSON-shaped `GateReport` for the graph state and the ledger."""
        kinds = {u.name: u.kind for u in self.uses}
        results: list[dict[str, object]] = [{**r.to_json(), "kind": kinds.get(r.tool, "gate")}
                                            for r in self.results]
        results += [{"tool": name, "kind": kinds.get(name, "gate"), "outcome": "skipped"}
                    for name in self.skipped]
        findings = [StateFinding(tool=r.tool, path=f.path, line=f.line, code=f.code,
                                 message=f.message) for r in self.results for f in r.findings]
        return GateReport(passed=self.passed, results=results, findings=findings)

    def summary(self, per_tool: int = SUMMARY_FINDINGS) -> str:
        """A few lines for the proposer's next context: what blocked, and where."""
        kinds = {u.name: u.kind for u in self.uses}
        by_name = {r.tool: r for r in self.results}
        stopped = [u.name for u in self.uses if u.name in by_name and blocks(u, by_name[u.name])]
        named = f" ({', '.join(stopped)})" if stopped else ""
        head = "passed" if self.passed else f"FAILED{named}"
        lines = [f"gates: {head}"]  # the first line names what blocked (`agentos status` shows it)
        for r in self.results:
            lines.append(f"- {r.tool} ({kinds.get(r.tool, 'gate')}): {r.outcome}"
                         + (f", {r.detail}" if r.detail else ""))
            for f in r.findings[:per_tool]:
                where = f"{f.path}:{f.line}" if f.line else (f.path or "-")
                lines.append(f"    {where} {f.code}: {f.message}")
            if len(r.findings) > per_tool:
                lines.append(f"    ... {len(r.findings) - per_tool} more")
        if self.skipped:
            lines.append(f"- skipped after the failure: {', '.join(self.skipped)}")
        return "\n".join(lines)


def join(uses: Sequence[ToolUse], results: Sequence[ToolResult],
         skipped: Sequence[str] = ()) -> GateRun:
    """Combine the branches' results: passed when no gate blocked and none was skipped."""
    passed = not skipped and not blocked(uses, results)
    return GateRun(tuple(uses), tuple(results), tuple(skipped), passed)


def run_gates(uses: Sequence[ToolUse], ctx: ToolContext, *, concurrent: bool = True) -> GateRun:
    """Run the stages in order, each stage's tools together; stop after a blocking stage."""
    results: list[ToolResult] = []
    stages = plan(uses)
    with ThreadPoolExecutor(max_workers=max(1, len(uses))) as pool:
        for i, stage in enumerate(stages):
            if concurrent and len(stage) > 1:
                done = list(pool.map(lambda u: run_one(u, ctx), stage))
            else:
                done = [run_one(u, ctx) for u in stage]
            results += done
            if blocked(stage, done):
                skipped = [u.name for later in stages[i + 1:] for u in later]
                return join(uses, results, skipped)
    return join(uses, results)
