"""The graph as LangGraph tooling sees it: progress on the `custom` stream, JSON schemas for its
input and output, and check-in answers that are validated."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.types import Command

from agentos import build_graph, open_runtime
from agentos.errors import LockedError
from agentos.git import Repo
from agentos.nodes.checkin import CheckinAnswerError, read_answer
from agentos.runner.start import repo_lock, state_dir


def _config(thread: str) -> Any:
    return {"configurable": {"thread_id": thread}, "recursion_limit": 1000}


def test_progress_is_a_custom_stream_event_per_experiment(quickstart: Path) -> None:
    with open_runtime(quickstart, budget=3, sandbox="local") as runtime:
        graph = build_graph(runtime, checkpointer=InMemorySaver())
        events = list(graph.stream({}, _config("t"), stream_mode="custom"))
        final = graph.get_state(_config("t")).values
    assert [e["event"] for e in events] == ["baseline", "experiment", "experiment", "experiment"]
    assert {e["run"] for e in events} == {final["run_id"]}
    assert events[0]["metric"] == final["baseline"]["metric"]
    assert [e["id"] for e in events[1:]] == [1, 2, 3]
    assert [e["status"] for e in events[1:]] == [h["status"] for h in final["history"]]
    # the budget spent when each was decided: the quickstart's metric has no noise, so no
    # re-measure runs, one experiment one run
    assert [e["spent"] for e in events[1:]] == [1, 2, 3] and not final.get("extra_runs")
    bests = [e["best"] for e in events if "best" in e]
    assert bests[-1] == final["best"]["metric"]


def test_answers_read_at_a_checkin() -> None:
    assert read_answer("continue") == {}
    assert read_answer("stop") == {"stop": "stopped at check-in"}
    assert read_answer({"direction": "try X=40"}) == {"direction": "try X=40"}
    with pytest.raises(CheckinAnswerError, match="fix: resume with"):
        read_answer("Stop")


def test_input_and_output_schemas_are_json_schema(quickstart: Path) -> None:
    with open_runtime(quickstart, sandbox="local") as runtime:
        graph = build_graph(runtime)
        schemas = [graph.get_input_jsonschema(), graph.get_output_jsonschema()]
    for schema in schemas:
        assert schema["type"] == "object"
        assert {"run_id", "baseline_commit", "best", "history"} <= set(schema["properties"])


def test_an_unknown_checkin_answer_is_refused_and_asked_again(quickstart: Path) -> None:
    config = _config("t")
    with open_runtime(quickstart, budget=4, sandbox="local", checkin_every=2) as runtime:
        graph = build_graph(runtime, checkpointer=InMemorySaver())
        graph.invoke({}, config)
        first = graph.get_state(config).interrupts[0].value
        assert first["experiment"] == 2 and "error" not in first
        # the last experiments, one readable line each (not the proposer's whole configuration)
        assert [r.split()[0] for r in first["recent"]] == ["#1", "#2"]
        assert all(len(r) < 160 and "\n" not in r for r in first["recent"])
        for bad in ("contniue", {"direction": ""}, {"directions": "x"}, 1):
            graph.invoke(Command(resume=bad), config)
            asked = graph.get_state(config).interrupts  # still paused, never "continue"
            assert asked and asked[0].value["error"].startswith("unknown check-in answer")
            assert repr(bad)[:8] in asked[0].value["error"]
            assert graph.get_state(config).values["experiment"] == 2
        final = graph.invoke(Command(resume="stop"), config)
    assert final["stop"] == "stopped at check-in"
    assert final["experiment"] == 2


def test_open_runtime_says_at_once_that_another_process_runs_on_the_repository(
    quickstart: Path,
) -> None:
    """The lock is held (by the CLI, or a host still driving a thread): `open_runtime` raises the
    one-line `LockedError` before any graph starts, and opens once the lock is released."""
    locked = pytest.raises(LockedError, match="another agentos process is running")
    with repo_lock(state_dir(Repo(quickstart))), locked:
        open_runtime(quickstart, budget=1)
    with open_runtime(quickstart, budget=1) as ws:
        assert ws is not None
