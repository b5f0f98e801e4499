"""Rewrites a skill author would merge: the description-quality gate refuses added terms that
name nothing (each refused sentence below was kept by the offline tuner on a new user's pet-care
skills, whose own text uses every word of it), the qualifier drop keeps every item of a list the
author wrote, and a changed block-scalar description keeps the author's line wrapping."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentos.skill.operators import drop_qualifiers
from agentos.skill.quality import problems
from agentos.skillfile import parse_skill, render_skill

LITTER = (
    "Use when a cat has stopped using the litter box: peeing or pooping elsewhere,\n"
    "spraying walls, scratching around the box without using it. Covers medical\n"
    "red flags first, then box number/placement/litter type, cleaning marked spots,\n"
    "and multi-cat stress. Do NOT use for general kitten care or for litter training\n"
    "a new kitten from scratch.\n"
)
SKILLS = {  # name: (description, body); each body uses the words the tuner added
    "adopting-a-pet": (
        "Choosing and bringing home a new dog or cat: rescue vs breeder, picking a breed, "
        "questions for the shelter, the shopping list, and the first two weeks.",
        "## First weeks\nBoth adults agree on the rules. Short routine walks.\n",
    ),
    "vet-visit-prep": (
        "Helps an owner get ready for a routine vet appointment: symptoms, timeline, food, "
        "meds, and which questions to ask.",
        "## Questions worth asking\n2. What does each test tell us, and what does it cost?\n",
    ),
    "leash-reactivity": (
        "Training plan for a dog that lunges, barks or pulls on the lead at other dogs, "
        "people, bikes or cars.",
        "1. Dog sees trigger -> mark -> treat.\n## Management on walks\nCross the road.\n",
    ),
    "travelling-with-pets": (
        "Taking a dog or cat on a trip: car journeys, flying, ferries and trains, microchip "
        "and rabies vaccine.",
        "1. Microchip before the rabies vaccine (order matters).\n",
    ),
    "pet-first-aid": (
        "Urgent help when a dog or cat ate something toxic (chocolate, grapes, xylitol, "
        "lilies), bleeding, choking, heatstroke.",
        "Dark chocolate is the worst. Call the vet on the way.\n",
    ),
    "cat-litter-issues": (
        LITTER,
        "## Spraying vs peeing\nThe rule: boxes = cats + 1. A blockage is an emergency.\n"
        "## The box setup\nSpraying outside the box is marking.\n",
    ),
    "flea-and-tick": (
        "Getting rid of fleas, removing ticks, choosing and applying flea/tick/worm "
        "preventives (spot-on, tablets, collars), and treating the house.",
        "Comb over a wet white paper: black specks that turn red are flea dirt.\n",
    ),
}


@pytest.mark.parametrize(
    ("name", "sentence", "why"),
    [
        ("adopting-a-pet", "It also covers both.", "'both' is a function word"),
        ("vet-visit-prep", "It also covers tell.", "'tell' is a verb"),
        ("leash-reactivity", "It also covers walks and sees.", "'sees' is a verb"),
        ("travelling-with-pets", "It also covers order matters.", "'matters' is a verb"),
        ("pet-first-aid", "It also covers dark chocolate.", "only new words describe: dark"),
        ("cat-litter-issues", "It also covers spraying vs and rule.", "'vs' is a function word"),
        ("flea-and-tick", "It also covers black.", "'black' describes"),
        ("vet-visit-prep", "It also covers questions worth.", "'worth' is a function word"),
        ("cat-litter-issues", "It also covers setup, outside and blockage.", "'outside'"),
        ("leash-reactivity", "It also covers walks and bring.", "'bring' is a verb"),
        ("flea-and-tick", "It also covers white and red.", "'red' describes"),
        ("adopting-a-pet", "It also covers agree.", "'agree' is a verb"),
        ("leash-reactivity", "It also covers walks and dog walks.", "another term"),
        ("leash-reactivity", "It also covers slower walks and faster.", "'faster' describes"),
        ("leash-reactivity", "It also covers plan fails.", "'fails' is a verb"),
        ("cat-litter-issues", "It also covers spraying and marked.", "'marked' is a past form"),
    ],
)
def test_the_gate_refuses_terms_that_are_no_noun_phrase(name: str, sentence: str, why: str) -> None:
    description, body = SKILLS[name]
    new = f"{description.rstrip()} {sentence}"
    found = problems(description, new, own_text=body, name=name)
    assert any(why in p for p in found), found


@pytest.mark.parametrize(
    ("sentence", "why"),
    [  # kept on the lab, kitchen and public skill folders before these words were listed
        ("It is also for extra, gradient, table and unsure.", "'unsure' describes"),
        ("It is also for causes, drain, filters and noisy.", "'noisy' describes"),
        ("It is also for split ratio, cloudy and confluence.", "'cloudy' describes"),
        ("It is also for spoils.", "'spoils' is a verb"),
        ("It is also for bins, week, bathroom and weigh.", "'weigh' is a verb"),
        ("It is also for questions.", "the filler word 'questions'"),
        ("It is also for modifications.", "the filler word 'modifications'"),
        ("It is also for broke and side.", "'broke' is a verb"),
        ("It is also for inspect.", "'inspect' is a verb"),
        ("It is also for fish and week.", "'week', a word of when"),
    ],
)
def test_the_gate_refuses_the_words_of_state_and_the_generic_nouns(sentence: str, why: str) -> None:
    name = "adopting-a-pet"
    description, _ = SKILLS[name]
    body = "## Notes\n" + " ".join(w.strip(",.") for w in sentence.split()[4:]) + "\n"  # evidence
    found = problems(description, f"{description.rstrip()} {sentence}", own_text=body, name=name)
    assert any(why in p for p in found), found


@pytest.mark.parametrize(
    ("name", "sentence"),
    [
        ("cat-litter-issues", 'Also use it when a request mentions "box setup".'),
        ("leash-reactivity", "It also covers management and walks."),
        ("flea-and-tick", 'Also use it when a request mentions "flea dirt".'),
    ],
)
def test_the_gate_passes_noun_phrases_of_the_skills_own_text(name: str, sentence: str) -> None:
    description, body = SKILLS[name]
    # an everyday word alone also needs a request that asks with it (`support.asked_problems`)
    asked = ("management tips, he lunges on walks",)
    found = problems(
        description, f"{description.rstrip()} {sentence}", own_text=body, evidence=asked
    )
    assert found == []


def test_a_rewrite_may_not_drop_an_item_of_a_list_the_author_wrote() -> None:
    cut = LITTER.replace("box number/placement/litter type", "box type").replace("multi-cat ", "")
    found = problems(LITTER, cut)
    for word in ("number", "placement", "multi-cat"):
        assert f"drops {word!r}, an item of a list the author wrote" in found, found
    assert problems(LITTER, LITTER.replace("litter type", "litter types")) == []
    long = "Tidy logs: " + ", ".join(f"service{n} errors" for n in range(120)) + "."
    shorter = "Tidy logs: " + ", ".join(f"service{n} errors" for n in range(60)) + "."
    assert not any("an item of a list" in p for p in problems(long, shorter))  # over 1024


def test_the_qualifier_drop_keeps_list_items_and_drops_identifiers() -> None:
    assert drop_qualifiers(LITTER) == LITTER  # every word is an item: nothing to drop
    cut = drop_qualifiers(
        "Debug crashing pods in the payments-svc cluster (k8s 1.27), only when they crash."
    )
    assert cut == "Debug crashing pods."
    kept = drop_qualifiers("Deploy web apps (blue-green, canary, rolling) to us-east-1.")
    assert "blue-green, canary, rolling" in kept and "us-east-1" not in kept


def _litter(description: str) -> str:
    block = "".join(f"  {line}\n" for line in description.rstrip("\n").split("\n"))
    return f"---\nname: cat-litter-issues\ndescription: |\n{block}---\n# Litter\n\nSteps.\n"


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("and multi-cat stress.", "and multi-cat stress. It also covers setup and blockage."),
        ("red flags first, then", "red flags first and then"),
        ("cleaning marked spots,", "cleaning spots,"),
    ],
)
def test_a_block_description_keeps_its_wrapping_outside_the_changed_lines(
    old: str, new: str
) -> None:
    text = _litter(LITTER)
    skill = parse_skill(Path("cat-litter-issues/SKILL.md"), text, folder="cat-litter-issues")
    changed = " ".join(LITTER.split()).replace(old, new)
    out = render_skill(skill.with_components({"cat-litter-issues/description": changed}))
    before, after = text.splitlines(), out.splitlines()
    width = max(len(line) for line in before[3:8])
    assert max(len(line) for line in after) <= width
    assert after[:3] == before[:3] and after[-4:] == before[-4:]
    same_start = next(i for i, (a, b) in enumerate(zip(before, after, strict=False)) if a != b)
    same_end = next(i for i in range(1, len(after)) if before[-i] != after[-i])
    assert len(before) - same_start - same_end + 1 <= 3  # at most the changed rows and the next
    assert all(line.startswith("  ") for line in after[3 : len(after) - 4])
    reread = parse_skill(Path("cat-litter-issues/SKILL.md"), out, folder="cat-litter-issues")
    assert reread.description.split() == changed.split()
