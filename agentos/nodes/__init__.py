"""The graph's nodes. Each module holds one node factory: `make_X(rt) -> node(state) -> update`.

Nodes never import each other; what they share lives in `agentos.candidate`, `agentos.measure`
and `agentos.record`.
"""

from agentos.nodes.baseline import make_baseline
from agentos.nodes.checkin import make_checkin
from agentos.nodes.decide import make_decide, route_after_decide
from agentos.nodes.finish import make_finish
from agentos.nodes.gates import make_gates
from agentos.nodes.propose import make_propose
from agentos.nodes.review import make_review
from agentos.nodes.run import make_run

__all__ = [
    "make_baseline",
    "make_checkin",
    "make_decide",
    "make_finish",
    "make_gates",
    "make_propose",
    "make_review",
    "make_run",
    "route_after_decide",
]
