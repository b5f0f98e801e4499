"""The last node: make sure the branch `agentos/<run>` exists at the best commit, close the run."""

from __future__ import annotations

import contextlib
from typing import Any

from agentos.git import RefConflict
from agentos.runtime import Runtime
from agentos.state import LoopState


def make_finish(rt: Runtime, stop_reason: Any) -> Any:
    def finish(state: LoopState) -> dict[str, Any]:
        reason = stop_reason(rt, state) or "finished"
        best = state.get("best", {}).get("commit")
        if best and rt.repo.rev(rt.branch_ref) is None:
            with contextlib.suppress(RefConflict):
                rt.repo.update_ref(rt.branch_ref, best, None)
        rt.ledger.finish_run(rt.run_id, reason)
        return {"stop": reason}

    return finish
