"""Finding settings in a file's text: module-level constants in Python (by AST), scalars in TOML
and JSON, each with the exact character span of its literal and the hint read beside it
(`agentos.settings.hints`). `agentos.settings` edits and describes what is found here.
"""

from __future__ import annotations

import ast
import json
import math
import re
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from agentos.settings.hints import (
    Hint,
    annotation_choices,
    comment_above,
    docstring_of,
    enum_members,
    enum_values,
    first_hint,
    read_hint,
)

Kind = Literal["int", "float", "bool", "str"]
Value = int | float | bool | str
Format = Literal["python", "toml", "json"]


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
    quote: str = '"'  # a Python string's quote; '' for an Enum member, written bare (`Mode.FAST`)

    @property
    def mutable(self) -> bool:
        """False for `fixed` settings and for strings without `choices`."""
        if self.hint.fixed:
            return False
        if self.kind == "str":
            return len(self.hint.choices) > 1
        return True


def _kind(value: object) -> Kind | None:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float" if math.isfinite(value) else None
    if isinstance(value, str):
        return "str"
    return None


def find_settings(path: str, text: str) -> list[Setting]:
    """Every scalar setting in one file, by its suffix: `.py`, `.toml`, `.json`; else none.

    A file that does not parse yields no settings (the gates report the syntax error).
    """
    if path.endswith(".py"):
        return _python(path, text)
    if path.endswith(".toml"):
        return _toml(path, text)
    if path.endswith(".schema.json"):
        return []  # a schema bounds the settings of another file (`agentos.settings.schema`)
    if path.endswith(".json"):
        return _json(path, text)
    return []


# --- Python ------------------------------------------------------------------------------------


def _line_starts(text: str) -> list[int]:
    starts = [0]
    for i, ch in enumerate(text):
        if ch == "\n":
            starts.append(i + 1)
    return starts


def _python(path: str, text: str) -> list[Setting]:
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return []
    lines = text.splitlines(keepends=True)
    starts = _line_starts(text)

    def offset(lineno: int, col: int) -> int:
        # ast columns count UTF-8 bytes; convert to characters within the line.
        line = lines[lineno - 1]
        return starts[lineno - 1] + len(line.encode("utf-8")[:col].decode("utf-8", "replace"))

    out: list[Setting] = []
    rebound = _rebound(tree)
    enums, members = enum_values(tree), enum_members(tree)
    for index, node in enumerate(tree.body):
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, expr = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, expr = node.target, node.value
        else:
            continue
        if not isinstance(target, ast.Name) or _not_a_setting(target.id) or target.id in rebound:
            continue
        value: object
        if isinstance(expr, ast.Constant):
            value = expr.value
        elif (
            isinstance(expr, ast.UnaryOp)
            and isinstance(expr.op, ast.USub)
            and isinstance(expr.operand, ast.Constant)
            and _kind(expr.operand.value) in ("int", "float")
        ):
            value = -expr.operand.value  # type: ignore[operator]
        elif _member(expr, members):
            value = ast.unparse(expr)  # `Mode.SAFE`: a member of an Enum of this module
        else:
            continue
        kind = _kind(value)
        if kind is None or expr.end_lineno is None or expr.end_col_offset is None:
            continue
        if kind == "str" and expr.lineno != expr.end_lineno:
            continue  # a multi-line string is text, not a setting
        start = offset(expr.lineno, expr.col_offset)
        end = offset(expr.end_lineno, expr.end_col_offset)
        if kind == "int" and _RADIX.match(text, start, end):
            continue  # 0x0F00, 0o755, 0b101: a mask, a mode or a code, not a quantity
        rest = lines[expr.end_lineno - 1][end - starts[expr.end_lineno - 1] :]
        hash_at = rest.find("#")
        after = tree.body[index + 1] if index + 1 < len(tree.body) else None
        comment = rest[hash_at + 1 :] if hash_at >= 0 else ""
        if isinstance(expr, ast.Attribute):
            hint = _member_hint(str(value), members, comment, comment_above(lines, node.lineno))
            member = str(value)
            out.append(Setting(path, target.id, "str", member, start, end, "python", hint, ""))
            continue
        hint = first_hint(
            value,
            ("comment", comment),
            ("annotation", annotation_choices(node, enums)),
            ("comment above", comment_above(lines, node.lineno)),
            ("docstring", docstring_of(after)),
        )
        quote = "'" if text[start:end].endswith("'") else '"'
        out.append(
            Setting(path, target.id, kind, value, start, end, "python", hint, quote)  # type: ignore[arg-type]
        )
    return out


def _member(expr: ast.expr, members: dict[str, list[str]]) -> bool:
    return (
        isinstance(expr, ast.Attribute)
        and isinstance(expr.value, ast.Name)
        and ast.unparse(expr) in members.get(expr.value.id, ())
    )


def _member_hint(value: str, members: dict[str, list[str]], *comments: str) -> Hint:
    """An Enum member chooses among its class's members (`Mode.FAST|Mode.SAFE`); a comment listing
    the members' values (`# one of: fast, safe`) says nothing more, but `fixed` still holds."""
    choices = members[value.split(".")[0]]
    if len(choices) < 2:
        return Hint()
    fixed = any(read_hint(c, None).fixed for c in comments)
    said = ("fixed; " if fixed else "") + "choices: " + "|".join(choices)
    return first_hint(value, (f"Enum {value.split('.')[0]}", said))


# Names that hold no tunable quantity: dunders (`__version__`, `__all__`), typing switches, and
# versions or magic numbers of a format or protocol (`CACHE_VERSION`, `PCF_MAGIC`).
_NOT_SETTINGS = re.compile(r"^(__.*|TYPE_CHECKING|MYPY)$|(^|_)(version|magic)(_|$)", re.IGNORECASE)
_RADIX = re.compile(r"-?\s*0[xXoObB]")


def _not_a_setting(name: str) -> bool:
    return bool(_NOT_SETTINGS.search(name))


_SCOPES = (
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.Lambda,
    ast.ClassDef,
    ast.ListComp,
    ast.SetComp,
    ast.DictComp,
    ast.GeneratorExp,
)


def _rebound(tree: ast.Module) -> set[str]:
    """Module-level names that are state, not constants: declared `global` in a function, or bound
    more than once at module level (`n += 1`, a loop variable, a value chosen by `if` or `try`)."""
    counts: dict[str, int] = {}
    state: set[str] = set()
    stack: list[tuple[ast.AST, bool]] = [(tree, True)]  # a stack: long expressions nest deeply
    while stack:
        node, module_scope = stack.pop()
        if isinstance(node, ast.Global):
            state.update(node.names)
        elif module_scope and isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            counts[node.id] = counts.get(node.id, 0) + 1
        inner = module_scope and not isinstance(node, _SCOPES)
        stack.extend((child, inner) for child in ast.iter_child_nodes(node))
    return state | {name for name, n in counts.items() if n > 1}


# --- TOML --------------------------------------------------------------------------------------

_TOML_KEY = r"(?:[A-Za-z0-9_-]+|\"[^\"\n]*\"|'[^'\n]*')"
_TOML_LINE = re.compile(
    rf"^[ \t]*(?P<key>{_TOML_KEY}(?:[ \t]*\.[ \t]*{_TOML_KEY})*)[ \t]*=[ \t]*"
    r"(?P<val>\"(?:[^\"\\\n]|\\.)*\"|'[^'\n]*'|true|false|[-+0-9][-+0-9._eExXoObBa-fA-F:TZ]*|[+-]?inf|[+-]?nan)"
    r"[ \t]*(?P<comment>#.*)?$"
)
_TOML_TABLE = re.compile(rf"^[ \t]*\[\[?[ \t]*(?P<key>{_TOML_KEY}(?:[ \t]*\.[ \t]*{_TOML_KEY})*)")


def _toml_keys(dotted: str) -> list[str]:
    parts = re.findall(_TOML_KEY, dotted)
    return [p[1:-1] if p[:1] in "\"'" else p for p in parts]


def _toml(path: str, text: str) -> list[Setting]:
    try:
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError):
        return []
    out: list[Setting] = []
    table: list[str] = []
    in_multiline = False
    pos = 0
    lines = text.splitlines(keepends=True)
    for lineno, line in enumerate(lines, start=1):
        body = line.rstrip("\r\n")
        if body.count('"""') % 2 or body.count("'''") % 2:
            in_multiline = not in_multiline
        elif not in_multiline:
            tm = _TOML_TABLE.match(body)
            if tm and not _TOML_LINE.match(body):
                table = _toml_keys(tm.group("key"))
            m = _TOML_LINE.match(body)
            if m:
                keys = table + _toml_keys(m.group("key"))
                found = _lookup(data, keys)
                kind = _kind(found)
                if kind is not None and found is not None:
                    comment = m.group("comment") or ""
                    out.append(
                        Setting(
                            path,
                            ".".join(keys),
                            kind,
                            found,  # type: ignore[arg-type]
                            pos + m.start("val"),
                            pos + m.end("val"),
                            "toml",
                            first_hint(
                                found,
                                ("comment", comment[1:]),
                                ("comment above", comment_above(lines, lineno)),
                            ),
                        )
                    )
        pos += len(line)
    return out


def _lookup(data: object, keys: Sequence[str]) -> object:
    for key in keys:
        if isinstance(data, list):  # an array of tables: the last one is the one being written
            data = data[-1] if data else None
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return None if isinstance(data, dict | list) else data


# --- JSON --------------------------------------------------------------------------------------


def _json(path: str, text: str) -> list[Setting]:
    try:
        json.loads(text)
    except ValueError:
        return []
    out: list[Setting] = []
    _JsonScanner(text, path, out).value(0, [])
    return out


_scanstring: Callable[[str, int], tuple[str, int]] = json.decoder.scanstring  # type: ignore[attr-defined]
_JSON_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?")
_WS = re.compile(r"[ \t\r\n]*")


class _JsonScanner:
    """Walks a valid JSON text recording the span of every scalar under an object key path."""

    def __init__(self, text: str, path: str, out: list[Setting]):
        self.text, self.path, self.out = text, path, out

    def ws(self, i: int) -> int:
        m = _WS.match(self.text, i)
        return m.end() if m else i

    def string(self, i: int) -> tuple[str, int]:
        value, end = _scanstring(self.text, i + 1)
        return value, end

    def value(self, i: int, keys: list[str]) -> int:
        i = self.ws(i)
        ch = self.text[i]
        if ch == "{":
            i = self.ws(i + 1)
            if self.text[i] == "}":
                return i + 1
            while True:
                key, i = self.string(self.ws(i))
                i = self.ws(i) + 1  # the colon
                i = self.ws(self.value(i, [*keys, key]))
                if self.text[i] == "}":
                    return i + 1
                i += 1  # the comma
        if ch == "[":
            i = self.ws(i + 1)
            if self.text[i] == "]":
                return i + 1
            index = 0
            while True:
                i = self.ws(self.value(i, [*keys, str(index)]))
                index += 1
                if self.text[i] == "]":
                    return i + 1
                i += 1
        start = i
        parsed: object
        if ch == '"':
            parsed, i = self.string(i)
        elif self.text.startswith("true", i):
            parsed, i = True, i + 4
        elif self.text.startswith("false", i):
            parsed, i = False, i + 5
        elif self.text.startswith("null", i):
            return i + 4
        else:
            m = _JSON_NUMBER.match(self.text, i)
            assert m is not None
            i = m.end()
            parsed = float(m.group()) if m.group(1) or m.group(2) else int(m.group())
        kind = _kind(parsed)
        if kind is not None and keys:
            self.out.append(Setting(self.path, ".".join(keys), kind, parsed, start, i, "json"))
        return i
