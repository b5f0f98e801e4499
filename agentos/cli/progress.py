"""Live progress of a run, fed by the graph's stream (never by polling the database): a Rich bar on
a terminal, plain lines otherwise.

Both forms show the experiment count against the budget, the current best and the baseline, the
last status, the rate and the time left. The plain form writes one line for the baseline and one
per finished experiment (never per node, never a redraw), so a CI log or a `tee`d file stays
readable however long the run. Descriptions are candidate output: control characters are replaced
and Rich markup is never interpreted.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any, TextIO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from agentos.events import ProgressEvent, clean, progress_events
from agentos.figures import figure


class RunDisplay:
    """Call `update` with each stream update; use as a context manager around the run.

    `total` is the experiment budget (0 when unknown: a resumed run's comes with `seed`);
    `wall_time` the wall-clock budget in seconds, when the task has one, which caps the time left
    shown.
    """

    def __init__(
        self,
        total: int,
        *,
        stream: TextIO | None = None,
        live: bool | None = None,
        wall_time: float | None = None,
    ):
        self.stream = stream or sys.stderr
        self.live = self.stream.isatty() if live is None else live
        self.total = total
        self.wall_time = wall_time
        self.baseline: float | None = None
        self.best: float | None = None
        self.done = 0
        # the budget spent (experiments and re-measure runs: the budget counts both; None until an
        # event says it, on a resumed run) and the part of it this display saw spent
        self.spent: int | None = 0
        self.runs = 0
        self.seen = 0
        self.last = ""
        self.lines = 0
        self.started = time.monotonic()
        self._progress: Progress | None = None
        self._task: Any = None

    def __enter__(self) -> RunDisplay:
        if self.live:
            self._progress = Progress(
                TextColumn("[bold]agentos"),
                BarColumn(bar_width=24),
                MofNCompleteColumn(),
                TextColumn("{task.fields[info]}", markup=False),
                console=Console(file=self.stream),
                transient=False,
            )
            self._progress.start()
            self._task = self._progress.add_task(
                "run", total=self.total or None, info="measuring the baseline"
            )
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()

    def seed(self, status: dict[str, Any]) -> None:
        """Start from what the ledger already holds (the object `agentos.status.run_status`
        returns), so a resumed run shows its baseline, best, count and budget from the first
        line."""
        self.baseline = status.get("baseline", {}).get("metric")
        self.best = status.get("best", {}).get("metric")
        self.done = max((int(e["id"]) for e in status.get("experiments", [])), default=0)
        self.spent = None  # the ledger does not count the re-measure runs
        budget = status.get("budget") or {}
        self.total = int(budget.get("experiments") or self.total)
        self.wall_time = budget.get("wall_time") or self.wall_time
        if self._progress is not None:
            self._progress.update(
                self._task, total=self.total or None, completed=self.done, info=self.info()
            )

    def update(self, event: dict[str, Any]) -> None:
        """Take one `{"node": name, **partial_update}` from the graph's `updates` stream."""
        for progress in progress_events(str(event.get("node", "")), event, ""):
            self.event(progress)

    def event(self, item: ProgressEvent) -> None:
        """Take one progress event from the graph's `custom` stream (`agentos.events`)."""
        if item.get("event") == "baseline":
            self.baseline = item.get("metric")
            self.best = self.baseline
            self._line(f"baseline: {figure(self.baseline)}")
            return
        if item.get("event") != "experiment":
            return
        if "best" in item:
            self.best = item["best"]
        self.done = max(self.done, int(item["id"]))
        spent = item.get("spent")
        if spent is None or self.spent is None:
            self.runs += 1
            self.spent = None if spent is None else int(spent)
        else:
            self.runs += max(int(spent) - self.spent, 1)
            self.spent = int(spent)
        self.seen += 1
        self.last = f"#{item['id']} {item['status']} {figure(item.get('metric'))}"
        if self._progress is not None:
            self._progress.update(
                self._task, completed=min(self.done, self.total or self.done), info=self.info()
            )
        else:
            self._line(
                f"experiment {item['id']}/{self.total or '?'}: {item['status']} "
                f"metric={figure(item.get('metric'))} {self.info(last=False)} "
                f"| {clean(str(item.get('description', '')))}"
            )

    def note(self, text: str) -> None:
        """A line of its own (what the run is doing besides experiments), above a live bar: agentos'
        own text, whole."""
        self._line(text)

    def asking(self, answer: Callable[[dict[str, Any]], Any]) -> Callable[[dict[str, Any]], Any]:
        """`answer` (a check-in prompt) with the live bar stopped while it runs, so the bar's
        redraws cannot overwrite the prompt; plain output needs no pause."""

        def ask(summary: dict[str, Any]) -> Any:
            if self._progress is None:
                return answer(summary)
            self._progress.stop()
            try:
                return answer(summary)
            finally:
                self._progress.start()

        return ask

    def info(self, *, last: bool = True) -> str:
        """best, baseline, last status, rate per minute and time left, on one line."""
        elapsed = max(time.monotonic() - self.started, 1e-9)
        rate = self.seen / elapsed
        parts = [f"best={figure(self.best)}", f"baseline={figure(self.baseline)}"]
        if last and self.last:
            parts.append(f"last {self.last}")
        parts.append(f"rate={rate * 60:.1f}/min")
        if self.spent is not None and self.spent > self.done:
            parts.append(f"spent={self.spent}/{self.total or '?'}")
        parts.append(f"left={_duration(self.time_left(self.runs / elapsed, elapsed))}")
        return " ".join(parts)

    def time_left(self, rate: float, elapsed: float) -> float | None:
        """Seconds until the budget runs out at `rate` budget runs a second (or the wall budget,
        if sooner): a run that re-measures spends its budget faster than its experiments show."""
        left: float | None = None
        if self.total and rate > 0:
            spent = self.done if self.spent is None else max(self.spent, self.done)
            left = max(self.total - spent, 0) / rate
        if self.wall_time:
            wall = max(self.wall_time - elapsed, 0.0)
            left = wall if left is None else min(left, wall)
        return left

    def _line(self, text: str) -> None:
        self.lines += 1
        if self._progress is not None:
            self._progress.console.print(text, markup=False, highlight=False)
        else:
            self.stream.write(text + "\n")
            self.stream.flush()


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    s = round(seconds)
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"
