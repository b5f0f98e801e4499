"""The joint stage: additions chosen on train only never misroute a train query routed right; a
refused run is halved and its first part kept; "taken" is judged query by query."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from pathlib import Path

import numpy as np
import pytest
from skill_helpers import SKILL_EXAMPLES, skill, write_skills

from agentos.skill import EvalItem, SkillEvaluator, load_skills, tune_skills
from agentos.skill import joint as joint_module
from agentos.skill.bm25 import BM25Router
from agentos.skill.evals import augment, load_evals
from agentos.skill.examples import own_terms, split_examples, with_examples
from agentos.skill.router import EmbeddingRouter
from agentos.skillfile import MAX_DESCRIPTION, Skill, parse_skill


def routed_right(
    router: EmbeddingRouter | BM25Router, skills: Sequence[Skill], train: Sequence[EvalItem]
) -> np.ndarray:
    """Whether each train query is routed to its skill (or to none for a near-miss), routed
    through the router with the cut re-fitted for `skills`, as the evaluator routes them."""
    routed, _ = router.route_calibrated([], skills, train)
    return np.array([i.expect == got for i, got in zip(train, routed, strict=True)])


def test_joint_additions_never_misroute_a_train_query_routed_right(
    router: EmbeddingRouter,
) -> None:
    skills = load_skills(SKILL_EXAMPLES)
    items = augment(load_evals(SKILL_EXAMPLES / "evals.jsonl", [s.name for s in skills]), seed=0)
    train = [i for i in items if i.split == "train"]
    steps = joint_module.joint_examples(router, skills, train, limit=5)
    assert len(steps) == 5
    start = routed_right(router, skills, train)
    before, previous = start, skills
    for step in steps:
        after = routed_right(router, step.skills, train)
        assert not np.any(before & ~after)
        assert step.gain == after.sum() - start.sum()
        (changed,) = [s for s, o in zip(step.skills, previous, strict=True) if s != o]
        assert changed.name == step.skill and len(changed.description) <= MAX_DESCRIPTION
        assert split_examples(changed.description)[1][-1] == step.request
        own = own_terms(next(s for s in skills if s.name == step.skill), skills)
        assert step.request in own or any(
            i.expect == step.skill for i in train if step.request in i.query
        )
        before, previous = after, step.skills
    assert before.sum() > start.sum()
    first = (steps[0].skill, steps[0].request)
    again = joint_module.joint_examples(router, skills, train, limit=1, exclude={first})
    assert (again[0].skill, again[0].request) != first


DEPLOY = "Run the Helm chart upgrade for the payments service."
DOCS = "Write user documentation."
# the scripted joint runs' eval rows and shared body: deploy-service's held-out queries say
# "shipping hotfixes", a phrase of the body that write-docs may quote
SCRIPTED_ROWS = [
    ("run the helm upgrade for payments", "deploy-service", "train"),
    ("make the new version available to users", "deploy-service", "train"),
    ("is version 2 available yet", "deploy-service", "train"),
    ("add a page about settings to the manual", "write-docs", "train"),
    ("print the manual pages", "write-docs", "train"),
    ("explain the endpoints in the readme", "write-docs", "train"),
    ("what is the capital of France", None, "train"),
    ("order pizza", None, "train"),
    ("ship the hotfix to customers", "deploy-service", "holdout"),
    ("shipping hotfixes on fridays", "deploy-service", "holdout"),
    ("get the fix out to users", "deploy-service", "holdout"),
    ("the docs are outdated", "write-docs", "holdout"),
]
SCRIPTED_BODY = "Steps: shipping versions as hotfixes; list them in the manual pages.\n"


def test_a_refused_joint_run_is_searched_again_without_its_costly_part(
    tmp_path: Path, router: EmbeddingRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The scripted run: deploy-service quotes its missed train request (a gain), then
    write-docs quotes its own and one that takes deploy-service's held-out query. The whole is
    refused; the search without write-docs' terms passes and is kept; the next search finds
    nothing. Each added word is in the skills' own text, the quality gate's evidence for a
    term."""
    folder = write_skills(
        tmp_path, {"deploy-service": DEPLOY, "write-docs": DOCS}, SCRIPTED_ROWS, body=SCRIPTED_BODY
    )
    files = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    deploy = with_examples(DEPLOY, ["versions"])
    docs = with_examples(DOCS, ["manual pages", "shipping hotfixes"])
    assert deploy is not None and docs is not None
    runs = 0

    def scripted(
        _router: object,
        skills: Sequence[Skill],
        _train: object,
        *,
        exclude: Collection[tuple[str, str]] = (),
        **_: object,
    ) -> list[joint_module.Step]:
        nonlocal runs
        runs += 1
        if skills[0].description != DEPLOY:
            return []  # the kept set: nothing more
        first = [s.with_components({"deploy-service/description": deploy}) for s in skills]
        second = [s.with_components({"write-docs/description": docs}) for s in first]
        steps = [
            joint_module.Step(first, "deploy-service", "versions", 1),
            joint_module.Step(second, "write-docs", "shipping hotfixes", 2),
        ]
        return [s for s in steps if (s.skill, s.request) not in exclude]

    monkeypatch.setattr(joint_module, "joint_examples", scripted)
    lines: list[str] = []
    report = tune_skills(
        folder,
        tmp_path / "evals.jsonl",
        budget=1,
        router=router,
        offline=True,
        progress=lines.append,
    )
    joint_lines = [line for line in lines if "| joint:" in line]
    assert joint_lines[0].startswith("#1 discard")
    assert "joint: 2 added terms over 2 skills" in joint_lines[0]
    assert "vetoed: held-out all accuracy fell" in joint_lines[0]
    assert joint_lines[1].startswith("#2 keep")
    assert "joint: 1 added term over 1 skill" in joint_lines[1]
    assert len(joint_lines) == 2  # no third look: the search went on from the kept set
    assert runs >= 2  # and found nothing
    assert report.accepted[0] == (
        "#2 joint: 1 added term over 1 skill (deploy-service 'versions'); the last look's "
        "write-docs 'shipping hotfixes' left out"
    )
    assert "deploy-service" in report.changed  # later per-skill moves may change more
    kept = parse_skill(Path("SKILL.md"), report.rewrites["deploy-service"], folder="deploy-service")
    assert "versions" in kept.description
    assert {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()} == files  # untouched


def test_a_vetoed_look_is_searched_again_without_the_skill_its_veto_blames(
    tmp_path: Path, router: EmbeddingRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The scripted run of the test above with its costly term first: write-docs quotes
    "shipping hotfixes" (which takes deploy-service's held-out queries), then deploy-service
    quotes "versions". The veto blames write-docs, so the next look is the search without its
    term, and it is kept: halving would have judged write-docs' term alone first, one look more."""
    folder = write_skills(
        tmp_path, {"deploy-service": DEPLOY, "write-docs": DOCS}, SCRIPTED_ROWS, body=SCRIPTED_BODY
    )
    deploy = with_examples(DEPLOY, ["versions"])
    docs = with_examples(DOCS, ["manual pages", "shipping hotfixes"])
    assert deploy is not None and docs is not None
    costly = ("write-docs", "shipping hotfixes")
    searches: list[set[tuple[str, str]]] = []

    def scripted(
        _router: object,
        skills: Sequence[Skill],
        _train: object,
        *,
        exclude: Collection[tuple[str, str]] = (),
        **_: object,
    ) -> list[joint_module.Step]:
        searches.append(set(exclude))
        if any(s.description != o for s, o in zip(skills, (DEPLOY, DOCS), strict=True)):
            return []  # the kept set: nothing more
        versions = [s.with_components({"deploy-service/description": deploy}) for s in skills]
        if costly in exclude:
            return [joint_module.Step(versions, "deploy-service", "versions", 1)]
        first = [s.with_components({"write-docs/description": docs}) for s in skills]
        both = [s.with_components({"deploy-service/description": deploy}) for s in first]
        return [
            joint_module.Step(first, "write-docs", "shipping hotfixes", 1),
            joint_module.Step(both, "deploy-service", "versions", 2),
        ]

    monkeypatch.setattr(joint_module, "joint_examples", scripted)
    lines: list[str] = []
    report = tune_skills(
        folder, tmp_path / "evals.jsonl", budget=1, router=router, offline=True,
        progress=lines.append,
    )  # fmt: skip
    joint_lines = [line for line in lines if "| joint:" in line]
    assert joint_lines[0].startswith("#1 discard") and "vetoed:" in joint_lines[0]
    assert joint_lines[1].startswith("#2 keep")
    assert costly in searches[1]  # the search after the veto left the blamed term out
    assert report.accepted[0] == (
        "#2 joint: 1 added term over 1 skill (deploy-service 'versions'); the last look's "
        "write-docs 'shipping hotfixes' left out"
    )


BLAME_ITEMS = [  # deploy-service's held-out queries speak of shipping hotfixes
    EvalItem("run the helm upgrade for payments", "deploy-service", "clean", "train"),
    EvalItem("make the new version available", "deploy-service", "clean", "train"),
    EvalItem("print the manual pages", "write-docs", "clean", "train"),
    EvalItem("add a page to the manual", "write-docs", "clean", "train"),
    EvalItem("order pizza", None, "clean", "train"),
    EvalItem("ship the hotfix to customers", "deploy-service", "clean", "holdout"),
    EvalItem("shipping hotfixes on fridays", "deploy-service", "clean", "holdout"),
    EvalItem("the docs are outdated", "write-docs", "clean", "holdout"),
]


def blame_judge(router: EmbeddingRouter) -> tuple[list[Skill], SkillEvaluator]:
    """deploy-service and write-docs as written, and an evaluator of `BLAME_ITEMS` on them."""
    start = [skill("deploy-service", DEPLOY), skill("write-docs", DOCS)]
    judge = SkillEvaluator(BLAME_ITEMS, router, recalibrate=True, originals=start)
    router.calibrate(BLAME_ITEMS, start)
    return start, judge


def test_the_veto_blames_the_skill_that_drew_a_query_not_its_own(router: EmbeddingRouter) -> None:
    """A rewrite of write-docs that takes deploy-service's held-out queries is blamed; one of
    deploy-service that the veto lets pass, or that takes nothing, blames no skill."""
    start, judge = blame_judge(router)
    docs = with_examples(DOCS, ["shipping hotfixes", "hotfix"])
    assert docs is not None
    taking = [start[0], start[1].with_components({"write-docs/description": docs})]
    assert judge.veto(judge.evaluate_skills(start), judge.evaluate_skills(taking)) is not None
    assert judge.blame(start, taking) == ["write-docs"]
    assert judge.blame(start, start) == []


def test_of_a_blamed_skill_only_the_term_that_costs_the_query_is_left_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """write-docs adds "manual pages" and "shipping hotfixes" in one look; only the second
    costs a query. The veto blames write-docs; asked term by term, only "shipping hotfixes"
    is to blame, so the next search may add "manual pages" again."""
    skills = [skill("deploy-service", DEPLOY), skill("write-docs", DOCS)]
    pages = with_examples(DOCS, ["manual pages"])
    both = with_examples(DOCS, ["manual pages", "shipping hotfixes"])
    assert pages is not None and both is not None
    first = [s.with_components({"write-docs/description": pages}) for s in skills]
    second = [s.with_components({"write-docs/description": both}) for s in skills]
    searches: list[set[tuple[str, str]]] = []

    def scripted(
        *_: object, exclude: Collection[tuple[str, str]] = (), **__: object
    ) -> list[joint_module.Step]:
        searches.append(set(exclude))
        steps = [
            joint_module.Step(first, "write-docs", "manual pages", 1),
            joint_module.Step(second, "write-docs", "shipping hotfixes", 2),
        ]
        return [s for s in steps if (s.skill, s.request) not in exclude]

    def blame(old: Sequence[Skill], new: Sequence[Skill]) -> list[str]:
        """write-docs when `new` adds "shipping hotfixes" that `old` lacks."""
        added = "shipping hotfixes" in new[1].description
        return ["write-docs"] if added and "shipping hotfixes" not in old[1].description else []

    monkeypatch.setattr(joint_module, "joint_examples", scripted)
    moves = joint_module.JointMoves(EmbeddingRouter.__new__(EmbeddingRouter), [], blame=blame)
    look = moves.next("c0", skills)
    assert look is not None and look[0] == second
    again = moves.next("c0", skills)  # refused: the incumbent stayed
    assert searches[1] == {("write-docs", "shipping hotfixes")}
    assert again is not None and again[0] == first
    assert again[1].endswith("the last look's write-docs 'shipping hotfixes' left out")


def test_the_veto_blames_one_term_of_a_skill_asked_term_by_term(router: EmbeddingRouter) -> None:
    """The evaluator answers the term-by-term question: with the candidate less one term as
    the incumbent, it blames the skill when that term costs a query, or when it gains the
    skill nothing of its own ("manual pages": write-docs' train queries already go to it)."""
    start, judge = blame_judge(router)

    def docs(*terms: str) -> list[Skill]:
        text = with_examples(DOCS, list(terms))
        assert text is not None
        return [start[0], start[1].with_components({"write-docs/description": text})]

    candidate = docs("manual pages", "shipping hotfixes")
    assert judge.blame(start, candidate) == ["write-docs"]
    assert judge.blame(docs("manual pages"), candidate) == ["write-docs"]
    assert judge.blame(docs("shipping hotfixes"), candidate) == ["write-docs"]


def test_a_refused_look_no_skill_is_blamed_for_is_halved(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Without a skill to blame (no `blame`, or a veto for a query no skill drew), a refused
    look's first half is the next look; a single refused addition is left out of the next
    search."""
    skills = [skill("deploy-service", DEPLOY), skill("write-docs", DOCS)]
    deploy = with_examples(DEPLOY, ["versions"])
    docs = with_examples(DOCS, ["manual pages"])
    assert deploy is not None and docs is not None
    first = [s.with_components({"deploy-service/description": deploy}) for s in skills]
    second = [s.with_components({"write-docs/description": docs}) for s in first]
    searches: list[set[tuple[str, str]]] = []

    def scripted(
        *_: object, exclude: Collection[tuple[str, str]] = (), **__: object
    ) -> list[joint_module.Step]:
        searches.append(set(exclude))
        return [
            joint_module.Step(first, "deploy-service", "versions", 1),
            joint_module.Step(second, "write-docs", "manual pages", 2),
        ]

    monkeypatch.setattr(joint_module, "joint_examples", scripted)
    for blame in (None, lambda _old, _new: []):
        searches.clear()
        moves = joint_module.JointMoves(EmbeddingRouter.__new__(EmbeddingRouter), [], blame=blame)
        look = moves.next("c0", skills)
        assert look is not None and look[0] == second
        half = moves.next("c0", skills)  # refused: the incumbent stayed
        assert half is not None and half[0] == first and "versions" in half[1]
        moves.next("c0", skills)  # the half refused too: searched without it
        assert searches == [set(), {("deploy-service", "versions")}]


def test_no_joint_look_when_train_is_already_all_right(
    tmp_path: Path, router: EmbeddingRouter
) -> None:
    """Every train query is routed right, by both routers the run decides with: additions
    could only widen margins, which the train side of acceptance refuses, so none is judged (no
    held-out look is spent)."""
    rows = [
        ("deploy the api", "deploy-service", "train"),
        ("ship build 7 live", "deploy-service", "train"),
        ("ship build 8 live", "deploy-service", "train"),
        ("order pizza", None, "train"),
        ("push it to prod", "deploy-service", "holdout"),
    ]
    text = "Run the Helm upgrade for payments, deploy the api or ship a build live."
    body = "Steps: ship each build live.\n"  # the gate's evidence for a term
    folder = write_skills(tmp_path, {"deploy-service": text}, rows, body=body)
    skills = load_skills(folder)
    items = augment(load_evals(tmp_path / "evals.jsonl", ["deploy-service"]), seed=0)
    train = [i for i in items if i.split == "train"]  # as tune_skills sees it
    lexical = BM25Router()
    lexical.calibrate(train, skills)
    assert routed_right(router, skills, train).all()
    assert routed_right(lexical, skills, train).all()
    steps = joint_module.joint_examples(router, skills, train, lexical=lexical, body=True)
    assert all(s.gain == 0 for s in steps)
    lines: list[str] = []
    tune_skills(
        folder, tmp_path / "evals.jsonl", budget=1, router=router, offline=True,
        progress=lines.append,
    )  # fmt: skip
    assert not [line for line in lines if "joint:" in line]


def test_a_query_already_misrouted_is_not_taken_when_it_moves() -> None:
    """Incumbent: q1 (a's) goes to c, q2 (a's) goes to a. A rewrite of t that moves q1 to t
    takes nothing; one that moves q2 to t takes one of a's queries."""

    class Table:
        def route(self, queries: Sequence[str], skills: Sequence[Skill]) -> list[str | None]:
            table = dict(pair.split("=") for pair in skills[0].description.split())
            return [table[q] for q in queries]

    items = [EvalItem("q1", "a", "clean", "train"), EvalItem("q2", "a", "clean", "train")]

    def routed(q1: str, q2: str) -> list[Skill]:
        return [skill("t", f"q1={q1} q2={q2}"), skill("a", "x"), skill("c", "y")]

    reference = routed("c", "a")
    ev = SkillEvaluator(items, Table())
    start = ev.evaluate_skills(reference)
    moved_wrong = ev.evaluate_skills(routed("t", "a"))
    moved_right = ev.evaluate_skills(routed("c", "t"))
    assert moved_wrong.details["train/to/t/a"] == 1.0  # a misroute count went up
    # refused only because t's own figure fell (one more query not its own), no sibling's loss
    wrong = ev.veto(start, moved_wrong)
    assert wrong is not None and wrong.startswith("the train gain is not t's own")
    reason = ev.veto(start, moved_right)
    assert reason is not None and "a lost train queries" in reason


def test_of_two_terms_that_route_the_same_queries_right_the_shorter_is_added() -> None:
    """`library` and `libraries` share BM25's stem, so either routes the same train queries right
    with the same margins; the longer word would only lengthen what every router reads."""
    skills = [
        skill("dependency-upgrade", "Upgrade project dependencies to newer versions."),
        skill("api-docs", "Write reference documentation for a public API."),
    ]
    train = [
        # the longer word comes first: with equal keys the first option found would be kept
        EvalItem("bump the libraries before the release", "dependency-upgrade", "clean", "train"),
        EvalItem("the library we use is out of date", "dependency-upgrade", "clean", "train"),
        EvalItem("document the api endpoints", "api-docs", "clean", "train"),
        EvalItem("write the reference for the api", "api-docs", "clean", "train"),
    ]
    router = BM25Router()
    router.calibrate(train, skills)
    steps = joint_module.joint_examples(router, skills, train, limit=1)
    assert [(s.skill, s.request) for s in steps] == [("dependency-upgrade", "library")]
