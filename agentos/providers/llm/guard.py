"""The switch that keeps tests away from real model hosts.

Every request the LLM providers make is checked first. Real requests are off when the module
attribute `ALLOW_MODEL_REQUESTS` is false or the environment variable `AGENTOS_ALLOW_MODEL_REQUESTS`
is `0` (read at each request, so `monkeypatch.setenv` works after import and a CLI run in a
subprocess inherits the ban); either one is enough. While they are off, a request to any host other
than the loopback interface raises `ModelRequestsDisallowed`; the local fake of the Messages API
(`agentos.providers.llm.fake_api`, always on 127.0.0.1) stays reachable.

`ModelRequestsDisallowed` is deliberately not a `ProviderError`: the loop turns provider errors
into a `rejected` experiment, and a test that tried to reach a real model must fail loudly instead.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

from agentos.providers import is_loopback

ENV = "AGENTOS_ALLOW_MODEL_REQUESTS"

ALLOW_MODEL_REQUESTS: bool = True


def requests_allowed() -> bool:
    """False when the module switch or the environment turns real requests off."""
    env = os.environ.get(ENV, "1").strip().lower()
    return ALLOW_MODEL_REQUESTS and env not in {"0", "false", "no"}


class ModelRequestsDisallowed(RuntimeError):
    """A request to a real model host while `ALLOW_MODEL_REQUESTS` is off."""


def check_request_allowed(url: str) -> None:
    """Raise `ModelRequestsDisallowed` if a request to `url` is not allowed right now."""
    if not requests_allowed() and not is_loopback(url):
        raise ModelRequestsDisallowed(
            f"request to {urlsplit(url).hostname or url!r} blocked: real model requests are off "
            f"(agentos.providers.llm.guard.ALLOW_MODEL_REQUESTS is False, {ENV}=0); point the "
            "provider at agentos.providers.llm.fake_api instead"
        )


@contextmanager
def allow_model_requests(allow: bool) -> Iterator[None]:
    """Set `ALLOW_MODEL_REQUESTS` for the duration of a `with` block, then restore it."""
    global ALLOW_MODEL_REQUESTS
    before = ALLOW_MODEL_REQUESTS
    ALLOW_MODEL_REQUESTS = allow
    try:
        yield
    finally:
        ALLOW_MODEL_REQUESTS = before
