"""`AnthropicProvider.propose_batch`: several differing proposals in one Messages API call,
through the real SDK against the local fake."""

from __future__ import annotations

from agentos.providers.base import BatchProvider, ProposeRequest
from agentos.providers.llm import AnthropicProvider
from agentos.providers.llm.fake_api import FakeMessagesAPI, Malformed, ToolCall, propose_call
from agentos.task import Task


def _edit(value: str) -> dict[str, str]:
    return {"path": "train.py", "search": "lr = 0.1", "replace": f"lr = {value}"}


def _request(task: Task) -> ProposeRequest:
    return ProposeRequest(task=task, experiment=4, parent="abc123",
                          files={"train.py": "lr = 0.1\nsteps = 100\n"})


def test_one_call_returns_the_differing_proposals(task: Task, fake: FakeMessagesAPI) -> None:
    fake.enqueue(
        Malformed(),  # retried like any malformed answer
        ToolCall("propose_batch", {"proposals": [
            {"description": "lr 0.05", "edits": [_edit("0.05")]},
            {"description": "lr 0.05 again", "edits": [_edit("0.05")]},  # a repeat: left out
            {"description": "lr 0.2", "edits": [_edit("0.2")]},
            {"description": "lr 0.3", "edits": [_edit("0.3")]},
            {"description": "lr 0.4", "edits": [_edit("0.4")]},  # beyond the count asked for
        ]}),
    )
    provider = AnthropicProvider(task, base_url=fake.base_url)
    assert isinstance(provider, BatchProvider)
    proposals = provider.propose_batch(_request(task), 4)
    assert [p.description for p in proposals] == ["lr 0.05", "lr 0.2", "lr 0.3"]
    assert proposals[0].usage.tokens_in > 0  # the call's usage, on the first only
    assert all(p.usage.tokens_in == 0 for p in proposals[1:])
    assert provider.spent.tokens_in == proposals[0].usage.tokens_in
    body = fake.message_requests[-1].body
    assert body["tool_choice"] == {"type": "tool", "name": "propose_batch"}
    schema = body["tools"][0]["input_schema"]["properties"]["proposals"]
    assert schema["minItems"] == schema["maxItems"] == 4
    assert "experiments 4 to 7" in body["messages"][0]["content"][-1]["text"]


def test_a_batch_of_one_is_an_ordinary_proposal(task: Task, fake: FakeMessagesAPI) -> None:
    fake.enqueue(propose_call("lr 0.05", [_edit("0.05")]))
    (proposal,) = AnthropicProvider(task, base_url=fake.base_url).propose_batch(_request(task), 1)
    assert proposal.description == "lr 0.05"
    assert fake.message_requests[0].body["tool_choice"]["name"] == "propose"
