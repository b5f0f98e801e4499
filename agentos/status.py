"""The state of a run, read from the ledger alone: it works during a run, or after a crash."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from agentos.errors import UserError
from agentos.git import Repo
from agentos.ledger import Ledger
from agentos.runner import STATE_DIR


def open_ledger(path: Path | str) -> Ledger:
    repo = Repo(path)
    db = repo.root / STATE_DIR / "ledger.db"
    if not db.exists():
        raise UserError("no agentos runs here yet", path=db, fix="start one with `agentos run`")
    return Ledger(db)


def run_status(path: Path | str, run_id: str | None = None) -> dict[str, Any]:
    """One object: `run`, `baseline` and `best` (commit, metric), `experiments`, and `stop`."""
    ledger = open_ledger(path)
    if run_id is None:
        run_id = ledger.latest_run()
        if run_id is None:  # a run killed before it was recorded leaves an empty ledger
            raise UserError(
                "no run is recorded here yet",
                path=ledger.path,
                fix="start one with `agentos run` (`agentos check` says whether it would work)",
            )
    info = ledger.run(run_id)
    if info is None:
        raise UserError(
            f"no run {run_id!r} in the ledger",
            path=ledger.path,
            fix="leave out --run for the latest, or pick a run id from `agentos report`",
        )
    rows = list(ledger.rows(run_id))
    base = next((r for r in rows if r["kind"] == "baseline"), None)
    baseline = {"commit": info["baseline"], "metric": base["metric"] if base else None}
    best = dict(baseline)
    experiments = []
    canaries = [
        {"id": r["id"], "status": r["status"], "reason": r["reason"]}
        for r in rows
        if r["kind"] == "canary"
    ]
    for r in rows:
        if r["kind"] in ("baseline", "canary"):
            continue
        if r["status"] == "keep":
            best = {"commit": r["commit"], "metric": r["metric"]}
        experiments.append(
            {
                "id": r["id"],
                "attempt": r["attempt"],
                "parent": r["parent"],
                "commit": r["commit"],
                "status": r["status"],
                "metric": r["metric"],
                "reason": r["reason"],
                "description": r["description"],
            }
        )
    return {
        "run": run_id,
        "canaries": canaries,
        "baseline": baseline,
        "best": best,
        "experiments": experiments,
        "stop": info.get("stop_reason"),
        "finished": info.get("finished_at") is not None,
    }
