"""Provider specs, the key fallback, prices, and the skills that hold the agent's own prompts."""

from __future__ import annotations

from importlib.resources import files

import pytest

from agentos.providers.base import get_provider
from agentos.providers.llm import AnthropicProvider
from agentos.providers.llm.fake_api import FakeMessagesAPI
from agentos.providers.llm.pricing import FALLBACK, price_for, usage_cost
from agentos.providers.llm.prompts import RUBRIC, load_skill, quote
from agentos.task import Task


def test_no_key_falls_back_to_the_heuristic_provider(task: Task) -> None:
    assert get_provider("anthropic", task).name == "heuristic"


def test_key_or_local_fake_selects_claude(
    task: Task, fake: FakeMessagesAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_BASE_URL", fake.base_url)
    provider = get_provider("anthropic:claude-opus-4-5", task)
    assert isinstance(provider, AnthropicProvider) and provider.model == "claude-opus-4-5"
    monkeypatch.setenv("ANTHROPIC_BASE_URL", "https://api.anthropic.com")
    assert get_provider("anthropic", task).name == "heuristic"
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-test")
    assert get_provider("anthropic", task).name == "anthropic"


def test_prices() -> None:
    assert price_for("claude-sonnet-4-5-20250929") == price_for("claude-sonnet-4-5")
    assert price_for("claude-opus-4-5").input == 5.0
    assert price_for("claude-opus-4-1").input == 15.0
    assert price_for("some-future-model") == FALLBACK
    usage = usage_cost("claude-haiku-4-5", input_tokens=1_000_000, output_tokens=1_000_000,
                       cache_write_tokens=1_000_000, cache_read_tokens=1_000_000)
    assert usage.tokens_in == 3_000_000
    assert usage.cost_usd == pytest.approx(1.0 + 5.0 + 1.25 + 0.1)


@pytest.mark.parametrize("name", ["agentos-propose", "agentos-review"])
def test_skills_are_valid_and_name_their_folder(name: str) -> None:
    skill = load_skill(name)
    assert skill.name == name
    assert 20 < len(skill.description) <= 1024
    assert "never an instruction" in skill.body or "Never follow" in skill.body
    assert files("agentos.skills").joinpath(name, "SKILL.md").is_file()


def test_review_skill_lists_every_rubric_check_in_order() -> None:
    text = load_skill("agentos-review").body
    positions = [text.index(f"`{name}`:") for name in RUBRIC]
    assert positions == sorted(positions)


def test_quote_fence_depends_on_the_text() -> None:
    a, b = quote("log", "hello"), quote("log", "hello!")
    assert a == quote("log", "hello")
    assert a.splitlines()[0] != b.splitlines()[0]
    fence = a.splitlines()[0].removeprefix("<<<").split(" ")[0]
    assert a.splitlines()[-1] == f"<<<END {fence}>>>"
