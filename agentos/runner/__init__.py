"""Running and resuming the loop on a repository: the library behind `agentos run` and `resume`.

- `entry`: `run`, `resume` and `open_runtime` (embedding): load the task, check it, take the lock.
- `start`: the state folder and lock, `make_runtime`, the forgery guard, `start_run`.
- `driver`: `drive` a run to its end from its checkpoint, and the `RunSummary` it ends with.
"""

from agentos.runner.driver import Answer, RunSummary, drive, summarize
from agentos.runner.entry import open_runtime, recorded_task, resume, run
from agentos.runner.start import (
    STATE_DIR,
    Overrides,
    forgery_guard,
    make_runtime,
    new_run_id,
    repo_lock,
    start_run,
    state_dir,
)

__all__ = [
    "STATE_DIR",
    "Answer",
    "Overrides",
    "RunSummary",
    "drive",
    "forgery_guard",
    "make_runtime",
    "new_run_id",
    "open_runtime",
    "recorded_task",
    "repo_lock",
    "resume",
    "run",
    "start_run",
    "state_dir",
    "summarize",
]
