"""Shared fixtures: one embedding router per session (loading the model costs seconds)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers import commit_all

from agentos.skill.router import EmbeddingRouter

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "skills"


@pytest.fixture(scope="session")
def router() -> EmbeddingRouter:
    return EmbeddingRouter()


@pytest.fixture
def example_repo(tmp_path: Path) -> Path:
    """A git repository holding a copy of examples/skills under `skills/`, one commit."""
    shutil.copytree(EXAMPLES, tmp_path / "skills")
    return commit_all(tmp_path, "skills")
