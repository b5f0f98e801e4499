# ruff: noqa: UP045  (written as its authors write it: Optional[...] is read too)
"""Language-model training settings, documented the way the team documents code.

Attributes:
    SEQ_LEN (int): context length in tokens, 128 to 4096.
"""

from dataclasses import dataclass, field
from typing import Annotated, Literal, Optional

SEQ_LEN = 1024


@dataclass
class TrainConfig:
    """Hyperparameters of a training run.

    Attributes:
        lr: Peak learning rate, between 1e-5 and 1e-2.
        warmup_steps: Linear warm-up,
            0 to 1000 steps.
        layers (int): Number of transformer layers (2 to 24).
    """

    optimizer: Literal["adam", "sgd", "lion"] = "adam"
    lr: float = 3e-4
    warmup_steps: int = 100
    layers: int = 6
    norm: Optional[Literal["layer", "rms"]] = "layer"
    """Normalization layer."""
    act: Literal["relu", "gelu", "silu"] | None = "gelu"
    pos: Annotated[Literal["rope", "alibi"], "position encoding"] = "rope"
    weight_decay: float = field(default=0.01)
    """Decoupled weight decay in [0, 0.3]."""
    schedule: str = "cosine"
    """Learning-rate schedule ("cosine" | "linear" | "constant")."""


@dataclass
class DataConfig:
    """Data loading.

    Parameters
    ----------
    sampler : {'random', 'sequential'}, default='random'
        How batches are drawn.
    num_workers : int
        Loader processes, 0 to 16.

    Returns
    -------
    shuffle_buffer : int
        Not a parameter: 1 to 2 (a section other than the parameters is not read).
    """

    sampler: str = "random"
    num_workers: int = 4
    shuffle_buffer: int = 1000


class EvalOptions:
    """Evaluation.

    :param beam: beam width, 1 to 8
    :ivar float temperature: 0 to 2
    """

    beam = 4
    temperature = 1.0
