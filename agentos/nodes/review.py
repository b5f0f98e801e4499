"""The review node: the provider's rubric on the diff, blocking or advisory by task setting."""

from __future__ import annotations

from agentos.providers.base import ProviderError, ReviewRequest
from agentos.runtime import Runtime
from agentos.state import LoopState, LoopUpdate, Node


def make_review(rt: Runtime) -> Node:
    def review(state: LoopState) -> LoopUpdate:
        if state.get("outcome") or rt.task.review == "off":
            return {}
        candidate = state["candidate"]
        changed = candidate.get("changed", [])
        before = {
            p: b.decode("utf-8", "replace")
            for p, b in rt.repo.read_many(candidate["parent"], changed).items()
        }
        after = {
            p: b.decode("utf-8", "replace")
            for p, b in rt.repo.read_many(candidate["commit"], changed).items()
        }
        findings = [
            f"{f['tool']}: {f['path']}: {f['message']}"
            for f in state.get("gates", {}).get("findings", [])
        ]
        try:
            verdict = rt.provider.review(
                ReviewRequest(rt.task, candidate.get("diff", ""), changed, before, after, findings)
            )
        except ProviderError as exc:
            if rt.task.review == "blocking":
                return {
                    "review": {"passed": False, "error": str(exc)},
                    "outcome": {"status": "rejected", "reason": f"review failed: {exc}"},
                }
            return {"review": {"passed": None, "error": str(exc)}}
        checks = [{"name": c.name, "passed": c.passed, "reason": c.reason} for c in verdict.checks]
        update: LoopUpdate = {
            "review": {
                "passed": verdict.passed,
                "mode": rt.task.review,
                "checks": checks,
                "tokens_in": verdict.usage.tokens_in,
                "tokens_out": verdict.usage.tokens_out,
                "cost_usd": verdict.usage.cost_usd,
            },
            "tokens": state.get("tokens", 0) + verdict.usage.tokens_in + verdict.usage.tokens_out,
            "cost_usd": state.get("cost_usd", 0.0) + verdict.usage.cost_usd,
        }
        if not verdict.passed and rt.task.review == "blocking":
            failed = next(c for c in verdict.checks if not c.passed)
            update["outcome"] = {
                "status": "rejected",
                "reason": f"review: {failed.name}: {failed.reason}",
            }
        return update

    return review
