"""Driving a run to its end from wherever its checkpoint stands, and the summary it ends with."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, cast

from langgraph.types import Command

from agentos.check import baseline_fix, log_tail
from agentos.checkpoint import keep_latest, open_checkpointer
from agentos.events import ProgressEvent
from agentos.figures import figure
from agentos.graph import build_graph
from agentos.ledger import Ledger
from agentos.memory import changed, idea_of
from agentos.nodes import close_executor, started
from agentos.nodes.decide import UNDECIDED
from agentos.providers.base import NOTHING_TO_TRY
from agentos.runtime import Runtime
from agentos.scratch import drain
from agentos.settings import NOTHING_TO_TUNE_FIX
from agentos.state import LoopState

Answer = Callable[[dict[str, Any]], Any]
"""Called at a check-in with its summary; returns "continue", "stop" or {"direction": ...}."""


@dataclass
class RunSummary:
    """How a run ended. `branch` is None when no branch was made (the baseline did not measure);
    `failure` and `fix` are set when the run could not do its work, with the metric's last
    output lines in `log_tail`."""

    run_id: str
    status: str
    baseline: float | None
    best: float | None
    best_commit: str
    branch: str | None
    experiments: int
    remeasures: int = 0
    """Runs spent re-measuring candidates and the incumbent; they count in the experiment budget."""
    undecided: int = 0
    """Discards the noise rule was still unsure of when their re-measures ran out."""
    together: list[str] = field(default_factory=list)
    """Kept experiments that moved several settings at once, as `#N (A, B)`: which of them made
    the gain was not measured."""
    counts: dict[str, int] = field(default_factory=dict)
    elapsed: float = 0.0
    failure: str | None = None
    fix: str | None = None
    log_tail: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        """0 for a run that did its work, 1 for one that could not (a failed baseline)."""
        return 0 if self.failure is None else 1

    def lines(self) -> list[str]:
        """The greppable `key: value` summary a run ends with (`branch: none` when none exists)."""
        out = [
            f"run: {self.run_id}",
            f"status: {self.status}",
            f"baseline: {figure(self.baseline)}",
            f"best: {figure(self.best)}",
            f"best_commit: {self.best_commit}",
            f"branch: {self.branch or 'none'}",
            f"experiments: {self.experiments}",
        ]
        if self.remeasures:
            out.append(f"remeasure_runs: {self.remeasures} (counted in the experiment budget)")
        out += [f"{k}: {v}" for k, v in sorted(self.counts.items())]
        if self.undecided:
            out.append(
                f"undecided: {self.undecided} of the discards (the budget ran out before the noise "
                "rule could tell their gain from noise; a larger --budget can decide them)"
            )
        if self.together:
            out.append(
                f"kept_together: {'; '.join(self.together)} (settings moved in one experiment: "
                "the gain is theirs together, what each one adds alone was not measured)"
            )
        out.append(f"elapsed_s: {self.elapsed:.1f}")
        return out


def drive(
    rt: Runtime,
    *,
    on_update: Callable[[dict[str, Any]], None] | None = None,
    answer: Answer | None = None,
    on_event: Callable[[ProgressEvent], None] | None = None,
) -> RunSummary:
    """Drive a run to its end from wherever its checkpoint stands (the start, for a new run).

    `on_update` gets each node's partial update as `{"node": name, **update}`; `on_event` each
    progress event of the `custom` stream (`agentos.events`)."""
    start = time.monotonic()
    checkpointer = open_checkpointer(rt.state_dir / "checkpoints.db")
    graph = build_graph(rt, checkpointer=checkpointer)
    config: Any = {
        "configurable": {"thread_id": rt.run_id},
        "recursion_limit": 12 * rt.task.budget.experiments + 100,
    }
    payload: Any = None if graph.get_state(config).values else {}
    try:
        while True:
            interrupted = None
            parts = cast(
                Iterator[tuple[str, Any]],
                graph.stream(payload, config, stream_mode=["updates", "custom"]),
            )
            for mode, chunk in parts:
                if mode == "custom":
                    if on_event is not None:
                        on_event(chunk)
                    continue
                keep_latest(checkpointer, rt.run_id)  # resuming needs the newest only
                for node, update in chunk.items():
                    if node == "__interrupt__":
                        interrupted = update[0].value
                    elif on_update is not None and isinstance(update, dict):
                        on_update({"node": node, **update})
            if interrupted is None:
                break
            reply = answer(interrupted) if answer else "continue"
            payload = Command(resume=reply)
    finally:
        close_executor(rt.run_id)  # the workers of a run that stopped or failed, in this process
    values = graph.get_state(config).values
    keep_latest(checkpointer, rt.run_id)
    checkpointer.conn.close()
    drain()  # the last snapshot's removal
    summary = summarize(rt.ledger, rt.run_id, values, time.monotonic() - start)
    if rt.repo.rev(rt.branch_ref) is None:
        summary.branch = None
    baseline = values.get("baseline", {})
    failed = values.get("outcome") or {}
    if baseline and baseline.get("metric") is None and failed:
        status, reason = str(failed.get("status") or "invalid"), str(failed.get("reason", ""))
        summary.failure = f"the baseline does not measure: {status}: {reason}"
        log = str(failed.get("log_tail", ""))
        summary.fix = baseline_fix(rt.task, status, reason, log)
        summary.log_tail = log_tail(log)
    elif not summary.experiments and summary.status.startswith(NOTHING_TO_TRY):
        # the run could not do its job: `agentos check` fails on the same cause
        summary.failure = "the proposer found nothing to try before its first experiment"
        summary.fix = NOTHING_TO_TUNE_FIX
    return summary


def summarize(ledger: Ledger, run_id: str, values: dict[str, Any], elapsed: float) -> RunSummary:
    record = ledger.read(run_id)
    undecided = sum(
        r.get("status") == "discard" and str(r.get("reason") or "").startswith(UNDECIDED)
        for r in record.last_attempts()
    )
    together = [
        f"#{r.get('id')} ({idea_of(str(r.get('description')))})"
        for r in record.last_attempts()
        if r.get("status") == "keep" and len(changed(str(r.get("description")))) >= 2
    ]
    best = values.get("best", {})
    return RunSummary(
        run_id=run_id,
        status=values.get("stop") or "stopped",
        baseline=values.get("baseline", {}).get("metric"),
        best=best.get("metric"),
        best_commit=best.get("commit", ""),
        branch=f"agentos/{run_id}" if best.get("commit") else None,
        experiments=started(cast(LoopState, values)),
        remeasures=int(values.get("extra_runs", 0)),
        undecided=undecided,
        together=together,
        counts=record.outcomes(),
        elapsed=elapsed,
    )
