"""The decide node: deterministic code, never model text, turns an outcome into a status.

Failures keep their status; a measured candidate goes to the strategy (which may ask for a paired
re-measurement when the gain is within the noise) and then to the evaluator's veto. `keep` moves
`refs/agentos/<run>/best` and the branch `agentos/<run>` by compare-and-swap. The row is written
once per attempt, so a re-run of this node after a crash changes nothing.
"""

from __future__ import annotations

from typing import Any, Literal

from agentos.evaluate import Evaluation, canary_applies, refuse_keep
from agentos.git import RefConflict
from agentos.memory import kept_diff
from agentos.nodes.propose import VETO_PREFIX
from agentos.nodes.stop import since_keep, started, stop_reason
from agentos.record import record, score_of
from agentos.runtime import Runtime
from agentos.state import HistoryItem, LoopState, LoopUpdate, Node, Outcome, Point

MAX_REMEASURE = 18  # a safety cap above noise.MAX_RUNS, for strategies of other authors
UNDECIDED = "undecided: "
"""How the reason of a discard starts when the noise rule was still unsure of the candidate as
its re-measures ran out (the budget, the profile's share or cap): not kept, and not shown worse."""


def make_decide(rt: Runtime) -> Node:
    def decide(state: LoopState) -> LoopUpdate:
        exp = state["experiment"]
        candidate = state.get("candidate", {})
        outcome: Outcome = state.get("outcome", {})
        given = dict(state.get("strategy", {}))  # the strategy's state before this decision
        strategy = given
        update: LoopUpdate = {}
        vetoed = False
        incumbent = state["incumbent"]
        best = state["best"]
        status = outcome.get("status")
        reason = outcome.get("reason", "")
        scores = state.get("scores", {})
        review = state.get("review", {})
        if status is None:
            verdict = rt.strategy.decide(
                strategy,
                exp,
                candidate["commit"],
                scores.get("candidate", []),
                scores.get("incumbent", []),
                details=outcome.get("details", {}),
                descriptor=candidate.get("description", ""),
            )
            # a re-measure pass is two runs (the candidate and its pair) or one (the candidate
            # alone), inside the budget
            runs_left = rt.task.budget.experiments - started(state) - state.get("extra_runs", 0)
            # and within the search profile's share of the budget for re-measures
            need = verdict.pass_runs
            share = rt.task.profile.remeasure_share * rt.task.budget.experiments
            share_left = state.get("extra_runs", 0) + need <= share
            cap = min(MAX_REMEASURE, rt.task.profile.max_measures)  # the profile's, per candidate
            more = len(scores.get("candidate", [])) < cap and runs_left >= need
            more = more and share_left
            if verdict.verdict == "remeasure" and more:
                return {
                    "remeasure": True,
                    "strategy": verdict.state,
                    "pair": verdict.pair or incumbent["commit"],
                    "alone": verdict.alone,
                }
            status = "keep" if verdict.verdict == "keep" else "discard"
            reason = verdict.reason
            strategy = verdict.state
            walk = verdict.incumbent
            if verdict.verdict == "remeasure":  # undecided when the runs ran out: not kept
                ran_out = (
                    "the experiment budget has no runs left to re-measure"
                    if runs_left < need
                    else "the profile's re-measure share of the budget is spent"
                    if not share_left
                    else f"still unsure after {cap} measurements"
                )
                reason = f"{UNDECIDED}{reason}; {ran_out}"
                strategy = rt.strategy.fail(given, exp)
                walk = incumbent["commit"]
            if status == "keep":
                veto = refuse_keep(
                    rt.evaluator, _evaluation(best), _evaluation(outcome), gained=True
                )
                if veto:
                    # the strategy never learns of the candidate's score: a vetoed commit must
                    # not become its best or its walk, or the next proposals would build on it
                    # (`decide` left the state it was given untouched)
                    status, reason, vetoed = "discard", f"{VETO_PREFIX}{veto}", True
                    strategy = rt.strategy.fail(given, exp)
                    walk = incumbent["commit"]
            samples = scores.get("candidate", [])
            # orientation is its own inverse: score_of turns scores back into metrics
            metric = (
                _mean([score_of(rt.task, v) for v in samples]) if samples else outcome.get("metric")
            )
            point: Point = {
                "commit": candidate["commit"],
                "metric": metric,
                "details": outcome.get("details", {}),
                "holdout": outcome.get("holdout", {}),
            }
            if status == "keep":
                reason = _promote(rt, best["commit"], point["commit"], reason)
                update["best"] = point
            update["incumbent"] = (
                point if status == "keep" or walk == candidate["commit"] else incumbent
            )
        else:
            strategy = rt.strategy.fail(strategy, exp)
            metric = None
        row = record(
            rt,
            {
                "id": exp,
                "attempt": outcome.get("attempt") or 1,
                "parent": candidate.get("parent", ""),
                "commit": candidate.get("commit", ""),
                "description": candidate.get("description", ""),
                "diff_summary": candidate.get("summary", ""),
                "status": status,
                "metric": metric if status in ("keep", "discard") else outcome.get("metric"),
                "reason": reason,
                "findings": state.get("gates", {}).get("findings", []),
                "review": state.get("review", {}),
                "timings": outcome.get("timings", {}),
                "tree_before": outcome.get("tree_before", ""),
                "tree_after": outcome.get("tree_after", ""),
                "tokens_in": candidate.get("tokens_in", 0) + _spent(review, "tokens_in"),
                "tokens_out": candidate.get("tokens_out", 0) + _spent(review, "tokens_out"),
                "cost_usd": candidate.get("cost_usd", 0.0) + _spent(review, "cost_usd"),
                "samples": scores.get("candidate") if status in ("keep", "discard") else None,
                "details": outcome.get("details") or None,
                "holdout": outcome.get("holdout") or None,
            },
        )
        item: HistoryItem = {
            "id": exp,
            "parent": candidate.get("parent", ""),
            "commit": candidate.get("commit", ""),
            "status": status,
            "metric": row.get("metric"),
            "description": candidate.get("description", ""),
            "reason": row.get("reason", ""),
        }
        if vetoed:
            item["vetoed"] = True
        diff = kept_diff(status, candidate.get("diff", ""))
        if diff is not None:
            item["diff"] = diff
        feedback = [] if status in ("keep", "discard") else [f"experiment {exp} {status}: {reason}"]
        return {
            **update,
            "strategy": strategy,
            "history": [item],
            "feedback": feedback,
            "remeasure": False,
        }

    return decide


def route_after_decide(rt: Runtime) -> Any:
    def route(state: LoopState) -> Literal["run", "canary", "checkin", "propose", "finish"]:
        if state.get("remeasure"):
            return "run"
        if stop_reason(rt, state):
            return "finish"
        if (
            rt.task.canary_every
            and state["experiment"] % rt.task.canary_every == 0
            and (rt.task.canary or canary_applies(rt.task, rt.repo, rt.baseline_commit))
        ):
            return "canary"
        every = rt.task.checkin.every
        if every and state["experiment"] % every == 0:
            return "checkin"
        plateau = rt.task.checkin.on_plateau
        if plateau and since_keep(state) == plateau:
            return "checkin"
        return "propose"

    return route


def _promote(rt: Runtime, old: str, new: str, reason: str) -> str:
    """Move best, then the branch, each only from where agentos last left it."""
    current = rt.repo.rev(rt.best_ref)
    if current != new:
        rt.repo.update_ref(rt.best_ref, new, old)
    branch = rt.repo.rev(rt.branch_ref)
    if branch == new:
        return reason
    try:
        rt.repo.update_ref(rt.branch_ref, new, old if branch is not None else None)
    except RefConflict:
        return f"{reason}; promotion refused: agentos/{rt.run_id} was moved by someone else"
    return reason


def _spent(review: dict[str, object], key: str) -> Any:
    """What the review cost (its tokens and dollars go in the experiment's row too)."""
    value = review.get(key, 0)
    return value if isinstance(value, int | float) else 0


def _evaluation(point: Any) -> Evaluation:
    return Evaluation(
        metric=point.get("metric"),
        details=point.get("details", {}) or {},
        holdout=point.get("holdout", {}) or {},
    )


def _mean(values: list[float]) -> float:
    return sum(values) / len(values)
