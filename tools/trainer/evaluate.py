"""Trusted evaluation: bits per byte on a fixed number of validation bytes, and a causality probe.

The loss is computed here from the model's logits in float32, never taken from the model. The
number of predicted bytes is the harness's `eval_bytes`, whatever the model's sequence length or
batch size: windows are cut from the start of the validation split and the surplus predictions of
the last window are dropped. Batches keep the training shape (a compiled model need not
recompile) except perhaps the last.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from agentos.errors import UserError

VOCAB = 256


@dataclass(frozen=True)
class EvalResult:
    bpb: float | None
    reason: str = ""


def needed_val_bytes(eval_bytes: int, seq_len: int, batch_size: int) -> int:
    """Validation bytes the evaluation reads: whole windows, plus one target."""
    return math.ceil(eval_bytes / seq_len) * seq_len + 1


def _logits(model: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor) -> torch.Tensor:
    out = model(x)
    if not isinstance(out, torch.Tensor) or tuple(out.shape) != (*x.shape, VOCAB):
        shape = tuple(out.shape) if isinstance(out, torch.Tensor) else type(out).__name__
        raise UserError(f"model returned {shape}, expected logits of shape {(*x.shape, VOCAB)}",
                        fix="make forward(idx) return (B, T, 256) logits")
    return out


@torch.no_grad()
def bits_per_byte(
    model: Callable[[torch.Tensor], torch.Tensor],
    val: torch.Tensor,
    *,
    eval_bytes: int,
    seq_len: int,
    batch_size: int,
) -> EvalResult:
    """Mean cross-entropy of the next byte over exactly `eval_bytes` predictions, in bits."""
    need = needed_val_bytes(eval_bytes, seq_len, batch_size)
    if val.numel() < need:
        raise UserError(
            f"the validation split has {val.numel()} bytes; evaluating {eval_bytes} bytes at "
            f"SEQ_LEN={seq_len}, BATCH_SIZE={batch_size} reads {need}",
            fix="add files with --corpus, raise --val-fraction or lower --eval-bytes",
        )
    total = torch.zeros((), dtype=torch.float64, device=val.device)
    counted = 0
    windows = (need - 1) // seq_len
    for first in range(0, windows, batch_size):
        rows = min(batch_size, windows - first)  # only the last batch may be smaller
        chunk = val[first * seq_len : (first + rows) * seq_len + 1].long()
        x = chunk[:-1].view(rows, seq_len)
        y = chunk[1:].reshape(-1)
        logits = _logits(model, x).float().reshape(-1, VOCAB)  # (rows*T, 256)
        nll = F.cross_entropy(logits, y, reduction="none")
        take = min(rows * seq_len, eval_bytes - counted)
        total += nll[:take].double().sum()
        counted += take
    value = total.item() / counted / math.log(2)
    if not math.isfinite(value):
        return EvalResult(None, f"validation loss is {value}")
    return EvalResult(value)


@torch.no_grad()
def causality_leak(
    model: Callable[[torch.Tensor], torch.Tensor],
    val: torch.Tensor,
    *,
    seq_len: int,
    batch_size: int,
    seed: int,
) -> str | None:
    """Return why the model reads future bytes, or None.

    Changing the second half of every window must leave the logits of the first half unchanged;
    a model that attends forward would otherwise score its own targets.
    """
    rows = min(batch_size, val.numel() // seq_len)
    half = seq_len // 2
    if half == 0 or rows == 0:
        return None
    x = val[: rows * seq_len].long().view(rows, seq_len)
    gen = torch.Generator(device="cpu").manual_seed(seed)
    noise = torch.randint(0, VOCAB, (rows, seq_len - half), generator=gen).to(x.device)
    changed = x.clone()
    changed[:, half:] = (x[:, half:] + 1 + noise % (VOCAB - 1)) % VOCAB
    a = _logits(model, x)[:, :half].float()
    b = _logits(model, changed)[:, :half].float()
    diff = (a - b).abs().max().item()
    scale = a.abs().max().item()
    if not math.isfinite(diff) or diff > 1e-3 + 2e-2 * scale:
        return f"logits of earlier bytes changed by {diff:.3g} when later bytes changed"
    return None
