"""A draft eval set holds whole requests only (no sentence cut at the dot of `p5.js`, no
description meta-text, generic heading or shell command), never the same query in train and
held-out nor a held-out query inside a train one, and a near-miss expects a sibling only when
its "(use X)" names it or the sibling's text plainly covers it."""

from __future__ import annotations

from pathlib import Path

from agentos.skill.draft import draft_evals, near_misses, requests_of_skill
from agentos.skill.evals import normalized
from agentos.skillfile import Skill

ART = Skill(
    "algorithmic-art",
    "Creating algorithmic art using p5.js with seeded randomness. Use this skill any time a "
    "user asks for generative art, flow fields or particle systems. If the user mentions a "
    "sketch on claude.ai, use it. Triggers include: 'generative art', 'p5 sketch'.",
    "# Art\n\n## Quick Start\n\n## Technical Details\n\n## Step 1: Initialize Project\n\n"
    "## Seeded randomness in practice\n\n## Seeding a noise field\n\n"
    'Run "cd frontend && npm run dev" or "npm run dev".\n'
    'For example: "draw a flow field with seeded noise".\n',
    Path("algorithmic-art/SKILL.md"),
)
BAD = [
    "p5",
    "js with seeded randomness",
    "If the user mentions a",
    "Use this skill any time a",
    "Triggers include",
    "Quick Start",
    "Technical Details",
    "Step 1: Initialize Project",
    "cd frontend && npm run dev",
    "npm run dev",
    "ai",
    "a user asks for generative art",
]


def test_the_draft_holds_whole_requests_only() -> None:
    positive, _ = requests_of_skill(ART)
    assert "Creating algorithmic art using p5.js with seeded randomness" in positive
    assert "draw a flow field with seeded noise" in positive
    assert "Seeding a noise field" in positive  # a heading that names a task
    assert "Seeded randomness in practice" not in positive  # one that names a section
    low = {normalized(p) for p in positive}
    for bad in BAD:
        assert normalized(bad) not in low, (bad, positive)
    assert not any(normalized(p).endswith((" a", " the")) for p in positive), positive


def test_no_query_is_in_both_splits_and_no_held_out_query_is_part_of_a_train_one() -> None:
    docs = Skill(
        "docs",
        "Write user guides. Use when the user asks to write user guides, user guides!, "
        "write a README or document an API.",
        "Steps.\n",
        Path("docs/SKILL.md"),
    )
    for seed in range(6):
        rows = draft_evals([ART, docs], seed=seed)
        keys = [normalized(str(r["query"])) for r in rows]
        assert len(keys) == len(set(keys)), seed
        train = [f" {k} " for k, r in zip(keys, rows, strict=True) if r["split"] == "train"]
        held = [k for k, r in zip(keys, rows, strict=True) if r["split"] == "holdout"]
        assert held and not [h for h in held if any(f" {h} " in t for t in train)], seed


def _skill(name: str, description: str) -> Skill:
    return Skill(name, description, "Steps.\n", Path(name) / "SKILL.md")


def test_a_near_miss_expects_a_sibling_only_when_it_plainly_covers_it() -> None:
    gel = _skill(
        "gel-electrophoresis",
        "Pour, load and run an agarose gel and read the bands. Not for SDS-PAGE protein gels.",
    )
    protein = _skill("protein-assay", "Measure protein concentration with a Bradford or BCA assay.")
    xlsx = _skill(
        "xlsx",
        "Create and edit spreadsheets (.xlsx). Do NOT trigger when the primary deliverable is "
        "a Word document. Not for booking flights or hotels.",
    )
    docx = _skill("docx", "Create and edit Word documents (.docx): letters, memos, reports.")
    sheets = _skill("sheets", "Edit shared spreadsheets. Not for Google Docs.")
    coauthor = _skill("doc-coauthoring", "Co-author documentation and decision docs.")
    siblings = [gel, protein, xlsx, docx, sheets, coauthor]
    # protein-assay uses one of its four telling words: no sibling covers it
    assert near_misses(gel, siblings) == [("SDS-PAGE protein gels", None)]
    assert near_misses(xlsx, siblings) == [
        ("the primary deliverable is a Word document", "docx"),
        ("booking flights or hotels", None),  # no sibling says anything of it
    ]
    assert near_misses(sheets, siblings) == []  # doc-coauthoring says 'docs': a guess, left out


def test_each_use_x_parenthesis_sends_only_its_own_requests_to_x() -> None:
    """ "Do NOT use for A or B (use x or y) or for C (use z)": A and B go to whichever of x and y
    they are about, C to z; "Do NOT use for D, or for E (use w)": E to w, D not to w."""
    grooming = _skill(
        "dog-grooming",
        "Bath, brush and trim a dog. Do NOT use for flea treatment or a torn claw (use "
        "pet-parasites or paw-care) or for bad breath (use dental-care). Do NOT use for "
        "show-ring styling of a particular breed standard, or for matted fur that hides a "
        "skin wound (use wound-care).",
    )
    siblings = [
        grooming,
        _skill("pet-parasites", "Treat fleas, ticks and worms on cats and dogs: flea treatment."),
        _skill("paw-care", "Trim claws and treat a torn claw or cracked paw pads."),
        _skill("dental-care", "Brush a pet's teeth and deal with bad breath."),
        _skill("wound-care", "Clean and dress a skin wound on a pet."),
    ]
    got = dict(near_misses(grooming, siblings))
    assert got.get("flea treatment") == "pet-parasites", got
    assert got.get("a torn claw") == "paw-care", got
    assert got.get("bad breath") == "dental-care", got
    assert "wound-care" not in {got.get(q) for q in got if "breed" in q}, got


def test_lead_ins_list_heads_and_disclaimers_are_not_requests() -> None:
    skill = Skill(
        "pet-first-aid",
        "First aid for cats and dogs. Use when the pet has eye, ear, nose or paw swelling, "
        "is limping, or has eaten something toxic. Not veterinary advice: for anything serious "
        "call a vet.",
        "# Pet first aid\n\n## Before you begin\n\n## Quick triage\n\n"
        "## Treating a bee sting on a paw\n",
        Path("pet-first-aid/SKILL.md"),
    )
    positive, _ = requests_of_skill(skill)
    low = {normalized(p) for p in positive}
    assert "treating a bee sting on a paw" in low, positive
    for bad in (
        "has eaten something toxic",  # its subject is cut off: a fragment
        "is limping",
        "the pet has eye",
        "use when the pet has eye",
        "paw swelling",
        "not veterinary advice",
        "before you begin",
        "quick triage",
    ):
        assert normalized(bad) not in low, (bad, positive)


def test_no_held_out_query_holds_a_train_request() -> None:
    skill = Skill(
        "cat-feeding",
        "Plan a cat's meals. Use when the cat is gaining weight, the cat is gaining weight fast "
        "after neutering, or refuses food.",
        "Steps.\n",
        Path("cat-feeding/SKILL.md"),
    )
    for seed in range(6):
        rows = draft_evals([skill, ART], seed=seed)
        train = [normalized(str(r["query"])) for r in rows if r["split"] == "train"]
        held = [normalized(str(r["query"])) for r in rows if r["split"] == "holdout"]
        assert not [(h, t) for h in held for t in train if f" {t} " in f" {h} "], seed


def test_the_draft_asks_only_what_a_person_asks_and_labels_no_sibling_s_request() -> None:
    """A predicate cut from its subject ("Useful for growers", "ready to plant") is no request;
    a verb the skill is the subject of ("Includes", "Enforces") gives its object; an order the
    topic wording would garble ("with craft effective ...") is asked as an order; a shared
    adjective is no topic of a near-miss ("a poem about my useful"); and a request whose words
    a sibling's name holds more of ("planning for seedlings" of a skill beside seedling-plan) is
    left out."""
    from skill_helpers import skill

    plan = skill(
        "seedling-plan",
        "Plan seedlings for a vegetable garden. Use when planning seedling trays or choosing "
        "seed varieties. Useful for growers with small plots.",
    )
    log = skill(
        "garden-log",
        "Craft effective garden plans for vegetable beds. Use when planning for seedlings, "
        'logging harvests, or when users mention "ready to plant". Includes seed charts and '
        "soil notes. Enforces weekly watering reminders. Useful for allotment keepers.",
    )
    rows = draft_evals([plan, log], seed=0)
    asked = " | ".join(str(r["query"]) for r in rows)
    for bad in ("useful", "ready to plant", "include", "enforce", "with craft"):
        assert bad not in asked.lower(), (bad, asked)
    mine = {normalized(str(r["query"])) for r in rows if r["expect"] == "garden-log"}
    assert not any("planning for seedlings" in q for q in mine), mine
    assert any("seed charts and soil notes" in q for q in mine), mine
    assert any("weekly watering reminders" in q for q in mine), mine
    assert any("to craft effective garden plans" in q for q in mine), mine
