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
    '## Seeded randomness in practice\n\nRun "cd frontend && npm run dev" or "npm run dev".\n'
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
]


def test_the_draft_holds_whole_requests_only() -> None:
    positive, _ = requests_of_skill(ART)
    assert "Creating algorithmic art using p5.js with seeded randomness" in positive
    assert "draw a flow field with seeded noise" in positive
    assert "Seeded randomness in practice" in positive
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
    siblings = [gel, protein, xlsx, docx]
    assert near_misses(gel, siblings) == []  # 'protein' alone: a guess, so left out
    assert near_misses(xlsx, siblings) == [
        ("the primary deliverable is a Word document", "docx"),
        ("booking flights or hotels", None),  # no sibling says anything of it
    ]
