"""A single word that names no specific thing of the skill is no term an author adds: an
everyday noun ("It is also for water.") or a word the sibling skills name as often as this one
does. With its qualifier it may pass ("standing water"). Each case is a real skill of a shipped
example folder, checked as a proposer checks it (`train_gate`, the whole skill set given) and as
the evaluator does (`description_problems`)."""

from __future__ import annotations

import pytest
from skill_helpers import gate_refusals

from agentos.skill.support import generic_problems


@pytest.mark.parametrize(
    ("folder", "name", "sentence", "why"),
    [
        # kept by the offline tuner on the kitchen set: the body's "standing water" and "water
        # inlet" named it twice, so the support rule let it through alone
        ("skills-kitchen", "appliance-repair", "It is also for water.", "'water' alone, an every"),
        ("skills-kitchen", "stain-removal", "It is also for water.", "'water' alone, an every"),
        # kept on the bicycle set: "stop" is how a user says what brakes do, not a topic
        ("skills-bicycle", "brake-adjustment", "It is also for stop.", "'stop' alone, an every"),
        # "thaw on the counter": a place in one instruction, not what food safety is about
        ("skills-kitchen", "food-safety", "It is also for counter.", "'counter' alone"),
        ("skills-kitchen", "appliance-repair", "It is also for home.", "'home' alone"),
        # named by three sibling bicycle skills as often as by wheel-truing ("turn the barrel
        # adjuster", "a quarter turn"): a word the skills share
        ("skills-bicycle", "wheel-truing", "It is also for turn.", "sibling skills name as often"),
        # "time" and "thing" were refused before as filler; they still are
        ("skills-kitchen", "food-safety", "It is also for time.", "'time'"),
        ("skills-kitchen", "food-safety", "It is also for thing.", "'thing'"),
    ],
)
def test_a_word_that_names_no_specific_thing_is_refused(
    folder: str, name: str, sentence: str, why: str
) -> None:
    found = gate_refusals(folder, name, sentence)
    assert any(why in reason for reason in found), found


@pytest.mark.parametrize(
    ("folder", "name", "sentence"),
    [
        # specific things of the skill, which the tuner keeps on these folders
        ("skills", "dependency-upgrade", "It is also for libraries."),
        ("skills", "dev-environment-setup", 'Also use it when a request mentions "laptop".'),
        ("skills", "incident-response", 'Also use it when a request mentions "outage".'),
        ("skills", "db-migration", 'Also use it when a request mentions "column".'),
        ("skills-lab", "biohazard-waste", "It is also for needles."),
        ("skills-kitchen", "recipe-scaling", "It is also for cups and tablespoons."),
        (
            "skills-garden",
            "pruning",
            'Also use it when a request mentions "tree" or "crossing branches".',
        ),
        ("skills-bicycle", "chain-care", 'Also use it when a request mentions "rain".'),
    ],
)
def test_a_specific_term_of_the_skill_still_passes(folder: str, name: str, sentence: str) -> None:
    assert gate_refusals(folder, name, sentence) == []


def test_an_everyday_noun_passes_with_its_qualifier() -> None:
    body = "# Standing water\n\nBail out the standing water before you open the filter.\n"
    assert generic_problems("water", [], body, []) != []
    assert generic_problems("standing water", [], body, []) == []  # a phrase: the support rule
    assert generic_problems("filter", [], body, []) == []


def test_a_word_the_siblings_name_as_often_is_shared_and_one_they_name_less_is_not() -> None:
    own = "# Descaling\n\nRun a descaling cycle.\nDescaling the kettle once a month."
    siblings = ["Clean the kettle.", "Boil water in the kettle.", "A kettle of soup."]
    assert generic_problems("kettle", [], own, siblings) != []  # one mention here, one in each
    busy = own + "\nFill the kettle.\n# Kettle limescale\n"  # this skill names it most
    assert generic_problems("kettle", [], busy, siblings) == []
    assert generic_problems("kettle", [], own, siblings[:1]) == []  # one sibling is no pattern
