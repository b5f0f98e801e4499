"""Settings in data files: scalars in TOML, JSON and YAML under their dotted key path,
`KEY=value` lines of a `.env` file and `key = value` lines of an INI file (`.ini`, `.cfg`, read
as `configparser` reads them, named `section.key`), each with the exact span of its literal and
the hint read from the comment beside it or the comment lines above it
(`agentos.settings.hints`).
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import replace

import yaml

from agentos.settings.setting import Format, Setting, kind_of
from agentos.settings.sources import comment_above, first_hint

_TOML_KEY = r"(?:[A-Za-z0-9_-]+|\"[^\"\n]*\"|'[^'\n]*')"
_TOML_DOTTED = rf"{_TOML_KEY}(?:[ \t]*\.[ \t]*{_TOML_KEY})*"
# a scalar literal: a string, a bool, a number, a date or time
_TOML_SCALAR = (
    r"\"(?:[^\"\\\n]|\\.)*\"|'[^'\n]*'|true|false|[-+0-9][-+0-9._eExXoObBa-fA-F:TZ]*|[+-]?inf"
    r"|[+-]?nan"
)
_TOML_LINE = re.compile(
    rf"^[ \t]*(?P<key>{_TOML_DOTTED})[ \t]*=[ \t]*(?P<val>{_TOML_SCALAR})[ \t]*(?P<comment>#.*)?$"
)
_TOML_TABLE = re.compile(rf"^[ \t]*\[\[?[ \t]*(?P<key>{_TOML_DOTTED})")
# a one-line inline table of scalars (`coarse = {levels = 3, solver = "direct"}  # levels: 1 to 6`)
_TOML_INLINE = re.compile(
    rf"^[ \t]*(?P<key>{_TOML_DOTTED})[ \t]*=[ \t]*"
    r"\{(?P<body>[^{}\[\]\n]*)\}[ \t]*(?P<comment>#.*)?$"
)
_TOML_PAIR = re.compile(
    rf"[ \t]*(?P<key>{_TOML_DOTTED})[ \t]*=[ \t]*(?P<val>{_TOML_SCALAR})"
    r"[ \t]*(?:,|$)"
)


def _toml_keys(dotted: str) -> list[str]:
    parts = re.findall(_TOML_KEY, dotted)
    return [p[1:-1] if p[:1] in "\"'" else p for p in parts]


def toml_settings(path: str, text: str) -> list[Setting]:
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
            above = comment_above(lines, lineno)
            if m:
                keys = table + _toml_keys(m.group("key"))
                comment = (m.group("comment") or "")[1:]
                out += _toml_setting(path, data, keys, pos + m.start("val"), pos + m.end("val"),
                                     comment, above)  # fmt: skip
            elif inline := _TOML_INLINE.match(body):
                out += _toml_inline(path, data, table, inline, pos, above)
        pos += len(line)
    return out


def _toml_setting(path: str, data: object, keys: list[str], start: int, end: int, comment: str,
                  above: str) -> list[Setting]:  # fmt: skip
    found = _lookup(data, keys)
    kind = kind_of(found)
    if kind is None or found is None:
        return []
    hint = first_hint(found, ("comment", comment), ("comment above", above))
    return [Setting(path, ".".join(keys), kind, found, start, end, "toml", hint)]  # type: ignore[arg-type]


def _toml_inline(path: str, data: object, table: list[str], inline: re.Match[str], pos: int,
                 above: str) -> list[Setting]:  # fmt: skip
    """The scalars of a one-line inline table. The line's comment is the hint of a lone pair,
    or of the pair whose key it starts with (`# levels: 1 to 6`); the comment above, of a lone
    pair only."""
    pairs: list[re.Match[str]] = []
    at, body = inline.start("body"), inline.group("body")
    while body[at - inline.start("body") :].strip():
        pair = _TOML_PAIR.match(inline.string, at, inline.end("body"))
        if pair is None:
            return []  # not a table of scalars alone
        pairs.append(pair)
        at = pair.end()
    comment = (inline.group("comment") or "")[1:]
    out: list[Setting] = []
    for pair in pairs:
        own = re.match(rf"\s*{re.escape(pair.group('key'))}\s*[:=]\s*(.*)", comment)
        text = own.group(1) if own else comment if len(pairs) == 1 else ""
        keys = table + _toml_keys(inline.group("key")) + _toml_keys(pair.group("key"))
        out += _toml_setting(path, data, keys, pos + pair.start("val"), pos + pair.end("val"),
                             text, above if len(pairs) == 1 else "")  # fmt: skip
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


def json_settings(path: str, text: str) -> list[Setting]:
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
        kind = kind_of(parsed)
        # `$schema`, `$id`: where the document's schema is, not a setting
        if kind is not None and keys and not any(k.startswith("$") for k in keys):
            self.out.append(Setting(self.path, ".".join(keys), kind, parsed, start, i, "json"))
        return i


# --- YAML --------------------------------------------------------------------------------------


def yaml_settings(path: str, text: str) -> list[Setting]:
    """The scalars of a YAML document, read as PyYAML (`yaml.safe_load`) reads them: `1e-3`
    without a dot is a string there, so it is one here. Block and multi-line scalars, dates,
    nulls and aliases of an anchor already seen are left alone."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return []
    lines = text.splitlines(keepends=True)
    out: list[Setting] = []
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, list[str], int]] = [(root, [], 0)] if root is not None else []
    while stack:
        node, keys, key_line = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            pairs = [(k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode)]
            for k, v in reversed(pairs):
                stack.append((v, [*keys, str(k.value)], k.start_mark.line + 1))
        elif isinstance(node, yaml.SequenceNode):
            for i, v in reversed(list(enumerate(node.value))):
                stack.append((v, [*keys, str(i)], v.start_mark.line + 1))
        elif isinstance(node, yaml.ScalarNode) and keys:
            setting = _yaml_scalar(path, text, lines, node, keys, key_line)
            if setting is not None:
                out.append(setting)
    return out


def _yaml_scalar(
    path: str, text: str, lines: Sequence[str], node: yaml.ScalarNode, keys: list[str], line: int
) -> Setting | None:
    start, end = node.start_mark.index, node.end_mark.index
    if node.style in ("|", ">") or "\n" in text[start:end]:
        return None
    try:
        value = yaml.safe_load(text[start:end])
    except yaml.YAMLError:
        return None
    kind = kind_of(value)
    if kind is None or text[start] in "!&":
        return None  # an explicit tag (`!!str 1`) or an anchor (`&lr 0.1`): left alone
    end_line = lines[node.end_mark.line] if node.end_mark.line < len(lines) else ""
    rest = end_line[node.end_mark.column :]
    m = re.search(r"(?:^|\s)#(.*)$", rest.rstrip("\r\n"))
    hint = first_hint(value, ("comment", m.group(1) if m else ""),
                      ("comment above", comment_above(lines, line)))  # fmt: skip
    quote = text[start] if text[start] in "'\"" else ""
    if kind == "str" and not quote and _YAML_STR_NUMBER.fullmatch(str(value)) and not hint.fixed:
        fix = re.sub(r"^([-+]?\d+)(?=[eE])", r"\1.0", str(value))
        hint = replace(hint, problem=f"PyYAML reads {value} as a string, so it is not searched; "
                       f"write it as {fix}")  # fmt: skip
    return Setting(path, ".".join(keys), kind, value, start, end, "yaml", hint, quote)


# `1e-3` and `1e5`: numbers to a reader, strings to PyYAML (YAML 1.1 wants a dot: `1.0e-3`)
_YAML_STR_NUMBER = re.compile(r"[-+]?\d+[eE][-+]?\d+")


# --- .env --------------------------------------------------------------------------------------

_ENV_LINE = re.compile(
    r"""^[ \t]*(?:export[ \t]+)?(?P<key>[A-Za-z_][A-Za-z0-9_.]*)[ \t]*=[ \t]*"""
    r"""(?P<val>"(?:[^"\\\n]|\\.)*"|'[^'\n]*'|[^\s'"]\S*)?(?:[ \t]+\#(?P<comment>.*))?[ \t]*$"""
)
_ENV_INT = re.compile(r"[-+]?\d+")
_ENV_FLOAT = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+(?:\.\d*)?[eE][-+]?\d+)")


_INI_SECTION = re.compile(r"^\[(?P<name>[^\]\n]+)\]\s*$")
_INI_LINE = re.compile(
    r"""^(?P<key>[A-Za-z_][\w.-]*)[ \t]*[=:][ \t]*"""
    r"""(?P<val>"(?:[^"\\\n]|\\.)*"|'[^'\n]*'|[^\s'";#]\S*)?(?:[ \t]+[#;](?P<comment>.*))?[ \t]*$"""
)


def env_settings(path: str, text: str) -> list[Setting]:
    """`KEY=value` lines (`export KEY=value` too): a value written as a number is one, `true` and
    `false` (lower case) are bools, anything else a string; quotes are kept when it is changed."""
    return _lines(path, text, "env", _ENV_LINE)


# The words `configparser.getboolean` reads, as pairs: an INI bool is written back in its own pair.
_INI_BOOLS = {w: pair for pair in (("true", "false"), ("yes", "no"), ("on", "off")) for w in pair}


def _bool_words(word: str) -> tuple[str, str] | None:
    pair = _INI_BOOLS.get(word.lower())
    if pair is None:
        return None
    case = str.upper if word.isupper() and len(word) > 1 else \
        str.capitalize if word[0].isupper() else str.lower
    return case(pair[0]), case(pair[1])


def ini_settings(path: str, text: str) -> list[Setting]:
    """`key = value` (or `key: value`) lines under `[section]`, named `section.key`, typed as in a
    `.env` file, except that the words `configparser.getboolean` reads (`yes`/`no`, `on`/`off`,
    `true`/`false`, in any case) are bools, written back in the same pair and case. A comment is
    a line starting with `#` or `;`, or one after the value and a space (what
    `configparser(inline_comment_prefixes=("#", ";"))` reads). Indented lines (a value
    continued) are left alone."""
    return _lines(path, text, "ini", _INI_LINE)


def _lines(path: str, text: str, form: Format, pattern: re.Pattern[str]) -> list[Setting]:
    out: list[Setting] = []
    lines = text.splitlines(keepends=True)
    pos = 0
    section = ""
    for lineno, line in enumerate(lines, start=1):
        body = line.rstrip("\r\n")
        head = _INI_SECTION.match(body) if form == "ini" else None
        if head:
            section = head.group("name").strip() + "."
        m = None if head else pattern.match(body)
        if m and m.group("val"):
            raw = m.group("val")
            quote = raw[0] if raw[0] in "'\"" else ""
            inner = raw[1:-1] if quote else raw
            value: int | float | bool | str = inner
            words = _bool_words(inner) if form == "ini" and not quote else None
            if words is not None:
                value = inner.lower() == words[0].lower()
            elif _ENV_INT.fullmatch(inner):
                value = int(inner)
            elif _ENV_FLOAT.fullmatch(inner):
                value = float(inner)
            elif inner in ("true", "false"):
                value = inner == "true"
            kind = kind_of(value)
            if kind is not None:
                hint = first_hint(value, ("comment", m.group("comment") or ""),
                                  ("comment above", _above(lines, lineno)))  # fmt: skip
                start, end = pos + m.start("val"), pos + m.end("val")
                name = section + m.group("key")
                out.append(Setting(path, name, kind, value, start, end, form, hint, quote,
                                   words=words or ("true", "false")))
        pos += len(line)
    return out


def _above(lines: Sequence[str], lineno: int) -> str:
    """The comment lines (`#` or `;`) right above line `lineno`, joined."""
    found: list[str] = []
    i = lineno - 2
    while i >= 0 and lines[i].lstrip()[:1] in ("#", ";"):
        found.insert(0, lines[i].lstrip()[1:].strip())
        i -= 1
    return " ".join(found)
