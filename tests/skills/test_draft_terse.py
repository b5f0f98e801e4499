"""`--make-evals` on skills written the way a coach writes them: a description that opens on a
third-person verb ("Works out", "Builds", "Plans what to eat") is asked for in the base form
after "How do I" or "Can you help me"; a "use when" clause told of someone ("a swimmer wants to
get faster", "asks about goggles") is told in the first person; a word that only qualifies
another ("current" of "current weekly yardage") is no topic of a near-miss; and a skill whose
description is one terse sentence gets requests from its body's headings and list terms, so it
has held-out lines too."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from agentos.skill.domain import shared_nouns
from agentos.skill.draft import draft_evals
from agentos.skill.phrasing import Rotation, as_request, base_verb
from agentos.skill.sources import positives
from agentos.skillfile import Skill

SWIM = [
    Skill(
        "stroke-pacing",
        "Works out pool paces and heart-rate zones from a 400 m time trial or the final 100 "
        "of a set.",
        "Steps.\n",
        Path("stroke-pacing/SKILL.md"),
    ),
    Skill(
        "season-plan",
        "Builds a week-by-week swim plan toward a goal meet from the swimmer's current weekly "
        "yardage, up to the final 2-3 weeks. Use when a swimmer wants to get faster, or asks "
        "what to do in the gym.",
        "Steps.\n",
        Path("season-plan/SKILL.md"),
    ),
    Skill(
        "meet-fueling",
        "Plans what to eat and drink before and between races at a meet. Use when a swimmer "
        "asks about energy gels. Do NOT use for a current shoulder injury.",
        "Steps.\n",
        Path("meet-fueling/SKILL.md"),
    ),
    Skill(
        "goggle-choice",
        "Pick swimming goggles and decide when to replace them.",
        "# Goggle choice\n\n## Fit\n\n- Press them on without the strap.\n\n## Lens tint\n\n"
        "Clear for indoors.\n\n## Kinds\n\n- Racing goggles: low profile, no padding.\n"
        "- Open water goggles: wide view and a soft seal.\n- Prescription lenses: for short "
        "sight.\n\n## Replacing\n\nWhen the seal leaks or the anti-fog wears off.\n",
        Path("goggle-choice/SKILL.md"),
    ),
]


@pytest.mark.parametrize(
    ("phrase", "verb"),
    [
        ("Works out pool paces from a time trial", "work out"),
        ("Builds a week-by-week swim plan toward a goal meet", "build"),
        ("Plans what to eat and drink before races", "plan"),
        ("Designs single quality pool sessions", "design"),
        ("Applies a taper to the last two weeks", "apply"),
    ],
)
def test_a_third_person_verb_is_asked_for_in_its_base_form(phrase: str, verb: str) -> None:
    turns = Rotation()
    for _ in range(4):  # every wording of an order: "Can you help me", "How do I", ...
        request = as_request(phrase, turns)
        assert request is not None
        opener = re.search(r"(?:help me|how do I|need to)\s+(\w+(?: out)?)", request, re.I)
        assert opener is not None and opener.group(1) == verb, request


def test_base_verb_leaves_nouns_and_base_forms_alone() -> None:
    assert base_verb("builds") == "build" and base_verb("works", "out") == "work"
    assert base_verb("applies") == "apply" and base_verb("watches", "over") == "watch"
    assert base_verb("goggles") == "goggles" and base_verb("works") == "works"
    assert base_verb("build") == "build" and base_verb("process") == "process"


@pytest.mark.parametrize(
    ("clause", "asked"),
    [
        ("a swimmer wants to get faster", "I want to get faster. Can you help?"),
        ("someone needs a taper", "I need a taper. Can you help?"),
        ("asks what to do in the gym", "What should I do in the gym?"),
    ],
)
def test_a_clause_told_of_someone_is_asked_in_the_first_person(clause: str, asked: str) -> None:
    assert as_request(clause, Rotation()) == asked


def test_a_question_about_a_topic_keeps_the_topic_not_the_asker() -> None:
    request = as_request("a swimmer asks about energy gels", Rotation())
    assert request is not None and "energy gels" in request
    assert "swimmer" not in request and "asks" not in request


def test_a_word_that_only_qualifies_another_is_no_topic() -> None:
    texts = [f"{s.name.replace('-', ' ')} {s.description}" for s in SWIM]
    nouns = shared_nouns(texts)
    assert "current" not in nouns  # "current weekly yardage", "a current shoulder injury"
    assert "final" not in nouns  # "the final 2-3 weeks", "the final 100": before numbers
    assert "swimmer" in nouns  # "a swimmer wants", "a swimmer asks": a thing
    draft = draft_evals(SWIM)
    assert not any(re.search(r"\bmy current\b", str(r["query"])) for r in draft)
    # a clause told of someone is no topic of a near-miss ("Translate "a swimmer wants ...")
    near = [str(r["query"]) for r in draft if r["slice"] == "near-miss"]
    assert near and not any(re.search(r"\b(?:wants|asks)\b", q) for q in near), near


def test_a_terse_skill_gets_requests_from_its_body_and_a_held_out_share() -> None:
    terse = SWIM[3]
    asked = positives(terse)
    # the description's two tasks, the second's "them" its object; headings and list terms
    assert "decide when to replace swimming goggles" in asked
    assert {"Lens tint", "Racing goggles", "Open water goggles"} <= set(asked)
    assert "Fit" not in asked and "Replacing" not in asked  # one word: no request
    rows = [r for r in draft_evals(SWIM) if r["expect"] == terse.name]
    assert {r["split"] for r in rows} == {"train", "holdout"}
    assert sum(r["split"] == "train" and r["slice"] == "clean" for r in rows) >= 3


def test_a_skill_with_a_full_description_asks_nothing_of_its_body() -> None:
    full = Skill(
        "meet-fueling",
        "Plans what to eat and drink before and between races at a meet. Use when a swimmer "
        "asks about energy gels, caffeine before a final, or cramps in the water.",
        "## Race day breakfast\n\n- Sports drink: sip between heats.\n",
        Path("meet-fueling/SKILL.md"),
    )
    asked = positives(full)
    assert "Sports drink" not in asked and "Race day breakfast" not in asked


def test_a_condition_a_body_lists_is_no_request_of_a_terse_skill() -> None:
    """ "Purpose is explicit. Can you help?" asked nothing: a list item whose bold lead is a
    clause ("Purpose is explicit", "Data class is allowed") states a condition, not a topic."""
    terse = Skill(
        "report-drafts",
        "Draft case reports.",
        "## Before drafting\n\n1. **Purpose is explicit**: a publication draft.\n"
        "2. **Data class is allowed**: synthetic or aggregate.\n"
        "3. **Consent forms are signed**: by every patient.\n"
        "- **Adverse event narratives**: one per event.\n",
        Path("report-drafts/SKILL.md"),
    )
    asked = positives(terse)
    assert "Adverse event narratives" in asked, asked
    assert not any(re.search(r"\b(?:is|are)\b", q) for q in asked), asked
