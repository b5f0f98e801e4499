"""`settings-only`: a candidate changes the values of the settings, and nothing else.

The settings search for a script that is its own evaluator: `train.py` whose argparse defaults
(or module constants) are the settings AND which prints the metric. Code free to change in that
file could print any score, so the forgery guard watches editable code; this gate makes the file's
code the baseline's instead. A changed file it covers must equal its parent byte for byte outside
the literals of the settings `agentos.settings` finds there (with the task's metric command and
`[search.space]`, as the heuristic proposer sees them), and each changed literal must be one the
search may change: a tunable setting (not `fixed`; a string only to one of its `choices`), a value
of the same kind (int and float may trade). A new or deleted file, a renamed or added setting, an
edited comment, an added line: each fails with its line and why. Parsing only: nothing runs.

Because the covered files' code is the baseline's, the forgery guard does not watch them
(`agentos.evaluate.settings_only_files`, which reads the same `files` option): the evaluator
file may be a settings file.

Options: `files`, the globs of the covered files (default: every editable file); only the changed
files among them are checked, against the parent's snapshot.
"""

from __future__ import annotations

from pathlib import Path

from agentos.errors import UserError
from agentos.evaluate import SETTINGS_ONLY, settings_only_files
from agentos.settings import Setting, disk_reader, find_all
from agentos.task import glob_match
from agentos.tool import Finding, ToolContext, ToolResult, tool

from ._paths import read_bytes
from ._sandboxed import MAX_FINDINGS

NAME = SETTINGS_ONLY
_NUMBERS = frozenset({"int", "float"})


def _text(tree: Path, rel: str) -> str | None:
    data = read_bytes(tree, rel)
    if data is None or data.startswith(b"symlink:"):
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _line(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _first_difference(a: str, b: str) -> int:
    """The offset in `b` where it first differs from `a`."""
    n = min(len(a), len(b))
    return next((i for i in range(n) if a[i] != b[i]), n)


def value_problems(
    rel: str, before: str, after: str, old: list[Setting], new: list[Setting]
) -> list[tuple[int, str]]:
    """`(line, why)` for every change of `after` from `before` that is not a tunable setting's
    new value; `old` and `new` are the settings found in each."""
    if [s.name for s in old] != [s.name for s in new]:
        gone = sorted({s.name for s in old} - {s.name for s in new})
        added = sorted({s.name for s in new} - {s.name for s in old})
        what = ", ".join([*(f"{n} removed" for n in gone), *(f"{n} added" for n in added)])
        return [(0, f"the settings changed ({what or 'reordered'}): only their values may")]
    problems: list[tuple[int, str]] = []
    at_old = at_new = 0
    for o, n in [*zip(old, new, strict=True), (None, None)]:
        gap_old = before[at_old : o.start if o else len(before)]
        gap_new = after[at_new : n.start if n else len(after)]
        if gap_old != gap_new:
            where = _line(after, at_new + _first_difference(gap_old, gap_new))
            problems.append((where, "changed outside a setting's value"))
        if o is None or n is None:
            break
        if before[o.start : o.end] != after[n.start : n.end] and o.value != n.value:
            why = _refused(o, n)
            if why:
                problems.append((_line(after, n.start), f"{o.name}: {why}"))
        at_old, at_new = o.end, n.end
    return problems


def _refused(old: Setting, new: Setting) -> str | None:
    if not old.mutable:
        return "not tunable (fixed, or a string without choices)"
    if old.kind != new.kind and {old.kind, new.kind} - _NUMBERS:
        return f"a {new.kind} where the setting holds a {old.kind}"
    if old.kind == "str" and new.value not in old.hint.choices:
        return f"{new.value!r} is not one of its choices ({', '.join(map(str, old.hint.choices))})"
    return None


def _settings(ctx: ToolContext, tree: Path, rel: str, text: str) -> list[Setting]:
    return find_all({rel: text}, ctx.task.search.space, read=disk_reader(tree),
                    evaluator=ctx.task.metric.command)


@tool(name=NAME, kind="gate", cost=0.02, options=["files"],
      description="changed files differ from their parent only in their settings' values")
def settings_only_gate(ctx: ToolContext) -> ToolResult:
    try:  # the one reader of the option: the forgery guard leaves the same files unwatched
        globs = settings_only_files(ctx.task) or tuple(ctx.task.editable)
    except UserError as exc:
        return ToolResult(NAME, "error", detail=str(exc))
    files = sorted(p for p in set(ctx.changed) if any(glob_match(p, g) for g in globs))
    if files and ctx.parent_tree is None:
        return ToolResult(NAME, "error", detail="no parent snapshot to compare the files with")
    findings = []
    for rel in files:
        assert ctx.parent_tree is not None
        before, after = _text(ctx.parent_tree, rel), _text(ctx.tree, rel)
        if before is None or after is None:
            what = "a new file" if before is None else "deleted, or not UTF-8 text"
            findings.append(Finding(rel, 0, "not-a-value",
                                    f"{what}; only settings' values may change"))
            continue
        old, new = _settings(ctx, ctx.parent_tree, rel, before), _settings(ctx, ctx.tree, rel,
                                                                           after)
        for line, why in value_problems(rel, before, after, old, new):
            names = ", ".join(s.name for s in old if s.mutable)
            findings.append(Finding(rel, line, "not-a-value",
                                    f"{why}; only the values of {names or 'no setting'} may "
                                    "change"))
    return ToolResult(NAME, "fail" if findings else "pass", tuple(findings[:MAX_FINDINGS]),
                      {"settings_only_files": float(len(files))},
                      detail=f"{len(files)} file(s), {len(findings)} finding(s)")
