"""Checkpoints: `langgraph-checkpoint-sqlite` with a serializer that cannot be made to run code.

LangGraph's msgpack serializer rebuilds arbitrary types unless given an allowlist. agentos' state is
JSON-shaped, so only LangGraph's own control types are allowed; a crafted checkpoint naming any
other type is refused on load.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer
from langgraph.checkpoint.sqlite import SqliteSaver

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
    """
    conn = sqlite3.connect(path, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    return SqliteSaver(conn, serde=serializer())
