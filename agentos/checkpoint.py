"""Checkpoints: `langgraph-checkpoint-sqlite` with a serializer that cannot be made to run code.

LangGraph's msgpack serializer rebuilds arbitrary types unless given an allowlist. agentos' state is
JSON-shaped, so only LangGraph's own control types are allowed; a crafted checkpoint naming any
other type is refused on load.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer
from langgraph.checkpoint.sqlite import SqliteSaver

LOCK_WAIT = 10.0
ALLOWED_MSGPACK_MODULES: tuple[tuple[str, ...], ...] = (
    ("langgraph.types", "Interrupt"),
    ("langgraph.types", "Send"),
    ("langgraph.types", "Command"),
)


def serializer() -> JsonPlusSerializer:
    return JsonPlusSerializer(allowed_msgpack_modules=ALLOWED_MSGPACK_MODULES)


def open_checkpointer(path: Path) -> SqliteSaver:
    """A SqliteSaver on `path` (WAL), using the strict serializer.

    `synchronous=NORMAL`: a checkpoint survives a killed process, and one lost to a power cut only
    means a node runs again, which every node tolerates. (The ledger keeps `FULL`: its high-water
    mark must never be ahead of its rows.)

    Graphs started at once on one file (`tune-skills` runs one per skill in a thread pool) can
    meet while the first converts a new file to WAL; SQLite then answers "database is locked" at
    once, without waiting, so the switch is retried for up to `LOCK_WAIT` seconds. (`PRAGMA
    busy_timeout` is no substitute: SQLite does not call the busy handler for this switch, and
    answers "locked" in well under a millisecond with a 10 s timeout set.)
    """
    conn = sqlite3.connect(path, check_same_thread=False)
    deadline = time.monotonic() + LOCK_WAIT
    while True:
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            break
        except sqlite3.OperationalError as exc:
            if exc.sqlite_errorcode != sqlite3.SQLITE_BUSY or time.monotonic() > deadline:
                conn.close()
                raise
            time.sleep(0.05)
    conn.execute("PRAGMA synchronous=NORMAL")
    return SqliteSaver(conn, serde=serializer())


def keep_latest(saver: SqliteSaver, thread_id: str) -> int:
    """Delete the checkpoints of `thread_id` older than its newest one (per namespace), and their
    pending writes; returns how many checkpoints went.

    Each checkpoint holds the whole state, and the state grows with the run (the strategy's
    history, a skill set's texts), so keeping every step made the file grow with the square of
    the run's length (29 MB after 59 skill moves). A run resumes from its newest checkpoint
    only; the ledger is the run's record. agentos' channels are plain values, none a
    `DeltaChannel` that rebuilds from its ancestors, so the newest checkpoint stands alone.
    Checkpoint ids grow with time, and a checkpoint written while this runs is newer than the one
    kept, so it is never deleted."""
    with saver.cursor() as cur:
        newest = cur.execute(
            "SELECT checkpoint_ns, MAX(checkpoint_id) FROM checkpoints WHERE thread_id = ? "
            "GROUP BY checkpoint_ns",
            (thread_id,),
        ).fetchall()
        gone = 0
        for ns, latest in newest:
            for table in ("writes", "checkpoints"):
                done = cur.execute(
                    f"DELETE FROM {table} WHERE thread_id = ? AND checkpoint_ns = ? "
                    "AND checkpoint_id < ?",
                    (thread_id, ns, latest),
                )
                gone += done.rowcount if table == "checkpoints" else 0
    return gone
