"""With `[run] workers`, an LLM proposer (Claude, through the real SDK against the local fake
Messages API) is asked for one differing proposal per free worker in one call; the extra ones are
queued in the graph's state and used by the next propose steps."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from helpers import ACCEPT_IMPORT_RISK

from agentos import runner
from agentos.ledger import Ledger
from agentos.providers.llm.fake_api import FakeMessagesAPI, Scripted, ToolCall, review_call

# The metric logs when it starts and ends, then sleeps.
EVALUATOR = """import time
import settings
t0 = time.time()
time.sleep(1.0)
with open({log!r}, "a") as fh:
    fh.write(f"{{t0}} {{time.time()}}\\n")
print(f"score: {{-abs(settings.X - 42.0) - abs(settings.Y - 7.0)}}")
"""


def _edit(files: str, name: str, new: float) -> dict[str, str]:
    old = re.search(rf"^{name} = (\S+)", files, re.MULTILINE).group(1)  # type: ignore[union-attr]
    return {"path": "settings.py", "search": f"{name} = {old}", "replace": f"{name} = {new}"}


def _responder(body: dict[str, Any]) -> Scripted:
    """Claude's stand-in: a batch moves X to a different value per proposal; one call moves Y."""
    tool = body["tool_choice"]["name"]
    if tool == "review":
        return review_call()
    files = body["messages"][0]["content"][0]["text"]
    if tool == "propose_batch":
        count = body["tools"][0]["input_schema"]["properties"]["proposals"]["minItems"]
        return ToolCall("propose_batch", {"proposals": [
            {"description": f"x to {20 + 10 * i}", "edits": [_edit(files, "X", 20.0 + 10 * i)]}
            for i in range(count)]})
    text = body["messages"][0]["content"][-1]["text"]
    exp = int(re.search(r"This is experiment (\d+)\.", text).group(1))  # type: ignore[union-attr]
    return ToolCall("propose", {"description": f"y to {exp}", "edits": [_edit(files, "Y", exp)]})


def _repo(repo_factory: Any, tmp_path: Path) -> Path:
    return Path(repo_factory({
        "settings.py": "X = 10.0\nY = 1.0\n",
        "evaluate.py": EVALUATOR.format(log=str(tmp_path / "metric.log")),
        "agentos.toml": '[task]\neditable=["settings.py"]\nprotected=["evaluate.py"]\n'
        f"canary_every=0\n{ACCEPT_IMPORT_RISK}\n"
        '[metric]\ncommand="python evaluate.py"\nregex="^score: (\\\\S+)$"\ngoal="max"\n'
        '[sandbox]\nbackend="local"\n[budget]\nexperiments=5\n[run]\nworkers=3\n'
        '[llm]\nmodel="claude-haiku-4-5"\n',
    }))


def test_one_call_proposes_a_batch_that_runs_at_once(
    repo_factory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "metric.log"
    repo = _repo(repo_factory, tmp_path)
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    with FakeMessagesAPI(responder=_responder) as fake:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", fake.base_url)
        summary = runner.run(repo, runner.Overrides(provider="anthropic"))
        asked = [r.body["tool_choice"]["name"] for r in fake.message_requests]

    # three free workers at the start: one call for three; then one worker frees at a time
    assert [a for a in asked if a != "review"] == ["propose_batch", "propose", "propose"]
    assert summary.experiments == 5
    ledger = Ledger(repo / ".agentos" / "ledger.db")
    assert ledger.verify() == [] and ledger.open_attempts(summary.run_id) == []
    rows = {r["id"]: r for r in ledger.rows(summary.run_id) if r["kind"] == "experiment"}
    assert sorted(rows) == [1, 2, 3, 4, 5]
    assert [rows[i]["description"] for i in (1, 2, 3)] == ["x to 20", "x to 30", "x to 40"]
    assert all(rows[i]["status"] in ("keep", "discard") for i in rows), rows
    assert len({rows[i]["commit"] for i in rows}) == 5
    # the batch call is charged once, on the first of its experiments (each row: its review too)
    reviews = {i: json.loads(rows[i]["review"]) for i in rows}
    assert all(len(reviews[i]["checks"]) == 5 for i in rows)
    assert rows[1]["tokens_in"] > rows[2]["tokens_in"] == rows[3]["tokens_in"]
    # the three proposals of the one call were measured at once
    spans = [tuple(map(float, line.split())) for line in log.read_text().splitlines()][1:]
    assert max(sum(1 for a, b in spans if a <= t < b) for t, _ in spans) == 3, spans


class _Stop(Exception):
    pass


def test_the_queued_proposals_are_checkpointed_and_used_after_a_resume(
    repo_factory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = _repo(repo_factory, tmp_path)
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)

    def stop_after_first_submit(update: dict[str, Any]) -> None:
        if update["node"] == "submit":
            raise _Stop

    with FakeMessagesAPI(responder=_responder) as fake:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", fake.base_url)
        with pytest.raises(_Stop):
            runner.run(repo, runner.Overrides(provider="anthropic"),
                       on_update=stop_after_first_submit)
        summary = runner.resume(repo)
        asked = [r.body["tool_choice"]["name"] for r in fake.message_requests]

    assert asked.count("propose_batch") == 1, asked  # the resumed run used the two queued
    ledger = Ledger(repo / ".agentos" / "ledger.db")
    assert ledger.verify() == []
    rows = [r for r in ledger.rows(summary.run_id) if r["kind"] == "experiment"]
    described = {r["description"] for r in rows}
    assert {"x to 20", "x to 30", "x to 40"} <= described, described
