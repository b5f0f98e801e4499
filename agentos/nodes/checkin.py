"""The check-in node: pause the graph with a summary and wait for a human or the host app.

Resume with `Command(resume=...)`: "continue", "stop", or {"direction": "text for the proposer"}.
The direction is quoted to the proposer as data; it cannot change a decision. Any other answer
is refused, never taken as "continue": the check-in asks again, its summary now carrying `error`
(the one-line `CheckinAnswerError` message), and the graph stays paused until a valid answer.
"""

from __future__ import annotations

from typing import Any

from langgraph.types import interrupt

from agentos.errors import UserError
from agentos.events import clean
from agentos.runtime import Runtime
from agentos.state import LoopState, LoopUpdate, Node

ASK = 'resume with "continue", "stop" or {"direction": "..."}'


class CheckinAnswerError(UserError):
    """A check-in was resumed with an answer it does not know."""


def read_answer(answer: object) -> LoopUpdate:
    """The state update an answer makes; an unknown answer raises `CheckinAnswerError`."""
    if answer == "continue":
        return {}
    if answer == "stop":
        return {"stop": "stopped at check-in"}
    if isinstance(answer, dict) and set(answer) == {"direction"}:
        direction = answer["direction"]
        if isinstance(direction, str) and direction.strip():
            return {"direction": direction[:2000]}
    raise CheckinAnswerError(f"unknown check-in answer {answer!r:.200}", fix=ASK)


def make_checkin(rt: Runtime) -> Node:
    def checkin(state: LoopState) -> LoopUpdate:
        recent = state.get("history", [])[-5:]
        summary: dict[str, Any] = {
            "run": rt.run_id,
            "experiment": state["experiment"],
            "baseline": state["baseline"]["metric"],
            "best": state["best"]["metric"],
            # one readable line each, as `agentos status` prints them (a description can run
            # to the full configuration the heuristic proposer appends)
            "recent": [
                f"#{h['id']} {h['status']} {h['metric']} {clean(h['description'], 120)}"
                for h in recent
            ],
            "ask": ASK,
        }
        while True:  # each refusal is another interrupt: LangGraph replays answers in order
            try:
                return read_answer(interrupt(summary))
            except CheckinAnswerError as exc:
                summary = {**summary, "error": str(exc)}

    return checkin
