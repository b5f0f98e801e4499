"""The read-audit hook, installed as `sitecustomize` in every audited Python interpreter.

Standard library only, valid in every CPython from 3.9 (the interpreter may be the repository's own,
not agentos'), and never imported by agentos itself: a backend copies this file, as
`sitecustomize.py`, into a directory the sandboxed process cannot write and puts that directory on
`PYTHONPATH`. `site` imports it before the script's own directory joins `sys.path`, so a
`sitecustomize.py` in the candidate's tree cannot take its place.

For every file under the snapshot that the interpreter opens for reading, it writes one record to
the audit FIFO, before the open returns: `R <pid> <path as hex> <git blob id>`. At start it writes
`S <pid>`. `AGENTOS_AUDIT` is `<FIFO inode>:<FIFO path>` and `AGENTOS_AUDIT_ROOT` the snapshot's
path. Each interpreter opens the FIFO itself, so children started with `close_fds` report too. When
the FIFO cannot be opened, or its descriptor no longer is that FIFO (replaced through `dup2`), or a
record cannot be written, the process exits at once with status 86 instead of reading unrecorded.

With `AGENTOS_EDITABLE`, it also installs the forgery guard (`audit_guard.py`, copied beside it
as `agentos_audit_guard.py`).
"""

from __future__ import annotations

import os
import sys

TAMPERED = 86


def _install() -> None:
    spec = os.environ.get("AGENTOS_AUDIT")
    if not spec:
        return
    ino_text, fifo = spec.split(":", 1)
    ino = int(ino_text)
    root = os.environ.get("AGENTOS_AUDIT_ROOT", "/nonexistent").rstrip("/") + "/"
    try:
        fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        os.set_blocking(fd, True)
    except OSError:
        os._exit(TAMPERED)
    from hashlib import sha1

    pid = os.getpid()
    seen: set[str] = set()
    busy = [False]

    def emit(line: str) -> None:
        try:
            if os.fstat(fd).st_ino != ino:
                os._exit(TAMPERED)
            os.write(fd, line.encode())
        except OSError:
            os._exit(TAMPERED)

    def blob_id(path: str) -> str:
        with open(path, "rb") as fh:
            data = fh.read()
        return sha1(b"blob %d\0" % len(data) + data).hexdigest()

    def hook(event: str, args: tuple[object, ...]) -> None:
        if event != "open" or busy[0]:
            return
        path, mode, flags = args
        if isinstance(path, os.PathLike):
            path = os.fspath(path)
        if not isinstance(path, (str, bytes)):
            return
        if isinstance(mode, str):
            reading = "r" in mode or "+" in mode
        else:
            reading = isinstance(flags, int) and (flags & os.O_ACCMODE) != os.O_WRONLY
        if not reading:
            return
        full = os.path.abspath(os.fsdecode(path))
        if not full.startswith(root) or full in seen:
            return
        busy[0] = True
        try:
            if os.getpid() != pid_now[0]:
                pid_now[0] = os.getpid()
                seen.clear()
            try:
                blob = blob_id(full)
            except OSError:
                return  # a directory or a missing file: nothing was read
            seen.add(full)
            rel = full[len(root) :]
            emit(f"R {pid_now[0]} {os.fsencode(rel).hex()} {blob}\n")
        finally:
            busy[0] = False

    pid_now = [pid]
    emit(f"S {pid}\n")
    sys.addaudithook(hook)
    editable = os.environ.get("AGENTOS_EDITABLE")
    if editable:  # the forgery guard, copied beside this file (audit_guard.py)
        from agentos_audit_guard import install  # type: ignore[import-not-found]

        install(emit, root, editable, os.environ.get("AGENTOS_METRIC_LINE"))



_install()
del _install
