"""examples/embed: a host LangGraph app runs the agentos loop as a node, with its own checkpointer,
and resumes it across agentos' check-in interrupts."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest
from helpers import EXAMPLES


def test_host_app_embeds_the_loop_and_resumes_its_checkins(
    quickstart: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    spec = importlib.util.spec_from_file_location("host_app", EXAMPLES / "embed" / "host_app.py")
    assert spec and spec.loader
    host_app = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "host_app", host_app)  # LangGraph resolves its annotations
    spec.loader.exec_module(host_app)
    result = host_app.main(quickstart, tmp_path / "host.db", "t1", budget=6)
    printed = capsys.readouterr().out
    # every 3 experiments; after the 6th the budget ends the run before a check-in
    assert printed.count("checkin: ") == 1
    # the subgraph's custom stream reaches the host: one progress event per experiment
    events = [
        json.loads(line.removeprefix("progress: "))
        for line in printed.splitlines()
        if line.startswith("progress: ")
    ]
    assert [e["id"] for e in events] == [1, 2, 3, 4, 5, 6]
    assert result is not None and {e["run"] for e in events} == {result["run"]}
    assert "report: tune the settings: 5.727614 -> " in printed
    assert result["baseline"] == 5.727614
    assert result["best"] >= 5.727614
    assert result["stop"] == "budget: 6 experiments"
