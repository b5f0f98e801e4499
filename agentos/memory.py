"""The run's memory: a compact digest of everything tried, for the proposer beyond its horizon.

A proposer sees the last `credit_horizon` experiments in full. Beyond them it sees this digest:
in the `grouped` form one line per idea (the settings an experiment changed, or the opening words
of a free-text description), with how often it was tried, its outcomes, its best metric and why
the last refused attempt was refused; in the `list` form one short line per experiment. Both keep
the most recent `size` lines. After them come the diffs of the latest `diffs` experiments that
were not kept (discarded, vetoed or refused by a gate): a failed idea stays available as the
change it was, not only its name, each diff cut to `DIFF_CHARS`. `decide` keeps that cut diff on
the history item of every experiment not kept (`kept_diff`), so the memory is bounded. Vetoed
experiments arrive with their reason already replaced by `VETOED`
(`agentos.nodes.propose.for_proposer`): nothing held out reaches the digest.

`REMEASURE` is how a proposer says a repeat is deliberate: a change already measured from the
same parent is proposed again only with a description that starts with it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from agentos.profile import Memory
from agentos.state import HistoryItem

REMEASURE = "re-measure:"
# a screening design's joint move (`| design combine K: A, B`), which the re-measure screen lets
# through (`strategies.common.StrategyBase._screened`)
JOINT_MOVE = " | design combine "
# a screening design's one-setting point (`| design screen NAME=V`), which the strategies measure
# twice for the screen's ranking (`strategies.common.StrategyBase._screen_point`)
SCREEN_POINT = " | design screen "
REFUSED = frozenset({"crash", "timeout", "oom", "invalid", "rejected"})
_CHANGE = re.compile(r"([\w.:/-]+) \S+ -> \S+")
_REASON_CHARS = 90
DIFF_CHARS = 600  # the most of one failed diff that the memory keeps


def kept_diff(status: str, diff: str) -> str | None:
    """The part of an experiment's diff that the memory keeps: its first `DIFF_CHARS` when it was
    not kept (a kept change is the incumbent's text already), else None."""
    if status == "keep" or not diff.strip():
        return None
    if len(diff) <= DIFF_CHARS:
        return diff
    return diff[:DIFF_CHARS].rsplit("\n", 1)[0] + "\n... (diff cut)"


def change_of(description: str) -> str:
    """The change a description names, without the proposer's suffix (`| tpe ...`)."""
    return description.split(" | ", 1)[0].strip()


def changed(description: str) -> set[str]:
    """The settings a description says the experiment changed (`LR 0.1 -> 0.05, DEPTH 2 -> 3`)."""
    return set(_CHANGE.findall(change_of(description)))


def since_keep(trials: Sequence[HistoryItem]) -> int:
    """The experiments since the last keep of `trials` (all of them when none was kept)."""
    count = 0
    for item in reversed(trials):
        if item["status"] == "keep":
            break
        count += 1
    return count


def idea_of(description: str) -> str:
    """The idea an experiment tried: the settings it changed (`LR, DEPTH`), or the first five
    words of a free-text description."""
    head = change_of(description)
    names = _CHANGE.findall(head)
    if names:
        return ", ".join(sorted(set(names)))
    words = re.findall(r"[\w-]+", head.lower())
    return " ".join(words[:5]) or "(no description)"


def gated_off(trials: Sequence[HistoryItem], at_least: int = 2) -> frozenset[str]:
    """The settings (as the descriptions name them) whose every change was refused before it was
    measured (`rejected`: a gate, such as the tests, failed), `at_least` times over: a setting
    the tests pin is not worth more experiments. A refused change of k settings at once counts
    1/k against each, since any one of them may be what the gate refused: two refused joint moves
    of five settings rule out none of them, two refused moves of one setting alone rule it out."""
    blame: dict[str, float] = {}
    measured_once: set[str] = set()
    for t in trials:
        names = changed(t["description"])
        for name in names:
            if t["status"] == "rejected":
                blame[name] = blame.get(name, 0.0) + 1 / len(names)
            else:
                measured_once.add(name)
    return frozenset(
        n for n, b in blame.items() if b >= at_least - 1e-9 and n not in measured_once
    )


def measured(trials: Sequence[HistoryItem], parent: str) -> set[str]:
    """The changes already tried from `parent` (re-measures are not new ideas)."""
    return {
        change_of(t["description"]).removeprefix(REMEASURE).strip()
        for t in trials
        if t["parent"] == parent
    }


@dataclass
class _Group:
    idea: str
    ids: list[int] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    best: float | None = None
    best_id: int = 0
    refused: str = ""


def digest(trials: Sequence[HistoryItem], memory: Memory, *, goal: str = "max") -> str:
    """The digest of `trials` in the profile's `memory` form, or "" when it is off or empty."""
    if memory.form == "off" or memory.size == 0 or not trials:
        return ""
    if memory.form == "list":
        lines = [_line(t) for t in trials][-memory.size :]
        text = f"Every experiment of this run ({len(trials)}), latest last:\n" + "\n".join(lines)
        return text + _failed_diffs(trials, memory.diffs)
    groups: dict[str, _Group] = {}
    for t in trials:
        g = groups.pop(idea_of(t["description"]), None) or _Group(idea_of(t["description"]))
        groups[g.idea] = g  # re-inserted: the most recently tried idea comes last
        g.ids.append(t["id"])
        g.counts[t["status"]] = g.counts.get(t["status"], 0) + 1
        m = t["metric"]
        better = g.best is None or (m is not None and (m > g.best if goal == "max" else m < g.best))
        if m is not None and t["status"] in ("keep", "discard") and better:
            g.best, g.best_id = m, t["id"]
        if t["status"] in REFUSED or t.get("vetoed"):
            g.refused = f"#{t['id']} {t['status']}: {_short(t['reason'])}"
    shown = list(groups.values())[-memory.size :]
    head = (
        f"Everything tried in this run: {len(trials)} experiments, {len(groups)} ideas"
        + (f" (the {len(shown)} most recent shown)" if len(shown) < len(groups) else "")
        + ":"
    )
    return "\n".join([head, *(_group_line(g) for g in shown)]) + _failed_diffs(trials, memory.diffs)


def _failed_diffs(trials: Sequence[HistoryItem], count: int) -> str:
    failed = [t for t in trials if t.get("diff")][-count:] if count else []
    if not failed:
        return ""
    parts = [f"\nThe diffs of the {len(failed)} latest experiments not kept, latest last:"]
    for t in failed:
        why = f" ({_short(t['reason'])})" if t["reason"] else ""
        parts.append(f"#{t['id']} {t['status']}{why}: {_short(change_of(t['description']))}\n"
                     + t.get("diff", "").rstrip("\n"))
    return "\n".join(parts)


def _group_line(g: _Group) -> str:
    outcomes = ", ".join(f"{s} {n}" for s, n in sorted(g.counts.items()))
    parts = [f"- {g.idea}: tried {len(g.ids)}x ({outcomes})"]
    if g.best is not None:
        parts.append(f"best {g.best:.6g} (#{g.best_id})")
    if g.refused:
        parts.append(f"last refused {g.refused}")
    return "; ".join(parts)


def _line(t: HistoryItem) -> str:
    metric = "-" if t["metric"] is None else f"{t['metric']:.6g}"
    out = f"- #{t['id']} {t['status']} {metric}: {_short(change_of(t['description']))}"
    if t["status"] in REFUSED:
        out += f" ({_short(t['reason'])})"
    return out


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _REASON_CHARS else text[: _REASON_CHARS - 3] + "..."
