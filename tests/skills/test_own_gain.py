"""The keep rule reads whose doing a train gain is: a rewrite of skill S is kept only when it
gains on train for S itself (more of its train queries routed to it, or fewer of others' routed
to it, over the deciding routers), never for a drift elsewhere that its rewrite set off."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from skill_helpers import skill

from agentos.evaluate import Evaluation
from agentos.skill import EvalItem, SkillEvaluator, load_skills
from agentos.skill import joint as joint_module
from agentos.skill.bm25 import BM25Router
from agentos.skill.evals import augment, load_evals
from agentos.skill.evaluator import described, own_figures
from agentos.skill.examples import with_examples
from agentos.skill.router import EmbeddingRouter
from agentos.skillfile import Skill

ITEMS = [
    EvalItem("run the helm upgrade for payments", "deploy", "clean", "train"),
    EvalItem("print the manual pages", "docs", "clean", "train"),
    EvalItem("order pizza", None, "clean", "train"),
]
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
DOCS = "Write user documentation."
START = [skill("deploy", "Run the Helm chart upgrade."), skill("docs", "Write user documentation.")]
REWRITTEN = [
    skill("deploy", 'Run the Helm chart upgrade. Also use it when a request mentions "payments".'),
    START[1],
]


def measured(skills: Sequence[Skill], figures: Mapping[str, float]) -> Evaluation:
    """Hand-made train figures of `skills`, with the description digests the evaluator
    writes beside them."""
    return Evaluation(0.5, details=described(skills) | dict(figures), holdout={"holdout/all": 0.5})


def test_own_figures_are_its_hits_and_the_queries_of_others_routed_to_it() -> None:
    details = {"train/hits/a": 3.0, "train/to/a/b": 1.0, "train/to/a/none": 1.0, "train/to/ab/b": 5}
    assert own_figures(details, "a") == (3.0, 2.0)  # "ab" is another skill
    assert own_figures({"lexical/train/hits/a": 2.0}, "a", "lexical/") == (2.0, 0.0)


def test_a_gain_that_is_not_the_rewritten_skills_own_is_vetoed() -> None:
    """deploy is rewritten; docs gains a train query (the re-fitted cut let it through) while
    deploy's own figure stays: refused. A rise of deploy's hits, or one fewer query of another
    skill routed to deploy, is its own gain and passes."""
    judge = SkillEvaluator(ITEMS, router=None)  # type: ignore[arg-type]
    start = {"train/hits/deploy": 1.0, "train/hits/docs": 0.0, "train/to/deploy/none": 1.0}
    before = measured(START, start)
    drift = measured(REWRITTEN, start | {"train/hits/docs": 1.0})
    assert judge.idle(before, drift) == ["deploy"]
    reason = judge.veto(before, drift)
    assert reason is not None and reason.startswith("the train gain is not deploy's own")
    hits = measured(REWRITTEN, start | {"train/hits/deploy": 2.0})
    fewer = measured(REWRITTEN, {"train/hits/deploy": 1.0, "train/hits/docs": 0.0})
    assert judge.veto(before, hits) is None
    assert judge.veto(before, fewer) is None
    # one more of its own queries, while a near-miss already misrouted to a sibling comes to
    # it (the veto's other checks refuse one that went to no skill): its own gain
    both = measured(REWRITTEN, start | {"train/hits/deploy": 2.0, "train/to/deploy/none": 2.0})
    assert judge.veto(before, both) is None
    # a skill that was not rewritten is never asked for a gain of its own
    assert judge.veto(before, measured(START, start | {"train/hits/docs": 1.0})) is None


def test_the_own_gain_is_summed_over_the_deciding_routers() -> None:
    judge = SkillEvaluator(ITEMS, router=None)  # type: ignore[arg-type]
    judge.lexical = object()  # type: ignore[assignment]
    base = {"train/hits/deploy": 1.0, "lexical/train/hits/deploy": 0.0}
    before = measured(START, base)
    lexical = measured(REWRITTEN, base | {"lexical/train/hits/deploy": 1.0})
    assert judge.veto(before, lexical) is None  # BM25 routes one more of deploy's queries
    traded = {"train/hits/deploy": 0.0, "lexical/train/hits/deploy": 1.0}
    assert judge.idle(before, measured(REWRITTEN, traded)) == ["deploy"]  # one won, one lost


def test_the_evaluator_blames_a_rewritten_skill_with_no_gain_of_its_own(
    router: EmbeddingRouter,
) -> None:
    """Measured with the real router: "manual pages" routes none of write-docs' train queries
    differently (they already go to it), so the veto refuses it and blames write-docs, and
    the joint search leaves that term out of its next look."""
    items = [
        EvalItem("run the helm upgrade for payments", "deploy", "clean", "train"),
        EvalItem("print the manual pages", "write-docs", "clean", "train"),
        EvalItem("add a page to the manual", "write-docs", "clean", "train"),
        EvalItem("order pizza", None, "clean", "train"),
        EvalItem("the docs are outdated", "write-docs", "clean", "holdout"),
    ]
    start = [skill("deploy", "Run the Helm chart upgrade."), skill("write-docs", DOCS)]
    judge = SkillEvaluator(items, router, recalibrate=True, originals=start)
    router.calibrate(items, start)
    text = with_examples(DOCS, ["manual pages"])
    assert text is not None
    pages = [start[0], start[1].with_components({"write-docs/description": text})]
    before, after = judge.evaluate_skills(start), judge.evaluate_skills(pages)
    assert after.status is None, after.reason  # the quality gate passes the term
    assert before.details["train/hits/write-docs"] == after.details["train/hits/write-docs"] == 2
    assert judge.veto(before, after) is not None
    assert judge.blame(start, pages) == ["write-docs"]


def test_every_joint_addition_gains_on_train_for_its_own_skill(router: EmbeddingRouter) -> None:
    """On the garden set, each term the joint search adds that routes a train query anew
    gains for the skill it is added to, as the evaluator judges it. pruning's "shrub", which
    came after "tree" and moved queries without one more of pruning's routed to it or one
    fewer of others', is not added; the terms that gain for their skills still are."""
    root = EXAMPLES / "skills-garden"
    skills = load_skills(root)
    items = augment(load_evals(root / "evals.jsonl", [s.name for s in skills]), seed=0)
    train = [i for i in items if i.split == "train"]
    router.calibrate(train, skills)
    lexical = BM25Router()
    judge = SkillEvaluator(items, router, recalibrate=True, originals=skills, lexical=lexical)
    steps = joint_module.joint_examples(
        router, skills, train, lexical=lexical, body=True, originals=skills
    )
    added = [(s.skill, s.request) for s in steps]
    assert ("pruning", "tree") in added and ("garden-pests", "ladybirds") in added
    assert ("pruning", "shrub") not in added
    before = judge.evaluate_skills(skills)
    for step in steps:
        after = judge.evaluate_skills(step.skills)
        marks = [k for k in after.details if "/route/" in k]
        if any(before.details[k] != after.details[k] for k in marks):  # it routes anew
            assert judge.idle(before, after) == [], (step.skill, step.request)
        before = after
