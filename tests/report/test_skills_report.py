"""`agentos report` of a real `tune-skills` run: the page shows held-out accuracy before and after
with each router (the tuned-against ones and the independent one, labelled), per skill and per
slice, whether the eval set was a generated draft, and every changed description before and
after; the figures are the ones the run stored (its report and its ledger rows), the same the
text report printed."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from helpers import commit_all, git
from report_helpers import read_page

from agentos.cli.main import main
from agentos.ledger import Ledger
from agentos.report.skills import load_tune_report
from agentos.skill import tune as tune_module
from agentos.skill.report import REPORT_FILE, render_table
from agentos.skill.router import EmbeddingRouter

SKILLS = {
    "plant-watering": (
        "Water garden plants on a schedule and check the soil.",
        "Use a hose or a sprinkler.\nA drip line saves water.\n",
    ),
    "lawn-mowing": ("Mow the lawn and edge the grass.", "Sharpen the blade.\n"),
}
# "sprinkler" is in plant-watering's body and in its train queries, not in its description
ROWS = [
    ("the sprinkler timer needs setting", "plant-watering", "train"),
    ("sprinkler head broken", "plant-watering", "train"),
    ("my sprinkler sprays the path", "plant-watering", "train"),
    ("how often to water tomatoes", "plant-watering", "train"),
    ("mow the grass short", "lawn-mowing", "train"),
    ("edge the lawn", "lawn-mowing", "train"),
    ("book a flight to rome", None, "train"),
    ("sprinkler leaks everywhere", "plant-watering", "holdout"),
    ("water the roses", "plant-watering", "holdout"),
    ("cut the grass", "lawn-mowing", "holdout"),
    ("what is the capital of peru", None, "holdout"),
]


@pytest.fixture(scope="module")
def shared_router() -> EmbeddingRouter:
    return EmbeddingRouter()


@pytest.fixture
def offline(shared_router: EmbeddingRouter, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No key, and the module's router (its cut restored after each test)."""
    for name in ("ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(tune_module, "default_router", lambda: shared_router)
    threshold, floor = shared_router.threshold, shared_router.floor
    yield
    shared_router.threshold, shared_router.floor = threshold, floor


def garden(root: Path, extra: tuple[tuple[str, str | None, str], ...] = ()) -> Path:
    for name, (description, body) in SKILLS.items():
        (root / "skills" / name).mkdir(parents=True)
        (root / "skills" / name / "SKILL.md").write_text(
            f"---\nname: {name}\ndescription: {description}\n---\n{body}"
        )
    (root / "evals.jsonl").write_text(
        "".join(
            json.dumps({"query": q, "expect": e, "slice": "clean", "split": s}) + "\n"
            for q, e, s in (*ROWS, *extra)
        )
    )
    return commit_all(root, "skills")


def tune(root: Path, *args: str) -> dict[str, Any]:
    ran = CliRunner().invoke(main, ["tune-skills", str(root / "skills"), *args, "--json"])
    assert ran.exit_code == 0, ran.output
    return json.loads(ran.stdout)


def page_of(root: Path, out: Path) -> str:
    made = CliRunner().invoke(main, ["report", str(root), "--out", str(out)])
    assert made.exit_code == 0, made.output
    return (out / "report.html").read_text()


def cells(page: str, table: str) -> list[list[str]]:
    """The text of each cell of each body row of the table `table` (headers left out)."""
    body = page.split(f'id="{table}"', 1)[1].split("</table>", 1)[0]
    return [
        [
            html.unescape(re.sub(r"<[^>]+>", "", c)).strip()
            for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
        if "<td" in row
    ]


def pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}"


@pytest.mark.usefixtures("offline")
def test_the_page_shows_each_routers_held_out_figures_the_run_stored(tmp_path: Path) -> None:
    root = garden(tmp_path / "repo")
    report = tune(root, "--evals", str(root / "evals.jsonl"), "--budget", "2")
    assert report["changed"] == ["plant-watering"], report  # the run kept a rewrite
    page = page_of(root, tmp_path / "out")
    shown = read_page(page)
    assert shown.ids["eval-set"]["data-generated"] == "0"

    # one line per router, labelled tuned against or independent, with the run's figures
    routers = report["routers"]
    lines = cells(page, "routers")
    assert [(line[0], line[1]) for line in lines] == [
        (r["router"], "tuned against" if r["tuned_against"] else "independent") for r in routers
    ]
    assert [line[1] for line in lines].count("independent") == 1
    assert [(line[2], line[3]) for line in lines] == [
        (pct(r["holdout_before"]), pct(r["holdout_after"])) for r in routers
    ]

    # the verdict over every router is the one the text report printed
    stored = load_tune_report(root / ".agentos" / "runs" / report["run_id"] / REPORT_FILE)
    assert stored is not None
    (said,) = [v for v in render_table(stored).splitlines() if v.startswith("verdict: ")]
    shown_verdict = re.search(r'id="verdict">(.*?)</td>', page, re.S)
    assert shown_verdict is not None and html.unescape(shown_verdict.group(1)) == said[9:]

    # the tuned-against routers' figures are the ledger's: the baseline row and the kept row
    ledger = Ledger(root / ".agentos" / "ledger.db")
    rows = list(ledger.rows(report["run_id"]))
    ledger.close()
    base = json.loads(next(r for r in rows if r["kind"] == "baseline")["holdout"])
    best = json.loads([r for r in rows if r["status"] == "keep"][-1]["holdout"])
    assert (lines[0][2], lines[0][3]) == (pct(base["holdout/all"]), pct(best["holdout/all"]))
    assert (lines[1][2], lines[1][3]) == (
        pct(base["lexical/holdout/all"]),
        pct(best["lexical/holdout/all"]),
    )
    assert lines[1][2] != lines[1][3]  # the second router's gain is visible

    # per skill and per slice, with the second router's held-out figures from the ledger
    table = {line[0]: line for line in cells(page, "skill-rows")}
    assert set(table) == {"plant-watering", "lawn-mowing", "[clean]", "all"}
    for row in report["rows"]:
        name = f"[{row['name']}]" if row["group"] == "slice" else row["name"]
        assert table[name][1:5] == [
            pct(row[k]) for k in ("train_before", "train_after", "holdout_before", "holdout_after")
        ]
    watering = 2  # plant-watering's held-out queries
    assert table["plant-watering"][7:9] == [
        pct(base["lexical/holdout/hits/plant-watering"] / watering),
        pct(best["lexical/holdout/hits/plant-watering"] / watering),
    ]

    # every changed description before and after; the after is what the branch holds
    ((name, before, after),) = cells(page, "descriptions")
    assert name == "plant-watering" and before == SKILLS[name][0]
    assert before != after and after.startswith(before)
    on_branch = git(root, "show", f"{report['branch']}:skills/{name}/SKILL.md")
    assert f"description: {after}\n" in on_branch

    # the ledger's breakdowns (one skill's hits, one confusion) are no columns of the tables
    assert "holdout/hits/" not in page.split('id="skill-routing"')[0]
    assert "<th>holdout/hits/" not in page and "<th>lexical/" not in page
    assert "<th>description/" not in page  # a digest of a description, no figure


@pytest.mark.usefixtures("offline")
def test_the_page_and_the_text_name_each_held_out_query_missed(tmp_path: Path) -> None:
    # held-out queries the garden's skills miss: a near-miss on their words, a terse request
    extra = (
        ("water polo rules for the school team", None, "holdout"),
        ("paint the fence", None, "holdout"),
        ("blade dull", "lawn-mowing", "holdout"),
    )
    root = garden(tmp_path / "repo", extra)
    report = tune(root, "--evals", str(root / "evals.jsonl"), "--budget", "2")
    page = page_of(root, tmp_path / "out")
    # every held-out query missed before or after is named, under the skill it expects, with
    # where it went each time; the text report names the ones whose routing changed
    misses = report["misses"]
    assert misses and {m["query"] for m in misses} <= {
        q for q, _, split in (*ROWS, *extra) if split == "holdout"
    }
    assert all(m["before"] != m["expect"] or m["after"] != m["expect"] for m in misses)
    shown_misses = {
        (skill, *(html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in row))
        for skill, block in re.findall(
            r"<details data-skill=\"([^\"]+)\"(.*?)</details>", page, re.S
        )
        for row in re.findall(r"<tr[^>]*>\s*<td>(.*?)</td><td>(.*?)</td>\s*<td>(.*?)</td>", block)
    }
    assert shown_misses == {
        (m["expect"] or "none", m["query"], m["before"] or "none", m["after"] or "none")
        for m in misses
    }
    stored = load_tune_report(root / ".agentos" / "runs" / str(report["run_id"]) / REPORT_FILE)
    assert stored is not None
    text = render_table(stored)
    for m in misses:
        line = f"{m['query']!r}: {m['before'] or 'none'} -> {m['after'] or 'none'}"
        assert (line in text) == (m["before"] != m["after"]), (line, text)

    still = sum(m["before"] == m["after"] for m in misses)
    assert f"still missed: {still} " in text


@pytest.mark.usefixtures("offline")
def test_a_run_on_a_generated_draft_says_so_and_an_unstored_report_is_named(
    tmp_path: Path,
) -> None:
    root = garden(tmp_path / "repo")
    draft = tmp_path / "draft.jsonl"
    report = tune(root, "--evals-out", str(draft), "--budget", "1")
    assert report["generated"] is True and draft.is_file()
    page = page_of(root, tmp_path / "out")
    assert read_page(page).ids["eval-set"]["data-generated"] == "1"
    assert "generated draft" in page

    # a run whose report file is gone (an older agentos) still gets a page, which says so
    stored = root / ".agentos" / "runs" / str(report["run_id"]) / "tune-report.json"
    assert json.loads(stored.read_text())["routers"] == report["routers"]
    stored.write_text('{"rows": 3}')  # damaged: the page still comes, and names the file
    page = html.unescape(page_of(root, tmp_path / "bad"))
    assert "cannot be read" in page and str(stored) in page
    assert "is not a tune-skills report" in page
    stored.unlink()
    page = page_of(root, tmp_path / "out2")
    shown = read_page(page)
    assert "skill-pending" in shown.ids and "routers" not in shown.ids
    assert "stored no tune-skills report" in page
