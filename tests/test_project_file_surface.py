"""An editable project file (`pyproject.toml` whose `[tool.ranker]` the evaluator reads, as
`agentos init` writes it) is editable only inside the application's own tables: a model's edit
of `[project]` dependencies, `[build-system]` or a tool's table is refused with the reason,
before anything runs. Through the real loop with a scripted model."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import agentos_cli, make_repo, scripted_edits

from agentos.settings.project import foreign_changes

EVALUATE = (
    "import tomllib\nwith open('pyproject.toml', 'rb') as f:\n"
    "    cfg = tomllib.load(f)['tool']['ranker']\n"
    "print(f\"val_loss: {abs(cfg['lr'] - 0.003):.5f}\")\n"
)
PYPROJECT = (
    '[project]\nname = "ranker"\nversion = "0.3.0"\ndependencies = ["numpy"]\n\n'
    '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n\n'
    "[tool.ranker]\nlr = 0.01  # 1e-5 .. 1e-1, log scale\n\n[tool.ruff]\nline-length = 100\n"
)


def test_a_model_edit_outside_the_applications_table_is_refused_with_the_reason(
    tmp_path: Path,
) -> None:
    repo = make_repo(tmp_path / "ranker", {"pyproject.toml": PYPROJECT, "evaluate.py": EVALUATE})
    assert agentos_cli("init", str(repo)).returncode == 0
    edits = [  # (search, replace, what the reason names; None: measured)
        ("lr = 0.01", "lr = 0.004", None),
        ('dependencies = ["numpy"]', 'dependencies = ["numpy", "evil-pkg"]', "[project] changed"),
        ('requires = ["setuptools"]', 'requires = ["hatchling"]', "[build-system] changed"),
        ("line-length = 100", "line-length = 300", "[tool.ruff] changed"),
        ("lr = 0.004", 'lr = 0.003\n\n[tool.pytest.ini_options]\naddopts = "-x"',
         "[tool.pytest] changed"),
    ]
    seen = scripted_edits(repo, "pyproject.toml", [(s, r) for s, r, _ in edits])
    assert len(seen) == len(edits), seen
    assert seen[0][0] == "keep", seen  # the application's own table: measured, kept
    for (status, reason), (_, _, why) in zip(seen[1:], edits[1:], strict=True):
        assert status == "rejected" and why is not None and why in reason, "\n".join(map(str, seen))
        assert "only the application's own tables are editable" in reason, reason


@pytest.mark.parametrize(("path", "before", "after", "named"), [
    ("setup.cfg", "[metadata]\nname = x\n\n[relaxer]\nw = 1\n",
     "[metadata]\nname = x\n\n[relaxer]\nw = 2\n", []),
    ("setup.cfg", "[metadata]\nname = x\n\n[relaxer]\nw = 1\n",
     "[metadata]\nname = y\n\n[relaxer]\nw = 1\n\n[options.extras_require]\nall = evil\n",
     ["[metadata]", "[options.extras_require]"]),
    ("tox.ini", "[testenv]\ncommands = pytest\n", "[testenv]\ncommands = true\n", ["[testenv]"]),
    ("pyproject.toml", "[tool.ranker]\nlr = 1\n", "[tool.ranker]\nlr = 2\n[project\n",
     ["the whole file"]),
])
def test_setup_cfg_and_tox_ini_are_held_to_their_own_sections(
    path: str, before: str, after: str, named: list[str]
) -> None:
    found = foreign_changes(path, before, after)
    assert [f.split(" (")[0] for f in found] == named, found
