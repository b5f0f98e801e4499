"""The offline proposer's facet operators and train-side search, the re-fitted "none" cut, and
the veto's "taken by the rewrite" rule."""

from __future__ import annotations

import random

from skill_helpers import skill

from agentos.evaluate import Evaluation
from agentos.skill import EvalItem, SkillEvaluator
from agentos.skill.evaluator import NONE, OTHER, RIGHT
from agentos.skill.examples import covered, request_terms, split_examples, with_examples
from agentos.skill.router import EmbeddingRouter, best_threshold
from agentos.skill.search import DescriptionSearch
from agentos.skillfile import MAX_DESCRIPTION


def test_request_terms_are_real_words_never_a_misspelling_a_name_or_a_whole_query() -> None:
    typo = EvalItem("deplyo teh api", "deploy", "typo", "train")
    made = EvalItem("deplyo the api", "deploy", "typo", "train", True, "deploy the frontend")
    assert request_terms(typo) == []  # a misspelling is never written into a description
    assert request_terms(made) == ["frontend"]  # a variant lends its source's words
    assert request_terms(EvalItem("find occurrences at Acme Inc", "grep", "clean", "train")) == [
        "occurrences"  # "find" names no topic, "Acme Inc" is a name
    ]
    assert request_terms(
        EvalItem("look at my pr before br merge w/ req", "r", "clean", "train")
    ) == ["merge"]
    assert request_terms(EvalItem("rotate keys", "s", "clean", "train")) == ["rotate", "keys"]
    kid = EvalItem("my kid got ketchup all over his school jumper", "s", "paraphrase", "train")
    assert request_terms(kid) == ["school jumper", "school", "jumper"]  # never "his school"
    lawn = EvalItem("the grass has gone short and patchy", "s", "paraphrase", "train")
    assert "grass has" not in request_terms(lawn) and "has" not in request_terms(lawn)
    assert request_terms(EvalItem("what is chess", None, "near-miss", "train")) == []


def test_added_terms_sentence_round_trips_after_the_authors_text() -> None:
    text = with_examples("Deploy a service", ["rollout", "release train"])
    assert (
        text
        == 'Deploy a service. Also use it when a request mentions "rollout" or "release train".'
    )
    assert split_examples(text) == ("Deploy a service.", ["rollout", "release train"], "")
    assert with_examples(text, ["a", "b", "c"]) == (
        'Deploy a service. Also use it when a request mentions "a", "b" or "c".'
    )
    assert with_examples(text, []) == "Deploy a service."
    assert with_examples("x" * (MAX_DESCRIPTION - 10), ["a long request"]) is None


def test_added_terms_go_before_the_first_negative_rule_the_rest_kept_as_written() -> None:
    start = "Bake bread at home. Use when asked to bake a loaf. Do NOT use for cakes. Ask first."
    text = with_examples(start, ["crumb", "oven spring"])
    assert text == (
        "Bake bread at home. Use when asked to bake a loaf. "
        'Also use it when a request mentions "crumb" or "oven spring". Do NOT use for cakes. '
        "Ask first."
    )
    assert with_examples(text, []) == start
    assert split_examples(text)[1] == ["crumb", "oven spring"]
    for rule in ("Don't use it for cakes.", "Not for cakes."):
        assert with_examples(f"Bake bread. {rule}", ["crumb"]) == (
            f'Bake bread. Also use it when a request mentions "crumb". {rule}'
        )
    # a sentence an older run appended after the rule moves before it
    late = 'Bake bread. Do NOT use for cakes. Also use it when a request mentions "crumb".'
    assert with_examples(late, ["crumb", "rise"]) == (
        'Bake bread. Also use it when a request mentions "crumb" or "rise". Do NOT use for cakes.'
    )
    # the sentence as older runs wrote it is read back and rewritten with the new lead
    for lead in ("It also covers", "It is also for"):
        old = f"Bake bread. {lead} crumb. Do NOT use for cakes."
        assert split_examples(old)[1] == ["crumb"]
        assert with_examples(old, ["crumb", "rise"]) == (
            'Bake bread. Also use it when a request mentions "crumb" or "rise". '
            "Do NOT use for cakes."
        )


def test_a_term_the_description_has_inflected_is_covered() -> None:
    description = "Bake breads and shape a loaf."
    assert covered("baking", description) and covered("baked bread", description)
    assert covered("shaping loaf", description)
    assert not covered("proofing", description) and not covered("baking cakes", description)


def test_best_threshold_maximizes_train_accuracy() -> None:
    import numpy as np

    train = [
        EvalItem("a", "s", "clean", "train"),
        EvalItem("b", "s", "clean", "train"),
        EvalItem("c", None, "near-miss", "train"),
    ]
    scores = np.array([[0.6], [0.5], [0.2]], dtype=np.float32)
    cut = best_threshold(scores, ["s"], train)
    assert 0.2 < cut <= 0.5


def test_search_proposes_only_what_train_acceptance_keeps(router: EmbeddingRouter) -> None:
    train = [
        EvalItem("deploy the api to prod", "deploy", "clean", "train"),
        EvalItem("push the new build live", "deploy", "paraphrase", "train"),
        EvalItem("write the user guide", "docs", "clean", "train"),
        EvalItem("document the endpoints", "docs", "clean", "train"),
        EvalItem("recipe for banana bread", None, "near-miss", "train"),
    ]
    skills = [
        skill("deploy", "Deploy a service to production."),
        skill("docs", "Write docs for each new build that goes live."),  # takes "push ... live"
    ]
    search = DescriptionSearch(router, train, skills, "deploy")
    base = search.fit(skills[0].description)
    gain = with_examples(skills[0].description, ["push the new build live"])
    steal = with_examples(skills[0].description, ["write the user guide"])
    assert gain is not None and steal is not None
    assert search.fit(gain).hits > base.hits and search.fit(steal).taken
    assert search.key(base, steal)[0] is True  # ranked below anything that takes nothing
    candidates = {gain: ["add example request"], steal: ["add example request"]}
    picked = search.pick(skills[0].description, candidates, set(), random.Random(0))
    assert picked is not None and picked[0].startswith(gain.rstrip("."))
    assert "user guide" not in picked[0]
    assert search.pick(skills[0].description, {steal: ["x"]}, set(), random.Random(0)) is None


def test_veto_counts_queries_taken_by_the_rewrite_not_those_dropped_to_none() -> None:
    """Query by query (the route marks): one routed right that drops to none is left to the
    accuracy checks; one that now goes to another skill is a sibling's loss."""
    ev = SkillEvaluator([EvalItem("q", "a", "clean", "train")], router=None)  # type: ignore[arg-type]
    before = Evaluation(
        0.5,
        details={"train/all": 0.5, "train/hits/a": 1.0, "train/route/0": RIGHT},
        holdout={"holdout/all": 0.5},
    )
    to_none = Evaluation(
        0.6, details={"train/all": 0.6, "train/route/0": NONE}, holdout={"holdout/all": 0.5}
    )
    taken = Evaluation(
        0.6, details={"train/all": 0.6, "train/route/0": OTHER}, holdout={"holdout/all": 0.5}
    )
    assert ev.veto(before, to_none) is None
    reason = ev.veto(before, taken)
    assert reason is not None and "a lost train queries to another skill" in reason
    # the graph's baseline point carries the held-out figures it measured (nodes/baseline.py)
    baseline = Evaluation(0.5, holdout={"holdout/all": 0.9})
    fell = ev.veto(baseline, Evaluation(0.6, holdout={"holdout/all": 0.8}))
    assert fell is not None and "held-out all" in fell


def test_veto_refuses_a_rewrite_that_makes_a_near_miss_fire() -> None:
    """A near-miss (no skill expected) that went to no skill and now goes to one is refused, even
    while train accuracy rises: the author said that query is not any skill's."""
    items = [
        EvalItem("balance my checkbook", None, "lookalike", "train"),
        EvalItem("q", "a", "clean", "train"),
    ]
    ev = SkillEvaluator(items, router=None)  # type: ignore[arg-type]
    before = Evaluation(
        0.5,
        details={"train/all": 0.5, "train/route/0": RIGHT, "train/route/1": NONE},
        holdout={"holdout/all": 0.5},
    )
    fires = Evaluation(
        0.5,
        details={"train/all": 0.5, "train/route/0": OTHER, "train/route/1": RIGHT},
        holdout={"holdout/all": 0.5},
    )
    quiet = Evaluation(
        1.0,
        details={"train/all": 1.0, "train/route/0": RIGHT, "train/route/1": RIGHT},
        holdout={"holdout/all": 0.5},
    )
    assert ev.veto(before, quiet) is None
    reason = ev.veto(before, fires)
    assert reason == "the train near-miss 'balance my checkbook' now goes to a skill"


def test_veto_refuses_a_rewrite_that_sends_a_query_from_no_skill_to_a_wrong_one() -> None:
    """A skill's query that went nowhere and now goes to another skill is refused, held-out or
    train, with each deciding router, though accuracy does not move: a wrong skill firing is
    worse than none."""
    items = [
        EvalItem("q", "a", "clean", "train"),
        EvalItem("managing windows/tray", "electron", "clean", "holdout"),
    ]
    ev = SkillEvaluator(items, router=None)  # type: ignore[arg-type]
    train = {"train/all": 1.0, "train/route/0": RIGHT}
    before = Evaluation(1.0, details=train, holdout={"holdout/all": 0.0, "holdout/route/0": NONE})
    wrong = Evaluation(1.0, details=train, holdout={"holdout/all": 0.0, "holdout/route/0": OTHER})
    assert ev.veto(before, before) is None
    assert ev.veto(before, wrong) == (
        "the held-out query 'managing windows/tray' of electron, routed to no skill before, "
        "now goes to another skill"
    )
    # a query missed elsewhere both times is no new wrong fire
    assert ev.veto(wrong, wrong) is None
    # the second router's marks are read too
    ev.lexical = object()  # type: ignore[assignment]
    lex_before = {"lexical/holdout/all": 0.0, "lexical/holdout/route/0": NONE}
    lex_wrong = {"lexical/holdout/all": 0.0, "lexical/holdout/route/0": OTHER}
    first = {"holdout/all": 0.0, "holdout/route/0": NONE}
    reason = ev.veto(
        Evaluation(1.0, details=train, holdout=first | lex_before),
        Evaluation(1.0, details=train, holdout=first | lex_wrong),
    )
    assert reason is not None and reason.endswith("now goes to another skill (lexical)")


def test_the_keep_rule_refuses_a_failure_no_gain_and_a_veto_in_that_order() -> None:
    """`refuse_keep` is the one keep rule the graph applies to every move."""
    from agentos.evaluate import refuse_keep

    ev = SkillEvaluator([EvalItem("q", "a", "clean", "train")], router=None)  # type: ignore[arg-type]
    before = Evaluation(0.5, details={"train/route/0": RIGHT}, holdout={"holdout/all": 0.5})
    better = Evaluation(0.6, details={"train/route/0": RIGHT}, holdout={"holdout/all": 0.5})
    worse_held = Evaluation(0.6, details={"train/route/0": RIGHT}, holdout={"holdout/all": 0.4})
    failed = Evaluation(None, "rejected", "refused: a: never gate removed or changed: 'x'")
    assert refuse_keep(ev, before, failed, gained=True) == failed.reason
    assert refuse_keep(ev, before, better, gained=False) == "no gain"
    why = refuse_keep(ev, before, worse_held, gained=True)
    assert why is not None and "held-out all accuracy fell" in why
    assert refuse_keep(ev, before, better, gained=True) is None


def test_no_term_is_added_for_margins_alone() -> None:
    """Of two rewrites that route as many train queries right, the shorter is ranked first even
    when the longer widens the margins, and an extension term must route one more query right."""
    from agentos.skill.bm25 import BM25Router

    train = [
        EvalItem("bump the libraries before the release", "deps", "clean", "train"),
        EvalItem("the library we have is out of date", "deps", "clean", "train"),
        EvalItem("document the api endpoints", "docs", "clean", "train"),
        EvalItem("write the reference for the api", "docs", "clean", "train"),
    ]
    skills = [
        skill("deps", "Upgrade project dependencies to newer versions."),
        skill(
            "docs",
            "Write reference documentation, guides, tutorials and release notes for a public "
            "API and the people who call it.",
        ),
    ]
    router = BM25Router()
    router.calibrate(train, skills)
    search = DescriptionSearch(router, train, skills, "deps")
    base = search.fit(skills[0].description)
    short = with_examples(skills[0].description, ["library"])
    wide = with_examples(skills[0].description, ["library", "release"])
    assert short is not None and wide is not None
    assert search.fit(short).hits == search.fit(wide).hits > base.hits
    assert search.fit(wide).soft > search.fit(short).soft  # "release" only widens a margin
    assert search.key(base, short) < search.key(base, wide)
    assert search.extend(base, short) == short  # no term routes one more query right
