"""The measured noise reaches the proposer, and on a noisy metric the hybrid mode's local moves
follow the run's measurements (through the strategy and provider interfaces)."""

from __future__ import annotations

import random
from pathlib import Path

from agentos.providers.base import ProposeRequest, get_provider
from agentos.settings import values
from agentos.state import HistoryItem
from agentos.strategies import get_strategy, strategy_names
from agentos.strategies.noise import sample_sd
from agentos.task import Budget, MetricSpec, Task

NAMES = ("X", "Y", "Z")
LOCAL = " | local step "


def settings(x: float, y: float, z: float) -> str:
    return "".join(f"{n} = {v}  # range: -5..5\n" for n, v in zip(NAMES, (x, y, z), strict=True))


def bowl(point: dict[str, float]) -> float:
    return sum(point[n] ** 2 for n in NAMES)


def task() -> Task:
    return Task(
        root=Path("/repo"), path=Path("/repo/agentos.toml"), name="t", editable=("settings.py",),
        protected=("evaluate.py",), budget=Budget(experiments=40),
        metric=MetricSpec(("python", "evaluate.py"), "min", regex=r"loss: (\S+)"),
    )


def history(centre: float, noise: float, n: int = 30) -> list[HistoryItem]:
    """`n` measured configurations around (centre, centre, centre), the bowl's loss plus noise."""
    rng = random.Random(7)
    out: list[HistoryItem] = []
    for i in range(n):
        p = {k: round(centre + rng.uniform(-1.5, 1.5), 3) for k in NAMES}
        config = " ".join(f"{k}={p[k]}" for k in NAMES)
        out.append(HistoryItem(  # type: ignore[typeddict-item]
            id=i + 1, parent="p0", commit=f"c{i}", status="discard",
            metric=bowl(p) + rng.gauss(0, noise), description=f"moved | tpe {config}", reason="",
        ))
    return out


def proposals(centre: float, data_noise: float, noise: float) -> list[dict[str, float]]:
    """The local moves proposed from (centre, centre, centre) over 30 seeds, late in the run."""
    t = task()
    provider = get_provider("heuristic", t)
    hist = history(centre, data_noise)
    moves = []
    for seed in range(30):
        req = ProposeRequest(task=t, experiment=39, parent="p0", seed=seed, noise=noise,
                             files={"settings.py": settings(centre, centre, centre)},
                             history=hist)
        p = provider.propose(req)
        if LOCAL in p.description:
            moves.append({k: float(v) for k, v in values(p.components).items()})  # type: ignore[arg-type]
    return moves


def test_every_strategy_hands_the_proposer_its_measured_noise() -> None:
    scores = [10.0, 10.3, 9.7, 10.1]
    for name in strategy_names():
        strategy = get_strategy(name)
        choice = strategy.choose(strategy.start("base", scores, seed=0), 1)
        assert choice.noise == sample_sd(scores) > 0, name
        assert strategy.choose(strategy.start("base", [10.0], seed=0), 1).noise == 0.0, name


def test_on_a_noisy_metric_local_moves_follow_the_measured_slope() -> None:
    """From a parent on the bowl's side, with noisy measurements around it: without a noise
    estimate a local move goes in a random direction (worse than the parent on average, as a
    random step is on a bowl); with one, the move the measurements' model predicts best."""
    parent = bowl(dict.fromkeys(NAMES, 2.0))
    blind = [bowl(m) for m in proposals(2.0, data_noise=0.5, noise=0.0)]
    guided = [bowl(m) for m in proposals(2.0, data_noise=0.5, noise=0.5)]
    assert len(blind) >= 10 and len(guided) >= 10
    assert sum(guided) / len(guided) < parent - 2.0 < parent < sum(blind) / len(blind)
    assert sum(g < parent for g in guided) >= 0.9 * len(guided)


def test_no_local_move_whose_predicted_gain_is_below_the_noise() -> None:
    """At the bowl's minimum every local move is predicted to lose: with a noise estimate TPE
    proposes instead; without one, local moves are proposed as before."""
    assert not proposals(0.0, data_noise=0.0, noise=0.5)
    assert len(proposals(0.0, data_noise=0.0, noise=0.0)) >= 10
