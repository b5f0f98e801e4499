"""What every `agentos` command prints the same way: a user error as one line (exit code 2), a
failure as its detail lines then one line with cause and fix, a warning."""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps
from typing import Any, NoReturn, TypeVar

import click

from agentos.errors import UserError

F = TypeVar("F", bound=Callable[..., Any])


def user_errors(fn: F) -> F:
    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except UserError as exc:
            click.echo(f"agentos: error: {exc}", err=True)
            sys.exit(exc.exit_code)

    return wrapper  # type: ignore[return-value]


def fail(cause: str, fix: str | None, detail: list[str], code: int) -> NoReturn:
    """End with what the user must read last: the detail lines, then one line, cause and fix."""
    for line in detail:
        click.echo(f"  | {line}", err=True)
    click.echo(f"agentos: error: {cause}" + (f"; fix: {fix}" if fix else ""), err=True)
    sys.exit(code)


def warn(message: str) -> None:
    click.echo(f"agentos: warning: {message}", err=True)
