"""Hyper-parameters for the baseline run. Edit these, not train.py."""

import os

# --- optimisation ---
LEARNING_RATE = 3e-4  # between 1e-5 and 1e-2
WEIGHT_DECAY = 0.01  # L2 penalty, 0 to 0.1
OPTIMIZER = "adamw"  # one of: sgd, adam, adamw, lion
BATCH_SIZE = 64  # int, range 8..512 (must fit on one GPU)
EPOCHS = 10  # 1-100 epochs

# Number of warm-up steps before the LR reaches its peak (0 to 2000).
WARMUP_STEPS = 500

GRAD_CLIP = 1.0  # max norm; 0 disables clipping
USE_AMP = True  # mixed precision
SEED = 1337  # fixed, do not change
DATA_DIR = os.environ.get("DATA_DIR", "data")
RUN_NAME = "baseline"
