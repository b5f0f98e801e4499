"""The task model: what a validated `agentos.toml` says, as frozen dataclasses.

The parsed `Task` is part of the runtime context, never of the graph state. Reading and validating
the file is `agentos.task.parse`; matching paths against its globs is `agentos.task.globs`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from agentos.profile import Profile
from agentos.settings.space import Space
from agentos.task.globs import any_glob

Goal = Literal["min", "max"]
ReviewMode = Literal["off", "advisory", "blocking"]

TASK_FILE = "agentos.toml"
# claude-sonnet-4-5 retires on 2026-11-30. The default is the newest model that takes the forced
# tool choice agentos relies on (the 5.5 models refuse it and are asked with `auto` instead:
# `agentos.providers.llm.client.tool_choice`).
DEFAULT_MODEL = "claude-sonnet-5"


@dataclass(frozen=True)
class MetricSpec:
    """How to run the metric command and read its one number.

    Exactly one of `regex` (matched against stdout, exactly one match) or `json_file` plus
    `json_key` (a file the command writes into `$AGENTOS_OUTPUT`) is set.
    """

    command: tuple[str, ...]
    goal: Goal
    regex: str | None = None
    json_file: str | None = None
    json_key: str | None = None
    timeout: float = 60.0


@dataclass(frozen=True)
class Budget:
    experiments: int = 20
    wall_time: float | None = None
    patience: int | None = None
    target: float | None = None
    tokens: int | None = None
    dollars: float | None = None


@dataclass(frozen=True)
class Search:
    strategy: str = "greedy"
    seed: int = 0
    noise_reruns: int = 3
    space: Space = ()  # the `[search.space]` table (`agentos.settings.space`)


@dataclass(frozen=True)
class Scale:
    """How many experiments run at once and where (`[run]`, `[executor]`, `[sandbox] gpus`):
    docs/scale-out.md. `gpus` devices per experiment, at most `per_gpu` experiments on one device;
    `on_stop` says what a stop rule (but the experiment budget) does to the experiments in flight:
    "finish" them or "cancel" them."""

    workers: int = 1
    executor: str = "local"
    address: str | None = None
    gpus: int = 0
    per_gpu: int = 1
    on_stop: str = "finish"


@dataclass(frozen=True)
class Checkin:
    every: int = 0
    on_plateau: int = 0


@dataclass(frozen=True)
class ToolUse:
    """A tool node named in the task, used as a gate (blocking) or a signal (recorded only)."""

    name: str
    kind: Literal["gate", "signal"]
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Env:
    """`[env]`: the Python the metric runs with: "auto", "agentos" or a path (see
    `agentos.environment.resolve_python`)."""

    python: str = "auto"


@dataclass(frozen=True)
class Task:
    """A validated `agentos.toml`."""

    root: Path
    path: Path
    name: str
    editable: tuple[str, ...]
    protected: tuple[str, ...]
    metric: MetricSpec
    budget: Budget = Budget()
    search: Search = Search()
    checkin: Checkin = Checkin()
    tools: tuple[ToolUse, ...] = ()
    review: ReviewMode = "advisory"
    sandbox: str = "auto"
    gpu: bool = False
    provider: str = "auto"
    model: str = DEFAULT_MODEL
    credit_horizon: int = 8
    canary: str | None = None
    canary_every: int = 0
    accept_forgery_risk: tuple[str, ...] = ()
    raw: Mapping[str, Any] = field(default_factory=dict)
    env: Env = Env()
    scale: Scale = Scale()
    profile: Profile = field(default_factory=Profile)

    def is_editable(self, path: str) -> bool:
        return not self.is_protected(path) and any_glob(self.editable).fullmatch(path) is not None

    def is_protected(self, path: str) -> bool:
        """Protected globs, plus agentos' own task file, which no candidate may change."""
        return path == TASK_FILE or any_glob(self.protected).fullmatch(path) is not None
