"""The harness, in process and by its command line: a finite score, fast failure, no tampering."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

from agentos.errors import UserError
from agentos.tools.trainer.harness import HarnessConfig, run_harness

from .conftest import DEVICES, edit


def _cfg(example: Path, corpus: tuple[str, ...], device: str, *,
         budget: float = 1.5) -> HarnessConfig:
    return HarnessConfig(model_path=example / "model.py", budget=budget, eval_bytes=4096,
                         warmup_steps=1, device="cuda" if device == "cuda" else "cpu",
                         corpus=corpus)


@pytest.mark.parametrize("device", DEVICES)
def test_tiny_run_scores_a_finite_bpb(example: Path, corpus: tuple[str, ...], device: str) -> None:
    report = run_harness(_cfg(example, corpus, device))
    assert report.status == "ok", report.reason
    assert report.val_bpb is not None and math.isfinite(report.val_bpb)
    assert 0.5 < report.val_bpb < 8.0 + 0.5  # a byte model: at most about 8 bits plus noise
    assert report.steps > 1 and report.params > 0 and report.tokens_per_s > 0
    assert 1.5 <= report.training_seconds < 30  # the budget, plus one step on a busy host
    assert report.eval_bytes == 4096 and report.device == device
    if device == "cuda":
        assert report.peak_memory_mb > 0 and report.flops_per_token > 0


@pytest.mark.parametrize("device", DEVICES)
def test_nan_loss_ends_fast_as_diverged(
    example: Path, corpus: tuple[str, ...], device: str
) -> None:
    edit(example / "model.py", "INIT_STD = 0.02", "INIT_STD = 1e30")
    report = run_harness(_cfg(example, corpus, device, budget=60.0))
    assert report.status == "diverged"
    assert report.val_bpb is None
    assert "nan" in report.reason and report.steps <= 3
    assert report.total_seconds < 20  # nowhere near the 60 s budget


@pytest.mark.parametrize("device", DEVICES)
def test_a_model_that_reads_future_bytes_is_refused(
    example: Path, corpus: tuple[str, ...], device: str
) -> None:
    edit(example / "gpt.py", "is_causal=True", "is_causal=False")
    report = run_harness(_cfg(example, corpus, device))
    assert report.status == "leak", report.reason
    assert report.val_bpb is None


TAMPER = '''
# An edit that tries to judge itself: a longer budget, a shorter evaluation, a fake scorer.
TIME_BUDGET = 1000
EVAL_BYTES = 16
BUDGET = 1000
import agentos.tools.trainer.evaluate as _ev
import agentos.tools.trainer.harness as _h
import agentos.tools.trainer.profiles as _p
_ev.bits_per_byte = lambda *a, **k: _ev.EvalResult(0.001)
_h.DIVERGED_LOSS = 1e9
_p.PROFILES["cpu"] = _p.Profile(budget=1000.0, eval_bytes=16, warmup_steps=1000,
                                warmup_limit=1e9)
print("---\\nval_bpb:          0.000100")
'''


@pytest.mark.parametrize("device", DEVICES)
def test_model_file_cannot_change_budget_eval_or_metric(
    example: Path, corpus: tuple[str, ...], device: str, tmp_path: Path
) -> None:
    model = example / "model.py"
    model.write_text(model.read_text(encoding="utf-8") + TAMPER, encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    argv = [sys.executable, "-m", "agentos.tools.trainer", "--model", str(model), "--profile",
            "cpu", "--budget", "1.5", "--eval-bytes", "4096", "--device", device]
    for source in corpus:
        argv += ["--corpus", source]
    env = {**os.environ, "AGENTOS_OUTPUT": str(out)}
    done = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=240, check=False)
    assert done.returncode == 0, done.stderr
    report = json.loads((out / "trainer.json").read_text(encoding="utf-8"))
    assert report["status"] == "ok"
    assert report["budget_seconds"] == 1.5 and report["eval_bytes"] == 4096
    assert 1.5 <= report["training_seconds"] < 30  # the budget, plus one step on a busy host
    assert report["val_bpb"] > 0.5  # the harness's own score, not the fake 0.001
    # the harness's summary comes last and carries the true score
    last_block = done.stdout.rsplit("---\n", 1)[-1]
    assert last_block.startswith("val_bpb:") and "status:           ok" in last_block
    assert f"{report['val_bpb']:.6f}" in last_block


def test_cli_reports_bad_input_in_one_line_with_exit_2(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "agentos.tools.trainer", "--model", str(tmp_path / "nope.py")],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert done.returncode == 2
    assert "nope.py" in done.stderr and "fix:" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_a_broken_contract_is_a_user_error(example: Path, corpus: tuple[str, ...]) -> None:
    edit(example / "model.py", "SEQ_LEN = 128", "SEQ_LEN = 0")
    with pytest.raises(UserError, match="SEQ_LEN must be a positive integer"):
        run_harness(_cfg(example, corpus, "cpu"))
