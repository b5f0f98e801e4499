"""Fixtures for the built-in tools: a pinned baseline of the conformance project, and candidates."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "conformance"))

from tool_suite import candidate, pinned_context

from agentos.tool import ToolContext

MakeCandidate = Callable[[dict[str, str | None]], ToolContext]


@pytest.fixture
def baseline(tmp_path: Path) -> ToolContext:
    return pinned_context(tmp_path)


@pytest.fixture
def make_candidate(baseline: ToolContext, tmp_path: Path) -> MakeCandidate:
    """A candidate snapshot: the baseline plus `edits`, its parent the baseline."""
    count = iter(range(1000))

    def make(edits: dict[str, str | None]) -> ToolContext:
        dest = tmp_path / f"cand{next(count)}"
        changed = candidate(baseline.tree, dest, edits)
        return replace(baseline, tree=dest, changed=changed, parent_tree=baseline.tree)

    return make
