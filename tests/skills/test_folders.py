"""Skill folders and eval files as people keep them: free-form slice labels, one invalid skill
among valid ones, no eval file at all (a draft is written from the skills' own text), and the
veto that keeps any one skill from paying for the others' gain."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from skill_helpers import skill, write_skills

from agentos.errors import UserError
from agentos.skill import tune_skills
from agentos.skill.draft import draft_evals, is_draft, near_misses, requests_of_skill
from agentos.skill.evals import EvalItem, load_evals, normalized, slices_of
from agentos.skill.evaluator import SkillEvaluator
from agentos.skill.router import EmbeddingRouter
from agentos.skillfile import Skill, load_folder

SKILLS = {
    "docx": "Create and edit Word documents (.docx). Use when the user asks to draft a letter, "
    "fix tracked changes or turn notes into a Word doc. Do NOT use for PDFs or spreadsheets.",
    "pdf": "Read, merge and split PDF files. Use when the user mentions a PDF, wants pages "
    "extracted or forms filled in.",
    "slides": "Build slide decks and presentations (.pptx). Use when the user wants a pitch "
    "deck, speaker notes or a slide template.",
}


def test_slice_labels_are_free_form_and_reported_known_kinds_first(tmp_path: Path) -> None:
    lines = [
        {"query": "merge these two pdfs", "expect": "pdf", "slice": "real-world", "split": "train"},
        {"query": "mrege the pdfs", "expect": "pdf", "slice": "misspelled", "split": "holdout"},
        {"query": "new pitch deck", "expect": "slides", "split": "holdout"},
        {"query": "book a flight", "expect": None, "slice": "off topic", "split": "holdout"},
    ]
    path = tmp_path / "evals.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    items = load_evals(path, ["pdf", "slides"])
    assert [i.slice for i in items] == ["real-world", "misspelled", "clean", "off topic"]
    assert slices_of(items) == ["clean", "misspelled", "off topic", "real-world"]
    for bad in ("", "a/b", "all", "x" * 41, 3):
        path.write_text(json.dumps({**lines[0], "slice": bad}) + "\n")
        with pytest.raises(UserError, match=r"evals.jsonl:1.*`slice`"):
            load_evals(path, ["pdf"])


def test_every_held_out_slice_is_protected_whatever_its_label(router: EmbeddingRouter) -> None:
    items = [
        EvalItem("merge two pdf files", "pdf", "clean", "train"),
        EvalItem("draft a letter as a word doc", "docx", "clean", "train"),
        EvalItem("combine the pdf pages", "pdf", "from-support-tickets", "holdout"),
        EvalItem("turn my notes into a word document", "docx", "clean", "holdout"),
    ]
    start = [skill("pdf", SKILLS["pdf"]), skill("docx", SKILLS["docx"])]
    evaluator = SkillEvaluator(items, router)
    assert evaluator.protect == ("clean", "from-support-tickets")
    before = evaluator.evaluate_skills(start)
    assert before.holdout["holdout/from-support-tickets"] == 1.0
    worse = [skill("pdf", "Weather forecasts."), start[1]]
    reason = evaluator.veto(before, evaluator.evaluate_skills(worse))
    assert reason is not None and "held-out" in reason


def test_a_skill_whose_own_held_out_accuracy_falls_is_refused_though_the_total_rises(
    router: EmbeddingRouter,
) -> None:
    items = [
        EvalItem("merge two pdf files", "pdf", "clean", "train"),
        EvalItem("build a pitch deck", "slides", "clean", "train"),
        EvalItem("extract pages from the pdf", "pdf", "clean", "holdout"),
        EvalItem("speaker notes for my slides", "slides", "clean", "holdout"),
        EvalItem("a slide template for the board", "slides", "clean", "holdout"),
    ]
    router.threshold = 0.35  # the `router` fixture restores it after the test
    start = [skill("pdf", SKILLS["pdf"]), skill("slides", "Weather forecasts.")]
    evaluator = SkillEvaluator(items, router)
    before = evaluator.evaluate_skills(start)
    assert before.holdout["holdout/hits/pdf"] == 1.0
    assert before.holdout["holdout/hits/slides"] == 0.0
    # slides now wins its two held-out queries, and takes pdf's one: the total rises
    after = evaluator.evaluate_skills(
        [
            skill("pdf", "Weather forecasts."),
            skill("slides", SKILLS["slides"] + " Extract pages from a PDF."),
        ]
    )
    assert after.holdout["holdout/all"] > before.holdout["holdout/all"]
    assert after.holdout.get("holdout/hits/pdf", 0.0) < 1.0
    assert evaluator.veto(before, after) == "pdf's own held-out accuracy fell"


def _folder(root: Path, descriptions: dict[str, str]) -> Path:
    for name, description in descriptions.items():
        (root / name).mkdir(parents=True)
        (root / name / "SKILL.md").write_text(
            f"---\nname: {name}\ndescription: {description}\n---\n# {name}\n\nSteps.\n"
        )
    return root


def test_an_invalid_skill_is_reported_and_the_rest_load(tmp_path: Path) -> None:
    root = _folder(tmp_path / "skills", {**SKILLS, "long": "Too long. " * 110})
    (root / "long" / "SKILL.md").write_text("---\nname: long\ndescription: [unclosed\n---\nb\n")
    skills, problems = load_folder(root)
    assert [s.name for s in skills] == ["docx", "pdf", "slides"]
    assert list(problems) == ["long"]
    assert "front matter is not valid YAML" in str(problems["long"])
    evals = tmp_path / "evals.jsonl"
    evals.write_text(
        json.dumps({"query": "x y", "expect": "long", "split": "train"})
        + "\n"
        + json.dumps({"query": "merge pdfs", "expect": "pdf", "split": "train"})
        + "\n"
        + json.dumps({"query": "a pdf", "expect": "pdf", "split": "holdout"})
        + "\n"
    )
    items = load_evals(evals, [s.name for s in skills], problems)
    assert [i.query for i in items] == ["merge pdfs", "a pdf"]


def test_the_draft_comes_from_the_skills_own_words() -> None:
    docx = Skill(
        "docx",
        SKILLS["docx"],
        '# Word documents\n\nFor example: "add a table of contents to my report".\n\n'
        "## Tracked changes\n\nAccept or reject them.\n",
        Path("docx/SKILL.md"),
    )
    positive, negative = requests_of_skill(docx)
    assert "draft a letter" in positive and "fix tracked changes" in positive
    assert "turn notes into a Word doc" in positive
    assert "add a table of contents to my report" in positive
    assert "docx" in positive
    assert "Tracked changes" not in positive  # a heading that names a section, not a task
    assert negative == ["PDFs or spreadsheets"]  # one request, not two bare words
    assert not any("PDF" in p for p in positive)


def test_a_near_miss_is_a_whole_request_and_expects_the_sibling_it_names() -> None:
    sourdough = skill(
        "sourdough",
        "Keep a sourdough starter alive. Use when the user asks to feed a starter. Do NOT use "
        "for shaping or baking loaves (use bread-baking). Not for yoghurt or kefir. Never use "
        "for rotating leaked api keys or revoking expired oauth tokens.",
    )
    siblings = [
        sourdough,
        skill("bread-baking", "Shape and bake loaves of bread."),
        skill("yoghurt-kefir", "Make yoghurt and kefir at home."),
    ]
    assert near_misses(sourdough, siblings) == [
        ("shaping or baking loaves", "bread-baking"),  # "(use X)" names it, and is dropped
        ("yoghurt or kefir", "yoghurt-kefir"),  # the sibling's text plainly covers it
        ("rotating leaked api keys", None),  # each part a request of its own: split
        ("revoking expired oauth tokens", None),  # every part, none cut off
    ]
    assert near_misses(sourdough)[0] == ("shaping or baking loaves", None)  # no such sibling
    rows = draft_evals([sourdough, skill("bread-baking", "Shape and bake loaves of bread.")])
    near = {normalized(str(r["query"])): r["expect"] for r in rows if r["slice"] == "near-miss"}
    for topic, expect in [
        ("shaping or baking loaves", "bread-baking"),
        ("yoghurt or kefir", None),
        ("rotating leaked api keys", None),
    ]:  # each asked as a request, expecting what its clause says
        assert [e for q, e in near.items() if topic in q][:1] == [expect], near
    clauses = ("loaves", "yoghurt", "leaked")
    assert all(e is None for q, e in near.items() if not any(c in q for c in clauses)), near


def test_draft_splits_train_and_held_out_with_variants_following_their_source() -> None:
    skills = [skill(n, d) for n, d in SKILLS.items()]
    rows = draft_evals(skills, seed=0)
    assert all(r["origin"] == "draft" for r in rows)
    by_split = {r["split"] for r in rows}
    assert by_split == {"train", "holdout"}
    for name in SKILLS:
        mine = [r for r in rows if r["expect"] == name]
        assert {"train", "holdout"} <= {r["split"] for r in mine}, name
        assert {"clean", "typo"} <= {r["slice"] for r in mine}, name
    near = [(r["query"], r["expect"]) for r in rows if r["slice"] == "near-miss"]
    # "PDFs or spreadsheets": half pdf's, half no skill's: left out, not guessed; the rest ask
    # for a task no skill does
    assert near and all(e is None and "spreadsheets" not in str(q) for q, e in near), near
    assert draft_evals(skills, seed=0) == rows


def test_tune_without_evals_writes_the_draft_and_tunes_on_it(
    tmp_path: Path, router: EmbeddingRouter
) -> None:
    root = write_skills(tmp_path, SKILLS, [])
    lines: list[str] = []
    report = tune_skills(root, seed=0, budget=2, router=router, progress=lines.append)
    draft = root.parent / f"{root.name}.evals.draft.jsonl"  # beside the folder, never in it
    assert is_draft(draft) and not (root / "evals.draft.jsonl").exists()
    n = len(draft.read_text().splitlines())
    assert any(f"wrote a draft eval set of {n} queries to {draft}" in line for line in lines)
    assert "review and edit it" in report.notes[0]
    assert report.row("all", "all").holdout_n > 0
    again = tune_skills(root, draft, seed=0, budget=1, router=router)
    assert "is a generated draft eval set" in again.notes[0]
    # the generated train variants do not follow the run's seed: neither do the figures before
    other = tune_skills(root, draft, seed=7, budget=1, router=router)
    assert other.threshold == again.threshold
    assert [(r.name, r.holdout_before) for r in other.rows] == [
        (r.name, r.holdout_before) for r in again.rows
    ]
    with pytest.raises(UserError, match="exists already"):
        tune_skills(root, seed=0, budget=1, router=router, evals_out=draft)


def test_a_skill_over_the_length_limit_is_tuned_with_the_rest_and_noted(
    tmp_path: Path, router: EmbeddingRouter
) -> None:
    """A description over 1024 characters does not drop its skill out of the comparison: it
    is tuned with the others (its queries still expect it), and the report says why no rewrite
    that leaves it over the limit can be kept."""
    long = SKILLS["pdf"] + " It reads forms." * 70
    root = write_skills(tmp_path, {**SKILLS, "pdf": long}, [])
    report = tune_skills(root, seed=0, budget=1, router=router)
    assert "pdf" in [r.name for r in report.rows if r.group == "skill"]
    (note,) = [n for n in report.notes if "over 1024" in n]
    assert note.startswith(f"warning: pdf: description is {len(long)} characters, over 1024")
    assert "only a rewrite under the limit can be kept" in note
    assert not any(n.startswith("skipped") for n in report.notes)


def test_a_skill_with_two_requests_gets_one_held_out() -> None:
    """The per-skill veto needs held-out queries of every skill: two requests split one and one."""
    pruning = skill("pruning", "Prune roses in late winter.")
    positive, _ = requests_of_skill(pruning)
    assert len(positive) == 2, positive
    for seed in range(5):
        rows = [r for r in draft_evals([pruning], seed=seed) if r["slice"] == "clean"]
        assert sorted(r["split"] for r in rows) == ["holdout", "train"], rows


def test_a_folder_of_broken_skills_gets_one_line_with_the_skill_s_own_fix(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from agentos.cli.main import main

    broken = tmp_path / "skills" / "composting" / "SKILL.md"
    broken.parent.mkdir(parents=True)
    broken.write_text(
        "---\nname: composting\ndescription: Compost at home: balance greens and browns.\n---\n"
        "Steps.\n"
    )
    done = CliRunner().invoke(
        main,
        ["tune-skills", str(tmp_path / "skills"), "--make-evals", str(tmp_path / "evals.jsonl")],
    )
    assert done.exit_code == 2
    line = done.stderr.strip().splitlines()[-1]
    assert "holds no valid skill: composting:" in line and "not valid YAML at line 3" in line
    assert line.count("fix:") == 1 and 'must be quoted: description: "..."' in line
    # one skill's own folder given: the fix names the folder that holds it
    one = CliRunner().invoke(
        main, ["tune-skills", str(broken.parent), "--make-evals", str(tmp_path / "e2.jsonl")]
    )
    assert (
        one.exit_code == 2
        and f"pass the folder that holds it: {broken.parent.parent}" in one.stderr
    )


@pytest.mark.parametrize("inside", ["evals.jsonl", "composting/draft.jsonl"])
def test_evals_out_inside_the_skills_folder_is_refused(tmp_path: Path, inside: str) -> None:
    """`--evals-out` among the skills would leave a stray file there, as `--out` would: refused
    in one line before anything is written."""
    from click.testing import CliRunner

    from agentos.cli.main import main

    skills = write_skills(
        tmp_path,
        {"composting": "Compost kitchen scraps at home.", "pruning": "Prune roses in winter."},
        [("compost my scraps", "composting", "train"), ("prune roses", "pruning", "holdout")],
    )
    target = skills / inside
    done = CliRunner().invoke(
        main, ["tune-skills", str(skills), "--evals-out", str(target), "--budget", "1"]
    )
    assert done.exit_code == 2 and not target.exists(), done.output
    line = done.stderr.strip().splitlines()[-1]
    assert f"{target.resolve()}: the draft eval file is inside the skills folder" in line
    assert "fix: pass --evals-out outside PATH" in line


@pytest.mark.parametrize(
    ("depth", "up"),
    [(["superpowers"], 1), (["plugins", "skills"], 1), (["plugins", "pm-money", "skills"], 2)],
)
def test_a_folder_above_the_skills_names_the_one_that_holds_them(
    tmp_path: Path, depth: list[str], up: int
) -> None:
    """A folder one or two levels too high (the repository checkout, not its `skills/`; the
    `plugins/` of a marketplace, not `plugins/NAME/skills`) names the subfolder that holds the
    skills, as one level too low names the folder above."""
    from click.testing import CliRunner

    from agentos.cli.main import main

    holder = tmp_path.joinpath(*depth)
    for name in ("brainstorming", "writing-plans"):
        (holder / name).mkdir(parents=True)
        (holder / name / "SKILL.md").write_text(
            f"---\nname: {name}\ndescription: Use when {name.replace('-', ' ')}.\n---\nSteps.\n"
        )
    (tmp_path / "docs").mkdir()
    (tmp_path / "README.md").write_text("skills\n")
    above = holder.parents[up - 1]
    done = CliRunner().invoke(
        main, ["tune-skills", str(above), "--make-evals", str(tmp_path / "e.jsonl")]
    )
    assert done.exit_code == 2
    line = done.stderr.strip().splitlines()[-1]
    assert "holds no NAME/SKILL.md" in line
    assert f"fix: pass the folder that holds the skills: {holder.resolve()}" in line


def test_a_skill_file_passed_for_its_folder_names_the_folder_of_skills(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from agentos.cli.main import main

    root = _folder(tmp_path / "skills", {"pdf": SKILLS["pdf"]})
    done = CliRunner().invoke(main, ["tune-skills", str(root / "pdf" / "SKILL.md")])
    assert done.exit_code == 2
    line = done.stderr.strip().splitlines()[-1]
    assert line.endswith(f"fix: pass the folder that holds its skill folder: {root.resolve()}")


def test_a_checkout_with_many_folders_of_skills_names_the_largest_first(tmp_path: Path) -> None:
    for plugin, names in {"small": ["a"], "big": ["b", "c", "d"], "mid": ["e", "f"]}.items():
        _folder(tmp_path / "plugins" / plugin / "skills", {n: SKILLS["pdf"] for n in names})
    _folder(tmp_path / "plugins" / "tiny" / "skills", {"g": SKILLS["pdf"]})
    with pytest.raises(UserError) as raised:
        load_folder(tmp_path / "plugins")
    fix = str(raised.value).split("fix: ")[1]
    big, mid = ((tmp_path / "plugins" / p / "skills").resolve() for p in ("big", "mid"))
    assert fix.startswith(f"pass the folder that holds the skills: {big} or {mid} or ")
    assert fix.endswith("(and 1 more folders of skills)")


def test_a_category_folder_among_skills_is_reported_not_silently_left_out(tmp_path: Path) -> None:
    root = _folder(tmp_path / "skills", {"pdf": SKILLS["pdf"]})
    _folder(root / "office", {"docx": SKILLS["docx"], "slides": SKILLS["slides"]})
    skills, problems = load_folder(root)
    assert [s.name for s in skills] == ["pdf"]
    assert list(problems) == ["office"]
    line = str(problems["office"])
    assert "skill folders one level down (docx, slides)" in line
    assert f"agentos tune-skills {(root / 'office').resolve()}" in line


def test_a_titled_name_is_known_by_its_folder_and_kept_in_its_file(tmp_path: Path) -> None:
    """Plugins write `name: Agent Development` in `agent-development/SKILL.md`: the skill is
    known by its folder's name (eval lines expect `agent-development`), its file keeps its own
    name byte for byte, and a name that is no form of its folder's is still refused."""
    from agentos.skillfile import render_skill, titled

    root = tmp_path / "skills"
    (root / "agent-development").mkdir(parents=True)
    text = (
        "---\nname: Agent Development\ndescription: This skill should be used when the user "
        'asks to "create an agent" or "write a subagent".\nversion: 0.1.0\n---\n# Agents\n'
    )
    (root / "agent-development" / "SKILL.md").write_text(text)
    _folder(root, {"pdf": SKILLS["pdf"]})
    skills, problems = load_folder(root)
    assert [s.name for s in skills] == ["agent-development", "pdf"] and not problems
    agent = skills[0]
    assert titled(agent) == "Agent Development" and titled(skills[1]) is None
    assert render_skill(agent) == text
    changed = agent.with_components({"agent-development/description": "Build agents."})
    assert render_skill(changed).startswith("---\nname: Agent Development\ndescription: Build")
    (root / "odd").mkdir()
    (root / "odd" / "SKILL.md").write_text("---\nname: Other Thing\ndescription: x\n---\nb\n")
    assert "is not lowercase letters" in str(load_folder(root)[1]["odd"])
