"""The search space as a table the user reads and edits: `[search.space]` in agentos.toml.

`agentos check --write-space` writes what the heuristic proposer inferred about each setting
(from its hint comment, annotation, docstring, schema, the evaluator's checks or its value) as
one entry per setting, keyed `PATH:NAME`, with where it came from as the entry's comment:

    [search.space]
    "train.py:LR" = {type = "float", low = 1e-05, high = 0.1, log = true} # from the comment
    "train.py:DEPTH" = {type = "int", low = 1} # from the comment; no high bound: grows
    "train.py:OPTIMIZER" = {type = "choice", choices = ["adam", "sgd", "lion"]} # from the comment
    "train.py:USE_BN" = {type = "bool"}
    "train.py:SEED" = {type = "fixed"} # fixed

`type` is `int`, `float`, `bool`, `choice` or `fixed`; `low`, `high` (either may be left out:
that side grows with evidence) and `log` go with `int` and `float`; `choices` (two or more) with
`choice`. The table is the authority: an entry replaces whatever was inferred for its setting
(the proposer and `agentos check` read it back), a setting without an entry keeps its inferred
space, and a later `agentos check` only adds entries for settings the table lacks. A malformed
entry is a `UserError` naming agentos.toml and the fix when the task loads; an entry that names no
setting, or whose type the setting's value does not have, is one when `agentos check` reads the
editable files.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, get_args

from agentos.errors import UserError
from agentos.settings.hints import Hint

if TYPE_CHECKING:
    from agentos.settings import Setting

SpaceType = Literal["int", "float", "bool", "choice", "fixed"]
SOURCE = "[search.space] table"
_FIELDS: dict[str, frozenset[str]] = {
    "int": frozenset({"type", "low", "high", "log"}),
    "float": frozenset({"type", "low", "high", "log"}),
    "choice": frozenset({"type", "choices"}),
    "bool": frozenset({"type"}),
    "fixed": frozenset({"type"}),
}
_EXAMPLE = '{ type = "float", low = 0.0001, high = 0.1, log = true }'


@dataclass(frozen=True)
class SpaceEntry:
    """One setting's search space as the `[search.space]` table states it."""

    key: str  # PATH:NAME
    type: SpaceType
    low: float | None = None
    high: float | None = None
    log: bool = False
    choices: tuple[str, ...] = ()

    def hint(self) -> Hint:
        """The entry as the hint it replaces (`source` says it came from the table)."""
        if self.type == "fixed":
            return Hint(fixed=True, read="fixed", source=SOURCE)
        if self.type == "choice":
            return Hint(choices=self.choices, read="choices " + "|".join(self.choices),
                        source=SOURCE)  # fmt: skip
        if self.type == "bool":
            return Hint(read="true|false", source=SOURCE)
        lo, hi = ("" if b is None else f"{b:g}" for b in (self.low, self.high))
        bounded = self.low is not None or self.high is not None
        read = (f"range {lo}..{hi}" if bounded else f"any {self.type}") + (
            ", log" if self.log else "")
        return Hint(self.low, self.high, self.log, read=read, source=SOURCE)


Space = tuple[SpaceEntry, ...]


def parse_space(table: object, path: Path | str) -> Space:
    """Validate the decoded `[search.space]` table of the task file at `path`."""
    if table is None:
        return ()
    if not isinstance(table, dict):
        raise _error(path, "[search.space] must be a table", "write it as [search.space]")
    return tuple(_entry(str(k), v, path) for k, v in table.items())


def _entry(key: str, raw: object, path: Path | str) -> SpaceEntry:
    where = f"[search.space] {key!r}"
    if ":" not in key or not key.split(":", 1)[0] or not key.rsplit(":", 1)[1]:
        raise _error(path, f"{where}: the key must be PATH:NAME", 'write it as "train.py:LR"')
    if not isinstance(raw, dict):
        raise _error(path, f"{where} must be an inline table", f"write it as {_EXAMPLE}")
    kind = raw.get("type")
    if kind not in _FIELDS:
        types = ", ".join(get_args(SpaceType))
        raise _error(path, f"{where}: type {kind!r} is not one of {types}",
                     f'set type to one of {types} (type = "float")')  # fmt: skip
    for name in raw:
        if name not in _FIELDS[kind]:
            close = difflib.get_close_matches(name, sorted(_FIELDS[kind]), n=1, cutoff=0.6)
            takes = ", ".join(sorted(_FIELDS[kind]))
            fix = f"did you mean `{close[0]}`? " if close else "remove it "
            raise _error(path, f"{where}: an entry of type {kind} takes no {name!r}",
                         f"{fix}({takes})")  # fmt: skip
    if kind == "choice":
        items = raw.get("choices")
        ok = isinstance(items, list) and all(
            isinstance(i, str | int | float) and not isinstance(i, bool) for i in items
        )
        unique = tuple(dict.fromkeys(str(i) for i in items)) if ok and items else ()
        if len(unique) < 2:
            raise _error(path, f"{where}: choices must list two or more values",
                         'write choices = ["a", "b"]')  # fmt: skip
        return SpaceEntry(key, "choice", choices=unique)
    if kind in ("bool", "fixed"):
        return SpaceEntry(key, kind)
    low, high = (_number(raw.get(b), f"{where}: {b}", path) for b in ("low", "high"))
    log = raw.get("log", False)
    if not isinstance(log, bool):
        raise _error(path, f"{where}: log must be true or false", "write log = true")
    if low is not None and high is not None and low >= high:
        raise _error(path, f"{where}: low {low:g} is not below high {high:g}",
                     "make low smaller than high")  # fmt: skip
    if log and low is not None and low <= 0:
        raise _error(path, f"{where}: a log scale needs low > 0 (low is {low:g})",
                     "raise low above 0 or set log = false")  # fmt: skip
    return SpaceEntry(key, kind, low, high, log)


def _number(value: object, where: str, path: Path | str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _error(path, f"{where} must be a finite number, not {value!r}",
                     "write a number, or leave the bound out")  # fmt: skip
    return float(value)


def _error(path: Path | str, message: str, fix: str) -> UserError:
    return UserError(message, path=path, fix=fix)


# --- the table against the settings found -----------------------------------------------------


def key_of(setting: Setting) -> str:
    """The entry key of a setting: `PATH:NAME`."""
    return f"{setting.path}:{setting.name}"


def override(settings: Sequence[Setting], space: Space) -> list[Setting]:
    """The settings with each table entry's space in place of the inferred one. An entry whose
    type the setting's value does not have is left out (`space_problems` reports it)."""
    from dataclasses import replace

    by_key = {e.key: e for e in space}
    out = []
    for s in settings:
        e = by_key.get(key_of(s))
        out.append(replace(s, hint=e.hint()) if e is not None and not _mismatch(s, e) else s)
    return out


def space_problems(settings: Sequence[Setting], space: Space) -> list[str]:
    """One line per table entry that names no setting of the editable files, or whose type the
    setting's value does not have."""
    found = {key_of(s): s for s in settings}
    out = []
    for e in space:
        s = found.get(e.key)
        if s is None:
            close = nearest_key(e.key, found)
            near = f" (did you mean {close!r}?)" if close else ""
            out.append(f"[search.space] {e.key!r} names no setting of the editable files{near}")
        elif _mismatch(s, e):
            out.append(f"[search.space] {e.key!r}: type {e.type} does not fit the value "
                       f"{s.value!r} ({s.kind})")  # fmt: skip
    return out


def nearest_key(key: str, keys: Iterable[str]) -> str | None:
    """The entry key of `keys` a misspelt `key` most likely meant: among those difflib finds
    close (ratio 0.6 or more), the one whose last name part is the fewest edits from `key`'s
    (`optim.lrr` means `optim.lr`, not `optim.name`, and `optim.dr` `optim.lr`, not
    `optim.wd`), then the fewest edits over the whole key; None when none is close."""
    choices = sorted(keys)
    close = difflib.get_close_matches(key, choices, n=max(1, len(choices)), cutoff=0.6)

    def leaf(k: str) -> str:
        return k.rsplit(":", 1)[-1].rsplit(".", 1)[-1]

    ranked = sorted(close, key=lambda k: (_edits(leaf(key), leaf(k)), _edits(key, k)))
    return ranked[0] if ranked else None


def _edits(a: str, b: str) -> int:
    """The Levenshtein distance: single-character insertions, deletions and substitutions."""
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
    return row[-1]


def _mismatch(s: Setting, e: SpaceEntry) -> bool:
    if e.type == "fixed":
        return False
    if e.type == "bool":
        return s.kind != "bool"
    if e.type == "choice":
        return s.kind == "bool"
    return s.kind != e.type and not (s.kind == "int" and e.type == "float")


# --- writing the inferred space -----------------------------------------------------------------


def inferred(setting: Setting) -> tuple[dict[str, Any], str]:
    """A setting's inferred space as a table entry, and the comment saying where it came from."""
    from agentos.settings import guessed_unit, unit_high, why_fixed

    h = setting.hint
    if not setting.mutable:
        return {"type": "fixed"}, "fixed" if h.fixed else f"{why_fixed(setting)}: not searched"
    if setting.kind == "bool":
        return {"type": "bool"}, ""
    where = f"from the {h.source}" if h.source else ""
    if h.choices:
        items: list[Any] = [_typed(setting, c) for c in h.choices]
        return {"type": "choice", "choices": items}, where
    entry: dict[str, Any] = {"type": setting.kind}
    if guessed_unit(setting):
        entry.update(low=0.0, high=unit_high(setting))
        return entry, "guessed from the name"
    for name, bound in (("low", h.low), ("high", h.high)):
        if bound is not None:
            entry[name] = int(bound) if setting.kind == "int" and bound == int(bound) else bound
    if h.log:
        entry["log"] = True
    missing = [b for b in ("low", "high") if b not in entry]
    grows = f"no {' or '.join(missing)} bound: grows with evidence" if missing else ""
    return entry, "; ".join(x for x in (where, grows) if x)


def _typed(setting: Setting, choice: str) -> Any:
    try:
        return int(choice) if setting.kind == "int" else float(choice) if setting.kind == "float" \
            else choice  # fmt: skip
    except ValueError:
        return choice


def write_space(task_path: Path, settings: Sequence[Setting], space: Space) -> int:
    """Add an entry to the `[search.space]` table of the task file for every setting the table
    lacks, each with its provenance comment; the rest of the file is kept as it was. Returns how
    many entries were added."""
    import tomlkit

    have = {e.key for e in space}
    new = [s for s in settings if key_of(s) not in have]
    if not new:
        return 0
    before = task_path.read_text(encoding="utf-8")
    doc = tomlkit.parse(before)
    search = doc.get("search")
    if search is None:
        search = tomlkit.table(is_super_table=True)
        doc["search"] = search
    table = search.get("space")
    created = table is None
    if table is None:
        table = tomlkit.table()
        search["space"] = table
    for s in new:
        entry, comment = inferred(s)
        item = tomlkit.inline_table()
        item.update(entry)
        if comment:
            item.comment(comment)
        table[key_of(s)] = item
    if created:
        table.add(tomlkit.nl())  # a blank line before the next table, as the rest are written
    text = tomlkit.dumps(doc)
    if text.endswith("\n\n") and not before.endswith("\n\n"):
        text = text.rstrip("\n") + "\n"  # the table came last: no blank line at the end
    task_path.write_text(text, encoding="utf-8")
    return len(new)
