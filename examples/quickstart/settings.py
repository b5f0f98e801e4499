"""Training settings for a toy model. agentos may edit this file; the evaluator reads it."""

LEARNING_RATE = 0.05  # range: 1e-4..1 log
WIDTH = 16  # range: 4..512 log
DEPTH = 1  # range: 1..8
DROPOUT = 0.6  # range: 0..0.9
USE_NORM = False
ACTIVATION = "tanh"  # choices: relu|gelu|tanh
