"""The library behind `agentos run` and `resume`, and `open_runtime` for embedding: load the task,
run the cheap checks, take the lock, start (or find) the run and drive it."""

from __future__ import annotations

import json
import logging
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agentos.errors import UserError
from agentos.evaluate import Evaluator
from agentos.events import ProgressEvent
from agentos.git import Repo
from agentos.ledger import Ledger
from agentos.preflight import preflight
from agentos.runner.driver import Answer, RunSummary, drive
from agentos.runner.start import (
    STATE_DIR,
    Overrides,
    check_unlocked,
    forgery_guard,
    make_runtime,
    repeats,
    repo_lock,
    start_run,
    state_dir,
)
from agentos.sandbox import Sandbox
from agentos.task import Task, load_task, parse_task

if TYPE_CHECKING:
    from agentos.workspace import Workspace

log = logging.getLogger(__name__)


def open_runtime(
    path: Path | str,
    *,
    evaluator: Evaluator | None = None,
    **overrides: Any,
) -> Workspace:
    """Open a repository for embedding: pass the result to `build_graph` and run the graph with
    the host's checkpointer; each LangGraph thread is one run, resumable in any process.

    Nothing durable happens until the graph starts or resumes a run; the repository lock is then
    held until the workspace is closed (use it as a context manager). Raises `LockedError` (a
    `UserError`) at once when another process holds that lock. Keyword overrides are those
    of `Overrides` (budget, strategy, seed, provider, sandbox, checkin_every); an `evaluator`
    object replaces the task's metric command (such runs resume from code, as the host does, not
    with `agentos resume`).
    """
    from agentos.workspace import Workspace

    repo = Repo(path)
    check_unlocked(repo.root / STATE_DIR)  # another process runs here: say so before any graph
    task = Overrides(**overrides).apply(load_task(repo.root))
    pre = preflight(task, repo)
    for notice in pre.warnings:
        log.warning(notice)
    if evaluator is None:  # an evaluator object from the host's code is the host's to vouch for
        forgery_guard(task, repo, pre, log.warning)
    return Workspace(task, repo, overrides=Overrides(**overrides), evaluator=evaluator)


def run(
    path: Path | str,
    overrides: Overrides = Overrides(),
    *,
    on_update: Callable[[dict[str, Any]], None] | None = None,
    answer: Answer | None = None,
    run_id: str | None = None,
    task_file: Path | str | None = None,
    on_event: Callable[[ProgressEvent], None] | None = None,
    on_notice: Callable[[str], None] | None = None,
    on_start: Callable[[str], None] | None = None,
) -> RunSummary:
    """Start a new run on the repository at `path` and drive it to its end.

    `task_file` names another task file than the repository's agentos.toml (a GPU profile, say).
    The cheap checks of `agentos check` (`agentos.check.preflight`) run first: bad input raises
    `UserError` before anything is recorded or measured; their notices (uncommitted edits) go to
    `on_notice` (default: the log). `on_start` gets the run id once the run is recorded (from
    then on, `resume` continues it).
    """
    repo = Repo(path)
    task = overrides.apply(load_task(repo.root, task_file))
    pre = preflight(task, repo)
    for notice in pre.warnings:
        (on_notice or log.warning)(notice)
    sdir = state_dir(repo)
    with repo_lock(sdir):
        forgery_guard(task, repo, pre, on_notice or log.warning)
        ledger = Ledger(sdir / "ledger.db")
        previous = ledger.latest_run()
        rt = start_run(task, repo, ledger, overrides=overrides, run_id=run_id)
        again = repeats(rt, previous)
        if again:
            (on_notice or log.warning)(again)
        if on_start is not None:
            on_start(rt.run_id)
        return drive(rt, on_update=on_update, answer=answer, on_event=on_event)


def resume(
    path: Path | str,
    *,
    on_update: Callable[[dict[str, Any]], None] | None = None,
    answer: Answer | None = None,
    on_start: Callable[[str], None] | None = None,
    on_event: Callable[[ProgressEvent], None] | None = None,
    make_evaluator: Callable[[Task, Sandbox], Evaluator] | None = None,
) -> RunSummary:
    """Continue the latest unfinished run from its last checkpoint; nothing is lost or repeated.

    A run killed before its first checkpoint starts over from its baseline; one killed before it
    was recorded left nothing to resume, and the error says how to start. `on_start` is called
    with the run id once the run to continue is known. A run started with a named evaluator
    (`start_run(evaluator_name=...)`) needs `make_evaluator` to rebuild it from the task."""
    repo = Repo(path)
    db = repo.root / STATE_DIR / "ledger.db"
    if not db.is_file():  # never create a ledger only to find it empty
        raise UserError(_NOTHING, path=repo.root, fix=_START)
    sdir = state_dir(repo)
    with repo_lock(sdir):
        ledger = Ledger(db)
        run_id = ledger.latest_run()
        info = ledger.run(run_id) if run_id else None
        if info is None or run_id is None:
            raise UserError(_NOTHING, path=repo.root, fix=_START)
        if info.get("finished_at"):
            raise UserError(
                f"run {run_id} already finished",
                path=sdir,
                fix="start a new one with `agentos run`",
            )
        config = json.loads(info["config"])
        if config.get("host"):
            raise UserError(
                f"run {run_id} is driven by an application that embeds agentos",
                path=sdir,
                fix="resume it from that application, on the same LangGraph thread",
            )
        if config.get("toml") is None:
            raise UserError(
                f"run {run_id} was started from code with its own evaluator or provider",
                path=sdir,
                fix="resume it from the code that started it (runner.drive)",
            )
        task = recorded_task(repo.root, config)
        assert task is not None  # a run without a recorded task file was refused above
        named = config.get("evaluator")
        if (named is None) != (make_evaluator is None):
            raise UserError(
                f"run {run_id} measures with "
                + (f"the {named} evaluator" if named else "the task's metric command"),
                path=sdir,
                fix=f"resume it with `agentos resume {repo.root}`",
            )
        pre = preflight(task, repo, commit=info["baseline"])
        evaluator = make_evaluator(task, pre.sandbox) if make_evaluator is not None else None
        rt = make_runtime(task, repo, ledger, run_id, info["baseline"], sdir, evaluator=evaluator)
        if on_start is not None:
            on_start(run_id)
        return drive(rt, on_update=on_update, answer=answer, on_event=on_event)


def recorded_task(root: Path, config: dict[str, Any]) -> Task | None:
    """The task a run was started with, from its ledger `config`: the task file as it was then,
    with the command line's overrides (`--budget`, `--seed`, ...); None for a run started from
    code, which recorded no task file."""
    if config.get("toml") is None:
        return None
    return Overrides(**config["overrides"]).apply(
        parse_task(tomllib.loads(config["toml"]), root=root, path=root / "agentos.toml")
    )


_NOTHING = "nothing to resume: no run was recorded in this repository"
_START = "start one with `agentos run` (`agentos check` says whether it would work)"
