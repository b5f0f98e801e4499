"""`replay:PATH`: record through the fake once, then replay the same run with no server at all."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agentos.errors import UserError
from agentos.providers.base import ProposeRequest, ReviewRequest, get_provider
from agentos.providers.llm import ReplayProvider, ResponseError
from agentos.providers.llm.fake_api import FakeMessagesAPI, TextReply, propose_call, review_call
from agentos.task import Task

EDIT = {"path": "train.py", "search": "x = 1", "replace": "x = 2"}


def _propose(task: Task, experiment: int = 1) -> ProposeRequest:
    return ProposeRequest(task=task, experiment=experiment, parent="p",
                          files={"train.py": "x = 1\n"})


def _review(task: Task) -> ReviewRequest:
    return ReviewRequest(task=task, diff="-x = 1\n+x = 2\n", changed=["train.py"],
                         before={}, after={})


def test_record_then_replay(
    task: Task, tmp_path: Path, fake: FakeMessagesAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    tape = tmp_path / "tape.jsonl"
    fake.enqueue(TextReply(), propose_call("one", [EDIT]), review_call(),
                 propose_call("two", [EDIT]))
    monkeypatch.setenv("ANTHROPIC_BASE_URL", fake.base_url)
    monkeypatch.setenv("AGENTOS_REPLAY_RECORD", "1")
    recorder = get_provider(f"replay:{tape}", task)
    assert isinstance(recorder, ReplayProvider) and recorder.record
    recorded = [recorder.propose(_propose(task)), recorder.review(_review(task)),
                recorder.propose(_propose(task, 2))]
    assert len(fake.message_requests) == 4
    entries = [json.loads(line) for line in tape.read_text().splitlines()]
    assert len(entries) == 4 and all(e["digest"].startswith("sha256:") for e in entries)
    assert entries[0]["digest"] == entries[1]["digest"]  # the malformed answer was retried

    fake.stop()
    monkeypatch.delenv("AGENTOS_REPLAY_RECORD")
    monkeypatch.delenv("ANTHROPIC_BASE_URL")
    player = get_provider(f"replay:{tape}", task)
    replayed = [player.propose(_propose(task)), player.review(_review(task)),
                player.propose(_propose(task, 2))]
    assert replayed == recorded
    assert isinstance(player, ReplayProvider) and player.spent == recorder.spent

    with pytest.raises(UserError, match=r"tape.jsonl: no recorded response for request sha256:"):
        player.propose(_propose(task, 3))


def test_replayed_malformed_answers_end_in_provider_error(task: Task, tmp_path: Path) -> None:
    tape = tmp_path / "bad.jsonl"
    probe = ReplayProvider(task, tape, record=True)
    from agentos.providers.llm.claude import digest
    from agentos.providers.llm.prompts import PROPOSE_TOOL, propose_prompt

    key = digest(probe.payload(*propose_prompt(_propose(task)), PROPOSE_TOOL))
    tape.write_text("".join(json.dumps({"digest": key, "response": None}) + "\n"
                            for _ in range(3)))
    with pytest.raises(ResponseError, match="malformed response 3 times"):
        ReplayProvider(task, tape).propose(_propose(task))


def test_replay_file_errors(task: Task, tmp_path: Path) -> None:
    with pytest.raises(UserError, match="replay file not found"):
        get_provider(f"replay:{tmp_path / 'none.jsonl'}", task)
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"response": {}}\n')
    with pytest.raises(UserError, match="line 1: needs a digest"):
        get_provider(f"replay:{bad}", task)
