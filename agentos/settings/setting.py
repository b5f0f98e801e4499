"""A setting: a scalar with a name, the exact character span of its literal in a file, and the
hint that bounds its search (`agentos.settings.hints`)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

from agentos.settings.hints import Hint, unsearched_by_name

Kind = Literal["int", "float", "bool", "str"]
Value = int | float | bool | str
Format = Literal["python", "toml", "json", "yaml", "env", "ini"]


@dataclass(frozen=True)
class Setting:
    """One scalar setting: where its literal is (`start:end` in characters) and what it holds."""

    path: str
    name: str
    kind: Kind
    value: Value
    start: int
    end: int
    format: Format
    hint: Hint = field(default_factory=Hint)
    # a string's quote: '"' or "'"; '' where it is written bare (a Python Enum member
    # `Mode.FAST`, a plain YAML, .env or INI word)
    quote: str = '"'
    # an argparse or click option's flags (`--lr`): a setting only in a module the metric command
    # runs, and unless the command passes the flag itself (`agentos.settings.find_all`)
    flags: tuple[str, ...] = ()
    # a bool's spelling, true word then false word: an INI file may write `yes`/`no` or `on`/`off`
    words: tuple[str, str] = ("true", "false")

    @property
    def unsearched(self) -> str:
        """Why a setting with no hint is not searched by its name (a random seed, an output
        switch: `unsearched_by_name`), or ''."""
        return unsearched_by_name(self.name, self.value, self.hint)

    @property
    def mutable(self) -> bool:
        """False for `fixed` settings, random seeds and output switches without a hint and
        strings without `choices`."""
        if self.hint.fixed or self.unsearched:
            return False
        if self.kind == "str":
            return len(self.hint.choices) > 1
        return True


def kind_of(value: object) -> Kind | None:
    """The kind of a scalar value; None for anything else (a date, a list, an infinity)."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float" if math.isfinite(value) else None
    if isinstance(value, str):
        return "str"
    return None
