"""`data-only`: an editable settings file holds data, never code.

An evaluator that reads the settings as data (`$AGENTOS_SETTINGS`, `agentos.settings.data`) never
runs the candidate's code; this gate keeps it that way for evaluators that still import the file.
A changed settings file that is Python must hold only docstrings and literal assignments to plain
names (`NAME = 0.01`, `NAME: int = 4`, lists, dicts and tuples of literals); an import, a call, an
attribute, an operator or any other statement fails the gate with its line. A TOML or JSON settings
file is data by nature: only a parse error fails it; a YAML one also fails with a tag or an anchor
or alias. Parsing only: nothing is executed.

Options: `files`, the globs of the settings files (default: every editable `.py`, `.toml`,
`.json`, `.yaml` and `.yml` file); only the changed files among them are checked.
"""

from __future__ import annotations

from agentos.settings.data import SUFFIXES, data_problems
from agentos.task import glob_match
from agentos.tool import Finding, ToolContext, ToolResult, tool

from ._paths import read_bytes
from ._sandboxed import MAX_FINDINGS, option_strs

NAME = "data-only"
_RULE = {True: "a settings file holds literal assignments only",
         False: "a settings file holds plain values only (no tags, anchors or aliases)"}


def settings_files(ctx: ToolContext) -> list[str]:
    """The changed files the gate checks: those matching `files`, or editable settings files."""
    globs = option_strs(ctx, "files", ())
    return sorted(
        p
        for p in set(ctx.changed)
        if p.endswith(SUFFIXES)
        and (any(glob_match(p, g) for g in globs) if globs else ctx.task.is_editable(p))
        and (ctx.tree / p).is_file()
    )


@tool(name=NAME, kind="gate", cost=0.01, options=["files"],
      description="editable settings files hold literal assignments only (no code)")
def data_only_gate(ctx: ToolContext) -> ToolResult:
    try:
        files = settings_files(ctx)
    except ValueError as exc:
        return ToolResult(NAME, "error", detail=str(exc))
    findings = []
    for rel in files:
        data = read_bytes(ctx.tree, rel)
        if data is None or data.startswith(b"symlink:"):
            findings.append(Finding(rel, 0, "not-data", "not a regular file of readable size"))
            continue
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            findings.append(Finding(rel, 0, "not-data", "not UTF-8 text"))
            continue
        for line, what in data_problems(rel, text):
            findings.append(Finding(rel, line, "not-data",
                                    f"{what}: {_RULE[rel.endswith('.py')]}"))
    return ToolResult(NAME, "fail" if findings else "pass", tuple(findings[:MAX_FINDINGS]),
                      {"settings_files": float(len(files))},
                      detail=f"{len(files)} settings file(s), {len(findings)} finding(s)")
