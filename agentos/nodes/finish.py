"""The last node: make sure the branch `agentos/<run>` exists at the best commit (unless the run
tried nothing), close the run and its executor in this process (with workers)."""

from __future__ import annotations

import contextlib

from agentos.git import RefConflict
from agentos.nodes.batch import close_executor
from agentos.nodes.stop import started, stop_reason
from agentos.providers.base import NOTHING_TO_TRY
from agentos.runtime import Runtime
from agentos.state import LoopState, LoopUpdate, Node


def make_finish(rt: Runtime) -> Node:
    def finish(state: LoopState) -> LoopUpdate:
        reason = stop_reason(rt, state) or "finished"
        best = state.get("best", {}).get("commit")
        # a run that tried nothing (its proposer had nothing before the first experiment) failed
        # at its job and leaves no branch; any other run ends with one at its best commit
        tried = started(state) > 0 or not reason.startswith(NOTHING_TO_TRY)
        if best and tried and rt.repo.rev(rt.branch_ref) is None:
            with contextlib.suppress(RefConflict):
                rt.repo.update_ref(rt.branch_ref, best, None)
        rt.ledger.finish_run(rt.run_id, reason)
        close_executor(rt.run_id)
        return {"stop": reason}

    return finish
