"""Providers propose edits and review them (`agentos.providers.base`: the contract and the
registry). This module owns the one decision "Claude or offline?": `resolve(spec)`, which
`get_provider`, the skill tuner, the skill router and self-tune all ask.

Claude is reachable when `ANTHROPIC_API_KEY` is set, or when `ANTHROPIC_BASE_URL` points at this
machine (a local fake API that needs no key). It imports nothing heavy: the `anthropic` SDK is
loaded only by the providers that use it.
"""

from __future__ import annotations

import logging
import os
from ipaddress import ip_address
from urllib.parse import urlsplit

log = logging.getLogger(__name__)

OFFLINE = "heuristic"  # the provider that needs no model


def is_loopback(url: str) -> bool:
    """True when `url` points at this machine (127.0.0.0/8, ::1 or `localhost`)."""
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


def _claude_reachable() -> bool:
    base = os.environ.get("ANTHROPIC_BASE_URL", "")
    return bool(os.environ.get("ANTHROPIC_API_KEY")) or bool(base and is_loopback(base))


def resolve(spec: str) -> str:
    """The provider spec to build for `spec`: `auto` is `anthropic` when Claude is reachable and
    the offline `heuristic` otherwise; `anthropic[:MODEL]` with Claude unreachable falls back to
    `heuristic` with a warning (so one agentos.toml runs with or without a key); any other spec
    is itself."""
    name = spec.partition(":")[0]
    if name == "auto":
        return "anthropic" if _claude_reachable() else OFFLINE
    if name == "anthropic" and not _claude_reachable():
        log.warning("ANTHROPIC_API_KEY is not set: using the offline heuristic provider")
        return OFFLINE
    return spec


def uses_claude(spec: str = "auto") -> bool:
    """Whether `spec` resolves to Claude (`resolve(spec)` names `anthropic`)."""
    return resolve(spec).partition(":")[0] == "anthropic"


__all__ = ["OFFLINE", "is_loopback", "resolve", "uses_claude"]
