"""Starting a run: the repository's state folder and lock, the runtime a run is driven with, the
forgery self-test it starts with, and its first ledger row.

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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from agentos.errors import LockedError
from agentos.evaluate import Evaluator, MetricEvaluator, guard_start, snapshot_root
from agentos.git import Repo
from agentos.integrity import Pins
from agentos.ledger import Ledger
from agentos.preflight import Preflight
from agentos.profile import configure
from agentos.providers.base import Provider, get_provider
from agentos.runtime import Runtime
from agentos.sandbox import get_backend
from agentos.scratch import sweep
from agentos.strategies.base import get_strategy
from agentos.task import Task

STATE_DIR = ".agentos"
log = logging.getLogger(__name__)


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
            search = dataclasses.replace(  # the rest of [search] (space, noise_reruns) stays
                task.search,
                strategy=self.strategy or task.search.strategy,
                seed=task.search.seed if self.seed is None else self.seed,
            )
            task = dataclasses.replace(task, search=search)
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


def _take(fd: int, directory: Path) -> None:
    """Take the repository's lock on `fd` without waiting, or raise `LockedError`."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError as exc:
        raise LockedError(
            "another agentos process is running on this repository",
            path=directory / "lock",
            fix="wait for it to finish, or stop it; `agentos status` shows its progress",
        ) from exc


def _release(fd: int) -> None:
    """Drop the lock held on `fd`, then close it. Unlocking first matters: a process forked
    while the lock was held (a worker thread starting a sandboxed metric, between its fork and
    its exec) shares the open file, and closing ours alone would leave the lock held until
    that child closed its copy; a resume right after a stopped run was refused so in CI."""
    try:
        fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def check_unlocked(directory: Path) -> None:
    """Raise `LockedError` now if another process holds the repository's lock (a host app
    opening a repository learns it before its graph starts, not from inside a node). Creates
    nothing: with no lock file, nobody holds it."""
    try:
        fd = os.open(directory / "lock", os.O_RDWR)
    except FileNotFoundError:
        return
    try:
        _take(fd, directory)
    finally:
        _release(fd)


@contextmanager
def repo_lock(directory: Path) -> Iterator[None]:
    """Hold the repository's single-instance lock; the kernel drops it if the process dies.

    Taking it also sweeps the scratch folders (snapshots, sandbox scratch) that killed agentos
    processes left behind (`agentos.scratch.sweep`: only folders nobody holds)."""
    fd = os.open(directory / "lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        _take(fd, directory)
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        swept = sweep([tempfile.gettempdir(), snapshot_root()])
        if swept:
            log.info("removed %d scratch folder(s) left by killed agentos runs", len(swept))
        yield
    finally:
        _release(fd)


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


def new_run_id() -> str:
    """A fresh run id: the start time, then random hex (sorts by time, never collides in use)."""
    return time.strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(2)


def forgery_guard(
    task: Task, repo: Repo, pre: Preflight, notice: Callable[[str], None]
) -> None:
    """The forgery self-test a new run starts with (`agentos.evaluate.guard_start`), before it is
    recorded: `ForgeryRisk` (exit code 1) when a known forgery would be kept and the task does
    not accept it. It costs one baseline measurement and one per forgery that applies."""
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


def repeats(rt: Runtime, previous: str | None) -> str | None:
    """A notice when the run `previous` (the latest before `rt`'s) searched the same baseline with
    the same task file, strategy and seed and the offline heuristic proposer: that proposer is
    deterministic, so `rt` would propose the same experiments again."""
    if previous is None or rt.provider.name != "heuristic":
        return None
    before, now = rt.ledger.run(previous), rt.ledger.run(rt.run_id)
    if before is None or now is None:
        return None
    same = ("baseline", "strategy", "seed", "provider")
    if any(before.get(k) != now.get(k) for k in same):
        return None
    toml = [json.loads(info.get("config") or "{}").get("toml") for info in (before, now)]
    if toml[0] is None or toml[0] != toml[1]:
        return None
    return (
        f"run {previous} searched this commit with the same task file, strategy "
        f"{now.get('strategy')} and seed {now.get('seed')}: the offline heuristic proposer "
        "proposes the same experiments again, so this run repeats them; pass --seed N (or "
        "change [search] seed) to search elsewhere"
    )
