"""The graph's nodes: the package's face is all `agentos.graph` imports. Each module holds one node
factory, `make_X(rt) -> Node` (`agentos.state.Node`: `LoopState -> LoopUpdate`), or a router.

Nodes share what they need through `agentos.candidate`, `agentos.evaluate` (measure, gating, the
keep rule) and `agentos.record`; the stop rules live in `agentos.nodes.stop`, used by the router
after `decide` and by `finish`.
"""

from agentos.nodes.baseline import make_baseline
from agentos.nodes.batch import (
    after_collect,
    close_executor,
    draining,
    make_batch_propose,
    make_collect,
    make_submit,
    route_after_submit,
    route_batch_after_decide,
)
from agentos.nodes.canary import make_canary
from agentos.nodes.checkin import make_checkin
from agentos.nodes.decide import make_decide, route_after_decide
from agentos.nodes.finish import make_finish
from agentos.nodes.gates import make_gates
from agentos.nodes.propose import make_propose
from agentos.nodes.review import make_review
from agentos.nodes.run import make_run
from agentos.nodes.stop import started, stop_reason
from agentos.nodes.tools import make_tool, make_tool_join, route_tools

__all__ = [
    "after_collect",
    "close_executor",
    "draining",
    "make_baseline",
    "make_batch_propose",
    "make_canary",
    "make_checkin",
    "make_collect",
    "make_decide",
    "make_finish",
    "make_gates",
    "make_propose",
    "make_review",
    "make_run",
    "make_submit",
    "make_tool",
    "make_tool_join",
    "route_after_decide",
    "route_after_submit",
    "route_batch_after_decide",
    "route_tools",
    "started",
    "stop_reason",
]
