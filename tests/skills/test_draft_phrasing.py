"""`--make-evals` drafts requests, not headings or fragments, and about a third of its lines are
near-misses: the "do not use" clauses and tasks no skill does about each skill's own topics."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from agentos.skill.domain import shared_nouns
from agentos.skill.draft import draft_evals, requests_of_skill
from agentos.skill.evals import normalized
from agentos.skill.nearmiss import out_of_scope
from agentos.skill.phrasing import as_request, kind
from agentos.skillfile import Skill, load_skills

ROOT = Path(__file__).resolve().parents[2]
VET = Skill(
    "vet-visit-prep",
    "Helps an owner get ready for a routine vet appointment: what to write down beforehand, "
    "which questions to ask, what samples to bring, and how to keep a nervous cat calm on the "
    "way. Use when someone "
    "has booked, or is about to book, a check-up. Do NOT use for emergencies happening right "
    "now (use pet-first-aid).",
    "## Always first\nWrite it down.\n## The box setup\nA crate.\n## Questions worth asking\n"
    "## Specific cases\n## Preparing a stool sample\nUse a clean pot.\n",
    Path("vet-visit-prep/SKILL.md"),
)
AID = Skill(
    "pet-first-aid",
    "Urgent help when a dog or cat is hurt right now: rat poison, bloated belly, heatstroke. "
    "Triage what is an emergency and who to call.",
    "## Always first\nStay calm.\n",
    Path("pet-first-aid/SKILL.md"),
)


@pytest.mark.parametrize(
    "phrase",
    ["is about to book", "Always first", "who to call", "be quick", "someone has booked",
     "medical red flags first", "questions worth", "a cat has stopped using the box: peeing"],
)  # fmt: skip
def test_fragments_are_no_requests(phrase: str) -> None:
    assert as_request(phrase, random.Random(0)) is None


@pytest.mark.parametrize(
    ("phrase", "wanted"),
    [
        ("what records and samples to bring", "What records and samples should I bring?"),
        ("how to keep a nervous cat calm", "How should I keep a nervous cat calm?"),
        ("you found a tick", "I found a tick"),
        ("a cat has stopped using the litter box", "My cat has stopped using the litter box"),
        ("Prune roses in late winter", "prune roses in late winter"),
        ("rescue vs breeder", "rescue vs breeder"),
        ("why they run out of money before payday", "Why do I run out of money before payday?"),
        ("how we split the bills", "How do I split the bills?"),
    ],
)
def test_a_topic_is_asked_the_way_a_user_asks(phrase: str, wanted: str) -> None:
    for seed in range(4):
        asked = as_request(phrase, random.Random(seed))
        assert asked is not None and wanted in asked, asked
        assert asked[0].isupper() and asked[-1] in ".?", asked
        assert asked != phrase


def test_the_draft_holds_requests_not_headings_or_fragments() -> None:
    positive, _ = requests_of_skill(VET)
    low = {normalized(p) for p in positive}
    for bad in ("always first", "the box setup", "questions worth asking", "specific cases",
                "is about to book", "someone has booked"):  # fmt: skip
        assert bad not in low, (bad, positive)
    assert "preparing a stool sample" in low  # a heading that names a task
    rows = draft_evals([VET, AID], seed=0)
    queries = [str(r["query"]) for r in rows if r["slice"] == "clean"]
    assert "What should I write down beforehand?" in queries
    assert all(q[0].isupper() and q[-1] in ".?" for q in queries), queries
    assert not any(normalized(q) in {normalized(p) for p in positive} for q in queries)


@pytest.mark.parametrize("folder", ["examples/skills", "examples/skills-kitchen"])
def test_about_a_third_of_a_draft_are_near_misses(folder: str) -> None:
    rows = draft_evals(load_skills(ROOT / folder), seed=0)
    near = [r for r in rows if r["slice"] == "near-miss"]
    assert 0.2 <= len(near) / len(rows) <= 0.5, (len(near), len(rows))
    nobody = [r for r in near if r["expect"] is None]
    assert {r["split"] for r in nobody} == {"train", "holdout"}  # the cut is fitted on train
    assert len(nobody) >= len(near) // 2


def test_an_out_of_scope_task_is_one_no_skill_does() -> None:
    texts = ["Write poems and song lyrics for birthdays.", "Translate menus into French."]
    asked = [
        q for q, _ in out_of_scope(["rat poison", "bloated belly"], texts, random.Random(0), 12)
    ]
    assert asked and all("rat poison" in q or "bloated belly" in q for q in asked)
    assert not any(w in q.lower() for q in asked for w in ("poem", "lyrics", "translate"))


def test_near_misses_share_the_folders_domain_words() -> None:
    texts = ["Dog walks and cat food.", "Litter for a cat or a dog; booked visits.", "Boats."]
    assert shared_nouns(texts) == ["dog", "cat"]  # in two texts or more, no -ed form
    asked = [
        q for q, _ in out_of_scope(["rat poison"], ["Pets."], random.Random(0), 4, ["dog", "cat"])
    ]
    assert any("my dog" in q or "my cat" in q for q in asked), asked
    assert any("rat poison" in q for q in asked), asked


@pytest.mark.parametrize("phrase", ["refunds that are late", "invoices which were never paid"])
def test_a_noun_and_its_relative_clause_is_a_topic_not_an_order(phrase: str) -> None:
    assert kind(phrase) == "topic"
    for seed in range(4):
        asked = as_request(phrase, random.Random(seed))
        assert asked is not None and not re.search(r"(?:I|me|to) (?:refunds|invoices)", asked)
