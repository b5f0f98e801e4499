"""The `anthropic` provider: Claude proposes and reviews through the Messages API.

One forced tool call per request (`propose` or `review`) gives structured output. The SDK retries
rate limits (429), overload (529) and server errors itself, honouring `retry-after`; this module
adds a bounded retry of malformed responses, the token and dollar budgets of the task, and the
switch that keeps tests away from real hosts (`guard.ALLOW_MODEL_REQUESTS`).

Configuration: the key from `ANTHROPIC_API_KEY`, the host from `ANTHROPIC_BASE_URL` (the local fake
in tests), the model from the task (`[llm] model`, or `--provider anthropic:MODEL`), the budgets
from `[budget] tokens` and `[budget] dollars`.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Mapping
from typing import Any, TypedDict, TypeVar

import anthropic
from anthropic.types import MessageParam, TextBlockParam, ToolChoiceParam, ToolParam

from agentos.providers.base import (
    BudgetSpent,
    Proposal,
    ProposeRequest,
    ProviderError,
    Review,
    ReviewRequest,
    Usage,
)
from agentos.providers.llm.client import configured, make_client, send, tool_choice
from agentos.providers.llm.guard import check_request_allowed
from agentos.providers.llm.parse import (
    MalformedResponse,
    parse_proposal,
    parse_proposals,
    parse_review,
    usage_of,
)
from agentos.providers.llm.prompts import (
    PROPOSE_TOOL,
    REVIEW_TOOL,
    propose_batch_tool,
    propose_prompt,
    review_prompt,
)
from agentos.task import Task

log = logging.getLogger(__name__)

T = TypeVar("T")


class Payload(TypedDict):
    """One Messages API request, exactly as sent (and digested for replay)."""

    model: str
    max_tokens: int
    system: list[TextBlockParam]
    tools: list[ToolParam]
    tool_choice: ToolChoiceParam
    messages: list[MessageParam]


def digest(payload: Payload) -> str:
    """`sha256:` of the canonical JSON of a request: the key under which replays are stored."""
    canon = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(canon.encode()).hexdigest()


def add(a: Usage, b: Usage) -> Usage:
    return Usage(a.tokens_in + b.tokens_in, a.tokens_out + b.tokens_out, a.cost_usd + b.cost_usd)


class ResponseError(ProviderError):
    """No usable response after the retries; `usage` is what the failed attempts cost."""

    def __init__(self, message: str, usage: Usage):
        super().__init__(message, usage)


class AnthropicProvider:
    """Claude through the official SDK. `spent` totals every call this instance made."""

    name = "anthropic"

    def __init__(
        self,
        task: Task,
        *,
        model: str | None = None,
        api_key: str | None = None,
        base_url: str | None = None,
        max_tokens: int = 4096,
        max_retries: int = 2,
        malformed_retries: int = 2,
        timeout: float = 120.0,
        skills: Mapping[str, str] | None = None,
    ):
        self.task = task
        self.skills = dict(skills or {})  # SKILL.md texts used instead of the installed ones
        self.model = model or task.model
        self.max_tokens = max_tokens
        self.malformed_retries = malformed_retries
        self.spent = Usage()
        self._key, self._base_url = configured(api_key, base_url)
        self._max_retries = max_retries
        self._timeout = timeout
        self._client: anthropic.Anthropic | None = None

    @property
    def client(self) -> anthropic.Anthropic:
        """The SDK client, built on first use (a replay that never records needs none)."""
        if self._client is None:
            self._client = make_client(
                self._key, self._base_url, max_retries=self._max_retries, timeout=self._timeout
            )
        return self._client

    # The two calls of the Provider protocol.

    def propose(self, request: ProposeRequest) -> Proposal:
        system, messages = propose_prompt(request, self.skills)
        return self._call(self.payload(system, messages, PROPOSE_TOOL), parse_proposal)

    def review(self, request: ReviewRequest) -> Review:
        system, messages = review_prompt(request, self.skills)
        return self._call(self.payload(system, messages, REVIEW_TOOL), parse_review)

    # The batch call (`agentos.providers.base.BatchProvider`), used with `[run] workers`.

    def propose_batch(self, request: ProposeRequest, count: int) -> list[Proposal]:
        """`count` differing proposals for the experiments from `request.experiment` on, in one
        Messages API call (one forced `propose_batch` tool call); its usage is on the first."""
        if count <= 1:
            return [self.propose(request)]
        system, messages = propose_prompt(request, self.skills, batch=count)
        payload = self.payload(system, messages, propose_batch_tool(count))
        return self._call(payload, lambda message, used: parse_proposals(message, count, used))

    def payload(
        self, system: list[TextBlockParam], messages: list[MessageParam], tool: ToolParam
    ) -> Payload:
        """The request for one forced tool call, `max_tokens` capped by the token budget left."""
        max_tokens = self.max_tokens
        if self.task.budget.tokens is not None:
            max_tokens = max(1, min(max_tokens, self.task.budget.tokens - self.spent_tokens))
        return Payload(
            model=self.model,
            max_tokens=max_tokens,
            system=system,
            tools=[tool],
            tool_choice=tool_choice(self.model, tool["name"]),
            messages=messages,
        )

    @property
    def spent_tokens(self) -> int:
        return self.spent.tokens_in + self.spent.tokens_out

    def check_budget(self) -> None:
        """Raise `BudgetSpent("budget spent ...")` once the token or dollar budget is used."""
        budget = self.task.budget
        if budget.tokens is not None and self.spent_tokens >= budget.tokens:
            raise BudgetSpent(
                f"budget spent: {self.spent_tokens} of {budget.tokens} tokens ([budget] tokens)"
            )
        if budget.dollars is not None and self.spent.cost_usd >= budget.dollars:
            raise BudgetSpent(
                f"budget spent: ${self.spent.cost_usd:.4f} of ${budget.dollars:.4f} "
                "([budget] dollars)"
            )

    def _call(self, payload: Payload, parse: Callable[[Mapping[str, Any], Usage], T]) -> T:
        """Send, parse, and retry a malformed answer up to `malformed_retries` times."""
        used = Usage()
        errors: list[str] = []
        for _attempt in range(self.malformed_retries + 1):
            try:
                self.check_budget()
            except BudgetSpent as exc:  # malformed answers paid for before it: charge them
                raise BudgetSpent(str(exc), used) from None
            message = self._send(payload)
            usage = usage_of(message, self.model) if isinstance(message, dict) else Usage()
            used = add(used, usage)
            self.spent = add(self.spent, usage)
            try:
                if not isinstance(message, dict):
                    raise MalformedResponse("response body is not a JSON object")
                return parse(message, used)
            except MalformedResponse as exc:
                log.warning("malformed response from %s: %s", self.model, exc)
                errors.append(str(exc))
        raise ResponseError(
            f"malformed response {len(errors)} times from {self.model}: {errors[-1]}", used
        )

    def _send(self, payload: Payload) -> object:
        """One Messages API call (with the SDK's own retries); the decoded JSON body, or None."""
        return send(self.client, payload, who="anthropic")

    def count_tokens(self, payload: Payload) -> int:
        """Input tokens of `payload`, from the API's token counter (`messages/count_tokens`)."""
        client = self.client
        check_request_allowed(str(client.base_url))
        result = client.messages.count_tokens(
            model=payload["model"],
            system=payload["system"],
            tools=payload["tools"],
            tool_choice=payload["tool_choice"],
            messages=payload["messages"],
        )
        return int(result.input_tokens)
