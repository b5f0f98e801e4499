"""Git, through git itself: commits made without the user's index or worktree, snapshots made from
commits, and refs moved only by compare-and-swap.

- `repo`: `Repo`, the plumbing (objects written by `hash-object`, `update-index`, `write-tree` and
  `commit-tree` on a throwaway index, so SHA-1 and SHA-256 repositories both work).
- `objects`: one `cat-file --batch` session that reads objects.
- `refs`: `update-ref --stdin` transactions (compare-and-swap).
"""

from agentos.git.repo import (
    BYTECODE_GLOBS,
    Entry,
    RefConflict,
    Repo,
    blob_id,
    copy_to_new_repo,
    file_blob_id,
    is_bytecode,
    snapshot_entries,
)

__all__ = [
    "BYTECODE_GLOBS",
    "Entry",
    "RefConflict",
    "Repo",
    "blob_id",
    "copy_to_new_repo",
    "file_blob_id",
    "is_bytecode",
    "snapshot_entries",
]
