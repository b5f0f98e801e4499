"""`agentos self-tune` with a key: the proposer and reviewer prompts are tuned too, end to end
against the local fake Messages API (the real SDK over HTTP; no real model is reachable)."""

from __future__ import annotations

import json
import re
import shutil
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest

from agentos.providers.llm.fake_api import FakeMessagesAPI, Scripted, propose_call, review_call
from agentos.selftune import self_tune
from agentos.status import run_status

ROOT = Path(__file__).resolve().parents[3]
BOLD = "Make one bold idea per experiment"


def _text(body: dict[str, Any]) -> tuple[str, str]:
    system = "\n".join(b.get("text", "") for b in body.get("system", []))
    user = "\n".join(
        b.get("text", "") for m in body["messages"] for b in m["content"] if isinstance(b, dict)
    )
    return system, user


class Responder:
    """The outer proposer edits the prompts; the inner proposer walks X toward the bowl's floor."""

    def __init__(self) -> None:
        self.outer = 0

    def __call__(self, body: dict[str, Any]) -> Scripted:
        if body["tools"][0]["name"] == "review":
            return review_call()
        system, user = _text(body)
        if "profile.toml" in user:
            self.outer += 1
            if self.outer == 1:
                return propose_call("bolder proposals", edits=[{
                    "path": "skills/agentos-propose/SKILL.md",
                    "search": "Make one idea per experiment", "replace": BOLD}])
            return propose_call("a shorter horizon", edits=[{
                "path": "profile.toml", "search": "credit_horizon = 8",
                "replace": "credit_horizon = 6"}])
        found = re.search(r"^X = (\S+)", user, re.MULTILINE)
        assert found, user[-400:]
        x = float(found.group(1))
        new = round((x + 1.3) / 2, 3) if BOLD in system else round(x + 0.1, 3)
        return propose_call("move X", edits=[{
            "path": "settings.py", "search": f"X = {found.group(1)}", "replace": f"X = {new}"}])


def test_self_tune_tunes_the_prompts_through_the_fake_api(
    tmp_path: Path, fake: FakeMessagesAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "test-key")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", fake.base_url)
    fake.responder = Responder()
    suite = tmp_path / "suite"
    suite.mkdir()
    shutil.copyfile(ROOT / "benchmarks" / "landscapes" / "problems.py", suite / "problems.py")
    keys = dict(problems="problems.py", budget=6, seeds=[0], test_seeds=2, train=["smooth"],
                holdout=["smooth@plain"], test=["noisy-smooth"])
    (suite / "suite.toml").write_text(
        "[suite]\n" + "".join(f"{k} = {json.dumps(v)}\n" for k, v in keys.items()))

    result = self_tune(tmp_path / "out", suite=suite / "suite.toml", budget=2)

    assert result.run.failure is None, result.run.failure
    rows = run_status(result.repo)["experiments"]
    assert [r["status"] for r in rows] == ["keep", "discard"], rows
    assert "skills/agentos-propose/SKILL.md" in (result.repo / "agentos.toml").read_text()
    inner = [_text(r.body) for r in fake.message_requests
             if r.body["tools"][0]["name"] == "propose" and "profile.toml" not in _text(r.body)[1]]
    # the candidate's prompt reached the inner proposer; the installed skill is untouched
    assert any(BOLD in system for system, _ in inner)
    assert any(BOLD not in system for system, _ in inner)
    installed = files("agentos.skills").joinpath("agentos-propose", "SKILL.md").read_text()
    assert BOLD not in installed
    figures = result.figures
    assert figures["train"]["tuned"] > figures["train"]["start"]  # the bolder prompt gains more
    assert result.test_seeds == 2 and result.test_diff[0] > 0
