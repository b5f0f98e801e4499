"""The harness's fast path: the attention kernel chosen by timing, the report that names it, and a
compiled step that is not rebuilt when the learning rate moves."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

from agentos.tools.trainer.fastpath import AttentionCalls, attention_context, choose_attention
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
