"""Candidate commits written through git's plumbing are ones git itself accepts, in both object
formats (SHA-1 and SHA-256), and a whole run works in a SHA-256 repository."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from helpers import git, make_repo

from agentos.errors import UserError
from agentos.git import RefConflict, Repo, blob_id
from agentos.integrity import scan_tree


def _repo(tmp_path: Path, object_format: str = "sha1") -> Path:
    root = make_repo(
        tmp_path / "r",
        {
            "a.py": "A = 1\n",
            "pkg/deep/b.py": "B = 2\n",
            "pkg/c.txt": "c\n",
            "with space/ünï code.txt": "u\n",
        },
        object_format,
    )
    (root / "run.sh").write_text("echo hi\n")
    os.chmod(root / "run.sh", 0o755)
    git(root, "add", "run.sh")
    git(root, "commit", "-qm", "exec")
    return root


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return _repo(tmp_path)


@pytest.mark.parametrize("object_format", ["sha1", "sha256"])
def test_commit_files_matches_what_git_computes(tmp_path: Path, object_format: str) -> None:
    repo = _repo(tmp_path, object_format)
    r = Repo(repo)
    assert r.object_format == object_format
    head = r.rev("HEAD") or ""
    changes: dict[str, bytes | None] = {
        "pkg/deep/b.py": b"B = 3\n",
        "pkg/c.txt": None,
        "with space/ünï code.txt": b"v\n",
        "run.sh": b"echo bye\n",
        "new/dir/file.py": b"N = 0\n",
    }
    commit = r.commit_files(head, changes, "candidate")
    assert (
        subprocess.run(["git", "-C", str(repo), "fsck", "--strict"], capture_output=True).returncode
        == 0
    )
    assert git(repo, "rev-parse", f"{commit}^").strip() == head
    listing = git(repo, "ls-tree", "-r", "-z", commit).split("\0")
    modes = {line.split("\t")[1]: line.split(" ")[0] for line in listing if line}
    assert "pkg/c.txt" not in modes
    assert modes["run.sh"] == "100755"
    assert modes["new/dir/file.py"] == "100644"
    fresh = Repo(repo)  # no cache: entries from git itself
    for path, data in changes.items():
        if data is not None:
            assert fresh.entries(commit)[path].blob == blob_id(data, object_format)
            assert fresh.read(commit, path) == data
    assert r.entries(commit) == fresh.entries(commit)


def test_refs_move_only_by_compare_and_swap_and_a_refusal_does_not_stick(repo: Path) -> None:
    r = Repo(repo)
    head = r.rev("HEAD") or ""
    other = r.commit_files(head, {"a.py": b"A = 2\n"}, "other")
    r.update_ref("refs/agentos/t/best", head, None)
    with pytest.raises(RefConflict, match="refs/agentos/t/best"):
        r.update_ref("refs/agentos/t/best", other, None)  # it exists: creating it must fail
    with pytest.raises(RefConflict):
        r.update_ref("refs/agentos/t/best", other, other)  # it is not at `other`
    git(repo, "update-ref", "refs/agentos/t/best", other)  # moved behind agentos' back
    with pytest.raises(RefConflict):
        r.update_ref("refs/agentos/t/best", head, head)
    r.update_ref("refs/agentos/t/best", head, other)
    r.set_ref("refs/agentos/t/exp/1", other)
    r.set_ref("refs/agentos/t/exp/1", head)
    assert git(repo, "rev-parse", "refs/agentos/t/best").strip() == head
    assert git(repo, "rev-parse", "refs/agentos/t/exp/1").strip() == head


def test_objects_in_a_pack_are_read_like_loose_ones(repo: Path) -> None:
    r = Repo(repo)
    head = r.rev("HEAD") or ""
    commit = r.commit_files(head, {"a.py": b"A = 7\n"}, "packed")
    git(repo, "update-ref", "refs/heads/keep", commit)
    git(repo, "gc", "-q", "--prune=now")
    assert not list((repo / ".git" / "objects").glob("??/*"))  # everything is packed now
    fresh = Repo(repo)
    assert fresh.read(commit, "a.py") == b"A = 7\n"
    again = fresh.commit_files(commit, {"pkg/deep/b.py": b"B = 9\n"}, "on a packed parent")
    assert fresh.read(again, "a.py") == b"A = 7\n"
    assert fresh.read(again, "pkg/deep/b.py") == b"B = 9\n"


def test_deleting_every_file_of_a_folder_removes_the_folder(repo: Path) -> None:
    r = Repo(repo)
    commit = r.commit_files(r.rev("HEAD") or "", {"pkg/deep/b.py": None}, "drop")
    assert "pkg/deep" not in git(repo, "ls-tree", "-r", "-d", "--name-only", commit).split()


def test_snapshot_holds_exactly_the_commit_and_hashes_agree(repo: Path, tmp_path: Path) -> None:
    r = Repo(repo)
    (repo / "ignored.pyc").write_bytes(b"stale")
    dest = tmp_path / "snap"
    dest.mkdir()
    head = r.rev("HEAD") or ""
    r.snapshot(head, dest)
    assert scan_tree(dest) == {p: e.blob for p, e in r.entries(head).items()}


def test_a_symlink_pointing_outside_is_refused(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "s", {"a.py": "A = 1\n"})
    os.symlink("../../etc/passwd", root / "link")
    git(root, "add", "link")
    git(root, "commit", "-qm", "link")
    dest = tmp_path / "snap"
    dest.mkdir()
    with pytest.raises(UserError, match="points outside") as refused:
        Repo(root).snapshot("HEAD", dest)
    assert list(dest.iterdir()) == []
    # a link committed by mistake (a virtualenv's) is named with how to untrack and ignore it
    assert "`git rm --cached link`" in str(refused.value.fix)
    assert "`link/` matches no link" in str(refused.value.fix)


def test_a_same_size_rewrite_right_after_hashing_changes_the_stat(tmp_path: Path) -> None:
    from agentos.integrity import Stat, tree_unchanged

    (tmp_path / "settings.py").write_text("X = 1\n")
    stats: dict[str, Stat] = {}
    scan_tree(tmp_path, stats)
    assert tree_unchanged(tmp_path, stats)
    (tmp_path / "settings.py").write_text("X = 2\n")  # same size, same clock tick
    assert not tree_unchanged(tmp_path, stats)


@pytest.mark.parametrize(
    "change",
    ["add top", "add deep", "add folder", "add then remove", "remove", "rename", "symlink"],
)
def test_any_file_made_removed_or_renamed_anywhere_is_seen(tmp_path: Path, change: str) -> None:
    from agentos.integrity import Stat, tree_unchanged

    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "top.py").write_text("T = 1\n")
    (tmp_path / "a" / "b" / "deep.py").write_text("D = 1\n")
    stats: dict[str, Stat] = {}
    scan_tree(tmp_path, stats)
    assert tree_unchanged(tmp_path, stats)
    deep = tmp_path / "a" / "b"
    if change == "add top":
        (tmp_path / "new.py").write_text("")
    elif change == "add deep":
        (deep / "new.py").write_text("")
    elif change == "add folder":
        (deep / "sub").mkdir()
    elif change == "add then remove":
        (deep / "tmp.txt").write_text("x")
        (deep / "tmp.txt").unlink()
    elif change == "remove":
        (deep / "deep.py").unlink()
    elif change == "rename":
        (deep / "deep.py").rename(deep / "moved.py")
    else:
        (deep / "link").symlink_to("deep.py")
    assert not tree_unchanged(tmp_path, stats)


def test_a_sha256_repository_runs_end_to_end(tmp_path: Path) -> None:
    from helpers import EXAMPLES, quickstart_copy

    from agentos import runner
    from agentos.status import run_status

    toml = (EXAMPLES / "quickstart" / "agentos.toml").read_text()
    gated = toml.replace('gates = ["data-only"]', 'gates = ["data-only", "integrity"]')
    assert gated != toml  # the run's pins are checked by a tool too, not only by the gates node
    root = quickstart_copy(tmp_path / "q", {"agentos.toml": gated}, object_format="sha256")
    head = git(root, "rev-parse", "HEAD").strip()
    assert len(head) == 64
    summary = runner.run(root, runner.Overrides(budget=6, sandbox="local"))
    experiments = run_status(root)["experiments"]
    assert len(experiments) == 6
    assert all(e["status"] in {"keep", "discard"} for e in experiments), experiments
    assert summary.baseline is not None and summary.best is not None
    assert summary.best_commit is not None and len(summary.best_commit) == 64
    assert git(root, "rev-parse", f"agentos/{summary.run_id}").strip() == summary.best_commit
    fsck = subprocess.run(["git", "-C", str(root), "fsck", "--strict"], capture_output=True)
    assert fsck.returncode == 0, fsck.stderr
    assert git(root, "rev-parse", "HEAD").strip() == head  # the user's branch is untouched
