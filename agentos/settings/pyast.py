"""`parse`: `ast.parse` under one lock, for the settings readers.

CPython 3.11 keeps the AST constructor's recursion depth in state that threads share, so two
threads parsing at once can fail with `SystemError: AST constructor recursion depth mismatch`
(python/cpython#106905). A run's proposer reads settings files from several worker threads at
once; a parse takes milliseconds, so they take turns.
"""

from __future__ import annotations

import ast
import threading

_LOCK = threading.Lock()


def parse(text: str) -> ast.Module:
    """`ast.parse(text)`, one thread at a time; a `SyntaxError` is raised as `ast.parse` does."""
    with _LOCK:
        return ast.parse(text)


__all__ = ["parse"]
