"""Proof that the change ran: a measured candidate whose run read none of the editable files it
changed (the metric never imports them, or an installed copy shadows them) is `invalid`, never
`keep`; where reading cannot be observed (a metric command that is not Python) the check is
skipped."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import make_repo, quickstart_copy

from agentos import runner
from agentos.status import run_status

UNREAD = "but the run read none of the changed files"

QUICKSTART_TWO_FILES = """\
[task]
name = "quickstart"
editable = ["settings.py", "notes.py"]
protected = ["evaluate.py"]

[metric]
command = "python evaluate.py"
regex = '^score:\\s*(?P<value>\\S+)$'
goal = "max"
timeout = 10

[search]
strategy = "greedy"
"""


def _script(path: Path, proposals: list[tuple[str, list[dict[str, str]]]]) -> str:
    path.write_text(
        "".join(
            json.dumps({"type": "proposal", "description": d, "edits": e}) + "\n"
            for d, e in proposals
        )
    )
    return f"script:{path}"


def _edit(path: str, search: str, replace: str) -> dict[str, str]:
    return {"path": path, "search": search, "replace": replace}


def _experiments(repo: Path) -> list[dict[str, object]]:
    return list(run_status(repo)["experiments"])


def _backends() -> list[object]:
    """`local`, and the default `bwrap` where this machine has it."""
    from agentos.sandbox import get_backend
    from agentos.sandbox.base import SandboxUnavailable

    try:
        get_backend("bwrap")
    except SandboxUnavailable as err:  # a missing primitive: skip with the backend's own reason
        return ["local", pytest.param("bwrap", marks=pytest.mark.skip(reason=str(err)))]
    return ["local", "bwrap"]


@pytest.mark.parametrize("sandbox", _backends())
def test_a_change_the_metric_never_reads_is_invalid_and_one_it_reads_is_measured(
    tmp_path: Path, sandbox: str
) -> None:
    repo = quickstart_copy(
        tmp_path / "qs",
        {"agentos.toml": QUICKSTART_TWO_FILES, "notes.py": "NOTE_LEVEL = 1\n"},
    )
    provider = _script(
        tmp_path / "scenario.jsonl",
        [
            ("notes only", [_edit("notes.py", "NOTE_LEVEL = 1", "NOTE_LEVEL = 2")]),
            ("depth 4", [_edit("settings.py", "DEPTH = 1", "DEPTH = 4")]),
            (
                "dropout and notes",
                [
                    _edit("settings.py", "DROPOUT = 0.6", "DROPOUT = 0.2"),
                    _edit("notes.py", "NOTE_LEVEL = 1", "NOTE_LEVEL = 3"),
                ],
            ),
        ],
    )
    runner.run(repo, runner.Overrides(budget=3, sandbox=sandbox, provider=provider))
    rows = _experiments(repo)
    assert [(r["description"], r["status"]) for r in rows] == [
        ("notes only", "invalid"),
        ("depth 4", "keep"),
        ("dropout and notes", "keep"),
    ]
    assert rows[0]["reason"] == (
        "changed notes.py but the run read none of the changed files: an installed copy may "
        "shadow them, or the metric never imports them"
    )
    assert rows[0]["metric"] is None


PKG_TOML = """\
[task]
name = "shadowed"
editable = ["src/fastpkg/*.py"]
protected = ["bench.py", "pyproject.toml"]

[metric]
command = "python bench.py"
regex = '^score:\\s*(?P<value>\\S+)$'
goal = "max"
timeout = 30
"""

BENCH = """\
import sys

sys.path.insert(0, {site!r})  # the installed copy of the library, as an evaluator may import it
import fastpkg.core

print(f"score: {{fastpkg.core.FACTOR}}")
"""


def test_a_metric_that_imports_an_installed_copy_is_invalid(tmp_path: Path) -> None:
    pytest.importorskip("setuptools")
    site = tmp_path / "site-packages"
    files = {
        "pyproject.toml": '[build-system]\nrequires = ["setuptools"]\n'
        'build-backend = "setuptools.build_meta"\n\n'
        '[project]\nname = "fastpkg"\nversion = "0.1"\n',
        "src/fastpkg/__init__.py": "",
        "src/fastpkg/core.py": "FACTOR = 1\n",
        "bench.py": BENCH.format(site=str(site)),
        "agentos.toml": PKG_TOML,
    }
    source = make_repo(tmp_path / "source", files)
    # `pip install .` of the same library, as a user who installed it earlier has done
    build = tmp_path / "build"
    shutil.copytree(source, build, ignore=shutil.ignore_patterns(".git"))
    pip = [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-index"]
    pip += ["--no-build-isolation", "--target", str(site), str(build)]
    subprocess.run(pip, check=True, capture_output=True)
    assert (site / "fastpkg" / "core.py").is_file()
    provider = _script(
        tmp_path / "scenario.jsonl",
        [("factor 5", [_edit("src/fastpkg/core.py", "FACTOR = 1", "FACTOR = 5")])],
    )
    runner.run(source, runner.Overrides(budget=1, sandbox="local", provider=provider))
    (row,) = _experiments(source)
    assert row["status"] == "invalid"
    assert str(row["reason"]).startswith(f"changed src/fastpkg/core.py {UNREAD}")


def test_the_check_is_skipped_where_reading_is_not_observed(tmp_path: Path) -> None:
    """A metric command that is not Python: no audited interpreter, reads unknown (None), the
    candidate is measured as usual."""
    from agentos.sandbox import RunRequest, get_backend

    toml = QUICKSTART_TWO_FILES.replace(
        'command = "python evaluate.py"',
        'command = ["sh", "-c", "echo score: $(wc -c < notes.py)"]',
    )
    repo = quickstart_copy(tmp_path / "qs", {"agentos.toml": toml, "notes.py": "N = 1\n"})
    sandbox = get_backend("local")
    cases: list[tuple[tuple[str, ...], dict[str, str] | None]] = [
        (("sh", "-c", "cat notes.py"), None),
        ((sys.executable, "-c", "1"), {}),
    ]
    for i, (argv, reads) in enumerate(cases):
        out = tmp_path / f"out-{i}"
        out.mkdir()
        result = sandbox.run(RunRequest(argv=argv, tree=repo, output=out, audit=True))
        assert result.exit_code == 0 and result.audit_problems == ()
        assert result.reads == reads
    provider = _script(
        tmp_path / "scenario.jsonl", [("longer notes", [_edit("notes.py", "N = 1", "N = 100")])]
    )
    runner.run(repo, runner.Overrides(budget=1, sandbox="local", provider=provider))
    (row,) = _experiments(repo)
    assert (row["status"], row["metric"]) == ("keep", 8.0)


def test_a_remeasure_of_a_commit_that_reads_none_of_its_change_is_invalid(
    tmp_path: Path,
) -> None:
    """The paired re-measure (noise) applies the same rule to the candidate it measures again."""
    from agentos.git import Repo
    from agentos.ledger import Ledger
    from agentos.nodes.run import make_run
    from agentos.task import load_task

    repo_path = quickstart_copy(
        tmp_path / "qs", {"agentos.toml": QUICKSTART_TWO_FILES, "notes.py": "NOTE_LEVEL = 1\n"}
    )
    task, repo = load_task(repo_path), Repo(repo_path)
    base = repo.rev("HEAD")
    assert base is not None
    unread = repo.commit_files(base, {"notes.py": b"NOTE_LEVEL = 2\n"}, "notes only")
    settings = (repo_path / "settings.py").read_bytes().replace(b"DEPTH = 1", b"DEPTH = 2")
    read = repo.commit_files(base, {"settings.py": settings}, "depth 2")
    state = runner.state_dir(repo)
    with runner.repo_lock(state):
        rt = runner.start_run(
            task, repo, Ledger(state / "ledger.db"), overrides=runner.Overrides(sandbox="local")
        )
        run = make_run(rt)
        for commit, status in ((unread, "invalid"), (read, None)):
            update = run(
                {
                    "experiment": 1,
                    "remeasure": True,
                    "candidate": {"parent": base, "commit": commit},
                    "incumbent": {"commit": base, "metric": 5.73},
                    "history": [],
                    "scores": {"candidate": [1.0], "incumbent": [1.0]},
                }
            )
            assert update.get("outcome", {}).get("status") == status
            if status == "invalid":
                assert UNREAD in update["outcome"]["reason"]
            else:
                assert len(update["scores"]["candidate"]) == 2
