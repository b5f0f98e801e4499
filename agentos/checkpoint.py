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
    """A SqliteSaver on `path` (WAL), using the strict serializer."""
    conn = sqlite3.connect(path, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    return SqliteSaver(conn, serde=serializer())
