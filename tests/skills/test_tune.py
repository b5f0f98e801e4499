"""Acceptance: train gains that cost the held-out fuzzy slice are not kept; on examples/skills
tuning raises held-out accuracy, keeps every gate, and writes a branch without touching the tree."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Sequence
from pathlib import Path

import pytest
from helpers import commit_all, git
from skill_helpers import skill, with_description, write_skills

from agentos.errors import UserError
from agentos.nodes.propose import VETOED
from agentos.providers.base import (
    NothingToPropose,
    Proposal,
    ProposeRequest,
    Provider,
    Review,
)
from agentos.providers.llm.mock import MockProvider
from agentos.skill import (
    EvalItem,
    SkillEvaluator,
    detect_gates,
    load_skills,
    render_table,
    to_json,
    tune_skills,
)
from agentos.skill.evals import load_evals
from agentos.skill.gates import violations
from agentos.skill.report import TuneReport
from agentos.skill.router import EmbeddingRouter
from agentos.skill.workspace import check_out, write_out
from agentos.skillfile import Skill


@pytest.fixture
def strict(router: EmbeddingRouter) -> EmbeddingRouter:
    router.threshold = 0.35  # the `router` fixture restores it after the test
    return router


def test_train_gain_that_lowers_heldout_typo_slice_is_vetoed(strict: EmbeddingRouter) -> None:
    items = [
        EvalItem("ship it yolo", "deploy-service", "clean", "train"),
        EvalItem("deploy the api to prod", "deploy-service", "clean", "train"),
        EvalItem("write the user guide", "write-docs", "clean", "train"),
        EvalItem("what is the capital of France", None, "near-miss", "train"),
        EvalItem("ship it yolo please", "deploy-service", "clean", "holdout"),
        EvalItem("relase teh service to prodution", "deploy-service", "typo", "holdout"),
        EvalItem("documnet the new featrue", "write-docs", "typo", "holdout"),
    ]
    docs = skill("write-docs", "Write user documentation.")
    start = [skill("deploy-service", "Deploy a service to production."), docs]
    evaluator = SkillEvaluator(items, strict)
    before = evaluator.evaluate_skills(start)
    after = evaluator.evaluate_skills([skill("deploy-service", "ship it yolo"), docs])
    assert before.metric is not None and after.metric is not None
    assert after.metric > before.metric  # the strategy alone would keep it
    assert after.holdout["holdout/all"] == before.holdout["holdout/all"]
    assert after.holdout["holdout/typo"] < before.holdout["holdout/typo"]
    reason = evaluator.veto(before, after)
    assert reason is not None and "typo" in reason
    assert evaluator.veto(before, before) is None
    assert "holdout/typo" not in after.details  # the proposer's view has no held-out numbers


def test_veto_refuses_a_rewrite_that_takes_another_skills_queries(
    router: EmbeddingRouter,
) -> None:
    items = [
        EvalItem("write the user guide", "write-docs", "clean", "train"),
        EvalItem("deploy the api to prod", "deploy-service", "clean", "train"),
    ]
    docs = skill("write-docs", "Write user documentation.")
    start = [skill("deploy-service", "Deploy to production."), docs]
    evaluator = SkillEvaluator(items, router)
    before = evaluator.evaluate_skills(start)
    greedy = skill("deploy-service", "Write the user guide and write docs for users.")
    after = evaluator.evaluate_skills([greedy, docs])
    reason = evaluator.veto(before, after)
    assert reason is not None and "write-docs" in reason


@pytest.mark.slow
def test_tuning_examples_raises_heldout_accuracy_and_keeps_every_gate(
    example_repo: Path, router: EmbeddingRouter
) -> None:
    skills_dir = example_repo / "skills"
    head = git(example_repo, "rev-parse", "HEAD").strip()
    original = {s.name: s for s in load_skills(skills_dir)}
    report = tune_skills(skills_dir, skills_dir / "evals.jsonl", seed=0, budget=2, router=router)
    total = report.row("all", "all")
    assert total.holdout_before is not None and total.holdout_after is not None
    assert total.holdout_after > total.holdout_before
    for row in report.rows:  # no skill and no slice fell
        if row.holdout_before is not None:
            assert row.holdout_after is not None and row.holdout_after >= row.holdout_before, row
    bm25 = next(r for r in report.routers if not r.tuned_against)
    assert bm25.holdout_before is not None and bm25.holdout_after is not None
    assert bm25.holdout_after >= bm25.holdout_before  # the gain is not one router's alone
    # the user's tree is untouched; the rewrites live on the branch only
    assert git(example_repo, "status", "--porcelain") == ""
    assert report.branch and report.commit and report.changed
    # the run's branch: one commit per kept move, on HEAD
    assert git(example_repo, "merge-base", head, report.branch).strip() == head
    assert report.commit == git(example_repo, "rev-parse", report.branch).strip()
    for name in report.changed:
        text = git(example_repo, "show", f"{report.branch}:skills/{name}/SKILL.md")
        rewritten = skill_from(text, name)
        assert violations(detect_gates(original[name]), rewritten.body) == []
        assert rewritten.description != original[name].description
    table = render_table(report)
    assert "holdout_gain_points:" in table
    assert all(f"  {line}" in table for line in report.accepted) and report.accepted
    assert json.loads(to_json(report))["branch"] == report.branch


@pytest.mark.slow
def test_tuning_the_kitchen_set_loses_nothing_on_either_router(
    tmp_path: Path, router: EmbeddingRouter
) -> None:
    """The second example set (household skills, queries written as a user types them): no
    skill, no slice and neither router's held-out accuracy falls, every gate is kept, and every
    rewrite passes the quality gate (a failing one would be `rejected`, never kept)."""
    from agentos.skill.quality import description_problems

    folder = Path(__file__).resolve().parents[2] / "examples" / "skills-kitchen"
    shutil.copytree(folder, tmp_path / "skills")
    commit_all(tmp_path, "skills")
    original = {s.name: s for s in load_skills(tmp_path / "skills")}
    report = tune_skills(tmp_path / "skills", tmp_path / "skills" / "evals.jsonl", budget=6,
                         router=router, offline=True)  # fmt: skip
    for row in report.rows:
        if row.holdout_before is not None:
            assert row.holdout_after is not None and row.holdout_after >= row.holdout_before, row
    for score in report.routers:
        assert score.holdout_after is not None and score.holdout_before is not None
        assert score.holdout_after >= score.holdout_before, score
    assert report.refusals == [] and report.changed
    items = load_evals(tmp_path / "skills" / "evals.jsonl", list(original))
    queries = [i.query for i in items]
    train = [i.query for i in items if i.split == "train"]  # the only evidence for a word
    for name in report.changed:
        rewritten = skill_from(report.rewrites[name], name)
        assert violations(detect_gates(original[name]), rewritten.body, rewritten.description) == []
        assert description_problems(original[name], rewritten, queries, train) == []


def skill_from(text: str, name: str) -> Skill:
    from agentos.skill import parse_skill

    return parse_skill(Path(name) / "SKILL.md", text, folder=name)


def test_vocabulary_operator_adds_a_sentence_of_the_terms_missed_queries_share() -> None:
    from agentos.skill.operators import add_words, vocabulary

    missed = [
        EvalItem("roll back the bad deploy", "deploy-service", "clean", "train"),
        EvalItem("rollback prod deploy now w/ Acme", "deploy-service", "clean", "train"),
        EvalItem("rollback after the release", "deploy-service", "clean", "train"),
    ]
    scored = vocabulary("deploy-service", missed, missed, "Deploy a service.")
    terms = [w for _, w in scored]
    assert terms[0] == "rollback" and "w/" not in terms and "acme" not in terms
    text = add_words("Deploy a service.", terms[:2])
    assert text == (
        f'Deploy a service. Also use it when a request mentions "{terms[0]}" or "{terms[1]}".'
    )
    assert add_words(text, ["rollback"]) == text  # a term it has is not added twice


class WordRouter:
    """Routes a query to the listed skill sharing the most words with its description (the first
    listed on a tie), or to none when no word is shared."""

    def calibrate(self, items: object, skills: object) -> float:
        return 0.0

    def route(self, queries: Sequence[str], skills: Sequence[Skill]) -> list[str | None]:
        out: list[str | None] = []
        for query in queries:
            said = [set(re.findall(r"[a-z]+", s.description.lower())) for s in skills]
            shared = [len(set(query.split()) & words) for words in said]
            best = max(shared)
            out.append(skills[shared.index(best)].name if best else None)
        return out


def tune_by_words(
    root: Path, provider: Provider, budget: int, lines: list[str], out: Path | None = None
) -> TuneReport:
    """`tune_skills` on `root` with the word router."""
    return tune_skills(
        root / "skills",
        root / "evals.jsonl",
        budget=budget,
        provider=provider,
        router=WordRouter(),
        progress=lines.append,
        out=out,
    )


TWO = {
    "x-tool": "Ant job.",
    "z-tool": "Bee cat.",
}  # two skills, described in the word router's words
FOX = {
    "x-tool": "Ant job. It also covers the fox.",
    "z-tool": "Bee cat.",
}  # x-tool's rewrite wins the train queries "fox" and "fox den"
BODY = "Steps: the fox den, the dog run.\n"  # the quality gate's evidence for an added term
FOX_ROWS = [
    *[(q, "x-tool", "train") for q in ("fox", "fox den", "ant one")],
    ("bee", "z-tool", "train"),
    ("ant ten", "x-tool", "holdout"),
]


def fixed_rewrites(descriptions: dict[str, str]) -> MockProvider:
    """Proposes one fixed description for each skill's run."""

    def propose(request: ProposeRequest) -> Proposal:
        ((path, text),) = request.files.items()
        name = path.split("/")[-2]
        new = with_description(text, descriptions[name])
        return Proposal(f"rewrite {name}", components={path: new})

    return MockProvider(propose, lambda _: Review([]))


def test_a_tuning_run_is_one_run_of_the_ledger_with_every_decision(tmp_path: Path) -> None:
    """Every move of every skill is a row of one run; `agentos status` and `agentos report` show
    that run; the result is the run's own branch, holding the kept rewrite."""
    from click.testing import CliRunner

    from agentos.cli.main import main
    from agentos.ledger import Ledger

    write_skills(tmp_path, TWO, FOX_ROWS, git=True, body=BODY)
    rewrites = {**FOX, "z-tool": "Bee cat. It also covers the dog."}  # no train gain: discarded
    report = tune_by_words(tmp_path, fixed_rewrites(rewrites), 2, [])
    ledger = Ledger(tmp_path / ".agentos" / "ledger.db")
    rows = [r for r in ledger.rows() if r["kind"] == "experiment"]
    assert {r["run_id"] for r in rows} == {report.run_id}
    assert len(rows) == sum(report.counts.values()) >= 2
    moves = {r["description"].split(":")[0] for r in rows}
    assert {"x-tool", "z-tool"} <= moves
    assert report.branch == f"agentos/{report.run_id}" and report.changed == ["x-tool"]
    shown = git(tmp_path, "show", f"{report.branch}:skills/x-tool/SKILL.md")
    assert "It also covers the fox." in shown
    status = CliRunner().invoke(main, ["status", str(tmp_path), "--json"])
    assert status.exit_code == 0, status.output
    shown = json.loads(status.output)
    assert shown["run"] == report.run_id and len(shown["experiments"]) == len(rows)
    assert [e["status"] for e in shown["experiments"]].count("keep") == report.counts["keep"]
    listed = CliRunner().invoke(main, ["report", str(tmp_path)])
    assert listed.exit_code == 0 and f"rows: {len(rows) + 1}" in listed.output


def test_a_rewrite_that_takes_a_siblings_query_is_discarded_by_decide(tmp_path: Path) -> None:
    """x-tool's rewrite gains two queries and is kept; z-tool's then gains two of its own but its
    query "cat ant" goes to x-tool: the graph's decide node discards it with the veto."""
    rows = [
        *[(q, "z-tool", "train") for q in ("bee one", "cat ant", "dog two", "elk six")],
        *[(q, "x-tool", "train") for q in ("fox", "fox den", "ant one")],
        ("bee ten", "z-tool", "holdout"),
        ("ant ten", "x-tool", "holdout"),
    ]
    write_skills(tmp_path, {"x-tool": "Ant job.", "z-tool": "Bee cat and ant."}, rows, body=BODY)
    provider = fixed_rewrites({"x-tool": FOX["x-tool"], "z-tool": "Bee dog and elk."})
    lines: list[str] = []
    report = tune_by_words(tmp_path, provider, 1, lines)
    assert report.counts.get("keep", 0) == 1
    assert report.changed == ["x-tool"]
    assert len(report.accepted) == 1 and "x-tool" in report.accepted[0]
    assert report.row("all", "all").train_after == 5 / 7  # the fox queries gained, none lost
    assert any(
        "z-tool" in line and "discard" in line and "z-tool lost train queries" in line
        for line in lines
    ), lines


def sequenced(descriptions: list[str]) -> MockProvider:
    """Proposes z-tool's descriptions in order; nothing for other skills."""

    def propose(request: ProposeRequest) -> Proposal:
        ((path, text),) = request.files.items()
        if "z-tool" not in path or not descriptions:
            raise NothingToPropose("nothing for this skill")
        new = with_description(text, descriptions.pop(0))
        return Proposal("rewrite z-tool", components={path: new})

    return MockProvider(propose, lambda _: Review([]))


def test_the_proposer_never_reads_a_vetos_held_out_figures(tmp_path: Path) -> None:
    """z-tool's first rewrite gains a train query but loses a held-out one: vetoed, with the
    held-out figures in the ledger's reason. The next request starts from the incumbent again,
    and its history says only that a check the proposer cannot see failed; no request carries
    held-out figures."""
    rows = [
        ("dog", "z-tool", "train"),
        ("dog run", "z-tool", "train"),
        ("ant", "x-tool", "train"),
        ("cat ten", "z-tool", "holdout"),
    ]
    write_skills(tmp_path, TWO, rows, body=BODY)
    provider = sequenced(["It covers a bee dog.", "It covers a bee cat dog."])
    lines: list[str] = []
    report = tune_by_words(tmp_path, provider, 2, lines)
    assert any("#1 discard" in line and "held-out all accuracy fell" in line for line in lines)
    first, second, *_ = [r for r in provider.propose_requests if "z-tool" in next(iter(r.files))]
    assert second.parent == first.parent  # built on the incumbent, not on the vetoed commit
    assert [h["reason"] for h in second.history] == [VETOED]
    assert [h["reason"] for h in second.trials] == [VETOED]
    assert "held-out" not in json.dumps([dict(h) for h in second.history])
    for request in provider.propose_requests:  # the best and baseline points come without held-out
        assert request.best is not None and request.baseline is not None
        assert "holdout" not in request.best and "holdout" not in request.baseline
    assert report.changed == ["z-tool"], lines


def test_outside_git_the_tuned_copy_goes_to_out_and_the_folder_is_untouched(
    tmp_path: Path,
) -> None:
    """A folder outside git gets no branch. `out` gets a copy of it with the accepted rewrite,
    the very text of the report's `rewrites`, and every other file as it was; the folder tuned
    is left as it was, and nothing is left beside `out`."""
    skills = write_skills(tmp_path / "work", TWO, FOX_ROWS, body=BODY)
    (skills / "z-tool" / "notes.txt").write_text("kept as it is\n")
    before = {p: p.read_bytes() for p in skills.rglob("*") if p.is_file()}
    report = tune_by_words(tmp_path / "work", fixed_rewrites(FOX), 1, [], out=tmp_path / "tuned")
    out = tmp_path / "tuned"
    assert report.branch is None and report.out == str(out)
    assert report.changed == ["x-tool"] and set(report.rewrites) == {"x-tool"}
    assert "Ant job. It also covers the fox." in report.rewrites["x-tool"]
    assert json.loads(to_json(report))["rewrites"] == report.rewrites
    assert (out / "x-tool" / "SKILL.md").read_text() == report.rewrites["x-tool"]
    assert {p for p in skills.rglob("*") if p.is_file()} == set(before)
    for path, data in before.items():
        assert path.read_bytes() == data
        if path.parent.name != "x-tool":
            assert (out / path.relative_to(skills)).read_bytes() == data
    assert [s.description for s in load_skills(out)] == [FOX["x-tool"], "Bee cat."]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tuned", "work"]
    table = render_table(report)
    # no branch, and nothing that points to `agentos status` / `agentos report`, which cannot
    # know a run whose scratch repository is gone: the results are in `out` and the JSON report
    lines = table.splitlines()
    assert "out: " + str(out) in lines and "branch: - (not a git repository)" in lines
    assert "agentos report`" not in table.replace("`agentos report` do not know it", "")
    (note,) = [line for line in lines if "not in a git repository" in line]
    assert "do not know it" in note and f"rewritten skills are in {out}" in note
    assert not json.loads(to_json(report))["git"]
    assert "accepted, in order:\n  #1 x-tool: " in table  # no branch to speak of


def test_out_is_whole_or_absent(tmp_path: Path) -> None:
    """A copy that fails midway leaves neither `out` nor its staging folder; an `out` filled by
    someone else during the run is not replaced, and the error says where the copy was left."""
    folder = tmp_path / "skills"
    (folder / "a-tool").mkdir(parents=True)
    (folder / "a-tool" / "SKILL.md").write_text("old\n")
    out = check_out(tmp_path / "out", folder)
    with pytest.raises(FileNotFoundError):
        write_out(folder, out, {"no-such-skill/SKILL.md": b"new\n"})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["skills"]
    out.mkdir()
    (out / "theirs.txt").write_text("someone else's\n")
    with pytest.raises(UserError, match="the tuned copy is in ") as caught:
        write_out(folder, out, {"a-tool/SKILL.md": b"new\n"})
    assert [p.name for p in out.iterdir()] == ["theirs.txt"]
    left = Path(str(caught.value).split("the tuned copy is in ")[1].split(";")[0])
    assert (left / "a-tool" / "SKILL.md").read_text() == "new\n"


@pytest.mark.parametrize(
    ("where", "why"),
    [
        ("skills/tuned", "overlaps the skills folder"),
        (".", "overlaps the skills folder"),
        ("full", "exists and is not an empty folder"),
        ("missing/tuned", "has no parent folder"),
    ],
)
def test_a_bad_out_is_refused_naming_it(tmp_path: Path, where: str, why: str) -> None:
    folder = tmp_path / "skills"
    folder.mkdir()
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("")
    with pytest.raises(UserError, match=why) as caught:
        check_out(tmp_path / where, folder)
    assert str((tmp_path / where).resolve()) in str(caught.value)


def test_an_empty_out_folder_is_accepted(tmp_path: Path) -> None:
    (tmp_path / "skills").mkdir()
    (tmp_path / "empty").mkdir()
    assert check_out(tmp_path / "empty", tmp_path / "skills") == (tmp_path / "empty").resolve()
