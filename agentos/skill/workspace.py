"""Where tune-skills works: the user's git repository, or a scratch one holding a copy of a
folder outside any repository; the one branch it writes the accepted rewrites on; and the copy of
the folder with them (`--out`), for a folder outside git or a user who wants files."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from agentos.errors import UserError
from agentos.git import Repo, copy_to_new_repo, file_blob_id


def repo_of(root: Path) -> Repo | None:
    """The git repository `root` lies in, or None outside any."""
    try:
        return Repo(root)
    except UserError as exc:
        if "not a git repository" not in str(exc):
            raise
        return None


def refuse_uncommitted(repo: Repo, files: Sequence[Path]) -> None:
    """Refuse (one error naming the first file) when any of `files` differs from HEAD's copy or
    is not committed: a run measures and rewrites HEAD's text, never the working tree's."""
    head = repo.rev("HEAD")
    entries = repo.entries(head) if head is not None else {}
    top = repo.root.resolve()
    for path in files:
        entry = entries.get(path.resolve().relative_to(top).as_posix())
        if entry is None or entry.blob != file_blob_id(path, repo.object_format):
            state = "is not committed" if entry is None else "has uncommitted changes"
            stash = "git stash --include-untracked" if entry is None else "git stash"
            raise UserError(
                f"{state}; tune-skills tunes the skills as HEAD holds them",
                path=path,
                fix=f"commit or stash the change first ({stash}), then run again",
            )


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


def check_out(out: Path | str, folder: Path) -> Path:
    """The resolved output folder, refused (before any work) unless it is new or empty, its
    parent exists, and it neither holds nor lies inside the skills folder."""
    out = Path(out).resolve()
    if out.is_relative_to(folder) or folder.is_relative_to(out):
        raise UserError(
            "the output folder overlaps the skills folder", path=out, fix="pass --out outside PATH"
        )
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise UserError("exists and is not an empty folder", path=out, fix="pass a new --out")
    if not out.parent.is_dir():
        raise UserError("has no parent folder", path=out, fix="create its parent folder first")
    return out


def check_draft(path: Path | str, folder: Path) -> Path:
    """The resolved `--evals-out` file, refused before any work when it lies inside the skills
    folder, as `check_out` refuses `--out` there: it would be a stray file among the skills."""
    path = Path(path).resolve()
    if path.is_relative_to(folder):
        raise UserError(
            "the draft eval file is inside the skills folder",
            path=path,
            fix="pass --evals-out outside PATH, or leave it out (the draft goes beside PATH)",
        )
    return path


def write_out(folder: Path, out: Path, files: Mapping[str, bytes]) -> None:
    """Copy `folder` to `out` (without `.git` and `.agentos`) with `files` (folder-relative paths
    to contents) written over the copy. The copy is made beside `out` and renamed into place, so
    `out` ends whole or not at all; if the rename fails, the copy is left where it was made and
    the error names it."""
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    work = staging / "skills"
    try:
        ignore = shutil.ignore_patterns(".git", ".agentos")
        shutil.copytree(folder, work, symlinks=True, ignore=ignore)
        for rel, data in files.items():
            (work / rel).write_bytes(data)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    try:
        if out.exists():
            out.rmdir()  # found empty before the run
        work.rename(out)
    except OSError as exc:
        raise UserError(
            f"could not be written ({exc.strerror}); the tuned copy is in {work}",
            path=out,
            fix=f"move {work} to where you want it",
        ) from exc
    staging.rmdir()
