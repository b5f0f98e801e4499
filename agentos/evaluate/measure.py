"""Measuring one commit: snapshot it from git, verify its bytes, evaluate, verify again.

What ran is what was committed, or the measurement is `invalid` with the reason: a drift before the
run, a drift during it, or a file the process read whose bytes differ from the commit.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import shutil
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from agentos.evaluate.evaluator import Evaluation, Evaluator
from agentos.git import Repo, file_blob_id, snapshot_entries
from agentos.integrity import Stat, drift, scan_tree, tree_digest, tree_unchanged
from agentos.scratch import scratch
from agentos.task import Task

# Snapshots are throwaway: on tmpfs they cost no disk writeback. Used when it has this much room.
_SHM = Path("/dev/shm")
_SHM_MIN_FREE = 2 << 30


def snapshot_root() -> str:
    """Where snapshots are made: `$AGENTOS_SNAPSHOT_DIR`, else /dev/shm when it is a writable
    tmpfs with room, else the system temporary directory."""
    chosen = os.environ.get("AGENTOS_SNAPSHOT_DIR")
    if chosen:
        return chosen
    try:
        if os.access(_SHM, os.W_OK) and shutil.disk_usage(_SHM).free >= _SHM_MIN_FREE:
            return str(_SHM)
    except OSError:
        pass
    return tempfile.gettempdir()


@dataclass(frozen=True)
class Measurement:
    evaluation: Evaluation
    tree_before: str
    tree_after: str
    timings: dict[str, float] = field(default_factory=dict)


def measure(repo: Repo, commit: str, evaluator: Evaluator) -> Measurement:
    """Snapshot `commit` into a fresh directory, evaluate it, check the tree before and after."""
    t0 = time.monotonic()
    entries = snapshot_entries(repo.entries(commit))
    with scratch("snap", dir=snapshot_root(), later=True) as root:
        tree = root / "tree"
        tree.mkdir()
        repo.snapshot(commit, tree, entries)
        timings = {"snapshot": time.monotonic() - t0}
        blobs = {p: e.blob for p, e in entries.items()}
        return measure_tree(tree, commit, blobs, evaluator, timings, repo.object_format)


def measure_tree(
    tree: Path,
    commit: str,
    blobs: Mapping[str, str],
    evaluator: Evaluator,
    timings: dict[str, float] | None = None,
    object_format: str = "sha1",
) -> Measurement:
    """Evaluate the snapshot at `tree`, whose files must be exactly `blobs` (path to git object
    id in `object_format`) before and after the run; wherever the snapshot was made (here, or from
    bytes on a worker)."""
    timings = dict(timings or {})
    t1 = time.monotonic()
    stats: dict[str, Stat] = {}
    found = scan_tree(tree, stats, object_format)
    before = tree_digest(found)
    timings["hash"] = time.monotonic() - t1
    if found != blobs:
        reason = f"tree drift before the run: {', '.join(drift(blobs, found)[:5])}"
        return Measurement(_invalid(reason), before, before, timings)
    t2 = time.monotonic()
    evaluation = evaluator.evaluate(tree, commit)
    timings["evaluate"] = time.monotonic() - t2
    t3 = time.monotonic()
    after, found_after = before, found
    if not tree_unchanged(tree, stats):  # something was written: hash again to name it
        found_after = scan_tree(tree, object_format=object_format)
        after = tree_digest(found_after)
    timings["hash"] += time.monotonic() - t3
    if found_after != blobs:
        reason = f"tree drift during the run: {', '.join(drift(blobs, found_after)[:5])}"
        return Measurement(_invalid(reason, evaluation.log_tail), before, after, timings)
    if evaluation.reads is not None:
        reads = evaluation.reads.items()
        committed = _audit_ids(object_format, blobs, tree, evaluation.reads)
        wrong = sorted(p for p, b in reads if p in committed and committed[p] != b)
        if wrong:
            reason = f"the run read bytes that differ from the commit: {', '.join(wrong[:5])}"
            return Measurement(_invalid(reason, evaluation.log_tail), before, after, timings)
    return Measurement(evaluation, before, after, timings)


def unread_change(
    repo: Repo, task: Task, parent: str, commit: str, reads: Mapping[str, str] | None
) -> str | None:
    """Why a run of `commit` did not run its change to editable files since `parent`, or None.

    None when the reads are unknown (`None`: an evaluator that does not audit, or a metric command
    that is not Python, where no audited interpreter reported), when nothing editable changed, when
    the change only deletes files, or when the run read at least one changed file that exists.
    """
    if reads is None or not parent or parent == commit:
        return None
    before, after = repo.entries(parent), repo.entries(commit)
    changed = sorted(
        p
        for p, e in after.items()
        if (p not in before or before[p].blob != e.blob) and task.is_editable(p)
    )
    if not changed or any(p in reads for p in changed):
        return None
    more = f" (and {len(changed) - 3} more)" if len(changed) > 3 else ""
    return (
        f"changed {', '.join(changed[:3])}{more} but the run read none of the changed files: "
        "an installed copy may shadow them, or the metric never imports them"
    )


def proven(
    repo: Repo, task: Task, parent: str, commit: str, m: Measurement, who: str = ""
) -> Measurement:
    """`m`, or `m` made `invalid` when the run read none of the editable files its commit changed
    since `parent` (`unread_change`; `who` prefixes the reason). The run node, the batch's collect
    node and the forgery self-test all ask it: a measurement counts only if the change ran."""
    e = m.evaluation
    if e.status is not None or e.metric is None:
        return m
    why = unread_change(repo, task, parent, commit, e.reads)
    if why is None:
        return m
    invalid = dataclasses.replace(e, metric=None, status="invalid", reason=who + why)
    return dataclasses.replace(m, evaluation=invalid)


def _audit_ids(
    object_format: str, blobs: Mapping[str, str], tree: Path, reads: Mapping[str, str]
) -> dict[str, str]:
    """The committed files' ids in the read audit's format (SHA-1 blob ids). In a SHA-256
    repository they are hashed from the snapshot, whose bytes were just found equal to the
    commit's before and after the run."""
    if object_format == "sha1":
        return dict(blobs)
    return {p: file_blob_id(tree / p) for p in reads if p in blobs}


@contextlib.contextmanager
def snapshot_dir(repo: Repo, commit: str) -> Iterator[Path]:
    """A fresh snapshot of `commit` for read-only use (tool gates); removed afterwards."""
    with scratch("snap", dir=snapshot_root()) as root:
        tree = root / "tree"
        tree.mkdir()
        repo.snapshot(commit, tree)
        yield tree


def _invalid(reason: str, log_tail: str = "") -> Evaluation:
    return Evaluation(metric=None, status="invalid", reason=reason, log_tail=log_tail)
