"""Executors: where measurements run when several run at once (docs/scale-out.md).

One small interface. The loop `submit`s a `Job` (a commit's files as bytes, the blob id each must
have, and the evaluator), `wait`s for whichever jobs finished, may `cancel` one, and `close`s the
executor at the end of the run. A worker writes the bytes into a fresh folder, checks every file
against its blob id before and after the run (`agentos.evaluate.measure_tree`), and sends back only
the `Measurement`, the report the loop trusts. `tests/conformance/executor.py` is the suite that any
executor passes.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Protocol

from agentos.evaluate import Evaluation, Evaluator, Measurement, measure_tree, snapshot_root
from agentos.git import Repo, snapshot_entries
from agentos.scratch import scratch


@dataclass(frozen=True)
class Job:
    """One measurement to run. `files` maps each path of the commit's snapshot to its git mode and
    bytes; `blobs` to the blob id its bytes must have (sent apart, so the worker checks one against
    the other). `key` is the caller's name for the job, unique among those in flight."""

    key: str
    commit: str
    files: dict[str, tuple[str, bytes]]
    blobs: dict[str, str]
    evaluator: Evaluator
    object_format: str = "sha1"  # the repository's: the ids in `blobs` are hashed its way


@dataclass(frozen=True)
class Done:
    """A finished job: its measurement, or `error` when the worker itself failed (it died, or was
    cancelled) and there is no measurement."""

    key: str
    measurement: Measurement | None
    error: str = ""
    devices: tuple[str, ...] | None = None


class Executor(Protocol):
    """Runs jobs, up to `capacity` at once (more wait in its queue)."""

    kind: str
    capacity: int
    startup_s: float  # how long starting it took (a local Ray: the cluster's start)

    def submit(self, job: Job) -> None:
        """Queue `job`; it starts as soon as a worker (and its GPUs) are free."""

    def wait(self, timeout: float | None = None) -> list[Done]:
        """The jobs that finished since the last call, in the order they finished; waits up to
        `timeout` seconds (None: without limit) for one when none has and any is in flight."""

    def pending(self) -> set[str]:
        """The keys of jobs submitted and not yet returned by `wait`."""

    def cancel(self, key: str) -> None:
        """Stop `key` (its process killed); `wait` returns it with an error."""

    def close(self) -> None:
        """Cancel whatever runs, release the workers (and a Ray started for the run)."""


def pack(repo: Repo, commit: str, evaluator: Evaluator, key: str) -> Job:
    """The job measuring `commit`: every file of its snapshot, read from the object store."""
    entries = snapshot_entries(repo.entries(commit))
    data = repo.read_many(commit, sorted(entries))
    files = {p: (entries[p].mode, data[p]) for p in entries}
    blobs = {p: e.blob for p, e in entries.items()}
    return Job(key, commit, files, blobs, evaluator, repo.object_format)


def unpack(files: dict[str, tuple[str, bytes]], dest: Path) -> None:
    """Write `files` under the empty folder `dest` (a symlink that leaves it is skipped, so the
    check against the blob ids names it)."""
    for path, (mode, data) in files.items():
        target = dest / path
        if PurePosixPath(path).is_absolute() or ".." in PurePosixPath(path).parts:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        if mode == "120000":
            link = data.decode("utf-8", "surrogateescape")
            inside = os.path.normpath(PurePosixPath(path).parent / link)
            if link.startswith("/") or inside.startswith(".."):
                continue
            os.symlink(link, target)
            continue
        target.write_bytes(data)
        if mode == "100755":
            target.chmod(0o755)


def run_job(job: Job) -> Measurement:
    """The worker's side: the snapshot from bytes, checked by hash before and after the run."""
    t0 = time.monotonic()
    with scratch("snap", dir=snapshot_root(), later=True) as root:
        tree = root / "tree"
        tree.mkdir()
        unpack(job.files, tree)
        timings = {"snapshot": time.monotonic() - t0}
        return measure_tree(
            tree, job.commit, job.blobs, job.evaluator, timings, job.object_format
        )


def lost(reason: str) -> Measurement:
    """The measurement of a job whose worker failed: a crash, with the reason."""
    return Measurement(Evaluation(metric=None, status="crash", reason=reason), "", "")
