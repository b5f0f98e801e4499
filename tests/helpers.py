"""Helpers shared by the tests: throwaway git repositories and the installed CLI."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


# For tasks whose evaluator imports the editable settings.py (their subject is not forgery): the
# forgeries that such an evaluator lets through, accepted by name (docs/forgery.md).
ACCEPT_IMPORT_RISK = (
    'accept_forgery_risk = ["exit-line", "system-exit-line", "stdout-rewrite", "print-patch", '
    '"stdout-sink"]'
)

# For the tests of the re-measure mechanics: a search profile with the screen off, so a first gain
# within the noise is re-measured rather than discarded unmeasured (the shipped `screen = 3`).
# A task names it with `[search]` + UNSCREENED_KEY and commits UNSCREENED_FILE beside it.
UNSCREENED_FILE = {"unscreened.toml": "[search]\nscreen = 0.0\n"}
UNSCREENED_KEY = 'profile = "unscreened.toml"\n'


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=test", "-c", "user.email=test@localhost", *args],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def make_repo(path: Path, files: dict[str, str], object_format: str = "sha1") -> Path:
    """A git repository at `path` with `files` committed (in `object_format`: sha1 or sha256)."""
    path.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        target = path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    return commit_all(path, "initial", object_format)


def quickstart_copy(
    dest: Path, files: dict[str, str] | None = None, object_format: str = "sha1"
) -> Path:
    """A fresh git repository holding examples/quickstart (with `files` overriding some)."""
    shutil.copytree(EXAMPLES / "quickstart", dest)
    for name, text in (files or {}).items():
        (dest / name).write_text(text)
    return commit_all(dest, "quickstart", object_format)


def commit_all(path: Path, message: str, object_format: str = "sha1") -> Path:
    """Make the folder at `path` a git repository on `main` with everything in it committed."""
    git(path, "init", "-q", "-b", "main", f"--object-format={object_format}")
    git(path, "add", "-A")
    git(path, "commit", "-qm", message)
    return path


def agentos_cli(
    *args: str, cwd: Path | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run the installed `agentos` command as a user would."""
    exe = shutil.which("agentos", path=str(Path(sys.executable).parent)) or "agentos"
    return subprocess.run([exe, *args], cwd=cwd, capture_output=True, text=True, timeout=timeout)


def importing_evaluator() -> str:
    """The quickstart's evaluator as many evaluators are written: it imports the editable
    settings.py (its code runs in the evaluator's process) instead of reading them as data."""
    text = (EXAMPLES / "quickstart" / "evaluate.py").read_text()
    assert "settings = load_settings()" in text
    return text.replace("settings = load_settings()", "import settings  # noqa: E402")


def alive(pid: int) -> bool:
    """Whether `pid` runs (a zombie, dead but not reaped, does not count)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as fh:
        return fh.read().split(")")[-1].split()[0] != "Z"


def resumed_attempts(db: Path, experiments: int) -> tuple[str, dict[int, list[dict[str, object]]]]:
    """The latest run of the ledger at `db` after a kill and a resume, checked: the hash chain
    verifies, one terminal row per attempt, experiments 1..`experiments` each once, at most one
    keep each, every attempt but the last a crash, and no attempt left open. Returns the run id
    and each experiment's rows by attempt."""
    from agentos.ledger import Ledger

    ledger = Ledger(db)
    assert ledger.verify() == []
    run_id = ledger.latest_run() or ""
    rows = [dict(r) for r in ledger.rows(run_id) if r["kind"] == "experiment"]
    keys = [(r["id"], r["attempt"]) for r in rows]
    assert len(keys) == len(set(keys)), "two terminal rows for one attempt"
    finals: dict[int, list[dict[str, object]]] = {}
    for r in sorted(rows, key=lambda r: int(str(r["attempt"]))):
        finals.setdefault(int(str(r["id"])), []).append(r)
    assert sorted(finals) == list(range(1, experiments + 1)), "an experiment lost or one too many"
    for attempts in finals.values():
        statuses = [a["status"] for a in attempts]
        assert statuses.count("keep") <= 1
        assert all(s == "crash" for s in statuses[:-1]) and statuses[-1] != "crash", statuses
    assert ledger.open_attempts(run_id) == []
    return run_id, finals


def scripted_edits(repo: Path, path: str, edits: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Run agentos on `repo` with a scripted proposer making each (search, replace) edit of `path`
    in turn, one experiment each; the experiments' (status, reason)."""
    from agentos import runner
    from agentos.status import run_status

    lines = [json.dumps({"type": "proposal", "description": f"candidate {i}",
                         "edits": [{"path": path, "search": s, "replace": r}]})
             for i, (s, r) in enumerate(edits)]
    scenario = repo.parent / f"{repo.name}-scenario.jsonl"
    scenario.write_text("\n".join(lines) + "\n")
    runner.run(repo, runner.Overrides(budget=len(edits), provider=f"script:{scenario}"))
    return [(e["status"], e["reason"] or "") for e in run_status(repo)["experiments"]]
