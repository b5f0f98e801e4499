"""One value of YAML front matter replaced in place, in the style its author wrote it.

`edit_description` swaps a SKILL.md's `description` value inside the front matter as written:
the same scalar style (plain, quoted, `|` or `>` block, header and chomping kept), the rows that
hold no changed word byte for byte, every other key and comment untouched. The result is checked
by loading it back; None when no such edit loads back as the intended front matter.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import yaml


def edit_description(source: str, description: str, front: Mapping[str, Any]) -> str | None:
    """`source` with the description's value replaced in its own style, or None when the result
    would not load back as `front` (the description's whitespace aside: a value written over
    several lines is re-wrapped at the original's line width, and a block keeps its chomping)."""
    try:
        node = yaml.compose(source, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None
    if not isinstance(node, yaml.MappingNode):
        return None
    value = next(
        (v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == "description"),
        None,
    )
    if not isinstance(value, yaml.ScalarNode):
        return None
    start, end = value.start_mark.index, value.end_mark.index
    old, style, span = value.value, value.style or "", source[start:end]
    block = style in ("|", ">")
    content = span.rstrip() if block else span
    lines = content.split("\n")[1:] if block else content.split("\n")
    indent = " " * (value.start_mark.column + 2)
    own = lines[0] if block else lines[1] if len(lines) > 1 else ""
    if own.strip():  # the indent of the block's lines, or of a value's second line
        indent = own[: len(own) - len(own.lstrip())]
    first = source.rfind("\n", 0, start) + 1
    last = source.find("\n", start + len(content))
    width = None  # a value on one line stays on one line
    if len(lines) > 1:
        width = max(40, *(len(t) for t in source[first : last if last >= 0 else None].split("\n")))

    def escape(text: str) -> str:
        if style == "'":
            return text.replace("'", "''")
        return _double(text)[1:-1] if style == '"' else text

    def wrap(text: str, column: int) -> str:
        return _wrap(text, column, width, indent)

    candidates = [source] if description == old else []
    old_words, new_words = old.split(), description.split()
    if new_words[: len(old_words)] == old_words and len(new_words) > len(old_words):
        close = start + len(content) - (1 if style in ("'", '"') else 0)
        extra = escape(" " + " ".join(new_words[len(old_words) :]))
        column = close - (source.rfind("\n", 0, close) + 1)
        candidates.append(source[:close] + wrap(extra, column) + source[close:])
    column = start - first
    if style in ("", "'", '"'):
        quote = style if style else ""
        text = quote + escape(" ".join(new_words) if width else description) + quote
        candidates.append(source[:start] + wrap(text, column) + source[end:])
    if block:
        header = span.split("\n", 1)[0]
        changed = None
        if width and style == "|":  # a literal block's line breaks are the author's text
            changed = _insert_rows(lines, new_words, width, indent)
        if width and changed is None:
            changed = _rewrap_changed(lines, new_words, width, indent)
        if changed is not None:
            rows = changed
        elif width is not None and "\n" not in description.strip():
            rows = wrap(indent + " ".join(new_words), 0).split("\n")
        else:
            rows = [f"{indent}{t}" if t else "" for t in description.rstrip("\n").split("\n")]
        text = header + "\n" + "".join(f"{r}\n" for r in rows)
        candidates.append(source[:start] + text + source[end:].lstrip(" ").lstrip("\n"))
    candidates.append(source[:start] + "'" + description.replace("'", "''") + "'" + source[end:])
    for text in candidates:
        try:
            loaded = yaml.safe_load(text)
        except yaml.YAMLError:
            continue
        if _same_front(loaded, front):
            return text if text.endswith("\n") else text + "\n"
    return None


def _same_front(loaded: object, front: Mapping[str, Any]) -> bool:
    """Whether `loaded` is `front`, the description's whitespace aside."""
    if not isinstance(loaded, dict) or loaded.keys() != front.keys():
        return False
    a, b = loaded.get("description"), front.get("description")
    same = isinstance(a, str) and isinstance(b, str) and a.split() == b.split()
    return same and all(loaded[k] == front[k] for k in front if k != "description")


def _wrap(text: str, column: int, width: int | None, indent: str) -> str:
    """`text`, starting at `column`, broken at spaces into lines of at most `width` characters
    that continue at `indent` (None: one line)."""
    if width is None:
        return text
    out, at = "", column
    for i, word in enumerate(text.split(" ")):
        if i == 0:
            out, at = word, column + len(word)
        elif word and at + 1 + len(word) > width and at > len(indent):
            out, at = f"{out}\n{indent}{word}", len(indent) + len(word)
        else:
            out, at = f"{out} {word}", at + 1 + len(word)
    return out


def _insert_rows(
    rows: list[str], new_words: list[str], width: int, indent: str
) -> list[str] | None:
    """`rows` with rows of their own for words inserted where a row ends (a sentence put before
    a literal block's "Do NOT use ..." row), wrapped at `width`; every other row byte for byte.
    None when the change is not such an insertion."""
    located = [(i, w) for i, row in enumerate(rows) for w in row.split()]
    old = [w for _, w in located]
    added = len(new_words) - len(old)
    if not old or added <= 0:
        return None
    p = next((k for k in range(len(old)) if old[k] != new_words[k]), len(old))
    if old[p:] != new_words[p + added :]:
        return None
    at = located[p - 1][0] + 1 if p else 0  # the row after the word the insertion follows
    if p < len(old) and located[p][0] < at:
        return None  # the insertion falls inside a row
    inserted = _wrap(indent + " ".join(new_words[p : p + added]), 0, width, indent).split("\n")
    return rows[:at] + inserted + rows[at:]


def _rewrap_changed(
    rows: list[str], new_words: list[str], width: int, indent: str
) -> list[str] | None:
    """A block's `rows` holding `new_words`: the rows before the first changed word and after
    the last one kept byte for byte, the rows between re-wrapped at `width` (None when they
    span a blank line: a paragraph break is the author's)."""
    located = [(i, w) for i, row in enumerate(rows) for w in row.split()]
    old = [w for _, w in located]
    if not old or not new_words:
        return None
    n = min(len(old), len(new_words))
    p = next((k for k in range(n) if old[k] != new_words[k]), n)
    s = next((k for k in range(n - p) if old[-1 - k] != new_words[-1 - k]), n - p)
    if p == len(old) == len(new_words):
        return list(rows)
    first = located[min(p, len(old) - 1)][0]
    last = located[len(old) - s - 1][0] if len(old) - s - 1 >= p else first
    if any(not rows[i].strip() for i in range(first, last + 1)):
        return None
    start = next(k for k, (i, _) in enumerate(located) if i == first)
    while True:
        end = max(k for k, (i, _) in enumerate(located) if i == last) + 1
        middle = new_words[start : len(new_words) - (len(old) - end)]
        wrapped = _wrap(indent + " ".join(middle), 0, width, indent).split("\n") if middle else []
        after = rows[last + 1].split() if last + 1 < len(rows) else []
        tail = len(wrapped[-1]) if wrapped else len(indent) - 1
        if not after or tail + 1 + len(after[0]) > width:  # the next row starts where it did
            return rows[:first] + wrapped + rows[last + 1 :]
        last += 1  # a short row: the next one's words flow up, as the author's wrap would


def _double(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)
