"""What a report shows, gathered from the ledger (and the commits it names) and nothing else.

The report must work for a finished run, a running one, and one whose orchestrator died, so it
never reads checkpoints or graph state: only the `runs`, `experiments` and `attempts` tables, and
the diffs of the recorded commits through git plumbing (never the user's worktree or index).
"""

from __future__ import annotations

import dataclasses
import json
import math
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from agentos.errors import IntegrityError, UserError
from agentos.git import Repo
from agentos.ledger import Ledger
from agentos.ledger.read import RunState, read_run, run_state
from agentos.ledger.schema import MEASURED
from agentos.report.skills import SkillsReport, skills_report

STATE_DIR = ".agentos"
DIFF_CAP = 20_000
"""Characters of diff text kept per experiment; a longer diff is cut and flagged."""

TreeVerdict = Literal["same", "drift", "none"]


@dataclass(frozen=True)
class Experiment:
    """One line of the report's table: a terminal ledger row, or an attempt with none yet, which
    is `running` while its orchestrator lives and `killed` mid-experiment once it does not."""

    seq: int | None
    id: int
    attempt: int
    kind: str
    status: str
    metric: float | None
    reason: str
    description: str
    parent: str
    commit: str
    diff_summary: str
    findings: list[dict[str, Any]]
    review_failed: list[str]
    tree_before: str
    tree_after: str
    timings: dict[str, float]
    samples: list[float]
    details: dict[str, float]
    holdout: dict[str, float]
    created_at: str | None
    """When the row was written (the attempt started): ledger time text (`agentos.ledger.times`)."""
    diff: str = ""
    killed: bool = False
    running: bool = False

    @property
    def tree_verdict(self) -> TreeVerdict:
        if not self.tree_before or not self.tree_after:
            return "none"
        return "same" if self.tree_before == self.tree_after else "drift"


@dataclass(frozen=True)
class Point:
    commit: str
    metric: float | None


@dataclass
class ReportData:
    """Everything `render_html` and `render_plot` need; built by `collect`."""

    run_id: str
    task: str
    repo: str
    strategy: str
    seed: int | None
    provider: str
    started_at: str | None
    finished_at: str | None
    stop_reason: str | None
    state: RunState
    baseline: Point
    best: Point
    experiments: list[Experiment]
    counted: dict[str, int] = field(default_factory=dict)
    """Experiments per status, as `agentos.ledger.read` counts them (terminal rows only)."""
    verify: list[str] = field(default_factory=list)
    verify_error: str = ""
    diff_note: str = ""
    ledger: Path | None = None
    skills_report: SkillsReport | None = None
    """A `tune-skills` run's stored report (`agentos.report.skills`); None for other runs."""

    @property
    def ledger_ok(self) -> bool:
        return not self.verify and not self.verify_error

    @property
    def rows(self) -> list[Experiment]:
        """The terminal ledger rows only (not the open attempts)."""
        return [e for e in self.experiments if e.seq is not None]

    def counts(self) -> dict[str, int]:
        """The ledger's count of experiments per status, plus the open attempts: `killed`
        mid-experiment, or `running`."""
        out = dict(self.counted)
        for e in self.experiments:
            if e.seq is None:
                out[e.status] = out.get(e.status, 0) + 1
        return out

    def running_best(self) -> list[tuple[int, float, str]]:
        """(experiment id, metric, description) for the baseline then every kept change: the same
        rule `agentos status` uses (the last kept experiment is the best; canaries never are)."""
        steps: list[tuple[int, float, str]] = []
        for e in self.rows:
            if e.status == "keep" and e.metric is not None and e.kind in ("baseline", *MEASURED):
                steps.append((e.id, e.metric, e.description))
        return steps


def find_ledger(path: Path | str) -> tuple[Path, Repo | None, str]:
    """The ledger of the repository at `path`, the repository when it opens, and why not if not."""
    try:
        repo = Repo(path)
    except UserError as exc:
        # A repository mid-rebase is refused for runs, but its ledger is still worth a report.
        db = Path(path).resolve() / STATE_DIR / "ledger.db"
        if db.is_file():
            return db, None, f"diffs unavailable: {exc}"
        raise
    db = repo.root / STATE_DIR / "ledger.db"
    if not db.is_file():
        raise UserError("no agentos runs here yet", path=db, fix="start one with `agentos run`")
    return db, repo, ""


def collect(path: Path | str, run_id: str | None = None) -> ReportData:
    """Read one run (default: the latest) from the ledger of the repository at `path`."""
    db, repo, diff_note = find_ledger(path)
    problems, error, conn = _open(db)
    try:
        record = read_run(conn, run_id, path=db)
    finally:
        conn.close()
    state, owner = run_state(record, db)
    experiments = [_experiment(dict(r)) for r in record.rows]
    experiments += [_open_attempt(dict(a), owner) for a in record.open_attempts]
    experiments.sort(key=lambda e: (e.id, e.attempt, e.seq is None))
    if repo is not None:
        experiments = [
            _with_diff(repo, _candidate_of(repo, record.run_id, e) if e.seq is None else e)
            for e in experiments
        ]
    info = record.info
    return ReportData(
        run_id=record.run_id,
        task=str(info.get("task") or ""),
        repo=str(info.get("repo") or ""),
        strategy=str(info.get("strategy") or ""),
        seed=info.get("seed"),
        provider=str(info.get("provider") or ""),
        started_at=info.get("started_at"),
        finished_at=info.get("finished_at"),
        stop_reason=info.get("stop_reason"),
        state=state,
        baseline=Point(**record.baseline),
        best=Point(**record.best),
        experiments=experiments,
        counted=record.counts(),
        verify=problems,
        verify_error=error,
        diff_note=diff_note,
        ledger=db,
        skills_report=skills_report(db, record.run_id, str(info.get("task") or "")),
    )


def _open(db: Path) -> tuple[list[str], str, sqlite3.Connection]:
    """Verify the ledger the way `agentos ledger verify` does, then open it read-only.

    A damaged ledger is still reported on (that is when a report is most wanted): the verdict
    says what is wrong and the rows are read as they are. A run in progress can race the
    high-water mark check, so a failure is retried once before it is believed.
    """
    problems: list[str] = []
    error = ""
    for attempt in range(2):
        try:
            ledger = Ledger(db)
        except IntegrityError as exc:
            error = str(exc)
            if attempt == 0:
                time.sleep(0.2)
            continue
        problems = ledger.verify()
        ledger.close()
        error = ""
        break
    conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
    return problems, error, conn


def _json(text: Any) -> Any:
    if not isinstance(text, str) or not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def _floats(value: Any) -> dict[str, float]:
    if not isinstance(value, dict):
        return {}
    return {
        str(k): float(v)
        for k, v in value.items()
        if isinstance(v, (int, float)) and not isinstance(v, bool)
    }


def _metric(value: Any) -> float | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return None


def _experiment(r: dict[str, Any]) -> Experiment:
    findings = _json(r.get("findings"))
    review = _json(r.get("review"))
    failed: list[str] = []
    if isinstance(review, dict):
        for check in review.get("checks", []) or []:
            if isinstance(check, dict) and not check.get("passed", True):
                failed.append(f"{check.get('name', '?')}: {check.get('reason', '')}")
    samples = _json(r.get("samples"))
    return Experiment(
        seq=r.get("seq"),
        id=int(r.get("id") or 0),
        attempt=int(r.get("attempt") or 1),
        kind=str(r.get("kind") or "experiment"),
        status=str(r.get("status") or ""),
        metric=_metric(r.get("metric")),
        reason=str(r.get("reason") or ""),
        description=str(r.get("description") or ""),
        parent=str(r.get("parent") or ""),
        commit=str(r.get("commit") or ""),
        diff_summary=str(r.get("diff_summary") or ""),
        findings=[f for f in findings if isinstance(f, dict)] if isinstance(findings, list) else [],
        review_failed=failed,
        tree_before=str(r.get("tree_before") or ""),
        tree_after=str(r.get("tree_after") or ""),
        timings=_floats(_json(r.get("timings"))),
        samples=[float(s) for s in samples if _metric(s) is not None]
        if isinstance(samples, list)
        else [],
        # Held-out figures and per-slice details, for ledgers whose rows carry them.
        details=_floats(_json(r.get("details"))),
        holdout=_floats(_json(r.get("holdout"))),
        created_at=r.get("created_at"),
    )


def _open_attempt(a: dict[str, Any], owner: int) -> Experiment:
    """An attempt with no terminal row is in progress only while its own orchestrator holds the
    lock of a running run; any other process with that pid is a reused pid, not the run."""
    pid = int(a.get("pid") or 0)
    alive = pid > 0 and pid == owner
    return Experiment(
        seq=None,
        id=int(a["id"]),
        attempt=int(a["attempt"]),
        kind="experiment",
        status="running" if alive else "killed",
        metric=None,
        reason=f"in progress (orchestrator pid {pid})"
        if alive
        else f"killed mid-experiment: the attempt started (orchestrator pid {pid}) "
        "and never got a terminal row",
        description="",
        parent="",
        commit="",
        diff_summary="",
        findings=[],
        review_failed=[],
        tree_before="",
        tree_after="",
        timings={},
        samples=[],
        details={},
        holdout={},
        created_at=a.get("started_at"),
        killed=not alive,
        running=alive,
    )


def _candidate_of(repo: Repo, run_id: str, e: Experiment) -> Experiment:
    """An open attempt has no row yet, but its candidate commit is already under agentos' ref
    `refs/agentos/<run>/exp/<id>`: name the commit, its parent and its description."""
    commit = repo.rev(f"refs/agentos/{run_id}/exp/{e.id}")
    if commit is None:
        return e
    try:
        out = repo.git("log", "-1", "--format=%P%n%s", commit).decode("utf-8", "replace")
    except RuntimeError:
        return e
    parents, _, subject = out.partition("\n")
    prefix = f"agentos {run_id} #{e.id}: "
    subject = subject.strip()
    return dataclasses.replace(
        e,
        commit=commit,
        parent=parents.split()[0] if parents.split() else "",
        description=subject[len(prefix) :] if subject.startswith(prefix) else subject,
    )


def _with_diff(repo: Repo, e: Experiment) -> Experiment:
    if e.kind == "baseline" or not e.commit or not e.parent or e.commit == e.parent:
        return e
    try:
        raw = repo.git("diff-tree", "-p", "--no-color", "--no-ext-diff", e.parent, e.commit)
    except RuntimeError:
        return dataclasses.replace(
            e, diff="(diff unavailable: the commit is no longer in the repository)"
        )
    text = raw.decode("utf-8", errors="replace")
    if len(text) > DIFF_CAP:
        text = text[:DIFF_CAP] + f"\n... (diff cut at {DIFF_CAP} characters)"
    return dataclasses.replace(e, diff=text)
