"""`agentos tune-skills` on the states a user's folder is really in: an uncommitted edit is
refused before any work (the run measures HEAD), and a run whose baseline does not measure ends
with exit 1 and no branch."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import git
from skill_helpers import write_skills

from agentos.cli.main import main
from agentos.providers.base import ProviderError
from agentos.skill import tune as tune_module
from agentos.skill.evals import EvalItem
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
