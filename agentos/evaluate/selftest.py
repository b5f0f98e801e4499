"""The forgery self-test: plant each known forgery (`agentos.evaluate.forgery`) and judge it as the
loop would.

`self_test` commits each forgery on top of a commit (a throwaway commit in the object store, no
ref), puts it through the task's gates and `agentos.evaluate.measure` with the task's evaluator, and
says for each whether it would be kept (`Verdict`). `agentos check` reports the verdicts;
`agentos run` refuses to start (`ForgeryRisk`, exit code 1) while one would be kept, unless the task
accepts that risk by name (`[task] accept_forgery_risk = ["stdout-rewrite"]`). The canary node
plants the same set (`replay`), so a run whose checks start letting one through stops.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from agentos.errors import UserError
from agentos.evaluate.evaluator import Evaluation, Evaluator, keeps
from agentos.evaluate.forgery import (
    DOC,
    FORGERIES,
    NAMES,
    Forgery,
    Outcome,
    check_accept,
    plan,
    plant,
    planted_value,
    python_targets,
)
from agentos.evaluate.gating import pin_baseline, run_gates
from agentos.evaluate.measure import measure, proven, snapshot_dir
from agentos.git import Repo
from agentos.sandbox import Sandbox
from agentos.scratch import scratch
from agentos.task import Task
from agentos.tool import ToolContext


@dataclass(frozen=True)
class Verdict:
    """What one forgery did: `kept` (it would be kept: the risk), `caught` (with the layer and
    the reason) or `not applicable` (with why)."""

    name: str
    outcome: Outcome
    detail: str

    @property
    def kept(self) -> bool:
        return self.outcome == "kept"

    def line(self) -> str:
        return f"{self.name}: {self.outcome} ({self.detail})"


class ForgeryRisk(UserError):
    """A known forgery would be kept and the task does not accept that risk: exit code 1."""

    exit_code = 1


@contextlib.contextmanager
def trusted_state(
    task: Task, repo: Repo, commit: str, sandbox: Sandbox
) -> Iterator[tuple[Path, Path]]:
    """A snapshot of `commit` and a scratch trusted folder with what the gates need pinned from
    it: the protected files' pins, and each tool's own (`agentos.evaluate.gating.pin_baseline`).
    Every forgery is judged against this one snapshot of its parent."""
    with snapshot_dir(repo, commit) as tree, scratch("tool") as trusted:
        pin_baseline(task, repo, commit, sandbox, trusted, tree=tree)
        yield tree, trusted


def judge(
    forgery: Forgery, task: Task, repo: Repo, base: str, forged: str, changed: Sequence[str], *,
    sandbox: Sandbox, evaluator: Evaluator, baseline: Evaluation, trusted: Path, parent: Path,
) -> Verdict:
    """Put the forged commit through the gates and the evaluator, as the loop would (`parent`:
    the snapshot of `base`)."""
    with snapshot_dir(repo, forged) as tree:
        ctx = ToolContext(tree=tree, changed=list(changed), task=task, sandbox=sandbox,
                          parent_tree=parent, trusted_dir=trusted)
        gates = run_gates(task.tools, ctx)
    if not gates.passed:
        results = gates.report()["results"]
        failed = [r for r in results if r["kind"] == "gate" and r["outcome"] != "pass"]
        first = failed[0] if failed else {"tool": "gates", "findings": [], "detail": ""}
        findings = cast(list[dict[str, object]], first.get("findings") or [])
        if forgery.channel == "pytest" and first["tool"] == "pytest" and findings and all(
            str(f["code"]).startswith("test-") for f in findings
        ):
            return Verdict(forgery.name, "kept", "the planted patch decided the tests' outcome: "
                           "a no-op patch would pass broken code")
        why = f"{findings[0]['path']}:{findings[0]['line']} {findings[0]['message']}" if findings \
            else str(first.get("detail") or first.get("outcome"))
        return Verdict(forgery.name, "caught", f"rejected by {first['tool']}: {why}"[:300])
    if forgery.channel == "pytest":
        return Verdict(forgery.name, "caught", "the tests never ran the planted patch")
    e = proven(repo, task, base, forged, measure(repo, forged, evaluator)).evaluation
    if e.status is not None or e.metric is None:
        return Verdict(forgery.name, "caught", f"{e.status or 'invalid'}: {e.reason}"[:300])
    assert baseline.metric is not None
    planted = planted_value(baseline.metric, task.metric.goal)
    decided = abs(e.metric - planted) <= 1e-6 * max(1.0, abs(planted))
    if decided and keeps(evaluator, baseline, e, task.metric.goal):
        return Verdict(forgery.name, "kept", f"measured the planted {e.metric:g} against the "
                       f"baseline's {baseline.metric:g}")
    return Verdict(forgery.name, "caught", f"measured {e.metric:g}, not the planted {planted:g}: "
                   "the forged code did not decide the score")


def self_test(
    task: Task, repo: Repo, commit: str, *, sandbox: Sandbox, evaluator: Evaluator,
    baseline: Evaluation | None = None, only: Sequence[str] = NAMES,
) -> list[Verdict]:
    """Plant each forgery (of `only`) on `commit` and judge it; `baseline` is `commit`'s
    measurement (measured here when None and a forgery applies)."""
    targets = python_targets(task, repo, commit)
    chosen = [f for f in FORGERIES if f.name in only]
    skipped = {f.name: plan(f, task, targets) for f in chosen}
    verdicts = {n: Verdict(n, "not applicable", why) for n, why in skipped.items() if why}
    todo = [f for f in chosen if f.name not in verdicts]
    if todo and baseline is None:
        baseline = measure(repo, commit, evaluator).evaluation
    if todo and (baseline is None or baseline.metric is None):
        why = "the baseline does not measure"
        return [verdicts.get(f.name) or Verdict(f.name, "not applicable", why) for f in chosen]
    if todo:
        assert baseline is not None
        with trusted_state(task, repo, commit, sandbox) as (parent, trusted):
            for forgery in todo:
                changes = plant(forgery, task, repo, commit, targets, baseline)
                if isinstance(changes, str):
                    verdicts[forgery.name] = Verdict(forgery.name, "not applicable", changes)
                    continue
                forged = repo.commit_files(commit, dict(changes), f"forgery {forgery.name}")
                verdicts[forgery.name] = judge(
                    forgery, task, repo, commit, forged, sorted(changes), sandbox=sandbox,
                    evaluator=evaluator, baseline=baseline, trusted=trusted, parent=parent,
                )
    return [verdicts[f.name] for f in chosen]


def fix(task: Task, repo: Repo, commit: str) -> str:
    """How to close the hole the kept forgeries use, for this task's editable files."""
    from agentos.settings.data import data_problems

    targets = python_targets(task, repo, commit)
    data = [p for p in targets if not data_problems(p, repo.read(commit, p).decode("utf-8",
                                                                                 "replace"))]
    if data and len(data) == len(targets):
        how = (f"read {', '.join(data[:3])} as data (the JSON files under $AGENTOS_SETTINGS) "
               'instead of importing them, and add "data-only" to [tools] gates')
    else:
        how = ("keep candidate code in a child process whose results the evaluator reads, "
               "never in the evaluator's own process")
    return f"{how} ({DOC}); or accept the risk by name: [task] accept_forgery_risk"


def refusal(task: Task, verdicts: Sequence[Verdict]) -> str | None:
    """Why a run must not start: the kept forgeries the task does not accept, or None."""
    kept = [v for v in verdicts if v.kept and v.name not in task.accept_forgery_risk]
    if not kept:
        return None
    return (f"forgery self-test: {', '.join(v.name for v in kept)} would be kept "
            f"({kept[0].detail}): the candidate could judge itself")


def guard_start(task: Task, repo: Repo, commit: str, *, sandbox: Sandbox, evaluator: Evaluator,
                notice: Callable[[str], None]) -> list[Verdict]:
    """Run start: the self-test of the forgeries the task does not accept, a notice per one that
    would be kept, and `ForgeryRisk` then. Nothing runs when none applies (`agentos check`
    reports the accepted ones too)."""
    check_accept(task)
    only = [n for n in NAMES if n not in task.accept_forgery_risk]
    verdicts = self_test(task, repo, commit, sandbox=sandbox, evaluator=evaluator, only=only)
    for v in verdicts:
        if v.kept:
            notice(f"forgery self-test: {v.line()}")
    why = refusal(task, verdicts)
    if why is not None:
        kept = [v.name for v in verdicts if v.kept]
        raise ForgeryRisk(why, path=task.path, fix=fix(task, repo, commit)
                          + f" = {kept!r}".replace("'", '"'))
    return verdicts


def canary_applies(task: Task, repo: Repo, commit: str) -> bool:
    """Whether any forgery the task does not accept can be planted on `commit` (the canary
    node replays those)."""
    targets = python_targets(task, repo, commit)
    return any(
        plan(f, task, targets) is None for f in FORGERIES if f.name not in task.accept_forgery_risk
    )


def replay(task: Task, repo: Repo, commit: str, *, sandbox: Sandbox, evaluator: Evaluator
           ) -> tuple[bool, str]:
    """The forgery canary: plant every forgery the task does not accept on `commit` again;
    `(broken, message)`, broken when one would be kept now."""
    only = [n for n in NAMES if n not in task.accept_forgery_risk]
    verdicts = self_test(task, repo, commit, sandbox=sandbox, evaluator=evaluator, only=only)
    kept = [v for v in verdicts if v.kept]
    caught = [v.name for v in verdicts if v.outcome == "caught"]
    if kept:
        return True, (f"forgery {', '.join(v.name for v in kept)} would be kept "
                      f"({kept[0].detail}): the checks no longer catch it; the run stops")
    return False, f"{len(caught)} forgeries refused" + (f" ({', '.join(caught)})" if caught else "")
