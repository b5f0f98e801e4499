"""Added terms need the evidence of a topic: the skill's own text or its own train queries must
name them as a thing, in two places for a single everyday word. Each refused sentence below was
kept by the offline tuner on a shipped example folder before this rule (a new user quoted them),
and each passing one is a term the same folders support."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentos.skill import load_skills
from agentos.skill.english import names_in
from agentos.skill.evals import load_evals
from agentos.skill.examples import requests_of
from agentos.skill.quality import problems, train_gate

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _check(folder: str, name: str, sentence: str) -> list[str]:
    """The gate's problems with `sentence` added to `name`'s description, with the evidence the
    evaluator gives it: the skill's own hand-written train queries."""
    root = EXAMPLES / folder
    skills = {s.name: s for s in load_skills(root)}
    items = load_evals(root / "evals.jsonl", list(skills))
    skill = skills[name]
    mine = [i.query for i in items if i.split == "train" and i.expect == name]
    return problems(
        skill.description,
        f"{skill.description.rstrip()} {sentence}",
        own_text=skill.body,
        queries=[i.query for i in items],
        name=name,
        evidence=mine,
        siblings=list(skills),
    )


@pytest.mark.parametrize(
    ("folder", "name", "sentence", "why"),
    [
        # "running low": a participle; "meat and fish": one aisle named once in a list
        ("skills-kitchen", "shopping-list", "It is also for fish and running.", "'running'"),
        ("skills-kitchen", "shopping-list", "It is also for fish and running.", "'fish'"),
        ("skills-kitchen", "shopping-list", "It is also for subtract.", "'subtract'"),
        ("skills-garden", "houseplants", "It is also for edges mean.", "'mean' is a verb"),
        # "double this lasagne recipe": an order; the body's "a doubled cake" is no form of it
        ("skills-kitchen", "recipe-scaling", "It is also for double.", "'double'"),
        # one item of a list in the body, never a topic of its own
        ("skills-pets", "adopting-a-pet", "It is also for budget.", "'budget'"),
        # "breaking changes": a participle qualifying a noun
        ("skills", "release-notes", "It is also for breaking.", "'breaking'"),
        # one query's wording ("is it safe to thaw chicken on the counter"), its variants no more
        ("skills-kitchen", "food-safety", "It is also for thaw chicken.", "'thaw chicken'"),
        ("skills-garden", "composting", "It is also for bin smells.", "'bin smells'"),
        # a word of a sibling's name says what the sibling does, and takes its queries
        ("skills-bicycle", "wheel-truing", "It is also for brake.", "the sibling skill brake-"),
        # two train queries name python, but they expect another skill
        ("skills", "ci-pipeline", "It is also for python.", "'python'"),
    ],
)
def test_the_gate_refuses_terms_without_the_support_of_a_topic(
    folder: str, name: str, sentence: str, why: str
) -> None:
    found = _check(folder, name, sentence)
    assert any(why in p for p in found), found


@pytest.mark.parametrize(
    ("folder", "name", "sentence"),
    [
        ("skills-kitchen", "recipe-scaling", "It is also for cups and tablespoons."),
        (
            "skills",
            "db-migration",
            'Also use it when a request mentions "alembic".',
        ),  # the body's own tool, 3 lines
        (
            "skills",
            "dev-environment-setup",
            'Also use it when a request mentions "laptop".',
        ),  # two train queries
        (
            "skills-pets",
            "leash-reactivity",
            'Also use it when a request mentions "walks" or "trigger".',
        ),
    ],
)
def test_the_gate_passes_terms_the_skill_and_its_queries_name(
    folder: str, name: str, sentence: str
) -> None:
    assert _check(folder, name, sentence) == []


@pytest.mark.parametrize(
    ("phrase", "place", "named"),
    [
        ("double", "double this lasagne recipe", False),  # an order
        ("double", "a doubled cake needs a bigger tin", False),  # another form
        ("running", "Add the staples that are running low (oil, salt)", False),
        ("pinging", "the spokes are pinging", False),
        ("merges", "read the PR before it merges", False),
        ("subtract", "2. Subtract what the pantry already holds.", False),  # a step's order
        ("stop", "rear brake barely stops the bike", False),  # it takes an object
        ("stop", "my brakes won't stop", False),
        ("fish", "produce, dairy, meat and fish, bakery", True),
        ("laptop", "new laptop setup 4 repo", True),  # a noun may qualify a noun
        ("cups", "convert 2 cups of flour to grams", True),
    ],
)
def test_names_in_tells_a_noun_use_from_a_verb_or_participle(
    phrase: str, place: str, named: bool
) -> None:
    assert bool(names_in(phrase, place)) is named


def test_a_generated_variant_is_no_second_query_for_a_phrase() -> None:
    """A two-word term needs two hand-written queries (or the skill's text): the typo and
    shorthand variants of one query are that query."""
    from agentos.skill.evals import augment

    root = EXAMPLES / "skills-kitchen"
    skills = {s.name: s for s in load_skills(root)}
    items = augment(load_evals(root / "evals.jsonl", list(skills)))
    train = [i for i in items if i.split == "train"]
    skill = skills["food-safety"]
    assert "thaw chicken" not in requests_of(train, skill.name, skill.description)
    gate = train_gate(skill, train)
    assert not gate(f"{skill.description.rstrip()} It is also for thaw chicken.")


def test_the_wording_of_drafted_requests_is_no_evidence() -> None:
    """A drafted eval set wraps every topic in a few wordings ("Can I get some advice on ...?"):
    two such queries do not make `advice` a topic of the skill, while two hand-written queries
    naming a thing do."""
    from agentos.skill.support import support_problems

    drafted = ["Can I get some advice on merging PDFs?", "Can I get some advice on PDF forms?"]
    assert support_problems("advice", [], "", drafted, lambda _: True)
    typed = ["merge these two pdf forms", "fill in the forms from my bank"]
    assert support_problems("forms", [], "", typed, lambda _: True) == []


def test_a_query_and_its_misspelt_copy_are_one_piece_of_evidence() -> None:
    original = "Build many landing pages from a spreadsheet of cities. Use for location pages."
    body = "# Location pages\n\nOne template, one row per city, and a unique intro per page.\n"
    added = f'{original} Also use it when a request mentions "ranking keywords".'
    asked = "Any advice on building pages at scale for ranking keywords?"
    slipped = "Any avdice on buidling pages at scale for ranking keywords?"
    other = "which ranking keywords should the city pages go after"
    once = problems(original, added, own_text=body, evidence=[asked, slipped], name="city-pages")
    assert any("'ranking keywords'" in why for why in once), once
    twice = problems(original, added, own_text=body, evidence=[asked, other], name="city-pages")
    assert not any("'ranking keywords'" in why for why in twice), twice
