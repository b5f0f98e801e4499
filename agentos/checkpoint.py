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
