"""Turn a Messages API response (as its JSON object) into a `Proposal` or a `Review`.

The provider forces one tool call; anything else (no tool use, the wrong tool, a missing or
mistyped field, an empty proposal, a rubric check left out) is a `MalformedResponse`, which the
provider retries a bounded number of times before giving up with a `ProviderError`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from agentos.providers.base import Check, Proposal, ProviderError, Review, Usage
from agentos.providers.llm.pricing import usage_cost
from agentos.providers.llm.prompts import RUBRIC
from agentos.state import Edit

NO_USAGE = Usage()


class MalformedResponse(ProviderError):
    """A response that does not hold one well-formed call of the expected tool."""


def _tool_input(message: Mapping[str, Any], tool: str) -> Mapping[str, Any]:
    content = message.get("content")
    if not isinstance(content, list):
        raise MalformedResponse("response has no content list")
    calls = [b for b in content if isinstance(b, dict) and b.get("type") == "tool_use"]
    if not calls:
        raise MalformedResponse(f"response has no tool use (expected a call of {tool!r})")
    call = calls[0]
    if call.get("name") != tool:
        raise MalformedResponse(f"response called tool {call.get('name')!r}, expected {tool!r}")
    data = call.get("input")
    if not isinstance(data, dict):
        raise MalformedResponse(f"{tool} input is not an object")
    return data


def _str(data: Mapping[str, Any], key: str, where: str) -> str:
    value = data.get(key)
    if not isinstance(value, str):
        raise MalformedResponse(f"{where}.{key} must be a string")
    return value


def _list(data: Mapping[str, Any], key: str, where: str) -> list[Mapping[str, Any]]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise MalformedResponse(f"{where}.{key} must be a list of objects")
    return value


def usage_of(message: Mapping[str, Any], model: str) -> Usage:
    """Tokens and dollars of one response, from its `usage` object."""
    raw = message.get("usage")
    u: Mapping[str, Any] = raw if isinstance(raw, dict) else {}

    def n(key: str) -> int:
        value = u.get(key)
        return value if isinstance(value, int) and value >= 0 else 0

    return usage_cost(
        model,
        input_tokens=n("input_tokens"),
        output_tokens=n("output_tokens"),
        cache_write_tokens=n("cache_creation_input_tokens"),
        cache_read_tokens=n("cache_read_input_tokens"),
    )


def parse_proposal(message: Mapping[str, Any], usage: Usage = NO_USAGE) -> Proposal:
    """The `propose` tool call of `message` as a `Proposal`."""
    return _proposal(_tool_input(message, "propose"), "propose", usage)


def parse_proposals(
    message: Mapping[str, Any], count: int, usage: Usage = NO_USAGE
) -> list[Proposal]:
    """The `propose_batch` tool call of `message`: its first `count` proposals, each one that
    repeats an earlier one's edits and components left out; `usage` goes with the first."""
    items = _list(_tool_input(message, "propose_batch"), "proposals", "propose_batch")
    if not items:
        raise MalformedResponse("propose_batch returned no proposals")
    out: list[Proposal] = []
    for i, item in enumerate(items[:count]):
        p = _proposal(item, f"propose_batch.proposals[{i}]", NO_USAGE if out else usage)
        if all(p.edits != q.edits or p.components != q.components for q in out):
            out.append(p)
    return out


def _proposal(data: Mapping[str, Any], where: str, usage: Usage) -> Proposal:
    description = _str(data, "description", where).strip()
    if not description:
        raise MalformedResponse(f"{where}.description is empty")
    edits: list[Edit] = [
        Edit(
            path=_str(e, "path", f"{where}.edits[{i}]"),
            search=_str(e, "search", f"{where}.edits[{i}]"),
            replace=_str(e, "replace", f"{where}.edits[{i}]"),
        )
        for i, e in enumerate(_list(data, "edits", where))
    ]
    components = {
        _str(c, "path", f"{where}.components[{i}]"): _str(c, "text", f"{where}.components[{i}]")
        for i, c in enumerate(_list(data, "components", where))
    }
    if not edits and not components:
        raise MalformedResponse(f"{where} returned neither edits nor components")
    return Proposal(description, tuple(edits), components, usage)


def parse_review(message: Mapping[str, Any], usage: Usage = NO_USAGE) -> Review:
    """The `review` tool call of `message` as a `Review` with every rubric check, in order."""
    data = _tool_input(message, "review")
    found: dict[str, Check] = {}
    for i, c in enumerate(_list(data, "checks", "review")):
        name = _str(c, "name", f"review.checks[{i}]")
        passed = c.get("passed")
        if not isinstance(passed, bool):
            raise MalformedResponse(f"review.checks[{i}].passed must be true or false")
        found.setdefault(name, Check(name, passed, _str(c, "reason", f"review.checks[{i}]")))
    missing = [name for name in RUBRIC if name not in found]
    if missing:
        raise MalformedResponse("review left out rubric checks: " + ", ".join(missing))
    return Review(tuple(found[name] for name in RUBRIC), usage)
