"""Running and resuming the loop on a repository: the library behind `agentos run` and `resume`.

One orchestrator per repository (an exclusive lock in `.agentos/`), one ledger, one checkpoint
database. The user's worktree, index, HEAD and branches are never touched: everything agentos
writes lives in `.agentos/` (git-ignored by its own .gitignore), the object store, `refs/agentos/`
and finally the branch `agentos/<run>`.
"""

from __future__ import annotations

import dataclasses
import fcntl
import json
import logging
import os
import secrets
import tempfile
import time
import tomllib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from langgraph.types import Command

from agentos.check import (
    NOTHING_TO_TUNE_FIX,
    Preflight,
    baseline_fix,
    log_tail,
    preflight,
)
from agentos.checkpoint import open_checkpointer
from agentos.errors import LockedError, UserError
from agentos.evaluator import Evaluator
from agentos.events import ProgressEvent
from agentos.git import Repo
from agentos.graph import build_graph
from agentos.integrity import Pins
from agentos.ledger import Ledger
from agentos.measure import MetricEvaluator, snapshot_root
from agentos.nodes import close_executor, started
from agentos.profile import configure
from agentos.providers.base import NOTHING_TO_TRY, Provider, get_provider
from agentos.runtime import Runtime
from agentos.sandbox import Sandbox, get_backend
from agentos.scratch import drain, sweep
from agentos.state import LoopState
from agentos.strategies.base import get_strategy
from agentos.task import Search, Task, load_task, parse_task

if TYPE_CHECKING:
    from agentos.workspace import Workspace

STATE_DIR = ".agentos"
log = logging.getLogger(__name__)

Answer = Callable[[dict[str, Any]], Any]
"""Called at a check-in with its summary; returns "continue", "stop" or {"direction": ...}."""


@dataclass
class RunSummary:
    """How a run ended. `branch` is None when no branch was made (the baseline did not measure);
    `failure` and `fix` are set when the run could not do its work, with the metric's last
    output lines in `log_tail`."""

    run_id: str
    status: str
    baseline: float | None
    best: float | None
    best_commit: str
    branch: str | None
    experiments: int
    counts: dict[str, int] = field(default_factory=dict)
    elapsed: float = 0.0
    failure: str | None = None
    fix: str | None = None
    log_tail: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        """0 for a run that did its work, 1 for one that could not (a failed baseline)."""
        return 0 if self.failure is None else 1

    def lines(self) -> list[str]:
        """The greppable `key: value` summary a run ends with (`branch: none` when none exists)."""
        out = [
            f"run: {self.run_id}",
            f"status: {self.status}",
            f"baseline: {self.baseline}",
            f"best: {self.best}",
            f"best_commit: {self.best_commit}",
            f"branch: {self.branch or 'none'}",
            f"experiments: {self.experiments}",
        ]
        out += [f"{k}: {v}" for k, v in sorted(self.counts.items())]
        out.append(f"elapsed_s: {self.elapsed:.1f}")
        return out


@dataclass(frozen=True)
class Overrides:
    budget: int | None = None
    strategy: str | None = None
    seed: int | None = None
    provider: str | None = None
    sandbox: str | None = None
    checkin_every: int | None = None
    workers: int | None = None

    def apply(self, task: Task) -> Task:
        if self.budget is not None:
            task = dataclasses.replace(
                task, budget=dataclasses.replace(task.budget, experiments=self.budget)
            )
        if self.strategy is not None or self.seed is not None:
            task = dataclasses.replace(
                task,
                search=Search(
                    self.strategy or task.search.strategy,
                    task.search.seed if self.seed is None else self.seed,
                    task.search.noise_reruns,
                ),
            )
        if self.provider is not None:
            task = dataclasses.replace(task, provider=self.provider)
        if self.sandbox is not None:
            task = dataclasses.replace(task, sandbox=self.sandbox)
        if self.checkin_every is not None:
            task = dataclasses.replace(
                task, checkin=dataclasses.replace(task.checkin, every=self.checkin_every)
            )
        if self.workers is not None:
            task = dataclasses.replace(
                task, scale=dataclasses.replace(task.scale, workers=self.workers)
            )
        return task


def state_dir(repo: Repo) -> Path:
    path = repo.root / STATE_DIR
    path.mkdir(exist_ok=True)
    ignore = path / ".gitignore"
    if not ignore.exists():
        ignore.write_text("*\n")
    return path


@contextmanager
def repo_lock(directory: Path) -> Iterator[None]:
    """Hold the repository's single-instance lock; the kernel drops it if the process dies.

    Taking it also sweeps the scratch folders (snapshots, sandbox scratch) that killed agentos
    processes left behind (`agentos.scratch.sweep`: only folders nobody holds)."""
    fd = os.open(directory / "lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise LockedError(
                "another agentos process is running on this repository",
                path=directory / "lock",
                fix="wait for it to finish, or stop it; `agentos status` shows its progress",
            ) from exc
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        swept = sweep([tempfile.gettempdir(), snapshot_root()])
        if swept:
            log.info("removed %d scratch folder(s) left by killed agentos runs", len(swept))
        yield
    finally:
        os.close(fd)


def make_runtime(
    task: Task,
    repo: Repo,
    ledger: Ledger,
    run_id: str,
    baseline: str,
    sdir: Path,
    *,
    evaluator: Evaluator | None = None,
    provider: Provider | None = None,
) -> Runtime:
    sandbox = get_backend(task.sandbox)
    # one pin set, made here once: the gates node checks commits against it, and writes it into
    # the run's trusted folder for the tools (`integrity` checks snapshots against it)
    pins = Pins.of_commit(repo, baseline, task)
    return Runtime(
        task=task,
        repo=repo,
        run_id=run_id,
        ledger=ledger,
        provider=provider or get_provider(task.provider, task),
        strategy=configure(get_strategy(task.search.strategy), task.profile),
        sandbox=sandbox,
        evaluator=evaluator or MetricEvaluator(task, sandbox),
        state_dir=sdir,
        pins=pins,
        baseline_commit=baseline,
    )


def open_runtime(
    path: Path | str,
    *,
    evaluator: Evaluator | None = None,
    **overrides: Any,
) -> Workspace:
    """Open a repository for embedding: pass the result to `build_graph` and run the graph with
    the host's checkpointer; each LangGraph thread is one run, resumable in any process.

    Nothing durable happens until the graph starts or resumes a run; the repository lock is then
    held until the workspace is closed (use it as a context manager). Keyword overrides are those
    of `Overrides` (budget, strategy, seed, provider, sandbox, checkin_every); an `evaluator`
    object replaces the task's metric command (such runs resume from code, as the host does, not
    with `agentos resume`).
    """
    from agentos.workspace import Workspace

    repo = Repo(path)
    task = Overrides(**overrides).apply(load_task(repo.root))
    pre = preflight(task, repo)
    for notice in pre.warnings:
        log.warning(notice)
    if evaluator is None:  # an evaluator object from the host's code is the host's to vouch for
        forgery_guard(task, repo, pre, log.warning)
    return Workspace(task, repo, overrides=Overrides(**overrides), evaluator=evaluator)


def new_run_id() -> str:
    """A fresh run id: the start time, then random hex (sorts by time, never collides in use)."""
    return time.strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(2)


def forgery_guard(
    task: Task, repo: Repo, pre: Preflight, notice: Callable[[str], None]
) -> None:
    """The forgery self-test a new run starts with (`agentos.forgery.guard_start`), before it is
    recorded: `ForgeryRisk` (exit code 1) when a known forgery would be kept and the task does
    not accept it. It costs one baseline measurement and one per forgery that applies."""
    from agentos.forgery import guard_start

    guard_start(task, repo, pre.commit, sandbox=pre.sandbox,
                evaluator=MetricEvaluator(task, pre.sandbox), notice=notice)


def start_run(
    task: Task,
    repo: Repo,
    ledger: Ledger,
    *,
    overrides: Overrides = Overrides(),
    run_id: str | None = None,
    evaluator: Evaluator | None = None,
    provider: Provider | None = None,
    baseline: str | None = None,
    host: bool = False,
    evaluator_name: str | None = None,
) -> Runtime:
    """Record a new run of `task` from `baseline` (default: HEAD) and return its runtime.

    `host`: the run is driven by a host application's graph and checkpointer (`open_runtime`),
    so `resume` refuses it and says to resume it from the host.

    The caller holds the repository lock (`repo_lock`) and drives the run with `drive`. A task
    built in code (no task file) with its own evaluator or provider cannot be resumed from the
    command line; its runtime can be rebuilt by the same code. `evaluator_name` says that
    `evaluator` can be rebuilt from the task file (`agentos self-tune` records `self-tune`): the
    run then resumes with `resume(..., make_evaluator=...)`, which `agentos resume` passes.
    """
    sdir = state_dir(repo)
    run_id = run_id or new_run_id()
    baseline = baseline or repo.rev("HEAD")
    assert baseline is not None
    rt = make_runtime(
        task, repo, ledger, run_id, baseline, sdir, evaluator=evaluator, provider=provider
    )
    toml = task.path.read_text(encoding="utf-8") if task.path.is_file() else None
    resumable = toml is not None and provider is None and (
        evaluator is None or evaluator_name is not None
    )
    ledger.start_run(
        run_id,
        task=task.name,
        repo=str(repo.root),
        baseline=baseline,
        strategy=task.search.strategy,
        seed=task.search.seed,
        provider=rt.provider.name,
        config=json.dumps(
            {
                "toml": toml if resumable else None,
                "overrides": dataclasses.asdict(overrides),
                **({"host": True} if host else {}),
                **({"evaluator": evaluator_name} if evaluator_name and resumable else {}),
            }
        ),
    )
    return rt


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
        rt = start_run(task, repo, Ledger(sdir / "ledger.db"), overrides=overrides, run_id=run_id)
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
        task = Overrides(**config["overrides"]).apply(
            parse_task(
                tomllib.loads(config["toml"]), root=repo.root, path=repo.root / "agentos.toml"
            )
        )
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


_NOTHING = "nothing to resume: no run was recorded in this repository"
_START = "start one with `agentos run` (`agentos check` says whether it would work)"


def drive(
    rt: Runtime,
    *,
    on_update: Callable[[dict[str, Any]], None] | None = None,
    answer: Answer | None = None,
    on_event: Callable[[ProgressEvent], None] | None = None,
) -> RunSummary:
    """Drive a run to its end from wherever its checkpoint stands (the start, for a new run).

    `on_update` gets each node's partial update as `{"node": name, **update}`; `on_event` each
    progress event of the `custom` stream (`agentos.events`)."""
    start = time.monotonic()
    checkpointer = open_checkpointer(rt.state_dir / "checkpoints.db")
    graph = build_graph(rt, checkpointer=checkpointer)
    config: Any = {
        "configurable": {"thread_id": rt.run_id},
        "recursion_limit": 12 * rt.task.budget.experiments + 100,
    }
    payload: Any = None if graph.get_state(config).values else {}
    try:
        while True:
            interrupted = None
            parts = cast(
                Iterator[tuple[str, Any]],
                graph.stream(payload, config, stream_mode=["updates", "custom"]),
            )
            for mode, chunk in parts:
                if mode == "custom":
                    if on_event is not None:
                        on_event(chunk)
                    continue
                for node, update in chunk.items():
                    if node == "__interrupt__":
                        interrupted = update[0].value
                    elif on_update is not None and isinstance(update, dict):
                        on_update({"node": node, **update})
            if interrupted is None:
                break
            reply = answer(interrupted) if answer else "continue"
            payload = Command(resume=reply)
    finally:
        close_executor(rt.run_id)  # the workers of a run that stopped or failed, in this process
    values = graph.get_state(config).values
    checkpointer.conn.close()
    drain()  # the last snapshot's removal
    summary = summarize(rt.ledger, rt.run_id, values, time.monotonic() - start)
    if rt.repo.rev(rt.branch_ref) is None:
        summary.branch = None
    baseline = values.get("baseline", {})
    failed = values.get("outcome") or {}
    if baseline and baseline.get("metric") is None and failed:
        status, reason = str(failed.get("status") or "invalid"), str(failed.get("reason", ""))
        summary.failure = f"the baseline does not measure: {status}: {reason}"
        summary.fix = baseline_fix(rt.task, status, reason)
        summary.log_tail = log_tail(str(failed.get("log_tail", "")))
    elif not summary.experiments and summary.status.startswith(NOTHING_TO_TRY):
        # the run could not do its job: `agentos check` fails on the same cause
        summary.failure = "the proposer found nothing to try before its first experiment"
        summary.fix = NOTHING_TO_TUNE_FIX
    return summary


def summarize(ledger: Ledger, run_id: str, values: dict[str, Any], elapsed: float) -> RunSummary:
    counts = ledger.read(run_id).counts()
    best = values.get("best", {})
    return RunSummary(
        run_id=run_id,
        status=values.get("stop") or "stopped",
        baseline=values.get("baseline", {}).get("metric"),
        best=best.get("metric"),
        best_commit=best.get("commit", ""),
        branch=f"agentos/{run_id}" if best.get("commit") else None,
        experiments=started(cast(LoopState, values)),
        counts=counts,
        elapsed=elapsed,
    )


__all__ = [
    "Overrides",
    "RunSummary",
    "new_run_id",
    "open_runtime",
    "repo_lock",
    "resume",
    "run",
    "state_dir",
    "summarize",
]
