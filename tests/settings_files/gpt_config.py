"""Model and training configs as dataclasses (nanoGPT style)."""

from dataclasses import dataclass, field
from typing import Literal


@dataclass
class GPTConfig:
    block_size: int = 256
    n_layer: int = 6  # 1-24 transformer blocks
    n_head: int = 6
    n_embd: int = 384  # choices: 128, 256, 384, 512
    dropout: float = 0.2
    """Dropout on attention and MLP outputs, between 0 and 0.5."""
    bias: bool = False


@dataclass
class TrainConfig:
    learning_rate: float = 1e-3  # log scale, 1e-5..1e-2
    # AdamW betas
    beta2: float = 0.99
    schedule: Literal["cosine", "linear", "constant"] = "cosine"
    warmup_iters: int = field(default=100)  # 0 to 2000
    grad_clip: float = field(default=1.0, metadata={"help": "clip norm, 0 disables"})
    tags: list[str] = field(default_factory=list)


@dataclass
class Point:
    x: float = 0.0  # not a config: left alone
