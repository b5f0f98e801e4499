"""Fixtures for the LLM provider tests: a task, the fake Messages API, and no real requests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from agentos.providers.llm import guard
from agentos.providers.llm.fake_api import FakeMessagesAPI
from agentos.task import Task, parse_task


@pytest.fixture(autouse=True)
def _no_real_requests(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(guard, "ALLOW_MODEL_REQUESTS", False)
    monkeypatch.setenv(guard.ENV, "0")
    for name in ("ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", "AGENTOS_REPLAY_RECORD"):
        monkeypatch.delenv(name, raising=False)


def _make_task(root: Path, **budget: float) -> Task:
    data = {
        "task": {"name": "demo", "editable": ["train.py", "skills/*/SKILL.md"],
                 "protected": ["evaluate.py"]},
        "metric": {"command": "python evaluate.py", "goal": "min", "regex": r"loss=(\S+)"},
        "budget": {"experiments": 5, **budget},
        "llm": {"model": "claude-haiku-4-5"},
    }
    return parse_task(data, root=root, path=root / "agentos.toml")


MakeTask = Callable[..., Task]


@pytest.fixture
def make_task(tmp_path: Path) -> MakeTask:
    """Build the demo task with budget keys, e.g. `make_task(dollars=0.01)`."""
    return lambda **budget: _make_task(tmp_path, **budget)


@pytest.fixture
def task(tmp_path: Path) -> Task:
    return _make_task(tmp_path)


@pytest.fixture
def fake() -> Iterator[FakeMessagesAPI]:
    with FakeMessagesAPI() as server:
        yield server
