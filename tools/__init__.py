"""The built-in tool nodes. Importing this package registers them through `agentos.tool.tool`,
the same hook a plugin uses (entry point `builtin-tools = agentos.tools`)."""

from . import data_only, integrity, metric, mypy_gate, pytest_gate, ruff_gate, static
from .canary import CanaryVerdict, apply_patch, check_canary
from .integrity import pin_protected
from .pytest_gate import pin_test_manifest
from .runner import GateRun, blocked, join, plan, run_gates, run_one
from .trainer import node as trainer_node

__all__ = [
    "CanaryVerdict",
    "GateRun",
    "apply_patch",
    "blocked",
    "check_canary",
    "data_only",
    "integrity",
    "join",
    "metric",
    "mypy_gate",
    "pin_protected",
    "pin_test_manifest",
    "plan",
    "pytest_gate",
    "ruff_gate",
    "run_gates",
    "run_one",
    "static",
    "trainer_node",
]
