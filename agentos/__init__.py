"""agentos: improve code, skills and prompts by experiment, without being fooled by the score.

The public API: `build_graph` returns the loop as a compiled LangGraph graph (add it to a host app
as a node or subgraph); `open_runtime` prepares a repository for it; `run` and `resume` drive it
to the end as `agentos run` does.
"""

from agentos.errors import UserError
from agentos.graph import build_graph
from agentos.runner import Overrides, RunSummary, open_runtime, resume, run
from agentos.runtime import Runtime
from agentos.task import Task, load_task

__all__ = [
    "Overrides",
    "RunSummary",
    "Runtime",
    "Task",
    "UserError",
    "build_graph",
    "load_task",
    "open_runtime",
    "resume",
    "run",
]
