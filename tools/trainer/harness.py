"""The trusted training harness: data, time budget, evaluation, MFU, the report.

It imports the editable model file by path and trains what `build_model()` returns for a fixed
wall-clock budget, then scores it. What decides the score lives here, not in the model file: the
budget, the warm-up allowance, the number of evaluated bytes and the loss are `HarnessConfig`
fields, bound before the model file is imported, and the functions used to train, time and score
are bound to locals first too, so a model file that rebinds names in this module changes nothing.

Timing: the first `warmup_steps` steps train but are not timed (they pay for `torch.compile`); they
may take at most `warmup_limit` seconds. The timed span runs from the end of the last warm-up step
to the end of the last step, read from device events one step late: while the host waits for step
n to finish (and reads its loss), step n+1 is already queued, so the device never waits for the
host. Training stops once a finished step is past the budget; the step then in flight is counted.
"""

from __future__ import annotations

import math
import resource
import time
from collections.abc import Callable
from contextlib import ExitStack, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import torch
import torch.nn.functional as F
from torch.utils.flop_counter import FlopCounterMode

from . import corpus as corpus_mod
from . import evaluate as eval_mod
from . import fastpath as fast
from .device import DeviceInfo, detect
from .modelfile import VOCAB, load_model_file
from .report import Report, Status

DIVERGED_LOSS = 2 * math.log(VOCAB)  # twice the loss of a uniform guess


@dataclass(frozen=True)
class HarnessConfig:
    """The harness's own arguments; nothing in the model file can change them."""

    model_path: Path
    budget: float
    eval_bytes: int
    warmup_steps: int = 1
    warmup_limit: float = 600.0
    device: Literal["auto", "cpu", "cuda"] = "auto"
    corpus: tuple[str, ...] = ()
    val_fraction: float = 0.1
    max_train_bytes: int | None = None
    seed: int = 0
    peak_flops: float | None = None
    leak_check: bool = True
    on_step: Callable[[int], None] | None = None  # called after each step is enqueued (profiling)


class _Failed(Exception):
    def __init__(self, status: Status, reason: str):
        super().__init__(reason)
        self.status = status
        self.reason = reason


def _peak_memory_mb(info: DeviceInfo) -> float:
    if info.kind == "cuda":
        return torch.cuda.max_memory_allocated() / 2**20
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def run_harness(cfg: HarnessConfig) -> Report:
    """Train the model file's model under `cfg` and return what was measured.

    A run that diverges, leaks future bytes or runs out of device memory returns a report with
    that status and `val_bpb` None; bad input (a missing file, a broken contract) raises UserError.
    """
    # Bind everything the measurement depends on before the model file can run any code.
    clock = time.perf_counter
    cross_entropy = F.cross_entropy
    is_finite = math.isfinite
    score = eval_mod.bits_per_byte
    probe = eval_mod.causality_leak
    budget, eval_bytes = float(cfg.budget), int(cfg.eval_bytes)
    warmup_steps, warmup_limit = int(cfg.warmup_steps), float(cfg.warmup_limit)

    started = clock()
    info = detect(cfg.device)
    dev = torch.device(info.kind)
    peak = cfg.peak_flops if cfg.peak_flops is not None else info.peak_flops
    data = corpus_mod.build_corpus(cfg.corpus, val_fraction=cfg.val_fraction,
                                   max_bytes=cfg.max_train_bytes)
    train = torch.frombuffer(bytearray(data.train), dtype=torch.uint8).to(dev)
    val = torch.frombuffer(bytearray(data.val), dtype=torch.uint8).to(dev)
    if info.kind == "cuda":
        torch.cuda.reset_peak_memory_stats()

    torch.manual_seed(cfg.seed)
    spec = load_model_file(cfg.model_path)
    seq, batch, accum = spec.seq_len, spec.batch_size, spec.grad_accum
    if train.numel() <= seq + 1:
        raise _user(f"the training split has {train.numel()} bytes, SEQ_LEN is {seq}")
    eval_mod.needed_val_bytes(eval_bytes, seq, batch)
    torch.manual_seed(cfg.seed)
    model = spec.build_model().to(dev)
    params = sum(p.numel() for p in model.parameters())
    optimizer = spec.build_optimizer(model)
    base_lrs = [float(g["lr"]) for g in optimizer.param_groups]
    if spec.compile:
        torch._dynamo.reset()  # a fresh cache: an earlier run in this process counts for nothing
    forward = torch.compile(model) if spec.compile else model

    def step_loss(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return cross_entropy(model(x).float().reshape(-1, VOCAB), y.reshape(-1))

    # The harness's loss is compiled with the model: one graph, the float32 upcast fused in.
    train_loss = torch.compile(step_loss) if spec.compile else step_loss
    gen = torch.Generator(device=dev).manual_seed(cfg.seed)
    offsets = torch.arange(seq + 1, device=dev)
    tokens_per_step = batch * seq * accum
    graphs_before = _graphs()

    steps = 0
    train_time = warmup_time = 0.0
    flops_per_step = 0.0
    status: Status = "ok"
    reason = ""
    attention, attention_ms = "default", dict[str, float]()
    queue: list[fast.Pending] = []
    settings = ExitStack()
    loop_start = timed_start = clock()
    try:
        while True:
            progress = min(train_time / budget, 1.0) if budget > 0 else 1.0
            for group, lr in zip(optimizer.param_groups, base_lrs, strict=True):
                group["lr"] = lr * float(spec.lr_multiplier(progress))
            first = steps == 0
            counter = FlopCounterMode(display=False) if first else None
            calls = fast.AttentionCalls()
            loss_sum = torch.zeros((), device=dev)
            with counter if counter is not None else nullcontext(), \
                    calls if first else nullcontext():
                for _ in range(accum):
                    starts = torch.randint(0, train.numel() - seq - 1, (batch,), device=dev,
                                           generator=gen)
                    chunk = train[starts[:, None] + offsets].long()  # (B, T+1), cut on the device
                    loss = (step_loss if first else train_loss)(chunk[:, :-1], chunk[:, 1:])
                    (loss / accum).backward()  # type: ignore[no-untyped-call]
                    loss_sum += loss.detach()
            if spec.grad_clip is not None:
                torch.nn.utils.clip_grad_norm_(model.parameters(), spec.grad_clip)
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
            queue.append(fast.enqueue(steps, loss_sum.detach()))
            steps += 1
            if counter is not None:
                flops_per_step = float(counter.get_total_flops())
                # Before anything is compiled: the fastest attention kernel for these shapes.
                attention, attention_ms = fast.choose_attention(calls, dev)
                settings.enter_context(fast.attention_context(attention))
            if cfg.on_step is not None:
                cfg.on_step(steps)
            # Read the step before the newest: the device is busy with the newest meanwhile.
            over = False
            for done in fast.iter_oldest(queue, keep=1):
                fast.wait(done)
                now = clock()
                value = done.loss.item() / accum
                if done.index < warmup_steps:
                    warmup_time = now - loop_start
                    timed_start = now
                else:
                    train_time = now - timed_start
                if not is_finite(value):
                    raise _Failed("diverged", f"training loss is {value} at step {done.index + 1}")
                if done.index >= warmup_steps and value > DIVERGED_LOSS:
                    raise _Failed("diverged", f"training loss {value:.3f} at step "
                                              f"{done.index + 1} exceeds {DIVERGED_LOSS:.3f}, "
                                              "twice a uniform guess")
                if warmup_time > warmup_limit:
                    raise _Failed("error", f"warm-up took {warmup_time:.0f}s, over the "
                                           f"{warmup_limit:.0f}s allowed")
                over = done.index >= warmup_steps and train_time >= budget
            if over:
                break
        for done in fast.iter_oldest(queue, keep=0):  # the step in flight when time ran out
            fast.wait(done)
            train_time = clock() - timed_start
        graphs = _graphs() - graphs_before
        model.eval()
        leak = probe(forward, val, seq_len=seq, batch_size=batch, seed=cfg.seed) \
            if cfg.leak_check else None
        if leak is not None:
            raise _Failed("leak", leak)
        result = score(forward, val, eval_bytes=eval_bytes, seq_len=seq, batch_size=batch)
        if result.bpb is None:
            raise _Failed("diverged", result.reason)
        bpb: float | None = result.bpb
    except _Failed as failed:
        status, reason, bpb = failed.status, failed.reason, None
        graphs = _graphs() - graphs_before
    except torch.OutOfMemoryError as exc:
        status, reason, bpb = "oom", f"device out of memory: {str(exc).splitlines()[0]}", None
        graphs = _graphs() - graphs_before
    finally:
        settings.close()

    timed_steps = max(steps - warmup_steps, 0)
    tps = timed_steps * tokens_per_step / train_time if train_time > 0 else 0.0
    mfu = None
    if peak and train_time > 0 and flops_per_step > 0:
        mfu = 100.0 * flops_per_step * timed_steps / train_time / peak
    return Report(
        status=status,
        reason=reason,
        val_bpb=bpb,
        budget_seconds=budget,
        eval_bytes=eval_bytes,
        training_seconds=train_time,
        warmup_seconds=warmup_time,
        total_seconds=clock() - started,
        steps=steps,
        tokens=steps * tokens_per_step,
        tokens_per_s=tps,
        flops_per_token=flops_per_step / tokens_per_step,
        mfu_percent=mfu,
        peak_memory_mb=_peak_memory_mb(info),
        params=params,
        seq_len=seq,
        batch_size=batch * accum,
        device=info.kind,
        device_name=info.name,
        corpus_digest=data.digest,
        train_bytes=len(data.train),
        val_bytes=len(data.val),
        attention_backend=attention,
        attention_ms=attention_ms,
        graphs_compiled=graphs,
    )


def _graphs() -> int:
    """Graphs `torch.compile` has built in this process so far (a recompile adds one)."""
    from torch._dynamo.utils import counters

    return int(counters["stats"]["unique_graphs"])


def _user(message: str) -> Exception:
    from agentos.errors import UserError

    return UserError(message, fix="add files with --corpus or lower SEQ_LEN")

