"""Typed access to a decoded task file that fails with the file, the key and the fix."""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any, cast, get_args

from agentos.errors import UserError


class Reader:
    """Typed access to decoded TOML that fails with the file, the key and the fix."""

    def __init__(self, path: Path):
        self.path = path

    def fail(self, key: str, message: str) -> Any:
        raise UserError(
            f"[{key}] {message}", path=self.path, fix=f"edit `{key}` in {self.path.name}"
        )

    def table(self, data: Mapping[str, Any], key: str, *, required: bool = True) -> dict[str, Any]:
        value = data.get(key)
        if value is None:
            if required:
                self.fail(key, "table is missing")
            return {}
        if not isinstance(value, dict):
            self.fail(key, "must be a table")
        return cast(dict[str, Any], value)

    def _get(self, data: Mapping[str, Any], key: str) -> Any:
        return data.get(key.rsplit(".", 1)[-1])

    def string(self, data: Mapping[str, Any], key: str, *, default: str) -> str:
        value = self._get(data, key)
        if value is None:
            return default
        if not isinstance(value, str) or not value:
            self.fail(key, "must be a non-empty string")
        return cast(str, value)

    def opt_str(self, data: Mapping[str, Any], key: str) -> str | None:
        value = self._get(data, key)
        if value is not None and (not isinstance(value, str) or not value):
            self.fail(key, "must be a non-empty string")
        return cast(str | None, value)

    def str_list(self, data: Mapping[str, Any], key: str) -> tuple[str, ...]:
        value = self._get(data, key)
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            self.fail(key, "must be a list of strings")
        return tuple(cast(list[str], value))

    def globs(self, data: Mapping[str, Any], key: str, *, required: bool) -> tuple[str, ...]:
        value = self._get(data, key)
        if isinstance(value, str):
            value = [value]
        if value is None or value == []:
            if required:
                self.fail(key, 'is required: a list of globs, e.g. ["settings.py"]')
            return ()
        items = value
        if not isinstance(items, list) or not all(isinstance(v, str) and v for v in items):
            self.fail(key, "must be a list of glob strings")
        for pattern in items:
            if pattern.startswith("/") or ".." in Path(pattern).parts:
                self.fail(key, f"{pattern!r} must be relative to the repository, inside it")
            if pattern == ".git" or pattern.startswith(".git/") or pattern.startswith(".agentos"):
                self.fail(key, f"{pattern!r} names agentos' or git's own files")
        return tuple(cast(list[str], items))

    def integer(
        self, data: Mapping[str, Any], key: str, *, default: int, minimum: int | None = None
    ) -> int:
        value = self.opt_integer(data, key, minimum=minimum)
        return default if value is None else value

    def opt_integer(
        self, data: Mapping[str, Any], key: str, *, minimum: int | None = None
    ) -> int | None:
        value = self._get(data, key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(key, "must be an integer")
        if minimum is not None and value < minimum:
            self.fail(key, f"must be at least {minimum}")
        return cast(int, value)

    def number(
        self, data: Mapping[str, Any], key: str, *, default: float, minimum: float | None = None
    ) -> float:
        value = self.opt_number(data, key, minimum=minimum)
        return default if value is None else value

    def opt_number(
        self, data: Mapping[str, Any], key: str, *, minimum: float | None = None
    ) -> float | None:
        value = self._get(data, key)
        if value is None:
            return None
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            self.fail(key, "must be a finite number")
        if minimum is not None and value < minimum:
            self.fail(key, f"must be at least {minimum}")
        return float(value)

    def boolean(self, data: Mapping[str, Any], key: str, *, default: bool) -> bool:
        value = self._get(data, key)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.fail(key, "must be true or false")
        return cast(bool, value)

    def choice(self, data: Mapping[str, Any], key: str, kind: Any, *, default: Any) -> Any:
        value = self._get(data, key)
        if value is None:
            return default
        allowed = get_args(kind)
        if value not in allowed:
            self.fail(key, f"must be one of {list(allowed)}")
        return value
