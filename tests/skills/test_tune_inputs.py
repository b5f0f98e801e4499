"""`agentos tune-skills` on the states a user's folder is really in: an uncommitted edit is
refused before any work (the run measures HEAD), and a run whose baseline does not measure ends
with exit 1 and no branch."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import git
from skill_helpers import write_skills

from agentos.cli.main import main
from agentos.ledger import Ledger
from agentos.providers.base import ProviderError
from agentos.skill import tune as tune_module
from agentos.skill.evals import EvalItem
from agentos.skill.report import Miss, RouterScore, Row, TuneReport, render_table
from agentos.skill.router import EmbeddingRouter
from agentos.skillfile import Skill

SKILLS = {
    "deploy-service": "Deploy or ship a service to staging or production.",
    "write-docs": "Write user documentation, guides and tutorials.",
}
ROWS = [
    ("ship the billing api to production", "deploy-service", "train"),
    ("write a getting started guide", "write-docs", "train"),
    ("deploy the web app", "deploy-service", "holdout"),
    ("write a tutorial on the api", "write-docs", "holdout"),
]


@pytest.fixture
def offline(router: EmbeddingRouter, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(tune_module, "default_router", lambda: router)


def _run(root: Path, *extra: str) -> tuple[int, str, str]:
    args = ["tune-skills", str(root / "skills"), "--evals", str(root / "evals.jsonl"), *extra]
    result = CliRunner().invoke(main, [*args, "--budget", "1"])
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.usefixtures("offline")
@pytest.mark.parametrize("change", ["edit", "new skill"])
def test_an_uncommitted_skill_is_refused_before_any_work(tmp_path: Path, change: str) -> None:
    write_skills(tmp_path, SKILLS, ROWS, git=True)
    if change == "edit":
        path = tmp_path / "skills" / "write-docs" / "SKILL.md"
        path.write_text(path.read_text().replace("tutorials.", "tutorials and READMEs."))
    else:
        path = tmp_path / "skills" / "fix-bugs" / "SKILL.md"
        path.parent.mkdir()
        path.write_text("---\nname: fix-bugs\ndescription: Fix a failing test.\n---\nSteps.\n")
    refs = git(tmp_path, "for-each-ref")
    out = tmp_path / "out"
    code, stdout, stderr = _run(tmp_path, "--out", str(out))
    assert code == 2 and stdout == ""
    (line,) = stderr.strip().splitlines()
    assert str(path) in line and "commit or stash" in line
    assert ("uncommitted changes" if change == "edit" else "not committed") in line
    stash = "(git stash)" if change == "edit" else "(git stash --include-untracked)"
    assert stash in line  # a plain `git stash` leaves an untracked skill where it was
    assert git(tmp_path, "for-each-ref") == refs and not out.exists()
    assert not (tmp_path / ".agentos").exists()


class _BrokenRouter:
    """A router whose every request fails, as a model router does when its service is down."""

    def calibrate(self, items: Sequence[EvalItem], skills: Sequence[Skill]) -> float:
        return 0.5

    def route(self, queries: Sequence[str], skills: Sequence[Skill]) -> list[str | None]:
        raise ProviderError("the routing service answered 503")


def test_a_baseline_that_does_not_measure_exits_1_with_no_branch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(tune_module, "default_router", _BrokenRouter)
    write_skills(tmp_path, SKILLS, ROWS, git=True)
    code, stdout, stderr = _run(tmp_path)
    assert code == 1, stderr
    assert "branch: none" in stdout.splitlines() and "skills_changed: 0" in stdout
    last = stderr.strip().splitlines()[-1]
    assert "the baseline does not measure" in last and "503" in last
    assert "agentos/" not in git(tmp_path, "for-each-ref", "refs/heads")


def _report(row: Row, routers: list[RouterScore], misses: list[Miss] | None = None) -> TuneReport:
    """A run's report with one overall row and the given routers, as `render_table` reads it."""
    return TuneReport(
        run_id="r",
        rows=[row],
        confusions=[],
        refusals=[],
        accepted=[],
        changed=[],
        rewrites={},
        branch=None,
        commit=None,
        out=None,
        threshold=0.3,
        gates=0,
        elapsed=1.0,
        routers=routers,
        misses=misses or [],
    )


@pytest.mark.parametrize(("after", "warned"), [(0.47, True), (0.53, False), (0.60, False)])
def test_the_summary_warns_when_the_independent_router_fell(after: float, warned: bool) -> None:
    report = _report(
        Row("all", "all", 0.8, 0.9, 0.7, 0.75, 40),
        [RouterScore("EmbeddingRouter", True, 0.7, 0.75), RouterScore("bm25", False, 0.53, after)],
    )
    lines = render_table(report).splitlines()
    warnings = [line for line in lines if line.startswith("warning: ")]
    assert f"holdout_bm25: 53 -> {round(100 * after)} (independent)" in lines
    assert "holdout_EmbeddingRouter: 70 -> 75 (tuned against)" in lines
    (verdict,) = [line for line in lines if line.startswith("verdict: ")]
    if warned:
        (line,) = warnings
        assert "independent bm25 router fell (53 -> 47)" in line
        assert verdict == "verdict: no gain shown: held-out fell on bm25 53.0 -> 47.0"
    else:
        assert warnings == []
        assert verdict.startswith("verdict: held-out rose on EmbeddingRouter")


def test_a_held_out_query_sent_from_no_skill_to_a_wrong_one_is_a_change_not_none() -> None:
    """A wrong skill firing is worse than none: the verdict counts it though no accuracy
    moved, and the query is listed as missed elsewhere."""
    wrong = Miss("managing windows/tray", "electron-dev", None, "api-hardening")
    report = _report(
        Row("all", "all", 0.8, 0.9, 0.7, 0.7, 40),
        [RouterScore("EmbeddingRouter", True, 0.7, 0.7)],
        misses=[wrong, Miss("q", "a", None, None)],
    )
    lines = render_table(report).splitlines()
    assert (
        "verdict: no gain shown: 1 held-out query went from no skill to a wrong one on "
        "EmbeddingRouter"
    ) in lines
    assert "    ~ 'managing windows/tray': none -> api-hardening" in lines
    report.misses.remove(wrong)
    assert "verdict: no held-out change on any router" in render_table(report).splitlines()


@pytest.mark.parametrize(("after", "merge"), [(0.75, True), (0.70, False)])
def test_the_summary_says_whether_to_merge_the_rewrites(after: float, merge: bool) -> None:
    """A kept rewrite is advised for merging only where held-out rose with no router falling;
    without a held-out gain it fits the train queries only, and the summary says so."""
    routers = [RouterScore("EmbeddingRouter", True, 0.7, after)]
    report = _report(Row("all", "all", 0.8, 0.9, 0.7, after, 40), routers)
    assert not any(line.startswith("next: ") for line in render_table(report).splitlines())
    report = replace(report, rewrites={"pdf": "---\nname: pdf\n---\n"}, branch="agentos/r")
    (line,) = [x for x in render_table(report).splitlines() if x.startswith("next: ")]
    if merge:
        assert line == "next: read `git diff HEAD agentos/r`, then `git merge agentos/r`"
        (line,) = [
            x for x in render_table(replace(report, repo="/r")).splitlines() if "next: " in x
        ]
        git = "git -C /r"  # the repository that holds the branch, wherever the shell is
        assert line == f"next: read `{git} diff HEAD agentos/r`, then `{git} merge agentos/r`"
    else:
        assert line.startswith("next: the rewrites showed no held-out gain")
        assert "do not merge them as they are" in line
    report = replace(report, git=False, branch=None, out="/tmp/o")
    (line,) = [x for x in render_table(report).splitlines() if x.startswith("next: ")]
    assert "/tmp/o" in line


def test_the_json_report_carries_the_summary_the_table_prints() -> None:
    import json

    from agentos.skill.report import to_json

    routers = [RouterScore("EmbeddingRouter", True, 0.7, 0.75)]
    routers.append(RouterScore("bm25", False, 0.5, 0.4))
    report = replace(
        _report(Row("all", "all", 0.8, 0.9, 0.7, 0.75, 40), routers),
        rewrites={"pdf": "---\n"},
        branch="agentos/r",
    )
    lines = render_table(report).splitlines()
    data = json.loads(to_json(report))
    assert f"verdict: {data['verdict']}" in lines
    assert data["verdict"] == "no gain shown: held-out fell on bm25 50.0 -> 40.0"
    assert f"next: {data['next']}" in lines and "do not merge" in data["next"]
    assert [f"warning: {w}" for w in data["warnings"]] == [x for x in lines if "bm25 router" in x]
    assert "as_json" not in data


def test_the_table_says_which_router_its_figures_and_the_runs_train_score_are() -> None:
    routers = [RouterScore("EmbeddingRouter", True, 0.7, 0.7), RouterScore("bm25", True, 0.6, 0.6)]
    routers.append(RouterScore("char-ngram", False, 0.5, 0.5))
    lines = render_table(_report(Row("all", "all", 0.8, 0.9, 0.7, 0.7, 40), routers)).splitlines()
    assert (
        "  (routed by EmbeddingRouter; the run kept moves on the mean train accuracy of "
        "EmbeddingRouter and bm25, the train= of its progress lines)"
    ) in lines


@pytest.mark.parametrize(("generated", "label"), [(True, "drafted"), (False, "hand-written")])
def test_the_train_query_counts_say_who_wrote_them(generated: bool, label: str) -> None:
    report = _report(Row("all", "all", 0.8, 0.9, 0.7, 0.7, 40), [])
    report = replace(report, written={"pdf": (3, 1, 2)}, generated=generated)
    lines = render_table(report).splitlines()
    assert any(line.startswith(f"{label} train queries routed right") for line in lines), lines
    assert "  pdf: 1 -> 2 of 3" in lines


def test_status_names_the_skill_and_the_move_of_each_row(tmp_path: Path) -> None:
    write_skills(tmp_path, SKILLS, ROWS, git=True)
    (tmp_path / ".agentos").mkdir()
    ledger = Ledger(tmp_path / ".agentos" / "ledger.db")
    ledger.start_run("r1")
    moves = [
        (1, "keep", 0.87, "write-docs: add 'tutorial'", "gain 0.02"),
        (2, "discard", 0.86, "joint: added terms for 3 skills", "vetoed: held-out all fell"),
        (3, "discard", 0.5, "", "no move"),
    ]
    for exp, status, metric, description, reason in moves:
        row = {"run_id": "r1", "id": exp, "attempt": 1, "kind": "experiment", "status": status}
        ledger.record({**row, "metric": metric, "description": description, "reason": reason})
    ledger.close()
    result = CliRunner().invoke(main, ["status", str(tmp_path), "--run", "r1"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()[4:]  # run, baseline, best, state
    assert lines[0].split()[:2] == ["#1", "keep"]
    assert lines[0].endswith("write-docs: add 'tutorial' | gain 0.02")
    assert lines[1].endswith("joint: added terms for 3 skills | vetoed: held-out all fell")
    assert lines[2].endswith(" no move") and "|" not in lines[2]


@pytest.mark.usefixtures("offline")
def test_a_run_names_the_skills_no_train_query_expects_and_why_it_ended(tmp_path: Path) -> None:
    """A hand-written eval file often covers a few skills of a folder: the run says which skills
    it cannot learn from before any move, and its last line gives every skill's reason for
    having nothing left to try, grouped, not only those of the last proposal."""
    skills = {**SKILLS, "fix-bugs": "Fix a failing test or a crash in the code."}
    write_skills(tmp_path, skills, ROWS, git=True)
    code, out, err = _run(tmp_path)
    assert code == 0, err
    # the train columns count generated variants; the hand-written queries are shown beside
    lines = out.splitlines()
    at = lines.index(
        "hand-written train queries routed right (before -> after, of n; the train columns "
        "also count generated variants):"
    )
    assert lines[at + 1 : at + 3] == ["  deploy-service: 1 -> 1 of 1", "  write-docs: 1 -> 1 of 1"]
    assert (
        "warning: 1 of 3 skills have no train query in "
        f"{tmp_path / 'evals.jsonl'} (fix-bugs): no rewrite of them can gain on train" in err
    ), err
    last = err.splitlines()[-1]
    assert "ended: the proposer has nothing left to try: no move left: " in last, last
    assert "fix-bugs: no train query expects it, so no rewrite can gain on train" in last, last
    for name in SKILLS:
        assert name in last, last


def test_the_table_keeps_its_columns_whatever_the_names() -> None:
    """Skill names longer than the first column (`finishing-a-development-branch`, 30
    characters) widen it for every row, so each figure stays under its heading."""
    rows = [
        Row("skill", "brainstorming", 0.5, 0.6, 0.5, 0.5, 4),
        Row("skill", "dispatching-parallel-agents", 0.7, 0.7, 0.5, 0.5, 4),
        Row("skill", "finishing-a-development-branch", 0.9, 0.9, 1.0, 1.0, 3),
        Row("slice", "slack-msg", 0.4, 0.5, 0.25, 0.5, 8),
        Row("all", "all", 0.8, 0.9, 0.7, 0.75, 40),
    ]
    report = _report(rows[-1], [RouterScore("EmbeddingRouter", True, 0.7, 0.75)])
    report.rows[:] = rows
    lines = render_table(report).splitlines()
    header = lines[1]
    table = [line for line in lines[2:10] if line and line[0] not in " -"]
    assert len(table) == len(rows), lines
    for line in table:  # each figure ends where its heading ends
        assert len(line) == len(header), (line, header)
        assert line.rstrip()[-1].isdigit() and line[len(line) - 36] == " ", line
    assert all(len(line) == len(header) for line in lines if set(line) == {"-"})


def test_a_rise_on_the_independent_router_alone_is_no_gain_of_the_tuning() -> None:
    """The rewrites were chosen on the routers the run decided with; when only the independent
    one rose, the verdict says so rather than read as a gain (and never says "fell on none",
    "none" being the report's word for no skill)."""
    report = _report(
        Row("all", "all", 0.62, 0.63, 0.36, 0.36, 99),
        [
            RouterScore("EmbeddingRouter", True, 0.36, 0.36),
            RouterScore("bm25", True, 0.60, 0.60),
            RouterScore("char-ngram", False, 0.51, 0.54),
        ],
    )
    (verdict,) = [v for v in render_table(report).splitlines() if v.startswith("verdict: ")]
    assert verdict == (
        "verdict: no gain shown on the routers the run tuned against (EmbeddingRouter, bm25 "
        "unchanged); held-out rose on the independent char-ngram only"
    )
    report.routers[1] = RouterScore("bm25", True, 0.60, 0.62)
    (verdict,) = [v for v in render_table(report).splitlines() if v.startswith("verdict: ")]
    assert verdict == "verdict: held-out rose on bm25, char-ngram; no router fell"


def test_status_of_a_skill_run_says_what_its_figure_is(tmp_path: Path) -> None:
    """`baseline: 0.698` beside a text report whose train column reads 73: the status says the
    figure is the train accuracy the run decides on, and where the held-out figures are."""
    write_skills(tmp_path, SKILLS, ROWS, git=True)
    (tmp_path / ".agentos").mkdir()
    ledger = Ledger(tmp_path / ".agentos" / "ledger.db")
    ledger.start_run("skills", task="tune-skills")
    ledger.start_run("other", task="optimize")
    for run in ("skills", "other"):
        row = {"run_id": run, "id": 1, "attempt": 1, "kind": "experiment", "status": "keep"}
        ledger.record({**row, "metric": 0.7, "description": "", "reason": "gain"})
    ledger.close()
    shown = CliRunner().invoke(main, ["status", str(tmp_path), "--run", "skills"])
    assert shown.exit_code == 0, shown.output
    (said,) = [line for line in shown.output.splitlines() if line.startswith("metric: ")]
    assert "train" in said and "agentos report" in said
    as_json = CliRunner().invoke(main, ["status", str(tmp_path), "--run", "skills", "--json"])
    assert json.loads(as_json.output)["task"] == "tune-skills"
    other = CliRunner().invoke(main, ["status", str(tmp_path), "--run", "other"])
    assert other.exit_code == 0 and "metric: " not in other.output
