"""Hints from a JSON Schema next to a settings file: `config.schema.json` beside `config.json`,
`config.toml` or `config.py` bounds the settings under the same key path.

    {"properties": {"lr": {"type": "number", "minimum": 1e-5, "maximum": 0.1},
                    "optim": {"properties": {"name": {"enum": ["sgd", "adam"]}}}}}

gives `lr` the range 1e-05..0.1 and `optim.name` the choices sgd|adam. `minimum`, `maximum`,
`exclusiveMinimum`, `exclusiveMaximum` (numbers) and `enum` (two or more scalars) are read;
`const`, `readOnly`, an `enum` of one value and a `description` that says so ("must not change")
make the setting fixed; a bound the current value lies outside is dropped with a problem, as a
comment's is. A setting's own comment, annotation or docstring wins over the schema; the
`[search.space]` table over both.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from agentos.settings.hints import Hint, parse_hint, read_hint
from agentos.settings.memo import memoized

if TYPE_CHECKING:
    from agentos.settings.scan import Setting

SUFFIX = ".schema.json"


@memoized(256)
def schema_path(path: str) -> str:
    """Where the schema of the settings file `path` lies: beside it, `STEM.schema.json`."""
    p = PurePosixPath(path)
    return str(p.with_name(p.stem + SUFFIX))


def schema_hints(text: str) -> dict[str, str]:
    """`dotted.key -> hint text` for every property of a JSON Schema that bounds a number or lists
    an enum; {} for text that is not a JSON object."""
    try:
        schema = json.loads(text)
    except ValueError:
        return {}
    out: dict[str, str] = {}
    _walk(schema, [], out)
    return out


def _walk(node: Any, keys: list[str], out: dict[str, str]) -> None:
    if not isinstance(node, dict):
        return
    props = node.get("properties")
    if isinstance(props, dict):
        for name, sub in props.items():
            _walk(sub, [*keys, str(name)], out)
    if not keys:
        return
    enum = node.get("enum")
    description = node.get("description")
    if ("const" in node or node.get("readOnly") is True
            or (isinstance(enum, list) and len(enum) == 1)
            or (isinstance(description, str) and parse_hint(description).fixed)):
        out[".".join(keys)] = "fixed"  # `const`, `readOnly`, one allowed value, "must not change"
        return
    if isinstance(enum, list) and all(isinstance(x, str | int | float) for x in enum):
        out[".".join(keys)] = "choices: " + "|".join(str(x) for x in enum)
        return
    low = _num(node.get("minimum", node.get("exclusiveMinimum")))
    high = _num(node.get("maximum", node.get("exclusiveMaximum")))
    if low is not None or high is not None:
        parts = ([f"min {low!r}"] if low is not None else []) + (
            [f"max {high!r}"] if high is not None else []
        )
        out[".".join(keys)] = ", ".join(parts)


def _num(x: object) -> float | None:
    if isinstance(x, bool) or not isinstance(x, int | float) or not math.isfinite(x):
        return None
    return float(x)


def with_schemas(
    settings: Sequence[Setting], read: Callable[[str], str | None], files: Mapping[str, str]
) -> list[Setting]:
    """The settings, each without a hint of its own given its schema's (`schema_path`), the
    schema's text taken from `files` or else from `read(path)` (None: no such file)."""
    schemas: dict[str, tuple[str, dict[str, str]]] = {}  # a file's path -> its schema's
    out = []
    for s in settings:
        if s.path not in schemas:
            where = schema_path(s.path)
            text = files.get(where)
            text = text if text is not None else read(where)
            schemas[s.path] = where, schema_hints(text) if text else {}
        where, hints = schemas[s.path]
        said = hints.get(s.name)
        if said and not (s.hint.read or s.hint.problem):
            hint: Hint = read_hint(said, s.value, of=where)
            s = replace(s, hint=replace(hint, source=f"schema {where}"))
        out.append(s)
    return out
