"""The environment, the evaluator and its metric line, and the settings worth tuning."""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath
from typing import Literal

from agentos.init.found import (
    NOT_PACKAGES,
    SMALL,
    TEST_FILE,
    Detection,
    Metric,
    read_text,
)
from agentos.settings import disk_reader, find_all

_SETTINGS_STEMS = frozenset({"settings", "config", "params", "hparams", "hyperparams", "train"})
_SETTINGS_SUFFIXES = (".py", ".toml", ".json", ".yaml", ".yml", ".env", ".ini", ".cfg")
_EVALUATOR_NAMES = ("evaluate.py", "eval.py", "evaluation.py", "score.py")
_BENCH_DIRS = ("bench", "benchmark", "benchmarks")
_MARKER = re.compile(r"""print\(\s*[rfRF]{0,2}["']\s*([A-Za-z_][A-Za-z0-9_]*)\s*:""")
# metric names by their words: `val_accuracy` and `ops_per_sec` go up, `val_bpb` and `runtime` down
_MAXIMISE = re.compile(
    r"(?:^|_)(score|acc|accuracy|auc|f1|precision|recall|throughput|ops|speedup|reward|hits)(?:_|$)"
)
# a rate per unit of time or a ranking quality goes up: `docs_per_sec`, `tokens_per_s`, `qps`
_RATE = re.compile(
    r"(?:^|_)per_(?:s|sec|secs|second|seconds|ms|min|minute|minutes|hour|hr)"
    r"(?:_|$)|(?:^|_)(?:qps|rps|tps|fps|hit_rate|hitrate|mrr|ndcg|map|bleu|rouge|iou)(?:_|$|@)"
    r"|_per_sec(?:ond)?s?$|(?:^|_)(?:bandwidth|speed)(?:_|$)"
)
_MINIMISE = re.compile(
    r"(?:^|_)(loss|err|error|errors|bpb|perplexity|ppl|time|runtime|duration|elapsed|seconds|secs"
    r"|sec|ms|latency|cost|regret|length|distance|bytes)(?:_|$)"
)

_TIMING = re.compile(r"(?:^|_)(time|runtime|duration|elapsed|seconds|secs|sec|s|ms|wall)(?:_|$)")


def detect_env(root: Path) -> str | None:
    for name in (".venv", "venv"):
        cfg = root / name / "pyvenv.cfg"
        if cfg.is_file():
            m = re.search(
                r"^version(?:_info)?\s*=\s*(\S+)",
                read_text(root, f"{name}/pyvenv.cfg"),
                re.MULTILINE,
            )
            return f"{name}/" + (f" (python {m.group(1)})" if m else "")
    return "uv.lock (a uv project)" if (root / "uv.lock").is_file() else None


def detect_evaluator(found: Detection, paths: list[str]) -> None:
    inside = tuple(d + "/" for d in found.test_dirs)
    scripts = [
        p
        for p in paths
        if p.endswith(".py")
        and not p.startswith(inside)
        and not TEST_FILE.match(PurePosixPath(p).name)
        and p not in found.conftests
    ]
    ranked: list[tuple[bool, int, str]] = []
    for p in scripts:
        parts = PurePosixPath(p).parts
        if parts[-1] in _EVALUATOR_NAMES and len(parts) <= 2:
            rank = 0
        elif parts[-1].startswith("bench") and len(parts) == 1:
            rank = 1
        elif len(parts) == 2 and parts[0] in _BENCH_DIRS:
            rank = 2
        elif len(parts) <= 2 and "score" in _markers(found.root, p):
            rank = 3
        elif len(parts) <= 2 and any(_goal(n) for n in _markers(found.root, p)):
            rank = 4  # a script that prints a metric with a direction (`train.py`: `val_loss: x`)
        elif len(parts) == 1 and _markers(found.root, p):
            rank = 5  # a script at the root that prints `name: value` (`tour.py`: `tour_length:`)
        else:
            continue
        if _runnable(read_text(found.root, p)):
            # a script that prints a metric line (`score: 0.93`) comes before one that prints
            # none, whatever their names: an upstream `benchmark.py` that prints a table does
            # not hide the user's `bench/my_bench.py` that prints `score:`
            ranked.append((not _markers(found.root, p), rank, p))
    ranked.sort()
    if not ranked:
        return
    best = ranked[0][:2]
    top = [p for quiet, rank, p in ranked if (quiet, rank) == best]
    found.evaluator, found.other_evaluators = top[0], top[1:]
    names = _markers(found.root, found.evaluator)
    known = [n for n in names if _goal(n)] if len(names) > 1 else names
    if len(known) > 1:  # `accuracy:` and the `seconds:` it took: the timing is not the metric
        known = [n for n in known if not _timing(n)] or known
    if len(known) == 1:
        found.metric = Metric(known[0], _goal(known[0]))


def _runnable(text: str) -> bool:
    """A script, not a test module or an asv/pytest-benchmark suite of functions."""
    return "__main__" in text or bool(re.search(r"^print\(", text, re.MULTILINE))


def _markers(root: Path, path: str) -> list[str]:
    """The names a script prints as `name: value` (`print(f"score: {s}")`)."""
    return sorted(set(_MARKER.findall(read_text(root, path))))


def _goal(name: str) -> Literal["min", "max"] | None:
    low = name.lower()
    if _RATE.search(low) or _MAXIMISE.search(low):
        return "max"
    return "min" if _MINIMISE.search(low) else None


def _timing(name: str) -> bool:
    """Whether a metric name is how long the script took (`seconds`, `elapsed_ms`), which a
    script prints beside what it measures."""
    return _goal(name) == "min" and _TIMING.search(name.lower()) is not None


def _names(source: str, filename: str) -> bool:
    """Whether Python source names `filename` in a string literal (`open("solver.cfg")`)."""
    return re.search(r"""["'/\\]""" + re.escape(filename) + r"""["']""", source) is not None


def detect_settings(found: Detection, paths: list[str]) -> None:
    """Settings files (by name, outside tests and packages) that the heuristic proposer can tune,
    the settings of the package's modules (what the heuristic proposer could change there), and
    the UPPER_CASE numeric constants of its small modules (reported only)."""
    inside = tuple(d + "/" for d in found.test_dirs)
    packages = tuple(p + "/" for p in found.packages if not p.endswith(".py"))
    # what the evaluator checks bounds settings, and its own argparse/click defaults count
    evaluator = ("python", found.evaluator) if found.evaluator else ()
    source = read_text(found.root, found.evaluator, limit=None) if found.evaluator else ""
    if found.evaluator:  # a script that trains and prints its own metric: its flags, constants
        own = {found.evaluator: source}
        found.evaluator_settings = sum(
            s.mutable for s in find_all(own, read=disk_reader(found.root), evaluator=evaluator)
        )
    for p in paths:
        pure = PurePosixPath(p)
        dotenv = pure.name == ".env"
        if p.startswith(inside) or p == found.evaluator:
            continue
        if any(part.startswith(".") for part in pure.parts[:-1]):
            continue  # .circleci/config.yml, .github/: the tools' configuration, not the code's
        if pure.suffix not in _SETTINGS_SUFFIXES and not dotenv:
            continue
        in_package = p.startswith(packages) or p in found.packages
        elsewhere = len(pure.parts) > 2 or pure.parts[0] in NOT_PACKAGES  # examples/, docs/
        # a data file the evaluator names (`solver.cfg`, `sim.yaml`) is read by it: settings too
        named = pure.suffix != ".py" and _names(source, pure.name)
        if pure.name == "pyproject.toml" and not named:
            continue  # its `[tool.NAME]` tables are settings only for an evaluator that reads it
        if (pure.stem in _SETTINGS_STEMS or dotenv or named) and not (in_package or elsewhere):
            _count_settings(found, p, evaluator)
        elif in_package and pure.suffix == ".py":
            text = read_text(found.root, p, limit=None)
            settings = [s for s in find_all({p: text}) if s.mutable]
            found.package_settings += len(settings)
            count = sum(s.name.isupper() and s.kind != "str" for s in settings)
            if count and len(text) <= SMALL:
                found.constants[p] = count
    if found.evaluator and not found.settings_files and not found.package_settings:
        # nothing to tune in the package's code, but it reads its own configuration
        # (`ROOT / "pyproject.toml"` for `[tool.typofix]`, `"config.yaml"`): that file is
        code = "".join(read_text(found.root, p) for p in paths
                       if p.endswith(".py") and p.startswith(packages))
        for p in paths:
            pure = PurePosixPath(p)
            if (pure.suffix in _SETTINGS_SUFFIXES[1:] and len(pure.parts) == 1
                    and _names(code, pure.name)):
                _count_settings(found, p, evaluator)


def _count_settings(found: Detection, path: str, evaluator: tuple[str, ...]) -> None:
    """Record `path` as a settings file when it holds settings the heuristic proposer can change
    (hinted as `agentos check` reads them)."""
    files = {path: read_text(found.root, path)}
    read = disk_reader(found.root)
    count = sum(s.mutable for s in find_all(files, read=read, evaluator=evaluator))
    if count:
        found.settings_files[path] = count
