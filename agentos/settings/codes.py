"""Integer constants that number categories or states (`UDF = 0`, `OTH = 1`, `ASC = 2`) rather
than set anything: no value of them is better than another, so none is a setting."""

from __future__ import annotations

import ast
from collections.abc import Callable, Sequence


def _int_constant(node: ast.stmt) -> int | None:
    """The int a statement assigns to one name (`UDF = 0`), else None."""
    value = None
    if isinstance(node, ast.Assign | ast.AnnAssign):
        value = node.value if isinstance(node, ast.AnnAssign) or len(node.targets) == 1 else None
    if isinstance(value, ast.Constant) and type(value.value) is int:
        return value.value
    return None


def enumerations(body: Sequence[ast.stmt], hinted: Callable[[ast.stmt], bool]) -> set[int]:
    """The indices of statements in runs of consecutive integer assignments whose values count up
    or down by one, four or more of them, three from 0, or two from 0 one of which the code
    tests for equality (`SENTENCE = 0`, `WORD = 1`; `if summarize_by == SENTENCE`): category
    codes or states written as constants (`UDF = 0`, `OTH = 1`, `ASC = 2`; `UNDEFINED = 255`,
    ...). A statement whose comment is a hint (`I = 0  # range: 0..15`) is a setting whatever its
    value, so a proposal that happens to write 0, 1, 2 does not make its settings vanish."""
    found: set[int] = set()
    tested = _tested(body)
    run: list[tuple[int, int]] = []  # (index, value) of each statement of the run so far
    values = [_int_constant(node) for node in body]  # a hint is read only for an integer
    values = [None if v is not None and hinted(node) else v
              for v, node in zip(values, body, strict=True)]
    for index, value in enumerate([*values, None]):
        if run and value is not None:
            steps = (1, -1) if len(run) == 1 else (run[-1][1] - run[-2][1],)
            if value - run[-1][1] in steps:
                run.append((index, value))
                continue
        pair = len(run) == 2 and run[0][1] == 0
        pair = pair and any(_assigned(body[i]) in tested for i, _ in run)
        if len(run) >= 4 or (len(run) == 3 and run[0][1] == 0) or pair:
            found.update(i for i, _ in run)
        run = [(index, value)] if value is not None else []
    return found


def _assigned(node: ast.stmt) -> str:
    target = node.targets[0] if isinstance(node, ast.Assign) else getattr(node, "target", None)
    return target.id if isinstance(target, ast.Name) else ""


def _tested(body: Sequence[ast.stmt]) -> set[str]:
    """The names the statements test for equality (`if summarize_by == SENTENCE`)."""
    out: set[str] = set()
    for node in body:
        for compare in ast.walk(node):
            if isinstance(compare, ast.Compare) and all(
                isinstance(op, ast.Eq | ast.NotEq) for op in compare.ops
            ):
                operands = [compare.left, *compare.comparators]
                out.update(o.id for o in operands if isinstance(o, ast.Name))
    return out
