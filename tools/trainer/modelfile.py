"""The contract of the editable model file, and loading it by path.

The model file defines:

- `build_model() -> torch.nn.Module` whose `forward(idx)` maps a `(B, T)` tensor of byte ids to
  `(B, T, 256)` logits, causally (position t sees bytes 0..t only);
- `build_optimizer(model) -> torch.optim.Optimizer`;
- `SEQ_LEN` and `BATCH_SIZE` (ints), optionally `GRAD_ACCUM` (int, default 1), `COMPILE` (bool,
  default False), `GRAD_CLIP` (float or None) and `lr_multiplier(progress) -> float` (progress is
  the fraction of the time budget used, in [0, 1]).

Everything else it may set (a `TIME_BUDGET`, an `EVAL_BYTES`) is ignored: the budget, the
evaluation length and the metric are the harness's arguments.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import torch

from agentos.errors import UserError

VOCAB = 256


@dataclass(frozen=True)
class ModelFile:
    """The parts of a loaded model file the harness uses, checked for type."""

    path: Path
    build_model: Callable[[], torch.nn.Module]
    build_optimizer: Callable[[torch.nn.Module], torch.optim.Optimizer]
    lr_multiplier: Callable[[float], float]
    seq_len: int
    batch_size: int
    grad_accum: int
    compile: bool
    grad_clip: float | None


def _constant_lr(progress: float) -> float:
    return 1.0


def _int(module: ModuleType, path: Path, name: str, default: int | None = None) -> int:
    value = getattr(module, name, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise UserError(f"{name} must be a positive integer, got {value!r}", path=path,
                        fix=f"set `{name} = <int>` at module level")
    return value


_SIBLING_DIRS: list[str] = []


def _forget_siblings() -> None:
    """Unimport what an earlier model file imported from its folder, so a second load in the same
    process (tests, the tool node) reads its own siblings, not the first one's."""
    while _SIBLING_DIRS:
        folder = _SIBLING_DIRS.pop()
        while folder in sys.path:
            sys.path.remove(folder)
        for name, mod in list(sys.modules.items()):
            file = getattr(mod, "__file__", None)
            if isinstance(file, str) and Path(file).parent == Path(folder):
                del sys.modules[name]


def load_model_file(path: Path) -> ModelFile:
    """Import the model file at `path` under a private module name and check its contract."""
    if not path.is_file():
        raise UserError("model file not found", path=path,
                        fix="pass --model PATH to an existing file")
    spec = importlib.util.spec_from_file_location("agentos_trainer_model", path)
    if spec is None or spec.loader is None:
        raise UserError("cannot import the model file", path=path, fix="give it a .py suffix")
    module = importlib.util.module_from_spec(spec)
    _forget_siblings()
    _SIBLING_DIRS.append(str(path.parent))
    sys.path.insert(0, str(path.parent))  # the model file may import its siblings
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    for name in ("build_model", "build_optimizer"):
        if not callable(getattr(module, name, None)):
            raise UserError(f"the model file defines no `{name}()`", path=path,
                            fix=f"define `{name}` as described in docs/trainer.md")
    schedule = getattr(module, "lr_multiplier", _constant_lr)
    clip = getattr(module, "GRAD_CLIP", None)
    if clip is not None and (isinstance(clip, bool) or not isinstance(clip, int | float)):
        raise UserError(f"GRAD_CLIP must be a number or None, got {clip!r}", path=path,
                        fix="set `GRAD_CLIP = 1.0` or `None`")
    return ModelFile(
        path=path,
        build_model=module.build_model,
        build_optimizer=module.build_optimizer,
        lr_multiplier=schedule if callable(schedule) else _constant_lr,
        seq_len=_int(module, path, "SEQ_LEN"),
        batch_size=_int(module, path, "BATCH_SIZE"),
        grad_accum=_int(module, path, "GRAD_ACCUM", 1),
        compile=bool(getattr(module, "COMPILE", False)),
        grad_clip=None if clip is None else float(clip),
    )
