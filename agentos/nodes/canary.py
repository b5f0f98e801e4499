"""The canary node: every `canary_every` experiments, known-bad candidates go through the gates
and the evaluator, judged against the baseline: the task's `canary` (a diff against the baseline,
committed on it and judged like any candidate: built-in gates, tools, `measure()`) when it has
one, and the built-in forgeries (`agentos.evaluate.replay`: each forgery the task does
not accept, planted on the baseline again). If what should refuse one lets it through, the checks
are broken and the run stops with the reason; either way the verdict is one ledger row
(`kind = canary`, attempt 0, so it never collides with an experiment's attempts).
"""

from __future__ import annotations

from typing import Any

from agentos.errors import UserError
from agentos.evaluate import Evaluation, check_canary
from agentos.nodes.gates import pin_once
from agentos.record import record
from agentos.runtime import Runtime
from agentos.state import LoopState, LoopUpdate, Node


def make_canary(rt: Runtime) -> Node:
    def canary(state: LoopState) -> LoopUpdate:
        from agentos.evaluate import canary_applies, replay

        exp = state["experiment"]
        base = state["baseline"]  # the patch is written against the baseline, and judged by it
        broken, messages, metric = False, [], None
        if rt.task.canary is not None:
            broken, message, metric = _task_canary(rt, base)
            messages.append(message)
        names = [rt.task.canary] if rt.task.canary else []
        if not broken and canary_applies(rt.task, rt.repo, base["commit"]):
            broken, message = replay(
                rt.task, rt.repo, base["commit"], sandbox=rt.sandbox, evaluator=rt.evaluator
            )
            messages.append(message)
            names.append("forgeries")
        record(
            rt,
            {
                "id": exp,
                "attempt": 0,
                "kind": "canary",
                "parent": base["commit"],
                "description": "canary " + " + ".join(names),
                "status": "invalid" if broken else "rejected",
                "metric": metric,
                "reason": "; ".join(messages),
            },
        )
        return {"stop": messages[-1]} if broken else {}

    return canary


def _task_canary(rt: Runtime, base: Any) -> tuple[bool, str, float | None]:
    """The task's own canary patch, committed on the baseline and judged like a candidate:
    (broken, message, the metric it measured)."""
    assert rt.task.canary is not None
    patch_path = rt.task.root / rt.task.canary
    try:
        patch = patch_path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UserError(
            f"cannot read the canary patch ({exc})",
            path=patch_path,
            fix="point task.canary at a unified diff in the repository",
        ) from exc
    trusted = rt.run_dir / "trusted"
    pin_once(rt, trusted)
    verdict = check_canary(
        patch,
        repo=rt.repo,
        parent=base["commit"],
        task=rt.task,
        sandbox=rt.sandbox,
        trusted=trusted,
        pins=rt.pins,
        evaluator=rt.evaluator,
        incumbent=Evaluation(metric=base["metric"]),
    )
    return verdict.broken, verdict.message, verdict.evaluation.metric
