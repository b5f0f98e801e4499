"""A small modern GPT over bytes: rotary embeddings, RMSNorm, causal SDPA, bf16 autocast on GPU.

Editable by the agent. The trusted harness (`python -m agentos.tools.trainer`) only calls the
`build_model`, `build_optimizer` and `lr_multiplier` of `model.py` (or `model_gpu.py`), which use
this file; the loss, the budget and the evaluation are not here.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class RMSNorm(nn.Module):
    def __init__(self, dim: int, eps: float = 1e-6):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.rms_norm(x, (x.shape[-1],), self.weight.to(x.dtype), self.eps)


def rotary_tables(seq_len: int, head_dim: int, base: float = 10000.0) -> torch.Tensor:
    """cos and sin for each position and frequency: (2, 1, 1, T, head_dim / 2)."""
    inv_freq = 1.0 / base ** (torch.arange(0, head_dim, 2, dtype=torch.float32) / head_dim)
    angles = torch.outer(torch.arange(seq_len, dtype=torch.float32), inv_freq)  # (T, hd/2)
    return torch.stack([angles.cos(), angles.sin()])[:, None, None]


def apply_rotary(x: torch.Tensor, table: torch.Tensor) -> torch.Tensor:
    """Rotate channel pairs (first half, second half) of each head by position. x: (B, H, T, hd)."""
    cos, sin = table[0, :, :, : x.shape[-2]], table[1, :, :, : x.shape[-2]]
    a, b = x.float().chunk(2, dim=-1)
    return torch.cat([a * cos - b * sin, a * sin + b * cos], dim=-1).type_as(x)


class Attention(nn.Module):
    def __init__(self, width: int, heads: int):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(width, 3 * width, bias=False)
        self.proj = nn.Linear(width, width, bias=False)
        self.q_norm = RMSNorm(width // heads)
        self.k_norm = RMSNorm(width // heads)

    def forward(self, x: torch.Tensor, table: torch.Tensor) -> torch.Tensor:
        b, t, c = x.shape
        q, k, v = self.qkv(x).view(b, t, 3, self.heads, c // self.heads).permute(2, 0, 3, 1, 4)
        q = apply_rotary(self.q_norm(q), table)  # (B, H, T, hd)
        k = apply_rotary(self.k_norm(k), table)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        out: torch.Tensor = self.proj(y.transpose(1, 2).reshape(b, t, c))
        return out


class MLP(nn.Module):
    def __init__(self, width: int, expansion: int):
        super().__init__()
        self.up = nn.Linear(width, expansion * width, bias=False)
        self.down = nn.Linear(expansion * width, width, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out: torch.Tensor = self.down(F.relu(self.up(x)).square())
        return out


class Block(nn.Module):
    def __init__(self, width: int, heads: int, expansion: int):
        super().__init__()
        self.norm1 = RMSNorm(width)
        self.attn = Attention(width, heads)
        self.norm2 = RMSNorm(width)
        self.mlp = MLP(width, expansion)

    def forward(self, x: torch.Tensor, table: torch.Tensor) -> torch.Tensor:
        x = x + self.attn(self.norm1(x), table)
        out: torch.Tensor = x + self.mlp(self.norm2(x))
        return out


class GPT(nn.Module):
    """Byte-level decoder: (B, T) byte ids to (B, T, 256) logits."""

    def __init__(self, *, depth: int, width: int, heads: int, seq_len: int, expansion: int = 4,
                 init_std: float = 0.02):
        super().__init__()
        if width % heads or (width // heads) % 2:
            raise ValueError(f"width {width} must split into {heads} heads of even size")
        self.embed = nn.Embedding(256, width)
        self.blocks = nn.ModuleList(Block(width, heads, expansion) for _ in range(depth))
        self.norm = RMSNorm(width)
        self.head = nn.Linear(width, 256, bias=False)
        self.register_buffer("table", rotary_tables(seq_len, width // heads), persistent=False)
        for name, p in self.named_parameters():
            if p.dim() == 2:
                residual = name.endswith(("proj.weight", "down.weight"))
                std = init_std / (2 * depth) ** 0.5 if residual else init_std
                nn.init.normal_(p, mean=0.0, std=std)

    def forward(self, idx: torch.Tensor) -> torch.Tensor:
        with torch.autocast(device_type=idx.device.type, dtype=torch.bfloat16,
                            enabled=idx.is_cuda):
            # The residual stream in bf16 on the GPU: the norms and adds between the matrix
            # products then move half the bytes (an fp32 embedding would make it fp32 throughout).
            x = self.embed(idx).to(torch.bfloat16 if idx.is_cuda else torch.float32)
            for block in self.blocks:
                x = block(x, self.table)
            logits: torch.Tensor = self.head(self.norm(x))  # (B, T, 256)
            return logits


def make_optimizer(model: nn.Module, *, lr: float, embed_lr: float, weight_decay: float,
                   beta1: float, beta2: float) -> torch.optim.Optimizer:
    """AdamW (fused on CUDA): decay on matrices only, a separate rate for the embedding."""
    embed, decay, other = [], [], []
    for name, p in model.named_parameters():
        if name.startswith("embed."):
            embed.append(p)
        elif p.dim() >= 2:
            decay.append(p)
        else:
            other.append(p)
    groups = [
        {"params": embed, "lr": embed_lr, "weight_decay": 0.0},
        {"params": decay, "lr": lr, "weight_decay": weight_decay},
        {"params": other, "lr": lr, "weight_decay": 0.0},
    ]
    fused = next(model.parameters()).is_cuda
    return torch.optim.AdamW(groups, betas=(beta1, beta2), eps=1e-10, fused=fused)


def warmup_cosine(progress: float, *, warmup: float, final: float) -> float:
    """Linear warm-up over the first `warmup` of the budget, then cosine down to `final`."""
    import math

    if progress < warmup:
        return (progress + 1e-3) / (warmup + 1e-3)
    span = max(1.0 - warmup, 1e-9)
    done = min((progress - warmup) / span, 1.0)
    return final + (1.0 - final) * 0.5 * (1.0 + math.cos(math.pi * done))
