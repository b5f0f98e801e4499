"""The built-in tool nodes: plugins only. Importing this package registers them through
`agentos.tool.tool`, the same hook a plugin uses (entry point `builtin-tools = agentos.tools`).
The engine that runs them (stages, `GateRun`, pins, the canary) is `agentos.evaluate`."""

from . import (
    data_only,
    integrity,
    metric,
    mypy_gate,
    pytest_gate,
    ruff_gate,
    selftune_profile,
    settings_only,
    skill_gates,
    static,
)
from .integrity import pin_protected
from .pytest_gate import pin_test_manifest
from .trainer import node as trainer_node

__all__ = [
    "data_only",
    "integrity",
    "metric",
    "mypy_gate",
    "pin_protected",
    "pin_test_manifest",
    "pytest_gate",
    "ruff_gate",
    "selftune_profile",
    "settings_only",
    "skill_gates",
    "static",
    "trainer_node",
]
