"""The Messages API client and one raw request, shared by every agentos caller of Claude.

The provider (`agentos.providers.llm.claude`) and the skill router (`agentos.skill.claude_router`)
build their SDK client and send requests here, so both read the key and host the same way, reach
only what `guard.check_request_allowed` permits, and turn the SDK's errors into the same two kinds:
a refused key is the user's to fix (`UserError`), anything else after the SDK's own retries of
429 / 529 / 5xx is a `ProviderError`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any

import anthropic
from anthropic.types import ToolChoiceParam

from agentos.errors import UserError
from agentos.providers import is_loopback
from agentos.providers.base import ProviderError
from agentos.providers.llm.guard import check_request_allowed

FAKE_KEY = "agentos-local-fake"

# Models that answer a forced tool choice with a 400 error (Anthropic's migration guides for the
# 5.5 models). They get `auto`; every agentos prompt asks for its one tool call, and a reply
# without it is malformed and asked again, as on any model.
UNFORCED = ("claude-sonnet-5-5", "claude-opus-5-5")


def tool_choice(model: str, tool: str) -> ToolChoiceParam:
    """Force the call of `tool`, except on models that refuse a forced choice (`UNFORCED`)."""
    if model.startswith(UNFORCED):
        return {"type": "auto"}
    return {"type": "tool", "name": tool}


def configured(api_key: str | None, base_url: str | None) -> tuple[str | None, str | None]:
    """The key and host to use: the arguments, else `ANTHROPIC_API_KEY` / `ANTHROPIC_BASE_URL`."""
    key = api_key if api_key is not None else os.environ.get("ANTHROPIC_API_KEY")
    return key, base_url or os.environ.get("ANTHROPIC_BASE_URL") or None


def make_client(
    key: str | None, base_url: str | None, *, max_retries: int, timeout: float
) -> anthropic.Anthropic:
    """The SDK client; a loopback host (the local fake) needs no real key."""
    if not key and base_url and is_loopback(base_url):
        key = FAKE_KEY
    if not key:
        raise UserError("ANTHROPIC_API_KEY is not set", fix="export ANTHROPIC_API_KEY=...")
    return anthropic.Anthropic(
        api_key=key, base_url=base_url, max_retries=max_retries, timeout=timeout
    )


def send(client: anthropic.Anthropic, payload: Mapping[str, Any], *, who: str) -> object:
    """One Messages API call (with the SDK's own retries): the decoded JSON body, or None when the
    body is not JSON. `who` prefixes the `ProviderError` message."""
    check_request_allowed(str(client.base_url))
    try:
        raw = client.messages.with_raw_response.create(**payload)
        text = raw.text()
    except (anthropic.AuthenticationError, anthropic.PermissionDeniedError) as exc:
        raise UserError(
            f"the Messages API refused the key ({exc.status_code})",
            fix="check ANTHROPIC_API_KEY",
        ) from exc
    except anthropic.APIError as exc:
        raise ProviderError(f"{who}: {type(exc).__name__}: {exc}") from exc
    try:
        body: object = json.loads(text)
    except ValueError:
        return None
    return body
