"""The gating engine: what a run pins before its first candidate, and how the task's tools run on a
candidate (stages, `GateRun`). Tools themselves are plugins (`agentos.tools`, entry points); the
engine never names one.
"""

from __future__ import annotations

from pathlib import Path

from agentos.git import Repo
from agentos.integrity import Pins
from agentos.measure import snapshot_dir
from agentos.sandbox import Sandbox
from agentos.task import Task
from agentos.tool import ToolContext, pin_tools, pins_needed


def pin_baseline(
    task: Task, repo: Repo, commit: str, sandbox: Sandbox, trusted: Path, pins: Pins | None = None
) -> None:
    """Fill the trusted folder a run's gates read: the protected files' pins (`pins`, else made
    from `commit`), then every task tool's own pins (its pin hook, on a snapshot of `commit`).
    A hook's refusal raises `agentos.tool.PinFailed`."""
    (pins if pins is not None else Pins.of_commit(repo, commit, task)).write(trusted)
    if pins_needed(task.tools):
        with snapshot_dir(repo, commit) as base:
            ctx = ToolContext(
                tree=base, changed=[], task=task, sandbox=sandbox, trusted_dir=trusted
            )
            pin_tools(task.tools, ctx)
