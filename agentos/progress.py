"""Live progress of a run, fed by the graph's stream: a Rich bar on a terminal, plain lines
otherwise.

The plain form writes one line per finished experiment (never per node), so a log stays readable.
"""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn


class RunDisplay:
    """Call `update` with each stream update; use as a context manager around the run."""

    def __init__(self, total: int, *, stream: TextIO | None = None, live: bool | None = None):
        self.stream = stream or sys.stderr
        self.live = self.stream.isatty() if live is None else live
        self.total = total
        self.baseline: float | None = None
        self.best: float | None = None
        self.done = 0
        self.started = time.monotonic()
        self._progress: Progress | None = None
        self._task: Any = None

    def __enter__(self) -> RunDisplay:
        if self.live:
            self._progress = Progress(
                TextColumn("[bold]agentos"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[info]}"),
                TimeRemainingColumn(),
                console=Console(file=self.stream),
                transient=False,
            )
            self._progress.start()
            self._task = self._progress.add_task("run", total=self.total, info="measuring baseline")
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()

    def update(self, event: dict[str, Any]) -> None:
        node = event.get("node")
        if node == "baseline" and event.get("baseline"):
            self.baseline = event["baseline"].get("metric")
            self.best = self.baseline
            self._line(f"baseline: {self.baseline}")
        if event.get("best"):
            self.best = event["best"].get("metric")
        for item in event.get("history", []) if node == "decide" else []:
            self.done = item["id"]
            rate = self.done / max(time.monotonic() - self.started, 1e-9)
            info = (
                f"best {_fmt(self.best)} (baseline {_fmt(self.baseline)}) last #{item['id']} "
                f"{item['status']} {_fmt(item['metric'])} {rate * 60:.1f}/min"
            )
            if self._progress is not None:
                self._progress.update(self._task, completed=min(self.done, self.total), info=info)
            else:
                self._line(
                    f"experiment {item['id']}/{self.total}: {item['status']} "
                    f"metric={_fmt(item['metric'])} best={_fmt(self.best)} "
                    f"{item['description'][:80]}"
                )

    def _line(self, text: str) -> None:
        if self._progress is not None:
            self._progress.console.print(text)
        else:
            self.stream.write(text + "\n")
            self.stream.flush()


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.6g}"
