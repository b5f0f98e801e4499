"""The editable experiment, GPU size (about 51M parameters): hyperparameters and the harness hooks.

The trusted harness (`python -m agentos.tools.trainer --profile gpu --model model_gpu.py`)
imports this file, trains `build_model()` with `build_optimizer()` on the schedule
`lr_multiplier()` for its own fixed budget, and scores it on its own validation bytes. Nothing
here can change the budget, the evaluation or the metric. `model.py` is the same experiment
at laptop size.

The defaults are the fast path on a Hopper card (docs/trainer.md): few wide layers (the element-wise
work between matrix products grows with DEPTH * WIDTH, the products with DEPTH * WIDTH**2), a long
sequence, and a batch that takes about 52 GiB of an 80 GB card.
"""

from __future__ import annotations

import torch
from gpt import GPT, make_optimizer, warmup_cosine

SEQ_LEN = 4096  # range: 512..8192 log
BATCH_SIZE = 48  # range: 8..128 log
GRAD_ACCUM = 1  # range: 1..4
DEPTH = 4  # range: 2..16
WIDTH = 1024  # choices: 512|640|768|896|1024
HEAD_DIM = 128  # choices: 64|128
MLP_EXPANSION = 4  # range: 2..6
LR = 1.5e-3  # range: 1e-4..1e-2 log
EMBED_LR = 6e-3  # range: 1e-4..5e-2 log
WEIGHT_DECAY = 0.1  # range: 0.0..0.3
BETA1 = 0.9  # range: 0.8..0.95
BETA2 = 0.95  # range: 0.9..0.999
WARMUP = 0.05  # range: 0.0..0.3
FINAL_LR = 0.1  # range: 0.0..0.5
INIT_STD = 0.02  # range: 0.005..0.05 log
GRAD_CLIP = 1.0  # range: 0.25..4.0 log
COMPILE = True  # choices: True|False


def build_model() -> torch.nn.Module:
    return GPT(depth=DEPTH, width=WIDTH, heads=WIDTH // HEAD_DIM, seq_len=SEQ_LEN,
               expansion=MLP_EXPANSION, init_std=INIT_STD)


def build_optimizer(model: torch.nn.Module) -> torch.optim.Optimizer:
    return make_optimizer(model, lr=LR, embed_lr=EMBED_LR, weight_decay=WEIGHT_DECAY,
                          beta1=BETA1, beta2=BETA2)


def lr_multiplier(progress: float) -> float:
    return warmup_cosine(progress, warmup=WARMUP, final=FINAL_LR)
