"""Every built-in tool node passes the conformance suite. Installed plugins are not loaded here:
each plugin runs the same suite in its own tests (`tool_suite.assert_conforms`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from tool_suite import assert_conforms, candidate, pinned_context

import agentos.tools  # noqa: F401  (registers the built-ins, as their entry point would)
from agentos.tool import all_tools

TOOLS = all_tools(plugins=False)
# the built-ins that judge this project as it is; `trainer` needs a model file and `skill-gates` a
# skill run's pins, so on this project they only have to conform
FOR_THIS_PROJECT = {"data-only", "ruff", "mypy", "pytest", "static", "integrity", "metric"}


@pytest.mark.parametrize("tool", TOOLS, ids=[t.name for t in TOOLS])
def test_tool_conforms(tool, tmp_path: Path) -> None:
    base = pinned_context(tmp_path)
    changed = candidate(base.tree, tmp_path / "cand", {"settings.py": "RATE = 0.75\n"})
    ctx = base.__class__(**{**base.__dict__, "tree": tmp_path / "cand", "changed": changed})
    result = assert_conforms(tool, ctx)
    if tool.name in FOR_THIS_PROJECT:  # a clean candidate passes every built-in that applies
        assert result.outcome == "pass", result


def test_builtins_are_registered() -> None:
    names = {t.name for t in TOOLS}
    assert {"ruff", "mypy", "pytest", "static", "integrity", "metric"} <= names
