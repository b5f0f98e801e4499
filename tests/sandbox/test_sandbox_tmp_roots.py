"""An interpreter (or venv) that lives under /tmp stays visible inside the private /tmp."""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path

from agentos.sandbox import Limits, RunRequest, Sandbox
from agentos.sandbox.interpreter import own


def test_interpreter_roots_under_tmp_are_bound_after_the_private_tmp(
    isolating: Sandbox, tree: Path, output: Path
) -> None:
    with tempfile.TemporaryDirectory(prefix="agentos-venv-", dir="/tmp") as venv:
        (Path(venv) / "marker.txt").write_text("venv visible\n")
        Path(venv).chmod(0o755)
        python = dataclasses.replace(own(), roots=(*own().roots, venv))
        result = isolating.run(
            RunRequest(
                argv=("cat", f"{venv}/marker.txt"),
                tree=tree,
                output=output,
                limits=Limits(wall_seconds=20),
                python=python,
            )
        )
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "venv visible\n"
