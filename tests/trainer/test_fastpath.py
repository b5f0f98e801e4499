"""The harness's fast path: the attention kernel chosen by timing, the report that names it, and a
compiled step that is not rebuilt when the learning rate moves."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

from agentos.tools.trainer.fastpath import (
    AttentionCalls,
    attention_context,
    choose_attention,
    enqueue,
    wait,
)
from agentos.tools.trainer.harness import HarnessConfig, run_harness

from .conftest import edit


def test_attention_calls_are_recorded_with_their_shape_and_options() -> None:
    q = torch.randn(2, 4, 16, 8)
    calls = AttentionCalls()
    with calls:
        F.scaled_dot_product_attention(q, q, q, is_causal=True)
        F.scaled_dot_product_attention(q, q, q, is_causal=True)  # the same call site shape
        F.scaled_dot_product_attention(q[:1], q[:1], q[:1])
    assert not calls.masked
    assert {(c.shapes[0], c.is_causal) for c in calls.calls} == {
        ((2, 4, 16, 8), True), ((1, 4, 16, 8), False)}
    with calls:
        F.scaled_dot_product_attention(q, q, q, attn_mask=torch.ones(16, 16, dtype=torch.bool))
    assert calls.masked  # an explicit mask keeps torch's own order: nothing is timed
    assert choose_attention(calls, q.device) == ("default", {})


def test_a_cpu_run_reports_the_default_attention(example: Path, corpus: tuple[str, ...]) -> None:
    report = run_harness(HarnessConfig(model_path=example / "model.py", budget=1.0,
                                       eval_bytes=2048, device="cpu", corpus=corpus))
    assert report.status == "ok", report.reason
    assert report.attention_backend == "default" and report.graphs_compiled == 0
    with attention_context(report.attention_backend):
        assert torch.backends.cuda.flash_sdp_enabled()  # type: ignore[no-untyped-call]  # the default changes nothing


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_gpu_run_times_attention_kernels_and_never_recompiles(
    example: Path, corpus: tuple[str, ...]
) -> None:
    edit(example / "model.py", "COMPILE = False", "COMPILE = True")
    reports = [run_harness(HarnessConfig(model_path=example / "model.py", budget=budget,
                                         eval_bytes=4096, warmup_steps=3, device="cuda",
                                         corpus=corpus)) for budget in (1.0, 4.0)]
    for report in reports:
        assert report.status == "ok", report.reason
        assert report.attention_backend in report.attention_ms  # the fastest one timed
        assert report.attention_ms[report.attention_backend] == min(report.attention_ms.values())
    short, long = reports
    # the learning rate changes every step; more steps must not mean more graphs
    assert long.steps > short.steps
    assert 0 < long.graphs_compiled == short.graphs_compiled


def test_a_cpu_step_is_read_as_it_is() -> None:
    pending = enqueue(3, torch.tensor(2.5))
    wait(pending)
    assert pending.index == 3 and pending.done is None and pending.loss.item() == 2.5


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_reading_a_step_waits_for_that_step_not_for_the_work_queued_after_it() -> None:
    """The harness reads step k-1's loss while step k runs: the read must not wait for step k
    (a `loss.item()` on the device would, copying behind it on the stream)."""
    a = torch.randn(4096, 4096, device="cuda", dtype=torch.bfloat16)
    loss = (a.float().mean() * 0).add_(1.5)
    pending = enqueue(0, loss)
    start = torch.cuda.Event(enable_timing=True)  # type: ignore[no-untyped-call]
    end = torch.cuda.Event(enable_timing=True)  # type: ignore[no-untyped-call]
    start.record()
    for _ in range(2000):  # the next step: a few hundred milliseconds of matrix products
        a = (a @ a).clamp_(-1, 1)
    end.record()
    wait(pending)
    assert pending.loss.device.type == "cpu" and pending.loss.item() == 1.5
    assert not end.query(), "the read waited for the work queued after the step"
    end.synchronize()
