"""Helpers for the report tests: one real quickstart run shared by a module, a ledger of hostile
text, and a reader of report pages (a tiny HTML parser, no third-party one).

Not a conftest.py: shared helpers live in modules, so no second `conftest` shadows the root one."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from helpers import git, quickstart_copy

from agentos import runner
from agentos.git import Repo
from agentos.ledger import Ledger, Row


def run_quickstart(dest: Path) -> tuple[Path, runner.RunSummary]:
    """The quickstart after a real 8-experiment run (local sandbox, offline heuristic provider)."""
    repo = quickstart_copy(dest)
    summary = runner.run(
        repo, runner.Overrides(budget=8, sandbox="local", provider="heuristic", seed=3)
    )
    return repo, summary


@dataclass
class Page:
    """What the tests look at in a report page (or a browser's dump of it)."""

    rows: list[dict[str, str]] = field(default_factory=list)
    killed: list[dict[str, str]] = field(default_factory=list)
    running: list[dict[str, str]] = field(default_factory=list)
    images: list[dict[str, str]] = field(default_factory=list)
    ids: dict[str, dict[str, str]] = field(default_factory=dict)
    tags: dict[str, int] = field(default_factory=dict)


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.page = Page()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self.page.tags[tag] = self.page.tags.get(tag, 0) + 1
        if "id" in a:
            self.page.ids[a["id"]] = a
        if tag == "tr" and "data-seq" in a:
            self.page.rows.append(a)
        if tag == "tr" and a.get("data-killed") == "1":
            self.page.killed.append(a)
        if tag == "tr" and a.get("data-running") == "1":
            self.page.running.append(a)
        if tag == "img":
            self.page.images.append(a)


def read_page(html: str) -> Page:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader.page


HOSTILE = (
    '<script>document.title="pwned"</script><img id="pwned" src=x onerror="alert(1)">'
    " $\\frac{a}{b}$ \x1b[31m"
)


def hostile_ledger(repo: Path) -> str:
    """A ledger written through the Ledger API whose text fields are hostile candidate output."""
    ledger = Ledger(runner.state_dir(Repo(repo)) / "ledger.db")
    head = git(repo, "rev-parse", "HEAD").strip()
    ledger.start_run(
        "r1",
        task="t<b>",
        repo=str(repo),
        baseline=head,
        strategy="greedy",
        seed=0,
        provider="heuristic",
        config="{}",
    )
    base = Row(
        run_id="r1",
        parent=head,
        commit=head,
        tree_before="sha256:aa",
        timings="{}",
        samples="[1.0]",
    )
    ledger.record(
        Row(
            **base,
            id=0,
            attempt=1,
            kind="baseline",
            tree_after="sha256:aa",
            status="keep",
            metric=1.0,
            description="baseline",
            reason="baseline",
        )
    )
    ledger.record(
        Row(
            **base,
            id=1,
            attempt=1,
            kind="experiment",
            status="keep",
            metric=2.0,
            description=HOSTILE,
            reason=HOSTILE,
            diff_summary=HOSTILE,
            tree_after="sha256:bb",
            findings=json.dumps(
                [{"tool": "ruff", "path": HOSTILE, "line": 3, "code": "E1", "message": HOSTILE}]
            ),
            review=json.dumps(
                {"checks": [{"name": "simplicity", "passed": False, "reason": HOSTILE}]}
            ),
        )
    )
    ledger.record(
        Row(
            **base,
            id=2,
            attempt=1,
            kind="experiment",
            status="crash",
            tree_after="sha256:aa",
            metric=None,
            description="x",
            reason="exit code 1",
        )
    )
    ledger.close()
    return "r1"
