"""Settings as data: the editable settings files' values, handed to the evaluator as JSON.

An evaluator that imports an editable `settings.py` runs the candidate's code in its own process,
with its power over the score (print a line, rewrite stdout, exit). So agentos reads the editable
settings files itself, as data, never executing them, and writes their values to one JSON file in
the run's working copy. The values of each settings file go to one JSON file of
their own, at the settings file's path plus `.json` in the folder `$AGENTOS_SETTINGS` names
(`.agentos/settings`, relative to the folder the metric command starts in):

    .agentos/settings/settings.py.json        {"LEARNING_RATE": 0.05, "WIDTH": 16}
    .agentos/settings/conf/train.toml.json    {"optimizer": {"lr": 0.001}}

A settings file is an editable TOML, JSON or YAML file (a YAML one without tags, anchors or
aliases), or an editable Python file that holds nothing but
literal assignments (`data_problems` is empty: no import, call, attribute, operator or statement
besides `NAME = literal`, `NAME: type = literal` and docstrings). A Python file that is code is left
out, so an evaluator reading its JSON finds none rather than stale values.

The read audit sees the evaluator open a settings JSON file; `credit_reads` then counts the
settings file it came from as read (that file alone: one JSON file per settings file keeps the
proof exact), so the proof that a change ran (`agentos.evaluate.unread_change`) holds.
"""

from __future__ import annotations

import ast
import json
import math
import os
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from agentos.git import blob_id
from agentos.settings import pyast

SETTINGS_ENV = "AGENTOS_SETTINGS"
SETTINGS_DIR = ".agentos/settings"
SUFFIXES = (".py", ".toml", ".json", ".yaml", ".yml")
MAX_BYTES = 1 << 20


def data_problems(path: str, text: str) -> list[tuple[int, str]]:
    """`(line, what)` for everything in a settings file that is not data; empty when it is data.

    TOML and JSON are data by nature: only a parse error is a problem. A Python file may hold only
    docstrings and assignments of literals (`ast.literal_eval`) to plain names, with annotations
    that are names or subscripted names (`int`, `list[int]`), evaluated by nothing but Python."""
    return _parse(path, text)[1]


def _parse(path: str, text: str) -> tuple[object, list[tuple[int, str]]]:
    """The parsed file (a TOML or JSON document, or a Python module's AST) and its problems; the
    file is parsed once whether its problems or its values are wanted."""
    if path.endswith(".toml"):
        try:
            return tomllib.loads(text), []
        except tomllib.TOMLDecodeError as exc:
            return None, [(0, f"not valid TOML ({exc})")]
    if path.endswith(".json"):
        try:
            return json.loads(text), []
        except json.JSONDecodeError as exc:
            return None, [(exc.lineno, f"not valid JSON ({exc.msg})")]
    if path.endswith((".yaml", ".yml")):
        return _yaml(text)
    try:
        tree = pyast.parse(text)
    except (SyntaxError, ValueError) as exc:
        return None, [(getattr(exc, "lineno", 0) or 0, f"does not parse ({exc})")]
    problems = []
    for node in tree.body:
        why = _not_data(node)
        if why:
            problems.append((node.lineno, why))
    return tree, problems


def _yaml(text: str) -> tuple[object, list[tuple[int, str]]]:
    """A YAML document and its problems: a tag (`!!python/object/apply:os.system`, which an
    evaluator's `yaml.load` with an unsafe loader would run) and an anchor or alias (an alias
    bomb grows a 1 kB file into gigabytes of values) are not data."""
    import yaml

    problems = []
    try:
        for token in yaml.scan(text):
            if isinstance(token, yaml.TagToken):
                problems.append((token.start_mark.line + 1, "a YAML tag"))
            elif isinstance(token, yaml.AnchorToken | yaml.AliasToken):
                problems.append((token.start_mark.line + 1, "a YAML anchor or alias"))
        if problems:
            return None, problems
        return yaml.safe_load(text), []
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        why = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return None, [((mark.line + 1) if mark else 0, f"not valid YAML ({why})")]


def _not_data(node: ast.stmt) -> str | None:
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
        return None if isinstance(node.value.value, str) else "an expression statement"
    if isinstance(node, ast.Assign):
        if not all(isinstance(t, ast.Name) for t in node.targets):
            return "an assignment to something other than a plain name"
        return _literal(node.value)
    if isinstance(node, ast.AnnAssign):
        if not isinstance(node.target, ast.Name) or node.value is None:
            return "an annotation without a plain name and a value"
        if not _type_expr(node.annotation):
            return "an annotation that is not a type name"
        return _literal(node.value)
    kind = type(node).__name__.lower()
    names = {"import": "an import", "importfrom": "an import", "expr": "an expression statement"}
    return names.get(kind, f"a {kind} statement")


def _literal(expr: ast.expr) -> str | None:
    try:
        ast.literal_eval(expr)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return f"a value that is not a literal ({type(expr).__name__})"
    return None


def _type_expr(expr: ast.expr) -> bool:
    if isinstance(expr, ast.Name) or (
        isinstance(expr, ast.Constant) and isinstance(expr.value, str | type(None))
    ):
        return True
    if isinstance(expr, ast.Subscript):
        inner = expr.slice.elts if isinstance(expr.slice, ast.Tuple) else [expr.slice]
        return isinstance(expr.value, ast.Name) and all(_type_expr(e) for e in inner)
    return False


def data_values(path: str, text: str) -> dict[str, Any] | None:
    """The values of a settings file as JSON-shaped data, or None when it is not data.

    Python: `NAME -> value` for each literal assignment (the last one wins, as when run; tuples
    and sets become lists; a value JSON cannot hold, such as bytes or a complex number, is left
    out). TOML and YAML: the document when it is a table (dates as ISO text). JSON: the document
    when it is an object."""
    parsed, problems = _parse(path, text)
    if problems:
        return None
    if path.endswith((".toml", ".yaml", ".yml")):
        doc = _jsonable(parsed, str)
        return doc if isinstance(doc, dict) else {}
    if path.endswith(".json"):
        return parsed if isinstance(parsed, dict) else {"value": parsed}
    assert isinstance(parsed, ast.Module)
    out: dict[str, Any] = {}
    for node in parsed.body:
        targets = node.targets if isinstance(node, ast.Assign) else []
        if isinstance(node, ast.AnnAssign) and node.value is not None:
            targets = [node.target]
        if not targets:
            continue
        assert isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None
        value = _jsonable(ast.literal_eval(node.value), None)
        for target in targets:
            assert isinstance(target, ast.Name)
            if value is not _SKIP:
                out[target.id] = value
            else:
                out.pop(target.id, None)
    return out


_SKIP = object()


def _jsonable(value: object, other: Callable[[object], object] | None) -> object:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else _SKIP
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=repr) if isinstance(value, set | frozenset) else value
        out = [_jsonable(v, other) for v in items]
        return _SKIP if any(v is _SKIP for v in out) else out
    if isinstance(value, dict):
        pairs = {str(k): _jsonable(v, other) for k, v in value.items()}
        return {k: v for k, v in pairs.items() if v is not _SKIP}
    return other(value) if other is not None else _SKIP


def settings_document(tree: Path, is_editable: Callable[[str], bool]) -> dict[str, Any]:
    """`{path: values}` for every editable settings file in the snapshot `tree` that is data."""
    doc: dict[str, Any] = {}
    root = tree.resolve()
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in (".git", ".agentos"))
        for name in sorted(files):
            full = Path(folder) / name
            rel = full.relative_to(root).as_posix()
            if not rel.endswith(SUFFIXES) or not is_editable(rel) or full.is_symlink():
                continue
            try:
                if full.stat().st_size > MAX_BYTES:
                    continue
                text = full.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            values = data_values(rel, text)
            if values:
                doc[rel] = values
    return doc


def write_documents(work: Path, doc: Mapping[str, Any]) -> dict[str, str]:
    """Write each file's values to `work/SETTINGS_DIR/<path>.json`; return `{JSON path: blob}`
    keyed by the JSON file's path relative to `work`, as the read audit names it."""
    written = {}
    for rel, values in doc.items():
        name = f"{SETTINGS_DIR}/{rel}.json"
        data = json.dumps(values, indent=1, sort_keys=True).encode()
        target = work / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        written[name] = blob_id(data)
    return written


def credit_reads(reads: Mapping[str, str] | None, written: Mapping[str, str], tree: Path
                 ) -> Mapping[str, str] | None:
    """`reads`, plus each settings file (at its snapshot blob) whose JSON file the run read with
    the bytes agentos wrote (`written`, from `write_documents`); unchanged otherwise."""
    if reads is None:
        return None
    credited = dict(reads)
    prefix = SETTINGS_DIR + "/"
    for name, blob in written.items():
        if reads.get(name) == blob:
            rel = name[len(prefix) : -len(".json")]
            credited.setdefault(rel, blob_id((tree / rel).read_bytes()))
    return credited
