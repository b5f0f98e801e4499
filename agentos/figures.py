"""How agentos shows a metric to a person: one formatter, so the run summary, `agentos status`,
the live progress line, `agentos check` and the HTML report print the same figure the same way.
Machine-readable output (`--json`, the ledger) keeps every digit."""

from __future__ import annotations

DIGITS = 10
MISSING = "-"


def figure(value: float | None) -> str:
    """`value` to ten significant digits: enough to tell two measurements apart, and no float
    noise from a mean of re-runs (-0.5845516666666666 is -0.5845516667); `-` when there is none."""
    return MISSING if value is None else f"{value:.{DIGITS}g}"


__all__ = ["DIGITS", "MISSING", "figure"]
