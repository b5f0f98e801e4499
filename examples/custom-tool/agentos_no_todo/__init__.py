"""An agentos tool node in one file: no new TODO/FIXME/XXX markers in the changed files.

Installed, this package registers the `no-todo` gate through the `agentos` entry point group
(see pyproject.toml); agentos itself is not changed. Name it in a task's agentos.toml:

    [tools]
    gates = ["no-todo"]

    [no-todo]
    markers = ["TODO", "FIXME"]
"""

from __future__ import annotations

from agentos.tool import Finding, ToolContext, ToolResult, tool

DEFAULT_MARKERS = ("TODO", "FIXME", "XXX")


def _count(text: str, markers: tuple[str, ...]) -> dict[str, int]:
    return {m: text.count(m) for m in markers}


@tool(name="no-todo", kind="gate", cost=0.01,
      description="no new TODO/FIXME/XXX markers in the changed files")
def no_todo(ctx: ToolContext) -> ToolResult:
    markers = tuple(ctx.options.get("markers", DEFAULT_MARKERS))
    findings = []
    for rel in sorted(ctx.changed):
        path = ctx.tree / rel
        if path.is_symlink() or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        before = ""
        if ctx.parent_tree is not None and (ctx.parent_tree / rel).is_file():
            before = (ctx.parent_tree / rel).read_text(encoding="utf-8", errors="replace")
        old = _count(before, markers)
        for marker, count in _count(text, markers).items():
            if count > old[marker]:
                line = next(i for i, s in enumerate(text.splitlines(), 1) if marker in s)
                findings.append(Finding(rel, line, "new-marker",
                                        f"{count - old[marker]} new {marker} marker(s)"))
    return ToolResult("no-todo", "fail" if findings else "pass", tuple(findings),
                      {"new_markers": float(len(findings))})
