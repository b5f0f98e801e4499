"""A skill whose added-terms sentence was kept can grow it: the proposers judge a rewrite
against the set the run started from, as the evaluator does, so a term the incumbent's sentence
already holds is no term the description "already says"."""

from __future__ import annotations

import shutil
from pathlib import Path

from helpers import EXAMPLES

from agentos.providers.base import Proposal, ProposeRequest
from agentos.skill import SkillEvaluator, load_skills, tune_skills
from agentos.skill import joint as joint_module
from agentos.skill.bm25 import BM25Router
from agentos.skill.evals import augment, load_evals
from agentos.skill.examples import split_examples, with_examples
from agentos.skill.operators import TextOperatorProposer
from agentos.skill.router import EmbeddingRouter
from agentos.skillfile import Skill, parse_skill, render_skill

LAB = EXAMPLES / "skills-lab"


def lab(router: EmbeddingRouter) -> tuple[list[Skill], list[Skill], SkillEvaluator]:
    """The lab set as it started, the set with `split` added to cell-culture (as a run keeps
    it), and an evaluator routing as a run's does (BM25 beside the embedding router)."""
    start = load_skills(LAB)
    items = augment(load_evals(LAB / "evals.jsonl", [s.name for s in start]))
    router.calibrate(items, start)
    judge = SkillEvaluator(items, router, recalibrate=True, originals=start, lexical=BM25Router())
    key = "cell-culture/description"
    grown = [
        s.with_components({key: with_examples(s.description, ["split"]) or ""})
        if s.name == "cell-culture"
        else s
        for s in start
    ]
    return start, grown, judge


def rewrite(
    judge: SkillEvaluator, router: EmbeddingRouter, skills: list[Skill], start: list[Skill],
    name: str,
) -> tuple[Proposal, Skill]:
    """The offline operators' proposal for skill `name` of `skills` (the run began at
    `start`), and the skill it rewrites."""
    proposer = TextOperatorProposer(
        judge.train, router, target=name, others=skills, lexical=judge.lexical, originals=start
    )
    target = next(s for s in skills if s.name == name)
    path = f"{name}/SKILL.md"
    request = ProposeRequest(
        task=None,  # type: ignore[arg-type]  # the offline operators read only files and seed
        experiment=1,
        parent="p",
        files={path: render_skill(target)},
    )
    proposal = proposer.propose(request)
    return proposal, parse_skill(Path(path), proposal.components[path], folder=target.name)


def test_the_proposers_gate_passes_a_second_term_beside_a_kept_one(router: EmbeddingRouter) -> None:
    start, grown, judge = lab(router)
    cell = next(s for s in grown if s.name == "cell-culture")
    two = with_examples(cell.description, ["split", "medium"])
    assert two is not None
    proposer = TextOperatorProposer(judge.train, router, target="cell-culture", originals=start)
    assert proposer.gate(cell, grown)(two)
    # the evaluator, which judges against the start, passes it too
    assert judge.quality_check([*[s for s in grown if s.name != "cell-culture"], cell]) == []


def test_a_skill_with_a_kept_term_still_gets_a_rewrite(router: EmbeddingRouter) -> None:
    """cell-culture misses "my cultre medium went cloudy overnight" on train; its body writes
    "medium", and adding it beside the kept "split" routes that query right by BM25."""
    start, grown, judge = lab(router)
    _, rewritten = rewrite(judge, router, grown, start, "cell-culture")
    terms = split_examples(rewritten.description)[1]
    assert "split" in terms and len(terms) >= 2


def test_the_joint_search_grows_a_kept_sentence(router: EmbeddingRouter) -> None:
    start, grown, judge = lab(router)
    steps = joint_module.joint_examples(
        router, grown, judge.train, lexical=judge.lexical, body=True, originals=start
    )
    assert any(step.skill == "cell-culture" for step in steps)


def test_a_skill_with_a_full_sentence_still_gets_a_rewrite(router: EmbeddingRouter) -> None:
    """leash-reactivity (pets) with four kept terms still misses train queries; a rewrite that
    replaces one kept term routes more of them right and is proposed."""
    folder = EXAMPLES / "skills-pets"
    start = load_skills(folder)
    items = augment(load_evals(folder / "evals.jsonl", [s.name for s in start]))
    router.calibrate(items, start)
    judge = SkillEvaluator(items, router, recalibrate=True, originals=start, lexical=BM25Router())
    kept = ["walks", "reactive dog", "trigger", "look-at-that"]
    key = "leash-reactivity/description"
    full = [
        s.with_components({key: with_examples(s.description, kept) or ""})
        if s.name == "leash-reactivity"
        else s
        for s in start
    ]
    proposal, rewritten = rewrite(judge, router, full, start, "leash-reactivity")
    assert proposal.description.startswith("leash-reactivity: replace ")
    assert len(split_examples(rewritten.description)[1]) == 4


def test_a_run_grows_a_kept_sentence(tmp_path: Path, router: EmbeddingRouter) -> None:
    """Through `tune_skills`: on lab, cell-culture's kept "split" is joined by "medium"."""
    folder = tmp_path / "lab"
    shutil.copytree(LAB, folder)
    report = tune_skills(folder, folder / "evals.jsonl", budget=6, router=router, offline=True)
    cell = parse_skill(Path("SKILL.md"), report.rewrites["cell-culture"], folder="cell-culture")
    assert split_examples(cell.description)[1] == ["split", "medium"]
