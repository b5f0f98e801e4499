"""The ledger: one append-only, hash-chained row per experiment attempt, in SQLite."""

from agentos.ledger.store import SCHEMA_VERSION, Ledger, Row

__all__ = ["SCHEMA_VERSION", "Ledger", "Row"]
