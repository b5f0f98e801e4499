"""The no-real-requests switch: real hosts raise, the local fake stays reachable."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from agentos.providers.base import ProposeRequest
from agentos.providers.llm import AnthropicProvider, ModelRequestsDisallowed, guard
from agentos.providers.llm.fake_api import FakeMessagesAPI, propose_call
from agentos.task import Task


def _request(task: Task) -> ProposeRequest:
    return ProposeRequest(task=task, experiment=1, parent="p", files={"train.py": "lr = 0.1\n"})


def test_real_host_raises_before_any_request(task: Task) -> None:
    provider = AnthropicProvider(task, api_key="sk-test", base_url="https://api.anthropic.com")
    with pytest.raises(ModelRequestsDisallowed, match=r"api\.anthropic\.com"):
        provider.propose(_request(task))
    with pytest.raises(ModelRequestsDisallowed):
        provider.count_tokens(provider.payload([], [], {"name": "x", "input_schema": {
            "type": "object"}}))


def test_ban_is_not_a_provider_error(task: Task) -> None:
    """The loop turns ProviderError into `rejected`; a banned request must fail the test instead."""
    from agentos.providers.base import ProviderError

    assert not issubclass(ModelRequestsDisallowed, ProviderError)


def test_fake_on_loopback_is_allowed(task: Task, fake: FakeMessagesAPI) -> None:
    fake.enqueue(propose_call("x", [{"path": "train.py", "search": "0.1", "replace": "0.2"}]))
    provider = AnthropicProvider(task, base_url=fake.base_url)
    assert provider.propose(_request(task)).description == "x"


def test_switch_and_environment_each_turn_requests_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(guard.ENV)
    with guard.allow_model_requests(True):
        guard.check_request_allowed("https://api.anthropic.com")
        monkeypatch.setenv(guard.ENV, "0")
        with pytest.raises(ModelRequestsDisallowed):
            guard.check_request_allowed("https://api.anthropic.com")
    monkeypatch.delenv(guard.ENV)
    with pytest.raises(ModelRequestsDisallowed):
        guard.check_request_allowed("https://api.anthropic.com")


@pytest.mark.parametrize(
    ("url", "local"),
    [
        ("http://127.0.0.1:8080", True),
        ("http://127.9.9.9", True),
        ("http://[::1]:9", True),
        ("http://localhost:1", True),
        ("https://api.anthropic.com", False),
        ("http://127.0.0.1.evil.example", False),
        ("http://10.0.0.1", False),
    ],
)
def test_loopback(url: str, local: bool) -> None:
    assert guard.is_loopback(url) is local


def test_environment_turns_it_off_in_subprocesses() -> None:
    env = {**os.environ, guard.ENV: "0"}
    code = "from agentos.providers.llm import guard; print(guard.requests_allowed())"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.stdout.strip() == "False"
