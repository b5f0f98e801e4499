"""The frozen runtime context the graph's nodes close over: not state, never checkpointed.

It holds what cannot or must not live in a checkpoint: the task, the repository, the ledger, the
provider, the strategy, the sandbox and the evaluator. What identifies a run (its id and baseline
commit, from which its refs derive) is graph state; a `RunSource` turns that state into the run's
runtime, so a graph resumed from a checkpoint in another process continues its own run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypedDict

from agentos.evaluate import Evaluator
from agentos.git import Repo
from agentos.integrity import Pins
from agentos.ledger import Ledger
from agentos.providers.base import Provider
from agentos.sandbox import Sandbox
from agentos.state import LoopState
from agentos.strategies.base import Strategy
from agentos.task import Task


@dataclass(frozen=True)
class Runtime:
    task: Task
    repo: Repo
    run_id: str
    ledger: Ledger
    provider: Provider
    strategy: Strategy
    sandbox: Sandbox
    evaluator: Evaluator
    state_dir: Path
    pins: Pins = field(default_factory=lambda: Pins({}))
    baseline_commit: str = ""
    propose_retries: int = 2

    @property
    def best_ref(self) -> str:
        return f"refs/agentos/{self.run_id}/best"

    @property
    def branch_ref(self) -> str:
        return f"refs/heads/agentos/{self.run_id}"

    def experiment_ref(self, exp_id: int) -> str:
        return f"refs/agentos/{self.run_id}/exp/{exp_id}"

    @property
    def run_dir(self) -> Path:
        return self.state_dir / "runs" / self.run_id

    def begin(self, settings: RunSettings | None = None) -> RunStart:
        """The run this runtime was made for (see `RunSource`); its task is fixed, so
        `settings` must be empty."""
        if settings is not None and settings.chosen():
            raise RunMismatch(
                "a graph built for one run takes no RunSettings: build it from "
                "`open_runtime(...)` to choose settings per run"
            )
        return {"run_id": self.run_id, "baseline_commit": self.baseline_commit}

    def runtime_for(self, state: LoopState) -> Runtime:
        """This runtime, for the state of its own run; a checkpoint of another run is refused."""
        run_id = state.get("run_id")
        if run_id and run_id != self.run_id:
            raise RunMismatch(
                f"this graph was built for run {self.run_id} but its checkpoint belongs to run "
                f"{run_id}: build it from `open_runtime(...)` to continue runs from checkpoints"
            )
        return self


class RunStart(TypedDict, total=False):
    """What the `start` node writes into a new run's state: `settings` are the run's own
    `RunSettings` (JSON-shaped), kept in the state so a resumed run keeps them."""

    run_id: str
    baseline_commit: str
    settings: dict[str, object]


@dataclass(frozen=True)
class RunSettings:
    """Settings a host may choose per run, through the graph's context:
    `graph.invoke({}, context=RunSettings(budget=5))`. Unset fields keep the task's (and
    `open_runtime`'s) values; they are fixed when the run starts and kept across resumes."""

    budget: int | None = None
    checkin_every: int | None = None
    strategy: str | None = None
    seed: int | None = None

    def chosen(self) -> dict[str, Any]:
        """The fields set, as JSON-shaped data."""
        return {k: v for k, v in vars(self).items() if v is not None}


class RunMismatch(RuntimeError):
    """A graph built for one run was given the checkpoint of another."""


class RunSource(Protocol):
    """Where the graph's nodes get their runtime: from the run named in the graph state.

    `begin` names a new run (its id, baseline commit and settings) without recording anything;
    `runtime_for` returns the runtime of the run in `state`, recording the run the first time it
    is used. A `Runtime` is the source of its one run; `open_runtime` returns one that serves
    any run of its repository (one per LangGraph thread)."""

    def begin(self, settings: RunSettings | None = None) -> RunStart: ...

    def runtime_for(self, state: LoopState) -> Runtime: ...
