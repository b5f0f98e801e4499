"""The LLM skill proposer: with a key set, `tune_skills` routes with Claude and asks Claude for
whole SKILL.md rewrites, through the real `anthropic` SDK against the local fake Messages API. The
prompt carries the train routing and never a held-out query; an answer that is not the target's
one file is refused."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers import git
from skill_helpers import keyword_route, write_skills

from agentos.providers.base import ProposeRequest, ProviderError
from agentos.providers.llm.claude import AnthropicProvider
from agentos.providers.llm.fake_api import (
    FakeMessagesAPI,
    Scripted,
    propose_call,
    review_call,
)
from agentos.providers.llm.mock import MockProvider
from agentos.skill import tune as tune_module
from agentos.skill import tune_skills
from agentos.skill.evals import EvalItem
from agentos.skill.gates import pin_gates
from agentos.skill.llm import SkillLLMProposer
from agentos.skill.loop import skill_set_task
from agentos.skill.router import EmbeddingRouter
from agentos.skillfile import load_skills

DESCRIPTIONS = {
    "deploy-service": "Deploy or ship a service to production.",
    "write-docs": "Write user documentation and guides.",
}
BODY = "Steps.\n\n- Never deploy on a Friday.\n"
REWRITE = {"deploy-service": "Deploy, ship or roll out a service to production."}
HELD_OUT = "roll out the app"


def model(body: dict[str, Any]) -> Scripted:
    """Routes, reviews, and rewrites the file the direction names (a new description for
    deploy-service, the same file otherwise)."""
    tool = body["tool_choice"]["name"]
    if tool == "route":
        return keyword_route(body)
    if tool == "review":
        return review_call()
    text = json.dumps(body["messages"])
    path = re.search(r"the one component (\S+?/SKILL\.md)", text)
    assert path is not None
    name = path.group(1).split("/")[-2]
    description = REWRITE.get(name, DESCRIPTIONS[name])
    new = f"---\nname: {name}\ndescription: {description}\n---\n{BODY}"
    return propose_call(f"reword {name}", components={path.group(1): new})


@pytest.fixture
def fake() -> Iterator[FakeMessagesAPI]:
    with FakeMessagesAPI() as server:
        server.responder = model
        yield server


def write_example(root: Path) -> Path:
    rows = [
        ("ship the api", "deploy-service", "train"),
        ("roll out the api", "deploy-service", "train"),
        ("write a guide", "write-docs", "train"),
        (HELD_OUT, "deploy-service", "holdout"),
        ("hello there", None, "holdout"),
    ]
    return write_skills(root, DESCRIPTIONS, rows, body=BODY, git=True)


def test_with_a_key_claude_routes_and_rewrites_and_never_sees_the_held_out_split(
    fake: FakeMessagesAPI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    skills = write_example(tmp_path)
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-test")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", fake.base_url)
    report = tune_skills(skills, tmp_path / "evals.jsonl", budget=1)
    tools = [r.body["tool_choice"]["name"] for r in fake.message_requests]
    assert {"route", "propose", "review"} <= set(tools)
    proposals = [
        json.dumps(r.body)
        for r in fake.message_requests
        if r.body["tool_choice"]["name"] == "propose"
    ]
    deploy = next(p for p in proposals if "skills/deploy-service/SKILL.md" in p)
    assert "roll out the api" in deploy and "went to no skill" in deploy  # the train miss
    assert "Never deploy on a Friday." in deploy  # the gate it must keep
    assert all(HELD_OUT not in p for p in proposals)
    assert report.changed == ["deploy-service"]
    assert report.row("all", "all").holdout_before == 0.5
    assert report.row("all", "all").holdout_after == 1.0
    assert report.branch is not None
    shown = git(tmp_path, "show", f"{report.branch}:skills/deploy-service/SKILL.md")
    assert REWRITE["deploy-service"] in shown and "Never deploy on a Friday." in shown


def test_an_answer_that_is_not_the_targets_one_file_is_refused(
    fake: FakeMessagesAPI, tmp_path: Path
) -> None:
    skills_dir = write_example(tmp_path)
    skills = load_skills(skills_dir)
    pins = pin_gates(skills, tmp_path / "pins.json")
    task = skill_set_task(
        tmp_path, "skills", ["deploy-service"], protected=(), experiments=1, seed=0, pins=pins
    )
    train = [EvalItem("ship the api", "deploy-service", "clean", "train")]

    class Listing:
        def route(self, queries: Any, skills: Any) -> list[str | None]:
            return ["deploy-service" for _ in queries]

    proposer = SkillLLMProposer(
        AnthropicProvider(task, api_key="sk-test", base_url=fake.base_url),
        train,
        Listing(),
        target="deploy-service",
        others=skills[1:],
    )
    files = {
        f"skills/{s.name}/SKILL.md": (skills_dir / s.name / "SKILL.md").read_text() for s in skills
    }
    request = ProposeRequest(task=task, experiment=1, parent="0" * 40, files=files)
    fake.enqueue(propose_call("touch docs", components={"skills/write-docs/SKILL.md": "x"}))
    with pytest.raises(ProviderError, match=r"whole skills/deploy-service/SKILL\.md"):
        proposer.propose(request)
    with pytest.raises(ValueError, match="only see train"):
        SkillLLMProposer(
            proposer.llm,
            [EvalItem(HELD_OUT, "deploy-service", "clean", "holdout")],
            Listing(),
            target="deploy-service",
            others=[],
        )


def test_offline_keeps_routing_and_proposing_local_with_a_key_set(
    fake: FakeMessagesAPI,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    router: EmbeddingRouter,
) -> None:
    skills = write_example(tmp_path)
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-test")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", fake.base_url)
    monkeypatch.setattr(tune_module, "EmbeddingRouter", lambda: router)
    lines: list[str] = []
    report = tune_skills(
        skills, tmp_path / "evals.jsonl", budget=1, offline=True, progress=lines.append
    )
    assert fake.requests == []
    assert report.row("all", "all").holdout_before is not None
    # the offline operators proposed (or said why they could not)
    assert any(
        re.search(r"deploy-service: (no untried rewrite|every train query)", line)
        or "| deploy-service:" in line
        for line in lines
    ), lines


def test_the_brief_counts_the_requests_it_lists(tmp_path: Path) -> None:
    """Generated variants are never listed, so the header's count leaves them out too."""
    skills = load_skills(write_example(tmp_path))
    train = [
        EvalItem("ship the api", "deploy-service", "clean", "train"),
        EvalItem("shp the api", "deploy-service", "typo", "train", True, "ship the api"),
        EvalItem("roll out the api", "deploy-service", "clean", "train"),
    ]

    class FirstOnly:
        def route(self, queries: Any, skills: Any) -> list[str | None]:
            return ["deploy-service" if q == "ship the api" else None for q in queries]

    proposer = SkillLLMProposer(
        MockProvider(),  # the brief is built without asking it anything
        train,
        FirstOnly(),
        target="deploy-service",
        others=skills[1:],
    )
    misses = proposer.brief(skills)[0]
    assert "(1 of 2 routed to it)" in misses
    assert "'roll out the api' (clean) went to no skill" in misses
    assert "shp the api" not in misses
