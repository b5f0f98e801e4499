"""The search mechanisms a profile selects: a space-filling or screening start-up (`[proposer]
start`), a restart on stagnation (`[proposer] stall`) and a screen of re-measures (`[search]
screen`).
The shipped profile screens re-measures (`screen = 3`) and leaves the other two off; each changes
what the search does when it is on."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from helpers import git, quickstart_copy

from agentos import runner
from agentos.errors import UserError
from agentos.profile import DEFAULT_PATH, Profile, Sampler, Start, configure, parse_profile
from agentos.providers.base import ProposeRequest, get_provider
from agentos.providers.heuristic.design import COMBINE, combining
from agentos.selftune import load_suite, run_profile
from agentos.settings import find_settings
from agentos.state import HistoryItem
from agentos.status import run_status
from agentos.strategies import get_strategy
from agentos.strategies.common import StrategyBase
from agentos.task import Budget, MetricSpec, Search, Task

ROOT = Path(__file__).resolve().parent.parent
SQUARE = "X = 0.5  # range: 0..1\nY = 0.5  # range: 0..1\n"


def _task(profile: Profile, experiments: int = 30, seed: int = 0) -> Task:
    return Task(root=Path("/repo"), path=Path("/repo/agentos.toml"), name="t",
                editable=("settings.py",), protected=("evaluate.py",),
                metric=MetricSpec(("python", "evaluate.py"), "min", regex=r"loss: (\S+)"),
                budget=Budget(experiments=experiments), search=Search("greedy", seed, 3),
                profile=profile)


def _propose(profile: Profile, statuses: list[str], seed: int = 0) -> list[str]:
    """The heuristic provider's proposals on the unit square, one per status: each measured
    (loss: distance to a corner) and recorded with that status, in a run whose budget is three
    times as many (so the profile's start-up is not cut to a third of the budget)."""
    task = _task(profile, 3 * len(statuses), seed)
    provider = get_provider("heuristic", task)
    history: list[HistoryItem] = []
    for e, status in enumerate(statuses, start=1):
        proposal = provider.propose(ProposeRequest(task=task, experiment=e, parent="p0",
                                                   files={"settings.py": SQUARE},
                                                   history=list(history), seed=seed * 97 + e))
        v = {st.name: float(st.value)
             for st in find_settings("settings.py", proposal.components["settings.py"])}
        history.append(HistoryItem(id=e, parent="p0", commit=f"c{e}", status=status,  # type: ignore[typeddict-item]
                                   metric=abs(v["X"] - 0.9) + abs(v["Y"] - 0.1),
                                   description=proposal.description, reason=""))
    return [h["description"] for h in history]


def _cells(descriptions: list[str]) -> list[tuple[int, int]]:
    """The 4 x 4 cell of the unit square each proposal's configuration lies in."""
    out = []
    for d in descriptions:
        pairs = dict(w.split("=") for w in d.split(" | tpe ")[1].split())
        out.append((min(int(float(pairs["X"]) * 4), 3), min(int(float(pairs["Y"]) * 4), 3)))
    return out


def test_a_sobol_start_up_puts_one_configuration_in_every_cell() -> None:
    """Sixteen start-up draws of a scrambled Sobol design on the square fill the 16 cells of a
    4 x 4 grid once each (a (0, 4, 2)-net); TPE's independent draws crowd some cells. The design
    is the run's: the same seed gives the same points, another seed other points."""
    sobol = Profile(mode="tpe", sampler=Sampler(startup=16, start="sobol"))
    for seed in (0, 1, 2):
        described = _propose(sobol, ["discard"] * 16, seed)
        assert all(" | design start | tpe " in d for d in described)
        assert sorted(_cells(described)) == [(i, j) for i in range(4) for j in range(4)], seed
    assert _propose(sobol, ["discard"] * 16, 1) == _propose(sobol, ["discard"] * 16, 1)
    assert _propose(sobol, ["discard"] * 4, 1) != _propose(sobol, ["discard"] * 4, 2)
    random = _propose(Profile(mode="tpe", sampler=Sampler(startup=16)), ["discard"] * 16, 0)
    assert not any(" | design " in d for d in random)
    assert len(set(_cells(random))) < 16
    # after the start-up, TPE's model proposes
    after = _propose(dataclasses.replace(sobol, sampler=Sampler(startup=4, start="sobol")),
                     ["discard"] * 8)
    assert [" | design " in d for d in after] == [True] * 4 + [False] * 4


def test_a_stalled_run_jumps_to_the_next_design_point() -> None:
    """With `stall = 3`, past the start-up, every third experiment since the last keep is a
    jump to an unmeasured point of the design; a keep restarts the count; `stall = 0` never
    jumps."""
    statuses = ["discard"] * 4 + ["keep"] + ["discard"] * 7 + ["keep"] + ["discard"] * 4
    stalled = _propose(Profile(mode="tpe", sampler=Sampler(startup=4, stall=3)), statuses)
    jumps = [i + 1 for i, d in enumerate(stalled) if " | design restart after " in d]
    # experiment e sees e - 1 earlier ones: 3 and 6 discards after the keep of experiment 5,
    # and 3 after the keep of experiment 13 (the start-up's 4 discards come before any model)
    assert jumps == [9, 12, 17]
    assert " | design restart after 3 without a keep" in stalled[8]
    configurations = [d.split(" | tpe ")[1] for d in stalled]
    assert len(set(configurations)) == len(configurations)  # no jump repeats a measured point
    never = _propose(Profile(mode="tpe", sampler=Sampler(startup=4)), statuses)
    assert not any(" | design " in d for d in never)


def test_the_screen_discards_a_first_gain_below_it_and_re_measures_the_rest() -> None:
    """A candidate whose first draw beats the best by less than `screen` noise sds is discarded
    at once, with the reason; a larger gain within the noise band is still re-measured; with
    the shipped screen (0) every gain within the band is re-measured."""
    baseline = [1.0, 1.1, 0.9, 1.0]  # mean 1.0, sd 0.0816
    sd = 0.0816

    def verdict(screen: float, gain: float) -> tuple[str, str]:
        strategy = configure(get_strategy("greedy"), Profile(screen=screen))
        state = strategy.start("b" * 40, baseline, 0)
        decision = strategy.decide(state, 1, "c" * 40, [1.0 + gain])
        return decision.verdict, decision.reason

    assert verdict(0.0, 0.5 * sd)[0] == "remeasure"
    status, reason = verdict(1.0, 0.5 * sd)
    assert status == "discard" and "below the screen 1 noise sd" in reason
    assert verdict(1.0, 1.5 * sd)[0] == "remeasure"
    assert verdict(2.0, 1.5 * sd)[0] == "discard"
    assert StrategyBase.screen == 0.0  # the class default is untouched
    # a joint move of a screening design's winners is re-measured, whatever its first gain
    strategy = configure(get_strategy("greedy"), Profile(screen=1.0))
    joint = strategy.decide(strategy.start("b" * 40, baseline, 0), 1, "c" * 40,
                            [1.0 + 0.5 * sd], descriptor="A 0 -> 1, B 0 -> 1 | design combine "
                            "2: A, B | tpe A=1 B=1")
    assert joint.verdict == "remeasure"
    # and so is one whose first draw lost, unless it lost by more than 4 noise sds; its re-runs
    # then decide by the noise rule
    state = strategy.start("b" * 40, baseline, 0)
    combine = "A 0 -> 1, B 0 -> 1 | design combine 2: A, B | tpe A=1 B=1"
    lost = strategy.decide(state, 1, "c" * 40, [1.0 - 1.0 * sd], descriptor=combine)
    assert lost.verdict == "remeasure" and "one draw does not refuse it" in lost.reason
    assert strategy.decide(state, 1, "c" * 40, [1.0 - 1.0 * sd],
                           descriptor="A 0 -> 1, B 0 -> 1 | tpe A=1 B=1").verdict == "discard"
    assert strategy.decide(state, 1, "c" * 40, [1.0 - 4.5 * sd],
                           descriptor=combine).verdict == "discard"
    again = strategy.decide(state, 1, "c" * 40, [1.0 - 1.0 * sd, 1.0 - 0.5 * sd, 1.0 - 0.3 * sd],
                            [1.0, 1.0], descriptor=combine)
    assert again.verdict == "discard" and "no gain" in again.reason


def test_a_screen_point_is_drawn_twice_alone_then_left_to_its_ranking() -> None:
    """A screening design's one-setting point is ranked by its mean among the screen's points:
    unless its first draw is kept at once or lost by more than 4 noise sds, it is drawn a
    second time, alone (the best is not re-run beside it), whatever its gain against the best
    (the re-measure screen lets it through); after two draws the noise rule's doubt does not
    re-measure it again. Without noise one draw is the point's value."""
    baseline = [1.0, 1.1, 0.9, 1.0]  # mean 1.0, sd 0.0816
    sd = 0.0816
    point = "A 0 -> 1 | design screen A=1 | tpe A=1"
    strategy = configure(get_strategy("greedy"), Profile(screen=1.0))
    state = strategy.start("b" * 40, baseline, 0)

    def decide(scores: list[float], descriptor: str = point) -> tuple[str, str, bool]:
        d = strategy.decide(state, 1, "c" * 40, scores, descriptor=descriptor)
        return d.verdict, d.reason, d.alone

    for gain in (0.5 * sd, -0.5 * sd, -3.5 * sd, 1.5 * sd):
        verdict, reason, alone = decide([1.0 + gain])
        assert (verdict, alone) == ("remeasure", True), gain
        assert "a screen point: drawn 2 times" in reason
    # another candidate with the same first draw is screened, or judged, as before
    assert decide([1.0 + 0.5 * sd], "A 0 -> 1 | tpe A=1")[0] == "discard"
    assert decide([1.0 - 0.5 * sd], "A 0 -> 1 | tpe A=1")[0] == "discard"
    assert decide([1.0 - 4.5 * sd])[0] == "discard"  # a clear loser: below the screen's median
    verdict, reason, _ = decide([1.0 + 0.5 * sd, 1.0 + 0.4 * sd])
    assert verdict == "discard" and "measured 2 times for the screen's ranking" in reason
    assert decide([1.0 - 0.5 * sd, 1.0 - 0.6 * sd])[0] == "discard"
    assert decide([5.0])[0] == "keep"  # beyond the noise band on one draw: kept at once
    still = strategy.start("b" * 40, [1.0, 1.0, 1.0, 1.0], 0)  # no noise
    assert strategy.decide(still, 1, "c" * 40, [0.99], descriptor=point).verdict == "discard"


def test_a_screened_inner_run_spends_fewer_runs_re_measuring() -> None:
    """On a noisy task of the shipped suite, a screen of 1 noise sd cuts the evaluations the
    inner runs spend re-measuring, and the runs measure more candidates with them (here 69
    re-measure runs and 39 candidates without a screen, 63 and 45 with it)."""
    suite = load_suite(ROOT / "benchmarks" / "selftune" / "suite.toml")
    problem = suite.problem("smooth~3")
    runs = {screen: [run_profile(problem, Profile(screen=screen), seed, suite.budget)
                     for seed in (1, 2, 3)] for screen in (0.0, 1.0)}
    spent = {k: sum(r.remeasured for r in v) for k, v in runs.items()}
    measured = {k: sum(r.proposals for r in v) for k, v in runs.items()}
    assert spent[1.0] < spent[0.0]
    assert measured[1.0] > measured[0.0]


def test_the_mechanisms_keys_parse_and_refuse_bad_values() -> None:
    profile = parse_profile('[search]\nscreen = 1.5\n[proposer]\nstart = "sobol"\nstall = 6\n')
    assert (profile.screen, profile.sampler.start, profile.sampler.stall) == (1.5, "sobol", 6)
    assert (Profile().screen, Profile().sampler.start, Profile().sampler.stall) == (
        3.0, "random", 0)
    with pytest.raises(UserError, match=r"\[proposer\] start = 'lhs' is not one of"):
        parse_profile('[proposer]\nstart = "lhs"\n')
    with pytest.raises(UserError, match=r"\[search\] screen = -1 is not a number in 0..10"):
        parse_profile("[search]\nscreen = -1\n")
    with pytest.raises(UserError, match=r"\[proposer\] stall = 2.5 is not an integer"):
        parse_profile("[proposer]\nstall = 2.5\n")


def test_a_run_with_the_mechanisms_on_proposes_from_the_design(tmp_path: Path) -> None:
    """Through the loop: a task whose profile sets `start = "sobol"` and a screen proposes its
    start-up from the design (the seed is the task's), and the run completes."""
    profile = DEFAULT_PATH.read_text().replace('start = "random"', 'start = "sobol"')
    profile = re.sub(r"(?m)^screen = [0-9.]+", "screen = 1.0", profile)
    repo = quickstart_copy(tmp_path / "q", {"search.toml": profile})
    toml = (repo / "agentos.toml").read_text()
    (repo / "agentos.toml").write_text(toml.replace("[search]\n", '[search]\nprofile = '
                                                    '"search.toml"\n', 1))
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "profile")
    runner.run(repo, runner.Overrides(sandbox="local", budget=6))
    rows = run_status(repo)["experiments"]
    assert len(rows) == 6  # the start-up is cut to a third of the budget: 2 design points
    assert [" | design start | tpe " in r["description"] for r in rows[:3]] == [True, True, False]


LEVER = ("A = 0.2  # range: 0..1\nB = 0.2  # range: 0..1\nC = 0.2  # range: 0..1\n"
         "D = 0.2  # range: 0..1\nN = 24  # range: 4..128 log\nM = 'x'  # choices: x|y|z\n")
# a lever of two settings set far from the start: A and C at 1 each gain; B, D and M = 'z' lose;
# N (a log range, 24 past its middle) and M = 'y' gain a little
EFFECT = {("A", 1.0): -0.3, ("C", 1.0): -0.2, ("B", 1.0): 0.2, ("D", 1.0): 0.1,
          ("N", 4.0): -0.05, ("M", "y"): -0.01, ("M", "z"): 0.4}


def _screened(statuses: list[str], start: Start = "oat") -> list[str]:
    """The heuristic provider's proposals on `LEVER`, one per status, each measured (loss: 1
    plus the effects of the settings moved to far values) unless the gates refused it."""
    task = _task(Profile(mode="tpe", sampler=Sampler(start=start)), len(statuses))
    provider = get_provider("heuristic", task)
    history: list[HistoryItem] = []
    for e, status in enumerate(statuses, start=1):
        proposal = provider.propose(ProposeRequest(
            task=task, experiment=e, parent="p0", files={"settings.py": LEVER},
            history=list(history), trials=list(history), seed=e, noise=0.01,
            best={"commit": "p0", "metric": 1.0}))
        v = {st.name: st.value
             for st in find_settings("settings.py", proposal.components["settings.py"])}
        loss = 1.0 + sum(d for (name, far), d in EFFECT.items() if v[name] == far)
        history.append(HistoryItem(
            id=e, parent="p0", commit=f"c{e}", status=status,  # type: ignore[typeddict-item]
            description=proposal.description,
            metric=None if status == "rejected" else loss, reason=""))
    return [h["description"] for h in history]


def test_a_screen_moves_one_setting_at_a_time_then_the_winners_together() -> None:
    """`start = "oat"`: each setting alone at its far value (a number's far end of its range,
    on its log scale for a log range; every other choice), in name order; then the settings
    whose point beat the median of the screen's points, ranked by gain, 2, 3, ... at a time;
    then TPE."""
    described = _screened(["discard"] * 12)
    notes = [d.split(" | design ")[1].split(" | tpe ")[0] if " | design " in d else ""
             for d in described]
    assert notes[:7] == ["screen A=1", "screen B=1", "screen C=1", "screen D=1", "screen M=y",
                         "screen M=z", "screen N=4"]
    assert described[0].startswith("A 0.2 -> 1 | design")  # one setting moved
    # the winners beat the screen's median (M = 'y', 0.99), not the start (1.0): A, C, N
    assert notes[7:9] == ["combine 2: A, C", "combine 3: A, C, N"]
    assert described[8].startswith("A 0.2 -> 1, C 0.2 -> 1, N 24 -> 4 | design")
    assert notes[9:] == ["", "", ""]  # the design is spent: TPE proposes
    assert not any(" | design " in d for d in _screened(["discard"] * 8, start="random"))


def test_points_that_tie_exactly_are_the_parents_level_not_winners() -> None:
    """Settings that change nothing measured tie each other exactly (self-tune's common draws):
    their value is the parent's level, so they are not combined, even where the losers pulled
    the median below them; without ties the median is the level."""
    tie = 0.8076
    screened = [("screen", 3.0, 0.8371), ("candidates", 4, 0.8130), ("patience", 12, tie),
                ("startup", 30, tie), ("size", 40, tie), ("sigma", 0.005, 0.7879),
                ("mode", "mutate", 0.4739), ("share", 0.0, 0.6181), ("sobol", "sobol", 0.7459),
                ("islands", "islands", 0.7586), ("oat", "oat", 0.6835)]  # the median: 0.7879
    moves = [note for note, _ in combining({}, screened, "max")]
    assert moves == [f"{COMBINE}2: screen, candidates"]
    untied = [(n, v, m + i * 1e-4) for i, (n, v, m) in enumerate(screened)]
    assert len(combining({}, untied, "max")) == 4  # five above the median of 11: 2, 3, 4, 5


def test_a_screen_point_the_gates_refused_is_not_proposed_again() -> None:
    """A refused point has no metric, so no measured trial marks it tried; its note does."""
    described = _screened(["rejected", "discard", "discard"])
    assert [d.split(" | design ")[1].split(" | tpe ")[0] for d in described] == [
        "screen A=1", "screen B=1", "screen C=1"]


def test_a_power_of_two_setting_at_one_is_a_trial_tpe_reads_back() -> None:
    """A power-of-two setting whose range starts at 0 or 1 is searched by its exponent from 0,
    so a proposal (a screen's far value among them) may set it to 1 = 2 ** 0; the `| tpe`
    configuration that records it reads back, or TPE would never learn from that trial."""
    from agentos.providers.heuristic.tpe import encode

    assert encode("pow2", "1") == 0 and encode("pow2", "32") == 5
    with pytest.raises(ValueError):
        encode("pow2", "24")
