"""`script:PATH` and `mock` providers: canned answers, in order, and clear errors for bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agentos.errors import UserError
from agentos.providers.base import (
    Check,
    Proposal,
    ProposeRequest,
    ProviderError,
    Review,
    ReviewRequest,
    get_provider,
)
from agentos.providers.llm import MockProvider, ScriptProvider, install_mock
from agentos.task import Task


def _propose(task: Task) -> ProposeRequest:
    return ProposeRequest(task=task, experiment=1, parent="p", files={"train.py": "x = 1\n"})


def _review(task: Task) -> ReviewRequest:
    return ReviewRequest(task=task, diff="", changed=["train.py"], before={}, after={})


def _write(path: Path, *lines: object) -> Path:
    path.write_text("\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n")
    return path


def test_script_answers_in_order(task: Task, tmp_path: Path) -> None:
    script = _write(
        tmp_path / "s.jsonl",
        {"type": "proposal", "description": "one",
         "edits": [{"path": "train.py", "search": "x = 1", "replace": "x = 2"}],
         "usage": {"tokens_in": 10, "tokens_out": 2, "cost_usd": 0.5}},
        "",
        {"type": "review", "checks": [{"name": "no-tampering", "passed": False, "reason": "r"}]},
        {"type": "proposal", "description": "two", "components": {"SKILL.md": "text"}},
        {"type": "error", "for": "proposal", "message": "the model refused"},
    )
    provider = get_provider(f"script:{script}", task)
    first = provider.propose(_propose(task))
    assert (first.description, first.usage.cost_usd) == ("one", 0.5)
    assert provider.review(_review(task)).checks == (Check("no-tampering", False, "r"),)
    assert provider.propose(_propose(task)).components == {"SKILL.md": "text"}
    with pytest.raises(ProviderError, match=r"s\.jsonl line 5: the model refused"):
        provider.propose(_propose(task))
    with pytest.raises(ProviderError, match="no proposal left"):
        provider.propose(_propose(task))
    with pytest.raises(ProviderError, match="no review left"):
        provider.review(_review(task))


def test_script_path_relative_to_the_task_root(task: Task) -> None:
    _write(task.root / "scenario.jsonl", {"type": "review", "checks": [
        {"name": "simplicity", "passed": True, "reason": "small"}]})
    assert isinstance(get_provider("script:scenario.jsonl", task), ScriptProvider)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "line 2: not JSON"),
        ("[1, 2]", "line 2: not a JSON object"),
        ({"type": "guess"}, "line 2: unknown type 'guess'"),
        ({"type": "proposal", "description": "d"}, "line 2: a proposal needs edits or components"),
        ({"type": "proposal", "description": "d", "edits": [{"path": "a", "search": "b"}]},
         "line 2: edits\\[0\\].replace must be a string"),
        ({"type": "proposal", "description": "d", "components": {"a": 1}},
         "line 2: components must map"),
        ({"type": "review", "checks": [{"name": "x", "passed": "yes", "reason": ""}]},
         "line 2: checks\\[0\\].passed must be true or false"),
        ({"type": "review", "checks": []}, "line 2: a review needs at least one check"),
        ({"type": "error", "message": "m"}, "line 2: an error line needs"),
        ({"type": "proposal", "description": "d", "components": {"a": "b"},
          "usage": {"dollars": 1}}, "line 2: usage must be"),
    ],
)
def test_bad_script_line_names_file_and_line(
    task: Task, tmp_path: Path, line: object, message: str
) -> None:
    script = _write(tmp_path / "bad.jsonl", {"type": "review", "checks": [
        {"name": "n", "passed": True, "reason": "r"}]}, line)
    with pytest.raises(UserError, match=f"bad.jsonl: {message}") as info:
        get_provider(f"script:{script}", task)
    assert "fix:" in str(info.value)


def test_script_missing_or_empty(task: Task, tmp_path: Path) -> None:
    with pytest.raises(UserError, match="script file not found"):
        get_provider(f"script:{tmp_path / 'nope.jsonl'}", task)
    with pytest.raises(UserError, match="needs a file"):
        get_provider("script", task)
    with pytest.raises(UserError, match="the script is empty"):
        get_provider(f"script:{_write(tmp_path / 'e.jsonl', '')}", task)


def test_mock_queue_callable_and_errors(task: Task) -> None:
    review = Review((Check("simplicity", True, "ok"),))
    mock = MockProvider(
        proposals=[Proposal("a", components={"x": "y"}), ProviderError("boom")],
        reviews=lambda request: review,
    )
    assert mock.propose(_propose(task)).description == "a"
    with pytest.raises(ProviderError, match="boom"):
        mock.propose(_propose(task))
    with pytest.raises(ProviderError, match="no proposal left"):
        mock.propose(_propose(task))
    assert mock.review(_review(task)) is review
    assert [r.experiment for r in mock.propose_requests] == [1, 1, 1]
    assert len(mock.review_requests) == 1


def test_installed_mock_is_a_provider_spec(task: Task) -> None:
    mock = MockProvider(proposals=lambda request: Proposal(f"exp {request.experiment}",
                                                           components={"a": "b"}))
    install_mock("unit", mock)
    assert get_provider("mock:unit", task) is mock
    assert mock.propose(_propose(task)).description == "exp 1"
    with pytest.raises(UserError, match="no mock provider installed as 'other'"):
        get_provider("mock:other", task)
