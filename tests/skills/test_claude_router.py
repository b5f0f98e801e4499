"""The Claude router through the real `anthropic` SDK against the local fake Messages API: it lists
names and descriptions the way a coding agent sees them, maps "none", caches, retries malformed
answers, and cannot reach a real host from a test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from skill_helpers import keyword_route

from agentos.providers.base import ProviderError
from agentos.providers.llm import guard
from agentos.providers.llm.fake_api import FakeMessagesAPI, TextReply, ToolCall
from agentos.skill import SkillEvaluator
from agentos.skill.claude_router import ClaudeRouter
from agentos.skill.evals import EvalItem
from agentos.skillfile import Skill

SKILLS = [
    Skill("deploy-service", "Deploy or ship a service to production.", "Steps.\n", Path("d")),
    Skill("write-docs", "Write user documentation and guides.", "Steps.\n", Path("w")),
]


@pytest.fixture
def fake() -> Iterator[FakeMessagesAPI]:
    with FakeMessagesAPI() as server:
        server.responder = keyword_route
        yield server


def test_routes_through_the_sdk_and_lists_names_and_descriptions(
    fake: FakeMessagesAPI,
) -> None:
    router = ClaudeRouter(base_url=fake.base_url, batch=2)
    queries = ["ship the api", "write a guide", "what is the weather"]
    assert router.route(queries, SKILLS) == ["deploy-service", "write-docs", None]
    assert len(fake.message_requests) == 2  # batches of two
    body = fake.message_requests[0].body
    assert body["tool_choice"] == {"type": "tool", "name": "route"}
    system = body["system"][0]["text"]
    assert "<name>deploy-service</name>" in system and "Write user documentation" in system
    assert "Steps." not in system  # bodies are not what a coding agent chooses from
    assert router.spent.tokens_in > 0 and router.spent.cost_usd > 0
    router.route(queries, SKILLS)
    assert len(fake.message_requests) == 2  # cached: same queries, same skill list
    changed = [SKILLS[0], Skill("write-docs", "Author guides.", "Steps.\n", Path("w"))]
    router.route(queries[:1], changed)
    assert len(fake.message_requests) == 3  # a new description is a new listing


def test_malformed_answers_are_asked_again_then_refused(fake: FakeMessagesAPI) -> None:
    router = ClaudeRouter(base_url=fake.base_url, malformed_retries=1)
    fake.enqueue(TextReply(), ToolCall("route", {"choices": [{"id": 0, "skill": "rm-rf"}]}))
    with pytest.raises(ProviderError, match="not a listed skill"):
        router.route(["ship the api"], SKILLS)
    fake.enqueue(ToolCall("route", {"choices": []}))
    assert router.route(["ship the api"], SKILLS) == ["deploy-service"]  # second try answered


def test_a_failing_router_is_a_crash_status_not_a_raise(fake: FakeMessagesAPI) -> None:
    router = ClaudeRouter(base_url=fake.base_url, malformed_retries=0)
    fake.enqueue(TextReply())
    items = [
        EvalItem("ship it", "deploy-service", "clean", "train"),
        EvalItem("ship now", "deploy-service", "clean", "holdout"),
    ]
    result = SkillEvaluator(items, router).evaluate_skills(SKILLS)
    assert result.status == "crash" and "router" in result.reason


def test_no_real_host_is_reachable_from_a_test(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(guard, "ALLOW_MODEL_REQUESTS", False)
    router = ClaudeRouter(api_key="sk-test", base_url="https://api.anthropic.com")
    with pytest.raises(guard.ModelRequestsDisallowed):
        router.route(["ship it"], SKILLS)


def test_a_model_that_refuses_forced_tool_choice_is_asked_with_auto(
    fake: FakeMessagesAPI,
) -> None:
    router = ClaudeRouter(base_url=fake.base_url, model="claude-opus-5-5")
    assert router.route(["ship the api"], SKILLS) == ["deploy-service"]
    assert fake.message_requests[0].body["tool_choice"] == {"type": "auto"}
