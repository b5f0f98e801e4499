"""The device the harness trains on, and its peak bf16 rate for model-FLOPs utilization (MFU).

Peaks are the vendors' dense (no structured sparsity) bf16 tensor-core figures. A device not in
the table, and every CPU, has no peak: MFU is then reported as absent, never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import torch

# (substring of torch.cuda.get_device_name, dense bf16 TFLOP/s). Most specific first.
PEAK_BF16_TFLOPS: tuple[tuple[str, float], ...] = (
    ("H200", 989.5),
    ("H100 PCIe", 756.0),
    ("H100 NVL", 835.5),
    ("H100", 989.5),  # SXM5 / HBM3
    ("GH200", 989.5),
    ("A100", 312.0),
)


@dataclass(frozen=True)
class DeviceInfo:
    kind: Literal["cpu", "cuda"]
    name: str
    peak_flops: float | None


def peak_for(name: str) -> float | None:
    """Dense bf16 FLOP/s of a CUDA device by its name, or None when it is not in the table."""
    for key, tflops in PEAK_BF16_TFLOPS:
        if key in name:
            return tflops * 1e12
    return None


def detect(requested: Literal["auto", "cpu", "cuda"]) -> DeviceInfo:
    """Resolve `auto` to CUDA when one is visible, else the CPU."""
    if requested == "cuda" and not torch.cuda.is_available():
        from agentos.errors import UserError

        raise UserError("--device cuda was asked for but no CUDA device is visible",
                        fix="use --device auto or cpu, or run on a GPU host")
    if requested != "cpu" and torch.cuda.is_available():
        name = torch.cuda.get_device_name(0)
        return DeviceInfo("cuda", name, peak_for(name))
    return DeviceInfo("cpu", "cpu", None)
