"""Any agentos tool node as a LangChain tool, for use from another agent application.

The sandbox, the task and the trusted directory are bound when the adapter is made (they are
configuration, not model input); the model supplies only the snapshot to check and the changed
paths. The tool still runs through `run_tool`, so its commands go through the bound sandbox, and
the answer is the `ToolResult` as JSON.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from langchain_core.tools import StructuredTool
from pydantic import BaseModel, Field

from agentos.sandbox import Sandbox
from agentos.task import Task
from agentos.tool import Tool, ToolContext, get_tool, run_tool


class ToolInput(BaseModel):
    """What the calling agent passes: a snapshot folder and the paths changed in it."""

    tree: str = Field(description="folder holding the snapshot to check (never a live checkout)")
    changed: list[str] = Field(default_factory=list, description="paths changed, relative")
    parent_tree: str | None = Field(default=None, description="the parent's snapshot, if any")


def as_langchain_tool(
    t: Tool | str,
    *,
    task: Task,
    sandbox: Sandbox,
    trusted_dir: Path | None = None,
    options: Mapping[str, Any] | None = None,
) -> StructuredTool:
    """Wrap a tool node (or a registered tool's name) as a `StructuredTool`."""
    node = get_tool(t) if isinstance(t, str) else t

    def call(tree: str, changed: list[str] | None = None, parent_tree: str | None = None) -> str:
        ctx = ToolContext(
            tree=Path(tree),
            changed=list(changed or []),
            task=task,
            sandbox=sandbox,
            options=dict(options or {}),
            parent_tree=Path(parent_tree) if parent_tree else None,
            trusted_dir=trusted_dir,
        )
        return json.dumps(run_tool(node, ctx).to_json())

    return StructuredTool.from_function(
        func=call,
        name=node.name.replace(" ", "_"),
        description=f"{node.description} ({node.kind}, typically {node.cost:g}s). "
        "Returns JSON: outcome pass/fail/error, findings, signals.",
        args_schema=ToolInput,
    )
