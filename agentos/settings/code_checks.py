"""What a module's code checks about the values it reads, by AST (never run): the bounds and
choices of `assert`s, `if ...: raise` / `sys.exit` / `parser.error`, `in` a collection or a
`range`, `min`/`max` clamps and `np.clip`, argparse `choices=`, pydantic `Field(ge=...)`,
`conint`/`confloat`, `Literal[...]` fields, and lookups in a dict literal, each as a `Fact` about
a subject named as the code reaches it (`cfg["optim"].lr` -> `("cfg", "optim", "lr")`).
`agentos.settings.checks` matches the facts to settings; `agentos.settings.scan` asks a
`CheckReader` what a config-class field or an argparse option declares.
"""

from __future__ import annotations

import ast
import functools
import math
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from agentos.settings import pyast

Path_ = tuple[str, ...]  # a subject as names: `cfg["optim"].lr` -> ("cfg", "optim", "lr")


@dataclass(frozen=True)
class Fact:
    """One thing a check says about its subject: a bound, or the values it allows."""

    subject: Path_
    where: str  # PATH:LINE
    low: float | None = None
    high: float | None = None
    strict: bool = False
    choices: tuple[str, ...] = ()


@functools.lru_cache(maxsize=64)
def facts(path: str, text: str) -> tuple[Fact, ...]:
    """Every bound and choice list the checks of one Python file state."""
    try:
        tree = pyast.parse(text)
    except (SyntaxError, ValueError):
        return ()
    return tuple(CheckReader(path, tree).read())


class CheckReader:
    """Reads the checks of one module; `agentos.settings.scan` also asks it what a typed field
    (`declared`) or an argparse option (`choices_text`) allows."""

    def __init__(self, path: str, tree: ast.Module):
        self.path, self.tree = path, tree
        self.consts: dict[str, ast.expr] = {}
        self.aliases: dict[str, Path_ | None] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                target = node.targets[0]
                if isinstance(target, ast.Name):
                    self._bind(target.id, node.value)

    def _bind(self, name: str, value: ast.expr) -> None:
        if name in self.consts or name in self.aliases:  # bound twice: nothing certain
            self.consts.pop(name, None)
            self.aliases[name] = None
            return
        subject = self.subject(value)
        if subject is not None and subject != (name,):
            self.aliases[name] = subject
        elif self.number(value) is not None or self.items(value) is not None:
            self.consts[name] = value

    def read(self) -> Iterator[Fact]:
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Assert):
                yield from self.test(node.test, True, node.lineno)
            elif isinstance(node, ast.If) and _stops(node.body):
                yield from self.test(node.test, False, node.lineno)
            elif isinstance(node, ast.Call):
                yield from self.call(node)
            elif isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load):
                yield from self.lookup(node)
            elif isinstance(node, ast.AnnAssign | ast.Assign):
                yield from self.field(node)

    # -- subjects and constants -------------------------------------------------------------

    def subject(self, expr: ast.expr) -> Path_ | None:
        """The names a subject is reached by, or None for anything else."""
        if isinstance(expr, ast.Call):
            f = _name(expr.func)
            if f in ("int", "float", "str", "bool") and len(expr.args) == 1:
                return self.subject(expr.args[0])
            if f in ("os.getenv", "os.environ.get", "getenv") and expr.args:
                key = _str(expr.args[0])
                return (key,) if key else None
            if isinstance(expr.func, ast.Attribute):
                if expr.func.attr in ("lower", "upper", "strip") and not expr.args:
                    return self.subject(expr.func.value)
                keys = [k for k in map(_str, expr.args) if k is not None]
                if expr.func.attr in _GETTERS and len(keys) == len(expr.args) == 2:
                    base = self.subject(expr.func.value)  # configparser: `getint(section, key)`
                    return None if base is None else (*base, *keys)
                if expr.func.attr in ("get", *_GETTERS) and expr.args and _str(expr.args[0]):
                    base = self.subject(expr.func.value)
                    return None if base is None else (*base, str(_str(expr.args[0])))
            return None
        if isinstance(expr, ast.Name):
            return self.aliases.get(expr.id, (expr.id,))
        if isinstance(expr, ast.Attribute):
            base = self.subject(expr.value)
            return None if base is None else (*base, expr.attr)
        if isinstance(expr, ast.Subscript) and _str(expr.slice):
            base = self.subject(expr.value)
            return None if base is None else (*base, str(_str(expr.slice)))
        return None

    def clamped(self, expr: ast.expr) -> Path_ | None:
        """The subject of `x` or of a clamp of it (`max(x, 0)` inside `min(..., 1)`)."""
        clamp = isinstance(expr, ast.Call) and _name(expr.func) in ("min", "max")
        if clamp and isinstance(expr, ast.Call) and len(expr.args) == 2:
            found = [s for s in map(self.clamped, expr.args) if s is not None]
            return found[0] if len(found) == 1 else None
        return self.subject(expr)

    def number(self, expr: ast.expr) -> float | None:
        if isinstance(expr, ast.Name) and isinstance(self.consts.get(expr.id), ast.expr):
            return self.number(self.consts[expr.id])
        if isinstance(expr, ast.UnaryOp) and isinstance(expr.op, ast.USub | ast.UAdd):
            x = self.number(expr.operand)
            return None if x is None else (-x if isinstance(expr.op, ast.USub) else x)
        if (
            isinstance(expr, ast.Constant)
            and isinstance(expr.value, int | float)
            and not isinstance(expr.value, bool)
            and math.isfinite(expr.value)
        ):
            return float(expr.value)
        return None

    def items(self, expr: ast.expr) -> tuple[str, ...] | tuple[float, float] | None:
        """The values a collection allows (str items), or `range(a, b)`'s bounds (two floats)."""
        if isinstance(expr, ast.Name) and expr.id in self.consts:
            return self.items(self.consts[expr.id])
        if isinstance(expr, ast.Call):
            f = _name(expr.func)
            if f in ("frozenset", "set", "tuple", "list") and len(expr.args) == 1:
                return self.items(expr.args[0])
            if f == "range" and 1 <= len(expr.args) <= 3 and not expr.keywords:
                xs = [self.number(a) for a in expr.args]
                if None in xs or (len(xs) == 3 and xs[2] != 1):
                    return None
                lo, hi = (0.0, xs[0]) if len(xs) == 1 else (xs[0], xs[1])
                return (lo, hi - 1) if lo is not None and hi is not None else None
            if isinstance(expr.func, ast.Attribute) and expr.func.attr == "keys":
                return self.items(expr.func.value)
            return None
        elts: list[ast.expr | None]
        if isinstance(expr, ast.Dict):
            elts = list(expr.keys)
        elif isinstance(expr, ast.Tuple | ast.List | ast.Set):
            elts = list(expr.elts)
        else:
            return None
        out = []
        for e in elts:
            if not (isinstance(e, ast.Constant) and isinstance(e.value, str | int | float)):
                return None
            out.append(str(e.value))
        return tuple(out) if len(set(out)) >= 2 else None

    # -- the forms of a check ----------------------------------------------------------------

    def test(self, expr: ast.expr, holds: bool, line: int) -> Iterator[Fact]:
        """What `expr` says when it must hold (`assert`) or must not (`if ...: raise`)."""
        if isinstance(expr, ast.UnaryOp) and isinstance(expr.op, ast.Not):
            yield from self.test(expr.operand, not holds, line)
        elif isinstance(expr, ast.BoolOp):
            if isinstance(expr.op, ast.And) == holds:  # a and b hold; neither a nor b may hold
                for value in expr.values:
                    yield from self.test(value, holds, line)
        elif isinstance(expr, ast.Compare) and (holds or len(expr.ops) == 1):
            sides = [expr.left, *expr.comparators]
            for left, op, right in zip(sides, expr.ops, sides[1:], strict=False):
                yield from self.compare(left, op if holds else _NEGATED[type(op)](), right, line)

    def compare(self, left: ast.expr, op: ast.cmpop, right: ast.expr, line: int) -> Iterator[Fact]:
        where = f"{self.path}:{line}"
        if isinstance(op, ast.In):
            subject, allowed = self.subject(left), self.items(right)
            if subject is None or allowed is None:
                return
            if len(allowed) == 2 and all(isinstance(x, float) for x in allowed):
                lo, hi = allowed
                yield Fact(subject, where, float(lo), float(hi))
            else:
                yield Fact(subject, where, choices=tuple(str(x) for x in allowed))
            return
        if not isinstance(op, ast.Lt | ast.LtE | ast.Gt | ast.GtE):
            return
        subject, bound = self.subject(left), self.number(right)
        if subject is None or bound is None:  # `1 <= n`: turn it round to `n >= 1`
            subject, bound = self.subject(right), self.number(left)
            op = _FLIPPED[type(op)]()
        if subject is None or bound is None:
            return
        strict = isinstance(op, ast.Lt | ast.Gt)
        yield _bound(subject, where, bound, is_low=isinstance(op, ast.Gt | ast.GtE), strict=strict)

    def call(self, node: ast.Call) -> Iterator[Fact]:
        where = f"{self.path}:{node.lineno}"
        f = _name(node.func)
        if f in ("min", "max") and len(node.args) == 2:  # min(max(x, a), b), max(x, a), ...
            for inner, outer in ((0, 1), (1, 0)):
                bound = self.number(node.args[outer])
                subject = self.clamped(node.args[inner])
                if bound is not None and subject is not None:
                    yield _bound(subject, where, bound, is_low=f == "max")
        elif f.endswith(("clip", "clamp")) and len(node.args) == 3:  # np.clip(x, a, b)
            subject = self.subject(node.args[0])
            lo, hi = self.number(node.args[1]), self.number(node.args[2])
            if subject is not None and (lo is not None or hi is not None):
                yield Fact(subject, where, lo, hi)
        elif f.endswith("add_argument") and node.args:
            choices = keyword(node, "choices")
            dest = argument_name(node)
            allowed = self.items(choices) if choices is not None and dest else None
            if dest and isinstance(allowed, tuple) and _range_pair(allowed):
                yield Fact((dest,), where, float(allowed[0]), float(allowed[1]))
            elif dest and isinstance(allowed, tuple):
                yield Fact((dest,), where, choices=tuple(str(x) for x in allowed))

    def declared(self, node: ast.AnnAssign | ast.Assign, is_int: bool) -> str:
        """The bounds a field declares (`Field(ge=0, lt=1)`, `conint(ge=1)`) in hint syntax."""
        found = [f for f in self.field(node) if not f.choices]
        return hint_text(found, is_int) if found else ""

    def choices_text(self, expr: ast.expr | None) -> str:
        """`choices: a|b` for a collection of two or more values (`choices=["a", "b"]`), or
        `range: 1..12` for `choices=range(1, 13)`."""
        allowed = None if expr is None else self.items(expr)
        if allowed is None:
            return ""
        if _range_pair(allowed):
            return f"range: {allowed[0]!r}..{allowed[1]!r}"
        return "choices: " + "|".join(str(x) for x in allowed)

    def lookup(self, node: ast.Subscript) -> Iterator[Fact]:
        """`{"relu": 0.0, "gelu": 0.3}[cfg.act]`: a key the table lacks fails the run."""
        table = node.value
        if isinstance(table, ast.Name):
            table = self.consts.get(table.id, table)
        subject = self.subject(node.slice)
        allowed = self.items(table) if isinstance(table, ast.Dict) else None
        if subject is not None and isinstance(allowed, tuple) and not _range_pair(allowed):
            yield Fact(subject, f"{self.path}:{node.lineno}", choices=tuple(map(str, allowed)))

    def click_type(self, typed: ast.expr | None, is_int: bool) -> str:
        """What a click option's `type=` allows, in hint syntax: `click.IntRange(1, 12)`,
        `FloatRange(min=0)`, `click.Choice(["a", "b"])`."""
        if not isinstance(typed, ast.Call):
            return ""
        kind = _name(typed.func).split(".")[-1]
        if kind == "Choice" and typed.args:
            return self.choices_text(typed.args[0])
        if kind not in ("IntRange", "FloatRange"):
            return ""
        found = []
        for i, (key, low) in enumerate((("min", True), ("max", False))):
            given = typed.args[i] if i < len(typed.args) else keyword(typed, key)
            x = None if given is None else self.number(given)
            opened = keyword(typed, f"{key}_open")
            strict = isinstance(opened, ast.Constant) and opened.value is True
            if x is not None:
                found.append(_bound(("",), "", x, is_low=low, strict=strict))
        return hint_text(found, is_int) if found else ""

    def field(self, node: ast.AnnAssign | ast.Assign) -> Iterator[Fact]:
        """A typed field: `x: float = Field(ge=0, lt=1)`, `Annotated[int, Field(ge=1)]`,
        `conint(ge=1)`, `Literal["a", "b"]`."""
        target = node.target if isinstance(node, ast.AnnAssign) else node.targets[0]
        if not isinstance(target, ast.Name):
            return
        subject, where = (target.id,), f"{self.path}:{node.lineno}"
        calls = [e for e in ast.walk(node) if isinstance(e, ast.Call)]
        for call in calls:
            if _name(call.func).split(".")[-1] in ("Field", "conint", "confloat"):
                for key, low, strict in (("ge", True, False), ("gt", True, True),
                                         ("le", False, False), ("lt", False, True)):  # fmt: skip
                    value = keyword(call, key)
                    x = None if value is None else self.number(value)
                    if x is not None:
                        yield _bound(subject, where, x, is_low=low, strict=strict)
        if not isinstance(node, ast.AnnAssign):
            return
        for sub in ast.walk(node.annotation):
            if isinstance(sub, ast.Subscript) and _name(sub.value).endswith("Literal"):
                elts = sub.slice.elts if isinstance(sub.slice, ast.Tuple) else [sub.slice]
                allowed = self.items(ast.Tuple(elts=elts))
                if isinstance(allowed, tuple) and not _range_pair(allowed):
                    yield Fact(subject, where, choices=tuple(str(x) for x in allowed))


def _bound(subject: Path_, where: str, x: float, *, is_low: bool, strict: bool = False) -> Fact:
    if is_low:
        return Fact(subject, where, low=x, strict=strict)
    return Fact(subject, where, high=x, strict=strict)


_NEGATED: dict[type[ast.cmpop], Callable[[], ast.cmpop]] = {
    ast.Lt: ast.GtE, ast.LtE: ast.Gt, ast.Gt: ast.LtE, ast.GtE: ast.Lt, ast.In: ast.NotIn,
    ast.NotIn: ast.In, ast.Eq: ast.NotEq, ast.NotEq: ast.Eq, ast.Is: ast.IsNot, ast.IsNot: ast.Is,
}  # fmt: skip
_FLIPPED: dict[type[ast.cmpop], Callable[[], ast.cmpop]] = {
    ast.Lt: ast.Gt, ast.LtE: ast.GtE, ast.Gt: ast.Lt, ast.GtE: ast.LtE,
}
_GETTERS = ("getint", "getfloat", "getboolean")
_STOPS = re.compile(r"(^|\.)(exit|_exit|error|abort|fail)$")


def _stops(body: Sequence[ast.stmt]) -> bool:
    """Whether a block ends the program: it raises, exits or reports a usage error."""
    for stmt in body:
        if isinstance(stmt, ast.Raise):
            return True
        call = stmt.value if isinstance(stmt, ast.Expr) else None
        if isinstance(call, ast.Call) and _STOPS.search(_name(call.func)):
            return True
    return False


def _name(expr: ast.expr) -> str:
    if isinstance(expr, ast.Name):
        return expr.id
    if isinstance(expr, ast.Attribute):
        base = _name(expr.value)
        return f"{base}.{expr.attr}" if base else expr.attr
    return ""


def _str(expr: ast.expr) -> str | None:
    return expr.value if isinstance(expr, ast.Constant) and isinstance(expr.value, str) else None


def keyword(node: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in node.keywords if k.arg == name), None)


def _range_pair(items: tuple[str, ...] | tuple[float, float]) -> bool:
    return any(isinstance(x, float) for x in items)


def argument_name(node: ast.Call) -> str:
    """The name an option is stored under: `dest=`, a name without dashes (click), else the
    first long option's (`--hidden-size` is `hidden_size`)."""
    dest = keyword(node, "dest")
    if dest is not None:
        return _str(dest) or ""
    names = [s for s in (_str(a) for a in node.args) if s]
    bare = [n for n in names if not n.startswith("-")]  # click: `option("--rate", "lr")`
    long = [n for n in names if n.startswith("--")]
    name = (bare or long or names or [""])[0].lstrip("-")
    return name.replace("-", "_")


def hint_text(found: Sequence[Fact], is_int: bool) -> str:
    """The facts about one setting in agentos' hint syntax (`range: 1..12`, `choices: a|b`)."""
    choices = next((f.choices for f in found if f.choices), ())
    if choices:
        return "choices: " + "|".join(choices)
    lows = [f for f in found if f.low is not None]
    highs = [f for f in found if f.high is not None]
    low = max(lows, key=lambda f: (f.low, f.strict)) if lows else None
    high = min(highs, key=lambda f: (f.high, not f.strict)) if highs else None
    lo = None if low is None else low.low
    hi = None if high is None else high.high
    if is_int:
        if lo is not None and low is not None:
            lo = math.floor(lo) + 1 if low.strict else math.ceil(lo)
        if hi is not None and high is not None:
            hi = math.ceil(hi) - 1 if high.strict else math.floor(hi)
    else:
        # `x > 0` leaves the side open: a grown bound never changes sign, and may span decades
        lo = None if lo == 0 and low is not None and low.strict else lo
        hi = None if hi == 0 and high is not None and high.strict else hi
        both = lo is not None and hi is not None and hi > lo
        if lo is not None and low is not None and low.strict:
            lo += 0.001 * (hi - lo if both and hi is not None else abs(lo))
        if hi is not None and high is not None and high.strict:
            hi -= 0.001 * (hi - lo if both and lo is not None else abs(hi))
    if lo is not None and hi is not None:
        return f"range: {lo!r}..{hi!r}"
    sides = [f"min {lo!r}"] if lo is not None else []
    return ", ".join(sides + ([f"max {hi!r}"] if hi is not None else []))
