"""The run node: measure the candidate commit in the sandbox, exactly one terminal row per attempt.

An attempt is marked in the ledger before its process starts. If the orchestrator died during an
earlier attempt of this experiment, that attempt gets its terminal `crash` row here, and a new
attempt runs; if it died while re-measuring, the measured attempt stays open for `decide`.
A `remeasure` pass measures the candidate once more, and its pair (the incumbent, or the commit
the strategy named) beside it unless the strategy asked for the candidate alone.

Every measurement of a commit that changed editable files must show that the change ran: when the
sandbox observed what was read (an audited Python interpreter reported) and the run read none of
the changed files that still exist, it is `invalid` (`agentos.evaluate.proven`).
"""

from __future__ import annotations

import secrets

from agentos.evaluate import Measurement, measure, proven
from agentos.record import record, score_of
from agentos.runtime import Runtime
from agentos.state import LoopState, LoopUpdate, Node, Outcome


def make_run(rt: Runtime) -> Node:
    # Orphaned attempts come only from a process that died: look for them once per graph (at
    # the first run after a start or resume), not on every experiment.
    checked = False

    def run(state: LoopState) -> LoopUpdate:
        nonlocal checked
        if state.get("outcome") and not state.get("remeasure"):
            return {}
        exp = state["experiment"]
        candidate = state["candidate"]
        orphans = [] if checked else rt.ledger.open_attempts(rt.run_id)
        # open, yet not orphans: the batch's own, and this experiment's measured attempt when the
        # process died during its re-measure (the state holds its outcome; `decide` records it)
        listed = {(e["experiment"], e["attempt"]) for e in state.get("inflight", [])}
        measured = state.get("outcome", {}).get("attempt")
        if state.get("remeasure") and measured:
            listed.add((exp, measured))
        orphans = [o for o in orphans if (o["id"], o["attempt"]) not in listed]
        checked = True
        for orphan in orphans:
            record(
                rt,
                {
                    "id": orphan["id"],
                    "attempt": orphan["attempt"],
                    "parent": candidate["parent"],
                    "commit": candidate.get("commit", ""),
                    "description": candidate.get("description", ""),
                    "status": "crash",
                    "reason": "the orchestrator died during this attempt; retried",
                },
            )
        scores = {k: list(v) for k, v in state.get("scores", {}).items()}
        evaluations = state.get("evaluations", 0)
        if state.get("remeasure"):
            parents = {h["commit"]: h["parent"] for h in state.get("history", [])}
            pair = state.get("pair") or state["incumbent"]["commit"]
            passes = [("candidate", candidate["commit"], candidate["parent"], "")]
            if not state.get("alone"):
                label = f"re-measuring {pair[:12]}: "
                passes.append(("incumbent", pair, parents.get(pair, ""), label))
            for key, commit, parent, who in passes:
                m = measure(rt.repo, commit, rt.evaluator)
                m = proven(rt.repo, rt.task, parent, commit, m, who)
                evaluations += 1
                if m.evaluation.metric is None:
                    return {
                        "remeasure": False,
                        "evaluations": evaluations,
                        "outcome": outcome_of(m, 0),
                    }
                scores.setdefault(key, []).append(score_of(rt.task, m.evaluation.metric))
            return {
                "remeasure": False,
                "scores": scores,
                "evaluations": evaluations,
                "extra_runs": state.get("extra_runs", 0) + len(passes),
            }
        attempt = rt.ledger.begin_attempt(rt.run_id, exp, secrets.token_hex(8))
        m = measure(rt.repo, candidate["commit"], rt.evaluator)
        m = proven(rt.repo, rt.task, candidate["parent"], candidate["commit"], m)
        outcome = outcome_of(m, attempt)
        if m.evaluation.metric is not None:
            scores = {"candidate": [score_of(rt.task, m.evaluation.metric)]}
        return {"outcome": outcome, "scores": scores, "evaluations": evaluations + 1}

    return run


def outcome_of(m: Measurement, attempt: int) -> Outcome:
    """The state's `Outcome` of measurement `m` (attempt `attempt`): the run node's and the batch's
    collect node's."""
    e = m.evaluation
    outcome: Outcome = {
        "metric": e.metric,
        "reason": e.reason,
        "duration": e.duration,
        "tree_before": m.tree_before,
        "tree_after": m.tree_after,
        "log_tail": e.log_tail,
        "attempt": attempt,
        "timings": m.timings,
        "details": dict(e.details),
        "holdout": dict(e.holdout),
    }
    if e.status is not None:
        outcome["status"] = e.status
    return outcome
