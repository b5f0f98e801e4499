"""`agentos self-tune` end to end on a small suite: an ordinary run whose editable file is the
search profile and whose evaluator the installed agentos runs in the sandbox; held-out vetoes;
the sealed test is read at the end; and every attempt to game the evaluator is refused with its
reason."""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import ROOT, agentos_cli

from agentos.errors import UserError
from agentos.evaluate import Evaluation
from agentos.ledger import Ledger
from agentos.profile import _SCHEMA, DEFAULT_PATH, UNSEARCHED, load_profile, parse_profile
from agentos.selftune import (
    digest_of,
    load_suite,
    mean_ci,
    run_profile,
    self_tune,
)
from agentos.selftune.command import outer_profile
from agentos.selftune.evaluator import HeldOut
from agentos.selftune.inner import main as inner_main
from agentos.selftune.inner import runs, score, scores
from agentos.status import run_status
from agentos.task import load_task

PROBLEMS = ROOT / "benchmarks" / "landscapes" / "problems.py"


def small_suite(folder: Path, **over: object) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(PROBLEMS, folder / "problems.py")
    keys: dict[str, object] = dict(problems="problems.py", budget=8, seeds=[0], test_seeds=3,
                                   train=["smooth"], holdout=["valley"], test=["deceptive"])
    keys.update(over)
    (folder / "suite.toml").write_text(
        "[suite]\n" + "".join(f"{k} = {json.dumps(v)}\n" for k, v in keys.items())
    )
    return folder / "suite.toml"


def test_a_profile_run_gains_toward_the_known_optimum(tmp_path: Path) -> None:
    suite = load_suite(small_suite(tmp_path))
    run = run_profile(suite.problem("smooth"), load_profile(), 0, 16)
    assert 0.5 < run.gain <= 1.0 and run.keeps > 0 and run.false_keeps == 0
    assert run.score == run.gain  # no noise: no false keep
    assert run_profile(suite.problem("smooth"), load_profile(), 0, 16) == run  # deterministic


def test_inner_runs_in_worker_processes_give_the_same_results_in_order(tmp_path: Path) -> None:
    suite = load_suite(small_suite(tmp_path, train=["smooth", "mixed~0.08"], seeds=[0, 1, 2]))
    pairs = [(name, seed) for name in suite.splits["train"] for seed in suite.seeds]
    one_by_one = runs(suite, load_profile(), pairs, jobs=1)
    assert runs(suite, load_profile(), pairs, jobs=3) == one_by_one
    assert len({r.gain for r in one_by_one}) > 1  # the order is a real one to keep
    assert score(suite, load_profile(), "train", jobs=2) == score(suite, load_profile(), "train",
                                                                jobs=1)
    # the metric command's splits in one pool of workers: each split's figures as alone
    both = scores(suite, load_profile(), ("train", "holdout"), draw=2, jobs=2)
    assert both == (score(suite, load_profile(), "train", draw=2, jobs=1)
                    | score(suite, load_profile(), "holdout", draw=2, jobs=1))


def test_the_inner_command_loads_neither_the_runner_nor_scipy_stats(tmp_path: Path) -> None:
    """Every outer measurement starts `python -m agentos.selftune.inner` afresh: the runner
    (LangGraph, the ledger) and scipy.stats would take it seconds to load, and it uses neither."""
    suite = small_suite(tmp_path, train=["smooth~3"], seeds=[1], budget=16)
    measure = ("import sys; from agentos.profile import load_profile; "
               "from agentos.selftune.inner import score; from agentos.selftune.suite import "
               f"load_suite; score(load_suite({str(suite)!r}), load_profile(), 'train', jobs=1); "
               "print(*[m for m in ('langgraph', 'agentos.runner', 'scipy.stats', "
               "'agentos.strategies.noise') if m in sys.modules])")
    done = subprocess.run([sys.executable, "-c", measure], capture_output=True, text=True,
                          check=True)
    assert done.stdout.split() == ["agentos.strategies.noise"]  # the noise rule ran


def test_a_run_that_keeps_noise_scores_at_most_zero(tmp_path: Path) -> None:
    suite = load_suite(small_suite(tmp_path, train=["smooth~3"]))
    noisy = suite.problem("smooth~3")
    assert (noisy.name, noisy.noise, noisy.f_star) == ("smooth~3", 3.0, 0.0)
    trusting = dataclasses.replace(load_profile(), noise_reruns=0)  # no noise estimate
    run = run_profile(noisy, trusting, 1, 40)
    assert run.false_keeps > 0 and run.gain > 0.5 and run.score == 0.0
    careful = run_profile(noisy, load_profile(), 1, 40)  # the shipped re-runs
    assert careful.false_keeps == 0 and careful.score == careful.gain > 0.5
    with pytest.raises(UserError, match=r"'smooth~x': 'x' is not a noise standard deviation"):
        load_suite(small_suite(tmp_path / "bad", test=["smooth~x"]))


def test_an_edited_suite_is_refused_against_its_pin(tmp_path: Path) -> None:
    path = small_suite(tmp_path / "s")
    pin = digest_of(path)
    (tmp_path / "s" / "problems.py").write_text(PROBLEMS.read_text() + "\nF_STAR_LEAK = 0\n")
    with pytest.raises(UserError, match="does not match its pin"):
        load_suite(path, pin=pin)
    with pytest.raises(UserError, match="in both train and holdout"):
        load_suite(small_suite(tmp_path / "t", holdout=["smooth"]))


def test_the_command_refuses_a_bad_suite_in_one_line(tmp_path: Path) -> None:
    bad = small_suite(tmp_path / "s", test=["no-such-problem"])
    done = agentos_cli("self-tune", "--out", str(tmp_path / "out"), "--suite", str(bad))
    assert done.returncode == 2
    assert done.stderr.startswith(f"agentos: error: {bad}: [suite] test: no problem")
    assert len(done.stderr.strip().splitlines()) == 1 and "fix:" in done.stderr
    assert not (tmp_path / "out").exists()  # nothing written


def test_held_out_vetoes_a_keep_that_lowers_it() -> None:
    held = HeldOut()  # no commit measured twice yet: no noise estimate, any fall vetoes
    before, worse, better = (Evaluation(0.5, holdout={"holdout/all": h}) for h in (0.4, 0.3, 0.41))
    assert held.veto(before, worse) == "held-out gain fell from 0.4000 to 0.3000"
    assert held.veto(before, better) is None


def test_the_held_out_veto_compares_means_and_allows_for_the_noise() -> None:
    held = HeldOut()
    for value in (0.40, 0.44, 0.36, 0.40):  # the incumbent, measured four times: sd 0.033
        held.add("best", value)
    held.add("cand", 0.37)
    incumbent = Evaluation(0.5, holdout={"holdout/all": 0.44})  # one of its measurements
    candidate = Evaluation(0.6, holdout={"holdout/all": 0.37})
    assert held.runs(incumbent) == [0.40, 0.44, 0.36, 0.40]
    assert held.noise() == pytest.approx((0.03265986, 3))
    # 0.03 below the incumbent's mean: within the noise of one measurement against four
    assert held.veto(incumbent, candidate) is None
    for value in (0.30, 0.31, 0.29):  # re-measured: its mean falls beyond the noise
        held.add("cand", value)
    why = held.veto(incumbent, candidate)
    assert why is not None and why.startswith("held-out gain fell from 0.4000 to 0.3175 (means "
                                              "of 4 and 4 measurements), beyond the noise")
    assert held.veto(candidate, incumbent) is None  # a rise is never vetoed


def test_every_commit_k_th_measurement_runs_on_the_run_k_th_draw_and_a_resume_draws_on(
    tmp_path: Path,
) -> None:
    kept = tmp_path / "self-tune.json"
    held = HeldOut(kept)
    first = [held.draw("start") for _ in range(4)]  # the baseline and its three re-runs
    assert len(set(first)) == 4 and first == [first[0] + k for k in range(4)]
    assert [held.draw("screen"), held.draw("screen")] == first[:2]  # common random numbers
    held.add("start", 0.40)
    held.add("start", 0.44)
    resumed = HeldOut(kept)  # a killed run's evaluator, rebuilt
    assert resumed.draw("start") == first[0] + 4 and resumed.draw("other") == first[0]
    assert resumed.figures == {"start": [0.40, 0.44]} and resumed.noise() == held.noise()


def test_each_outer_measurement_runs_the_inner_tasks_on_fresh_seeds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = small_suite(tmp_path, seeds=[0, 1, 2], train=["smooth", "mixed"])
    suite = load_suite(path)
    blocks = [set(suite.seeds_of("train", n)) for n in (0, 1, 2)]
    assert all(len(b) == 3 for b in blocks) and not (blocks[0] & blocks[1] | blocks[1] & blocks[2])
    fixed_or_test = set(suite.seeds) | set(suite.test_seeds)
    assert not any(b & fixed_or_test for b in blocks)
    assert suite.seeds_of("holdout", 1) == suite.seeds_of("train", 1)
    assert suite.seeds_of("test", 1) == suite.test_seeds and suite.seeds_of("train") == (0, 1, 2)
    profile = tmp_path / "profile.toml"
    profile.write_text(DEFAULT_PATH.read_text())
    argv = ["--suite", str(path), "--pin", digest_of(path), "--profile", str(profile)]
    assert inner_main([*argv, "--draw", "7"]) == 0
    lines = dict(line.split(": ", 1) for line in capsys.readouterr().out.splitlines())
    seeds = suite.seeds_of("train", 7)
    assert lines["draw"] == f"7 (seeds {seeds[0]}..{seeds[-1]})"
    assert float(lines["train"]) == pytest.approx(
        score(suite, load_profile(), "train", draw=7)["train"], abs=1e-6)
    draws = {round(score(suite, load_profile(), "train", draw=n)["train"], 6) for n in range(4)}
    assert len(draws) > 1  # the seeds' luck is now the measurement's noise


def test_mean_ci_brackets_the_mean() -> None:
    mean, low, high = mean_ci([0.1, 0.2, 0.3, 0.2])
    assert mean == pytest.approx(0.2) and low < 0.2 < high
    assert high - low == pytest.approx(2 * 3.182446 * 0.0816497 / 2, rel=1e-4)  # t(0.975, 3)


def test_self_tune_is_an_ordinary_run_and_reads_the_sealed_test(tmp_path: Path) -> None:
    result = self_tune(tmp_path / "out", suite=small_suite(tmp_path / "suite"), budget=3)
    assert result.run.failure is None, result.run.failure
    assert result.run.experiments + result.run.remeasures == 3  # re-measures spend the budget
    status = run_status(result.repo)
    assert [e["id"] for e in status["experiments"]] == list(range(1, result.run.experiments + 1))
    assert {e["status"] for e in status["experiments"]} <= {"keep", "discard"}
    lines = dict(line.split(": ", 1) for line in result.lines())
    assert lines["test"].startswith("tuned ") and "(95% CI" in lines["test_gain_diff"]
    assert result.test_seeds == 3
    # the baseline was measured four times, each on its own draw of inner seeds: the outer run
    # estimates the noise of a profile's score as it does any noisy metric's
    row = Ledger(result.repo / ".agentos" / "ledger.db").find(result.run.run_id, 0)
    assert row is not None and len(json.loads(row["samples"])) == 4
    assert len(set(json.loads(row["samples"]))) > 1
    # the outer ledger holds the held-out figure, never shown in the details
    assert all("holdout" not in k for e in status["experiments"] for k in e.get("details") or {})
    assert (result.repo / "tuned-profile.toml").read_text() == result.tuned
    # the outer run searches with its own profile: TPE's start-up a sixth of its budget (at
    # least 3), local moves from half the proposals; it is not editable
    outer = load_task(result.repo)
    assert outer.profile.path.endswith("outer-profile.toml")
    assert outer.profile.sampler.startup == 3 and outer.profile.sampler.local_start == 0.5
    assert not outer.is_editable("outer-profile.toml")
    assert parse_profile(outer_profile(60)).sampler.startup == 10
    # a screen point on a key no inner run reads (the heuristic proposer reads no memory key)
    # measures what the baseline measured on the same draws: the luck is common to both
    baseline = json.loads(row["samples"])
    points = [Ledger(result.repo / ".agentos" / "ledger.db").find(result.run.run_id, e["id"])
              for e in status["experiments"] if "| design screen memory." in e["description"]]
    assert points and all(p is not None for p in points)
    for point in points:
        assert point is not None
        samples = json.loads(point["samples"])
        assert samples == baseline[:len(samples)]
    # its proposals start with a screen: each key alone at a far value, then the winners
    assert outer.profile.sampler.start == "oat" and outer.profile.screen == 1.0
    assert " | design screen " in status["experiments"][0]["description"]
    load_profile(result.repo / "tuned-profile.toml")
    # the outer proposer's TPE learns from each experiment: its configuration, every key of the
    # profile, is whole in the ledger's description (a cut one is no trial to TPE)
    keys = {f"{table}.{key}" for table, inner in _SCHEMA.items() for key in inner} - UNSEARCHED
    for e in status["experiments"]:
        assert {w.split("=")[0] for w in e["description"].split(" | tpe ", 1)[1].split()} == keys


def test_every_attempt_to_game_the_evaluator_is_refused_with_its_reason(tmp_path: Path) -> None:
    profile = DEFAULT_PATH.read_text()
    peek = "import pathlib\nHELD = pathlib.Path('suite/suite.toml').read_text()\n"
    attempts = [
        # 1: rewrite the inner suite (a problem whose optimum is the start)
        [{"suite/problems.py": PROBLEMS.read_text().replace("(1, 2, 0.5)", "(0, 0, 0)")}] * 3,
        # 2: a profile that points the search at a file of answers
        [{"profile.toml": profile + '\n[answers]\nfile = "suite/optima.json"\n'}],
        # 3: a strategy file that reads the held-out tasks, named by the profile
        [{"profile.toml": profile.replace('strategy = "greedy"', 'strategy = "peek.py"'),
          "peek.py": peek}] * 3,
        # 4: the profile alone naming that strategy path
        [{"profile.toml": profile.replace('strategy = "greedy"', 'strategy = "peek.py"')}],
        # 5: an honest change, measured
        [{"profile.toml": profile.replace("noise_reruns = 3", "noise_reruns = 1")}],
    ]
    script = tmp_path / "game.jsonl"
    lines = [json.dumps({"type": "proposal", "description": f"attempt {i}", "components": c})
             for i, group in enumerate(attempts, 1) for c in group]
    lines.append(json.dumps({"type": "review", "checks": [
        {"name": "ok", "passed": True, "reason": "a profile value"}]}))
    script.write_text("\n".join(lines) + "\n")
    result = self_tune(tmp_path / "out", suite=small_suite(tmp_path / "suite"), budget=5,
                       provider=f"script:{script}")
    rows = {e["id"]: e for e in run_status(result.repo)["experiments"]}
    assert rows[1]["status"] == "rejected" and "suite/problems.py" in rows[1]["reason"]
    assert rows[2]["status"] == "rejected" and "unknown table [answers]" in _why(rows[2])
    assert rows[3]["status"] == "rejected" and "peek.py" in rows[3]["reason"]
    assert rows[4]["status"] == "rejected" and "names no file" in _why(rows[4])
    assert rows[5]["status"] in ("keep", "discard") and rows[5]["metric"] is not None
    suite = load_suite(result.repo / "suite" / "suite.toml")
    assert suite.problem("smooth").loss({"X": 1.3, "Y": -0.7, "Z": 0.4}) == 0.0  # untouched


def _why(row: dict[str, object]) -> str:
    return f"{row.get('reason')} {json.dumps(row.get('findings'))}"
