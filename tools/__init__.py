"""The built-in tool nodes. Importing this package registers them through `agentos.tool.tool`,
the same hook a plugin uses (entry point `builtin-tools = agentos.tools`)."""

from . import mypy_gate, pytest_gate, ruff_gate

__all__ = ["mypy_gate", "pytest_gate", "ruff_gate"]
