"""The check-in node: pause the graph with a summary and wait for a human or the host app.

Resume with `Command(resume=...)`: "continue", "stop", or {"direction": "text for the proposer"}.
The direction is quoted to the proposer as data; it cannot change a decision.
"""

from __future__ import annotations

from typing import Any

from langgraph.types import interrupt

from agentos.runtime import Runtime
from agentos.state import LoopState


def make_checkin(rt: Runtime) -> Any:
    def checkin(state: LoopState) -> dict[str, Any]:
        recent = state.get("history", [])[-5:]
        answer = interrupt(
            {
                "run": rt.run_id,
                "experiment": state["experiment"],
                "baseline": state["baseline"]["metric"],
                "best": state["best"]["metric"],
                "recent": [
                    f"#{h['id']} {h['status']} {h['metric']} {h['description']}" for h in recent
                ],
                "ask": 'resume with "continue", "stop" or {"direction": "..."}',
            }
        )
        if answer == "stop":
            return {"stop": "stopped at check-in"}
        if isinstance(answer, dict) and isinstance(answer.get("direction"), str):
            return {"direction": answer["direction"][:2000]}
        return {}

    return checkin
