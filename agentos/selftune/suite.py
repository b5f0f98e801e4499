"""The inner suite of `agentos self-tune`: tasks with known optima, split train / held-out / test.

A suite is a TOML file beside a Python module of problems:

    [suite]
    problems = "problems.py"   # defines PROBLEMS: name -> problem (relative to this file)
    budget = 16                # evaluations per inner run, the baseline's re-runs included
    seeds = [0, 1, 2]          # the seeds of every train and held-out run
    test_seeds = 10            # the sealed test's seeds: 1000, 1001, ...
    draw_seeds = 3             # the seeds of one outer measurement (default: as many as seeds)
    train = ["smooth", "mixed"]
    holdout = ["valley", "valley~0.6"]
    test = ["recipe", "mixed@plain~0.08"]

A problem (`benchmarks/landscapes/problems.py` is the shipped suite's) has `name`, `settings`
(its starting settings text), `path` (that file's name), `f_star` (its known optimum), `noise`
(the standard deviation of its measurement noise), `loss(values)` and `values(text)`, and may have
`as_written()` (the same problem on settings as people write them: the task name `NAME@plain`).
Any task may be measured with other noise: `NAME~SD` (or `NAME@plain~SD`) adds Gaussian noise of
standard deviation SD to its metric; its score is still read on the true loss.

The suite is pinned by `digest` (the suite file and the module, hashed together): the outer run's
metric command names the digest, and the inner runner refuses a suite that does not match it.
"""

from __future__ import annotations

import hashlib
import importlib.util
import math
import numbers
import sys
import tomllib
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol, cast

from agentos.errors import UserError

Split = Literal["train", "holdout", "test"]
SPLITS: tuple[Split, ...] = ("train", "holdout", "test")
PLAIN = "@plain"
NOISE = "~"  # `NAME~SD`: the problem measured with Gaussian noise of standard deviation SD
TEST_SEED0 = 1000
# the seeds of the outer run's measurements (`Suite.seeds_of(split, draw=N)`): measurement N runs
# the train and held-out tasks on its own block of seeds, far from the fixed and the test seeds
DRAW_SEED0 = 1_000_000


class Problem(Protocol):
    name: str
    settings: str
    path: str
    f_star: float
    noise: float

    @property
    def loss(self) -> Callable[[Mapping[str, Any]], float]: ...

    def values(self, text: str) -> dict[str, Any]: ...


@dataclass(frozen=True)
class Suite:
    path: Path
    problems: Mapping[str, Problem]
    splits: Mapping[Split, tuple[str, ...]]
    budget: int
    seeds: tuple[int, ...]
    test_seeds: tuple[int, ...]
    digest: str
    draw_seeds: int = 0  # the seeds of one outer measurement (0: as many as `seeds`)

    def problem(self, name: str) -> Problem:
        """The task `NAME[@plain][~SD]`: the problem, on its plain settings, with noise SD."""
        base, noise = task_name(name)
        p = self.problems[base.removesuffix(PLAIN)]
        if base.endswith(PLAIN):
            p = cast(Problem, cast(Any, p).as_written())
        return p if noise is None else _WithNoise(p, noise, name)

    def seeds_of(self, split: Split, draw: int | None = None) -> tuple[int, ...]:
        """The split's seeds: the sealed test's, or the suite's `seeds`; with `draw` (train and
        held-out only), `draw_seeds` fresh seeds (as many as `seeds` when 0), the block of
        measurement `draw` (>= 0), so no two draws share a seed and none is a fixed or a test
        seed."""
        if split == "test":
            return self.test_seeds
        if draw is None:
            return self.seeds
        if draw < 0:
            raise ValueError(f"draw {draw} is negative")
        size = self.draw_seeds or len(self.seeds)
        start = DRAW_SEED0 + draw * size
        return tuple(range(start, start + size))


def task_name(name: str) -> tuple[str, float | None]:
    """`NAME[@plain]` and the noise SD of a task named `NAME[@plain]~SD` (None without one)."""
    base, sep, sd = name.partition(NOISE)
    if not sep:
        return name, None
    try:
        noise = float(sd)
    except ValueError:
        noise = -1.0
    if not noise >= 0 or noise == float("inf"):
        raise ValueError(f"{sd!r} is not a noise standard deviation")
    return base, noise


class _WithNoise:
    """A problem measured with another noise: `NAME~SD` (its name is the task's, so its noise
    draws differ from the problem's own)."""

    def __init__(self, problem: Problem, noise: float, name: str):
        self._problem = problem
        self.name = name
        self.settings = problem.settings
        self.path = problem.path
        self.f_star = problem.f_star
        self.noise = noise

    @property
    def loss(self) -> Callable[[Mapping[str, Any]], float]:
        return self._problem.loss

    def values(self, text: str) -> dict[str, Any]:
        return self._problem.values(text)


def suite_files(path: Path) -> tuple[Path, Path]:
    """The suite file and its problems module."""
    data = _read(path)
    module = data.get("problems")
    if not isinstance(module, str) or not module.endswith(".py"):
        raise UserError("[suite] problems must name a .py file", path=path,
                        fix='set problems = "problems.py" (relative to the suite file)')
    return path, (path.parent / module).resolve()


def digest_of(path: Path) -> str:
    """`sha256:` of the suite file and its module, which together decide every inner score."""
    h = hashlib.sha256()
    for file in suite_files(path):
        h.update(file.name.encode() + b"\0" + file.read_bytes() + b"\0")
    return "sha256:" + h.hexdigest()


def load_suite(path: Path | str, *, pin: str | None = None) -> Suite:
    """Read and check a suite; with `pin`, refuse one whose digest differs (it was edited)."""
    path = Path(path).resolve()
    data = _read(path)
    digest = digest_of(path)
    if pin is not None and digest != pin:
        raise UserError(f"the inner suite does not match its pin {pin[:19]}... (it is {digest[:19]}"
                        "...): it was edited", path=path,
                        fix="the inner suite is protected: restore it, or start a new self-tune")
    problems = _problems(suite_files(path)[1], path)
    splits: dict[Split, tuple[str, ...]] = {}
    for split in SPLITS:
        names = data.get(split)
        if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
            raise UserError(f"[suite] {split} must be a non-empty list of task names", path=path,
                            fix=f"name tasks of PROBLEMS (or NAME{PLAIN}) under {split}")
        for name in names:
            try:
                base, _ = task_name(name)
            except ValueError as exc:
                raise UserError(f"[suite] {split}: {name!r}: {exc}", path=path,
                                fix=f"name a noisy task NAME{NOISE}SD, SD a number >= 0") from exc
            key = base.removesuffix(PLAIN)
            if key not in problems:
                raise UserError(f"[suite] {split}: no problem {name!r}", path=path,
                                fix=f"choose among {sorted(problems)}")
            if base.endswith(PLAIN) and not callable(getattr(problems[key], "as_written", None)):
                raise UserError(f"[suite] {split}: {name!r}: problem {key!r} has no "
                                "as_written() (its settings as people write them)", path=path,
                                fix=f"name it without {PLAIN}, or give its class as_written()")
        splits[split] = tuple(names)
    seen: dict[str, str] = {}
    for split, names in splits.items():
        for name in names:
            if name in seen and seen[name] != split:
                raise UserError(f"[suite] {name!r} is in both {seen[name]} and {split}", path=path,
                                fix="put every task in one split only")
            seen[name] = split
    budget = data.get("budget", 16)
    seeds = data.get("seeds", [0, 1, 2])
    n_test = data.get("test_seeds", 10)
    draw_seeds = data.get("draw_seeds", 0)
    if not isinstance(budget, int) or budget < 4:
        raise UserError("[suite] budget must be an integer of at least 4", path=path,
                        fix="set budget = 16")
    if not isinstance(seeds, list) or not seeds or not all(isinstance(s, int) for s in seeds):
        raise UserError("[suite] seeds must be a list of integers", path=path,
                        fix="set seeds = [0, 1, 2]")
    if not isinstance(n_test, int) or n_test < 1:
        raise UserError("[suite] test_seeds must be a positive integer", path=path,
                        fix="set test_seeds = 10")
    if isinstance(draw_seeds, bool) or not isinstance(draw_seeds, int) or draw_seeds < 0:
        raise UserError("[suite] draw_seeds must be an integer of at least 1", path=path,
                        fix="set draw_seeds = 4, or leave it out (as many as seeds)")
    suite = Suite(path, problems, splits, budget, tuple(seeds),
                  tuple(range(TEST_SEED0, TEST_SEED0 + n_test)), digest, draw_seeds)
    for base in dict.fromkeys(task_name(n)[0] for names in splits.values() for n in names):
        _check_loss(suite.problem(base), base, suite_files(path)[1], path)
    return suite


def _check_loss(problem: Problem, task: str, module: Path, path: Path) -> None:
    """Refuse a task whose loss cannot score its own starting settings: every inner run of it
    would die in a worker process, its traceback far from the problem module's line."""
    try:
        loss = problem.loss(problem.values(problem.settings))
    except Exception as exc:  # the user's module: any error is theirs to fix
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if Path(f.filename) == module]
        where = f"{module.name}:{frames[-1].lineno}" if frames else module.name
        raise UserError(f"[suite] {task!r}: its loss on its own settings raises "
                        f"{type(exc).__name__}: {exc} ({where})", path=path,
                        fix=f"fix {where} so loss(values(settings)) returns a number") from exc
    if not isinstance(loss, numbers.Real) or isinstance(loss, bool) or math.isnan(loss):
        raise UserError(f"[suite] {task!r}: its loss on its own settings is {loss!r}, not a "
                        "number", path=path, fix=f"make {module.name}'s loss return a float")


def _read(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise UserError(f"cannot read the inner suite ({exc})", path=path,
                        fix="give --suite a suite TOML file (see docs/self-tune.md)") from exc
    table = data.get("suite")
    if not isinstance(table, dict):
        raise UserError("no [suite] table", path=path, fix="see docs/self-tune.md for the format")
    return cast(dict[str, Any], table)


def _problems(module: Path, path: Path) -> dict[str, Problem]:
    spec = importlib.util.spec_from_file_location(f"agentos_suite_{module.stem}", module)
    if spec is None or spec.loader is None or not module.is_file():
        raise UserError(f"cannot load the problems module {module}", path=path,
                        fix="point [suite] problems at a Python file beside the suite")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses look their module up while it loads
    spec.loader.exec_module(mod)
    problems = getattr(mod, "PROBLEMS", None)
    if not isinstance(problems, dict) or not problems:
        raise UserError(f"{module.name} defines no PROBLEMS dict", path=path,
                        fix="define PROBLEMS = {name: problem} in the module")
    return cast(dict[str, Problem], problems)
