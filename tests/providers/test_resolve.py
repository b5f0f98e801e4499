"""`agentos.providers.resolve`: the one place that decides Claude or offline."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentos.providers import resolve, uses_claude
from agentos.providers.base import get_provider
from agentos.providers.heuristic import HeuristicProvider
from agentos.task import MetricSpec, Task


def test_auto_is_offline_without_a_key() -> None:  # conftest clears the key and the base URL
    assert resolve("auto") == "heuristic"
    assert not uses_claude()


def test_auto_is_claude_with_a_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-test")
    assert resolve("auto") == "anthropic"
    assert uses_claude()


@pytest.mark.parametrize(("url", "claude"), [("http://127.0.0.1:8765", True),
                                             ("http://localhost:1", True),
                                             ("https://api.anthropic.com", False)])
def test_a_local_fake_api_needs_no_key(monkeypatch: pytest.MonkeyPatch, url: str,
                                       claude: bool) -> None:
    monkeypatch.setenv("ANTHROPIC_BASE_URL", url)
    assert uses_claude() is claude


def test_anthropic_without_a_key_falls_back_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    assert resolve("anthropic:claude-x") == "heuristic"
    assert "ANTHROPIC_API_KEY is not set" in caplog.text


def test_anthropic_with_a_key_keeps_its_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-test")
    assert resolve("anthropic:claude-x") == "anthropic:claude-x"


@pytest.mark.parametrize("spec", ["heuristic", "heuristic:tpe", "mock:x", "script:a.jsonl"])
def test_other_specs_are_themselves(spec: str) -> None:
    assert resolve(spec) == spec


def test_get_provider_resolves_auto(tmp_path: Path) -> None:
    task = Task(root=tmp_path, path=tmp_path / "agentos.toml", name="t", editable=("*.py",),
                protected=(), metric=MetricSpec(("python", "evaluate.py"), "min", regex=r"(\S+)"))
    assert isinstance(get_provider("auto", task), HeuristicProvider)
    assert isinstance(get_provider("anthropic", task), HeuristicProvider)  # no key: offline
