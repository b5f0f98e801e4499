"""The one plugin mechanism: the `agentos` entry point group.

Each entry point names a module; importing it registers what it defines (tools through
`agentos.tool.tool`, sandbox backends through `agentos.sandbox.register_backend`, providers through
`agentos.providers.register_provider`). The built-ins load the same way, from agentos' own
`pyproject.toml`.
"""

from __future__ import annotations

import logging
import threading
from importlib.metadata import entry_points

log = logging.getLogger(__name__)

GROUP = "agentos"
_loaded = False
_lock = threading.Lock()


def load_plugins() -> None:
    """Import every module of the `agentos` entry point group once (thread-safe: a second
    thread waits until the first has registered everything)."""
    global _loaded
    if _loaded:
        return
    with _lock:
        if _loaded:
            return
        _load()
        _loaded = True


def _load() -> None:
    for ep in sorted(
        entry_points(group=GROUP), key=lambda e: (not e.name.startswith("builtin"), e.name)
    ):
        try:
            ep.load()
        except Exception:
            log.exception("plugin %s (%s) failed to load", ep.name, ep.value)
