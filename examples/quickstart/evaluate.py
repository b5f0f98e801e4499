"""The quickstart's evaluator. DO NOT CHANGE: agentos pins this file by hash.

It scores the settings in settings.py with a non-convex function of mixed int, float, bool and
categorical values (a stand-in for "train and measure validation accuracy") and prints one line,
`score: X`, higher is better. The optimum is about 10.93 (learning rate near 7e-3, width 128,
depth 4, dropout 0.2, normalization on, gelu); the starting settings score about 5.73.

It reads the settings as data and never imports settings.py (code there would run in this process
and could print its own score): under agentos from the JSON file agentos writes for it
(`$AGENTOS_SETTINGS/settings.py.json`), by hand from the literal assignments in settings.py.
"""

import ast
import json
import math
import os
from pathlib import Path
from types import SimpleNamespace


def load_settings() -> SimpleNamespace:
    folder = os.environ.get("AGENTOS_SETTINGS")
    if folder:
        with open(os.path.join(folder, "settings.py.json"), encoding="utf-8") as fh:
            return SimpleNamespace(**json.load(fh))
    module = ast.parse(Path(__file__).with_name("settings.py").read_text(encoding="utf-8"))
    return SimpleNamespace(
        **{
            target.id: ast.literal_eval(node.value)
            for node in module.body
            if isinstance(node, ast.Assign)
            for target in node.targets
            if isinstance(target, ast.Name)
        }
    )


settings = load_settings()


def score() -> float:
    lr = math.log10(settings.LEARNING_RATE)
    width = math.log2(settings.WIDTH)
    depth = settings.DEPTH
    total = 10.0
    # learning rate: a bowl around 3e-3 with ripples (local optima along the log axis)
    total -= 0.8 * (lr - math.log10(3e-3)) ** 2
    total += 0.25 * math.cos(6.0 * lr)
    # width: best near 128, measured on a log scale
    total -= 0.15 * (width - 7.0) ** 2
    # depth: best at 4, and a cliff when the model is too large to train
    total -= 0.1 * (depth - 4) ** 2
    if depth * settings.WIDTH > 1024:
        total -= 3.0
    # dropout: best near 0.2
    total -= 4.0 * (settings.DROPOUT - 0.2) ** 2
    # normalization only helps deeper models
    if settings.USE_NORM:
        total += 0.5 if depth >= 3 else -0.3
    total += {"relu": 0.0, "gelu": 0.3, "tanh": -0.2}[settings.ACTIVATION]
    return total


if __name__ == "__main__":
    print(f"score: {score():.6f}")
