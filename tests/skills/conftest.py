"""Shared fixtures: one embedding router per session (loading the model costs seconds)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import commit_all
from skill_helpers import SKILL_EXAMPLES

from agentos.skill.router import EmbeddingRouter


@pytest.fixture(scope="session")
def shared_router() -> EmbeddingRouter:
    return EmbeddingRouter()


@pytest.fixture
def router(shared_router: EmbeddingRouter) -> Iterator[EmbeddingRouter]:
    """The session's router, its "none" threshold and floor restored after each test
    (`tune_skills` calibrates it), so no test depends on the order they run in."""
    threshold, floor = shared_router.threshold, shared_router.floor
    yield shared_router
    shared_router.threshold, shared_router.floor = threshold, floor


@pytest.fixture
def example_repo(tmp_path: Path) -> Path:
    """A git repository holding a copy of examples/skills under `skills/`, one commit."""
    shutil.copytree(SKILL_EXAMPLES, tmp_path / "skills")
    return commit_all(tmp_path, "skills")
