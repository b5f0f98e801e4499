"""Settings found in editable files, and edits that change one value while keeping the rest.

A setting is a scalar (int, float, bool or str) with a name and the exact character span of its
literal in the file: in Python (found by AST) a module-level constant, a config class's field, a
config dict's entry or an argparse or click option's default; a scalar value in TOML, JSON or
YAML; a `KEY=value` line of a `.env` file or an INI file (`agentos.settings.scan` finds them).
Changing a setting rewrites only that span, so formatting, comments and the order of everything
else survive byte for byte.

A hint bounds the search: a trailing comment, else the comment lines right above the setting or a
docstring right below it (Python), or a `Literal[...]` or `Enum` annotation (Python); the task's
`[search.space]` table (`agentos.settings.space`) replaces any of them.
`agentos.settings.hints` reads agentos' own syntax and the forms people write:

    LR = 0.01          # range: 1e-5..1e-1 log      (or: between 1e-5 and 0.1)
    DEPTH = 4          # int, range 1..12           (or: 1-12 layers, min 1, max 12)
    OPTIMIZER = "adam" # choices: adam|sgd|adamw    (or: one of: adam, sgd, adamw)
    SEED = 1234        # fixed

A comment that looks like a hint but cannot be read is no hint; `hint_warnings` lists it, and
`describe` says what was understood about every setting and where it came from.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from agentos.settings.checks import scripts, with_checks
from agentos.settings.hints import Hint, parse_hint, unit_by_name
from agentos.settings.scan import Format, Kind, Setting, Value, find_settings
from agentos.settings.schema import with_schemas
from agentos.settings.space import Space, override

__all__ = [
    "NOTHING_TO_TUNE_FIX",
    "UNIT_HIGH",
    "Format",
    "Hint",
    "Kind",
    "Reader",
    "Setting",
    "Value",
    "apply",
    "describe",
    "disk_reader",
    "find_all",
    "find_settings",
    "guessed_unit",
    "hint_warnings",
    "known",
    "parse_hint",
    "render",
    "short",
    "unit_high",
    "values",
]  # fmt: skip


def find_all(
    files: Mapping[str, str],
    space: Space = (),
    read: Reader | None = None,
    evaluator: Sequence[str] = (),
) -> list[Setting]:
    """The settings of several files, in path order then file order. A JSON Schema beside a file
    (`agentos.settings.schema`), found in `files` or through `read`, hints the settings that have
    no hint of their own; then the checks of the metric command `evaluator` (its Python files
    and the repository modules they import, `agentos.settings.checks`) hint those still without
    one; `space` (the task's `[search.space]` table, `agentos.settings.space`) replaces any
    inferred hint.

    An argparse or click option's default is a setting only in a file among the metric command's
    Python files and the modules they import, and only when the command does not pass the
    option itself: elsewhere (a library's command-line module) changing it changes nothing the
    metric runs."""
    found = [s for p in sorted(files) for s in find_settings(p, files[p])]
    reader = read or _nothing
    found = with_schemas(found, reader, files)
    run = scripts(evaluator, _either(files, reader)) if evaluator else {}
    passed = {arg.split("=")[0] for arg in evaluator}
    found = [s for s in found if not s.flags or (s.path in run and not passed & set(s.flags))]
    if run:
        found = with_checks(found, run)
    return override(found, space) if space else found


Reader = Callable[[str], str | None]


def _nothing(path: str) -> None:
    return None


def _either(files: Mapping[str, str], read: Reader) -> Reader:
    """A `Reader` of `files` (the candidate's editable files) first, then of `read`."""
    return lambda path: files[path] if path in files else read(path)


def disk_reader(root: Path) -> Reader:
    """A `Reader` of the text files under `root` (None for a missing or unreadable one)."""

    def read(path: str) -> str | None:
        if not (root / path).is_file():
            return None  # as below, without resolving the path: most paths asked are missing
        file = (root / path).resolve()
        if not file.is_relative_to(root.resolve()) or not file.is_file():
            return None
        try:
            return file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None

    return read


def render(setting: Setting, value: Value) -> str:
    """The literal for `value` in the setting's file format."""
    if setting.kind == "bool":
        word = setting.words[0 if value else 1]
        return word.capitalize() if setting.format == "python" else word
    if setting.format in ("yaml", "env", "ini"):
        return _render_text(setting, value)
    if setting.kind == "str":
        text = str(value)
        if setting.format == "python" and setting.quote == "":  # an Enum member: `Mode.FAST`
            if text not in setting.hint.choices:
                raise ValueError(f"{setting.name}: {text!r} is not one of {setting.hint.choices}")
            return text
        if setting.format == "python" and (setting.quote == "'" or not _plain(text)):
            return repr(text)
        return json.dumps(text)
    if setting.kind == "int":
        return str(int(value))
    text = repr(float(value))
    if setting.format == "json" and ("inf" in text or "nan" in text):
        raise ValueError(f"{setting.name}: {text} has no JSON literal")
    return text


def _render_text(setting: Setting, value: Value) -> str:
    """A YAML, .env or INI literal, quoted as the setting was. A YAML float keeps a dot in its
    mantissa (`1.0e-05`): PyYAML reads `1e-05` as a string."""
    if setting.kind == "int":
        text = str(int(value))
    elif setting.kind == "float":
        text = repr(float(value))
        if "inf" in text or "nan" in text:
            raise ValueError(f"{setting.name}: {text} is not a number the file can hold")
        if setting.format == "yaml" and "e" in text and "." not in text:
            mantissa, exponent = text.split("e")
            text = f"{mantissa}.0e{exponent}"
    else:
        text = str(value)
    if setting.quote == "'" and "'" not in text:
        return f"'{text}'"
    if setting.quote == '"' or (setting.kind == "str" and not _bare(setting, text)):
        return json.dumps(text)
    return text


def _bare(setting: Setting, text: str) -> bool:
    """Whether a string can be written unquoted and read back as the same string."""
    if not re.fullmatch(r"[A-Za-z_][\w.+/-]*", text):
        return False
    if setting.format != "yaml":
        return True
    import yaml

    return bool(yaml.safe_load(text) == text)


def _plain(text: str) -> bool:
    return text.isprintable() and '"' not in text and "\\" not in text and "'" not in text


def short(value: Value) -> str:
    """A compact display of a value for one-line descriptions: four significant digits, or as
    many more as it takes to show the value itself (0.99999 is not 1)."""
    if isinstance(value, float):
        for digits in range(4, 18):
            text = f"{value:.{digits}g}"
            if float(text) == value:
                return text
        return repr(value)
    return str(value)


def apply(files: Mapping[str, str], changes: Sequence[tuple[Setting, Value]]) -> dict[str, str]:
    """Rewrite the changed literals; returns the full new text of every file that changed."""
    by_path: dict[str, list[tuple[Setting, Value]]] = {}
    for setting, value in changes:
        by_path.setdefault(setting.path, []).append((setting, value))
    out: dict[str, str] = {}
    for path, items in by_path.items():
        text = files[path]
        for setting, value in sorted(items, key=lambda sv: -sv[0].start):
            literal = render(setting, value)
            rest = _aligned(text[setting.end :], len(literal) - (setting.end - setting.start))
            text = text[: setting.start] + literal + rest
        out[path] = text
    return out


_PADDED_COMMENT = re.compile(r"(,?)( {3,})(?=#|;|//)")  # after a dict entry's comma too


def _aligned(rest: str, grown: int) -> str:
    """`rest` (what follows a rewritten literal) with the spaces before a comment on the same
    line (after the comma that ends a dict entry, if any) adjusted by `grown`, so a column of
    aligned comments stays aligned. Only padding of
    three spaces or more is taken for alignment, and two are always left (PEP 8's inline
    comment)."""
    m = _PADDED_COMMENT.match(rest)
    if m is None or grown == 0:
        return rest
    return m.group(1) + " " * max(2, len(m.group(2)) - grown) + rest[m.end(2) :]


def values(files: Mapping[str, str]) -> dict[str, Value]:
    """`name -> value` of every setting (the name is prefixed by its path when names repeat)."""
    found = find_all(files)
    names = [s.name for s in found]
    return {(s.name if names.count(s.name) == 1 else f"{s.path}:{s.name}"): s.value for s in found}


def hint_warnings(
    files: Mapping[str, str],
    read: Reader | None = None,
    evaluator: Sequence[str] = (),
    *,
    found: Sequence[Setting] | None = None,
) -> list[str]:
    """One line per setting whose comment (or schema, found as `find_all` finds it) looks like a
    hint but could not be read, naming the file, the line, the setting and the fix
    (`path:line NAME: problem`). Such a setting is searched as if it had no hint; the user should
    see this before a run. A `fixed` setting is not searched, so its comment is not reported.
    `found`: the settings `find_all(files, read=read, evaluator=evaluator)` already gave (read
    again when None)."""
    out: list[str] = []
    read_at = set()
    for s in find_all(files, read=read, evaluator=evaluator) if found is None else found:
        line = files[s.path].count("\n", 0, s.start) + 1
        read_at.add((s.path, line))
        if s.hint.problem and not s.hint.fixed:
            out.append(f"{s.path}:{line} {s.name}: {s.hint.problem}")
    for path, text in files.items():  # agentos' own hint syntax where no setting is read
        for line, content in enumerate(text.splitlines(), 1):
            if _OWN_HINT.search(content) and (path, line) not in read_at:
                out.append(
                    f"{path}:{line}: a hint where agentos reads no setting (a value inside a "
                    "function, an instance attribute, ...): settings are module constants, class "
                    "constants and hinted class attributes, config classes and dicts, "
                    "argparse/click defaults and settings-file keys"
                )
    return out


_OWN_HINT = re.compile(r"^\s*[^#\s].*#\s*(?:range|choices)\s*:")  # after code, not a comment line


NOTHING_TO_TUNE_FIX = (
    "make `editable` name files with settings (numbers or booleans assigned once at "
    "module level or in a config class or dict, upper-case class constants, argparse or click "
    "defaults, TOML, JSON, YAML, .env or INI values), add hints (`# range: 1..64`) to such "
    'settings, or use a Claude provider ([llm] provider = "anthropic" with ANTHROPIC_API_KEY '
    "set)"
)
UNIT_HIGH = 0.999  # the upper bound of a float `guessed_unit` keeps in [0, 1)


def unit_high(setting: Setting) -> float:
    """The upper bound of a `guessed_unit` float: `UNIT_HIGH`, or its value when above it (a
    convergence threshold at 0.99999)."""
    return max(UNIT_HIGH, float(setting.value))


def guessed_unit(setting: Setting) -> bool:
    """Whether a float without bounds is kept in [0, 1) because its name reads as a probability."""
    return setting.kind == "float" and unit_by_name(setting.name, setting.value, setting.hint)


def describe(setting: Setting) -> str:
    """What the search knows about one setting and where it came from, in one line."""
    return f"{setting.name} = {short(setting.value)}: {known(setting)}"


def why_fixed(setting: Setting) -> str:
    """Why a setting that is not `mutable` is not searched."""
    if setting.hint.fixed:
        return "fixed"
    if setting.unsearched:
        return setting.unsearched
    return "a string without choices"


def known(setting: Setting) -> str:
    """`describe` without the `NAME = value: ` head: the range or choices and their source."""
    h = setting.hint
    if not setting.mutable:
        return f"not searched ({why_fixed(setting)})"
    if setting.kind == "bool":
        return "true|false"
    open_sides = [b for b, v in (("low", h.low), ("high", h.high)) if v is None]
    if h.read:
        one = f"the {''.join(open_sides)} bound grows"
        sides = "both bounds grow" if len(open_sides) == 2 else one
        grows = f"; {sides} with evidence" if open_sides else ""
        numeric = not h.choices and not h.fixed and setting.kind in ("int", "float")
        return f"{h.read} (from the {h.source})" + (grows if numeric else "")
    if guessed_unit(setting):
        return f"0..{short(unit_high(setting))} guessed from the name (no hint)"
    return "no hint, a range around its value that grows with evidence"
