"""The gate runner: cheapest first, concurrent stages, short-circuit, report and summary."""

from __future__ import annotations

from agentos.evaluate.gating import join, plan, run_gates, run_one
from agentos.task import ToolUse

ALL = (ToolUse("pytest", "gate"), ToolUse("ruff", "gate"), ToolUse("integrity", "gate"),
       ToolUse("static", "gate"), ToolUse("mypy", "gate"), ToolUse("metric", "signal"))


def test_plan_orders_stages_by_cost() -> None:
    stages = [[u.name for u in s] for s in plan(ALL)]
    assert stages == [["integrity", "static"], ["ruff"], ["mypy", "pytest"], ["metric"]]


def test_all_pass_concurrently_and_sequentially(make_candidate) -> None:
    ctx = make_candidate({"settings.py": "RATE = 1.0\n"})
    for concurrent in (True, False):
        run = run_gates(ALL, ctx, concurrent=concurrent)
        assert run.passed and not run.skipped
        assert [r.tool for r in run.results][:2] == ["integrity", "static"]
        assert run.report()["passed"] is True


def test_first_failure_skips_expensive_stages(make_candidate) -> None:
    ctx = make_candidate({"evaluate.py": "print('score: 99')\n"})
    run = run_gates(ALL, ctx)
    assert not run.passed
    assert {r.tool for r in run.results} == {"integrity", "static"}
    assert run.skipped == ("ruff", "mypy", "pytest", "metric")
    report = run.report()
    assert {f["tool"] for f in report["findings"]} == {"integrity", "static"}
    assert {"tool": "pytest", "kind": "gate", "outcome": "skipped"} in report["results"]
    text = run.summary()
    assert text.startswith("gates: FAILED (integrity")  # the first line names what blocked
    assert "evaluate.py" in text and "skipped" in text


def test_failing_signal_does_not_block(make_candidate) -> None:
    ctx = make_candidate({"settings.py": "RATE = 1.0\n"})
    uses = (ToolUse("static", "gate"), ToolUse("metric", "signal", {"max": 0.0}))
    run = run_gates(uses, ctx)
    assert run.passed and run.results[-1].outcome == "fail"


def test_one_branch_per_tool_then_join(make_candidate) -> None:
    ctx = make_candidate({"lib.py": "import socket\n"})
    uses = (ToolUse("static", "gate"), ToolUse("integrity", "gate"))
    results = [run_one(u, ctx) for u in uses]
    joined = join(uses, results)
    assert not joined.passed and [r.outcome for r in results] == ["fail", "pass"]
