"""What a draft eval set asks when skills' texts overlap or point outside the folder: a request
two skills both offer has no one right answer and is asked of neither, variants included."""

from __future__ import annotations

from pathlib import Path

from agentos.skill.draft import draft_evals
from agentos.skillfile import Skill


def _skill(name: str, description: str) -> Skill:
    return Skill(name, description, "Steps.\n", Path(name) / "SKILL.md")


COPY = _skill(
    "shop-copy",
    'Write product descriptions for an online shop. Also use when the user mentions '
    '"landing pages", "product blurbs" or "banner slogans".',
)
CONVERT = _skill(
    "checkout-tuning",
    'Raise the share of visitors who buy. Also use when the user mentions "landing page", '
    '"cart abandonment" or "checkout friction".',
)


def test_a_request_two_skills_offer_is_asked_of_neither_nor_its_variants() -> None:
    for seed in range(4):
        rows = draft_evals([COPY, CONVERT], seed=seed)
        landing = [r for r in rows if r["expect"] is not None and "land" in str(r["query"]).lower()]
        assert not landing, (seed, landing)
        asked = {r["expect"] for r in rows if r["expect"] is not None}
        assert asked == {"shop-copy", "checkout-tuning"}, seed  # the rest is still asked


def test_a_request_sent_to_a_skill_the_folder_lacks_is_a_near_miss() -> None:
    shop = _skill(
        "shop-copy",
        "Write product descriptions for an online shop. For newsletter campaigns, see "
        "email-sequence. For details, see below.",
    )
    rows = draft_evals([shop, CONVERT])
    told = [r for r in rows if "newsletter campaigns" in str(r["query"]).lower()]
    assert told and all(r["expect"] is None for r in told), told
    assert all(r["slice"] == "near-miss" for r in told), told
    assert not any("details" in str(r["query"]).lower() for r in rows), rows
    # one a sibling covers is left out: the author's answer is not in the folder, and
    # labelling it with the sibling would be a guess
    ads = _skill(
        "influencer-deals",
        "Plan influencer partnerships. For checkout page conversion, see paid-ads-studio.",
    )
    rows = draft_evals([ads, CONVERT])
    assert not [r for r in rows if "checkout page conversion" in str(r["query"]).lower()], rows


def test_a_shared_word_is_asked_about_as_the_skills_write_it() -> None:
    cleanup = _skill(
        "contact-cleanup",
        "Merge duplicate contacts in the CRM. Also use when the user mentions 'duplicate "
        "contacts', 'stale leads' or 'bad emails in the CRM'.",
    )
    reports = _skill(
        "pipeline-reports",
        "Build weekly pipeline reports from the CRM. Also use when the user mentions 'pipeline "
        "report', 'win rate' or 'deal stages in the CRM'.",
    )
    asked = [str(r["query"]) for r in draft_evals([cleanup, reports]) if r["expect"] is None]
    assert any("my CRM" in q for q in asked), asked
    assert not any("my crm" in q for q in asked), asked
