"""How the draft reads the openings authors write: a one-sentence "Use when ..." description is
read part by part, never asked with its lead-in; a description in the third person ("Explores
user intent") is asked for in the first person; a closing concession ("especially if ...") is
no request; a numbered heading ("1a. Native Worktree Tools") is a step; a Title Case section
name is asked as written, not with its first letter alone lowered ("red Flags")."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from agentos.skill.draft import draft_evals, requests_of_skill
from agentos.skill.phrasing import Rotation, as_request
from agentos.skillfile import Skill


def _skill(name: str, description: str, body: str = "") -> Skill:
    return Skill(name, description, body, Path(f"{name}/SKILL.md"))


def _queries(*skills: Skill) -> list[str]:
    return [str(row["query"]) for row in draft_evals(list(skills))]


@pytest.mark.parametrize(
    ("description", "asked"),
    [
        (
            "Use when encountering any bug, test failure, or unexpected behavior, before "
            "proposing fixes",
            "test failure",
        ),
        ("Use when planning a kitchen remodel or choosing new cabinets.", "kitchen remodel"),
        ("Use if starting feature work that needs isolation from the workspace.", "feature work"),
    ],
)
def test_a_lead_in_is_never_asked(description: str, asked: str) -> None:
    queries = _queries(_skill("helper", description))
    assert not any(re.search(r"\buse (?:when|if)\b", q, re.I) for q in queries), queries
    assert any(asked in q for q in queries), queries


@pytest.mark.parametrize(
    ("description", "wanted"),
    [
        (
            "Explores user intent, requirements and design before implementation.",
            "Can you help me explore user intent?",
        ),
        (
            "Drafts release notes from merged pull requests. Use when a release is cut.",
            "Can you help me draft release notes from merged pull requests?",
        ),
        (
            "Reconciles bank statements against the monthly ledger.",
            "Can you help me reconcile bank statements against the monthly ledger?",
        ),
        (
            "Fixes flaky integration tests in the payment service.",
            "Can you help me fix flaky integration tests in the payment service?",
        ),
        (
            "Summarizes quarterly sales calls for the account team.",
            "Can you help me summarize quarterly sales calls for the account team?",
        ),
    ],
)
def test_a_description_in_the_third_person_is_asked_in_the_first(
    description: str, wanted: str
) -> None:
    queries = _queries(_skill("helper", description))
    said = description.split()[0].lower()
    assert wanted in queries and not any(said in q.lower() for q in queries), queries


@pytest.mark.parametrize(
    "description",
    [
        "Tips for growing tomatoes on a balcony.",
        "Sales forecasting for small shops and market stalls.",
        "Dogs need daily walks, fresh water and regular vet visits.",
    ],
)
def test_a_plural_noun_opening_is_no_verb(description: str) -> None:
    first = description.split()[0].lower()
    base = first[:-1]
    queries = _queries(_skill("helper", description))
    assert not any(f"help me {base} " in q.lower() for q in queries), queries


@pytest.mark.parametrize(
    ("description", "concession"),
    [
        (
            "Explores user intent, requirements and design before implementation, especially "
            "if the request seems unclear.",
            "especially",
        ),
        (
            "Plan a week of family meals and a shopping list, particularly if someone in the "
            "house is vegetarian.",
            "particularly",
        ),
    ],
)
def test_a_closing_concession_is_no_request(description: str, concession: str) -> None:
    queries = _queries(_skill("helper", description))
    assert queries and not any(concession in q.lower() for q in queries), queries


def test_a_numbered_heading_is_a_step() -> None:
    body = (
        "# Worktree setup\n\n## 1a. Native Worktree Tools\n\nPrefer the platform's tool.\n\n"
        "## 1b. Git Worktree Fallback\n\nRun it by hand.\n\n## 2) Worktree cleanup steps\n\n"
        "Remove it.\n\n## 3.1a Isolated worktree directories\n\nPick a folder.\n"
    )
    setup = _skill("worktree-setup", "Use when starting isolated feature work.", body)
    asked = requests_of_skill(setup)[0]
    assert not any(re.match(r"\d", q) for q in asked), asked
    assert not any(re.search(r"\b\d+[a-z]?[.)]", q) for q in _queries(setup))


@pytest.mark.parametrize(
    ("topic", "said"),
    [
        ("Red Flags", "Red Flags"),
        ("Directory Selection", "Directory Selection"),
        ("Plan Document Header", "Plan Document Header"),
        ("Task Right-Sizing", "Task Right-Sizing"),
        ("Detached HEAD", "detached HEAD"),  # one word a title, one an acronym: a phrase
        ("Monthly budget review", "monthly budget review"),
    ],
)
def test_a_title_case_name_is_asked_as_written(topic: str, said: str) -> None:
    rotation = Rotation()
    asked = [str(as_request(topic, rotation)) for _ in range(4)]
    assert all(said in q for q in asked), asked


def test_a_title_case_heading_is_asked_as_a_sentence_says_it() -> None:
    """A heading's Title Case is a title's, not the words' ("Handling Unclear Feedback" asks
    "handling unclear feedback"), unless the skill's prose writes the word with a capital where
    no sentence opens ("GitHub"); no query lowers only a title's first letter."""
    body = (
        "# Review\n\n## Red Flags\n\nStop.\n\n## Handling Unclear Feedback\n\nAsk.\n\n"
        "## Review Checklist Items\n\nRead them.\n\n## Reviewing Pull Requests On GitHub\n\n"
        "Read the pull requests opened on GitHub.\n"
    )
    review = _skill("code-review", "Review a pull request. Use when a review is requested.", body)
    queries = _queries(review)
    said = ("reviewing pull requests on GitHub",)
    assert all(any(s in q for q in queries) for s in said), queries
    titles = ("Red Flags", "Handling Unclear Feedback", "Review Checklist Items", "Requests On")
    assert not any(t in q or t[:1].lower() + t[1:] in q for t in titles for q in queries), queries
    terse = _skill("code-review", review.description, body.split("## Reviewing")[0])
    assert any("handling unclear feedback" in q for q in _queries(terse)), _queries(terse)


@pytest.mark.parametrize(
    "description",
    [
        "Manages reference lists. This skill should be used when you need to find papers, "
        "verify citation information, or check a reference.",
        "Builds travel plans. Thus the route comes first.",
    ],
)
def test_a_capitalised_word_ending_in_is_is_no_third_person_verb(description: str) -> None:
    queries = _queries(_skill("helper", description))
    assert not any(re.search(r"\bthi\b|\bthu\b", q, re.I) for q in queries), queries


def test_an_em_dash_ends_a_request() -> None:
    skill = _skill(
        "plan-format",
        "Format treatment-plan records. Use for goals and checkpoints, reconciliation "
        "handoffs and release checklists—not for clinical decision-making.",
    )
    queries = _queries(skill)
    assert any("release checklists" in q for q in queries), queries
    assert not any(re.search(r"[—–]", q) for q in queries), queries


def test_a_request_cut_at_a_dash_is_asked_once() -> None:
    skill = _skill(
        "shop-copy",
        "When the user wants to write, rewrite, or improve product copy for any listing — "
        "including bundles and gift cards. Also use for product blurbs.",
    )
    asked = [q for q in _queries(skill) if "improve product copy for any listing" in q]
    assert len(asked) == 1, asked


@pytest.mark.parametrize(
    ("name", "description"),
    [
        (
            "scientific-critical-thinking",
            "Evaluate scientific claims and evidence quality in published studies.",
        ),
        ("historical-family-research", "Trace family trees through parish records."),
    ],
)
def test_a_name_opening_on_an_adjective_is_no_order(name: str, description: str) -> None:
    queries = _queries(_skill(name, description))
    said = name.replace("-", " ")
    assert any(said in q for q in queries), queries
    assert not any(f"want to {said}" in q or f"want 2 {said}" in q for q in queries), queries


@pytest.mark.parametrize(
    ("description", "wanted"),
    [
        (
            "Formulate evidence-bounded scientific questions and candidate hypotheses.",
            "formulate evidence-bounded scientific questions",
        ),
        (
            "Draft safety-checked dosage tables for a clinical trial report.",
            "draft safety-checked dosage tables",
        ),
        (
            "Audit scientific manuscripts for missing declarations before submission.",
            "audit scientific manuscripts",
        ),
    ],
)
def test_an_order_before_a_hyphenated_modifier_is_asked_for(description: str, wanted: str) -> None:
    queries = _queries(_skill("helper", description))
    assert not any(re.search(rf"\b(?:with|about|on) {wanted}", q, re.I) for q in queries), queries
    assert any(wanted in q.lower() for q in queries), queries


def test_a_wish_for_help_asks_about_its_object() -> None:
    queries = _queries(
        _skill(
            "ad-campaigns",
            "When the user wants help with paid search campaigns on the big ad networks. "
            "Also use when the user mentions 'bid strategy' or 'ad budget'.",
        )
    )
    assert not any(re.search(r"help me help|help with help", q, re.I) for q in queries), queries
    assert any("paid search campaigns" in q for q in queries), queries


def test_the_users_own_their_is_asked_as_mine() -> None:
    queries = _queries(
        _skill(
            "site-audit",
            "When the user wants to audit, review, or diagnose search ranking problems on "
            "their site. Also use when the user mentions 'ranking drop' or 'crawl errors'.",
        )
    )
    assert any("ranking problems on my site" in q for q in queries), queries
    assert not any("their" in q.lower() for q in queries), queries


def test_a_listed_thing_opening_on_a_base_form_keeps_it() -> None:
    queries = _queries(
        _skill(
            "page-tuning",
            "When the user wants to raise sign-ups on any marketing page, including landing "
            "pages, feature pages, or pricing pages.",
        )
    )
    assert any("feature pages" in q for q in queries), queries
    assert not any(re.search(r"(?:with|about|on) pages\b", q) for q in queries), queries
