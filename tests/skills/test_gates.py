"""Gates survive every rewrite: a proposal that drops or weakens one is `rejected`, whatever its
score, and the report has a line for it."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import pytest
from helpers import commit_all, git

from agentos.errors import IntegrityError
from agentos.ledger import Ledger
from agentos.providers.base import (
    Check,
    Proposal,
    ProposeRequest,
    ProviderError,
    Review,
)
from agentos.providers.llm.mock import MockProvider
from agentos.skill import detect_gates, load_skills, pin_gates, render_skill, tune_skills
from agentos.skill.gates import violations
from agentos.skill.router import EmbeddingRouter

DEPLOY = """---
name: deploy-service
description: Deploy a service to production.
---

# Deploy

1. Build the image.
2. Before production, call AskUserQuestion with the tag and wait for an explicit yes.
3. Roll out.

<!-- gate -->
Never deploy on Friday afternoon.
<!-- /gate -->
"""
DOCS = """---
name: write-docs
description: Write user documentation.
---

Write the docs. Never push directly to main.
"""


ASK = "2. Before production, call AskUserQuestion with the tag and wait for an explicit yes.\n"


def scripted(path: str, rewrite: Mapping[str, str]) -> MockProvider:
    """A provider that applies `rewrite` (old text to new) to one file at every proposal; the
    other skills' runs, which cannot edit that file, get a `ProviderError`."""

    def propose(request: ProposeRequest) -> Proposal:
        if path not in request.files:
            raise ProviderError(f"{path} is not editable in this run")
        text = request.files[path]
        for old, new in rewrite.items():
            text = text.replace(old, new)
        return Proposal(description="scripted rewrite", components={path: text})

    return MockProvider(propose, lambda _: Review([Check("scripted", True, "")]))


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    for name, text in (("deploy-service", DEPLOY), ("write-docs", DOCS)):
        (tmp_path / "skills" / name).mkdir(parents=True)
        (tmp_path / "skills" / name / "SKILL.md").write_text(text)
    rows = [
        ("deploy the api to prod", "deploy-service", "train"),
        ("ship the new build", "deploy-service", "train"),
        ("write the user guide", "write-docs", "train"),
        ("what is the capital of France", None, "train"),
        ("release the service to production", "deploy-service", "holdout"),
        ("document the new feature", "write-docs", "holdout"),
        ("recommend a good book", None, "holdout"),
    ]
    lines = [
        json.dumps({"query": q, "expect": e, "slice": "clean", "split": s}) for q, e, s in rows
    ]
    (tmp_path / "evals.jsonl").write_text("\n".join(lines) + "\n")
    return tmp_path


def test_detects_ask_user_marked_and_never_gates(folder: Path) -> None:
    deploy, docs = load_skills(folder / "skills")
    kinds = [g.kind for g in detect_gates(deploy)]
    assert kinds == ["ask-user", "marked"]
    assert [g.kind for g in detect_gates(docs)] == ["never"]


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        (
            ASK,
            "",
            "removed",
        ),
        ("call AskUserQuestion with the tag and wait", "mention the tag and go on", "removed"),
        ("<!-- gate -->\nNever deploy on Friday afternoon.\n<!-- /gate -->\n", "", "removed"),
        ("Never deploy on Friday afternoon.", "Avoid deploying on Friday afternoon.", "removed"),
    ],
)
def test_dropping_or_weakening_a_gate_is_a_violation(
    folder: Path, old: str, new: str, problem: str
) -> None:
    (deploy, _) = load_skills(folder / "skills")
    body = deploy.body.replace(old, new)
    assert body != deploy.body
    found = violations(detect_gates(deploy), body)
    assert found and problem in found[0].problem
    assert violations(detect_gates(deploy), deploy.body) == []


def test_pins_refuse_a_tampered_sidecar(folder: Path, tmp_path: Path) -> None:
    skills = load_skills(folder / "skills")
    pins = pin_gates(skills, tmp_path / "side" / "pins.json")
    assert pins.count() == 3
    pins.path.write_text("{}")
    with pytest.raises(IntegrityError):
        pins.check("deploy-service", skills[0].body)


@pytest.mark.parametrize(
    "rewrite",
    [
        {
            ASK: "",
            "Deploy a service to production.": "Deploy, ship or release a service to prod.",
        },
        {
            "<!-- gate -->\nNever deploy on Friday afternoon.\n<!-- /gate -->\n": "",
            "Deploy a service to production.": "Deploy, ship or release a service to prod.",
        },
    ],
)
def test_tuning_rejects_a_proposal_that_removes_a_gate(
    folder: Path, router: EmbeddingRouter, rewrite: Mapping[str, str]
) -> None:
    before = (folder / "skills" / "deploy-service" / "SKILL.md").read_bytes()
    provider = scripted("deploy-service/SKILL.md", rewrite)
    report = tune_skills(
        folder / "skills",
        folder / "evals.jsonl",
        budget=2,
        provider=provider,
        router=router,
    )
    assert report.counts == {"rejected": 4}  # the budget: 2 moves a skill, 2 skills
    assert report.changed == [] and report.branch is None
    # write-docs' proposer fails, so its turns pass to deploy-service: every move is a refusal
    assert len(report.refusals) == 4
    assert all("refused: deploy-service" in line for line in report.refusals)
    assert (folder / "skills" / "deploy-service" / "SKILL.md").read_bytes() == before


def test_rendered_rewrite_keeps_gates(folder: Path) -> None:
    (deploy, _) = load_skills(folder / "skills")
    changed = deploy.with_components({"deploy-service/description": "Ship to prod."})
    assert "AskUserQuestion" in render_skill(changed)
    assert violations(detect_gates(deploy), changed.body) == []


def test_gate_refusals_are_rejected_rows_of_the_graph_runs(
    folder: Path, router: EmbeddingRouter
) -> None:
    """In a git repository the set runs the `agentos run` graph: the refusal is a row of the one
    run with status `rejected` and the `refused:` reason from the `skill-gates` tool node."""
    commit_all(folder, "skills")
    provider = scripted("skills/deploy-service/SKILL.md", {ASK: ""})
    report = tune_skills(
        folder / "skills",
        folder / "evals.jsonl",
        budget=1,
        provider=provider,
        router=router,
    )
    ledger = Ledger(folder / ".agentos" / "ledger.db")
    rows = [r for r in ledger.rows() if r["kind"] != "baseline"]
    assert {r["run_id"] for r in rows} == {report.run_id} and len(rows) == 2
    deploy = [r for r in rows if r["description"].startswith("deploy-service:")]
    assert deploy and all(r["status"] == "rejected" for r in rows)
    assert deploy[0]["status"] == "rejected"
    assert "refused: deploy-service: ask-user gate removed" in deploy[0]["reason"]
    assert ledger.verify() == []
    # nothing was kept: the run's own branch stays at HEAD and the report names no rewrite
    head = git(folder, "rev-parse", "HEAD").strip()
    assert git(folder, "rev-parse", f"agentos/{report.run_id}").strip() == head
    assert report.refusals and report.branch is None
