"""agentos tools as LangChain tools: no task file for tools that judge code alone, and every bad
input an `error` answer the model reads, never a pass."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agentos.adapters import as_langchain_tool
from agentos.errors import UserError
from agentos.sandbox import get_backend


def _tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def _ask(tool, **args: object) -> dict[str, object]:
    answer: dict[str, object] = json.loads(tool.invoke(args))
    return answer


def test_ruff_needs_no_task_file_and_judges_the_change(tmp_path: Path) -> None:
    ruff = as_langchain_tool("ruff", sandbox=get_backend("local"))
    parent = _tree(tmp_path / "parent", {"lib.py": "X = 1\n"})
    child = _tree(tmp_path / "child", {"lib.py": "import os\nX = 1\n"})
    bad = _ask(ruff, tree=str(child), changed=["lib.py"], parent_tree=str(parent))
    assert bad["outcome"] == "fail"
    assert any(f["code"] == "F401" for f in bad["findings"])  # type: ignore[union-attr]
    assert _ask(ruff, tree=str(parent), changed=["lib.py"])["outcome"] == "pass"


@pytest.mark.parametrize(
    ("tree", "changed", "parent", "says"),
    [
        ("missing", ["lib.py"], None, "is not a folder"),
        ("tree", [], None, "no changed path"),
        ("tree", ["gone.py"], None, "is not a file in the tree"),
        ("tree", ["../outside.py"], None, "without '..'"),
        ("tree", ["/etc/passwd"], None, "without '..'"),
        ("tree", ["lib.py"], "missing", "parent_tree"),
    ],
)
def test_bad_input_is_an_error_the_model_sees(
    tmp_path: Path, tree: str, changed: list[str], parent: str | None, says: str
) -> None:
    _tree(tmp_path / "tree", {"lib.py": "X = 1\n"})
    (tmp_path / "outside.py").write_text("X = 1\n")
    for name in ("ruff", "static"):
        tool = as_langchain_tool(name, sandbox=get_backend("local"))
        answer = _ask(
            tool,
            tree=str(tmp_path / tree),
            changed=changed,
            parent_tree=None if parent is None else str(tmp_path / parent),
        )
        assert answer["outcome"] == "error", answer
        assert says in str(answer["detail"])


def test_tools_that_read_the_task_refuse_to_be_made_without_one() -> None:
    with pytest.raises(UserError, match="metric"):
        as_langchain_tool("metric", sandbox=get_backend("local"))
