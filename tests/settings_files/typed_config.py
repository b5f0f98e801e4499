from typing import Literal

SCHEDULER: Literal["cosine", "linear", "constant"] = "cosine"
PRECISION: Literal["fp32", "bf16"] = "bf16"
MOMENTUM: float = 0.9  # SGD momentum
ALPHA: float = 0.5  # mixing weight of the auxiliary loss
TEMPERATURE: float = 0.07  # softmax temperature (log scale, 0.01 to 1)
