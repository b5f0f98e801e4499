"""The landscape problems: a settings file the proposer edits and the evaluator that scores it.

Every problem is a loss to minimize with a known optimum `f_star`. `settings` is annotated in
agentos' hint syntax; `plain` holds the same settings as people write them (`plain_path` says its
format), in a different style per problem: trailing prose, comments above, docstrings, `Literal`
annotations, TOML tables. `parts` (optional) splits the
loss into per-term losses, reported to `pareto` as objectives. Noisy problems add Gaussian noise
with `noise` as standard deviation, about the size of a typical gain in mid-search.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

from agentos.settings import Value, values

Values = Mapping[str, Value]


@dataclass(frozen=True)
class Problem:
    name: str
    tags: tuple[str, ...]
    settings: str
    loss: Callable[[Values], float]
    f_star: float
    tol: float
    noise: float = 0.0
    parts: Callable[[Values], dict[str, float]] | None = None
    space: dict[str, tuple[str, ...]] = field(default_factory=dict)
    plain: str = ""
    plain_path: str = "settings.py"
    path: str = "settings.py"  # the file name of `settings`

    def as_written(self) -> Problem:
        """The same problem on its plain-comment settings file."""
        return replace(self, settings=self.plain, plain="", path=self.plain_path)

    def values(self, text: str) -> dict[str, Value]:
        """The settings in `text` by their bare upper-case name (TOML's `point.x` is `X`)."""
        return {k.rsplit(".", 1)[-1].upper(): v for k, v in values({self.path: text}).items()}


def _f(v: Values, k: str) -> float:
    x = v[k]
    assert isinstance(x, int | float)
    return float(x)


# 1. smooth: a shifted, scaled bowl
SMOOTH = '''"""Smooth bowl."""
X = -3.0  # range: -5..5
Y = 4.0  # range: -5..5
Z = 2.5  # range: -5..5
'''
_C = {"X": 1.3, "Y": -0.7, "Z": 0.4}


def smooth(v: Values) -> float:
    return sum((_f(v, k) - c) ** 2 * w for (k, c), w in zip(_C.items(), (1, 2, 0.5), strict=True))


def smooth_parts(v: Values) -> dict[str, float]:
    return {k: -((_f(v, k) - c) ** 2) for k, c in _C.items()}


# 2. multimodal: Rastrigin in three dimensions
RASTRIGIN = '''"""Rastrigin."""
X = 3.4  # range: -5.12..5.12
Y = -2.6  # range: -5.12..5.12
Z = 4.1  # range: -5.12..5.12
'''


def rastrigin(v: Values) -> float:
    return sum(10 + _f(v, k) ** 2 - 10 * math.cos(2 * math.pi * _f(v, k)) for k in "XYZ")


def rastrigin_parts(v: Values) -> dict[str, float]:
    return {k: -(10 + _f(v, k) ** 2 - 10 * math.cos(2 * math.pi * _f(v, k))) for k in "XYZ"}


# 3. deceptive: a broad shallow basin beside the start, a narrow deep one far away
DECEPTIVE = '''"""Deceptive."""
A = 3.0  # range: 0..10
B = 3.5  # range: 0..10
'''


def deceptive(v: Values) -> float:
    a, b = _f(v, "A"), _f(v, "B")
    near = 1.0 + 0.05 * ((a - 2) ** 2 + (b - 2) ** 2)
    far = 2.5 * (1 - math.exp(-((a - 8) ** 2 + (b - 7.5) ** 2) / (2 * 1.2**2)))
    return min(near, far)


# 4. plateau with a needle: flat except for a small cone
NEEDLE = '''"""Plateau with a needle."""
I = 2  # range: 0..15
J = 13  # range: 0..15
K = 5  # range: 0..15
'''


def needle(v: Values) -> float:
    d = abs(_f(v, "I") - 11) + abs(_f(v, "J") - 4) + abs(_f(v, "K") - 9)
    return 1.0 - max(0.0, 1.0 - d / 6.0)


# 5. narrow curved valley: Rosenbrock
VALLEY = '''"""Rosenbrock."""
X = -1.5  # range: -2..2
Y = 2.0  # range: -1..3
'''


def valley(v: Values) -> float:
    x, y = _f(v, "X"), _f(v, "Y")
    return (1 - x) ** 2 + 100 * (y - x * x) ** 2


# 6. mixed int/float/categorical with a deceptive basin and divergence cliffs
MIXED = '''"""A training recipe."""
LR = 0.001  # range: 1e-4..1 log
DEPTH = 2  # range: 1..12
WIDTH = 32  # range: 8..512
ACT = "relu"  # choices: relu|gelu|tanh
NORM = False
'''


def mixed(v: Values) -> float:
    lr, depth, width = _f(v, "LR"), _f(v, "DEPTH"), _f(v, "WIDTH")
    act, norm = v["ACT"], bool(v["NORM"])
    if lr * (1 + depth) > (2.0 if norm else 0.3):
        return 6.0  # diverged
    base = {"relu": 0.8, "gelu": 0.0 if norm else 1.6, "tanh": 1.2}[str(act)]
    opt_lr = 0.05 if norm else 0.01
    return (
        base
        + 0.4 * (math.log10(lr) - math.log10(opt_lr)) ** 2
        + 0.03 * (depth - (8 if norm else 3)) ** 2
        + 0.05 * (math.log2(width) - 8) ** 2
    )


# 7. mixed optimizer recipe: the best optimizer needs a different lr and weight decay
RECIPE = '''"""An optimizer recipe."""
OPTIMIZER = "sgd"  # choices: sgd|adam|lion
LR = 0.1  # range: 1e-5..1 log
WEIGHT_DECAY = 0.0001  # range: 1e-6..1e-1 log
BATCH = 16  # range: 8..1024
WARMUP = 0  # range: 0..20
'''
_RECIPE = {"sgd": (0.6, 0.1, 1e-4), "adam": (0.2, 1e-3, 1e-2), "lion": (0.0, 1e-4, 3e-2)}


def recipe(v: Values) -> float:
    opt = str(v["OPTIMIZER"])
    floor, best_lr, best_wd = _RECIPE[opt]
    lr, wd, batch, warm = _f(v, "LR"), _f(v, "WEIGHT_DECAY"), _f(v, "BATCH"), _f(v, "WARMUP")
    if opt != "sgd" and lr > 30 * best_lr and warm < 5:
        return 5.0  # adaptive optimizers blow up at high lr without warm-up
    return (
        floor
        + 0.3 * (math.log10(lr) - math.log10(best_lr)) ** 2
        + 0.2 * (math.log10(wd) - math.log10(best_wd)) ** 2
        + 0.04 * (math.log2(batch) - 7) ** 2
        + 0.002 * (warm - 8) ** 2
    )


# The same settings as people write them, one style per problem.
PLAIN = {
    "smooth": '''"""Smooth bowl."""
X = -3.0  # -5 to 5
Y = 4.0  # -5 to 5
Z = 2.5  # -5 to 5
''',
    "rastrigin": """# Rastrigin coordinates
[point]
x = 3.4   # between -5.12 and 5.12
y = -2.6  # between -5.12 and 5.12
z = 4.1   # between -5.12 and 5.12
""",
    "deceptive": '''"""Deceptive."""
# first coordinate, 0-10
A = 3.0
# second coordinate, 0-10
B = 3.5
''',
    "needle": '''"""Plateau with a needle."""
I = 2  # int, range 0..15
J = 13  # int in [0, 15]
K = 5  # min 0, max 15
''',
    "valley": """[rosenbrock]
x = -1.5  # in [-2, 2]
y = 2.0   # in [-1, 3]
""",
    "mixed": '''"""A training recipe."""
LR = 0.001  # learning rate, 1e-4 to 1
DEPTH = 2  # layers (min 1, max 12)
WIDTH = 32  # hidden units, 8-512
ACT = "relu"  # one of: relu, gelu, tanh
NORM = False  # layer norm on/off
''',
    "recipe": '''"""An optimizer recipe."""
OPTIMIZER = "sgd"
"""Which optimizer: one of sgd, adam, lion."""
LR = 0.1
"""Peak learning rate, between 1e-5 and 1."""
WEIGHT_DECAY = 0.0001
"""Decoupled weight decay (1e-6 - 0.1)."""
BATCH = 16
"""Batch size, 8..1024 samples."""
WARMUP = 0
"""Warm-up epochs, 0 to 20."""
''',
}
PLAIN["noisy-smooth"] = """# bowl coordinates, each from -5 to 5
[bowl]
x = -3.0  # -5..5
y = 4.0   # -5..5
z = 2.5   # -5..5
"""
PLAIN["noisy-mixed"] = '''from typing import Literal

LR = 0.001  # 1e-4 - 1 (log scale)
DEPTH = 2  # number of layers, 1 to 12
WIDTH = 32  # 8 to 512 units
ACT: Literal["relu", "gelu", "tanh"] = "relu"
NORM = False
'''
_TOML = {"rastrigin", "valley", "noisy-smooth"}

PROBLEMS: dict[str, Problem] = {
    p.name: replace(
        p, plain=PLAIN[p.name], plain_path="settings.toml" if p.name in _TOML else "settings.py"
    )
    for p in (
        Problem("smooth", ("numeric",), SMOOTH, smooth, 0.0, 0.05, parts=smooth_parts),
        Problem("rastrigin", ("numeric", "multimodal"), RASTRIGIN, rastrigin, 0.0, 1.0,
                parts=rastrigin_parts),
        Problem("deceptive", ("numeric", "deceptive"), DECEPTIVE, deceptive, 0.0, 0.1),
        Problem("needle", ("numeric", "plateau"), NEEDLE, needle, 0.0, 0.01),
        Problem("valley", ("numeric",), VALLEY, valley, 0.0, 0.05),
        Problem("mixed", ("mixed", "deceptive"), MIXED, mixed, 0.0, 0.05),
        Problem("recipe", ("mixed", "deceptive"), RECIPE, recipe, 0.0, 0.05),
        Problem("noisy-smooth", ("numeric", "noisy"), SMOOTH, smooth, 0.0, 0.5, noise=0.5,
                parts=smooth_parts),
        Problem("noisy-mixed", ("mixed", "noisy"), MIXED, mixed, 0.0, 0.1, noise=0.1),
    )
}
