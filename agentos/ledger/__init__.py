"""The ledger: one append-only, hash-chained row per experiment attempt, in SQLite."""

from agentos.ledger.read import RunRecord
from agentos.ledger.schema import Attempt, Kind, Row, RunInfo
from agentos.ledger.store import SCHEMA_VERSION, Ledger

__all__ = ["SCHEMA_VERSION", "Attempt", "Kind", "Ledger", "Row", "RunInfo", "RunRecord"]
