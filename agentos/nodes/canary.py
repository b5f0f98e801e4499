"""The canary node: every `canary_every` experiments, a known-bad patch (the task's `canary`,
a diff against the baseline) goes through the gates and the evaluator, judged against the
baseline. If what should refuse it lets it through, the checks
are broken and the run stops with the reason; either way the verdict is a ledger row
(`kind = canary`, attempt 0, so it never collides with an experiment's attempts).
"""

from __future__ import annotations

from typing import Any

from agentos.errors import UserError
from agentos.evaluator import Evaluation
from agentos.measure import snapshot_dir
from agentos.record import record
from agentos.runtime import Runtime
from agentos.scratch import scratch
from agentos.state import LoopState
from agentos.tool import ToolContext


def make_canary(rt: Runtime) -> Any:
    def canary(state: LoopState) -> dict[str, Any]:
        from agentos.tools.canary import check_canary

        exp = state["experiment"]
        base = state["baseline"]  # the patch is written against the baseline, and judged by it
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
        with scratch("canary") as work, snapshot_dir(rt.repo, base["commit"]) as tree:
            ctx = ToolContext(
                tree=tree,
                changed=[],
                task=rt.task,
                sandbox=rt.sandbox,
                trusted_dir=rt.run_dir / "trusted",
            )
            verdict = check_canary(
                patch,
                ctx=ctx,
                uses=rt.task.tools,
                evaluator=rt.evaluator,
                incumbent=Evaluation(metric=base["metric"]),
                work_dir=work,
            )
        record(
            rt,
            {
                "id": exp,
                "attempt": 0,
                "kind": "canary",
                "parent": base["commit"],
                "description": f"canary {rt.task.canary}",
                "status": "invalid" if verdict.broken else "rejected",
                "metric": verdict.evaluation.metric,
                "reason": verdict.message,
            },
        )
        return {"stop": verdict.message} if verdict.broken else {}

    return canary
