"""`agentos init`: look at a repository and write a commented agentos.toml skeleton."""

from __future__ import annotations

from pathlib import Path

from agentos.errors import UserError
from agentos.git import Repo
from agentos.task import TASK_FILE

_EVALUATOR_HINTS = ("evaluate.py", "eval.py", "prepare.py", "benchmark.py", "score.py")
_SETTINGS_HINTS = (
    "settings.py",
    "config.py",
    "train.py",
    "params.toml",
    "config.toml",
    "config.json",
)


def write_skeleton(path: Path | str) -> Path:
    """Write `agentos.toml` at the repository root; refuse to overwrite an existing one."""
    repo = Repo(path)
    target = repo.root / TASK_FILE
    if target.exists():
        raise UserError("already exists", path=target, fix="edit it, or remove it to start over")
    files = {p for p in repo.entries("HEAD")}
    editable = [p for p in sorted(files) if Path(p).name in _SETTINGS_HINTS] or ["settings.py"]
    evaluator = next((p for p in sorted(files) if Path(p).name in _EVALUATOR_HINTS), "evaluate.py")
    protected = [evaluator] + (["tests/**"] if any(p.startswith("tests/") for p in files) else [])
    text = f'''# agentos task for {repo.root.name}. Delete the keys you do not need.

[task]
name = "{repo.root.name}"
# Files the agent may change (globs, relative to the repository root).
editable = {_toml_list(editable)}
# Files it may never change: the evaluator, tests, data. They are hash-pinned when a run starts.
protected = {_toml_list(protected)}

[metric]
# The command that measures a candidate; it runs in a sandbox on a snapshot of the commit.
command = "python {evaluator}"
# Read the number from stdout with a regex (exactly one match), or from a JSON file the command
# writes into $AGENTOS_OUTPUT: json_file = "metrics.json" and json_key = "score".
regex = '^score:\\s*(?P<value>\\S+)$'
goal = "max"        # or "min"
timeout = 60        # seconds per run

[budget]
experiments = 20
# wall_time = 3600  # seconds
# patience = 10     # stop after this many experiments without a gain
# target = 0.95     # stop when the best reaches this

[search]
strategy = "greedy" # see `agentos run --help` and docs/search.md
seed = 0
# noise_reruns = 2  # re-run the baseline to measure noise; gains inside it are re-measured

[checkin]
every = 0           # pause for a human every N experiments (0: never)

[sandbox]
backend = "auto"    # bwrap, unshare, or "local" (no security boundary)
'''
    target.write_text(text, encoding="utf-8")
    return target


def _toml_list(items: list[str]) -> str:
    return "[" + ", ".join(f'"{i}"' for i in items) + "]"
