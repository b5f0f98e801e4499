"""The state of a run, read from the ledger alone: it works during a run, or after a crash."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from agentos.errors import UserError
from agentos.git import Repo
from agentos.ledger import Ledger
from agentos.ledger.read import run_state
from agentos.runner import STATE_DIR, recorded_task


def open_ledger(path: Path | str) -> Ledger:
    repo = Repo(path)
    db = repo.root / STATE_DIR / "ledger.db"
    if not db.exists():
        raise UserError("no agentos runs here yet", path=db, fix="start one with `agentos run`")
    return Ledger(db)


def run_status(path: Path | str, run_id: str | None = None) -> dict[str, Any]:
    """One object: `run`, `task` (its name: `tune-skills` for a skill run, None when the ledger
    has none), `baseline` and `best` (commit, metric), `experiments`, `canaries`,
    `stop` and `finished`, as the one ledger reader (`agentos.ledger.read`) defines them,
    `state` (finished, running or interrupted, with `host` when a host application's graph and
    checkpointer drive the run, so it resumes there and not with `agentos resume`) and
    `budget` (`experiments`, `wall_time`: the run's, overrides included; None for a run started
    from code)."""
    root = Repo(path).root
    ledger = open_ledger(root)
    try:
        record = ledger.read(run_id)
    finally:
        ledger.close()
    config = record.info.get("config") or "{}"
    state, _ = run_state(record, root / STATE_DIR / "ledger.db")
    return {
        "run": record.run_id,
        "task": record.info.get("task"),
        "canaries": [
            {"id": r["id"], "status": r["status"], "reason": r["reason"]} for r in record.canaries
        ],
        "baseline": record.baseline,
        "best": record.best,
        "experiments": [
            {
                "id": r["id"],
                "attempt": r["attempt"],
                "parent": r.get("parent"),
                "commit": r.get("commit"),
                "status": r["status"],
                "metric": r.get("metric"),
                "reason": r.get("reason"),
                "description": r.get("description"),
            }
            for r in record.experiments
        ],
        "budget": _budget(root, config),
        "stop": record.info.get("stop_reason"),
        "finished": record.finished,
        "state": state,
        "host": bool(_config(config).get("host")),
    }


def _config(config: str) -> dict[str, Any]:
    try:
        data = json.loads(config)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _budget(root: Path, config: str) -> dict[str, float | None] | None:
    try:
        task = recorded_task(root, _config(config))
    except (UserError, ValueError, TypeError):  # a task file this agentos no longer reads
        return None
    if task is None:
        return None
    return {"experiments": task.budget.experiments, "wall_time": task.budget.wall_time}
