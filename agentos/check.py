"""`agentos check`: will a run of this task work, and what will each experiment cost?

Two levels. `preflight` (`agentos.preflight`, re-exported here) is cheap (no process runs) and
is what `agentos run` does before it records anything: the tools and their options, the sandbox
backend, the search strategy, the editable surface, and a notice for uncommitted edits to
editable or protected files. `check` adds
the provider, the baseline measured through the real path (`agentos.evaluate.measure`, the
task's `MetricEvaluator`, its sandbox, a snapshot of the commit) once, then `noise_reruns` more
times where that is cheap (the noise, and which gains the budget can confirm), and the task's gates
on that commit, and says what a run will do.

Bad input raises `UserError` (exit code 2). A baseline that does not measure, or gates that fail
on the unchanged baseline, are a `CheckReport` whose `problem` names the cause and `fix` the
remedy (exit code 1): a run would spend its budget on nothing.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agentos.environment import resolve_python, uncommitted_module
from agentos.errors import UserError
from agentos.evaluate import (
    Evaluation,
    MetricEvaluator,
    measure,
    pin_baseline,
    run_gates,
    snapshot_dir,
)
from agentos.evaluate.selftest import fix, refusal, self_test
from agentos.figures import figure
from agentos.git import Repo
from agentos.preflight import Preflight, check_tools, editable_surface, preflight, uncommitted
from agentos.providers.base import get_provider
from agentos.scratch import scratch
from agentos.settings import NOTHING_TO_TUNE_FIX
from agentos.strategies import noise
from agentos.task import Task, load_task
from agentos.tool import PinFailed, ToolContext

LOG_TAIL_LINES = 12
NOISE_CHECK_S = 60.0  # the most `check` spends re-measuring the baseline for its noise




def baseline_fix(task: Task, status: str, reason: str, log: str = "") -> str:
    """How to make a baseline that did not measure measure; `log` is the metric's output."""
    command = " ".join(task.metric.command)
    absent = uncommitted_module(task.root, log)
    if absent:
        return f"{absent}, or make `{command}` work without it"
    if status == "timeout":
        return f"raise `timeout` under [metric] in {task.path.name} (now {task.metric.timeout:g} s)"
    if status == "oom":
        return f"make `{command}` use less memory: it was killed for memory"
    if status == "crash":
        return (
            f"make `{command}` exit 0 on a clean checkout of the commit (its output above says "
            "why it did not), commit that, then `agentos check` again"
        )
    script = task.metric.command[1] if len(task.metric.command) > 1 else ""
    if reason.startswith("forgery guard:") and script.endswith(".py") and task.is_editable(script):
        return (
            f"{script} prints the metric and is editable, so its code could print any score: to "
            f'search only its settings\' values, add "settings-only" to [tools] gates (its code '
            "then stays the baseline's); to let the proposer edit code, move what prints the "
            "metric into a protected file (docs/byo-repo.md)"
        )
    if reason.startswith("forgery guard:"):
        return (
            "an editable file reached for the result (it printed the metric line, or wrote or "
            "read what only the evaluator may): keep the code that prints the metric in a "
            "protected file and the values to tune in editable ones (docs/forgery.md)"
        )
    if "drift" in reason:
        return "the metric must not change the files of the snapshot: write to $AGENTOS_OUTPUT"
    if task.metric.regex is not None:
        return f"make `{command}` print exactly one line that [metric] regex matches"
    return (
        f"make `{command}` write {task.metric.json_file} with the key {task.metric.json_key} "
        "into $AGENTOS_OUTPUT"
    )


def log_tail(text: str, lines: int = LOG_TAIL_LINES) -> list[str]:
    """The last lines of a metric's output, for the user to read."""
    return text.strip().splitlines()[-lines:] if text.strip() else []


@dataclass
class CheckReport:
    """What `agentos check` found. `facts` are the `key: value` lines in order."""

    facts: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    baseline: Evaluation | None = None
    baseline_s: float = 0.0
    gates: list[dict[str, object]] = field(default_factory=list)
    gates_summary: str = ""
    problem: str | None = None
    fix: str | None = None

    @property
    def exit_code(self) -> int:
        """0 when a run would work, 1 when it would spend its budget on nothing."""
        return 0 if self.problem is None else 1

    def lines(self) -> list[str]:
        out = [f"{k}: {v}" for k, v in self.facts.items()]
        out += [f"warning: {w}" for w in self.warnings]
        out.append(f"check: {'ok' if self.problem is None else 'failed'}")
        return out

    def to_json(self) -> dict[str, Any]:
        ev = self.baseline
        return {
            "ok": self.problem is None,
            "exit_code": self.exit_code,
            "facts": dict(self.facts),
            "warnings": list(self.warnings),
            "baseline": None
            if ev is None
            else {
                "metric": ev.metric,
                "status": ev.status or "ok",
                "reason": ev.reason,
                "duration_s": round(self.baseline_s, 3),
                "log_tail": log_tail(ev.log_tail) if ev.metric is None else [],
            },
            "gates": self.gates,
            "problem": self.problem,
            "fix": self.fix,
        }


def check(
    path: Path | str, *, task_file: Path | str | None = None, write_space: bool = False
) -> CheckReport:
    """Validate the task at `path` and measure its baseline once; raise `UserError` on bad input.

    With `write_space`, the search space the heuristic proposer inferred is added to the task
    file's `[search.space]` table, one entry per setting the table lacks
    (`agentos.settings.space`)."""
    repo = Repo(path)
    task = load_task(repo.root, task_file)
    pre = preflight(task, repo)
    provider = get_provider(task.provider, task)
    report = CheckReport(warnings=list(pre.warnings))
    facts = report.facts
    facts["task"] = str(task.path)
    facts["commit"] = f"{pre.commit[:12]} (HEAD)"
    facts["editable"] = _files(pre.editable)
    facts["protected"] = _files(pre.protected)
    facts["metric"] = " ".join(task.metric.command)
    facts["provider"] = provider.name
    if provider.name == "heuristic":
        facts["tunable_settings"], space, unread = _tunable(task, repo, pre, write_space)
        facts.update(space)
        report.warnings += unread
    facts["strategy"] = f"{task.search.strategy} (seed {task.search.seed})"
    facts["budget"] = _budget(task)
    boundary = getattr(pre.sandbox, "security_boundary", True)
    facts["sandbox"] = pre.sandbox.name + ("" if boundary else " (no security boundary)")
    facts["python"] = resolve_python(task).describe()
    facts["gates"] = ", ".join(u.name for u in task.tools if u.kind == "gate") or "none"
    facts["signals"] = ", ".join(u.name for u in task.tools if u.kind == "signal") or "none"

    if facts.get("tunable_settings", "").startswith("0 "):
        report.problem = "the heuristic proposer finds nothing to tune in the editable files"
        report.fix = NOTHING_TO_TUNE_FIX
    evaluator = MetricEvaluator(task, pre.sandbox)
    m = measure(repo, pre.commit, evaluator)
    ev = m.evaluation
    report.baseline = ev
    report.baseline_s = sum(m.timings.values())  # snapshot, hashing and the metric command
    facts["baseline"] = "none" if ev.metric is None else figure(ev.metric)
    facts["baseline_status"] = (ev.status or "ok") + (f" ({ev.reason})" if ev.reason else "")
    facts["baseline_s"] = f"{report.baseline_s:.2f}"
    if ev.metric is None:
        status = ev.status or "invalid"
        report.problem = f"the baseline does not measure: {status}: {ev.reason}"
        report.fix = baseline_fix(task, status, ev.reason, ev.log_tail)

    if ev.metric is not None:
        _noise(task, repo, pre, report, evaluator)
    pin_s, gates_s = _gates_on_baseline(task, repo, pre, report) if task.tools else (0.0, 0.0)
    # the self-test only where a run would start: a baseline that measures, gates that pass
    forged_s = _forgeries(task, repo, pre, report) if report.problem is None else 0.0
    if report.problem is not None:
        return report  # no estimate: a run would not get past its start
    per = report.baseline_s + gates_s
    facts["cost_per_experiment_s"] = (
        f"{per:.2f} (metric {report.baseline_s:.2f} + gates {gates_s:.2f}; proposer not included)"
    )
    start = (1 + task.search.noise_reruns) * report.baseline_s + pin_s + forged_s
    facts["start_s"] = f"{start:.2f} (forgery self-test {forged_s:.2f} included)"
    # experiments run `workers` at a time (a 2-core machine gains less for a CPU-bound metric)
    waves = -(-task.budget.experiments // max(1, task.scale.workers))
    facts["estimated_run_s"] = f"{start + waves * per:.0f}"
    return report


def _noise(
    task: Task, repo: Repo, pre: Preflight, report: CheckReport, evaluator: MetricEvaluator
) -> None:
    """Measure the baseline `noise_reruns` more times, as a run's start does (unless that would
    take over `NOISE_CHECK_S`), and say which gains the noise rule can confirm within the budget:
    a warning when the budget cannot pay for the re-measures its test would take."""
    more = task.search.noise_reruns
    assert report.baseline is not None and report.baseline.metric is not None
    if more < 1:
        return
    if report.baseline_s * more > NOISE_CHECK_S:
        report.facts["noise"] = (
            f"not measured here ({more} more baseline runs would take about "
            f"{report.baseline_s * more:.0f} s; a run measures it at its start)"
        )
        return
    scores = [report.baseline.metric]
    for _ in range(more):
        m = measure(repo, pre.commit, evaluator)
        if m.evaluation.metric is None:
            report.warnings.append(
                f"a re-run of the baseline did not measure ({m.evaluation.status}: "
                f"{m.evaluation.reason}): a run would stop at its start"
            )
            return
        scores.append(m.evaluation.metric)
    sd, df = noise.sample_sd(scores), len(scores) - 1
    if sd == 0:
        report.facts["noise"] = f"none ({len(scores)} baseline runs agreed)"
        return
    level = abs(noise.mean(scores))
    share = f" ({100 * sd / level:.2g}% of the baseline)" if level else ""
    report.facts["noise"] = f"sd {sd:.3g} over {len(scores)} baseline runs{share}"
    cap = min(noise.MAX_RUNS, task.profile.max_measures) - 1  # re-runs one candidate may take
    budget = task.budget.experiments
    pairs = int(min(budget - 1, task.profile.remeasure_share * budget) // 2)
    full = noise.smallest_confirmed(sd, df, len(scores), cap)
    band = noise.direct_band(sd, df)
    report.facts["noise_gains"] = (
        f"a gain above {band:.3g} ({band / sd:.0f} noise sd: the noise's bound from "
        f"{len(scores)} baseline runs is wide; a larger `noise_reruns` narrows it) is kept on one "
        f"measurement; smaller ones are re-measured, and {cap} re-runs confirm a true gain down "
        f"to {full:.3g}"
    )
    if pairs < cap:
        least = noise.smallest_confirmed(sd, df, len(scores), pairs)
        reach = "never confirmed" if math.isinf(least) else f"confirmed only above {least:.3g}"
        lost = (
            f"a gain within the noise (sd {sd:.3g}) is {reach}, a smaller one is discarded "
            "as undecided"
        )
        portion = task.profile.remeasure_share
        if portion * budget < 2:  # the profile, not the budget, leaves no room for a re-measure
            fix = (
                f"; a remeasure_share of {math.ceil(200 * cap / budget) / 100:g} or more "
                f"confirms gains down to {full:.3g} at this budget"
                if 2 * cap < budget
                else ""
            )
            report.warnings.append(
                f"the search profile's remeasure_share ({portion:g}) leaves no experiment for "
                f"re-measures: {lost}{fix}"
            )
            return
        need = max(2 * cap + 1, math.ceil(2 * cap / portion))
        report.warnings.append(
            f"the budget ({budget} experiments) pays for at most {pairs} re-measures of one "
            f"candidate: {lost}; a budget of {need} or more confirms gains down to {full:.3g}"
        )


def _gates_on_baseline(
    task: Task, repo: Repo, pre: Preflight, report: CheckReport
) -> tuple[float, float]:
    """Pin what a run pins, then run the task's tools on the baseline as if a candidate changed
    every editable file and added nothing: only failures the baseline already has remain.
    Returns the seconds the pinning took (once per run) and the gates (once per experiment)."""
    with scratch("tool") as trusted, snapshot_dir(repo, pre.commit) as tree:
        start = time.monotonic()
        ctx = ToolContext(
            tree=tree,
            changed=list(pre.editable),
            task=task,
            sandbox=pre.sandbox,
            parent_tree=tree,
            trusted_dir=trusted,
        )
        try:
            pin_baseline(task, repo, pre.commit, pre.sandbox, trusted, tree=tree)
        except PinFailed as exc:
            cause = str(exc).removesuffix(f"; fix: {exc.fix}")
            report.facts["gates_on_baseline"] = (
                f"failed ({exc.tool} could not pin the baseline: {cause[:300]})"
            )
            report.gates = [{"tool": exc.tool, "outcome": "error", "message": cause}]
            if report.problem is None:
                report.problem, report.fix = f"the gates fail on the baseline: {cause}", exc.fix
            return time.monotonic() - start, 0.0
        pinned = time.monotonic()
        run = run_gates(task.tools, ctx)
        elapsed = time.monotonic() - pinned
    report.gates = [dict(r) for r in run.report()["results"]]
    report.gates_summary = run.summary()
    outcomes = ", ".join(f"{r['tool']} {r['outcome']}" for r in report.gates)
    report.facts["gates_on_baseline"] = f"{'passed' if run.passed else 'failed'} ({outcomes})"
    for r in report.gates:  # what each gate saw (the tests pinned, and those left out)
        if r.get("detail"):
            report.facts[f"gate.{r['tool']}"] = str(r["detail"])
    if not run.passed and report.problem is None:
        report.problem = "the gates fail on the unchanged baseline: " + _first_failure(report.gates)
        report.fix = (
            "fix the baseline (commit the fix), or change the gate's options under "
            f"[tools.NAME] in {task.path.name}: otherwise every candidate is rejected"
        )
    return pinned - start, elapsed


def _forgeries(task: Task, repo: Repo, pre: Preflight, report: CheckReport) -> float:
    """The forgery self-test a run starts with (`agentos.evaluate.selftest`): a fact per forgery, a
    warning per one that would be kept, and the problem (exit 1) when the task does not accept
    it. Returns its seconds: one baseline measurement, gates and one measurement per forgery."""
    start = time.monotonic()
    assert report.baseline is not None
    verdicts = self_test(task, repo, pre.commit, sandbox=pre.sandbox,
                         evaluator=MetricEvaluator(task, pre.sandbox), baseline=report.baseline)
    elapsed = time.monotonic() - start
    counts = {o: sum(v.outcome == o for v in verdicts) for o in ("kept", "caught")}
    planted = counts["kept"] + counts["caught"]
    report.facts["forgeries"] = (
        f"{counts['kept']} kept, {counts['caught']} caught, {len(verdicts) - planted} not "
        f"applicable ({planted} planted, {elapsed:.2f} s at every run's start)"
    )
    for v in verdicts:
        report.facts[f"forgery.{v.name}"] = f"{v.outcome} ({v.detail})"
        if v.kept:
            accepted = v.name in task.accept_forgery_risk
            report.warnings.append(f"forgery {v.name} would be kept: {v.detail}"
                                   + (" (accepted by [task] accept_forgery_risk)" if accepted
                                      else ""))
    why = refusal(task, verdicts)
    if why is not None and report.problem is None:
        kept = [v.name for v in verdicts if v.kept]
        report.problem = why
        report.fix = fix(task, repo, pre.commit) + f" = {kept!r}".replace("'", '"')
    return elapsed


def _first_failure(results: Sequence[Mapping[str, object]]) -> str:
    for r in results:
        if r.get("kind") == "gate" and r.get("outcome") not in ("pass", "skipped"):
            findings = r.get("findings") or []
            first = findings[0] if isinstance(findings, list) and findings else None
            where = (
                f"{first['path']}:{first['line']} {first['code']}: {first['message']}"
                if isinstance(first, dict)
                else str(r.get("detail") or "")
            )
            return f"{r['tool']} {r['outcome']}" + (f" ({where})" if where else "")
    return "a gate was skipped"


def _tunable(
    task: Task, repo: Repo, pre: Preflight, write: bool
) -> tuple[str, dict[str, str], list[str]]:
    """What the offline proposer can change (the count and the first names, as one fact), the
    search space it uses (a `setting.PATH:NAME` fact per setting: its range or choices and where
    they came from, the `[search.space]` table first), a `search_space` fact, and a warning for
    each setting whose hint comment could not be read. With `write`, the inferred space of the
    settings the table lacks is added to it."""
    from agentos.settings import disk_reader, find_all, hint_warnings, known
    from agentos.settings.space import override, space_problems, write_space

    texts = {}
    for path in pre.editable:
        try:
            texts[path] = repo.read(pre.commit, path).decode("utf-8")
        except UnicodeDecodeError:
            continue  # binary: the heuristic proposer reads text files only
    table = task.search.space
    read, command = disk_reader(task.root), task.metric.command
    # the files are scanned once: the table's space over the inferred one is `find_all`'s result
    inferred = find_all(texts, read=read, evaluator=command)  # as the proposer reads them
    bad = space_problems(inferred, table)
    if bad:
        raise UserError(bad[0], path=task.path, fix="correct the entry's key or type, or remove "
                        "it (`agentos check --write-space` writes one for every setting)")
    found = override(inferred, table) if table else inferred
    names = [s.name for s in found if s.mutable]
    shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    fact = f"{len(names)} (heuristic proposer)" + (f": {shown}" if names else "")
    # a string without choices is not searched and is mostly not a setting (a regex, a name):
    # counted, not listed one by one
    words = [s for s in found
             if s.kind == "str" and not s.mutable and not s.hint.read and not s.hint.problem]
    space = {f"setting.{s.path}:{s.name}": known(s) for s in found if s not in words}
    if words:
        space["not_searched"] = f"{len(words)} string(s) without choices (not listed)"
    added = write_space(task.path, inferred, table) if write else 0
    summary = f"{len(table) + added} of {len(found)} setting(s) in [search.space] of "
    summary += task.path.name
    if added:
        summary += f" ({added} written now)"
    elif len(table) < len(found):
        summary += " (`agentos check --write-space` writes the rest, to edit)"
    space["search_space"] = summary
    return fact, space, hint_warnings(texts, read, command, found=inferred)


def _files(paths: Sequence[str]) -> str:
    shown = ", ".join(paths[:5]) + (f" and {len(paths) - 5} more" if len(paths) > 5 else "")
    return f"{len(paths)} file(s)" + (f": {shown}" if paths else "")


def _budget(task: Task) -> str:
    b = task.budget
    parts = [f"{b.experiments} experiments"]
    for label, value, unit in (
        ("wall_time", b.wall_time, " s"),
        ("patience", b.patience, ""),
        ("target", b.target, ""),
        ("tokens", b.tokens, ""),
        ("dollars", b.dollars, ""),
    ):
        if value is not None:
            parts.append(f"{label} {value:g}{unit}")
    return ", ".join(parts)


__all__ = [
    "CheckReport",
    "Preflight",
    "baseline_fix",
    "check",
    "check_tools",
    "editable_surface",
    "log_tail",
    "preflight",
    "uncommitted",
]
