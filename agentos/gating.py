"""The gating engine: what a run pins before its first candidate, the built-in gates, how the task's
tools run on a candidate, and the canary. Tools themselves are plugins (`agentos.tools`, entry
points); the engine never names one.

Tools run cheapest first, concurrent within a stage, and the first blocking failure skips every
more expensive stage. The graph fans out with `Send`, one branch per tool: `plan` gives the
stages, `run_one` is one branch (one tool, one call), `join` turns the stage's results into a
`GateRun`, and `blocked` says whether to stop before the next stage. `run_gates` does all of it
in-process (threads: each tool mostly waits on its sandboxed process) for callers outside the
graph (`agentos check`, the forgery self-test, the canary, the benchmark).

The canary (`check_canary`) is a known-bad patch the task names (`task.canary`): it is committed
on the baseline like any candidate, goes through the built-in gates, the task's tools and
`measure()`, and if the layer that should refuse it lets it through, the checks are broken.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from agentos.errors import UserError
from agentos.evaluator import Evaluation, Evaluator, refuse_keep
from agentos.git import Repo
from agentos.integrity import Pins, verify_commit
from agentos.measure import measure, snapshot_dir
from agentos.sandbox import Sandbox
from agentos.state import Finding as StateFinding
from agentos.state import GateReport
from agentos.task import Goal, Task, ToolUse
from agentos.tool import (
    Finding,
    ToolContext,
    ToolResult,
    get_tool,
    pin_tools,
    pins_needed,
    run_tool,
)

Expect = Literal["gates", "evaluator", "either"]


def pin_baseline(
    task: Task, repo: Repo, commit: str, sandbox: Sandbox, trusted: Path, pins: Pins | None = None
) -> None:
    """Fill the trusted folder a run's gates read: the protected files' pins (`pins`, else made
    from `commit`), then every task tool's own pins (its pin hook, on a snapshot of `commit`).
    A hook's refuse_keep raises `agentos.tool.PinFailed`."""
    (pins if pins is not None else Pins.of_commit(repo, commit, task)).write(trusted)
    if pins_needed(task.tools):
        with snapshot_dir(repo, commit) as base:
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
    """The built-in gates, before any tool: the change stays inside the editable surface, and
    every protected file is byte-equal to its pin."""
    found = [
        _finding("surface", p, "outside the editable surface")
        for p in changed_paths(repo, parent, commit)
        if not task.is_editable(p)
    ]
    found += [
        _finding("integrity", bad.path, "protected file differs from its pin")
        for bad in verify_commit(repo, commit, pins, task)
    ]
    return found


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


def run_gates(uses: Sequence[ToolUse], ctx: ToolContext, *, concurrent: bool = True,
              max_workers: int | None = None) -> GateRun:
    """Run the stages in order, each stage's tools together; stop after a blocking stage."""
    results: list[ToolResult] = []
    stages = plan(uses)
    with ThreadPoolExecutor(max_workers=max_workers or max(1, len(uses))) as pool:
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


@dataclass(frozen=True)
class CanaryVerdict:
    """What the canary did: whether each layer let it through, and whether that means broken."""

    gates: GateRun
    evaluation: Evaluation
    passed_gates: bool
    passed_evaluator: bool
    expect: Expect

    @property
    def broken(self) -> bool:
        """True when the layer that should refuse the canary accepted it: stop the run."""
        if self.expect == "gates":
            return self.passed_gates
        if self.expect == "evaluator":
            return self.passed_evaluator
        return self.passed_gates and self.passed_evaluator

    @property
    def message(self) -> str:
        layers = [n for n, ok in (("the gates", self.passed_gates),
                                  ("the evaluator", self.passed_evaluator)) if ok]
        if not self.broken:
            return "canary refused" + (f" (it passed {' and '.join(layers)})" if layers else "")
        return (f"canary passed {' and '.join(layers)}: a known-bad candidate would be kept, so "
                "the checks are broken; the run stops (fix the evaluator, gates or pins)")


def better(value: float, than: float, goal: Goal) -> bool:
    return value < than if goal == "min" else value > than


def gained(incumbent: Evaluation, candidate: Evaluation, goal: Goal) -> bool:
    """A single measurement's gain over the incumbent (no incumbent metric: any metric gains)."""
    if candidate.metric is None:
        return False
    return incumbent.metric is None or better(candidate.metric, incumbent.metric, goal)


def check_canary(patch: str, *, repo: Repo, parent: str, task: Task, sandbox: Sandbox,
                 trusted: Path, pins: Pins, evaluator: Evaluator, incumbent: Evaluation,
                 uses: Sequence[ToolUse] | None = None,
                 expect: Expect = "either") -> CanaryVerdict:
    """Commit the canary patch on `parent` and judge the commit as the loop judges a candidate:
    the built-in gates and the tools (`uses`, default the task's) against the pins in `trusted`,
    then `measure()` with `evaluator`. Both layers run, so a broken evaluator is found even while
    the gates still catch the canary. A patch that does not apply is a `UserError`."""
    try:
        commit = repo.commit_patch(parent, patch, "agentos canary")
    except RuntimeError as exc:
        raise UserError(f"the canary patch does not apply ({str(exc)[:200]})",
                        fix="regenerate task.canary against the current baseline (git diff)"
                        ) from exc
    uses = tuple(task.tools if uses is None else uses)
    builtin = builtin_findings(repo, task, pins, parent, commit)
    if builtin:  # as in the loop: the tools run only on a change the built-in gates let by
        found = tuple(Finding(f["path"], f["line"], f["code"], f["message"]) for f in builtin)
        gates = GateRun(uses, (ToolResult("built-in", "fail", found),),
                        tuple(u.name for u in uses), False)
    else:
        with snapshot_dir(repo, parent) as before, snapshot_dir(repo, commit) as tree:
            ctx = ToolContext(tree=tree, changed=changed_paths(repo, parent, commit), task=task,
                              sandbox=sandbox, parent_tree=before, trusted_dir=trusted)
            gates = run_gates(uses, ctx)
    evaluation = measure(repo, commit, evaluator).evaluation
    gain = gained(incumbent, evaluation, task.metric.goal)
    ok = refuse_keep(evaluator, incumbent, evaluation, gained=gain) is None
    return CanaryVerdict(gates, evaluation, gates.passed, ok, expect)
