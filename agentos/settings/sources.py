"""Where a setting's hint is read in Python source: the comment beside it, the comment lines
above it, a docstring after it, an annotation (`Literal[...]`, an `Enum`); the first that says
something wins (`first_hint`)."""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace

from agentos.settings.hints import Hint, read_hint


def first_hint(value: object, *sources: tuple[str, str]) -> Hint:
    """The hint of the first source that says something (a problem counts: it is reported)."""
    for source, text in sources:
        if text.strip():
            hint = read_hint(text, value)
            if hint.read or hint.problem:
                return replace(hint, source=source)
    return Hint()


def comment_above(lines: Sequence[str], lineno: int) -> str:
    """The comment lines right above line `lineno` (1-based), joined; '' if none."""
    found: list[str] = []
    i = lineno - 2
    while i >= 0 and lines[i].lstrip().startswith("#"):
        found.insert(0, lines[i].lstrip()[1:].strip())
        i -= 1
    return " ".join(found)


def docstring_of(node: ast.stmt | None) -> str:
    """An attribute docstring: a string statement right after the assignment."""
    if (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    ):
        return " ".join(node.value.value.split())
    return ""


_SECTION = re.compile(
    r"^(?:attributes|args|arguments|parameters|params|fields|keyword args|other parameters)"
    r"\s*:?\s*$", re.IGNORECASE)
_ENTRY = re.compile(r"^(\w+)\s*(?:\([^)]*\))?\s*:(?!\S)\s*(.*)$")  # `lr (float): x`, `lr : float`
_FIELD = re.compile(r"^:(?:param|ivar|cvar|var)\s+(?:\w+\s+)?(\w+)\s*:\s*(.*)$")  # Sphinx


def docstring_fields(node: ast.Module | ast.ClassDef) -> dict[str, str]:
    """What a module's or class's docstring says of each name it documents, joined into one
    line: a Google-style section (`Attributes:`, `Args:`, `Parameters:` and their `name (type):
    text` entries), a NumPy-style one (`Parameters` over a dashed line, `name : type` and its
    indented text) or Sphinx fields (`:param name: text`, `:ivar name: text`)."""
    doc = ast.get_docstring(node)
    if not doc:
        return {}
    out: dict[str, list[str]] = {}
    lines = doc.splitlines()
    section: int | None = None  # the indentation of the current section's entries
    name = ""
    for i, line in enumerate(lines):
        stripped, indent = line.strip(), len(line) - len(line.lstrip())
        if m := _FIELD.match(stripped):
            name = m.group(1)
            out[name] = [m.group(2)]
            section = None
            continue
        if _SECTION.match(stripped):
            dashed = i + 1 < len(lines) and set(lines[i + 1].strip()) == {"-"}
            section = indent if dashed else -1  # -1: the next line's indentation
            name = ""
            continue
        if not stripped or set(stripped) == {"-"}:
            continue
        if i + 1 < len(lines) and set(lines[i + 1].strip()) == {"-"}:
            section, name = None, ""  # another NumPy-style section (`Returns`)
            continue
        if section is not None and section == -1:
            section = indent
        if section is not None and indent == section and (m := _ENTRY.match(stripped)):
            name = m.group(1)
            out[name] = [m.group(2)]
        elif name and (section is None or indent > section):
            out[name].append(stripped)
        elif section is not None and indent < section:
            section, name = None, ""
    return {k: " ".join(" ".join(v).split()) for k, v in out.items()}


def _enum_classes(tree: ast.Module) -> list[ast.ClassDef]:
    """The `Enum` classes a module defines (`class Opt(str, Enum)`, `class M(enum.IntEnum)`)."""
    out: list[ast.ClassDef] = []
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            bases = [getattr(b, "attr", getattr(b, "id", "")) for b in node.bases]
            if any(str(b).endswith("Enum") for b in bases):
                out.append(node)
    return out


def enum_values(tree: ast.Module) -> dict[str, list[str]]:
    """The member values of each `Enum` class a module defines (`class Opt(str, Enum): SGD =
    "sgd"`), by class name: an annotation naming one of them lists the setting's choices."""
    return {
        node.name: [
            str(item.value.value)
            for item in node.body
            if isinstance(item, ast.Assign)
            and isinstance(item.value, ast.Constant)
            and not isinstance(item.value.value, bool)
        ]
        for node in _enum_classes(tree)
    }


def enum_members(tree: ast.Module) -> dict[str, list[str]]:
    """The members of each `Enum` class a module defines, as written in code (`Opt.SGD`), by class
    name: a setting whose value is one of them (`OPT = Opt.SGD`) chooses among them."""
    return {
        node.name: [
            f"{node.name}.{target.id}"
            for item in node.body
            if isinstance(item, ast.Assign)
            for target in item.targets
            if isinstance(target, ast.Name) and not target.id.startswith("_")
        ]
        for node in _enum_classes(tree)
    }


def annotation_choices(node: ast.stmt, enums: Mapping[str, Sequence[str]]) -> str:
    """The choices an annotation allows, as a hint (`choices: a|b`): `Literal["a", "b"]`, or an
    `Enum` class of the module (its member values)."""
    if not isinstance(node, ast.AnnAssign):
        return ""
    ann = _unwrapped(node.annotation)
    named = ann.attr if isinstance(ann, ast.Attribute) else getattr(ann, "id", "")
    if named in enums:
        return "choices: " + "|".join(enums[named]) if enums[named] else ""
    if not isinstance(ann, ast.Subscript):
        return ""
    head = ann.value
    name = head.attr if isinstance(head, ast.Attribute) else getattr(head, "id", "")
    if name != "Literal":
        return ""
    inner = ann.slice
    items = inner.elts if isinstance(inner, ast.Tuple) else [inner]
    texts = [str(i.value) for i in items if isinstance(i, ast.Constant)]
    return "choices: " + "|".join(texts) if texts else ""


def _unwrapped(ann: ast.expr) -> ast.expr:
    """The type an annotation wraps: `X` of `Optional[X]`, `X | None`, `Union[X, None]` and
    `Annotated[X, ...]` (a `None` default is no setting, so the wrapper adds no choice)."""
    while True:
        if isinstance(ann, ast.BinOp) and isinstance(ann.op, ast.BitOr):
            sides = [a for a in (ann.left, ann.right) if not _is_none(a)]
            if len(sides) != 1:
                return ann
            ann = sides[0]
            continue
        if not isinstance(ann, ast.Subscript):
            return ann
        head = ann.value
        name = head.attr if isinstance(head, ast.Attribute) else getattr(head, "id", "")
        args = ann.slice.elts if isinstance(ann.slice, ast.Tuple) else [ann.slice]
        if name == "Optional" or name == "Annotated":
            ann = args[0]
        elif name == "Union" and len(kept := [a for a in args if not _is_none(a)]) == 1:
            ann = kept[0]
        else:
            return ann


def _is_none(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


# A float in [0, 1] with one of these words in its name, and no hint, is kept in [0, 1): the one
# guess agentos makes from a name. Any bound read from a hint overrides it; `describe` shows it.
