"""Integrity: what ran is what was committed, and protected files stay as they were pinned.

- `tree`: hash a snapshot as git does (`scan_tree`), see any write by its stats
  (`tree_unchanged`), name the paths that drifted from the commit (`drift`), digest a listing
  (`tree_digest`), list a snapshot's files (`walk`).
- `pins`: the protected files' `sha256:` pins, made once when a run starts (`Pins.of_commit`,
  written into the run's trusted folder), and the checks against them (`verify_commit` for a
  candidate commit, `Pins.verify_tree` for a snapshot on disk).
"""

from agentos.integrity.pins import PINS_FILE, Mismatch, Pins, digest, file_digest, verify_commit
from agentos.integrity.tree import Stat, drift, scan_tree, tree_digest, tree_unchanged, walk

__all__ = [
    "PINS_FILE",
    "Mismatch",
    "Pins",
    "Stat",
    "digest",
    "drift",
    "file_digest",
    "scan_tree",
    "tree_digest",
    "tree_unchanged",
    "verify_commit",
    "walk",
]
