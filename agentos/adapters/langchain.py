"""Any agentos tool node as a LangChain tool, for use from another agent application.

The sandbox, the task and the trusted directory are bound when the adapter is made (they are
configuration, not model input); the model supplies only the snapshot to check and the changed
paths. The tool still runs through `run_tool`, so its commands go through the bound sandbox, and
the answer is the `ToolResult` as JSON.

It fails closed: a tree that is not a folder, no changed path, a changed path that is absolute,
climbs out of the tree or names no file in it, or a parent tree that is not a folder is an
`error` answer the model reads, never a `pass`. Tools that judge code alone (ruff, mypy, static,
pytest, plugins) need no task file: without one, every file of the tree counts as editable and
none as protected. Those that need the task's metric or pins refuse to be made without one.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import Any

from langchain_core.tools import StructuredTool
from pydantic import BaseModel, Field

from agentos.errors import UserError
from agentos.sandbox import Sandbox, get_backend
from agentos.task import Task, parse_task
from agentos.tool import Tool, ToolContext, ToolResult, get_tool, run_tool

NEEDS_TASK = frozenset({"metric", "canary", "integrity"})
"""Built-in tools that read the task's metric or protected files: made only with a task."""


class ToolInput(BaseModel):
    """What the calling agent passes: a snapshot folder and the paths changed in it."""

    tree: str = Field(description="folder holding the snapshot to check (never a live checkout)")
    changed: list[str] = Field(
        description="paths changed in the snapshot, relative to it (at least one)"
    )
    parent_tree: str | None = Field(default=None, description="the parent's snapshot, if any")


def as_langchain_tool(
    t: Tool | str,
    *,
    task: Task | None = None,
    sandbox: Sandbox | None = None,
    trusted_dir: Path | None = None,
    options: Mapping[str, Any] | None = None,
) -> StructuredTool:
    """Wrap a tool node (or a registered tool's name) as a `StructuredTool`.

    `task` defaults to one that treats every file of the tree as editable (no task file needed);
    `sandbox` defaults to the strongest backend available (`auto`)."""
    node = get_tool(t) if isinstance(t, str) else t
    if task is None and node.name in NEEDS_TASK:
        raise UserError(
            f"the {node.name} tool reads the task's metric and protected files",
            fix="pass task=agentos.load_task(REPO) to as_langchain_tool",
        )
    box = sandbox or get_backend("auto")

    def call(tree: str, changed: list[str], parent_tree: str | None = None) -> str:
        root = Path(tree)
        problem = _refusal(root, changed, parent_tree)
        if problem:
            return json.dumps(ToolResult(node.name, "error", detail=problem).to_json())
        ctx = ToolContext(
            tree=root,
            changed=list(changed),
            task=task or code_task(root),
            sandbox=box,
            options=dict(options or {}),
            parent_tree=Path(parent_tree) if parent_tree else None,
            trusted_dir=trusted_dir,
        )
        return json.dumps(run_tool(node, ctx).to_json())

    return StructuredTool.from_function(
        func=call,
        name=node.name.replace(" ", "_"),
        description=f"{node.description} ({node.kind}, typically {node.cost:g}s). "
        "Returns JSON: outcome pass/fail/error, findings, signals; error says what was wrong "
        "with the input.",
        args_schema=ToolInput,
    )


def _refusal(tree: Path, changed: list[str], parent_tree: str | None) -> str:
    """Why the input cannot be checked, or "" when it can."""
    if not tree.is_dir():
        return f"tree {str(tree)!r} is not a folder: pass the folder holding the snapshot"
    if parent_tree is not None and not Path(parent_tree).is_dir():
        return f"parent_tree {parent_tree!r} is not a folder"
    if not changed:
        return "no changed path: pass the paths the change touched, relative to the tree"
    for rel in changed:
        path = PurePosixPath(rel)
        if path.is_absolute() or ".." in path.parts or not rel.strip():
            return f"changed path {rel!r} must be relative to the tree, without '..'"
        if not (tree / path).is_file():
            return f"changed path {rel!r} is not a file in the tree {str(tree)!r}"
    return ""


def code_task(root: Path) -> Task:
    """A task for tools that judge code alone: every file editable, none protected, no metric
    (a metric command that does not exist, so nothing can pass by measuring)."""
    return parse_task(
        {
            "task": {"editable": ["**/*"]},
            "metric": {"command": ["agentos-no-metric"], "regex": "^$", "goal": "max"},
        },
        root=root,
        path=root / "agentos.toml",
    )
