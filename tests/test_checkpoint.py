"""Checkpoints cannot be made to run code: only allowlisted types are rebuilt on load."""

from __future__ import annotations

from dataclasses import dataclass

from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer

from agentos.checkpoint import serializer

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
