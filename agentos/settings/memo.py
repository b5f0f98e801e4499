"""Bounded caches of pure functions of text: a file's settings, as `scan.find_settings` reads them.

A search reads the same few settings texts over and over: every proposal reads its parent's
settings, the heuristic proposer's TPE reads the new text's again to describe it, and a
self-tune inner run reads every measured text's values for its metric and for its true loss
(2,942 parses of 647 texts in the train split of one outer measurement). A parse depends on
the text alone, so its result is kept, keyed on the arguments, for the texts read most
recently.

`memoized(size)` wraps a function whose result depends only on its arguments, texts and
numbers (compared with their types: `1` is not `1.0`), and is immutable (a tuple of frozen
dataclasses, a frozen `Hint`): a file's settings, a hint read from a comment for a value. An
argument longer than `LARGEST` characters is never kept, so the settings cache holds at most
some 20 MB of text (1,024 texts: a measurement meets texts again in other inner runs, the
problems' starting settings and the configurations several seeds reach). `uncached()` turns
every cache off within a block, so a test and `benchmarks/selftune_speed.py` compare the
figures and the time with and without them.
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
    """Keep the results of a pure function for its `size` most recent arguments (a call with an
    argument that cannot be a key, a list say, or a text over `LARGEST`, is computed)."""

    def wrap(fn: Callable[P, R]) -> Callable[P, R]:
        kept = cast(Callable[P, R], functools.lru_cache(maxsize=size, typed=True)(fn))

        @functools.wraps(fn)
        def call(*args: P.args, **kwargs: P.kwargs) -> R:
            if not _enabled or not all(_key(a) for a in (*args, *kwargs.values())):
                return fn(*args, **kwargs)
            return kept(*args, **kwargs)

        return call

    return wrap


def _key(arg: object) -> bool:
    """Whether an argument may be part of a key: a scalar, or a text of `LARGEST` or less."""
    if isinstance(arg, str):
        return len(arg) <= LARGEST
    return arg is None or isinstance(arg, int | float)  # a bool is an int


@contextmanager
def uncached() -> Iterator[None]:
    """Every `memoized` function computes afresh within the block (and keeps nothing)."""
    global _enabled
    before, _enabled = _enabled, False
    try:
        yield
    finally:
        _enabled = before
