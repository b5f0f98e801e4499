"""The embedded default provider: the offline heuristic proposer and the rubric reviewer.

Three proposal modes, all seeded and deterministic in the request: `mutate` (typed mutation of
the settings in the editable files, `agentos.providers.heuristic.mutate`), `tpe` (Optuna's TPE
over the tunable settings) and `hybrid`, the default (TPE plus local refinement of the parent,
`agentos.providers.heuristic.tpe`; chosen from the landscape benchmark, `benchmarks/RESULTS.md`).
The reviewer runs binary rubric checks on the diff, each with its reason.
"""

from __future__ import annotations

import difflib
import re
from typing import get_args

from agentos.errors import UserError
from agentos.profile import Mode
from agentos.providers.base import (
    Check,
    Proposal,
    ProposeRequest,
    Provider,
    Review,
    ReviewRequest,
    register_provider,
)
from agentos.providers.heuristic.mutate import mutate, propose_settings
from agentos.providers.heuristic.tpe import propose_tpe
from agentos.task import Task, glob_match

# --- the rubric reviewer -----------------------------------------------------------------------


_ALWAYS_PROTECTED = (
    "agentos.toml",
    ".agentos/**",
    ".git/**",
    "**/conftest.py",
    "pytest.ini",
    "tox.ini",
    "setup.cfg",
    "**/sitecustomize.py",
    "**/usercustomize.py",
    "**/*.pth",
    ".env",
)
_TAMPER = [
    (
        re.compile(r"\bpytest\.(skip|xfail)\b|@pytest\.mark\.(skip|xfail)|\bunittest\.skip"),
        "skips tests",
    ),
    (re.compile(r"\bconftest\b|\bpytest_(configure|collection|runtest)\w*"), "hooks pytest"),
    (re.compile(r"\bos\._exit\b|\bsys\.exit\(\s*0?\s*\)"), "exits early"),
    (
        re.compile(r"\bsys\.(settrace|setprofile|addaudithook)\b|\bbuiltins\.\w+\s*="),
        "patches the interpreter",
    ),
    (re.compile(r"\bAGENTOS_\w+"), "touches agentos' trusted channel"),
    (re.compile(r"\bunittest\.mock\b|\bmonkeypatch\b"), "mocks behaviour"),
    (re.compile(r"\bsitecustomize\b|\.pth\b"), "adds start-up hooks"),
]
_MAX_NET_LINES = 40


def review_rubric(request: ReviewRequest) -> Review:
    """Binary rubric checks on a candidate's change, each with its reason."""
    task = request.task
    changed = list(request.changed) or sorted(set(request.after) | set(request.before))
    outside = [p for p in changed if not task.is_editable(p)]
    checks = [
        Check(
            "editable-surface",
            not outside,
            f"{outside[0]} is protected or matches none of the editable globs {list(task.editable)}"
            if outside
            else f"all {len(changed)} changed path(s) are editable",
        )
    ]
    hits = [(p, _protector(task, p)) for p in changed if _is_protected(task, p)]
    checks.append(
        Check(
            "protected-paths",
            not hits,
            f"{hits[0][0]} is protected by {hits[0][1]!r}" if hits else "no protected path touched",
        )
    )
    added, removed = 0, 0
    tamper: list[str] = []
    metric_markers = _metric_markers(task)
    for path in changed:
        before = request.before.get(path, "").splitlines()
        after = request.after.get(path, "").splitlines()
        for line in difflib.unified_diff(before, after, lineterm="", n=0):
            if line.startswith(("---", "+++", "@@")):
                continue
            if line.startswith("-"):
                removed += 1
            elif line.startswith("+"):
                added += 1
                for pattern, why in _TAMPER:
                    if pattern.search(line):
                        tamper.append(f"{path}: added line {why}: {line[1:].strip()[:80]}")
                for marker in metric_markers:
                    if marker in line and re.search(r"\b(print|write|echo|log)", line):
                        tamper.append(f"{path}: added line prints the metric marker {marker!r}")
    checks.append(
        Check(
            "no-tampering", not tamper, tamper[0] if tamper else "no gate, test or metric tampering"
        )
    )
    net = added - removed
    checks.append(
        Check(
            "simplicity",
            net <= _MAX_NET_LINES,
            f"+{added} -{removed} lines (net {net:+d}, limit +{_MAX_NET_LINES})",
        )
    )
    return Review(checks=checks)


def _is_protected(task: Task, path: str) -> bool:
    """The task's protected paths, plus what no candidate may touch in any repository."""
    return task.is_protected(path) or any(glob_match(path, g) for g in _ALWAYS_PROTECTED)


def _protector(task: Task, path: str) -> str:
    """The first glob that protects `path`, for the check's reason."""
    globs = (*task.protected, *_ALWAYS_PROTECTED)
    return next((g for g in globs if glob_match(path, g)), path)


def _metric_markers(task: Task) -> list[str]:
    """The literal text before the first group of the metric regex (e.g. `val_bpb:`), if any."""
    if not task.metric.regex:
        return []
    head = re.split(r"[\\(\[.*+?^$|{]", task.metric.regex, maxsplit=1)[0].strip()
    return [head] if len(head) >= 3 else []


DEFAULT_MODE: Mode = "hybrid"

__all__ = ["DEFAULT_MODE", "HeuristicProvider", "Mode", "mutate", "propose_settings", "propose_tpe"]


class HeuristicProvider:
    """The offline provider: setting proposals in one of three modes, and the rubric reviewer."""

    name = "heuristic"

    def __init__(self, task: Task, mode: Mode = DEFAULT_MODE):
        self.task = task
        self.mode = mode

    def propose(self, request: ProposeRequest) -> Proposal:
        if self.mode == "mutate":
            return propose_settings(request)
        return propose_tpe(request, hybrid=self.mode == "hybrid")

    def review(self, request: ReviewRequest) -> Review:
        return review_rubric(request)


@register_provider("heuristic")
def make_heuristic(task: Task, arg: str) -> Provider:
    """`heuristic` (the search profile's mode, `hybrid` by default), `heuristic:hybrid`,
    `heuristic:tpe` or `heuristic:mutate`."""
    modes: tuple[Mode, ...] = get_args(Mode)
    mode = arg or task.profile.mode  # the search profile's mode (its default: DEFAULT_MODE)
    if mode not in modes:
        raise UserError(
            f"unknown heuristic mode {arg!r}",
            path=task.path,
            fix='set [llm] provider to "heuristic" or one of '
            + ", ".join(f'"heuristic:{m}"' for m in modes),
        )
    return HeuristicProvider(task, mode)
