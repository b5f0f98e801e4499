"""The search profile: the shipped file is today's defaults, a task may name another, the task's
own keys override it, and a bad profile is one line naming the file and the fix."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
from helpers import ACCEPT_IMPORT_RISK, ROOT, git, quickstart_copy

from agentos import runner
from agentos.errors import UserError
from agentos.ledger import Ledger
from agentos.profile import (
    _SCHEMA,
    DEFAULT_PATH,
    UNSEARCHED,
    Memory,
    Profile,
    Sampler,
    configure,
    load_profile,
    parse_profile,
)
from agentos.providers.base import ProposeRequest, get_provider
from agentos.settings import find_settings
from agentos.state import HistoryItem
from agentos.status import run_status
from agentos.strategies import get_strategy
from agentos.task import Budget, MetricSpec, Task, load_task

LOCAL = runner.Overrides(sandbox="local", budget=6)

def _with_search(repo: Path, lines: str, files: dict[str, str] | None = None) -> Path:
    toml = (repo / "agentos.toml").read_text().replace("[search]\n", f"[search]\n{lines}\n", 1)
    (repo / "agentos.toml").write_text(toml)
    for name, text in (files or {}).items():
        (repo / name).write_text(text)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "profile")
    return repo

def test_the_shipped_file_holds_the_built_in_defaults() -> None:
    shipped = load_profile()
    assert dataclasses.replace(shipped, path="") == Profile()
    assert shipped.path == str(DEFAULT_PATH)

def test_a_run_with_the_default_profile_equals_one_without(tmp_path: Path) -> None:
    plain = quickstart_copy(tmp_path / "plain")
    named = _with_search(
        quickstart_copy(tmp_path / "named"), 'profile = "search.toml"',
        {"search.toml": DEFAULT_PATH.read_text()},
    )
    assert load_task(named).profile.path.endswith("search.toml")
    rows = []
    for repo in (plain, named):
        runner.run(repo, LOCAL)
        rows.append([(e["description"], e["status"], e["metric"])
                     for e in run_status(repo)["experiments"]])
    assert len(rows[0]) == 6
    assert rows[0] == rows[1]

def test_a_profile_sets_the_search_and_the_task_overrides_it(tmp_path: Path) -> None:
    profile = DEFAULT_PATH.read_text().replace('strategy = "greedy"', 'strategy = "restarts"')
    profile = profile.replace('mode = "hybrid"', 'mode = "mutate"')
    profile = profile.replace("credit_horizon = 8", "credit_horizon = 3")
    profile = profile.replace("patience = 0", "patience = 2")
    repo = quickstart_copy(tmp_path / "q")
    toml = (repo / "agentos.toml").read_text()
    (repo / "agentos.toml").write_text(toml.replace('strategy = "greedy"\n', ""))  # the profile's
    _with_search(repo, 'profile = "p.toml"', {"p.toml": profile})
    task = load_task(repo)
    assert task.search.strategy == "restarts"
    assert (task.credit_horizon, task.profile.mode) == (3, "mutate")
    assert task.search.noise_reruns == 3
    assert get_provider("heuristic", task).mode == "mutate"  # type: ignore[attr-defined]
    strategy = configure(get_strategy(task.search.strategy), task.profile)
    assert strategy.patience == 2
    assert type(strategy).patience == 5  # the class default is left alone
    summary = runner.run(repo, LOCAL)
    descriptions = [e["description"] for e in run_status(repo)["experiments"]]
    assert summary.experiments == 6
    assert not any("| tpe" in d for d in descriptions)  # mutate mode, not the default hybrid

    _with_search(repo, 'strategy = "anneal"\nnoise_reruns = 1')  # the task's own keys win
    task = load_task(repo)
    assert (task.search.strategy, task.search.noise_reruns) == ("anneal", 1)

@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[search]\nstrategy = "strategies/mine.py"\n', "names no file"),
        ('[memory]\nform = "file:optima.json"\n', "names no file"),
        ('[search]\nstart = "optima.json"\n', "unknown key 'start'"),
        ("[answers]\nx = 1\n", "unknown table [answers]"),
        ("[proposer]\ncredit_horizon = -1\n", "not an integer in 0..1000"),
        ("[proposer]\nlocal_sigma = 0.9\n", "not a number in 0.001..0.5"),
        ('[proposer]\nlocal_end = "0.5"\n', "not a number in 0..1"),
        ("[proposer]\nmultivariate = 1\n", "not true or false"),
        ("[proposer]\nstartup = 2.5\n", "not an integer in 1..100"),
        ("[search\n", "not valid TOML"),
    ],
)
def test_a_bad_profile_is_one_line_naming_the_file(text: str, message: str) -> None:
    with pytest.raises(UserError) as info:
        parse_profile(text, path="p.toml")
    assert str(info.value).startswith("p.toml: ") and message in str(info.value)
    assert "fix:" in str(info.value) and "\n" not in str(info.value)

def test_a_missing_profile_is_a_user_error(tmp_path: Path) -> None:
    repo = _with_search(quickstart_copy(tmp_path / "q"), 'profile = "nowhere.toml"')
    with pytest.raises(UserError, match=r"nowhere\.toml: cannot read the search profile"):
        load_task(repo)

def test_memory_defaults() -> None:
    assert Profile().memory == Memory("grouped", 12, 3)
    assert parse_profile("[memory]\nform = \"off\"\nsize = 0\n").memory == Memory("off", 0)
    assert parse_profile("[memory]\ndiffs = 0\n").memory == Memory("grouped", 12, 0)
    with pytest.raises(UserError, match=r"\[memory\] diffs = 51 is not an integer in 0..50"):
        parse_profile("[memory]\ndiffs = 51\n")


def test_every_key_of_the_shipped_profile_is_in_the_search_space_self_tune_reads() -> None:
    """The heuristic proposer that tunes a profile sees every key as a setting it may change:
    strings among their choices, numbers within both bounds of their range (the schema's)."""
    found = {st.name: st for st in find_settings("profile.toml", DEFAULT_PATH.read_text())}
    rules = {f"{table}.{key}": rule for table, keys in _SCHEMA.items()
             for key, rule in keys.items()}
    assert set(found) == set(rules)
    for name, st in found.items():
        assert st.mutable == (name not in UNSEARCHED), name
        rule = rules[name]
        if st.kind == "str":
            assert set(st.hint.choices) == set(rule), name
        elif st.kind in ("int", "float"):
            assert st.hint.low is not None and st.hint.high is not None, name
            low, high = float(rule[1]), float(rule[2])
            assert low <= st.hint.low < st.hint.high <= high, name


def _hybrid_run(profile: Profile, experiments: int = 20) -> list[str]:
    """The heuristic provider's proposals on two hinted settings (loss |DEPTH - 5| + |WARMUP -
    0.3|), with `profile` as the task's search profile, the first `experiments` of a budget of
    three times as many (so the profile's start-up is not cut to a third of the budget)."""
    task = Task(root=Path("/repo"), path=Path("/repo/agentos.toml"), name="t",
                editable=("settings.py",), protected=("evaluate.py",),
                metric=MetricSpec(("python", "evaluate.py"), "min", regex=r"loss: (\S+)"),
                budget=Budget(experiments=3 * experiments), profile=profile)
    provider = get_provider("heuristic", task)
    files = {"settings.py": "DEPTH = 2  # range: 1..40\nWARMUP = 0.1  # range: 0..1\n"}
    history: list[HistoryItem] = []
    for e in range(1, experiments + 1):
        proposal = provider.propose(ProposeRequest(task=task, experiment=e, parent="p0",
                                                   files=files, history=list(history), seed=3))
        v = {st.name: st.value for st in find_settings("settings.py", proposal.components[
            "settings.py"])}
        loss = abs(float(v["DEPTH"]) - 5) + abs(float(v["WARMUP"]) - 0.3)
        history.append(HistoryItem(id=e, parent="p0", commit=f"c{e}", status="discard",
                                   metric=loss, description=proposal.description, reason=""))
    return [h["description"] for h in history]


def test_the_proposers_search_settings_come_from_the_profile() -> None:
    """TPE's start-up, the hybrid mode's local share and first step, and TPE's sampler are read
    from the task's profile, not fixed in the code."""
    default, startup = _hybrid_run(Profile()), Profile().sampler.startup
    assert not any(" | local step " in d for d in default[:startup])
    early = parse_profile("[proposer]\nstartup = 4\nlocal_start = 1\nlocal_end = 1.0\n"
                          "local_sigma = 0.2\n")
    assert early.sampler == Sampler(startup=4, local_start=1.0, local_end=1.0, local_sigma=0.2)
    early_run = _hybrid_run(early)
    local = [" | local step " in d or " | hop " in d for d in early_run]  # either local move
    assert local == [False] * 4 + [True] * 16  # local from the fifth proposal on, every one
    first = next(d for d in early_run if " | local step " in d)
    assert " | local step 0.2 | " in first  # its first step is the profile's
    never = _hybrid_run(Profile(sampler=Sampler(local_start=0.0, local_end=0.0)))
    assert not any(" | local step " in d for d in never)
    assert never[:startup] == default[:startup]  # TPE's start-up proposals are the same
    # after the start-up TPE samples from its model, which the profile's sampler settings shape
    independent = _hybrid_run(Profile(sampler=Sampler(local_start=0.0, local_end=0.0,
                                                      multivariate=False)))
    wide = _hybrid_run(Profile(sampler=Sampler(local_start=0.0, local_end=0.0, candidates=128)))
    assert independent[:startup] == wide[:startup] == never[:startup]
    assert independent[startup:] != never[startup:] and wide[startup:] != never[startup:]


# Every measurement after the baseline's four is a little ahead, in noise of the same size: the
# noise rule is unsure of every candidate and asks for re-measures.
UNSURE = """import os
import settings
calls = {calls!r}
n = len(open(calls).read().split()) if os.path.exists(calls) else 0
with open(calls, "a") as fh:
    fh.write("x\\n")
print(f"score: {{(n % 2) + (0.6 if n >= 4 else 0.0)}}")
"""


def _unsure_run(repo_factory: Any, tmp: Path, name: str, share: str,
                max_measures: int = 18) -> tuple[int, list[Any]]:
    """The re-measure runs of a run whose every candidate the noise rule is unsure of, and its
    experiment rows (the screen off: the shipped one discards these gains unmeasured)."""
    profile = DEFAULT_PATH.read_text().replace("remeasure_share = 1.0",
                                               f"remeasure_share = {share}")
    profile = profile.replace("screen = 3.0", "screen = 0.0")
    profile = profile.replace("max_measures = 18", f"max_measures = {max_measures}")
    calls = str(tmp / f"{name}-calls.txt")
    repo = repo_factory({
        "settings.py": "X = 10.0  # range: 0..100\n", "evaluate.py": UNSURE.format(calls=calls),
        "p.toml": profile,
        "agentos.toml": '[task]\neditable=["settings.py"]\nprotected=["evaluate.py", "p.toml"]\n'
        f"{ACCEPT_IMPORT_RISK}\n"
        '[metric]\ncommand="python evaluate.py"\nregex="^score: (\\\\S+)$"\ngoal="max"\n'
        '[budget]\nexperiments=8\n[search]\nprofile="p.toml"\n[sandbox]\nbackend="local"\n',
    }, name)
    assert load_task(repo).profile.remeasure_share == float(share)
    summary = runner.run(repo)
    rows = [r for r in Ledger(repo / ".agentos" / "ledger.db").rows() if r["kind"] == "experiment"]
    return summary.remeasures, rows


def test_the_remeasure_share_bounds_the_budget_paired_re_measures_take(
    repo_factory: Any, tmp_path: Path
) -> None:
    free_runs, free = _unsure_run(repo_factory, tmp_path, "free", "1.0")
    capped_runs, capped = _unsure_run(repo_factory, tmp_path, "capped", "0.25")  # 2 runs of 8
    assert free_runs > 2  # the premise: unbounded, the rule re-measures more
    assert capped_runs == 2
    spent = [r for r in capped if "re-measure share of the budget is spent" in (r["reason"] or "")]
    assert spent and all(r["status"] == "discard" for r in spent)
    assert len(capped) > len(free)  # the runs the share saved went to more candidates


def test_the_inner_runner_honours_the_remeasure_share() -> None:
    from agentos.selftune import load_suite, run_profile

    suite = load_suite(ROOT / "benchmarks" / "selftune" / "suite.toml")
    noisy = suite.problem("mixed~0.08")
    unscreened = dataclasses.replace(load_profile(), screen=0.0)  # every unsure gain re-measured
    free = run_profile(noisy, unscreened, 0, 40)
    capped = run_profile(noisy, dataclasses.replace(unscreened, remeasure_share=0.2), 0, 40)
    none = run_profile(noisy, dataclasses.replace(unscreened, remeasure_share=0.0), 0, 40)
    assert free.remeasured > 8  # the premise: the shipped share lets it re-measure more
    assert 0 < capped.remeasured <= 0.2 * (40 - 1 - 3)  # of the experiment budget
    assert none.remeasured == 0
    assert none.proposals > capped.proposals > free.proposals  # runs saved went to proposals


def test_max_measures_caps_the_measurements_of_one_candidate(
    repo_factory: Any, tmp_path: Path
) -> None:
    _, free = _unsure_run(repo_factory, tmp_path, "free", "1.0")
    _, capped = _unsure_run(repo_factory, tmp_path, "capped", "1.0", max_measures=3)
    assert max(len(json.loads(r["samples"])) for r in free if r["samples"]) > 3  # the premise
    measured = [r for r in capped if r["samples"]]
    assert measured and all(len(json.loads(r["samples"])) <= 3 for r in measured)
    undecided = [r for r in capped if "still unsure after 3 measurements" in (r["reason"] or "")]
    assert undecided and all(r["status"] == "discard" for r in undecided)
    assert len(capped) > len(free)  # the runs the cap saved went to more candidates


def test_the_inner_runner_honours_max_measures() -> None:
    from agentos.selftune import load_suite, run_profile

    suite = load_suite(ROOT / "benchmarks" / "selftune" / "suite.toml")
    noisy = suite.problem("mixed~0.08")
    unscreened = dataclasses.replace(load_profile(), screen=0.0)  # every unsure gain re-measured
    free = run_profile(noisy, unscreened, 0, 40)
    capped = run_profile(noisy, dataclasses.replace(unscreened, max_measures=2), 0, 40)
    assert capped.remeasured <= 2 * capped.proposals  # one pass (a pair of runs) at most
    assert free.remeasured > capped.remeasured and capped.proposals > free.proposals
