"""The skill benchmark's diagnosis lines: the held-out queries a skill set misses, and `--reach`
(each single term a skill may add, with the held-out change it makes)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from skill_helpers import skill

from agentos.skill import EvalItem, SkillEvaluator
from agentos.skill.router import EmbeddingRouter
from agentos.skillfile import Skill

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.skills import miss_kind, missed, reach, word_reach  # noqa: E402
from benchmarks.skills_why import why  # noqa: E402

SKILLS = [
    skill("stain-removal", "Removes red wine stains from white cotton tablecloths."),
    skill("meal-planner", "Plan the week's dinners for a household."),
]
ITEMS = [
    EvalItem("get a coffee stain out of my white shirt", "stain-removal", "clean", "train"),
    EvalItem("grease on my jeans, how do I remove it", "stain-removal", "clean", "train"),
    EvalItem("plan dinners for the week", "meal-planner", "clean", "train"),
    EvalItem("what's the weather this weekend", None, "near-miss", "train"),
    EvalItem("coffee spilled on my shirt", "stain-removal", "clean", "holdout"),
    EvalItem("what wine goes with salmon", None, "near-miss", "holdout"),
    EvalItem("dinner ideas for the whole week", "meal-planner", "clean", "holdout"),
]


def test_missed_lists_each_misrouted_held_out_query_with_where_it_went(
    router: EmbeddingRouter,
) -> None:
    judge = SkillEvaluator(ITEMS, router, recalibrate=True)
    _, holdout = judge.score(SKILLS)
    wrong = [(i, p) for i, p in zip(holdout.items, holdout.predicted, strict=True) if i.expect != p]
    assert missed(judge, SKILLS) == wrong
    assert all(item.split == "holdout" for item, _ in missed(judge, SKILLS))


def test_reach_reports_only_terms_that_move_held_out_on_some_router(
    router: EmbeddingRouter, capsys: pytest.CaptureFixture[str]
) -> None:
    judge = SkillEvaluator(ITEMS, router, recalibrate=True)
    reach(judge, SKILLS)
    out = capsys.readouterr().out.splitlines()
    found = re.compile(r"held-out E([+-]\d+) B([+-]\d+) N([+-]\d+) \((.+)\)$")
    changes = [m.groups() for m in map(found.search, out) if m]
    assert all(any(int(c) != 0 for c in groups[:3]) for groups in changes)  # a term that changes
    assert len(changes) == len([line for line in out if line.startswith("reach: ")])  # nothing
    # is not listed; each says what the gate and the keep rule would do with it
    assert all(groups[3] for groups in changes)
    # one line per held-out query missed at the start by the embedding router
    lines = [line for line in out if line.startswith("reach_miss_embedding: ")]
    misses = missed(judge, SKILLS)
    assert misses and len(lines) == len(misses)
    for (item, _), line in zip(misses, lines, strict=True):
        assert line.startswith(f"reach_miss_embedding: {item.query!r} expect={item.expect};")
    for name in ("embedding", "bm25", "ngram"):
        summary = [line for line in out if line.startswith(f"reach_summary_{name}: ")]
        assert len(summary) == 1 and "terms raise its held-out figure" in summary[0]


def test_a_miss_is_named_by_where_the_query_went() -> None:
    assert miss_kind(None, "stain-removal") == "near-miss fires"
    assert miss_kind("meal-planner", None) == "below the cut"
    assert miss_kind("meal-planner", "stain-removal") == "taken by a sibling"


def test_word_reach_says_where_a_missed_querys_words_are() -> None:
    plan = Skill(
        "meal-planner",
        "Plan the week's dinners for a household.",
        "# Menus\n\nList the freezer staples first.\n",
        Path("meal-planner") / "SKILL.md",
    )
    train = [EvalItem("use up the leftovers", "meal-planner", "clean", "train")]

    def where(query: str) -> str:
        return word_reach(EvalItem(query, "meal-planner", "clean", "holdout"), [plan], train)

    assert where("plan dinners for the week") == "in description"
    assert where("menus from the freezer").startswith("lexical: own freezer menu")
    assert where("leftovers tonight") == "train words: train leftover; none tonight"
    assert where("cheap eats") == "out of reach: none cheap eat"
    near = EvalItem("what's the weather", None, "near-miss", "holdout")
    assert word_reach(near, [plan], train) == "near-miss"


def test_why_names_what_becomes_of_each_term_of_a_missed_train_query(
    router: EmbeddingRouter, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--why`: a misspelled hand-written train query lends no term; a clean one's terms are
    judged by the gate and the keep rule on train; one line per missed query, and a tally."""
    items = [
        *ITEMS,
        EvalItem("grese on my jeens", "stain-removal", "typo", "train"),
        EvalItem("what wine goes with a roast", "meal-planner", "clean", "train"),
    ]
    router.calibrate(items, SKILLS)
    why(router, items, SKILLS, SKILLS)
    out = capsys.readouterr().out.splitlines()
    lines = [line for line in out if line.startswith("why_missed: ")]
    typo = [line for line in lines if "'grese on my jeens'" in line]
    assert typo and typo[0].endswith(": no term offered (-)")
    judge = SkillEvaluator(items, router, recalibrate=True)
    train, _ = judge.score(SKILLS)
    wrong = [
        i for i, p in zip(train.items, train.predicted, strict=True)
        if i.expect is not None and i.expect != p and not i.generated
    ]  # fmt: skip
    assert len(lines) == len(wrong)
    (tally,) = [line for line in out if line.startswith("why_kinds: ")]
    assert tally.startswith(f"why_kinds: {len(wrong)} (")
