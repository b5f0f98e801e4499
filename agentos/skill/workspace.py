"""Where tune-skills works: the user's git repository, or a scratch one holding a copy of a
folder outside any repository; and the one branch it writes the accepted rewrites on."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from agentos.errors import UserError
from agentos.git import Repo, copy_to_new_repo


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
    return copy_to_new_repo(folder, scratch / "skills", "skills to tune")


def protected_evals(top: Path, folder: Path, work: Path, evals: Path) -> tuple[str, ...]:
    """The eval set, repository-relative, when it lies inside the repository (or inside the
    skills folder that a scratch repository copied to `work`)."""
    if evals.is_relative_to(folder):
        evals = work / evals.relative_to(folder)
    if evals.is_relative_to(top) and evals.is_file():
        return (evals.relative_to(top).as_posix(),)
    return ()


def write_branch(
    repo: Repo, files: Mapping[str, bytes], branch: str, run_id: str, accepted: Sequence[str]
) -> str:
    """Commit `files` (repository-relative paths to contents) on HEAD into `branch` (plumbing,
    compare-and-swap)."""
    head = repo.rev("HEAD")
    assert head is not None
    message = f"agentos tune-skills {run_id}\n\n" + "\n".join(accepted)
    commit = repo.commit_files(head, files, message)
    ref = f"refs/heads/{branch}"
    repo.update_ref(ref, commit, repo.rev(ref))
    return commit
