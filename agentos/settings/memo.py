"""Bounded caches of pure functions of text: a file's settings, as `scan.find_settings` reads them.

A search reads the same few settings texts over and over: every proposal reads its parent's
settings, the heuristic proposer's TPE reads the new text's again to describe it, and a
self-tune inner run reads every measured text's values for its metric and for its true loss
(2,942 parses of 647 texts in the train split of one outer measurement). A parse depends on
the text alone, so its result is kept, keyed on the arguments, for the texts read most
recently.

`memoized(size)` wraps a function whose result depends only on its arguments (compared with
their types: `1` is not `1.0`) and is immutable (a tuple of frozen dataclasses). An argument
longer than `LARGEST` characters is never kept, so the settings cache holds at most some 20 MB
of text (1,024 texts: a measurement meets texts again in other inner runs, the problems'
starting settings and the configurations several seeds reach). `uncached()` turns every cache
off within a block, so a test and `benchmarks/selftune_speed.py` compare the figures and the
time with and without them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar, cast

__all__ = ["LARGEST", "memoized", "uncached"]

LARGEST = 20_000  # characters: a longer text is parsed on every call, never kept

P = ParamSpec("P")
R = TypeVar("R")

_enabled = True


def memoized(size: int) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Keep the results of a pure function of strings for its `size` most recent arguments."""

    def wrap(fn: Callable[P, R]) -> Callable[P, R]:
        kept = cast(Callable[P, R], functools.lru_cache(maxsize=size, typed=True)(fn))

        @functools.wraps(fn)
        def call(*args: P.args, **kwargs: P.kwargs) -> R:
            if not _enabled or any(isinstance(a, str) and len(a) > LARGEST for a in args):
                return fn(*args, **kwargs)
            return kept(*args, **kwargs)

        return call

    return wrap


@contextmanager
def uncached() -> Iterator[None]:
    """Every `memoized` function computes afresh within the block (and keeps nothing)."""
    global _enabled
    before, _enabled = _enabled, False
    try:
        yield
    finally:
        _enabled = before
