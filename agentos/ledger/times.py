"""Ledger times: ISO 8601 in UTC with milliseconds (`2026-12-06T07:01:02.345Z`), the one place
that writes and reads them.

The fixed width makes text order time order, so `order by started_at` stays right. Ledgers written
before migration m004 stored Unix-time floats; `parse` still reads those (a damaged, unmigrated
ledger is reported as it is).
"""

from __future__ import annotations

import math
import time
from datetime import UTC, datetime

FORMAT = "%Y-%m-%dT%H:%M:%S"


def iso(epoch: float) -> str:
    """The ledger's text for Unix time `epoch`."""
    stamp = datetime.fromtimestamp(epoch, UTC)
    return f"{stamp.strftime(FORMAT)}.{stamp.microsecond // 1000:03d}Z"


def now() -> str:
    """The ledger's text for this moment."""
    return iso(time.time())


def parse(value: object) -> datetime | None:
    """A ledger time as an aware UTC datetime; None for an empty or unreadable value."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, UTC) if math.isfinite(value) else None
    if not isinstance(value, str) or not value:
        return None
    try:
        stamp = datetime.fromisoformat(value)
    except ValueError:
        return None
    return stamp.replace(tzinfo=UTC) if stamp.tzinfo is None else stamp.astimezone(UTC)


def show(value: object) -> str:
    """A ledger time for people: `2026-12-06 07:01:02 UTC`, or `–` when there is none."""
    stamp = parse(value)
    return "–" if stamp is None else stamp.strftime("%Y-%m-%d %H:%M:%S UTC")
