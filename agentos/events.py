"""Progress as data: the `custom` stream events agentos' graph emits (LangGraph's
`get_stream_writer`), one when the baseline is measured and one per decided experiment.

A host app reads them with `stream_mode="custom"` (add `subgraphs=True` when agentos is a
subgraph); the CLI's live display is one consumer of them (`agentos.cli.progress.RunDisplay.event`).
"""

from __future__ import annotations

from typing import Any, Literal

from typing_extensions import TypedDict


class ProgressEvent(TypedDict, total=False):
    """`event` says which: "baseline" (its `metric`) or "experiment" (`id`, `status`, `metric`,
    `description`, `reason`). `best` is the best metric so far, when it is known to have
    changed; `run` is the run id; `spent`, of an experiment, the experiment budget spent when it
    was decided (the experiments started and the re-measure runs, which the budget counts too),
    when the graph knows it."""

    event: Literal["baseline", "experiment"]
    run: str
    id: int
    status: str
    metric: float | None
    best: float | None
    description: str
    reason: str
    spent: int


def progress_events(
    node: str, update: dict[str, Any], run_id: str, *, spent: int | None = None
) -> list[ProgressEvent]:
    """The events one node's partial update makes: none for most nodes (`spent`: the budget
    spent, for the experiments a decide node's update decides)."""
    out: list[ProgressEvent] = []
    best = update.get("best")
    if node == "baseline" and update.get("baseline"):
        metric = update["baseline"].get("metric")
        out.append({"event": "baseline", "run": run_id, "metric": metric, "best": metric})
    if node == "decide":
        for item in update.get("history", []):
            event: ProgressEvent = {
                "event": "experiment",
                "run": run_id,
                "id": int(item["id"]),
                "status": str(item["status"]),
                "metric": item.get("metric"),
                "description": str(item.get("description", "")),
                "reason": str(item.get("reason", "")),
            }
            if best:
                event["best"] = best.get("metric")
            if spent is not None:
                event["spent"] = spent
            out.append(event)
    return out


DESCRIPTION_CHARS = 80  # a description or reason shown on one line


def decided(event: dict[str, Any]) -> list[dict[str, Any]]:
    """The experiments a `{"node": name, **partial_update}` stream event decides (the decide
    node's history items); none for any other node."""
    return list(event.get("history", [])) if event.get("node") == "decide" else []


def clean(text: str, limit: int = DESCRIPTION_CHARS) -> str:
    """One line of printable characters, at most `limit` long: no escape codes, no newlines."""
    flat = " ".join("".join(c if c.isprintable() else " " for c in text).split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


__all__ = ["DESCRIPTION_CHARS", "ProgressEvent", "clean", "decided", "progress_events"]
