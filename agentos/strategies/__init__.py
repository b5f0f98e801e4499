"""Search strategies: where to propose from and whether to keep what came back.

Importing this package registers the built-ins with `agentos.strategies.base.register_strategy`.
"""

from agentos.strategies.anneal import Anneal
from agentos.strategies.base import (
    Choice,
    Decision,
    Strategy,
    get_strategy,
    register_strategy,
    strategy_names,
)
from agentos.strategies.greedy import Greedy
from agentos.strategies.islands import Islands
from agentos.strategies.pareto import Pareto
from agentos.strategies.restarts import Restarts

__all__ = [
    "Anneal",
    "Choice",
    "Decision",
    "Greedy",
    "Islands",
    "Pareto",
    "Restarts",
    "Strategy",
    "get_strategy",
    "register_strategy",
    "strategy_names",
]
