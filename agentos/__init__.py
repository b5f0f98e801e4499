"""agentos: improve code, skills and prompts by experiment, without being fooled by the score.

The public API: `build_graph` returns the loop as a compiled LangGraph graph (add it to a host app
as a node or subgraph); `open_runtime` prepares a repository for it; `run` and `resume` drive it
to the end as `agentos run` does.

The names load on first use, so programs that run inside a sandbox (the trainer harness, the audit
hook) can import `agentos.*` modules without LangGraph.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from agentos.errors import UserError
    from agentos.graph import build_graph
    from agentos.runner import Overrides, RunSummary, open_runtime, resume, run
    from agentos.runtime import RunSettings, Runtime
    from agentos.task import Task, load_task
    from agentos.workspace import Workspace

_EXPORTS = {
    "Overrides": "agentos.runner",
    "RunSummary": "agentos.runner",
    "RunSettings": "agentos.runtime",
    "Runtime": "agentos.runtime",
    "Task": "agentos.task",
    "UserError": "agentos.errors",
    "build_graph": "agentos.graph",
    "load_task": "agentos.task",
    "open_runtime": "agentos.runner",
    "Workspace": "agentos.workspace",
    "resume": "agentos.runner",
    "run": "agentos.runner",
}

__all__ = [
    "Overrides",
    "RunSettings",
    "RunSummary",
    "Runtime",
    "Task",
    "UserError",
    "Workspace",
    "build_graph",
    "load_task",
    "open_runtime",
    "resume",
    "run",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'agentos' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
