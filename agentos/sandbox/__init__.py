"""The sandbox contract: run one command on a read-only snapshot under limits."""

from agentos.sandbox.base import (
    Limits,
    RunRequest,
    RunResult,
    Sandbox,
    SandboxUnavailable,
    backend_names,
    get_backend,
    register_backend,
)

__all__ = [
    "Limits",
    "RunRequest",
    "RunResult",
    "Sandbox",
    "SandboxUnavailable",
    "backend_names",
    "get_backend",
    "register_backend",
]
