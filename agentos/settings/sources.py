"""Where a setting's hint is read in Python source: the comment beside it, the comment lines
above it, a docstring after it, an annotation (`Literal[...]`, an `Enum`); the first that says
something wins (`first_hint`)."""

from __future__ import annotations

import ast
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
    ann = node.annotation
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


# A float in [0, 1] with one of these words in its name, and no hint, is kept in [0, 1): the one
# guess agentos makes from a name. Any bound read from a hint overrides it; `describe` shows it.
