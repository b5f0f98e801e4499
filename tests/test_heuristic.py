"""The offline heuristic proposer and the rubric reviewer, through the provider interface."""

from __future__ import annotations

import math
import random
from pathlib import Path

import pytest

from agentos.profile import Sampler
from agentos.providers.base import NothingToPropose, ProposeRequest, ReviewRequest, get_provider
from agentos.providers.heuristic import mutate
from agentos.providers.heuristic import tpe as heuristic_tpe
from agentos.providers.heuristic.mutate import local_move, local_step
from agentos.settings import find_all, find_settings, values
from agentos.state import HistoryItem, Point
from agentos.task import Budget, MetricSpec, Search, Task

SETTINGS = '''"""Knobs."""
LEARNING_RATE = 0.01
WIDTH = 64
DEPTH = 3  # range: 1..6
WARMUP = 0.1  # range: 0..0.5
USE_BIAS = True
ACT = "relu"  # choices: relu|gelu|tanh
SEED = 7  # fixed
'''


def make_task(**kw: object) -> Task:
    base: dict[str, object] = dict(
        root=Path("/repo"), path=Path("/repo/agentos.toml"), name="t",
        editable=("settings.py", "conf/**/*.toml"), protected=("evaluate.py", "tests/**"),
        metric=MetricSpec(("python", "evaluate.py"), "min", regex=r"score: (\S+)"),
    )
    base.update(kw)
    return Task(**base)  # type: ignore[arg-type]


def request(experiment: int = 0, seed: int = 0, step: float = 1.0, **kw: object) -> ProposeRequest:
    args: dict[str, object] = dict(
        task=make_task(), experiment=experiment, parent="p0", files={"settings.py": SETTINGS},
        seed=seed, step=step,
    )
    args.update(kw)
    return ProposeRequest(**args)  # type: ignore[arg-type]


def test_registered_as_the_heuristic_provider() -> None:
    provider = get_provider("heuristic", make_task())
    assert provider.name == "heuristic"
    assert provider.propose(request()).components


def test_same_request_same_proposal_and_seeds_differ() -> None:
    provider = get_provider("heuristic:mutate", make_task())
    a, b = provider.propose(request(3, seed=1)), provider.propose(request(3, seed=1))
    assert a == b
    others = {provider.propose(request(3, seed=s)).description for s in range(2, 12)}
    assert len(others) > 3


def test_types_kept_and_hints_honoured_over_many_proposals() -> None:
    provider = get_provider("heuristic:mutate", make_task())
    before = values({"settings.py": SETTINGS})
    changed: set[str] = set()
    for e in range(300):
        p = provider.propose(request(e))
        after = values(p.components)
        assert after["SEED"] == 7
        assert isinstance(after["WIDTH"], int) and after["WIDTH"] >= 0
        assert isinstance(after["DEPTH"], int) and 1 <= after["DEPTH"] <= 6
        assert isinstance(after["WARMUP"], float) and 0 <= after["WARMUP"] <= 0.5
        assert after["ACT"] in ("relu", "gelu", "tanh")
        assert isinstance(after["USE_BIAS"], bool) and isinstance(after["LEARNING_RATE"], float)
        assert after["LEARNING_RATE"] > 0
        changed |= {k for k in after if after[k] != before[k]}
        # the description names exactly what changed, with old and new values
        for part in p.description.split(", "):
            name, old, _, _new = part.split(" ")
            assert str(before[name]) == old or math.isclose(float(old), float(before[name]))
    assert changed == set(before) - {"SEED"}


def test_learning_rate_moves_on_a_log_scale() -> None:
    (lr,) = [s for s in find_settings("s.py", "LR = 0.01\n")]
    rng = random.Random(0)
    ratios = [math.log10(float(mutate(lr, rng)) / 0.01) for _ in range(400)]
    assert all(r != 0 for r in ratios)
    assert sum(abs(r) > 0.3 for r in ratios) > 100  # factors of 2 and more are common
    assert abs(sum(ratios) / len(ratios)) < 0.1  # up as often as down


def test_step_scales_the_move() -> None:
    (x,) = find_settings("s.py", "X = 0.5  # range: 0..1\n")
    small = [abs(float(mutate(x, random.Random(i), 0.2)) - 0.5) for i in range(200)]
    large = [abs(float(mutate(x, random.Random(i), 3.0)) - 0.5) for i in range(200)]
    assert sum(large) > 3 * sum(small)


def test_history_of_the_same_parent_is_not_repeated() -> None:
    provider = get_provider("heuristic:mutate", make_task(editable=("s.py",)))
    files = {"s.py": "USE = True\nN = 2  # range: 1..3\n"}
    first = provider.propose(request(0, files=files))
    hist = [HistoryItem(id=0, parent="p0", commit="c", status="discard", metric=1.0,
                        description=first.description, reason="")]
    second = provider.propose(request(0, files=files, history=hist))
    assert second.description != first.description
    # another parent's history does not constrain this one
    hist_other = [{**hist[0], "parent": "elsewhere"}]
    assert provider.propose(request(0, files=files, history=hist_other)) == first


def test_a_setting_the_gates_refuse_every_time_is_left_alone() -> None:
    """Two changes of PADDING, both refused by a gate (the tests pin it): no mode proposes it
    again, while WIDTH, once measured, stays in play."""
    files = {"s.py": "PADDING = 2  # range: 0..8\nWIDTH = 10  # range: 1..40\n"}
    hist = [
        HistoryItem(id=i, parent="p", commit=f"c{i}", status=status, metric=metric,
                    description=desc, reason="")
        for i, (status, metric, desc) in enumerate([
            ("rejected", None, "PADDING 2 -> 3"),
            ("rejected", None, "PADDING 2 -> 0 | tpe PADDING=0 WIDTH=10"),
            ("discard", 1.0, "WIDTH 10 -> 12"),
        ])
    ]
    for mode in ("mutate", "tpe", "hybrid"):
        provider = get_provider(f"heuristic:{mode}", make_task(editable=("s.py",)))
        for exp in range(8):
            got = provider.propose(request(exp, files=files, history=hist))
            assert "PADDING" not in got.description.split(" | ")[0], (mode, got.description)
    # one refusal is not yet a pattern
    provider = get_provider("heuristic:mutate", make_task(editable=("s.py",)))
    seen = {provider.propose(request(e, files=files, history=hist[1:2])).description.split()[0]
            for e in range(12)}
    assert "PADDING" in seen


def test_nothing_mutable_is_nothing_to_propose() -> None:
    provider = get_provider("heuristic:mutate", make_task())
    with pytest.raises(NothingToPropose, match="no tunable settings found"):
        provider.propose(request(files={"settings.py": 'NAME = "x"\nSEED = 1  # fixed\n'}))


def review(
    before: dict[str, str], after: dict[str, str], **kw: object
) -> dict[str, tuple[bool, str]]:
    provider = get_provider("heuristic:mutate", make_task(**kw))
    changed = sorted(set(before) | set(after))
    got = provider.review(ReviewRequest(make_task(**kw), "", changed, before, after))
    return {c.name: (c.passed, c.reason) for c in got.checks}


def test_review_passes_a_settings_change() -> None:
    checks = review({"settings.py": "X = 1\n"}, {"settings.py": "X = 2\n"})
    assert all(ok for ok, _ in checks.values()), checks
    assert checks["simplicity"][1].startswith("+1 -1 lines")


def test_review_names_the_path_outside_the_surface() -> None:
    checks = review({"other.py": "X = 1\n"}, {"other.py": "X = 2\n"})
    ok, reason = checks["editable-surface"]
    assert not ok and "other.py" in reason and "settings.py" in reason


def test_review_refuses_protected_and_tampering() -> None:
    checks = review({}, {"tests/conftest.py": "import pytest\n"}, editable=("**",))
    assert not checks["protected-paths"][0] and "tests/conftest.py" in checks["protected-paths"][1]
    checks = review({"settings.py": "X = 1\n"},
                    {"settings.py": "X = 1\nimport pytest\npytest.skip('x')\n"})
    assert not checks["no-tampering"][0] and "skips tests" in checks["no-tampering"][1]
    checks = review({"settings.py": "X = 1\n"}, {"settings.py": "X = 1\nprint('score: 0.0')\n"})
    assert not checks["no-tampering"][0] and "metric marker" in checks["no-tampering"][1]


def test_review_simplicity_counts_lines() -> None:
    big = "".join(f"Y{i} = {i}\n" for i in range(60))
    checks = review({"settings.py": "X = 1\n"}, {"settings.py": "X = 1\n" + big})
    ok, reason = checks["simplicity"]
    assert not ok and reason.startswith("+60 -0")


def test_review_uses_the_task_globs() -> None:
    """The reviewer's surface is the task's own (`Task.is_editable`): `**` spans folders, a glob
    naming a folder covers what is inside, and a protected path is never editable."""
    ok = review({}, {"conf/a/b.toml": "x = 1\n"})
    assert ok["editable-surface"][0] and ok["protected-paths"][0]
    assert not review({}, {"conf/b.json": "{}"})["editable-surface"][0]
    assert review({}, {"src/pkg/x.py": "X = 1\n"}, editable=("src",))["editable-surface"][0]
    assert not review({}, {"x/settings.py": "X = 1\n"})["editable-surface"][0]
    both = review({}, {"tests/a.py": "X = 1\n"}, editable=("**",))
    assert not both["editable-surface"][0]
    assert not both["protected-paths"][0] and "'tests/**'" in both["protected-paths"][1]


def test_powers_of_two_move_mostly_by_factors_of_two_but_not_only() -> None:
    (w,) = find_settings("s.py", "WIDTH = 32  # range: 8..512\n")
    got = [mutate(w, random.Random(i), 2.0) for i in range(400)]
    assert all(isinstance(v, int) and 8 <= v <= 512 for v in got)
    pow2 = [v for v in got if v in {8, 16, 64, 128, 256, 512}]
    assert 0.6 * len(got) < len(pow2) < 0.9 * len(got)  # the values between stay reachable
    assert len(set(got) - set(pow2)) >= 5


def test_an_unbounded_int_at_one_reaches_zero_but_never_crosses_it() -> None:
    (n,) = find_settings("s.py", "LAYERS = 1\n")
    got = {mutate(n, random.Random(i)) for i in range(100)}
    assert 0 in got and 2 in got and min(got) == 0
    (m,) = find_settings("s.py", "SHIFT = -1\n")
    assert max(mutate(m, random.Random(i)) for i in range(100)) == 0


def test_the_name_does_not_choose_the_scale() -> None:
    """`alpha` and `scale` move like any float of their size; a small value moves in wide log
    steps whatever its name; a hint's log scale is used as written."""
    moves = {}
    for text in ("ALPHA = 0.5\n", "MIXING = 0.5\n", "ALPHA = 0.001\n", "MIXING = 0.001\n"):
        (s,) = find_settings("s.py", text)
        moves[text] = [abs(math.log(float(mutate(s, random.Random(i))) / float(s.value)))
                       for i in range(300)]
    assert moves["ALPHA = 0.5\n"] == moves["MIXING = 0.5\n"]
    assert moves["ALPHA = 0.001\n"] == moves["MIXING = 0.001\n"]
    assert sum(moves["ALPHA = 0.001\n"]) > 2 * sum(moves["ALPHA = 0.5\n"])


def test_tpe_mode_is_reproducible_and_learns_from_the_history() -> None:
    provider = get_provider("heuristic:tpe", make_task())
    a = provider.propose(request(1, seed=3))
    assert a == provider.propose(request(1, seed=3))
    assert " | tpe " in a.description and "DEPTH=" in a.description
    after = values(a.components)
    assert after["SEED"] == 7 and 1 <= int(after["DEPTH"]) <= 6
    hist = [HistoryItem(id=1, parent="p0", commit="c1", status="discard", metric=1.0,
                        description=a.description, reason="")]
    b = provider.propose(request(2, seed=3, history=hist))
    assert b.description.split(" | tpe ")[1] != a.description.split(" | tpe ")[1]
    with pytest.raises(Exception, match="unknown heuristic mode"):
        get_provider("heuristic:nope", make_task())


def _run_hybrid(experiments: int, budget: int = 40) -> tuple[list[ProposeRequest], list[str]]:
    """A hybrid run on the test settings whose loss is |DEPTH - 5| + |WARMUP - 0.3|."""
    task = make_task(budget=Budget(experiments=budget))
    provider = get_provider("heuristic", task)
    hist: list[HistoryItem] = []
    requests: list[ProposeRequest] = []
    best = math.inf
    for e in range(1, experiments + 1):
        req = request(e, seed=5, history=list(hist), task=task)
        p = provider.propose(req)
        v = values(p.components)
        loss = abs(int(v["DEPTH"]) - 5) + abs(float(v["WARMUP"]) - 0.3)
        status = "keep" if loss < best else "discard"
        best = min(best, loss)
        requests.append(req)
        hist.append(HistoryItem(id=e, parent="p0", commit=f"c{e}", status=status,  # type: ignore[typeddict-item]
                                metric=loss, description=p.description, reason=""))
    return requests, [h["description"] for h in hist]


def test_hybrid_is_the_default_and_refines_the_parent_after_tpe_startup() -> None:
    """Before TPE has seen enough configurations every proposal is TPE's; after, a share that
    grows with the spent budget are local moves of the parent, and all carry the configuration
    TPE learns from."""
    requests, described = _run_hybrid(40)
    startup = Sampler().startup  # the shipped profile's
    tpe = get_provider("heuristic:tpe", requests[0].task)
    assert all(" | tpe " in d and "DEPTH=" in d for d in described)
    for req, d in zip(requests[:startup], described, strict=False):
        assert d == tpe.propose(req).description
    local = [" | local step " in d for d in described]
    assert not any(local[:startup])
    first, second = local[startup:24], local[24:]
    assert sum(first) >= 1 and sum(first) / len(first) < sum(second) / len(second)


def test_local_step_grows_on_keeps_and_shrinks_on_failures() -> None:
    def item(status: str, local: bool = True) -> HistoryItem:
        note = " | local step 0.1" if local else ""
        return HistoryItem(id=1, parent="p", commit="c", status=status,  # type: ignore[typeddict-item]
                           metric=1.0, description=f"X 1 -> 2{note} | tpe X=2", reason="")

    sigma0 = Sampler().local_sigma

    def step(history: list[HistoryItem]) -> float:
        return local_step(history, sigma0)

    assert step([]) == sigma0
    assert step([item("keep")]) > sigma0 > step([item("discard")])
    assert step([item("keep", local=False)]) == sigma0
    assert step([item("discard")] * 200) > 0  # bounded below
    # one keep in three holds the step still
    assert math.isclose(step([item("keep"), item("discard"), item("discard")]), sigma0)


def test_local_move_changes_every_number_within_its_range() -> None:
    from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution

    space = {"A": ("float", FloatDistribution(0.0, 1.0)), "B": ("int", IntDistribution(0, 15)),
             "LR": ("float", FloatDistribution(1e-5, 1.0, log=True)),
             "ACT": ("choice", CategoricalDistribution(["relu", "gelu"]))}
    current = {"A": 0.5, "B": 7, "LR": 0.01, "ACT": "relu"}
    moves = [local_move(space, current, random.Random(i), 0.05) for i in range(200)]
    assert all(m != current for m in moves)
    assert all(0 <= m["A"] <= 1 and 0 <= m["B"] <= 15 and 1e-5 <= m["LR"] <= 1 for m in moves)
    assert sum(m["A"] != 0.5 for m in moves) > 190  # every float moves at once
    assert 20 < sum(m["ACT"] != "relu" for m in moves) < 100  # a categorical one now and then
    steps = [abs(math.log10(m["LR"] / 0.01)) for m in moves]
    assert max(steps) < 2 and sum(steps) / len(steps) < 0.5  # a small step on the log scale


def test_the_study_cache_is_pure_a_cold_start_repeats_every_proposal() -> None:
    """Proposals made with the cache warm (each adding only the new trials) equal those made
    after clearing it before every call, as after a restart."""
    heuristic_tpe._CACHE.entries.clear()
    requests, described = _run_hybrid(24)
    entries = [e for es in heuristic_tpe._CACHE.entries.values() for e in es]
    # a storage per search space (unbounded settings' spaces grow with the evidence), each grown
    # in place: far fewer than one per proposal
    assert len(entries) <= 8 and max(len(e.added) for e in entries) >= 8
    cold = []
    for req in requests:
        heuristic_tpe._CACHE.entries.clear()
        cold.append(get_provider("heuristic", req.task).propose(req).description)
    assert cold == described


def test_one_sided_and_unbounded_settings_are_in_the_tpe_space() -> None:
    """A one-sided range keeps its bound and grows the other side from the value; a setting no
    comment bounds grows on both sides (an int at 1 reaches 0; nothing changes sign)."""
    text = (
        "BATCH = 32  # max 256\nWORKERS = 1\nCLIP = 1.0  # max norm\nSHIFT = -2.0\n"
        "LR = 0.01  # at least 1e-5\n"
    )
    dims = heuristic_tpe.dimensions(find_settings("settings.py", text))
    (_, batch, kind) = dims["BATCH"]
    assert kind == "pow2" and (2**batch.low, 2**batch.high) == (8, 256)
    assert (dims["WORKERS"][1].low, dims["WORKERS"][1].high) == (0, 5)
    clip = dims["CLIP"][1]
    assert (clip.low, clip.high, clip.log) == (0.25, 4.0, True)
    assert (dims["SHIFT"][1].low, dims["SHIFT"][1].high) == (-8.0, -0.5)
    lr = dims["LR"][1]  # the comment's bound kept, the grown side spans decades: a log scale
    assert (lr.low, lr.high, lr.log) == (1e-5, 0.04, True)
    # later in the run a power of two without a bound of its own is searched as any integer
    late = heuristic_tpe.dimensions(find_settings("settings.py", text), progress=0.6)
    assert late["BATCH"][2] == "int" and late["BATCH"][1].low == 8


def test_an_unbounded_space_grows_toward_the_optimum_with_evidence() -> None:
    """Greedy on a loss whose optimum lies far outside the first grown bounds (SCALE at 40 from
    1, WORKERS at 0 from 1, BATCH at the one-sided hint's 256 from 32): the space follows the
    best, and each optimum is proposed."""
    task = make_task(budget=Budget(experiments=60))
    provider = get_provider("heuristic", task)
    text = "BATCH = 32  # max 256\nWORKERS = 1\nSCALE = 1.0\n"
    best, hist = math.inf, []
    proposed: list[dict[str, object]] = []
    for e in range(1, 61):
        p = provider.propose(request(e, seed=3, history=list(hist), task=task,
                                     files={"settings.py": text}))
        v = values(p.components)
        proposed.append(v)
        loss = (float(v["SCALE"]) - 40) ** 2 / 100 + int(v["WORKERS"])
        loss += (256 - int(v["BATCH"])) / 64
        status = "keep" if loss < best else "discard"
        if status == "keep":
            best, text = loss, p.components["settings.py"]
        hist.append(HistoryItem(id=e, parent="p0", commit=f"c{e}", status=status,  # type: ignore[typeddict-item]
                                metric=loss, description=p.description, reason=""))
    assert any(v["WORKERS"] == 0 for v in proposed)
    assert max(float(str(v["SCALE"])) for v in proposed) > 16  # beyond the first bound, 4
    assert max(int(str(v["BATCH"])) for v in proposed) == 256
    assert all(int(str(v["BATCH"])) <= 256 and int(str(v["WORKERS"])) >= 0 for v in proposed)
    assert abs(float(str(values({"settings.py": text})["SCALE"])) - 40) < 10


def test_an_unbounded_power_of_two_reaches_the_integers_between_once_powers_stop_helping() -> (
    None
):
    """BATCH = 32 with no hint and its optimum at 48: no power of two is within 16 of it, so
    the run must leave the powers of two (the second half of the budget searches any integer)
    and keep a value between 32 and 64."""
    task = make_task(budget=Budget(experiments=40))
    provider = get_provider("heuristic", task)
    text = "BATCH = 32\n"
    best, hist = (32 - 48) ** 2, []
    for e in range(1, 41):
        p = provider.propose(request(e, seed=5, history=list(hist), task=task,
                                     files={"settings.py": text}))
        loss = (int(str(values(p.components)["BATCH"])) - 48) ** 2
        status = "keep" if loss < best else "discard"
        if status == "keep":
            best, text = loss, p.components["settings.py"]
        hist.append(HistoryItem(id=e, parent="p0", commit=f"c{e}", status=status,  # type: ignore[typeddict-item]
                                metric=float(loss), description=p.description, reason=""))
    assert best < 16**2, best  # closer than either power of two beside 48
    assert 32 < int(str(values({"settings.py": text})["BATCH"])) < 64


def test_a_configuration_measured_twice_counts_once_with_its_mean() -> None:
    """TPE models noisy means: repeated measures of one configuration are averaged."""
    dims = heuristic_tpe.dimensions(find_settings("settings.py", "DEPTH = 3  # range: 1..6\n"))
    trials = [({"DEPTH": "3"}, 1.0), ({"DEPTH": "4"}, 5.0), ({"DEPTH": "3"}, 2.0)]
    assert heuristic_tpe.measured_trials(dims, trials) == [({"DEPTH": 3}, 1.5), ({"DEPTH": 4}, 5.0)]


def test_trials_outside_an_edited_space_are_left_out_of_the_study() -> None:
    """A run resumed after its `[search.space]` entry was narrowed still proposes, inside the new
    range: the trials measured outside it are not shown to TPE."""
    from agentos.settings.space import SpaceEntry

    space = (SpaceEntry("settings.py:DEPTH", "int", 1, 10),)
    task = make_task(search=Search(space=space), budget=Budget(experiments=40))
    hist = [HistoryItem(id=e, parent="p0", commit=f"c{e}", status="discard",  # type: ignore[typeddict-item]
                        metric=float(e), description=f"DEPTH 3 -> {d} | tpe DEPTH={d}", reason="")
            for e, d in enumerate([1, 2, 12, 15] * 4, start=1)]
    files = {"settings.py": "DEPTH = 3  # range: 1..20\n"}
    provider = get_provider("heuristic:tpe", task)
    for e in range(17, 25):
        p = provider.propose(request(e, history=hist, task=task, files=files))
        assert 1 <= int(str(values(p.components)["DEPTH"])) <= 10
    dims = heuristic_tpe.dimensions(find_all(files, space))
    assert [p for p, _ in heuristic_tpe.measured_trials(dims, heuristic_tpe.observed(
        request(17, history=hist, task=task, files=files)))] == [{"DEPTH": 1}, {"DEPTH": 2}]


def test_a_run_that_keeps_nothing_does_not_grow_an_unbounded_setting_with_each_discard() -> None:
    """Nothing beats the start: the unbounded settings' grown bounds stay centred on their own
    values (GROW times them at most), instead of following the least bad failure upward."""
    task = make_task(budget=Budget(experiments=15))
    provider = get_provider("heuristic", task)
    text = "N_POINTS = 600\nLOG_EVERY = 5\nLR = 0.05  # between 1e-4 and 1\nLAYERS = 1  # 1-3\n"
    start: Point = {"commit": "p0", "metric": 1.0}
    hist: list[HistoryItem] = []
    proposed = []
    for e in range(1, 16):
        p = provider.propose(request(e, seed=1, history=list(hist), trials=list(hist), task=task,
                                     files={"settings.py": text}, best=start, baseline=start))
        proposed.append(values(p.components))
        hist.append(HistoryItem(id=e, parent="p0", commit=f"c{e}", status="discard",  # type: ignore[typeddict-item]
                                metric=2.0 + e / 100, description=p.description, reason=""))
    assert max(int(str(v["N_POINTS"])) for v in proposed) <= 600 * 4
    assert max(int(str(v["LOG_EVERY"])) for v in proposed) <= 5 * 4 + 4


@pytest.mark.parametrize("mode", ["tpe", "hybrid", "mutate"])
def test_a_float_near_its_bound_is_written_inside_the_range_and_shown_as_it_is(mode: str) -> None:
    """A cooling factor in 0.9..0.99999 (at 0.99999): rounded to four digits, 0.99996 would be
    written as 1.0 (no cooling at all) and the baseline shown as 1."""
    text = "COOLING = 0.99999  # range: 0.9..0.99999\nT0 = 0.2  # range: 0.01..1\n"
    task = make_task(budget=Budget(experiments=40))
    provider = get_provider(f"heuristic:{mode}", task)
    hist: list[HistoryItem] = []
    for e in range(1, 31):
        p = provider.propose(request(e, seed=e, history=list(hist), task=task,
                                     files={"settings.py": text}))
        cooling = float(values(p.components)["COOLING"])
        assert 0.9 <= cooling <= 0.99999, (mode, e, p.description)
        if "COOLING " in p.description.split(" | ")[0]:  # the baseline's value as it is
            assert "COOLING 0.99999 -> " in p.description, p.description
        hist.append(HistoryItem(id=e, parent="p0", commit=f"c{e}", status="discard",  # type: ignore[typeddict-item]
                                metric=float(e), description=p.description, reason=""))


def test_a_small_budget_cuts_the_random_start_up_to_a_third_of_it() -> None:
    """With a budget of 10 and the profile's start-up of 12, every experiment would be a random
    draw of every setting at once; the start-up is cut to a third of the budget (at least 2)."""
    small = heuristic_tpe.sampler_for(request(task=make_task(budget=Budget(experiments=10))))
    assert small.startup == 3
    assert heuristic_tpe.sampler_for(request(task=make_task(budget=Budget(experiments=4)))
                                     ).startup == 2
    large = heuristic_tpe.sampler_for(request(task=make_task(budget=Budget(experiments=60))))
    assert large.startup == 12  # the profile's own
    # and a hybrid run of 10 refines the parent before its last experiments
    task = make_task(budget=Budget(experiments=10))
    provider = get_provider("heuristic", task)
    hist: list[HistoryItem] = []
    for e in range(1, 11):
        p = provider.propose(request(e, seed=5, history=list(hist), task=task))
        hist.append(HistoryItem(id=e, parent="p0", commit=f"c{e}", status="discard",  # type: ignore[typeddict-item]
                                metric=float(e), description=p.description, reason=""))
    assert any(" | local " in h["description"] for h in hist[3:]), [h["description"] for h in hist]
