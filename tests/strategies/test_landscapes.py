"""A fast smoke run of the landscape benchmark's in-process path (the benchmark is a script)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.landscapes.fast import run_agentos, run_random  # noqa: E402
from benchmarks.landscapes.problems import PROBLEMS  # noqa: E402


def test_every_strategy_improves_the_smooth_problem_reproducibly() -> None:
    p = PROBLEMS["smooth"]
    for name in ("greedy", "anneal", "restarts", "islands", "pareto"):
        a = run_agentos(p, name, seed=1, budget=30)
        assert len(a.trace) == 30 and a.final < a.trace[0] / 2, name
        assert a.trace == sorted(a.trace, reverse=True)  # noiseless: the best never gets worse
        assert run_agentos(p, name, seed=1, budget=30).trace == a.trace


def test_noise_aware_greedy_makes_no_false_keep_where_keep_revert_does() -> None:
    p = PROBLEMS["noisy-mixed"]
    aware = [run_agentos(p, "greedy", seed=s, budget=40) for s in range(4)]
    assert sum(r.false_keeps for r in aware) == 0
    naive = [run_agentos(p, "greedy", seed=s, budget=40, noise_reruns=0) for s in range(4)]
    assert sum(r.false_keeps for r in naive) > 0


def test_baselines_run_at_the_same_budget() -> None:
    r = run_random(PROBLEMS["mixed"], seed=0, budget=20)
    assert len(r.trace) == 20 and r.final <= r.trace[0]


def test_discards_of_truly_better_candidates_are_counted_beside_those_measured() -> None:
    """On a noisy problem, the candidates discarded though truly better are a share of the truly
    better ones measured, and the table says both: `N of M (x%)`."""
    from benchmarks.landscapes.compare import _rate

    r = run_agentos(PROBLEMS["noisy-smooth"], "greedy", seed=2001, budget=60)
    assert 0 < r.better_sd <= r.better
    assert r.false_discards_sd <= min(r.false_discards, r.better_sd)
    assert r.false_discards <= r.better
    share = r.false_discards_sd / r.better_sd
    assert _rate([r], sd=True) == f"{r.false_discards_sd} of {r.better_sd} ({share:.0%})"
