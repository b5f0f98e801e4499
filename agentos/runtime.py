"""The frozen runtime context the graph's nodes close over: not state, never checkpointed.

It holds what cannot or must not live in a checkpoint: the task, the repository, the ledger, the
provider, the strategy, the sandbox and the evaluator.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from agentos.evaluator import Evaluator
from agentos.git import Repo
from agentos.ledger import Ledger
from agentos.providers.base import Provider
from agentos.sandbox import Sandbox
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
    pins: dict[str, str] = field(default_factory=dict)
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
