"""Git plumbing for candidates: commits made without the user's index or worktree, snapshots made
from commits, and refs moved only by compare-and-swap.

agentos never runs checkout, reset, stash or clean in the user's repository. It writes objects
through git's own plumbing (so both object formats, SHA-1 and SHA-256, work), its own refs under
`refs/agentos/`, and at the end the branch `agentos/<run>`.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
import weakref
from collections import OrderedDict
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import NamedTuple

import git as gitpython

from agentos.errors import UserError
from agentos.git.objects import ObjectReader
from agentos.git.refs import RefWriter

_IDENTITY = {
    "GIT_AUTHOR_NAME": "agentos",
    "GIT_AUTHOR_EMAIL": "agentos@localhost",
    "GIT_COMMITTER_NAME": "agentos",
    "GIT_COMMITTER_EMAIL": "agentos@localhost",
}


def copy_to_new_repo(source: Path, work: Path, message: str) -> Repo:
    """A new one-commit repository at `work` holding a copy of the folder `source` (symbolic
    links copied as links)."""
    shutil.copytree(source, work, symlinks=True)
    env = _git_env()
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", message]):
        subprocess.run(["git", "-C", str(work), *args], check=True, capture_output=True, env=env)
    return Repo(work)


def _git_env() -> dict[str, str]:
    """The environment agentos runs git in: its own identity, no prompt, the default index."""
    env = {**os.environ, **_IDENTITY, "GIT_TERMINAL_PROMPT": "0"}
    env.pop("GIT_INDEX_FILE", None)
    return env


class RefConflict(Exception):
    """A compare-and-swap ref update lost: someone else moved the ref."""


class Entry(NamedTuple):
    """One file of a commit (a tuple: thousands are compared per experiment, at C speed)."""

    mode: str
    blob: str


class Repo:
    """A user's repository, opened after the checks that make it safe to work beside."""

    def __init__(self, path: Path | str):
        path = Path(path).resolve()
        try:
            repo = gitpython.Repo(path, search_parent_directories=True)
        except (gitpython.InvalidGitRepositoryError, gitpython.NoSuchPathError) as exc:
            raise UserError(
                "not a git repository", path=path, fix="run agentos inside a git repo (git init)"
            ) from exc
        if repo.bare:
            raise UserError(
                "bare repository", path=path, fix="run agentos in a clone with a worktree"
            )
        self.root = Path(repo.working_tree_dir or path)
        self.git_dir = Path(repo.git_dir)
        self._repo = repo
        self._env = _git_env()
        self._entries: OrderedDict[str, dict[str, Entry]] = OrderedDict()
        self._refs = RefWriter(self.root, self._env)
        self._reader = ObjectReader(self.root, self._env)
        weakref.finalize(self, self._refs.close)
        weakref.finalize(self, self._reader.close)
        self.check_state()
        # "sha1" or "sha256": every object id, blob ids of files on disk included, is in it
        self.object_format = self.git("rev-parse", "--show-object-format").decode().strip()
        self.zero = "0" * (64 if self.object_format == "sha256" else 40)  # no git call needed

    def check_state(self) -> None:
        """Refuse repositories mid-operation: agentos must not build on half-finished history."""
        for marker, what in (
            ("rebase-merge", "a rebase"),
            ("rebase-apply", "a rebase or am"),
            ("MERGE_HEAD", "a merge"),
            ("CHERRY_PICK_HEAD", "a cherry-pick"),
            ("REVERT_HEAD", "a revert"),
        ):
            if (self.git_dir / marker).exists():
                raise UserError(
                    f"the repository is in the middle of {what}",
                    path=self.root,
                    fix="finish or abort it first (git status says how)",
                )
        if (self.git_dir / "index.lock").exists():
            raise UserError(
                "a stale .git/index.lock exists",
                path=self.git_dir / "index.lock",
                fix="make sure no git process runs, then delete the lock file",
            )
        if self.rev("HEAD") is None:
            raise UserError(
                "the repository has no commits", path=self.root, fix="commit once first"
            )

    def git(
        self, *args: str, input: bytes | None = None, env: Mapping[str, str] | None = None
    ) -> bytes:
        """Run git with argv (no shell); raise RuntimeError with git's message on failure."""
        proc = subprocess.run(
            ["git", "-C", str(self.root), *args],
            input=input,
            capture_output=True,
            env={**self._env, **(env or {})},
            check=False,
        )
        if proc.returncode != 0:
            msg = proc.stderr.decode(errors="replace").strip()
            raise RuntimeError(f"git {args[0]} failed: {msg}")
        return proc.stdout

    def ignored(self, path: str) -> bool:
        """Whether git ignores the working-tree path `path` (so no commit of it holds the file)."""
        try:
            return bool(self.git("check-ignore", "--", path).strip())
        except RuntimeError:  # exit 1: not ignored
            return False

    def rev(self, name: str) -> str | None:
        try:
            return self.git("rev-parse", "--verify", "--quiet", name + "^{commit}").decode().strip()
        except RuntimeError:
            return None

    def entries(self, commit: str) -> dict[str, Entry]:
        """Every file of a commit: path to (mode, blob id). Commits are immutable: cached."""
        cached = self._entries.get(commit)
        if cached is not None:
            self._entries.move_to_end(commit)
            return cached
        out = self.git("ls-tree", "-r", "-z", "--full-tree", commit)
        entries: dict[str, Entry] = {}
        for record in out.split(b"\0"):
            if not record:
                continue
            meta, _, path = record.partition(b"\t")
            mode, kind, blob = meta.decode().split(" ")
            if kind == "blob":
                entries[path.decode("utf-8", "surrogateescape")] = Entry(mode, blob)
        if len(commit) == len(self.zero):
            self._cache(commit, entries)
        return entries

    def _cache(self, commit: str, entries: dict[str, Entry]) -> None:
        self._entries[commit] = entries
        while len(self._entries) > 32:
            self._entries.popitem(last=False)

    def read(self, commit: str, path: str) -> bytes:
        return self.read_many(commit, [path])[path]

    def read_many(self, commit: str, paths: list[str]) -> dict[str, bytes]:
        """Read several files of a commit through the object reader (no new process)."""
        if not paths:
            return {}
        entries = self.entries(commit)
        return {p: self._object(entries[p].blob) for p in paths if p in entries}

    def _object(self, oid: str) -> bytes:
        """An object's contents, read by git (`cat-file --batch`), in either object format."""
        try:
            return self._reader.read(oid)[1]
        except KeyError:
            raise RuntimeError(f"git cat-file: object {oid} is missing") from None

    def commit_files(self, parent: str, changes: Mapping[str, bytes | None], message: str) -> str:
        """Make a commit from `parent` with `changes` (path to new bytes, or None to delete).

        git's plumbing writes it (`hash-object`, `read-tree` and `update-index` into a throwaway
        index, `write-tree`, `commit-tree`), in the repository's object format: the user's index
        and worktree are never read or written.
        """
        entries = dict(self.entries(parent))
        with tempfile.TemporaryDirectory(prefix="agentos-commit-") as tmp:
            env = {"GIT_INDEX_FILE": os.path.join(tmp, "index")}
            written = [(p, d) for p, d in changes.items() if d is not None]
            blobs = self._hash_objects(Path(tmp), [d for _, d in written])
            lines: list[str] = []
            for (path, _), blob in zip(written, blobs, strict=True):
                old = entries.get(path)
                entries[path] = Entry(old.mode if old else "100644", blob)
                lines.append(f"{entries[path].mode} {blob}\t{path}")
            for path in (p for p, d in changes.items() if d is None):
                entries.pop(path, None)
                lines.append(f"0 {self.zero}\t{path}")
            self.git("read-tree", parent, env=env)
            text = "".join(line + "\n" for line in lines)
            self.git("update-index", "--add", "--replace", "--index-info",
                     input=text.encode("utf-8", "surrogateescape"), env=env)
            tree = self.git("write-tree", env=env).decode().strip()
        commit = self._commit_tree(tree, parent, message)
        self._cache(commit, entries)
        return commit

    def _commit_tree(self, tree: str, parent: str, message: str) -> str:
        body = message.encode("utf-8", "replace") + b"\n"
        out = self.git("commit-tree", "--no-gpg-sign", tree, "-p", parent, "-F", "-", input=body)
        return out.decode().strip()

    def commit_patch(self, parent: str, patch: str, message: str) -> str:
        """Make a commit from `parent` with a unified diff applied (`git apply --cached` on a
        throwaway index; the user's index and worktree untouched). RuntimeError with git's
        message when the patch does not apply."""
        with tempfile.TemporaryDirectory(prefix="agentos-commit-") as tmp:
            env = {"GIT_INDEX_FILE": os.path.join(tmp, "index")}
            self.git("read-tree", parent, env=env)
            self.git("apply", "--cached", "--whitespace=nowarn", "-", input=patch.encode(),
                     env=env)
            tree = self.git("write-tree", env=env).decode().strip()
        return self._commit_tree(tree, parent, message)

    def _hash_objects(self, tmp: Path, contents: list[bytes]) -> list[str]:
        """Write blobs with one `git hash-object -w` (no filters: the bytes are the blob)."""
        if not contents:
            return []
        paths = []
        for i, data in enumerate(contents):
            path = tmp / f"blob{i}"
            path.write_bytes(data)
            paths.append(str(path))
        out = self.git(
            "hash-object", "-w", "--no-filters", "--stdin-paths",
            input="".join(p + "\n" for p in paths).encode(),
        )
        return out.decode().split()

    def git_tree_id(self, commit: str) -> str:
        header = self._object(commit).split(b"\n", 1)[0]  # a commit starts with "tree <id>"
        return header.removeprefix(b"tree ").decode()

    def update_ref(self, ref: str, new: str, old: str | None) -> None:
        """Move `ref` to `new` only if it still points at `old` (None: only if it is absent)."""
        try:
            self._refs.update(ref, new, old or self.zero)
        except RuntimeError as exc:
            raise RefConflict(f"{ref} moved under agentos: {exc}") from exc

    def set_ref(self, ref: str, new: str) -> None:
        """Point `ref` at `new` whatever it held (agentos' own per-experiment refs)."""
        self._refs.update(ref, new, None)

    def snapshot(self, commit: str, dest: Path, entries: Mapping[str, Entry] | None = None) -> None:
        """Write the files of `commit` into the empty directory `dest` (no .git, nothing ignored).

        Symlinks whose target leaves the tree are refused before anything is written.
        """
        entries = entries if entries is not None else self.entries(commit)
        links = [p for p, e in entries.items() if e.mode == "120000"]
        for path, target in self.read_many(commit, links).items():
            resolved = PurePosixPath(path).parent / target.decode("utf-8", "surrogateescape")
            if target.startswith(b"/") or ".." in _normalize(resolved).parts[:1]:
                raise UserError(
                    f"symlink {path!r} points outside the tree",
                    path=self.root,
                    fix="replace it with a regular file or a link inside the repository; one "
                    f"that should not be committed (a virtualenv's link): `git rm --cached "
                    f"{path}`, and ignore it as `{path}` (`{path}/` matches no link)",
                )
        archive = subprocess.Popen(
            [
                "git",
                "-C",
                str(self.root),
                "archive",
                "--format=tar",
                commit,
                "--",
                ".",
                *(f":(exclude,glob){p}" for p in BYTECODE_GLOBS),
            ],
            stdout=subprocess.PIPE,
            env=self._env,
        )
        tar = subprocess.run(
            ["tar", "-x", "-C", str(dest)], stdin=archive.stdout, check=False, capture_output=True
        )
        assert archive.stdout is not None
        archive.stdout.close()
        if archive.wait() != 0 or tar.returncode != 0:
            raise RuntimeError(
                f"snapshot of {commit} failed: {tar.stderr.decode(errors='replace')}"
            )


def _normalize(path: PurePosixPath) -> PurePosixPath:
    parts: list[str] = []
    for part in path.parts:
        if part == "..":
            if parts and parts[-1] != "..":
                parts.pop()
            else:
                parts.append("..")
        elif part != ".":
            parts.append(part)
    return PurePosixPath(*parts) if parts else PurePosixPath(".")


# Compiled bytecode never reaches a snapshot, committed or not: it could stand in for its source.
BYTECODE_GLOBS = ("**/__pycache__/**", "**/*.pyc", "**/*.pyo")


def is_bytecode(path: str) -> bool:
    return (
        path.endswith((".pyc", ".pyo"))
        or path.startswith("__pycache__/")
        or "/__pycache__/" in path
    )


def snapshot_entries(entries: Mapping[str, Entry]) -> dict[str, Entry]:
    """The files a snapshot of these entries holds: all but compiled bytecode."""
    return {p: e for p, e in entries.items() if not is_bytecode(p)}


def blob_id(data: bytes, object_format: str = "sha1") -> str:
    """The git blob id of `data` in `object_format` ("sha1" or "sha256"), as `git hash-object`
    computes it."""
    h = hashlib.new(object_format, usedforsecurity=False)
    h.update(b"blob %d\0" % len(data))
    h.update(data)
    return h.hexdigest()


def file_blob_id(path: Path, object_format: str = "sha1") -> str:
    """The git blob id of the file at `path` read in chunks, whatever its size (a symlink: of its
    target text, never followed)."""
    if path.is_symlink():
        return blob_id(os.readlink(path).encode("utf-8", "surrogateescape"), object_format)
    with open(path, "rb") as fh:
        h = hashlib.new(object_format, usedforsecurity=False)
        h.update(b"blob %d\0" % os.fstat(fh.fileno()).st_size)
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()
