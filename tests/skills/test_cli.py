"""`agentos tune-skills` from the command line: the report on stdout (`--json` for programs),
progress lines on stderr (here each skill run's end line; the per-experiment lines are tested in
test_tune.py), and bad input refused with one line naming the file, exit code 2, nothing
written."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from helpers import git
from skill_helpers import write_skills

from agentos.cli.main import main
from agentos.skill import tune as tune_module
from agentos.skill.router import EmbeddingRouter

SKILLS = {
    "deploy-service": "Deploy or ship a service to staging or production.",
    "write-docs": "Write user documentation, guides and tutorials.",
}
ROWS = [
    ("ship the billing api to production", "deploy-service", "train"),
    ("roll out the new build to staging", "deploy-service", "train"),
    ("write a getting started guide", "write-docs", "train"),
    ("document the cli flags for users", "write-docs", "train"),
    ("deploy the web app", "deploy-service", "holdout"),
    ("write a tutorial on the api", "write-docs", "holdout"),
    ("what is the weather today", None, "holdout"),
]


def repo_with_skills(root: Path) -> Path:
    write_skills(root, SKILLS, ROWS, git=True)
    return root


@pytest.fixture
def offline(router: EmbeddingRouter, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(tune_module, "default_router", lambda: router)


def refs(root: Path) -> str:
    return git(root, "for-each-ref")


@pytest.mark.usefixtures("offline")
def test_json_report_on_stdout_and_progress_on_stderr(tmp_path: Path) -> None:
    root = repo_with_skills(tmp_path)
    result = CliRunner().invoke(
        main,
        [
            "tune-skills",
            str(root / "skills"),
            "--evals",
            str(root / "evals.jsonl"),
            "--budget",
            "2",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    names = {(r["group"], r["name"]) for r in report["rows"]}
    assert {("skill", "deploy-service"), ("skill", "write-docs"), ("all", "all")} <= names
    assert report["gates"] == 0 and report["refusals"] == []
    assert report["changed"] == [] and report["rewrites"] == {} and report["out"] is None
    loading, opening = result.stderr.splitlines()[:2]
    assert (
        loading == f"run {report['run_id']}: loading the router, then fitting its none cut on train"
    )
    assert opening.startswith(f"run {report['run_id']}: 2 skills, 12 train queries (8 generated")
    assert "variants) and 3 held-out, 0 gates pinned, EmbeddingRouter (none cut " in opening
    last = result.stderr.splitlines()[-1]
    assert last.startswith(f"run {report['run_id']}: 0 moves, ended: "), last
    assert re.search(
        r"no move left: .*deploy-service.*: (no untried rewrite would be kept on train "
        r"\(\d+ of \d+ train queries missed, variants left out\)|every train query routed "
        r"right \(\d+, variants left out\), and no untried rewrite takes another skill's query)",
        last,
    ), last
    assert "misses 0" not in last  # a skill that misses nothing is not said to miss


@pytest.mark.usefixtures("offline")
def test_a_malformed_skill_is_skipped_and_named_while_the_rest_are_tuned(tmp_path: Path) -> None:
    root = repo_with_skills(tmp_path)
    bad = root / "skills" / "write-docs" / "SKILL.md"
    bad.write_text("---\nname: Write_Docs\ndescription: x\n---\nSteps.\n")
    result = CliRunner().invoke(
        main,
        ["tune-skills", str(root / "skills"), "--evals", str(root / "evals.jsonl"), "--json"],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    (note,) = report["notes"]
    assert note.startswith("skipped write-docs: ") and str(bad) in note and "Write_Docs" in note
    assert f"skipped write-docs: {bad}" in result.stderr
    assert {r["name"] for r in report["rows"] if r["group"] == "skill"} == {"deploy-service"}
    assert bad.read_text() == "---\nname: Write_Docs\ndescription: x\n---\nSteps.\n"


@pytest.mark.usefixtures("offline")
def test_a_folder_with_no_valid_skill_is_one_line_exit_2_and_nothing_written(
    tmp_path: Path,
) -> None:
    root = repo_with_skills(tmp_path)
    for name in SKILLS:
        (root / "skills" / name / "SKILL.md").write_text(f"---\nname: {name}\n---\nSteps.\n")
    before = refs(root)
    result = CliRunner().invoke(
        main, ["tune-skills", str(root / "skills"), "--evals", str(root / "evals.jsonl")]
    )
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "holds no valid skill" in lines[0] and "description" in lines[0]
    assert result.stdout == ""
    assert refs(root) == before
    assert not (root / ".agentos").exists()


@pytest.mark.usefixtures("offline")
def test_an_out_folder_that_is_not_empty_is_refused_before_any_work(tmp_path: Path) -> None:
    root = repo_with_skills(tmp_path / "repo")
    full = tmp_path / "full"
    full.mkdir()
    (full / "mine.txt").write_text("mine\n")
    before = refs(root)
    evals = str(root / "evals.jsonl")
    result = CliRunner().invoke(
        main, ["tune-skills", str(root / "skills"), "--evals", evals, "--out", str(full)]
    )
    assert result.exit_code == 2
    (line,) = result.stderr.strip().splitlines()
    assert str(full) in line and "not an empty folder" in line and "--out" in line
    assert [p.name for p in full.iterdir()] == ["mine.txt"]
    assert refs(root) == before and not (root / ".agentos").exists()


@pytest.mark.usefixtures("offline")
def test_without_evals_a_draft_is_written_where_asked_then_tuned_on(tmp_path: Path) -> None:
    root = repo_with_skills(tmp_path)
    draft = tmp_path / "my-evals.jsonl"
    result = CliRunner().invoke(
        main,
        ["tune-skills", str(root / "skills"), "--evals-out", str(draft), "--budget", "1"],
    )
    assert result.exit_code == 0, result.output
    assert (
        f"wrote a draft eval set of {len(draft.read_text().splitlines())} queries to {draft}"
        in (result.stderr)
    )
    assert "review and edit it, then pass it with --evals" in result.stdout
    again = CliRunner().invoke(
        main,
        ["tune-skills", str(root / "skills"), "--evals-out", str(draft), "--budget", "1"],
    )
    assert again.exit_code == 2 and "exists already" in again.stderr and "--evals" in again.stderr


def make_draft(root: Path, draft: Path) -> tuple[Any, list[dict[str, Any]]]:
    """`agentos tune-skills ROOT/skills --make-evals DRAFT`, which must succeed, and the draft's
    lines."""
    made = CliRunner().invoke(
        main, ["tune-skills", str(root / "skills"), "--make-evals", str(draft)]
    )
    assert made.exit_code == 0, made.output
    return made, [json.loads(line) for line in draft.read_text().splitlines()]


@pytest.mark.usefixtures("offline")
def test_make_evals_writes_a_draft_then_tune_skills_tunes_on_it(tmp_path: Path) -> None:
    """`--make-evals FILE` writes the draft and tunes nothing; the user reviews it, then tunes
    with `--evals FILE`: one run whose report says the set is a generated draft."""
    root = repo_with_skills(tmp_path)
    draft = tmp_path / "drafted.jsonl"
    made, rows = make_draft(root, draft)
    assert f"queries: {len(rows)}" in made.stdout
    assert {r["split"] for r in rows} == {"train", "holdout"}
    assert not (root / ".agentos").exists()  # nothing tuned, no run recorded
    tuned = CliRunner().invoke(
        main,
        ["tune-skills", str(root / "skills"), "--evals", str(draft), "--budget", "1", "--json"],
    )
    assert tuned.exit_code == 0, tuned.output
    report = json.loads(tuned.stdout)
    assert any("generated draft" in n for n in report["notes"])
    assert "hand-written" not in tuned.output  # the set was generated, not written by hand
    assert report["run_id"] and any(r["name"] == "all" for r in report["rows"])
    again = CliRunner().invoke(
        main, ["tune-skills", str(root / "skills"), "--make-evals", str(draft)]
    )
    assert again.exit_code == 2 and "exists already" in again.stderr
    assert "a new --make-evals file" in again.stderr  # the option the user gave


def test_budget_help_counts_the_joint_looks_a_run_adds() -> None:
    """The help says how many experiments `--budget` buys: the joint looks a run adds are
    `joint.LOOKS`, not a number the help keeps apart from it."""
    from agentos.skill.joint import LOOKS

    result = CliRunner().invoke(main, ["tune-skills", "--help"], terminal_width=200)
    assert result.exit_code == 0
    assert f"(plus {LOOKS} joint looks)" in " ".join(result.output.split())


def test_make_evals_says_how_the_draft_splits_and_the_command_that_tunes_on_it(
    tmp_path: Path,
) -> None:
    root = repo_with_skills(tmp_path)
    draft = tmp_path / "drafted.jsonl"
    made, rows = make_draft(root, draft)
    lines = made.stdout.splitlines()
    assert f"train: {sum(r['split'] == 'train' for r in rows)}" in lines
    assert f"holdout: {sum(r['split'] == 'holdout' for r in rows)}" in lines
    assert f"near_misses: {sum(r['slice'] == 'near-miss' for r in rows)}" in lines
    (after,) = [line for line in lines if line.startswith("next: ")]
    assert after.endswith(f"agentos tune-skills {root / 'skills'} --evals {draft}")
