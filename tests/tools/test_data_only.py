"""The `data-only` gate and the settings JSON an evaluator reads instead of importing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agentos.evaluate import MetricEvaluator, measure
from agentos.sandbox import get_backend
from agentos.settings.data import data_values, settings_document
from agentos.task import MetricSpec, Task
from agentos.tool import ToolContext, get_tool

DATA = (
    '"""Settings."""\nLR = 0.01  # range: 1e-4..1 log\nLAYERS: list[int] = [64, 64]\n'
    'ACT = "relu"\n'
)


def _task(
    root: Path, editable: tuple[str, ...] = ("settings.py", "conf/*.toml", "config.yaml")
) -> Task:
    return Task(root=root, path=root / "agentos.toml", name="t", editable=editable,
                protected=("evaluate.py",),
                metric=MetricSpec(("python", "evaluate.py"), "max", regex=r"^score: (\S+)$"))


def _gate(tmp_path: Path, written: dict[str, str], **options: object) -> list[tuple[str, int]]:
    files = written
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    ctx = ToolContext(tree=tmp_path, changed=sorted(files), task=_task(tmp_path),
                      sandbox=get_backend("local"), options=options)
    result = get_tool("data-only").run(ctx)
    assert result.outcome == ("fail" if result.findings else "pass")
    return [(f.path, f.line) for f in result.findings]


def test_literal_assignments_pass_and_toml_is_data(tmp_path: Path) -> None:
    assert _gate(tmp_path, {"settings.py": DATA, "conf/a.toml": "lr = 0.1\n[model]\nd = 4\n"}) == []


@pytest.mark.parametrize(
    "line",
    [
        "import os",
        "from math import pi",
        "X = float('1')",
        "X = os.environ",
        "X = 2 ** 10",
        "X: print() = 1",
        "if True:\n    X = 1",
        "def f():\n    pass",
        "print('score: 1000')",
        "X, Y = 1, 2",
    ],
)
def test_anything_but_a_literal_assignment_fails_with_its_line(tmp_path: Path, line: str) -> None:
    assert _gate(tmp_path, {"settings.py": DATA + line + "\n"}) == [("settings.py", 5)]


def test_a_broken_toml_fails_and_files_narrows_what_is_checked(tmp_path: Path) -> None:
    assert _gate(tmp_path, {"conf/a.toml": "lr = \n"}) == [("conf/a.toml", 0)]
    code = {"settings.py": DATA, "conf/a.toml": "lr = 0.1\n", "conf/b.toml": "x = [\n"}
    assert _gate(tmp_path, code, files=["settings.py"]) == []


@pytest.mark.parametrize(("text", "line"), [
    ('spell:\n  distance: 1\nhook: !!python/object/apply:os.system ["echo score: 9"]\n', 3),
    ("base: &b {lr: 0.1}\nrun: *b\n", 1),
    ("spell: [1\n", 2),
])
def test_a_yaml_settings_file_with_a_tag_an_alias_or_a_syntax_error_is_not_data(
    tmp_path: Path, text: str, line: int
) -> None:
    """An evaluator that loads its YAML with an unsafe loader runs a `!!python/...` tag; an
    alias bomb turns a small file into gigabytes of values."""
    task_globs = {"config.yaml": "spell:\n  distance: 1  # 1 or 2\n"}
    assert _gate(tmp_path, task_globs) == []
    found = _gate(tmp_path, {"config.yaml": text})
    assert found and found[0] == ("config.yaml", line), found
    if line == 3:
        ctx = ToolContext(tree=tmp_path, changed=["config.yaml"], task=_task(tmp_path),
                          sandbox=get_backend("local"))
        [finding] = get_tool("data-only").run(ctx).findings
        assert finding.message == ("a YAML tag: a settings file holds plain values only (no "
                                   "tags, anchors or aliases)")


def test_the_settings_document_holds_data_files_only(tmp_path: Path) -> None:
    (tmp_path / "conf").mkdir()
    (tmp_path / "settings.py").write_text(DATA + "T = (1, 2)\nB = b'x'\n")
    (tmp_path / "conf" / "a.toml").write_text("lr = 0.1\nwhen = 2024-01-02\n")
    (tmp_path / "code.py").write_text("import os\nX = 1\n")  # editable below, but code
    doc = settings_document(tmp_path, _task(tmp_path, ("*.py", "conf/*.toml")).is_editable)
    assert doc == {
        "settings.py": {"LR": 0.01, "LAYERS": [64, 64], "ACT": "relu", "T": [1, 2]},
        "conf/a.toml": {"lr": 0.1, "when": "2024-01-02"},
    }
    assert data_values("code.py", "import os\nX = 1\n") is None


def test_the_evaluator_reads_the_json_and_that_counts_as_reading_the_settings(
    tmp_path: Path,
) -> None:
    from helpers import make_repo

    from agentos.git import Repo

    evaluator = (
        "import json, os\n"
        "with open(os.path.join(os.environ['AGENTOS_SETTINGS'], 'settings.py.json')) as fh:\n"
        "    print(f\"score: {json.load(fh)['LR']}\")\n"
    )
    root = make_repo(tmp_path / "r", {"settings.py": DATA, "evaluate.py": evaluator})
    repo = Repo(root)
    task = _task(root)
    commit = repo.rev("HEAD")
    assert commit is not None
    m = measure(repo, commit, MetricEvaluator(task, get_backend("bwrap")))
    assert m.evaluation.metric == 0.01, m.evaluation.reason
    reads = m.evaluation.reads or {}
    assert reads.get("settings.py") == repo.entries(commit)["settings.py"].blob
    assert json.loads(json.dumps(dict(reads)))  # plain data
