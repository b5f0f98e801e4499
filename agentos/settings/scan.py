"""Finding settings in a file's text, each with the exact character span of its literal and the
hint read beside it (`agentos.settings.hints`). `agentos.settings` edits and describes what is
found here.

Python (by AST): module-level constants; the fields of a config class (`@dataclass class
TrainConfig`, a pydantic `BaseModel` or `BaseSettings`, a plain `class CFG:`: a class named like a
config or a pydantic settings class), named `Class.field`, with `Field(default, ge=..., le=...)` or
`field(default=...)` read for the default and its bounds; the entries of a config dict
(`HPARAMS = {"lr": 3e-4}`, `cfg = dict(lr=3e-4)`), named `HPARAMS.lr`; and argparse or click
options with a literal default (`parser.add_argument("--lr", type=float, default=0.01,
help="1e-5 to 1e-1")`, `@click.option("--lr", default=0.01, type=click.FloatRange(0, 1))`),
named by their destination (`lr`), with `choices=`, click's type and the help text as hints.
TOML, JSON, YAML, `.env` and INI files: `agentos.settings.formats`.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping, Sequence

from agentos.settings import pyast
from agentos.settings.code_checks import CheckReader, argument_name, keyword
from agentos.settings.codes import enumerations
from agentos.settings.formats import (
    env_settings,
    ini_settings,
    json_settings,
    toml_settings,
    yaml_settings,
)
from agentos.settings.hints import Hint, parse_hint, read_hint
from agentos.settings.memo import memoized
from agentos.settings.project import is_project_file, own_settings
from agentos.settings.setting import Format, Kind, Setting, Value, kind_of
from agentos.settings.sources import (
    annotation_choices,
    comment_above,
    docstring_fields,
    docstring_of,
    enum_members,
    enum_values,
    first_hint,
)

__all__ = ["Format", "Kind", "Setting", "Value", "find_settings"]


def find_settings(path: str, text: str) -> list[Setting]:
    """Every scalar setting in one file, by its suffix: `.py`, `.toml`, `.json`, `.yaml` or
    `.yml`, `.env` (`.env`, `train.env`), `.ini` or `.cfg`; else none.

    A file that does not parse yields no settings (the gates report the syntax error). The
    settings of the texts read most recently are kept (`agentos.settings.memo`): a search reads
    the same few texts over and over.
    """
    return list(_settings(path, text))


@memoized(1024)
def _settings(path: str, text: str) -> tuple[Setting, ...]:
    return tuple(_scan(path, text))


def _scan(path: str, text: str) -> list[Setting]:
    if is_project_file(path):  # only the application's own tables
        found = toml_settings(path, text) if path.endswith(".toml") else ini_settings(path, text)
        return own_settings(path, found)
    if path.endswith(".py"):
        return _python(path, text)
    if path.endswith(".toml"):
        return toml_settings(path, text)
    if path.endswith(".schema.json"):
        return []  # a schema bounds the settings of another file (`agentos.settings.schema`)
    if path.endswith(".json"):
        return json_settings(path, text)
    if path.endswith((".yaml", ".yml")):
        return yaml_settings(path, text)
    if path.endswith(".env"):
        return env_settings(path, text)
    if path.endswith((".ini", ".cfg")):
        return ini_settings(path, text)
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
        tree = pyast.parse(text)
    except (SyntaxError, ValueError):
        return []
    py = _Python(path, text, tree)
    found = py.body(tree.body, "", docstring_fields(tree)) + py.arguments()
    return sorted(found, key=lambda s: s.start)


# A class whose fields are settings, or a dict whose entries are: named like a config (a class
# may also be a pydantic settings class).
_CONFIG_NAME = re.compile(
    r"(config|cfg|conf|settings|params|hparams|hyperparameters|args|arguments|options|opts"
    r"|defaults)$",
    re.IGNORECASE,
)
_DEFAULT_CALLS = ("Field", "field", "attr.ib", "attrib", "ib")


def _enum_or_test(node: ast.ClassDef) -> bool:
    """An `Enum` (its members are choices, not settings) or a test case."""
    bases = [ast.unparse(b) for b in node.bases]
    return node.name.startswith("Test") or any(b.endswith(("Enum", "Flag")) for b in bases)


def _config_class(node: ast.ClassDef, nested: bool) -> bool:
    bases = [ast.unparse(b) for b in node.bases]
    if _enum_or_test(node) or (nested and node.name == "Config"):
        return False  # pydantic v1's inner `Config` configures pydantic
    return bool(_CONFIG_NAME.search(node.name)) or any(b.endswith("BaseSettings") for b in bases)


_ASKED = re.compile(r"\s*(?:range|choices)\s*:")


class _Python:
    """The settings of one parsed Python module."""

    def __init__(self, path: str, text: str, tree: ast.Module):
        self.path, self.text, self.tree = path, text, tree
        self.lines = text.splitlines(keepends=True)
        self.starts = _line_starts(text)
        self.rebound = _rebound(tree)
        self.enums, self.members = enum_values(tree), enum_members(tree)
        self.checks = CheckReader(path, tree)

    def offset(self, lineno: int, col: int) -> int:
        # ast columns count UTF-8 bytes; convert to characters within the line.
        line = self.lines[lineno - 1]
        return self.starts[lineno - 1] + len(line.encode("utf-8")[:col].decode("utf-8", "replace"))

    def hinted(self, node: ast.stmt) -> bool:
        """Whether an assignment's comment reads as a hint (a range, choices, `fixed`)."""
        value = getattr(node, "value", None)
        if not isinstance(node, ast.Assign | ast.AnnAssign) or not isinstance(value, ast.expr):
            return False
        return bool(parse_hint(self.comment_after(value)).read)

    def comment_after(self, expr: ast.expr) -> str:
        """The comment on the line where `expr` ends, after it."""
        assert expr.end_lineno is not None and expr.end_col_offset is not None
        end = self.offset(expr.end_lineno, expr.end_col_offset)
        rest = self.lines[expr.end_lineno - 1][end - self.starts[expr.end_lineno - 1] :]
        hash_at = rest.find("#")
        return rest[hash_at + 1 :] if hash_at >= 0 else ""

    def body(
        self,
        body: Sequence[ast.stmt],
        prefix: str,
        documented: Mapping[str, str],
        constants: bool = False,
    ) -> list[Setting]:
        """The settings a module's (`prefix` '') or a config class's statements assign;
        `documented` is what the module's or class's docstring says of each name. With
        `constants`, an ordinary class's: its upper-case constants (`SHORTCUT_THRESHOLD =
        0.95`), and a lower-case attribute only with a `# range:` or `# choices:` comment. A run
        of integer constants counting by one numbers categories or states (`codes.enumerations`), so
        none of it is a setting."""
        out: list[Setting] = []
        codes = enumerations(body, self.hinted)
        for index, node in enumerate(body):
            if isinstance(node, ast.ClassDef):
                inner = f"{prefix}{node.name}."
                if _config_class(node, bool(prefix)):
                    out += self.body(node.body, inner, docstring_fields(node))
                elif not (prefix or _enum_or_test(node)):
                    out += self.body(node.body, inner, docstring_fields(node), constants=True)
                continue
            if index in codes:
                continue
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                target, expr = node.targets[0], node.value
            elif isinstance(node, ast.AnnAssign) and node.value is not None:
                target, expr = node.target, node.value
            else:
                continue
            if not isinstance(target, ast.Name) or _not_a_setting(target.id):
                continue
            # an ordinary class's lower-case attribute is a setting only when its comment asks
            # for a search in agentos' own words (`# range: 10..200`)
            if constants and not target.id.isupper() and not _ASKED.match(self.comment_after(expr)):
                continue
            if not prefix and target.id in self.rebound:
                continue
            if _CONFIG_NAME.search(target.id) and _entries(expr):
                out += self.entries(expr, prefix + target.id)
                continue
            after = body[index + 1] if index + 1 < len(body) else None
            setting = self.assigned(node, prefix + target.id, expr, after,
                                    documented.get(target.id, ""))
            if setting is not None:
                out.append(setting)
        return out

    def assigned(
        self,
        node: ast.Assign | ast.AnnAssign,
        name: str,
        expr: ast.expr,
        after: ast.stmt | None,
        documented: str = "",
    ) -> Setting | None:
        default = _default(expr)
        found = self.literal(default)
        if found is None:
            return None
        value, kind, start, end = found
        comment, above = self.comment_after(expr), comment_above(self.lines, node.lineno)
        if isinstance(default, ast.Attribute):
            hint = _member_hint(str(value), self.members, comment, above)
            return Setting(self.path, name, "str", value, start, end, "python", hint, "")
        declared = self.checks.declared(node, kind == "int") if default is not expr else ""
        described = _description(expr)
        hint = first_hint(
            value,
            ("Field constraints", declared),
            ("comment", comment),
            ("annotation", annotation_choices(node, self.enums)),
            ("field description", _text(described)),
            ("comment above", above),
            ("docstring", docstring_of(after)),
            ("class docstring" if "." in name else "module docstring", documented),
        )
        quote = "'" if self.text[start:end].endswith("'") else '"'
        return Setting(self.path, name, kind, value, start, end, "python", hint, quote)

    def entries(self, expr: ast.expr, name: str) -> list[Setting]:
        """The scalar entries of a config dict (`CONFIG = {"lr": 0.01}`, `dict(lr=0.01)`), named
        `CONFIG.lr`, nested dicts too; a comment counts when the entry ends its line."""
        out: list[Setting] = []
        for key, line, value in _entries(expr):
            if _entries(value):
                out += self.entries(value, f"{name}.{key}")
                continue
            found = self.literal(value)
            if found is None or isinstance(value, ast.Attribute):
                continue
            literal, kind, start, end = found
            eol = self.text.find("\n", end)
            rest = self.text[end : eol if eol >= 0 else None]
            comment = m.group(1) if (m := re.match(r"\s*,?\s*#(.*)", rest)) else ""
            hint = first_hint(literal, ("comment", comment),
                              ("comment above", comment_above(self.lines, line)))  # fmt: skip
            quote = "'" if self.text[start:end].endswith("'") else '"'
            out.append(Setting(self.path, f"{name}.{key}", kind, literal, start, end, "python",
                               hint, quote))  # fmt: skip
        return out

    def literal(self, expr: ast.expr) -> tuple[Value, Kind, int, int] | None:
        """A literal's value, kind and span: a constant, a negative number, or a member of an
        `Enum` of this module (`Mode.SAFE`, a string written bare)."""
        value: object
        if isinstance(expr, ast.Constant):
            value = expr.value
        elif (
            isinstance(expr, ast.UnaryOp)
            and isinstance(expr.op, ast.USub)
            and isinstance(expr.operand, ast.Constant)
            and kind_of(expr.operand.value) in ("int", "float")
        ):
            value = -expr.operand.value  # type: ignore[operator]
        elif _member(expr, self.members):
            value = ast.unparse(expr)
        else:
            return None
        kind = kind_of(value)
        if kind is None or expr.end_lineno is None or expr.end_col_offset is None:
            return None
        if kind == "str" and expr.lineno != expr.end_lineno:
            return None  # a multi-line string is text, not a setting
        start = self.offset(expr.lineno, expr.col_offset)
        end = self.offset(expr.end_lineno, expr.end_col_offset)
        if kind == "int" and _RADIX.match(self.text, start, end):
            return None  # 0x0F00, 0o755, 0b101: a mask, a mode or a code, not a quantity
        return value, kind, start, end  # type: ignore[return-value]

    def arguments(self) -> list[Setting]:
        """argparse and click options with a literal default, named by their destination;
        `type=float` makes an int default a float; click's `type=click.IntRange(1, 12)` (or
        `FloatRange`, `Choice([...])`) bounds it."""
        out: list[Setting] = []
        if self.text.isascii() and "add_argument" not in self.text and "option" not in self.text:
            return out  # no call can name an option (non-ASCII names may spell one otherwise)
        for node in ast.walk(self.tree):
            if not isinstance(node, ast.Call):
                continue
            called = ast.unparse(node.func)
            if not called.endswith(("add_argument", "click.option")) and called != "option":
                continue
            default, name = keyword(node, "default"), argument_name(node)
            found = None if default is None or not name else self.literal(default)
            if default is None or found is None or _not_a_setting(name):
                continue
            if isinstance(default, ast.Attribute):
                continue  # an Enum member as a default: argparse would hand over the member
            value, kind, start, end = found
            typed = keyword(node, "type")
            if kind == "int" and typed is not None and ast.unparse(typed) == "float":
                value, kind = float(value), "float"
            hint = first_hint(
                value,
                ("argparse choices", self.checks.choices_text(keyword(node, "choices"))),
                ("click type", self.checks.click_type(typed, kind == "int")),
                ("comment", self.comment_after(default)),
                ("option help", _text(keyword(node, "help"))),
                ("comment above", comment_above(self.lines, node.lineno)),
            )
            quote = "'" if self.text[start:end].endswith("'") else '"'
            flags = tuple(f for f in map(_text, node.args) if f.startswith("-"))
            out.append(Setting(self.path, name, kind, value, start, end, "python", hint, quote,
                               flags or (f"--{name}",)))  # fmt: skip
        return out


def _entries(expr: ast.expr) -> list[tuple[str, int, ast.expr]]:
    """`(key, line, value)` of a dict literal's string keys or of `dict(key=...)`."""
    if isinstance(expr, ast.Dict):
        return [(k.value, k.lineno, v) for k, v in zip(expr.keys, expr.values, strict=True)
                if isinstance(k, ast.Constant) and isinstance(k.value, str)]  # fmt: skip
    if isinstance(expr, ast.Call) and ast.unparse(expr.func) == "dict" and not expr.args:
        return [(k.arg, k.lineno, k.value) for k in expr.keywords if k.arg]
    return []


def _default(expr: ast.expr) -> ast.expr:
    """The default a field declares: `Field(0.1, ...)`, `field(default=0.1)`, else `expr`."""
    if isinstance(expr, ast.Call) and ast.unparse(expr.func).split(".")[-1] in _DEFAULT_CALLS:
        given = keyword(expr, "default")
        if given is not None:
            return given
        if expr.args and ast.unparse(expr.func).endswith("Field"):
            return expr.args[0]
    return expr


def _description(expr: ast.expr) -> ast.expr | None:
    """A field's description: pydantic's `Field(description=...)`, or dataclasses'
    `field(metadata={"help": ...})` (Hugging Face's argument dataclasses)."""
    if not isinstance(expr, ast.Call):
        return None
    meta = keyword(expr, "metadata")
    if isinstance(meta, ast.Dict):
        for k, v in zip(meta.keys, meta.values, strict=True):
            if isinstance(k, ast.Constant) and k.value in ("help", "description"):
                return v
    return keyword(expr, "description")


def _text(expr: ast.expr | None) -> str:
    """A string literal's text with `%(default)s` placeholders left out."""
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return re.sub(r"%\(\w+\)\w", "", expr.value)
    return ""


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


