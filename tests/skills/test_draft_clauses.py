"""How the draft reads a description's clauses: a clause with its own past-tense verb is a
situation, a verb whose subject was cut is said by the user, a description that says what the
skill does to its user asks for it in the first person, a list of modifiers before one noun and
a bracket glued to a word stay whole, a "(use X for Y)" sends Y alone to X, and a body's "not
for" section gives no request for the skill."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from agentos.skill.draft import draft_evals, near_misses, requests_of_skill
from agentos.skill.phrasing import Rotation, as_request
from agentos.skillfile import Skill


def _skill(name: str, description: str, body: str = "") -> Skill:
    return Skill(name, description, body, Path(f"{name}/SKILL.md"))


def _queries(*skills: Skill) -> list[str]:
    return [str(row["query"]) for row in draft_evals(list(skills)) if row["slice"] == "clean"]


def test_a_clause_with_its_own_past_tense_verb_is_a_situation() -> None:
    assert as_request("a router crashed", Rotation()) == "My router crashed, what should I do?"
    assert str(as_request("the rent went up", Rotation())).startswith("My rent went up")
    assert as_request("a denied claim", Rotation()) == "Can you help me with a denied claim?"
    wifi = _skill("home-wifi", "Fix slow or dropping home wifi. Use when a router crashed.")
    queries = _queries(wifi)
    assert any(q.startswith("My router crashed") for q in queries), queries
    assert not any("about a router crashed" in q for q in queries), queries


def test_a_verb_whose_subject_was_cut_is_said_by_the_user() -> None:
    wanted = "I want a spending plan. Can you help?"
    assert as_request("wants a spending plan", Rotation()) == wanted
    assert as_request("needs a packing list", Rotation()) == "I need a packing list. Can you help?"
    trip = _skill(
        "trip-planning",
        "Plan a weekend trip. Use when someone says they never travel, wants a packing list, "
        "or is booking a hostel.",
    )
    queries = _queries(trip)
    assert "I want a packing list. Can you help?" in queries, queries
    assert not any(q.startswith("How do I want") for q in queries), queries


def test_a_description_of_what_the_skill_does_to_its_user_asks_in_the_first_person() -> None:
    rail = _skill(
        "rail-refund",
        "Walks a traveller through claiming a rail, bus or ferry ticket refund after a "
        "cancellation: finding the booking, writing the claim, and appealing a refusal.",
    )
    queries = _queries(rail)
    wanted = "Can you walk me through claiming a rail, bus or ferry ticket refund"
    assert any(q.startswith(wanted) for q in queries), queries
    assert not any("walks" in q.lower() or q.endswith("a rail?") for q in queries), queries


def test_a_bracket_glued_to_a_word_stays_whole() -> None:
    plan = _skill(
        "pension-plan",
        "Decide how much to put in a 457(b), an HSA or a brokerage account, and when to rebalance.",
    )
    positives, _ = requests_of_skill(plan)
    assert "Decide how much to put in a 457(b)" in positives, positives
    assert not any(p.endswith("457") for p in positives), positives


def test_a_parenthesis_naming_its_own_object_sends_only_that_object() -> None:
    touring = _skill(
        "bike-touring",
        "Plan a multi-day bike tour with panniers and campsites. Do NOT use for buying a new "
        "bicycle, or for road racing (use bike-repair for a flat tyre).",
    )
    repair = _skill("bike-repair", "Fix a flat tyre, a slipping chain or squeaky brakes.")
    missed = dict(near_misses(touring, [touring, repair]))
    assert missed.get("a flat tyre") == "bike-repair", missed
    assert missed.get("road racing", "absent") != "bike-repair", missed


def test_a_not_for_section_of_the_body_is_no_request_for_the_skill() -> None:
    body = (
        '## Steps\n\nThe user says "help me fix my sourdough starter".\n\n'
        '## Not this skill\n\nThe user says "a supermarket loaf is a fine default".\n\n'
        "### Choosing a bread machine\n\n## When not to use\n\n"
        'Someone asks "which flour brand should I buy".\n'
    )
    bread = _skill("bread-baking", "Bake sourdough bread and keep a starter alive.", body)
    positives, _ = requests_of_skill(bread)
    assert "help me fix my sourdough starter" in positives, positives
    said = " ".join(positives).lower()
    assert "supermarket" not in said and "flour brand" not in said, positives
    assert "bread machine" not in said, positives


def test_a_section_of_mistakes_to_avoid_gives_no_request() -> None:
    body = (
        "## Shaping a sourdough loaf\n\nFold and tension.\n\n"
        "## Common Mistakes to Avoid\n\n### Ignoring dough temperature\n\nIt matters.\n\n"
        "### Skipping the sourdough autolyse\n\nDo not.\n\n## Baking sourdough loaves\n\nHot.\n"
    )
    bread = _skill("bread-baking", "Bake sourdough bread and keep a starter alive.", body)
    positives, _ = requests_of_skill(bread)
    assert "Shaping a sourdough loaf" in positives and "Baking sourdough loaves" in positives
    said = " ".join(positives).lower()
    assert "ignoring" not in said and "skipping" not in said, positives


def test_asks_about_and_including_are_lead_ins() -> None:
    tent = _skill(
        "tent-camping",
        "Pick a campsite and pitch a tent, including stakes and guy lines. Use when someone "
        "is packing for a trip, or asks about fire bans.",
    )
    positives, _ = requests_of_skill(tent)
    assert "stakes and guy lines" in positives and "fire bans" in positives, positives
    assert not any(p.startswith(("including", "asks")) for p in positives), positives


def test_a_situation_told_of_someone_is_told_by_the_user() -> None:
    said = str(as_request("someone says they never know where their savings disappear", Rotation()))
    assert said.startswith("I never know where my savings disappear"), said
    about = str(as_request("someone is about to sign a gym contract", Rotation()))
    assert about.startswith("I am about to sign a gym contract"), about
    assert as_request("someone has booked", Rotation()) is None  # still a fragment


@pytest.mark.parametrize(
    ("description", "whole"),
    [
        (
            "Conduct comprehensive, systematic literature reviews using academic databases.",
            "comprehensive, systematic literature reviews",
        ),
        (
            "Prepare evidence-bounded, constructive peer-review drafts for manuscripts.",
            "evidence-bounded, constructive peer-review drafts",
        ),
    ],
)
def test_a_list_of_modifiers_before_one_noun_is_never_cut(description: str, whole: str) -> None:
    asked = requests_of_skill(_skill("helper", description))[0]
    assert any(whole in q for q in asked), asked
    assert not any(re.search(r"\b(?:comprehensive|evidence-bounded)$", q) for q in asked), asked


def test_a_condition_on_the_input_is_no_request() -> None:
    skill = _skill(
        "report-drafts",
        "Create clinical case report drafts. Use only with synthetic, de-identified, or "
        "aggregate inputs and verified source manifests.",
    )
    asked = requests_of_skill(skill)[0]
    assert any("clinical case report drafts" in q for q in asked), asked
    assert not any(re.search(r"\b(?:use only|synthetic)\b", q, re.I) for q in asked), asked


def test_a_noun_the_next_item_ends_on_is_no_modifier() -> None:
    skill = _skill(
        "gift-guides",
        "Write gift guides. Covers three formats: photo narrative, video narratives, and "
        "budget roundups.",
    )
    asked = requests_of_skill(skill)[0]
    assert "photo narrative" in asked and "video narratives" in asked, asked
    assert not any("narrative, video" in q for q in _queries(skill)), _queries(skill)


@pytest.mark.parametrize(
    ("description", "wanted"),
    [
        (
            "Draft, revise, and audit grant budgets with explicit justifications.",
            "I want to audit grant budgets with explicit justifications.",
        ),
        (
            "When the user wants to optimize, improve, or increase signups on any checkout page.",
            "I want to increase signups on any checkout page.",
        ),
    ],
)
def test_the_last_of_a_list_of_verbs_is_asked_for(description: str, wanted: str) -> None:
    queries = _queries(_skill("helper", description))
    assert any(q.startswith(wanted[:-1]) for q in queries), queries
    assert not any(re.search(r"(?:about|on|with) (?:audit|increase)\b", q) for q in queries)


def test_a_description_opening_on_a_list_of_verbs_is_an_order() -> None:
    queries = _queries(_skill("helper", "Draft, revise, and audit grant budgets."))
    assert not any("help me with draft" in q.lower() for q in queries), queries
    assert "I want to draft, revise, and audit grant budgets. Can you help?" in queries, queries
