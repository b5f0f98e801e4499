"""An interpreter (or venv) that lives under /tmp stays visible inside the private /tmp."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from agentos.sandbox import Limits, RunRequest, Sandbox, layout


def test_interpreter_roots_under_tmp_are_bound_after_the_private_tmp(
    isolating: Sandbox, tree: Path, output: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with tempfile.TemporaryDirectory(prefix="agentos-venv-", dir="/tmp") as venv:
        (Path(venv) / "marker.txt").write_text("venv visible\n")
        Path(venv).chmod(0o755)
        roots = layout.interpreter_roots()
        monkeypatch.setattr(layout, "interpreter_roots", lambda: [*roots, venv])
        result = isolating.run(
            RunRequest(
                argv=("cat", f"{venv}/marker.txt"),
                tree=tree,
                output=output,
                limits=Limits(wall_seconds=20),
            )
        )
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "venv visible\n"
