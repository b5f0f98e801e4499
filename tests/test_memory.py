"""The run's memory: the digest of everything tried that a proposer sees beyond its horizon, the
heuristic's refusal to repeat a measured change, and the digest in the Claude prompt."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import quickstart_copy

from agentos import runner
from agentos.memory import (
    DIFF_CHARS,
    REMEASURE,
    digest,
    gated_off,
    idea_of,
    kept_diff,
    measured,
)
from agentos.profile import Memory, Profile
from agentos.providers.base import NothingToPropose, ProposeRequest, get_provider
from agentos.providers.heuristic.mutate import propose_settings
from agentos.providers.llm.fake_api import FakeMessagesAPI, propose_call, review_call
from agentos.providers.llm.prompts import propose_prompt
from agentos.state import HistoryItem, Status
from agentos.status import run_status
from agentos.task import MetricSpec, Task


def item(i: int, description: str, status: Status = "discard", metric: float | None = 1.0,
         reason: str = "", parent: str = "p0", diff: str = "",
         vetoed: bool = False) -> HistoryItem:
    out = HistoryItem(id=i, parent=parent, commit=f"c{i}", status=status, metric=metric,
                      description=description, reason=reason)
    if diff:
        out["diff"] = diff
    if vetoed:  # as `decide` marks a vetoed experiment
        out["vetoed"] = True
    return out


TRIALS = [
    item(1, "LR 0.1 -> 0.05 | tpe LR=0.05 DEPTH=2", "keep", 0.5),
    item(2, "DEPTH 2 -> 3 | tpe LR=0.05 DEPTH=3", "discard", 0.7),
    item(3, "LR 0.05 -> 0.02 | tpe LR=0.02 DEPTH=2", "discard", 0.4),
    item(4, "Rewrite the loss to use label smoothing", "crash", None, "exit code 1: NaN loss"),
    item(5, "DEPTH 2 -> 4, LR 0.05 -> 0.01", "discard", None, "vetoed: an acceptance check",
         vetoed=True),
]


def task(memory: Memory | None = None, goal: str = "max") -> Task:
    return Task(root=Path("/r"), path=Path("/r/agentos.toml"), name="t", editable=("s.py",),
                protected=(), metric=MetricSpec(("python", "e.py"), goal, regex="s: (.*)"),  # type: ignore[arg-type]
                profile=Profile(memory=memory or Memory()))


def test_ideas_are_the_settings_changed_or_the_first_words() -> None:
    assert idea_of(TRIALS[0]["description"]) == "LR"
    assert idea_of(TRIALS[4]["description"]) == "DEPTH, LR"
    assert idea_of(TRIALS[3]["description"]) == "rewrite the loss to use"


def test_the_grouped_digest_has_outcomes_best_and_why_refused() -> None:
    text = digest(TRIALS, Memory("grouped", 12), goal="max")
    lines = text.splitlines()
    assert lines[0] == "Everything tried in this run: 5 experiments, 4 ideas:"
    lr = next(line for line in lines if line.startswith("- LR:"))
    assert "tried 2x (discard 1, keep 1)" in lr and "best 0.5 (#1)" in lr
    assert "best 0.4 (#3)" in digest(TRIALS, Memory(), goal="min")
    crash = next(line for line in lines if line.startswith("- rewrite"))
    assert "last refused #4 crash: exit code 1: NaN loss" in crash
    assert "last refused #5 discard: vetoed" in lines[-1]  # the most recent idea is last


def test_size_keeps_the_most_recent_and_off_is_empty() -> None:
    text = digest(TRIALS, Memory("grouped", 2))
    assert "(the 2 most recent shown)" in text and len(text.splitlines()) == 3
    listed = digest(TRIALS, Memory("list", 3)).splitlines()
    assert [line.split()[1] for line in listed[1:]] == ["#3", "#4", "#5"]
    assert "(exit code 1: NaN loss)" in listed[2]
    assert digest(TRIALS, Memory("off", 12)) == "" == digest(TRIALS, Memory("grouped", 0))
    assert digest([], Memory()) == ""


def test_a_refused_joint_move_blames_each_of_its_settings_in_part() -> None:
    """Two refused moves of five settings at once (a TPE start-up on chardet's ratios, refused by
    its tests) rule out none of the five; two refused moves of one setting alone rule it out; a
    setting that was ever measured is never ruled out."""
    joint = "A 1 -> 2, B 1 -> 2, C 1 -> 2, D 1 -> 2, E 1 -> 2 | tpe"
    trials = [item(1, joint, "rejected", None), item(2, joint, "rejected", None)]
    assert gated_off(trials) == frozenset()
    trials += [item(3, "A 1 -> 3", "rejected", None), item(4, "A 1 -> 0.5", "rejected", None)]
    assert gated_off(trials) == {"A"}  # 2.4 refusals' worth, all of them refused
    trials += [item(5, "B 1 -> 3", "rejected", None), item(6, "B 1 -> 4", "discard", 0.3)]
    assert "B" not in gated_off(trials)  # one change of B got through the gates


def test_a_measured_change_is_known_by_parent_and_a_remeasure_is_the_same_change() -> None:
    trials = [item(1, "FLAG True -> False"), item(2, f"{REMEASURE} FLAG True -> False")]
    assert measured(trials, "p0") == {"FLAG True -> False"}
    assert measured(trials, "other") == set()


def test_the_heuristic_never_repeats_a_change_measured_beyond_its_horizon() -> None:
    files = {"s.py": "FLAG = True\n"}
    others = [item(i, f"other {i}", parent="p9") for i in range(2, 12)]
    old = [item(1, "FLAG True -> False"), *others]
    request = ProposeRequest(task=task(), experiment=12, parent="p0", files=files,
                             history=old[-8:], trials=old)
    with pytest.raises(NothingToPropose, match="tried already"):
        propose_settings(request)
    elsewhere = ProposeRequest(task=task(), experiment=12, parent="p9", files=files,
                               history=old[-8:], trials=old)
    assert propose_settings(elsewhere).description == "FLAG True -> False"


@pytest.mark.parametrize("mode", ["hybrid", "tpe"])
def test_the_model_based_modes_never_propose_a_measured_configuration(mode: str) -> None:
    """TPE and the hybrid's local moves learn from every trial of the run, not the horizon's
    window, and never propose a configuration it measured: 24 proposals on a small space (a
    bool, three choices and an int of 1..6: 36 configurations) are 24 different ones, those made
    by typed mutation once TPE draws only measured ones included."""
    files = {"s.py": 'FLAG = True\nACT = "relu"  # choices: relu|gelu|tanh\nN = 3  # range: 1..6\n'}
    t = task(goal="min")
    provider = get_provider(f"heuristic:{mode}", t)
    trials: list[HistoryItem] = []
    configurations = []
    for e in range(1, 25):
        proposal = provider.propose(ProposeRequest(task=t, experiment=e, parent="p0",
                                                   files=files, history=trials[-8:],
                                                   trials=list(trials), seed=1))
        assert " | tpe " in proposal.description, (e, proposal.description)
        configurations.append(proposal.description.split(" | tpe ", 1)[1])
        trials.append(item(e, proposal.description, metric=float(e % 7)))
    assert len(set(configurations)) == 24
    assert "FLAG=True ACT=relu N=3" not in configurations  # nor the parent itself


def test_the_claude_prompt_shows_the_digest_in_the_profiles_form() -> None:
    def prompt(memory: Memory) -> str:
        request = ProposeRequest(task=task(memory), experiment=6, parent="p0",
                                 files={"s.py": "LR = 0.1\n"}, history=TRIALS[-2:], trials=TRIALS)
        _, messages = propose_prompt(request)
        content = messages[0]["content"]
        assert not isinstance(content, str)
        return "\n".join(str(block.get("text", "")) for block in content)  # type: ignore[union-attr]

    grouped = prompt(Memory())
    assert "The run's memory" in grouped and "- LR: tried 2x" in grouped and REMEASURE in grouped
    assert "- #1 keep 0.5: LR 0.1 -> 0.05" in prompt(Memory("list", 12))
    assert "The run's memory" not in prompt(Memory("off", 12))


def test_the_loop_refuses_a_repeat_unless_it_is_a_remeasure(tmp_path: Path) -> None:
    repo = quickstart_copy(tmp_path / "q")
    deeper = (repo / "settings.py").read_text().replace("DEPTH = 1 ", "DEPTH = 8 ")
    review = {"type": "review", "checks": [{"name": "ok", "passed": True, "reason": "fine"}]}
    lines = [
        {"type": "proposal", "description": "deeper", "components": {"settings.py": deeper}},
        review,
        {"type": "proposal", "description": "deeper again", "components": {"settings.py": deeper}},
        {"type": "proposal", "description": f"{REMEASURE} deeper, once more to be sure",
         "components": {"settings.py": deeper}},
        review,
    ]
    script = tmp_path / "repeat.jsonl"
    script.write_text("".join(json.dumps(line) + "\n" for line in lines))
    runner.run(repo, runner.Overrides(budget=2, sandbox="local", provider=f"script:{script}"))
    rows = run_status(repo)["experiments"]
    assert [(r["description"], r["status"]) for r in rows] == [
        ("deeper", "discard"), (f"{REMEASURE} deeper, once more to be sure", "discard")]
    assert rows[0]["parent"] == rows[1]["parent"]


DIFF = "--- a/s.py\n+++ b/s.py\n@@ -1 +1 @@\n-LR = 0.1\n+LR = 0.9\n"


def test_the_digest_quotes_the_latest_failed_diffs_bounded() -> None:
    failed = [
        item(1, "LR 0.1 -> 0.9", "discard", 0.2, diff=DIFF),
        item(2, "LR 0.1 -> 0.05", "keep", 0.5),  # kept: no diff kept (it is the incumbent)
        item(3, "DEPTH 2 -> 9", "rejected", None, "gate ruff: F401",
             diff=DIFF.replace("LR = 0.9", "DEPTH = 9")),
        item(4, "WIDTH 8 -> 64", "discard", 0.1, diff=DIFF.replace("LR = 0.9", "W = 64")),
    ]
    text = digest(failed, Memory("grouped", 12, 2))
    assert "The diffs of the 2 latest experiments not kept, latest last:" in text
    assert "#3 rejected (gate ruff: F401): DEPTH 2 -> 9\n" in text and "+DEPTH = 9" in text
    assert text.rstrip().endswith("+W = 64") and "+LR = 0.9" not in text  # only the latest 2
    assert "+LR = 0.9" in digest(failed, Memory("list", 12, 3))
    assert "diffs of" not in digest(failed, Memory("grouped", 12, 0))
    assert digest(failed, Memory("off", 12, 3)) == ""


def test_a_failed_diff_is_kept_cut_and_a_kept_one_not_at_all() -> None:
    long = "".join(f"+LINE_{i} = {i}\n" for i in range(200))
    cut = kept_diff("discard", long)
    assert cut is not None and len(cut) <= DIFF_CHARS + 20 and cut.endswith("... (diff cut)")
    assert kept_diff("keep", DIFF) is None and kept_diff("rejected", "") is None
    assert kept_diff("crash", DIFF) == DIFF


def test_the_loop_keeps_failed_diffs_for_the_proposer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = quickstart_copy(tmp_path / "q")
    text = (repo / "settings.py").read_text()

    def edit(old: str, new: str) -> list[dict[str, str]]:
        assert old in text
        return [{"path": "settings.py", "search": old, "replace": new}]

    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    with FakeMessagesAPI() as fake:
        fake.enqueue(
            propose_call("dropout up", edit("DROPOUT = 0.6", "DROPOUT = 0.9")), review_call(),
            propose_call("depth as code", edit("DEPTH = 1 ", "DEPTH = int('2') ")),  # gate fails
            propose_call("width", edit("WIDTH = 16 ", "WIDTH = 4 ")), review_call(),
        )
        monkeypatch.setenv("ANTHROPIC_BASE_URL", fake.base_url)
        runner.run(repo, runner.Overrides(budget=3, sandbox="local", provider="anthropic"))
        prompts = [json.dumps(r.body["messages"]) for r in fake.message_requests
                   if r.body["tool_choice"]["name"] == "propose"]
    statuses = [e["status"] for e in run_status(repo)["experiments"]]
    assert statuses[:2] == ["discard", "rejected"], statuses
    assert "diffs of the" not in prompts[0]  # nothing tried yet
    third = json.loads(prompts[2])[0]["content"][-1]["text"]
    assert "The diffs of the 2 latest experiments not kept" in third
    assert "+DROPOUT = 0.9" in third and "+DEPTH = int('2')" in third


def test_after_refused_joint_moves_the_hybrid_moves_one_setting_at_a_time() -> None:
    """Five hinted settings whose joint TPE draws the gates refused twice (tests pinning a
    library's behaviour): most next proposals change one or two of them, where TPE's start-up
    would have changed all five, and each still carries its configuration for TPE."""
    from agentos.providers.heuristic.tpe import joint_refused, propose_tpe

    files = {"s.py": "".join(f"{n} = 0.5  # range: 0..1\n" for n in "ABCDE")}
    joint = ", ".join(f"{n} 0.5 -> 0.{i}" for i, n in enumerate("ABCDE", 1))
    config = " ".join(f"{n}=0.{i}" for i, n in enumerate("ABCDE", 1))
    refused = [item(i, f"{joint} | tpe {config}{i}", "rejected", None) for i in (1, 2)]

    def changes(history: list[HistoryItem], experiment: int) -> int:
        request = ProposeRequest(task=task(), experiment=experiment, parent="p0", files=files,
                                 history=history, trials=history)
        proposal = propose_tpe(request, hybrid=True)
        assert " | tpe " in proposal.description
        return len(proposal.description.split(" | ")[0].split(", "))

    before = [changes([], e) for e in range(3, 13)]
    after = [changes(refused, e) for e in range(3, 13)]
    assert min(before) == 5, before  # the start-up draws every setting
    assert sum(n <= 2 for n in after) >= 6, after
    # a narrow move that passes the gates says nothing of the wide draws; a wide one does
    narrow = item(3, "A 0.5 -> 0.4, B 0.5 -> 0.6 | tpe A=0.4 B=0.6 C=0.5 D=0.5 E=0.5")
    assert joint_refused([*refused, narrow])
    assert not joint_refused([*refused, item(4, f"{joint} | tpe {config}9")])
