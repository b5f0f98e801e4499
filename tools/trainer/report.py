"""What the harness reports: one JSON file (the trusted channel) and autoresearch's `---` block.

The JSON file is written by the harness alone, atomically, after training and evaluation; the
loop reads it with `json_file`/`json_key`. A failed run writes the same file with `val_bpb` null
and a `status` that names the failure, so the loop records `invalid` with that reason instead of
trusting anything the model file printed.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

Status = Literal["ok", "diverged", "leak", "oom", "error"]

REPORT_FILE = "trainer.json"


@dataclass(frozen=True)
class Report:
    """One training run, as measured by the harness."""

    status: Status
    reason: str
    val_bpb: float | None
    budget_seconds: float
    eval_bytes: int
    training_seconds: float
    warmup_seconds: float
    total_seconds: float
    steps: int
    tokens: int
    tokens_per_s: float
    flops_per_token: float
    mfu_percent: float | None
    peak_memory_mb: float
    params: int
    seq_len: int
    batch_size: int
    device: str
    device_name: str
    corpus_digest: str
    train_bytes: int
    val_bytes: int
    attention_backend: str = "default"  # the SDPA kernel the harness chose by timing, or default
    attention_ms: dict[str, float] = field(default_factory=dict)  # each candidate's fwd+bwd ms
    graphs_compiled: int = 0  # graphs torch.compile built while training (recompiles included)


def write_report(report: Report, path: Path) -> None:
    """Write the report as JSON, atomically (a reader never sees half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(asdict(report), indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def summary_block(report: Report) -> str:
    """autoresearch's `---` summary: one `key: value` per line, greppable."""
    mfu = "n/a" if report.mfu_percent is None else f"{report.mfu_percent:.2f}"
    bpb = "n/a" if report.val_bpb is None else f"{report.val_bpb:.6f}"
    lines = [
        "---",
        f"val_bpb:          {bpb}",
        f"training_seconds: {report.training_seconds:.1f}",
        f"total_seconds:    {report.total_seconds:.1f}",
        f"peak_vram_mb:     {report.peak_memory_mb:.1f}",
        f"mfu_percent:      {mfu}",
        f"tokens_per_s:     {report.tokens_per_s:.0f}",
        f"total_tokens_M:   {report.tokens / 1e6:.1f}",
        f"num_steps:        {report.steps}",
        f"num_params_M:     {report.params / 1e6:.1f}",
        f"budget_seconds:   {report.budget_seconds:.1f}",
        f"eval_bytes:       {report.eval_bytes}",
        f"device:           {report.device_name}",
        f"attention:        {report.attention_backend}",
        f"status:           {report.status}",
    ]
    if report.reason:
        lines.append(f"reason:           {report.reason}")
    return "\n".join(lines)
