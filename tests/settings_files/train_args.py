"""Train a classifier: every hyperparameter is a command-line option."""

import argparse

OPTIMIZERS = ("sgd", "adam", "adamw")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lr", type=float, default=3e-4,
                        help="learning rate (1e-5 to 1e-1, log scale); default %(default)s")
    parser.add_argument("--epochs", type=int, default=20, help="number of epochs, 1-100")
    parser.add_argument("--optimizer", default="adam", choices=OPTIMIZERS)
    parser.add_argument("--hidden-size", type=int, default=256, help="width of each layer")
    parser.add_argument("--dropout", type=float, default=0,  # in [0, 0.9]
                        help="dropout probability")
    # one of: relu, gelu, silu
    parser.add_argument("--activation", dest="act", default="relu")
    parser.add_argument("--data-dir", default="data/", help="where the images are")
    parser.add_argument("--seed", type=int, default=0, help="random seed; do not change")
    return parser.parse_args()
