"""Shared fixtures: throwaway git repositories, and no way to reach a real model."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import make_repo, quickstart_copy


@pytest.fixture(autouse=True)
def _no_real_models(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test may reach a real model: no key, and the providers' request switch off."""
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.delenv("ANTHROPIC_BASE_URL", raising=False)
    monkeypatch.delenv("AGENTOS_REPLAY_RECORD", raising=False)
    monkeypatch.setenv("AGENTOS_ALLOW_MODEL_REQUESTS", "0")
    try:
        from agentos.providers.llm import guard
    except ImportError:  # no model SDK here (a bare GPU host): no request can be made at all
        return
    monkeypatch.setattr(guard, "ALLOW_MODEL_REQUESTS", False)


@pytest.fixture
def repo_factory(tmp_path: Path) -> Callable[..., Path]:
    def factory(files: dict[str, str], name: str = "repo") -> Path:
        return make_repo(tmp_path / name, files)

    return factory


@pytest.fixture
def quickstart(tmp_path: Path) -> Path:
    """A fresh git copy of examples/quickstart."""
    return quickstart_copy(tmp_path / "quickstart")
