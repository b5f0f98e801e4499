"""Shared fixtures: one embedding router per session (loading the model costs seconds)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from agentos.skill.router import EmbeddingRouter

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "skills"


@pytest.fixture(scope="session")
def router() -> EmbeddingRouter:
    return EmbeddingRouter()


@pytest.fixture
def example_repo(tmp_path: Path) -> Path:
    """A git repository holding a copy of examples/skills under `skills/`, one commit."""
    shutil.copytree(EXAMPLES, tmp_path / "skills")
    env = ["-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    subprocess.run(["git", "-C", str(tmp_path), "add", "."], check=True)
    subprocess.run(["git", "-C", str(tmp_path), *env, "commit", "-qm", "skills"], check=True)
    return tmp_path
