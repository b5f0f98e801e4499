"""The hybrid mode's hop: one setting moved by a wide step, in a share of the local moves that
follows what hops and evolution-strategy moves gained in the run."""

from __future__ import annotations

import math
import random

from test_heuristic import make_task, request

from agentos.providers.base import ProposeRequest, get_provider
from agentos.providers.heuristic.hops import FLOOR, HOP, START, hop, hop_share
from agentos.settings import values
from agentos.state import HistoryItem
from agentos.task import Budget


def test_a_hop_changes_one_setting_within_its_range() -> None:
    from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution

    space = {"A": ("float", FloatDistribution(0.0, 1.0)), "B": ("int", IntDistribution(0, 15)),
             "LR": ("float", FloatDistribution(1e-5, 1.0, log=True)),
             "ACT": ("choice", CategoricalDistribution(["relu", "gelu"]))}
    current = {"A": 0.5, "B": 7, "LR": 0.01, "ACT": "relu"}
    moves = [hop(space, current, random.Random(i)) for i in range(400)]
    assert all(sum(m[k] != current[k] for k in current) == 1 for m in moves)
    assert all(0 <= m["A"] <= 1 and 0 <= m["B"] <= 15 and 1e-5 <= m["LR"] <= 1 for m in moves)
    assert all(sum(m[k] != current[k] for m in moves) > 60 for k in current)  # each in turn
    a = [abs(m["A"] - 0.5) for m in moves if m["A"] != 0.5]
    assert 0.08 < sum(a) / len(a) < 0.2  # wide: 0.15 of the range, reflected at the bounds
    lr = [abs(math.log10(m["LR"] / 0.01)) for m in moves if m["LR"] != 0.01]
    assert 0.3 < sum(lr) / len(lr) < 1.2  # on the log scale: 0.15 of 5 decades


def _item(i: int, parent: str, metric: float, status: str, note: str) -> HistoryItem:
    return HistoryItem(id=i, parent=parent, commit=f"c{i}", status=status,  # type: ignore[typeddict-item]
                       metric=metric, description=f"X 1 -> 2{note} | tpe X=2", reason="")


def _history(hop_gain: float, step_gain: float, goal: str = "min") -> list[HistoryItem]:
    """A kept TPE proposal at 10, then alternating hops and evolution-strategy moves from it,
    every other one kept with the given gain (each kept one becomes the next parent)."""
    sign = -1 if goal == "min" else 1
    hist = [_item(0, "base", 10.0, "keep", "")]
    parent, best = "c0", 10.0
    for i in range(1, 13):
        note, gain = (f"{HOP}0.15", hop_gain) if i % 2 else (" | local step 0.05", step_gain)
        kept = i % 4 in (1, 2)
        metric = best + sign * gain if kept else best - sign * 1.0
        hist.append(_item(i, parent, metric, "keep" if kept else "discard", note))
        if kept:
            parent, best = f"c{i}", metric
    return hist


def test_the_hop_share_follows_what_each_move_gained() -> None:
    assert hop_share([], "min") == START  # neither tried yet
    assert hop_share(_history(0.0, 0.0), "min") == 0.5  # neither gains: even odds
    assert hop_share(_history(3.0, 1.0), "min") == 0.75
    assert hop_share(_history(1.0, 3.0), "min") == 0.25
    assert hop_share(_history(1.0, 3.0, "max"), "max") == 0.25  # a gain is up when maximizing
    assert hop_share(_history(0.0, 2.0), "min") == FLOOR  # never abandoned
    assert hop_share(_history(2.0, 0.0), "min") == 1 - FLOOR
    # a discard gains nothing, however its metric compares
    worse_hop = [_item(0, "base", 10.0, "keep", ""), _item(1, "c0", 2.0, "discard", f"{HOP}0.15"),
                 _item(2, "c0", 9.0, "keep", " | local step 0.05")]
    assert hop_share(worse_hop, "min") == FLOOR


def _run(noise: float, experiments: int = 40) -> list[str]:
    """A hybrid run on the test settings (loss |DEPTH - 5| + |WARMUP - 0.3|), each proposal from
    the best so far, as the greedy strategy chooses."""
    task = make_task(budget=Budget(experiments=experiments))
    provider = get_provider("heuristic", task)
    hist: list[HistoryItem] = []
    files = {"settings.py": request().files["settings.py"]}
    parent, best = "p0", math.inf
    for e in range(1, experiments + 1):
        req = ProposeRequest(task=task, experiment=e, parent=parent, files=files, seed=3,
                             history=list(hist), noise=noise)
        p = provider.propose(req)
        v = values(p.components)
        loss = abs(int(v["DEPTH"]) - 5) + abs(float(v["WARMUP"]) - 0.3)
        kept = loss < best
        hist.append(HistoryItem(id=e, parent=parent, commit=f"c{e}",
                                status="keep" if kept else "discard", metric=loss,
                                description=p.description, reason=""))
        if kept:
            parent, best, files = f"c{e}", loss, dict(p.components)
    return [h["description"] for h in hist]


def test_the_hybrid_hops_without_noise_and_never_with_it() -> None:
    quiet = _run(0.0)
    hops = [d for d in quiet if HOP in d]
    assert hops and all(" | local step " not in d for d in hops)
    assert all(d.count(" -> ") == 1 for d in hops)  # one setting each
    assert not any(HOP in d for d in _run(0.05))
