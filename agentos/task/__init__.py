"""The task spec: what `agentos.toml` declares, parsed and validated.

- `model`: the frozen `Task` and its parts (`MetricSpec`, `Budget`, `Search`, `Scale`, ...).
- `parse`: `load_task` and `parse_task`, the known keys (`KNOWN_KEYS`, kept equal to the published
  JSON Schema) and the one-line errors that name the file, the key and the fix.
- `reader`: typed access to the decoded TOML, failing the same way.
- `globs`: how the task's globs match repository paths (`glob_match`, `any_glob`).
"""

from agentos.task.globs import any_glob, glob_match
from agentos.task.model import (
    DEFAULT_MODEL,
    TASK_FILE,
    Budget,
    Checkin,
    Env,
    Goal,
    MetricSpec,
    ReviewMode,
    Scale,
    Search,
    Task,
    ToolUse,
)
from agentos.task.parse import KNOWN_KEYS, load_task, parse_task, unknown_key

__all__ = [
    "DEFAULT_MODEL",
    "KNOWN_KEYS",
    "TASK_FILE",
    "Budget",
    "Checkin",
    "Env",
    "Goal",
    "MetricSpec",
    "ReviewMode",
    "Scale",
    "Search",
    "Task",
    "ToolUse",
    "any_glob",
    "glob_match",
    "load_task",
    "parse_task",
    "unknown_key",
]
