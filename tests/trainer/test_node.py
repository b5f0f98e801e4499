"""The `trainer` tool node: registered through the plugin hook, run in a sandbox, typed signals."""

from __future__ import annotations

from pathlib import Path

import pytest

import agentos.tools.trainer.node  # noqa: F401  (registers the tool, as the entry point would)
from agentos.sandbox import get_backend
from agentos.task import load_task
from agentos.tool import ToolContext, get_tool, run_tool

from .conftest import edit


def _ctx(example: Path, **options: object) -> ToolContext:
    return ToolContext(tree=example, changed=["model.py"], task=load_task(example),
                       sandbox=get_backend("local"), options={"budget": 1.5, "eval_bytes": 4096,
                                                              **options})


@pytest.mark.slow
def test_trainer_signals_come_from_the_harness_report(example: Path) -> None:
    t = get_tool("trainer")
    assert t.kind == "signal"
    result = run_tool(t, _ctx(example))
    assert result.outcome == "pass", result.detail
    assert 0.5 < result.signals["val_bpb"] < 9 and result.signals["params"] > 0
    assert result.signals["steps"] >= 2


@pytest.mark.slow
def test_a_diverging_candidate_is_a_failed_signal(example: Path) -> None:
    edit(example / "model.py", "INIT_STD = 0.02", "INIT_STD = 1e30")
    result = run_tool(get_tool("trainer"), _ctx(example))
    assert result.outcome == "fail" and "diverged" in result.detail
    assert "val_bpb" not in result.signals


def _has_cuda() -> bool:
    import torch

    return bool(torch.cuda.is_available())


@pytest.mark.gpu
@pytest.mark.skipif(not _has_cuda(), reason="needs CUDA")
def test_the_trainer_trains_on_the_gpu_inside_the_unshare_sandbox(example: Path) -> None:
    """The trusted harness on the GPU behind the `unshare` backend: namespaces, the read-only
    tree, Landlock (where the kernel has it) and the seccomp filter, with the GPU devices bound."""
    from dataclasses import replace

    from agentos.sandboxes.unshare import UnshareSandbox

    why = UnshareSandbox.missing()
    if why is not None:
        pytest.skip(why)
    ctx = ToolContext(tree=example, changed=["model.py"],
                      task=replace(load_task(example), gpu=True), sandbox=UnshareSandbox(),
                      options={"budget": 3.0, "eval_bytes": 4096})  # fmt: skip
    result = run_tool(get_tool("trainer"), ctx)
    assert result.outcome == "pass", result.detail
    assert result.signals["steps"] >= 2 and 0.5 < result.signals["val_bpb"] < 9
    assert result.signals.get("mfu_percent", 0.0) > 0  # only a CUDA run has a peak to compare
