"""Fit y = sin(x) on [-3, 3] with a small tanh MLP in pure Python; print the validation loss.

The most common research repository is one file like this: its argparse defaults are the
settings, and it trains and prints `val_loss: X`. `agentos init` makes it a settings-only task
(docs/byo-repo.md, "One script that trains and prints its metric").
"""

import argparse
import itertools
import math
import random


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--lr", type=float, default=0.1, help="learning rate")
    p.add_argument("--layers", type=int, default=1, help="hidden layers (1..4)")
    p.add_argument("--width", type=int, default=4, help="hidden units per layer")
    p.add_argument("--optimizer", choices=["sgd", "momentum", "adam"], default="sgd")
    p.add_argument("--epochs", type=int, default=20)
    p.add_argument("--seed", type=int, default=0)  # fixed
    args = p.parse_args()

    rng = random.Random(args.seed)
    xs = [-3 + 6 * i / 63 for i in range(64)]
    train = [(x, math.sin(x)) for i, x in enumerate(xs) if i % 4]
    val = [(x, math.sin(x)) for i, x in enumerate(xs) if not i % 4]
    sizes = [1] + [max(args.width, 1)] * max(args.layers, 1) + [1]
    weights = [
        [[rng.gauss(0, 1 / math.sqrt(n_in)) for _ in range(n_in + 1)] for _ in range(n_out)]
        for n_in, n_out in itertools.pairwise(sizes)
    ]
    moments: dict[tuple[int, int, int], list[float]] = {}  # per weight: first, second moment

    def forward(x: float) -> list[list[float]]:
        acts = [[x]]
        for depth, layer in enumerate(weights):
            out = [sum(w * a for w, a in zip(row, acts[-1] + [1.0], strict=True)) for row in layer]
            acts.append(out if depth == len(weights) - 1 else [math.tanh(o) for o in out])
        return acts

    step = 0
    for _ in range(max(args.epochs, 1)):
        rng.shuffle(train)
        for x, y in train:
            step += 1
            acts = forward(x)
            grad = [2 * (acts[-1][0] - y)]
            for depth in range(len(weights) - 1, -1, -1):
                inputs = acts[depth] + [1.0]
                back = [0.0] * len(acts[depth])
                for i, (row, g) in enumerate(zip(weights[depth], grad, strict=True)):
                    for j in range(len(acts[depth])):
                        back[j] += row[j] * g
                    for j, a in enumerate(inputs):
                        m = moments.setdefault((depth, i, j), [0.0, 0.0])
                        row[j] -= update(args, m, g * a, step)
                grad = (
                    [b * (1 - a * a) for b, a in zip(back, acts[depth], strict=True)]
                    if depth
                    else []
                )
    loss = sum((forward(x)[-1][0] - y) ** 2 for x, y in val) / len(val)
    print(f"val_loss: {loss:.6f}")


def update(args: argparse.Namespace, m: list[float], g: float, step: int) -> float:
    """The step for one weight with gradient `g`; `m` holds its first and second moment."""
    lr = float(args.lr)
    if args.optimizer == "momentum":
        m[0] = 0.9 * m[0] + g
        return lr * m[0]
    if args.optimizer == "adam":
        m[0] = 0.9 * m[0] + 0.1 * g
        m[1] = 0.999 * m[1] + 0.001 * g * g
        unbiased = m[0] / (1 - 0.9**step), m[1] / (1 - 0.999**step)
        return lr * 0.02 * unbiased[0] / (math.sqrt(unbiased[1]) + 1e-8)
    return lr * g


if __name__ == "__main__":
    main()
