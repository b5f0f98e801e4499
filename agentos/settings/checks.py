"""Hints from how the evaluator validates a setting: the checks in the metric command's Python
files (and the repository modules they import), read by AST, never run.

    assert 0 <= cfg.dropout < 1                         # dropout: range 0..0.999
    if not 1 <= n_layers <= 12: raise ValueError(...)   # n_layers: range 1..12
    if opt not in ("sgd", "adam"): sys.exit("...")      # opt: choices sgd|adam
    gain = {"relu": 0.0, "gelu": 0.3}[cfg.act]          # act: choices relu|gelu
    assert heads in range(1, 9)                         # heads: range 1..8
    p = min(max(args.p, 0.0), 1.0)                      # p: range 0..1 (a clamp)
    parser.add_argument("--opt", choices=["sgd", "adam"])
    lr: float = Field(1e-3, ge=1e-5, le=1)              # lr: range 1e-05..1, log

A check names its subject as code reads it (`cfg.optim.lr`, `cfg["optim"]["lr"]`,
`os.environ["LR"]`, `args.lr`, a local assigned from one of those, a cast of one): the setting it
guards is the one whose dotted name ends with the longest run of those names, and only when that
setting is the one such (`lr` in both `optim.lr` and `sched.lr` guards neither). A check that the
setting's current value already fails is left out: the match is wrong, or the baseline fails
anyway. A strict bound on an int moves by one; on a float, inward by a thousandth of its range,
except `> 0` (or `< 0`), which leaves that side to grow with evidence: a grown bound never changes
sign. The hint's source reads `evaluator check at PATH:LINE`; a setting's own hint (comment,
annotation, docstring, schema) wins, and the `[search.space]` table over all.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from agentos.settings import pyast
from agentos.settings.code_checks import Fact, Path_, facts, hint_text
from agentos.settings.hints import read_hint

if TYPE_CHECKING:
    from agentos.settings.scan import Setting


def scripts(command: Sequence[str], read: Callable[[str], str | None]) -> dict[str, str]:
    """`path -> text` of the metric command's Python files in the repository (`eval.py`,
    `python -m pkg.eval`) and of the repository modules they import, one level deep."""
    named: list[str] = []
    for i, arg in enumerate(command):
        if arg.endswith(".py") and not arg.startswith("-"):
            named.append(arg)
        elif i > 0 and command[i - 1] == "-m":
            base = arg.replace(".", "/")
            named += [f"{base}.py", f"{base}/__main__.py"]
    out: dict[str, str] = {}
    for given in named:
        path = str(PurePosixPath(given))
        text = read(path)
        if text is None:
            continue
        out[path] = text
        folder = PurePosixPath(path).parent
        for module in _imports(text):
            for base in dict.fromkeys((module, str(folder / module))):
                for candidate in (f"{base}.py", f"{base}/__init__.py"):
                    found = None if candidate in out else read(candidate)
                    if found is not None:
                        out[candidate] = found
    return out


def _imports(text: str) -> list[str]:
    try:
        tree = pyast.parse(text)
    except (SyntaxError, ValueError):
        return []
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [a.name.replace(".", "/") for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            base = node.module.replace(".", "/")
            names += [base] + [f"{base}/{a.name}" for a in node.names]  # `from pkg import mod`
    return names


# --- the facts against the settings found ----------------------------------------------------


def matching(subject: Path_, names: Sequence[str]) -> int | None:
    """The index of the one setting name (dotted) that ends with the longest run of the subject's
    names, or None when none or several do. Case and `-`/`_` are ignored only where nothing
    matches exactly."""
    for fold in (False, True):
        norm: Callable[[str], str] = (lambda s: s.lower().replace("-", "_")) if fold else str
        parts = [norm(p) for p in subject]
        scores = []
        for name in names:
            own = [norm(p) for p in name.split(".")]
            n = 0
            while n < min(len(own), len(parts)) and own[-1 - n] == parts[-1 - n]:
                n += 1
            scores.append(n)
        best = max(scores, default=0)
        if best:
            winners = [i for i, s in enumerate(scores) if s == best]
            return winners[0] if len(winners) == 1 else None
    return None


def with_checks(
    settings: Sequence[Setting], files: Mapping[str, str]
) -> list[Setting]:
    """The settings, each without a hint of its own given what the checks in `files` (the
    evaluator's Python files, `scripts`) say about it."""
    by_setting: dict[int, list[Fact]] = {}
    names = [s.name for s in settings]
    for path in sorted(files):
        for fact in facts(path, files[path]):
            i = matching(fact.subject, names)
            if i is not None:
                by_setting.setdefault(i, []).append(fact)
    out = list(settings)
    for i, found in by_setting.items():
        s = out[i]
        if s.hint.read or s.hint.problem or s.kind == "bool":
            continue
        said = hint_text(found, s.kind == "int")
        hint = read_hint(said, s.value) if said else None
        if hint is None or hint.problem or not hint.read or (s.kind == "str" and not hint.choices):
            continue  # the value fails the check: a wrong match, or a baseline that fails anyway
        where = ", ".join(dict.fromkeys(f.where for f in found))
        out[i] = replace(s, hint=replace(hint, source=f"evaluator check at {where}"))
    return out
