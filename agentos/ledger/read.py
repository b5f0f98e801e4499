"""The one ledger reader: a run as its rows say, and what counts as what, defined once.

`agentos status`, `agentos report`, a run's summary and the skill tuner all read a run through
`read_run` (or `Ledger.read`), so they agree: the baseline is the `baseline` row, an experiment is
a row of kind `experiment` or `remeasure` (`schema.MEASURED`; canaries are integrity checks, listed
apart and never counted), and the best is the last kept experiment, else the baseline.

It takes a plain `sqlite3.Connection`, so a report can read a ledger that `Ledger` refused (that is
when a report is most wanted) through a read-only connection.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypedDict

from agentos.errors import UserError
from agentos.ledger.schema import MEASURED, Attempt, Row, RunInfo

RunState = Literal["finished", "running", "interrupted"]


class Point(TypedDict):
    commit: str
    metric: float | None


@dataclass(frozen=True)
class RunRecord:
    """One run: its `runs` row, its terminal rows in ledger order, and its open attempts (started,
    never given a terminal row: running, or killed mid-experiment)."""

    run_id: str
    info: RunInfo
    rows: list[Row]
    open_attempts: list[Attempt]

    @property
    def finished(self) -> bool:
        return bool(self.info.get("finished_at"))

    @property
    def experiments(self) -> list[Row]:
        """The rows that count as experiments (not the baseline, not canaries)."""
        return [r for r in self.rows if r.get("kind") in MEASURED]

    @property
    def canaries(self) -> list[Row]:
        return [r for r in self.rows if r.get("kind") == "canary"]

    @property
    def baseline(self) -> Point:
        row = next((r for r in self.rows if r.get("kind") == "baseline"), None)
        return {
            "commit": str(self.info.get("baseline") or ""),
            "metric": row.get("metric") if row else None,
        }

    @property
    def best(self) -> Point:
        """The last kept experiment, else the baseline."""
        kept = [r for r in self.experiments if r.get("status") == "keep"]
        if not kept:
            return self.baseline
        return {"commit": str(kept[-1].get("commit") or ""), "metric": kept[-1].get("metric")}

    def counts(self) -> dict[str, int]:
        """Terminal rows per status (an attempt the orchestrator died during is a `crash` row)."""
        out: dict[str, int] = {}
        for r in self.experiments:
            out[str(r.get("status"))] = out.get(str(r.get("status")), 0) + 1
        return out

    def last_attempts(self) -> list[Row]:
        """Each experiment's row of its last attempt, in the order the experiments began."""
        last: dict[object, Row] = {}
        for r in self.experiments:  # in ledger order: an experiment's attempts in turn
            last[r.get("id")] = r
        return list(last.values())

    def outcomes(self) -> dict[str, int]:
        """Experiments per status of their last attempt, so they add up to the experiments, and
        `retried`: the earlier attempts (each ended when the orchestrator died, and ran again)."""
        last = self.last_attempts()
        out: dict[str, int] = {}
        for r in last:
            out[str(r.get("status"))] = out.get(str(r.get("status")), 0) + 1
        retried = len(self.experiments) - len(last)
        return {**out, "retried": retried} if retried else out


def latest_run(conn: sqlite3.Connection) -> str | None:
    found = conn.execute(
        "select run_id from runs order by started_at desc, rowid desc limit 1"
    ).fetchone()
    return None if found is None else str(found[0])


def read_run(conn: sqlite3.Connection, run_id: str | None, *, path: Path) -> RunRecord:
    """Run `run_id` (default: the latest) of the ledger at `path`, open on `conn`."""
    if run_id is None:
        run_id = latest_run(conn)
        if run_id is None:  # a run killed before it was recorded leaves an empty ledger
            raise UserError(
                "no run is recorded here yet",
                path=path,
                fix="start one with `agentos run` (`agentos check` says whether it would work)",
            )
    info = _dicts(conn, "select * from runs where run_id = ?", [run_id])
    if not info:
        recent = [
            str(r[0])
            for r in conn.execute(
                "select run_id from runs order by started_at desc, rowid desc limit 5"
            )
        ]
        pick = f"pick one of the latest: {', '.join(recent)}" if recent else "no run is here yet"
        raise UserError(
            f"no run {run_id!r} in the ledger",
            path=path,
            fix=f"leave out --run for the latest, or {pick}",
        )
    rows = _dicts(conn, "select * from experiments where run_id = ? order by seq", [run_id])
    return RunRecord(
        run_id=run_id,
        info=RunInfo(**info[0]),  # type: ignore[typeddict-item]
        rows=[Row(**r) for r in rows],  # type: ignore[typeddict-item]
        open_attempts=open_attempts(conn, run_id),
    )


def open_attempts(conn: sqlite3.Connection, run_id: str) -> list[Attempt]:
    """Attempts started but never given a terminal row (the orchestrator died during them, or is
    still in them)."""
    found = _dicts(
        conn,
        "select a.* from attempts a left join experiments e on e.run_id = a.run_id "
        "and e.id = a.id and e.attempt = a.attempt where a.run_id = ? and e.seq is null "
        "order by a.id, a.attempt",
        [run_id],
    )
    return [Attempt(**a) for a in found]  # type: ignore[typeddict-item]


def _dicts(conn: sqlite3.Connection, sql: str, args: list[Any]) -> list[dict[str, Any]]:
    cursor = conn.execute(sql, args)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]


def run_state(record: RunRecord, db: Path) -> tuple[RunState, int]:
    """Finished; or running (the pid the repository lock beside the ledger names is alive); or
    interrupted (killed, stopped, or paused by a host that exited). With the pid of the live
    orchestrator (0 unless running). Reading the lock file takes no lock: a run starting now is
    never refused because a status was being read."""
    if record.finished:
        return "finished", 0
    try:
        pid = int((db.parent / "lock").read_text().strip() or 0)
    except (OSError, ValueError):
        return "interrupted", 0
    return ("running", pid) if _alive(pid) else ("interrupted", 0)


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
