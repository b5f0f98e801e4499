"""A third-party tool from examples/custom-tool: installed, discovered, conformant, and gating.

The example is installed for real (`pip install --no-deps --no-build-isolation --target`) into a
temporary site folder rather than the shared venv, so the test leaves the environment as it found
it; a fresh interpreter with that folder on its path then discovers the tool through the `agentos`
entry point group, exactly as after a normal install.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from langchain_core.tools import StructuredTool

from agentos.adapters import as_langchain_tool
from agentos.tool import format_tool_list, tool_rows

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import sys, tempfile
from pathlib import Path
from dataclasses import replace
from tool_suite import assert_conforms, candidate, pinned_context
from agentos.task import ToolUse
from agentos.tool import format_tool_list, get_tool
from agentos.evaluate import run_gates

print(format_tool_list())
tmp = Path(tempfile.mkdtemp())
base = pinned_context(tmp)
tool = get_tool("no-todo")
def cand(name, text):
    changed = candidate(base.tree, tmp / name, {"lib.py": text})
    return replace(base, tree=tmp / name, changed=changed)
assert assert_conforms(tool, cand("c0", "X = 1\\n")).outcome == "pass"
uses = (ToolUse("no-todo", "gate"), ToolUse("pytest", "gate"))
run = run_gates(uses, cand("c1", "# TODO: later\\nX = 1\\n"))
print(run.summary())
assert not run.passed and run.skipped == ("pytest",)
print("plugin-gated-ok")
"""


def test_custom_tool_installs_is_discovered_and_gates(tmp_path: Path) -> None:
    site, source = tmp_path / "site", tmp_path / "custom-tool"
    shutil.copytree(ROOT / "examples" / "custom-tool", source)  # the build leaves files behind
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps",
                    "--no-build-isolation", "--no-index", "--target", str(site), str(source)],
                   check=True, cwd=tmp_path)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site),
                                                        str(ROOT / "tests" / "conformance")])}
    out = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True,
                         text=True, cwd=tmp_path, timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "no-todo" in out.stdout and "[agentos_no_todo]" in out.stdout
    assert "lib.py:1 new-marker" in out.stdout and "plugin-gated-ok" in out.stdout


def test_tools_list_shows_builtins_with_kind_and_cost() -> None:
    text = format_tool_list()
    for name in ("integrity", "static", "ruff", "mypy", "pytest", "metric"):
        assert any(line.split()[0] == name for line in text.splitlines()[1:]), name
    rows = {r.name: r for r in tool_rows()}
    assert rows["metric"].kind == "signal" and rows["ruff"].cost < rows["pytest"].cost


def test_langchain_adapter_invokes_a_tool(make_candidate) -> None:
    ctx = make_candidate({"lib.py": "import socket\n"})
    lc = as_langchain_tool("static", task=ctx.task, sandbox=ctx.sandbox)
    assert isinstance(lc, StructuredTool) and lc.name == "static"
    import json

    answer = json.loads(lc.invoke({"tree": str(ctx.tree), "changed": list(ctx.changed),
                                   "parent_tree": str(ctx.parent_tree)}))
    assert answer["outcome"] == "fail"
    assert answer["findings"][0]["code"] == "forbidden-import"
    clean = json.loads(lc.invoke({"tree": str(ctx.parent_tree), "changed": list(ctx.changed)}))
    assert clean["outcome"] == "pass"
