"""The search profile: the shipped file is today's defaults, a task may name another, the task's
own keys override it, and a bad profile is one line naming the file and the fix."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from helpers import git, quickstart_copy

from agentos import runner
from agentos.errors import UserError
from agentos.profile import DEFAULT_PATH, Memory, Profile, configure, load_profile, parse_profile
from agentos.providers.base import get_provider
from agentos.status import run_status
from agentos.strategies import get_strategy
from agentos.task import load_task

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
