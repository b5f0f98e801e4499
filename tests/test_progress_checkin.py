"""The check-in prompt is readable under the live display: the bar stops while it asks."""

from __future__ import annotations

import io
from typing import Any

from agentos.cli.progress import RunDisplay


def test_the_live_bar_pauses_while_a_checkin_asks() -> None:
    stream = io.StringIO()
    seen: list[bool] = []

    def prompt(summary: dict[str, Any]) -> str:
        assert display._progress is not None
        seen.append(display._progress.live.is_started)
        stream.write("PROMPT continue?\n")
        return "continue"

    with RunDisplay(4, stream=stream, live=True) as display:
        display.event({"event": "baseline", "metric": 1.0, "best": 1.0})
        assert display._progress is not None and display._progress.live.is_started
        assert display.asking(prompt)({"experiment": 2}) == "continue"
        assert display._progress.live.is_started  # drawing again after the answer
        display.event(
            {"event": "experiment", "id": 1, "status": "keep", "metric": 2.0, "best": 2.0}
        )
    assert seen == [False]
    assert "PROMPT continue?" in stream.getvalue()
    assert display.best == 2.0 and display.done == 1


def test_plain_output_asks_directly() -> None:
    display = RunDisplay(4, stream=io.StringIO(), live=False)
    assert display.asking(lambda s: s["answer"])({"answer": "stop"}) == "stop"
