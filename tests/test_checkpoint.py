"""Checkpoints cannot be made to run code: only allowlisted types are rebuilt on load; graphs
started at once open one checkpoint file without a "database is locked" error."""

from __future__ import annotations

import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import pytest
from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer

from agentos import checkpoint
from agentos.checkpoint import open_checkpointer, serializer

CALLS: list[str] = []


@dataclass
class Payload:
    """Stands for any importable class an attacker names in a crafted checkpoint."""

    value: str = ""

    def __post_init__(self) -> None:
        CALLS.append(self.value)


def test_a_crafted_checkpoint_naming_a_foreign_type_does_not_construct_it() -> None:
    crafted = JsonPlusSerializer(allowed_msgpack_modules=True).dumps_typed(Payload("boom"))
    CALLS.clear()
    permissive = JsonPlusSerializer(allowed_msgpack_modules=True).loads_typed(crafted)
    assert CALLS == ["boom"], "the permissive serializer does construct it"
    assert isinstance(permissive, Payload)
    CALLS.clear()
    loaded = serializer().loads_typed(crafted)
    assert CALLS == []
    assert not isinstance(loaded, Payload)


def test_agentos_state_round_trips() -> None:
    state = {"experiment": 3, "best": {"commit": "ab" * 20, "metric": 1.5}, "history": [{"id": 1}]}
    assert serializer().loads_typed(serializer().dumps_typed(state)) == state


def test_graphs_started_at_once_open_one_new_checkpoint_file(tmp_path: Path) -> None:
    """Eight threads open the same new file at once, as tune-skills' pool does. Before the
    retry, the first one's switch to WAL made the others fail at once in 1 to 4 of 30 trials."""
    errors: list[BaseException] = []
    for trial in range(40):
        path = tmp_path / f"{trial}.db"
        barrier = threading.Barrier(8)

        def open_one(path: Path = path, barrier: threading.Barrier = barrier) -> None:
            barrier.wait()
            try:
                saver = open_checkpointer(path)
            except Exception as exc:
                errors.append(exc)
                return
            saver.setup()
            saver.conn.close()

        threads = [threading.Thread(target=open_one) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert errors == []


def test_a_new_checkpoint_file_held_by_another_writer_is_waited_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race above, made certain: another connection holds the write lock while the file is
    switched to WAL, which SQLite refuses at once; the opener waits, and the lock is released
    during its first wait."""
    path = tmp_path / "c.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    waits: list[float] = []

    def wait(seconds: float) -> None:
        if not waits:
            holder.execute("COMMIT")
        waits.append(seconds)

    monkeypatch.setattr(checkpoint, "time", SimpleNamespace(monotonic=time.monotonic, sleep=wait))
    try:
        saver = open_checkpointer(path)
        saver.setup()
        assert saver.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert len(waits) == 1  # refused once while held, switched once released
        saver.conn.close()
    finally:
        holder.close()
