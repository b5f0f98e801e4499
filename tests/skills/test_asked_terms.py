"""An everyday word alone is a trigger only where a user asks the skill with it: one of the
most frequent words of English (by its place in the model's vocabulary) that the skill's text
writes and none of its own train queries names ("topic", "round", "differences", "foot") is
refused; a rarer word of the text ("shrub", "rotor") or one a query asks with ("medium") passes."""

from __future__ import annotations

from pathlib import Path

import pytest
from skill_helpers import gate_refusals

from agentos.skill.lexicon import frequent
from agentos.skill.quality import description_problems
from agentos.skill.support import asked_problems
from agentos.skillfile import Skill

ASKED = "none of the skill's train queries asks"


def mentions(term: str) -> str:
    """The offline tuner's added-terms sentence holding `term` alone."""
    return f'Also use it when a request mentions "{term}".'


def test_frequent_reads_the_vocabularys_order() -> None:
    assert all(map(frequent, ["topic", "round", "differences", "foot", "medium", "stand"]))
    assert not any(map(frequent, ["shrub", "rotor", "proofing", "cassette", "ladybirds"]))


def test_an_everyday_word_no_query_asks_with_is_refused_on_a_shipped_folder() -> None:
    # bike-fit's text says "ball of the foot" and "foot angle"; no request names a foot
    found = gate_refusals("skills-bicycle", "bike-fit", mentions("foot"))
    assert any(ASKED in reason for reason in found), found


@pytest.mark.parametrize(
    ("folder", "name", "term"),
    [
        ("skills-lab", "cell-culture", "medium"),  # "my cultre medium went cloudy overnight"
        ("skills-bicycle", "brake-adjustment", "fluid"),  # asked with, though frequent
        ("skills-garden", "pruning", "shrub"),  # the text's word, rarer than the cut
        ("skills-kitchen", "stain-removal", "coffee"),
    ],
)
def test_a_word_a_query_asks_with_or_a_rarer_one_passes(folder: str, name: str, term: str) -> None:
    assert not [r for r in gate_refusals(folder, name, mentions(term)) if ASKED in r]


def test_a_word_the_text_writes_often_and_no_request_uses_is_refused() -> None:
    """Written as a public brainstorming skill writes "topic": in passing, several times."""
    body = (
        "Only one question per message: if a topic needs more exploration, split it.\n"
        "A question about a UI topic is not automatically a visual question.\n"
        "Save the design to a file named after the topic.\n"
    )
    skill = Skill("brainstorming", "Explore intent and design first.", body, Path("b/SKILL.md"))
    asked = ["help me think through a new onboarding flow", "brainstorm ideas for search"]
    assert asked_problems("topic", asked, frequent) != []
    assert asked_problems("topic", [*asked, "pick a topic for the team offsite"], frequent) == []
    assert asked_problems("design topic", asked, frequent) == []  # a phrase: the support rule
    text = f'{skill.description} Also use it when a request mentions "topic".'
    found = description_problems(
        skill, skill.with_components({"brainstorming/description": text}), [], asked, [skill]
    )
    assert any(ASKED in reason for reason in found), found
