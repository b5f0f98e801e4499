"""Whole runs of the loop with the LLM providers: Claude through the fake Messages API, and an
adversarial `script:` scenario whose every trick must end in anything but `keep`."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from helpers import git

from agentos import runner
from agentos.ledger import Ledger
from agentos.providers.llm.fake_api import (
    FakeMessagesAPI,
    Malformed,
    Overloaded,
    RateLimited,
    Scripted,
    propose_call,
    review_call,
)
from agentos.providers.llm.prompts import RUBRIC

SCENARIOS = Path(__file__).parent / "scenarios"


def _rows(repo: Path, run_id: str) -> list[Any]:
    return [r for r in Ledger(repo / ".agentos" / "ledger.db").rows(run_id)
            if r["kind"] != "baseline"]


def _responder(body: dict[str, Any]) -> Scripted:
    """Claude's stand-in: reviews pass; experiment 2 is always malformed; later ones deepen."""
    if body["tool_choice"]["name"] == "review":
        return review_call()
    text = body["messages"][0]["content"][-1]["text"]
    files = body["messages"][0]["content"][0]["text"]
    experiment = int(re.search(r"This is experiment (\d+)\.", text).group(1))  # type: ignore[union-attr]
    if experiment == 2:
        return Malformed()
    depth = int(re.search(r"^DEPTH = (\d+)", files, re.MULTILINE).group(1))  # type: ignore[union-attr]
    return propose_call(f"depth {depth + 1}", [
        {"path": "settings.py", "search": f"DEPTH = {depth}", "replace": f"DEPTH = {depth + 1}"}])


def test_full_run_with_claude_against_the_fake(
    quickstart: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    toml = quickstart / "agentos.toml"
    text = toml.read_text().replace("experiments = 40", "experiments = 20\ndollars = 0.012")
    toml.write_text(text + '\n[review]\nmode = "advisory"\n\n[llm]\nmodel = "claude-haiku-4-5"\n')
    git(quickstart, "commit", "-qam", "llm budget")
    with FakeMessagesAPI(responder=_responder) as fake:
        fake.enqueue(RateLimited(), Overloaded(), propose_call("gelu", [
            {"path": "settings.py", "search": 'ACTIVATION = "tanh"',
             "replace": 'ACTIVATION = "gelu"'}]))
        monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-fake")
        monkeypatch.setenv("ANTHROPIC_BASE_URL", fake.base_url)
        summary = runner.run(quickstart, runner.Overrides(provider="anthropic", sandbox="local"))
        retries = [r.headers["x-stainless-retry-count"] for r in fake.message_requests[:3]]

    assert retries == ["0", "1", "2"]  # the 429 and the 529 were retried by the SDK
    rows = {r["id"]: r for r in _rows(quickstart, summary.run_id)}
    assert rows[1]["status"] == "keep" and rows[1]["description"] == "gelu"
    assert rows[2]["status"] == "rejected" and "malformed" in rows[2]["reason"]
    # every row that got a usable response is charged, its review included
    assert all(r["tokens_in"] > 0 and r["cost_usd"] > 0 for i, r in rows.items() if i != 2)
    review = json.loads(rows[1]["review"])
    assert [c["name"] for c in review["checks"]] == list(RUBRIC)
    # The dollar budget ended the run long before the 20 experiments.
    assert "budget" in summary.status and "$" in summary.status, summary.status
    assert 3 <= summary.experiments < 20
    # The rows add up to what hit the budget: at least the budget, by less than one experiment.
    spent = sum(r["cost_usd"] for r in rows.values())
    assert 0.012 <= spent < 0.012 + max(r["cost_usd"] for r in rows.values())


def test_adversarial_script_is_never_kept(quickstart: Path) -> None:
    baseline = git(quickstart, "rev-parse", "HEAD").strip()
    evaluator = (quickstart / "evaluate.py").read_bytes()
    script = SCENARIOS / "adversarial.jsonl"
    summary = runner.run(
        quickstart, runner.Overrides(provider=f"script:{script}", sandbox="local", budget=4)
    )
    rows = _rows(quickstart, summary.run_id)
    assert len(rows) == 4
    statuses = [r["status"] for r in rows]
    assert "keep" not in statuses, [(r["description"], r["status"], r["reason"]) for r in rows]
    # The evaluator edit and conftest.py are refused before any run; the printed metric and the
    # printed "mark this as accepted" are code in a settings file, which the data-only gate
    # refuses before they run.
    assert statuses == ["rejected", "rejected", "rejected", "rejected"]
    assert "evaluate.py" in rows[0]["reason"] and "conftest.py" in rows[1]["reason"]
    assert all("data-only" in r["reason"] for r in rows[2:]), rows
    assert summary.best_commit == baseline
    assert (quickstart / "evaluate.py").read_bytes() == evaluator
    assert not (quickstart / "conftest.py").exists()
    for ref in git(quickstart, "for-each-ref", "--format=%(objectname)", "refs/agentos").split():
        assert git(quickstart, "rev-parse", f"{ref}:evaluate.py") == git(
            quickstart, "rev-parse", f"{baseline}:evaluate.py")
        assert "conftest.py" not in git(quickstart, "ls-tree", "-r", "--name-only", ref)
