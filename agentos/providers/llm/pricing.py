"""What a Messages API call costs, from the usage the API reports.

Prices are US dollars per million tokens, from Anthropic's published price list. Cache writes
(5-minute lifetime) cost 1.25 times the input price and cache reads 0.1 times. A model id matches
the longest table key it starts with, so dated ids (`claude-sonnet-4-5-20250929`) price like their
family. An unknown model is priced at the most expensive row, so a dollar budget errs on the side of
stopping early; `docs/providers.md` lists the table.
"""

from __future__ import annotations

from dataclasses import dataclass

from agentos.providers.base import Usage


@dataclass(frozen=True)
class Price:
    """Dollars per million input and output tokens."""

    input: float
    output: float

    @property
    def cache_write(self) -> float:
        return self.input * 1.25

    @property
    def cache_read(self) -> float:
        return self.input * 0.1


PRICES: dict[str, Price] = {
    "claude-fable-5-1": Price(10.0, 50.0),
    "claude-opus-5-5": Price(4.0, 20.0),
    "claude-opus-5": Price(5.0, 25.0),
    "claude-sonnet-5-5": Price(2.0, 10.0),
    "claude-sonnet-5": Price(2.0, 10.0),
    "claude-opus-4-5": Price(5.0, 25.0),
    "claude-opus-4-1": Price(15.0, 75.0),
    "claude-opus-4": Price(15.0, 75.0),
    "claude-sonnet-4-5": Price(3.0, 15.0),
    "claude-sonnet-4": Price(3.0, 15.0),
    "claude-3-7-sonnet": Price(3.0, 15.0),
    "claude-haiku-4-5": Price(1.0, 5.0),
    "claude-3-5-haiku": Price(0.8, 4.0),
    "claude-3-haiku": Price(0.25, 1.25),
}

FALLBACK = max(PRICES.values(), key=lambda p: p.output)


def price_for(model: str) -> Price:
    """The price row for `model` (longest matching prefix), or the most expensive row."""
    matches = [key for key in PRICES if model.startswith(key)]
    return PRICES[max(matches, key=len)] if matches else FALLBACK


def usage_cost(
    model: str,
    *,
    input_tokens: int,
    output_tokens: int,
    cache_write_tokens: int = 0,
    cache_read_tokens: int = 0,
) -> Usage:
    """A `Usage` with the dollar cost of one call.

    `input_tokens` is the uncached input only (as the API reports it); cache writes and reads are
    billed on top. `tokens_in` of the result counts all three, since all three were sent.
    """
    p = price_for(model)
    dollars = (
        input_tokens * p.input
        + output_tokens * p.output
        + cache_write_tokens * p.cache_write
        + cache_read_tokens * p.cache_read
    ) / 1_000_000
    return Usage(
        tokens_in=input_tokens + cache_write_tokens + cache_read_tokens,
        tokens_out=output_tokens,
        cost_usd=dollars,
    )
