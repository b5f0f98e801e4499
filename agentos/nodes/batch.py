"""Many experiments at once (`[run] workers` above one): the submit and collect nodes, the
proposer's view of the experiments in flight (the stop rules count them: `agentos.nodes.stop`).

    review -> submit -+-> propose   a worker is free and no stop rule holds
                      +-> collect   every worker is busy, or the run stops
                      +-> decide    a candidate rejected before it was measured
    collect -> decide -> (the loop's own routes; a stop with work in flight goes back to collect)

LangGraph's superstep would wait for every `Send` branch, so measurements do not run as branches:
`submit` hands the candidate to the run's executor (`agentos.executors`) and the graph goes on
proposing; `collect` takes the first result that finished (the order they finish in, ties by
experiment id) and `decide` decides it like any other. The graph is the ledger's one writer; the
order of decisions is the order of its rows, and each checkpoint holds the experiments in flight.

With a provider that proposes in batches (`BatchProvider`, the `anthropic` one), a propose step
with k free workers asks for k differing proposals in one call, uses the first and keeps the others
in the state (`queued`, so checkpoints hold them and a resume replays); the next steps take them in
order before asking again (one made for another parent than the one chosen is dropped).

A driver that died with work in flight left attempts that no executor of this process knows: each
gets its `crash` row and runs again as the next attempt, once the run's executor is opened here.
"""

from __future__ import annotations

import logging
import secrets
import threading
from dataclasses import dataclass, field
from typing import Any, Literal, cast

from agentos.evaluate import proven
from agentos.executors import Done, Executor, open_executor, pack
from agentos.executors.base import lost
from agentos.nodes.decide import route_after_decide
from agentos.nodes.propose import make_propose
from agentos.nodes.run import outcome_of
from agentos.nodes.stop import budget_spent, started, stop_reason
from agentos.providers.base import BatchProvider, Proposal, ProposeRequest
from agentos.record import record, score_of
from agentos.runtime import Runtime
from agentos.state import Candidate, HistoryItem, LoopState

log = logging.getLogger(__name__)
IN_FLIGHT = "in flight: not measured yet (its metric here is a placeholder, the worst so far)"


@dataclass
class _Pool:
    executor: Executor
    finished: list[Done] = field(default_factory=list)  # taken from the executor, not decided


_pools: dict[str, _Pool] = {}
_pools_lock = threading.Lock()


def close_executor(run_id: str) -> None:
    """Close the run's executor in this process, if it has one (the end of a run)."""
    with _pools_lock:
        pool = _pools.pop(run_id, None)
    if pool is not None:
        pool.executor.close()


def _key(entry: dict[str, Any]) -> str:
    return f"{entry['experiment']}.{entry['attempt']}"


def _pool(rt: Runtime, state: LoopState, inflight: list[dict[str, Any]]) -> _Pool:
    """The run's executor in this process; opening it records the attempts of a driver that died
    as `crash` rows (attempts it began that no checkpoint lists are not run again: their
    experiment is proposed anew)."""
    with _pools_lock:
        pool = _pools.get(rt.run_id)
        if pool is not None:
            return pool
        executor = open_executor(rt.task)
        pool = _pools[rt.run_id] = _Pool(executor)
    log.info(
        "%s executor: %d workers, started in %.2f s",
        executor.kind,
        executor.capacity,
        executor.startup_s,
    )
    listed = {(e["experiment"], e["attempt"]) for e in inflight}
    current = state.get("candidate", {})
    for orphan in rt.ledger.open_attempts(rt.run_id):
        if (orphan["id"], orphan["attempt"]) not in listed:
            _crash(
                rt,
                orphan["id"],
                orphan["attempt"],
                current,
                "the orchestrator died during this attempt; retried",
            )
    return pool


def _crash(rt: Runtime, exp: int, attempt: int, candidate: Candidate, reason: str) -> None:
    record(
        rt,
        {
            "id": exp,
            "attempt": attempt,
            "parent": candidate.get("parent", ""),
            "commit": candidate.get("commit", ""),
            "description": candidate.get("description", ""),
            "status": "crash",
            "reason": reason,
        },
    )


def _start(rt: Runtime, pool: _Pool, entry: dict[str, Any]) -> dict[str, Any]:
    attempt = rt.ledger.begin_attempt(rt.run_id, entry["experiment"], secrets.token_hex(8))
    entry = {**entry, "attempt": attempt}
    pool.executor.submit(pack(rt.repo, entry["candidate"]["commit"], rt.evaluator, _key(entry)))
    return entry


def _retry_lost(rt: Runtime, pool: _Pool, inflight: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`inflight`, with every attempt this process's executor does not know (its driver died)
    recorded as a crash and started again."""
    known = pool.executor.pending() | {d.key for d in pool.finished}
    out = []
    for entry in inflight:
        if _key(entry) not in known:
            _crash(
                rt,
                entry["experiment"],
                entry["attempt"],
                entry["candidate"],
                "the orchestrator died during this attempt; retried",
            )
            entry = _start(rt, pool, entry)
        out.append(entry)
    return out


def make_submit(rt: Runtime) -> Any:
    def submit(state: LoopState) -> dict[str, Any]:
        if state.get("outcome"):  # rejected before measuring: decided now, no worker needed
            return {}
        inflight = list(state.get("inflight", []))
        pool = _pool(rt, state, inflight)
        inflight = _retry_lost(rt, pool, inflight)
        entry = {
            "experiment": state["experiment"],
            "attempt": 0,
            "candidate": state["candidate"],
            "gates": state.get("gates", {}),
            "review": state.get("review", {}),
        }
        inflight.append(_start(rt, pool, entry))
        return {"inflight": inflight, "proposed": started(state)}

    return submit


def make_collect(rt: Runtime) -> Any:
    def collect(state: LoopState) -> dict[str, Any]:
        inflight = list(state.get("inflight", []))
        pool = _pool(rt, state, inflight)
        stop = stop_reason(rt, state)
        if stop and rt.task.scale.on_stop == "cancel" and not budget_spent(rt, state):
            for entry in inflight:
                pool.executor.cancel(_key(entry))
                _crash(
                    rt,
                    entry["experiment"],
                    entry["attempt"],
                    entry["candidate"],
                    f"cancelled in flight: the run stopped ({stop})",
                )
            return {"inflight": [], "outcome": {}}
        inflight = _retry_lost(rt, pool, inflight)
        if not inflight:
            return {"inflight": [], "outcome": {}}
        keys = {_key(e): e for e in inflight}
        while not any(d.key in keys for d in pool.finished):
            pool.finished += pool.executor.wait(timeout=None)
        done = next(d for d in pool.finished if d.key in keys)
        pool.finished.remove(done)
        entry = keys[done.key]
        candidate = entry["candidate"]
        m = done.measurement or lost(f"the worker failed: {done.error}")
        m = proven(rt.repo, rt.task, candidate["parent"], candidate["commit"], m)
        outcome = outcome_of(m, entry["attempt"])
        metric = m.evaluation.metric
        return {
            "inflight": [e for e in inflight if e is not entry],
            "experiment": entry["experiment"],
            "candidate": candidate,
            "gates": entry["gates"],
            "review": entry["review"],
            "outcome": outcome,
            "scores": {"candidate": [score_of(rt.task, metric)]} if metric is not None else {},
            "evaluations": state.get("evaluations", 0) + 1,
            "remeasure": False,
            "pair": None,
        }

    return collect


def make_batch_propose(rt: Runtime) -> Any:
    """The propose node; with workers, it numbers the experiment after every one started and shows
    the proposer those in flight, each with the worst metric so far (a constant liar: a sampler
    such as TPE then proposes away from them, and an LLM sees what is already being tried). A
    `BatchProvider` is asked for one proposal per free worker at once (`queued`)."""
    plain = make_propose(rt)
    call: dict[str, Any] = {}  # this step's queue and batch size, read by `ask`

    def ask(request: ProposeRequest) -> Proposal:
        queue: list[dict[str, Any]] = call["queue"]
        while queue:
            q = queue.pop(0)
            if q["parent"] == request.parent:
                return Proposal(q["description"], tuple(q["edits"]), dict(q["components"]))
            log.info("queued proposal %r dropped: made for another parent", q["description"])
        provider = rt.provider
        if call["count"] > 1 and isinstance(provider, BatchProvider):
            first, *rest = provider.propose_batch(request, call["count"])
            queue += [_queued(p, request.parent) for p in rest]
            return first
        return provider.propose(request)

    batched = make_propose(rt, ask)

    def propose(state: LoopState) -> dict[str, Any]:
        if rt.task.scale.workers == 1:
            return cast(dict[str, Any], plain(state))
        free = rt.task.scale.workers - len(state.get("inflight", []))
        call["queue"] = list(state.get("queued", []))
        call["count"] = max(1, min(free, rt.task.budget.experiments - started(state)))
        view = cast(
            LoopState,
            {**state, "experiment": started(state), "history": _with_pending(rt, state)},
        )
        out = cast(dict[str, Any], batched(view))
        if "experiment" in out:
            out["proposed"] = out["experiment"]
        out["queued"] = call["queue"]
        return out

    return propose


def _queued(p: Proposal, parent: str) -> dict[str, Any]:
    """A proposal as the state keeps it (JSON, for the checkpoint; the batch call's usage went
    with the first proposal)."""
    return {
        "parent": parent,
        "description": p.description,
        "edits": [dict(e) for e in p.edits],
        "components": dict(p.components),
    }


def _with_pending(rt: Runtime, state: LoopState) -> list[HistoryItem]:
    pending = [(e["experiment"], e["candidate"]) for e in state.get("inflight", [])]
    base = state.get("baseline", {}).get("metric")
    return with_pending(list(state.get("history", [])), pending, rt.task.metric.goal, base)


def with_pending(
    history: list[HistoryItem],
    pending: list[tuple[int, Candidate]],
    goal: str,
    baseline: float | None = None,
) -> list[HistoryItem]:
    """`history` and, after it, each experiment in flight with the worst metric measured so far
    (the baseline's included): the constant liar."""
    measured = [h["metric"] for h in history if h["metric"] is not None]
    measured += [baseline] if baseline is not None else []
    liar = (min if goal == "max" else max)(measured) if measured else None
    out = list(history)
    for exp, c in pending:
        out.append(
            {
                "id": exp,
                "parent": c.get("parent", ""),
                "commit": c.get("commit", ""),
                "status": "discard",
                "metric": liar,
                "description": c.get("description", ""),
                "reason": IN_FLIGHT,
            }
        )
    return out


Route = Literal["run", "canary", "checkin", "propose", "collect", "finish"]


def route_batch_after_decide(rt: Runtime) -> Any:
    base = route_after_decide(rt)

    def route(state: LoopState) -> Route:
        # `base` ends the run exactly when a stop rule holds: with work in flight, drain it first
        return cast(Route, draining(state, base(state)))

    return route


def route_after_submit(rt: Runtime) -> Any:
    def route(state: LoopState) -> Literal["propose", "collect", "decide"]:
        if state.get("outcome"):
            return "decide"
        if len(state.get("inflight", [])) < rt.task.scale.workers and not stop_reason(rt, state):
            return "propose"
        return "collect"

    return route


def after_collect(state: LoopState) -> Literal["decide", "finish"]:
    return "decide" if state.get("outcome") else "finish"


def draining(state: LoopState, to: str) -> str:
    """Where a route that ends the run goes instead while experiments are in flight."""
    return "collect" if to == "finish" and state.get("inflight") else to
