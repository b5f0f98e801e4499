"""agentos on real repositories: `init`, `check` and a short run on each package of the corpus.

The packages come from the package registry as pinned source distributions (corpus_repos.py);
the runs go through the default sandbox with a scripted proposer whose first candidate edits a
library function the benchmark calls and whose second edits a file the benchmark never reads.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from corpus_fetch import CorpusError, Pin, fetch, verify
from corpus_repos import REPOS, CorpusRepo
from helpers import agentos_cli, git

from agentos.task import glob_match, load_task

pytestmark = pytest.mark.corpus

NAMES = sorted(REPOS)


def test_a_file_that_differs_from_its_pin_is_refused(tmp_path: Path) -> None:
    pin = REPOS["mdurl"].pin
    try:
        good = fetch(pin)
    except CorpusError as exc:
        pytest.fail(str(exc), pytrace=False)
    assert verify(pin, good) == good
    bad = tmp_path / pin.file
    bad.write_bytes(good.read_bytes() + b"\0")
    with pytest.raises(CorpusError, match=f"{pin.file} has sha256 .*, pinned {pin.sha256}"):
        verify(pin, bad)


def test_an_unreachable_registry_is_one_clear_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing cached and no registry: the error names the package, the registry and the cache."""
    monkeypatch.setenv("PIP_CONFIG_FILE", "/dev/null")  # no configured mirror
    monkeypatch.setenv("PIP_INDEX_URL", "http://127.0.0.1:9/simple")  # a closed port
    for var in ("PIP_EXTRA_INDEX_URL", "PIP_FIND_LINKS"):
        monkeypatch.delenv(var, raising=False)
    pin = Pin("mdurl", "0.1.2", REPOS["mdurl"].pin.sha256, REPOS["mdurl"].pin.file)
    with pytest.raises(CorpusError) as caught:
        fetch(pin, cache=tmp_path)
    message = str(caught.value)
    assert "\n" not in message
    assert "cannot fetch mdurl==0.1.2 from the package registry" in message
    assert str(tmp_path / "sdists") in message


def _init(root: Path) -> None:
    done = agentos_cli("init", str(root))
    assert done.returncode == 0, done.stdout + done.stderr
    git(root, "add", "agentos.toml")
    git(root, "commit", "-qm", "agentos task from agentos init")


@pytest.mark.parametrize("name", NAMES)
def test_init_writes_a_task_that_check_accepts(
    name: str, corpus_repo: Callable[[str], Path]
) -> None:
    repo = REPOS[name]
    root = corpus_repo(name)
    _init(root)
    task = load_task(root)
    files = git(root, "ls-files").splitlines()
    for pattern in (*task.editable, *task.protected):
        assert any(glob_match(f, pattern) for f in files), f"{pattern!r} matches no file"
    for edited in (repo.change, repo.unread):
        if edited is not None:
            assert task.is_editable(edited.path), (edited.path, task.editable)
    assert task.is_protected("benchmark.py"), task.protected
    assert "benchmark.py" in task.metric.command
    if repo.tests:
        tests = [f for f in files if f == repo.tests or f.startswith(repo.tests + "/")]
        assert tests and all(task.is_protected(f) and not task.is_editable(f) for f in tests)

    done = agentos_cli("check", str(root), timeout=300)
    facts = dict(line.split(": ", 1) for line in done.stdout.splitlines() if ": " in line)
    assert facts.get("baseline_status") == "ok", done.stdout + done.stderr
    assert facts.get("gates_on_baseline", "passed").startswith("passed"), done.stdout
    if facts["tunable_settings"].startswith("0 "):
        # a library with no constants: the offline proposer has nothing to change, and check
        # names exactly what to add (settings or hints, or a Claude provider) instead of a run
        # that would end at once
        assert done.returncode == 1, done.stdout + done.stderr
        assert "the heuristic proposer finds nothing to tune" in done.stderr
    else:
        assert done.returncode == 0, done.stdout + done.stderr
    if repo.env:  # the repository's own interpreter, not agentos'
        assert ".venv" in done.stdout, done.stdout


def _script(repo: CorpusRepo, path: Path) -> Path:
    change = {"path": repo.change.path, "search": repo.change.search,
              "replace": repo.change.replace}
    lines = [{"type": "proposal", "description": f"faster {repo.change.path}", "edits": [change]}]
    if repo.unread is not None:
        edit = {"path": repo.unread.path, "search": repo.unread.search,
                "replace": repo.unread.replace}
        lines.append({"type": "proposal", "description": f"edit {repo.unread.path}",
                      "edits": [edit]})
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    return path


@pytest.mark.parametrize("name", NAMES)
def test_a_run_measures_the_change_and_refuses_an_edit_nothing_reads(
    name: str, corpus_repo: Callable[[str], Path], tmp_path: Path
) -> None:
    assert shutil.which("bwrap"), "the corpus runs in the default sandbox: install bubblewrap"
    repo = REPOS[name]
    root = corpus_repo(name)
    _init(root)
    head = git(root, "rev-parse", "HEAD")
    script = _script(repo, tmp_path / "script.jsonl")

    expected = [repo.expect] + (["invalid"] if repo.unread else [])
    done = agentos_cli("run", str(root), "--budget", str(len(expected)), "--provider",
                       f"script:{script}", timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    shown = agentos_cli("status", str(root), "--json")
    assert shown.returncode == 0, shown.stderr
    status = json.loads(shown.stdout)
    rows = [(e["status"], e["metric"], e["reason"]) for e in status["experiments"]]
    assert [r[0] for r in rows] == expected, rows
    baseline = status["baseline"]["metric"]
    changed = status["experiments"][0]
    # The score moved: the sandbox ran the candidate's library, not an installed copy.
    assert changed["metric"] is not None and changed["metric"] != baseline, rows
    if repo.expect == "keep":
        assert changed["metric"] > baseline and status["best"]["commit"] == changed["commit"]
    if repo.unread:  # the reason names why: the run read none of the files it changed
        assert repo.unread.path in status["experiments"][1]["reason"], rows
    # The user's checkout is as it was: HEAD, worktree and index.
    assert git(root, "rev-parse", "HEAD") == head
    assert git(root, "status", "--porcelain") == ""


def test_gates_judge_only_what_a_candidate_adds_to_a_file_with_lint_debt(
    corpus_repo: Callable[[str], Path], tmp_path: Path
) -> None:
    """toml/decoder.py has 14 findings under ruff's defaults: fixing one passes the gates (and is
    measured), adding one is rejected for that one alone."""
    root = corpus_repo("toml")
    _init(root)
    fix = {"path": "toml/decoder.py", "search": "class TomlDecoder(object):\n",
           "replace": "class TomlDecoder:\n"}  # UP004, already there
    add = {"path": "toml/decoder.py", "search": "def _strictly_valid_num(n):\n    n = n.strip()\n",
           "replace": "def _strictly_valid_num(n):\n    n = n.strip()\n"
           "    unused = n\n"}  # F841, new
    script = tmp_path / "script.jsonl"
    script.write_text("".join(
        json.dumps({"type": "proposal", "description": d, "edits": [e]}) + "\n"
        for d, e in (("drop object base", fix), ("guard None", add))))
    done = agentos_cli("run", str(root), "--budget", "2", "--provider", f"script:{script}",
                       timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    status = json.loads(agentos_cli("status", str(root), "--json").stdout)
    rows = [(e["status"], e["metric"], e["reason"]) for e in status["experiments"]]
    assert [r[0] for r in rows] == ["discard", "rejected"], rows
    assert rows[0][1] == status["baseline"]["metric"], rows  # gates passed, then measured
    assert "F841" in rows[1][2], rows
    for old in ("UP036", "UP004", "SIM103", "RUF059"):  # the file's history is not the candidate's
        assert old not in rows[1][2], rows
