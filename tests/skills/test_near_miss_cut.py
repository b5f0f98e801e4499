"""Near-misses (`expect: null`) and the "none" cut: the report's warning about near-misses that
fire gives the advice that fits: add near-misses to train when it has few, or say that no cut
separates them when train has them and they fire there too."""

from __future__ import annotations

from skill_helpers import skill

from agentos.skill.bm25 import BM25Router
from agentos.skill.evals import EvalItem
from agentos.skill.evaluator import SkillEvaluator
from agentos.skill.report import TuneReport, build_report
from agentos.skill.router import EmbeddingRouter
from agentos.skillfile import Skill

RUNNING = [
    skill("training-plan", "Builds a week-by-week plan toward a goal race from weekly mileage."),
    skill("pace-zones", "Works out training paces and heart-rate zones from a race result."),
    skill("race-fueling", "Plans gels, drinks and carbs before and during a race."),
]
POSITIVE = [
    ("12 week plan for my first half marathon", "training-plan"),
    ("how should I build up to a marathon in spring", "training-plan"),
    ("weekly schedule for a 10k in two months", "training-plan"),
    ("what pace should my easy runs be after a 24 minute 5k", "pace-zones"),
    ("heart rate zones with max 190", "pace-zones"),
    ("tempo pace from a 50 minute 10k", "pace-zones"),
    ("how many gels in a marathon", "race-fueling"),
    ("what to eat the morning of a race", "race-fueling"),
    ("how much should I drink during a half", "race-fueling"),
]
# the same tasks for another sport, which no skill takes: they share the skills' words
NEAR = [
    "training plan for a cycling race in june",
    "what to eat before a swim meet",
    "weekly plan for a rowing regatta",
    "heart rate zones for rowing",
    "power zones for my bike from an ftp test",
]


def _report(train_near: list[str], router: EmbeddingRouter) -> TuneReport:
    train = [EvalItem(q, e, "clean", "train") for q, e in POSITIVE[::2] + POSITIVE[1::2][:2]]
    train += [EvalItem(q, None, "near-miss", "train") for q in train_near]
    held = [EvalItem(q, e, "clean", "holdout") for q, e in POSITIVE[1::2][2:]]
    held += [EvalItem(q, None, "near-miss", "holdout") for q in NEAR]
    router.calibrate(train, RUNNING)
    evaluator = SkillEvaluator([*train, *held], router, recalibrate=True)
    return _build(evaluator, RUNNING)


def _build(evaluator: SkillEvaluator, skills: list[Skill]) -> TuneReport:
    return build_report(
        skills=skills,
        final=skills,
        rewrites={},
        evaluator=evaluator,
        second=BM25Router(),
        experiments=[],
        refusals=[],
        accepted=[],
        branch=None,
        commit=None,
        out=None,
        threshold=0.0,
        elapsed=0.0,
        gates=0,
        as_json=False,
        run_id="r1",
        router="EmbeddingRouter",
    )


def test_with_no_near_miss_on_train_the_warning_says_to_add_some(
    router: EmbeddingRouter,
) -> None:
    report = _report([], router)
    (warning,) = [n for n in report.notes if n.startswith("warning: ")]
    fired = sum(c.after for c in report.confusions if c.expected == "none")
    assert warning.startswith(
        f"warning: {fired} of 5 held-out near-misses (expect: null) fire a skill"
    )
    assert "has 0 near-misses; add near-misses to it" in warning


def test_with_near_misses_on_train_that_fire_the_warning_says_no_cut_separates_them(
    router: EmbeddingRouter,
) -> None:
    # tasks for other sports on train too: they score like the skills' own queries
    train_near = [
        "12 week plan for my first cycling sportive",
        "heart rate zones for my swimming sessions",
        "how many gels for a long bike ride",
        "weekly schedule for learning piano",
        "what zones does my gym have",
        "what pace should I cycle a 40k time trial",
    ]
    report = _report(train_near, router)
    (warning,) = [n for n in report.notes if n.startswith("warning: ")]
    assert "add near-misses" not in warning  # they are there already
    assert "of the 6 train near-misses the none cut was fitted on" in warning
    assert "no none cut separates them" in warning and "ANTHROPIC_API_KEY" in warning
    assert "would also turn away" in warning  # what a cut that did separate them would cost
    # and every held-out near-miss that fires is named, with the skill it went to
    named = {m.query: m.after for m in report.misses if m.expect is None}
    fired = sum(c.after for c in report.confusions if c.expected == "none")
    assert len(named) == fired and all(named.values())


def test_when_the_cut_turns_the_train_near_misses_away_the_warning_asks_for_ones_like_these(
    router: EmbeddingRouter,
) -> None:
    # train near-misses far from running: the cut turns them away, not the held-out ones
    train_near = [
        "book a flight to rome",
        "what is the capital of peru",
        "fix the leaking kitchen tap",
        "translate this letter into german",
        "recommend a laptop for video editing",
    ]
    report = _report(train_near, router)
    (warning,) = [n for n in report.notes if n.startswith("warning: ")]
    assert "the held-out ones ask for other things" in warning, warning
    assert "add near-misses like them to the train split" in warning
    assert "no none cut separates them" not in warning
