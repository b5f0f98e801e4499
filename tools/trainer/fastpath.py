"""What the harness does to train at the device's pace: the attention kernel chosen by timing it,
and the step's completion read from device events one step late, so the host never stalls the GPU.

Attention: during the first (eager) step, `AttentionCalls` records the shape, strides and options
of every `F.scaled_dot_product_attention` call the model makes. `choose_attention` then times a
forward and backward of those calls under each fused backend this torch has on this device
(cuDNN, FlashAttention, memory-efficient) and returns the fastest; the harness trains and
evaluates with it first in SDPA's priority list (the others stay as fallbacks for shapes it
refuses), before `torch.compile` traces the model, and records its name in the report.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F
from torch.overrides import TorchFunctionMode

SDPA = F.scaled_dot_product_attention


@dataclass(frozen=True)
class AttentionCall:
    """One `scaled_dot_product_attention` call site as the model made it (no mask tensors)."""

    shapes: tuple[tuple[int, ...], ...]  # query, key, value
    strides: tuple[tuple[int, ...], ...]
    dtype: torch.dtype
    is_causal: bool
    gqa: bool
    scale: float | None


class AttentionCalls(TorchFunctionMode):
    """Records the distinct attention calls made while it is active (a mask disables the choice:
    a model with an explicit mask keeps torch's default order)."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: set[AttentionCall] = set()
        self.masked = False

    def __torch_function__(self, func: Callable[..., Any], types: Any, args: Any = (),
                           kwargs: Any = None) -> Any:
        kwargs = kwargs or {}
        if func is SDPA:
            q, k, v = args[:3]
            mask = args[3] if len(args) > 3 else kwargs.get("attn_mask")
            if mask is not None or kwargs.get("dropout_p", 0.0):
                self.masked = True
            else:
                self.calls.add(AttentionCall(
                    shapes=(tuple(q.shape), tuple(k.shape), tuple(v.shape)),
                    strides=(q.stride(), k.stride(), v.stride()),
                    dtype=q.dtype,
                    is_causal=bool(args[5] if len(args) > 5 else kwargs.get("is_causal", False)),
                    gqa=bool(kwargs.get("enable_gqa", False)),
                    scale=kwargs.get("scale"),
                ))
        return func(*args, **kwargs)


def _backends() -> dict[str, Any]:
    from torch.nn.attention import SDPBackend

    return {"cudnn": SDPBackend.CUDNN_ATTENTION, "flash": SDPBackend.FLASH_ATTENTION,
            "efficient": SDPBackend.EFFICIENT_ATTENTION, "math": SDPBackend.MATH}


def _time_call(call: AttentionCall, device: torch.device, reps: int) -> float:
    """Median milliseconds of one forward and backward of `call` on fresh random inputs."""
    def tensor(i: int) -> torch.Tensor:
        t = torch.empty_strided(call.shapes[i], call.strides[i], dtype=call.dtype, device=device)
        return t.normal_().requires_grad_(True)

    q, k, v = tensor(0), tensor(1), tensor(2)
    kwargs: dict[str, Any] = {"is_causal": call.is_causal}
    if call.gqa:
        kwargs["enable_gqa"] = True
    if call.scale is not None:
        kwargs["scale"] = call.scale
    out = SDPA(q, k, v, **kwargs)
    grad = torch.randn_like(out)
    out.backward(grad)  # type: ignore[no-untyped-call]  # warm-up: kernel choice, workspace
    times: list[float] = []
    for _ in range(reps):
        start = torch.cuda.Event(enable_timing=True)  # type: ignore[no-untyped-call]
        end = torch.cuda.Event(enable_timing=True)  # type: ignore[no-untyped-call]
        start.record()
        SDPA(q, k, v, **kwargs).backward(grad)  # type: ignore[no-untyped-call]
        end.record()
        end.synchronize()
        times.append(float(start.elapsed_time(end)))
    times.sort()
    return times[len(times) // 2]


def choose_attention(recorded: AttentionCalls, device: torch.device,
                     reps: int = 7) -> tuple[str, dict[str, float]]:
    """The fastest fused attention backend for the recorded calls, and each one's milliseconds
    (forward and backward of every call site once). `default` when there is nothing to choose:
    a CPU, a model without attention or with a mask."""
    if device.type != "cuda" or not recorded.calls or recorded.masked:
        return "default", {}
    from torch.nn.attention import sdpa_kernel

    timings: dict[str, float] = {}
    for name, backend in _backends().items():
        if name == "math":
            continue
        try:
            with sdpa_kernel([backend]):
                timings[name] = sum(_time_call(c, device, reps) for c in recorded.calls)
        except RuntimeError:  # this backend does not take these shapes on this device
            continue
        finally:
            torch.cuda.empty_cache()
    usable = {k: v for k, v in timings.items() if math.isfinite(v)}
    if not usable:
        return "default", timings
    return min(usable, key=usable.__getitem__), timings


def attention_context(name: str) -> AbstractContextManager[object]:
    """SDPA with backend `name` first in its priority order, the others after it as fallbacks."""
    if name == "default":
        return nullcontext()
    from torch.nn.attention import sdpa_kernel

    table = _backends()
    order = [table[name]] + [b for k, b in table.items() if k != name]
    return sdpa_kernel(order, set_priority=True)


@dataclass
class Pending:
    """A step enqueued on the device whose loss has not been read yet."""

    index: int
    loss: torch.Tensor  # on the host: read it once `done` has happened
    done: torch.cuda.Event | None


def enqueue(index: int, loss: torch.Tensor) -> Pending:
    """Step `index`, its `loss` on its way to the host. On a GPU the loss is copied into pinned
    host memory behind the step's work and an event recorded after it, so reading it once the
    event has happened waits for nothing else: a plain `loss.item()` would copy on the stream,
    behind every step enqueued since, and drain the device of work each step."""
    if loss.device.type != "cuda":
        return Pending(index, loss, None)
    host = torch.empty((), dtype=loss.dtype, pin_memory=True)
    host.copy_(loss, non_blocking=True)
    event = torch.cuda.Event()  # type: ignore[no-untyped-call]
    event.record()
    return Pending(index, host, event)


def wait(pending: Pending) -> None:
    if pending.done is not None:
        pending.done.synchronize()


def iter_oldest(queue: list[Pending], keep: int) -> Iterator[Pending]:
    """Pop and yield the oldest entries until at most `keep` remain."""
    while len(queue) > keep:
        yield queue.pop(0)
