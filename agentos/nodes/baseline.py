"""The first node: measure the baseline commit (several times when the task asks, to estimate the
noise), pin the protected files, and start the strategy."""

from __future__ import annotations

import json
import time

from agentos.evaluate import Evaluation, measure
from agentos.record import record, score_of
from agentos.runtime import Runtime
from agentos.state import LoopState, LoopUpdate, Node, Point, Status


def make_baseline(rt: Runtime) -> Node:
    def baseline(state: LoopState) -> LoopUpdate:
        commit = rt.baseline_commit
        existing = rt.ledger.find(rt.run_id, 0)
        details: dict[str, float] = {}
        holdout: dict[str, float] = {}
        if existing is not None and existing["status"] == "keep":
            metrics = [float(existing["metric"] or 0.0)]
            details = json.loads(existing.get("details") or "{}") or {}
            holdout = json.loads(existing.get("holdout") or "{}") or {}
        else:
            metrics = []
            failed: Evaluation | None = None
            for _ in range(1 + rt.task.search.noise_reruns):
                m = measure(rt.repo, commit, rt.evaluator)
                if m.evaluation.metric is None:
                    failed = m.evaluation
                    break
                metrics.append(m.evaluation.metric)
                details, holdout = dict(m.evaluation.details), dict(m.evaluation.holdout)
            # a failed baseline keeps its own status (crash, timeout, oom, invalid) in the ledger
            status: Status = "keep" if failed is None else failed.status or "invalid"
            reason = "baseline" if failed is None else f"{status}: {failed.reason}"
            record(
                rt,
                {
                    "id": 0,
                    "attempt": 1,
                    "kind": "baseline",
                    "parent": commit,
                    "commit": commit,
                    "description": "baseline",
                    "status": status,
                    "metric": sum(metrics) / len(metrics) if metrics else None,
                    "reason": reason,
                    "samples": metrics,
                    "tree_before": m.tree_before,
                    "tree_after": m.tree_after,
                    "timings": m.timings,
                    "details": details or None,
                    "holdout": holdout or None,
                },
            )
            if failed is not None:
                # `outcome` carries the status and the log tail to the run's summary
                return {
                    "run_id": rt.run_id,
                    "stop": f"the baseline does not measure: {reason}",
                    "baseline": {"commit": commit, "metric": None},
                    "outcome": {
                        "status": status,
                        "metric": None,
                        "reason": failed.reason,
                        "log_tail": failed.log_tail,
                    },
                }
        # the veto compares candidates with this point: it carries the evaluator's figures
        point: Point = {"commit": commit, "metric": sum(metrics) / len(metrics)}
        if details:
            point["details"] = details
        if holdout:
            point["holdout"] = holdout
        rt.repo.update_ref(rt.best_ref, commit, rt.repo.rev(rt.best_ref))
        scores = [score_of(rt.task, v) for v in metrics]
        return {
            "run_id": rt.run_id,
            "experiment": 0,
            "evaluations": len(metrics),
            "baseline": point,
            "best": point,
            "incumbent": point,
            "strategy": rt.strategy.start(commit, scores, rt.task.search.seed),
            "started_at": state.get("started_at") or time.time(),
            "tokens": 0,
            "cost_usd": 0.0,
            "stop": None,
        }

    return baseline
