"""Tree integrity: hash a snapshot's files as git does, see any write to it by its stats, name the
paths that differ from a commit, digest a listing, and list a snapshot's files (`walk`: the pins and
the tools list files with it).

`measure` hashes a fresh snapshot before a run (`scan_tree`, in the repository's object format,
to compare with the commit's blob ids), asks after the run whether anything changed
(`tree_unchanged`, stats only) and hashes again only when something did.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator, Mapping
from pathlib import Path

from agentos.git import blob_id

Stat = tuple[int, int, int, int]
# Hashed files get this mtime, so that a later write (which sets mtime to the present, whatever
# the clock's tick) cannot leave a file's stat as it was: git's "racy" case cannot arise.
_SENTINEL_NS = 1_000_000_007


def _files(
    root: str, cut: int, folders_seen: list[str] | None = None
) -> Iterator[tuple[str, os.DirEntry[str]]]:
    """Every non-directory entry below `root`, with its path relative to the top (one scandir per
    folder: the entry's type comes with it; a stack, not recursion, so deep trees cost no nested
    generators). Each folder's path is appended to `folders_seen` when given."""
    folders = [root]
    while folders:
        folder = folders.pop()
        if folders_seen is not None:
            folders_seen.append(folder)
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    folders.append(entry.path)
                else:
                    yield entry.path[cut:], entry


def scan_tree(
    root: Path, stats: dict[str, Stat] | None = None, object_format: str = "sha1"
) -> dict[str, str]:
    """Every file under `root`: relative path to git blob id (symlinks by their target text).

    With `stats`, also stamp each hashed file and, last, each folder with a sentinel mtime and
    record their (inode, size, mtime_ns, ctime_ns) (folders keyed `"sub/dir/"`, the top `"/"`),
    for `tree_unchanged` to compare after the run.
    """
    found: dict[str, str] = {}
    base = str(root)
    folders: list[str] = []
    for rel, entry in _files(base, len(base) + 1, folders):
        if entry.is_symlink():
            data = os.readlink(entry.path).encode("utf-8", "surrogateescape")
            st = entry.stat(follow_symlinks=False)
        else:
            with open(entry.path, "rb") as fh:
                data = fh.read()
                if stats is not None:
                    os.utime(fh.fileno(), ns=(_SENTINEL_NS, _SENTINEL_NS))
                st = os.fstat(fh.fileno())
        found[rel] = blob_id(data, object_format)
        if stats is not None:
            stats[rel] = (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
    if stats is not None:
        for folder in folders:  # a sentinel mtime here too: an entry made later changes it
            os.utime(folder, ns=(_SENTINEL_NS, _SENTINEL_NS), follow_symlinks=False)
            st = os.lstat(folder)
            stats[folder[len(base) + 1 :] + "/"] = (
                st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns
            )  # fmt: skip
    return found


def tree_unchanged(root: Path, stats: Mapping[str, Stat]) -> bool:
    """Whether every file and folder `scan_tree` recorded still has its stat. Any write to a
    file's bytes changes its ctime, which no process can set back; a file made, removed or renamed
    anywhere changes its folder's. So equal stats mean the same files with the same bytes."""
    base = str(root)
    for key, want in stats.items():
        try:
            st = os.lstat(f"{base}/{key}")
        except OSError:
            return False
        if (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns) != want:
            return False
    return True


def tree_digest(files: Mapping[str, str]) -> str:
    """A tagged digest of a file listing (path to blob id), order-independent."""
    h = hashlib.sha256()
    for path in sorted(files):
        h.update(path.encode("utf-8", "surrogateescape") + b"\0" + files[path].encode() + b"\n")
    return "sha256:" + h.hexdigest()


def drift(expected: Mapping[str, str], found: Mapping[str, str]) -> list[str]:
    """Paths whose bytes on disk differ from the commit's (path to object id), or that appeared
    or vanished."""
    bad = [p for p, blob in expected.items() if found.get(p) != blob]
    bad += [p for p in found if p not in expected]
    return sorted(bad)


def walk(tree: Path) -> list[str]:
    """Every file and symlink under `tree`, relative, sorted; `.git` is skipped, and a symlink to a
    folder is listed, never followed."""
    found = []
    for folder, dirs, files in os.walk(tree):
        dirs[:] = sorted(d for d in dirs if d != ".git")
        for name in files + [d for d in dirs if os.path.islink(os.path.join(folder, d))]:
            found.append(os.path.relpath(os.path.join(folder, name), tree).replace(os.sep, "/"))
    return sorted(found)
