"""Model hyper-parameters, documented Sphinx-style."""

HIDDEN = 256
"""Width of each hidden layer; 32 to 1024."""

DROPOUT = 0.1
"""Dropout probability in [0, 0.5]."""

ACTIVATION = "gelu"
"""Activation function. Options: relu | gelu | silu."""

NUM_LAYERS = 4
"""How many transformer blocks (min 1, max 24)."""
