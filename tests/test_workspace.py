"""`open_runtime` from inside one process: nothing durable until a graph runs, the lock goes back
on close, and each LangGraph thread is its own run."""

from __future__ import annotations

import gc
import weakref
from pathlib import Path
from typing import Any

import pytest
from langgraph.checkpoint.memory import InMemorySaver

from agentos import build_graph, open_runtime
from agentos.errors import LockedError, UserError
from agentos.ledger import Ledger

CONFIG: Any = {"recursion_limit": 1000}


def _thread(name: str) -> Any:
    return {**CONFIG, "configurable": {"thread_id": name}}


def test_an_unused_runtime_records_nothing_and_a_closed_one_frees_the_repository(
    quickstart: Path,
) -> None:
    with open_runtime(quickstart, budget=1, sandbox="local") as first:
        build_graph(first)
    assert not (quickstart / ".agentos" / "ledger.db").exists()
    with open_runtime(quickstart, budget=1, sandbox="local") as second:
        final = build_graph(second, checkpointer=InMemorySaver()).invoke({}, _thread("a"))
        assert second.runs == [final["run_id"]]
        # while a graph holds the repository, another opener is refused at once
        with pytest.raises(LockedError):
            open_runtime(quickstart, budget=1, sandbox="local")
    with pytest.raises(UserError, match="closed"):
        build_graph(second).invoke({}, CONFIG)
    with open_runtime(quickstart, budget=1, sandbox="local") as fourth:  # the lock came back
        build_graph(fourth, checkpointer=InMemorySaver()).invoke({}, _thread("b"))
    ledger = Ledger(quickstart / ".agentos" / "ledger.db")
    runs = list(ledger.db.table("runs").rows)
    assert len(runs) == 2 and all(r["finished_at"] for r in runs)
    assert all(r["baseline"] for r in runs)


def test_threads_are_runs_and_a_checkpoint_keeps_its_run(quickstart: Path) -> None:
    saver = InMemorySaver()
    with open_runtime(quickstart, budget=2, sandbox="local") as runtime:
        graph = build_graph(runtime, checkpointer=saver)
        one = graph.invoke({}, _thread("one"))
        two = graph.invoke({}, _thread("two"))
        assert one["run_id"] != two["run_id"]
        assert one["experiment"] == two["experiment"] == 2
    # a graph built in a fresh opener, reading the same checkpoints, names the same runs
    with open_runtime(quickstart, budget=2, sandbox="local") as again:
        graph = build_graph(again, checkpointer=saver)
        assert graph.get_state(_thread("one")).values["run_id"] == one["run_id"]
        assert again.runs == []  # reading state opens nothing


def test_a_graph_built_for_one_run_refuses_another_runs_checkpoint(quickstart: Path) -> None:
    from agentos.runtime import RunMismatch

    saver = InMemorySaver()
    with open_runtime(quickstart, budget=1, sandbox="local") as runtime:
        build_graph(runtime, checkpointer=saver).invoke({}, _thread("one"))
    from agentos import runner
    from agentos.git import Repo
    from agentos.task import load_task

    repo = Repo(quickstart)
    with runner.repo_lock(runner.state_dir(repo)):
        ledger = Ledger(quickstart / ".agentos" / "ledger.db")
        rt = runner.start_run(load_task(quickstart), repo, ledger)
        state = build_graph(rt, checkpointer=saver).get_state(_thread("one")).values
        with pytest.raises(RunMismatch, match="belongs to run"):
            rt.runtime_for(state)
        ledger.close()


def test_settings_through_the_context_are_the_runs_own_across_resumes(quickstart: Path) -> None:
    from langgraph.types import Command

    from agentos import RunSettings

    saver = InMemorySaver()
    with open_runtime(quickstart, budget=2, sandbox="local") as runtime:
        graph = build_graph(runtime, checkpointer=saver)
        short = graph.invoke({}, _thread("short"), context=RunSettings(budget=1))
        assert short["experiment"] == 1 and short["stop"] == "budget: 1 experiment"
        graph.invoke({}, _thread("long"), context=RunSettings(budget=3, checkin_every=1))
        assert graph.get_state(_thread("long")).interrupts[0].value["experiment"] == 1
    # another opener with other defaults continues the paused run with that run's settings
    with open_runtime(quickstart, budget=2, sandbox="local") as again:
        graph = build_graph(again, checkpointer=saver)
        while graph.get_state(_thread("long")).next:
            graph.invoke(Command(resume="continue"), _thread("long"))
        final = graph.get_state(_thread("long")).values
    assert final["experiment"] == 3 and final["stop"] == "budget: 3 experiments"
    ledger = Ledger(quickstart / ".agentos" / "ledger.db")
    import json

    budgets = {
        r["run_id"]: json.loads(r["config"])["overrides"]["budget"]
        for r in ledger.db.table("runs").rows
    }
    assert budgets == {short["run_id"]: 1, final["run_id"]: 3}


def test_a_long_lived_graph_lets_go_of_a_finished_run(quickstart: Path) -> None:
    """A host's compiled graph serves run after run: once a run finishes, the graph keeps none of
    the nodes it made for that run (they hold the run's runtime), so it does not grow per run."""
    workspace = open_runtime(quickstart, budget=1, sandbox="local")
    graph = build_graph(workspace, checkpointer=InMemorySaver())
    final = graph.invoke({}, _thread("a"))
    assert final["stop"]
    runtime = weakref.ref(workspace.runtime_for(final))
    workspace.close()  # the workspace lets go of its runs; the graph lives on
    gc.collect()
    assert runtime() is None
