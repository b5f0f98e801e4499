"""Every registered tool node, built-in or installed plugin, passes the conformance suite."""

from __future__ import annotations

from pathlib import Path

import pytest
from tool_suite import assert_conforms, candidate, pinned_context

from agentos.tool import all_tools

TOOLS = all_tools()


@pytest.mark.parametrize("tool", TOOLS, ids=[t.name for t in TOOLS])
def test_tool_conforms(tool, tmp_path: Path) -> None:
    base = pinned_context(tmp_path)
    changed = candidate(base.tree, tmp_path / "cand", {"settings.py": "RATE = 0.75\n"})
    ctx = base.__class__(**{**base.__dict__, "tree": tmp_path / "cand", "changed": changed})
    result = assert_conforms(tool, ctx)
    if tool.__module__.startswith("agentos.tools"):
        assert result.outcome == "pass", result  # a clean candidate passes every built-in


def test_builtins_are_registered() -> None:
    names = {t.name for t in TOOLS}
    assert {"ruff", "mypy", "pytest", "static", "integrity", "metric"} <= names
