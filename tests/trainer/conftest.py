"""Fixtures for the trainer tests: a small stdlib corpus, the example model files, a device list."""

from __future__ import annotations

import os
import shutil
import sysconfig
from pathlib import Path

import pytest
import torch

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "autoresearch"
STDLIB = sysconfig.get_paths()["stdlib"]

DEVICES = [
    pytest.param("cpu", id="cpu"),
    pytest.param(
        "cuda",
        id="cuda",
        marks=[pytest.mark.gpu,
               pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")],
    ),
]


@pytest.fixture
def corpus() -> tuple[str, ...]:
    """A few hundred KB of standard-library sources: enough to train and score, quick to read."""
    return (os.path.join(STDLIB, "asyncio", "*.py"), os.path.join(STDLIB, "json", "*.py"))


@pytest.fixture
def example(tmp_path: Path) -> Path:
    """A private copy of the example, so a test can edit its model file as the agent would."""
    dest = tmp_path / "autoresearch"
    shutil.copytree(EXAMPLE, dest, ignore=shutil.ignore_patterns("__pycache__"))
    return dest


def edit(path: Path, old: str, new: str) -> None:
    """Replace `old` (which must occur) by `new` in the file, as a proposer's edit would."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")
