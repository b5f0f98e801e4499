"""Fixtures for the report tests: one real quickstart run shared by the module, and helpers that
read a report page back (a tiny HTML parser, no third-party one)."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest

from agentos import runner

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@localhost", *args],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def quickstart_copy(dest: Path, files: dict[str, str] | None = None) -> Path:
    """A fresh git repository holding examples/quickstart (with `files` overriding some)."""
    shutil.copytree(EXAMPLES / "quickstart", dest)
    for name, text in (files or {}).items():
        (dest / name).write_text(text)
    git(dest, "init", "-q", "-b", "main")
    git(dest, "add", "-A")
    git(dest, "commit", "-qm", "quickstart")
    return dest


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, runner.RunSummary]:
    """The quickstart after a real 8-experiment run (local sandbox, offline heuristic provider)."""
    repo = quickstart_copy(tmp_path_factory.mktemp("report") / "quickstart")
    summary = runner.run(
        repo, runner.Overrides(budget=8, sandbox="local", provider="heuristic", seed=3)
    )
    return repo, summary


@dataclass
class Page:
    """What the tests look at in a report page (or a browser's dump of it)."""

    rows: list[dict[str, str]] = field(default_factory=list)
    killed: list[dict[str, str]] = field(default_factory=list)
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
        if tag == "img":
            self.page.images.append(a)


def read_page(html: str) -> Page:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader.page
