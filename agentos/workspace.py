"""A repository opened for embedding: the `RunSource` that `open_runtime` returns.

A host LangGraph application builds agentos' graph over a `Workspace` and runs it with its own
checkpointer and thread ids. The workspace holds no run of its own: the graph's `start` node
names a run (an id and the baseline commit, written into the graph state the host's checkpointer
saves), and the workspace turns that state into the run's runtime. A graph resumed from a
checkpoint, in this process or another one, therefore continues its own run; each thread is a run.

Nothing durable happens until a graph first needs a run: then the repository's lock is taken
(held until `close`, or until the process dies) and the run is recorded in the ledger.
"""

from __future__ import annotations

import dataclasses
import threading
from contextlib import ExitStack
from types import TracebackType
from typing import Any

from agentos.errors import UserError
from agentos.evaluate import Evaluator
from agentos.git import Repo
from agentos.ledger import Ledger
from agentos.providers.base import Provider
from agentos.runner import Overrides, make_runtime, new_run_id, repo_lock, start_run, state_dir
from agentos.runtime import RunSettings, RunStart, Runtime
from agentos.scratch import drain
from agentos.state import LoopState
from agentos.task import Task


class Workspace:
    """Every run of one task on one repository, keyed by the run named in the graph state.

    Use as a context manager (or call `close`): closing releases the repository lock, so another
    `open_runtime` on the same repository, in this process or another, can then start.
    """

    def __init__(
        self,
        task: Task,
        repo: Repo,
        *,
        overrides: Overrides | None = None,
        evaluator: Evaluator | None = None,
        provider: Provider | None = None,
    ):
        self.task = task
        self.repo = repo
        self.overrides = overrides or Overrides()
        self._evaluator = evaluator
        self._provider = provider
        self._runs: dict[str, Runtime] = {}
        self._mutex = threading.RLock()
        self._stack = ExitStack()
        self._ledger: Ledger | None = None
        self._closed = False

    @property
    def runs(self) -> list[str]:
        """The runs this workspace has started or continued, in order of first use."""
        return list(self._runs)

    def begin(self, settings: RunSettings | None = None) -> RunStart:
        """A new run's id, baseline commit (HEAD) and settings; nothing is recorded until it is
        used."""
        self._check_open()
        head = self.repo.rev("HEAD")
        if head is None:
            raise UserError("the repository has no commit", path=self.repo.root, fix="commit first")
        start: RunStart = {"run_id": new_run_id(), "baseline_commit": head}
        if settings is not None and settings.chosen():
            start["settings"] = settings.chosen()
        return start

    def runtime_for(self, state: LoopState) -> Runtime:
        """The runtime of the run named in `state`; recorded in the ledger on its first use."""
        run_id = state.get("run_id")
        if not run_id:
            raise ValueError("agentos' graph state names no run: the graph starts at `start`")
        with self._mutex:
            rt = self._runs.get(run_id)
            if rt is not None:
                return rt
            ledger = self._open()
            chosen: dict[str, Any] = dict(state.get("settings", {}))
            overrides = dataclasses.replace(self.overrides, **chosen)
            task = overrides.apply(self.task)
            info = ledger.run(run_id)
            if info is None:
                baseline = state.get("baseline_commit")
                if not baseline:
                    raise ValueError(f"run {run_id} is not in the ledger and names no baseline")
                rt = start_run(
                    task,
                    self.repo,
                    ledger,
                    overrides=overrides,
                    run_id=run_id,
                    baseline=baseline,
                    evaluator=self._evaluator,
                    provider=self._provider,
                    host=True,
                )
            else:
                rt = make_runtime(
                    task,
                    self.repo,
                    ledger,
                    run_id,
                    str(info["baseline"]),
                    state_dir(self.repo),
                    evaluator=self._evaluator,
                    provider=self._provider,
                )
            self._runs[run_id] = rt
            return rt

    def _open(self) -> Ledger:
        self._check_open()
        if self._ledger is None:
            sdir = state_dir(self.repo)
            self._stack.enter_context(repo_lock(sdir))
            ledger = Ledger(sdir / "ledger.db")
            self._stack.callback(ledger.close)
            self._ledger = ledger
        return self._ledger

    def _check_open(self) -> None:
        if self._closed:
            raise UserError(
                "this agentos runtime was closed",
                path=self.repo.root,
                fix="open a new one with `agentos.open_runtime(...)`",
            )

    def close(self) -> None:
        """Release the repository lock and the ledger; idempotent."""
        with self._mutex:
            self._closed = True
            self._runs.clear()
            self._ledger = None
            self._stack.close()
        drain()  # the last snapshot's removal

    def __enter__(self) -> Workspace:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


__all__ = ["Workspace"]
