"""The orchestrator's side of the read audit: the channel, the hook's site directory, the records.

`open_channel` makes a FIFO and a directory holding the hook (`audit_hook.py` copied as
`sitecustomize.py`, and the forgery guard it imports, `audit_guard.py`, both read-only); the
backend binds that directory read-only into the sandbox and puts the directory first on
`PYTHONPATH` (bind-mounted read-only where the backend has mounts). `collect`
parses what came back into `{snapshot-relative path: git blob id}` and lists every sign that the
channel was tampered with, each of which the caller must treat as making the run `invalid`. With
the forgery guard (`GUARD_ENV` in the request's env), `finish` also returns what editable code did
to the result as `RunResult.forgeries` (docs/forgery.md).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import stat
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from agentos.sandbox.base import RunRequest, RunResult
from agentos.sandbox.supervise import Outcome, looks_oom, to_result

HOOK = Path(__file__).with_name("audit_hook.py")
GUARD = Path(__file__).with_name("audit_guard.py")
# A request whose env sets GUARD_ENV (a regex over snapshot-relative paths: the editable files) runs
# with the forgery guard; METRIC_ENV, the metric's regex, has it check who printed the metric line.
GUARD_ENV = "AGENTOS_EDITABLE"
METRIC_ENV = "AGENTOS_METRIC_LINE"
TAMPERED_EXIT = 86
_RECORD = re.compile(r"(?:S (\d+)|R (\d+) ((?:[0-9a-f]{2})+) ([0-9a-f]{40}))")
_GUARD = re.compile(r"([AME]) (\d+)(?: ((?:[0-9a-f]{2})*))?")


@dataclass(frozen=True)
class Channel:
    """One run's audit FIFO and hook directory; `env` goes into the sandbox's environment.

    The orchestrator holds `read_fd` and also `keep_fd`, a write end that keeps the FIFO from
    reporting end-of-file between one audited interpreter and the next.
    """

    read_fd: int
    keep_fd: int
    site_dir: Path
    env: Mapping[str, str] = field(default_factory=dict)

    def close(self) -> None:
        for fd in (self.read_fd, self.keep_fd):
            with contextlib.suppress(OSError):
                os.close(fd)


def open_channel(site_dir: Path, *, tree: str, site_path: str | None = None) -> Channel:
    """Create the hook directory and its FIFO; `tree` and `site_path` as the sandbox sees them.

    A FIFO on a read-only mount can still be written, but it cannot be replaced or removed there.
    """
    site_dir.mkdir(mode=0o755)
    for source, name in ((HOOK, "sitecustomize.py"), (GUARD, "agentos_audit_guard.py")):
        shutil.copyfile(source, site_dir / name)
        os.chmod(site_dir / name, 0o444)
    fifo = site_dir / "channel"
    os.mkfifo(fifo, 0o622)
    os.chmod(fifo, 0o622)
    os.chmod(site_dir, 0o555)
    read_fd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    keep_fd = os.open(fifo, os.O_WRONLY | os.O_CLOEXEC)
    inside = site_path or str(site_dir)
    env = {
        "AGENTOS_AUDIT": f"{os.fstat(read_fd).st_ino}:{inside}/channel",
        "AGENTOS_AUDIT_ROOT": tree,
        "PYTHONPATH": inside,
    }
    return Channel(read_fd=read_fd, keep_fd=keep_fd, site_dir=site_dir, env=env)


def blob_id(data: bytes) -> str:
    """Git's blob id of `data` (what `git hash-object` prints)."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


@dataclass(frozen=True)
class Reads:
    """What the audit found: the files read, how many interpreters reported, what looked wrong."""

    files: Mapping[str, str]
    interpreters: int
    problems: tuple[str, ...]
    forgeries: tuple[str, ...] = ()
    metric_lines: frozenset[str] = frozenset()
    first: int | None = None
    ended: frozenset[int] = frozenset()


def collect(outcome: Outcome, tree: Path, work: Path | None = None) -> Reads:
    """Parse the records and check each reported blob against the snapshot's bytes now.

    With `work` (the run's writable copy of the snapshot), a file the snapshot lacks but the copy
    holds was made by the run itself: its reads are kept, unchecked. A committed file is always
    checked, so a run that rewrote one and read it back is caught."""
    files: dict[str, str] = {}
    problems: list[str] = []
    starts = 0
    if outcome.audit_truncated:
        problems.append("audit channel overflowed")
    if outcome.returncode == TAMPERED_EXIT:
        problems.append("an audited interpreter found its channel closed or replaced")
    forgeries: list[str] = []
    lines: set[str] = set()
    ended: set[int] = set()
    first: int | None = None
    for line in outcome.audit.decode("ascii", "replace").splitlines():
        guard = _GUARD.fullmatch(line)
        if guard is not None:
            kind, text = guard.group(1), _text(guard.group(3) or "")
            if kind == "A" and text not in forgeries:
                forgeries.append(text)
            elif kind == "M":
                lines.add(text)
            elif kind == "E":
                ended.add(int(guard.group(2)))
            continue
        match = _RECORD.fullmatch(line)
        if match is None:
            problems.append(f"malformed audit record {line[:80]!r}")
            continue
        if match.group(1):
            starts += 1
            first = int(match.group(1)) if first is None else first
            continue
        rel, blob = bytes.fromhex(match.group(3)).decode("utf-8", "surrogateescape"), match.group(4)
        if os.path.isabs(rel) or os.path.normpath(rel) != rel or rel.startswith(".."):
            problems.append(f"audit record names a path outside the snapshot: {rel[:80]!r}")
            continue
        if files.setdefault(rel, blob) != blob:
            problems.append(f"{rel} was read with two different contents")
    root = tree.resolve()
    for rel, blob in files.items():
        if work is not None and not os.path.lexists(root / rel) and (work / rel).is_file():
            continue
        actual = _snapshot_blob(root, rel)
        if actual != blob:
            problems.append(f"{rel}: the audit reports blob {blob}, the snapshot holds {actual}")
    return Reads(files=files, interpreters=starts, problems=tuple(problems),
                 forgeries=tuple(forgeries), metric_lines=frozenset(lines), first=first,
                 ended=frozenset(ended))


def _text(hexed: str) -> str:
    return bytes.fromhex(hexed).decode("utf-8", "replace")


def forgeries(reads: Reads, outcome: Outcome, metric_line: str | None) -> tuple[str, ...]:
    """What the guard saw editable code do to the result, with the two checks made here: a run
    that exited 0 must have ended through the first interpreter's orderly exit (no `os._exit`, no
    signal), and every stdout line matching `metric_line` must have been printed by code outside
    the editable files through the `sys.stdout` the guard watches."""
    found = [f"editable code: {text}" for text in reads.forgeries]
    if outcome.returncode != 0 or outcome.timed_out or reads.first is None:
        return tuple(found)
    if reads.first not in reads.ended:
        found.append("the evaluator's interpreter exited without running its exit handlers "
                     "(os._exit or a signal): its result is not the evaluator's")
    if metric_line is not None:
        stdout = outcome.stdout.decode("utf-8", "replace")
        for match in re.finditer(metric_line, stdout, flags=re.MULTILINE):
            start = stdout.rfind("\n", 0, match.start()) + 1
            end = stdout.find("\n", match.start())
            line = stdout[start : end if end >= 0 else len(stdout)]
            if line not in reads.metric_lines:
                found.append(f"the metric line {line[:120]!r} was not printed by the evaluator's "
                             "code through sys.stdout")
    return tuple(found)


def _snapshot_blob(root: Path, rel: str) -> str | None:
    """The blob id of a regular file under `root`, never following a symlink or opening a FIFO."""
    path = root / rel
    if path.resolve() != path or not path.is_relative_to(root):
        return None
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        with os.fdopen(os.dup(fd), "rb") as fh:
            return blob_id(fh.read())
    finally:
        os.close(fd)


def _is_python(argv: Sequence[str]) -> bool:
    return bool(argv) and os.path.basename(argv[0]).startswith("python")


def finish(outcome: Outcome, request: RunRequest, *, cgroup_oom: bool = False) -> RunResult:
    """Turn what the supervisor saw into the contract's result, with the audit when asked for."""
    oom = looks_oom(outcome, request.limits, cgroup_oom=cgroup_oom)
    if not request.audit:
        return to_result(outcome, oom=oom)
    reads = collect(outcome, request.tree, request.work)
    problems = reads.problems
    if reads.interpreters == 0 and _is_python(request.argv):
        # A Python command that reported nothing evaded the hook (-I, -E, a scrubbed env). A
        # command that is not Python (sh, a binary) has nothing to report: its reads are unseen,
        # which docs/sandboxes.md states; the tree hashes before and after still hold.
        problems += ("no audited Python interpreter reported (was it started with -I or -E?)",)
    # with no interpreter reporting, what the command read is unknown (None), not nothing ({})
    files = reads.files if reads.interpreters or reads.files else None
    guarded = GUARD_ENV in request.env
    forged = forgeries(reads, outcome, request.env.get(METRIC_ENV)) if guarded else ()
    return to_result(outcome, oom=oom, reads=files, audit_problems=problems, forgeries=forged)
