"""Where tune-skills works: the user's git repository, or a scratch one holding a copy of a
folder outside any repository; and the one branch it writes the accepted rewrites on."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

from agentos.errors import UserError
from agentos.git import Repo
from agentos.skill.model import Skill, render_skill


def repo_of(root: Path) -> Repo | None:
    """The git repository `root` lies in, or None outside any."""
    try:
        return Repo(root)
    except UserError as exc:
        if "not a git repository" not in str(exc):
            raise
        return None


def scratch_repo(folder: Path, scratch: Path) -> Repo:
    """A one-commit repository holding a copy of the skills folder (symlinks refused earlier)."""
    work = scratch / "skills"
    shutil.copytree(folder, work, symlinks=True)
    env = ["-c", "user.name=agentos", "-c", "user.email=agentos@localhost"]
    for args in (["init", "-q"], ["add", "-A"], [*env, "commit", "-qm", "skills to tune"]):
        subprocess.run(["git", "-C", str(work), *args], check=True, capture_output=True)
    return Repo(work)


def protected_evals(top: Path, folder: Path, work: Path, evals: Path) -> tuple[str, ...]:
    """The eval set, repository-relative, when it lies inside the repository (or inside the
    skills folder that a scratch repository copied to `work`)."""
    if evals.is_relative_to(folder):
        evals = work / evals.relative_to(folder)
    if evals.is_relative_to(top) and evals.is_file():
        return (evals.relative_to(top).as_posix(),)
    return ()


def write_branch(
    repo: Repo, changed: Sequence[Skill], branch: str, run_id: str, accepted: Sequence[str]
) -> str:
    """Commit the rewritten SKILL.md files on HEAD into `branch` (plumbing, compare-and-swap)."""
    head = repo.rev("HEAD")
    assert head is not None
    files = {
        s.path.resolve().relative_to(repo.root.resolve()).as_posix(): render_skill(s).encode()
        for s in changed
    }
    message = f"agentos tune-skills {run_id}\n\n" + "\n".join(accepted)
    commit = repo.commit_files(head, files, message)
    ref = f"refs/heads/{branch}"
    repo.update_ref(ref, commit, repo.rev(ref))
    return commit
