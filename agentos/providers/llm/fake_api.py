"""A local fake of the Messages API, for tests: the real `anthropic` client talks to it over HTTP.

`FakeMessagesAPI` is a small `http.server` on 127.0.0.1 (port 0, in a thread). Point a client at
`fake.base_url` (or set `ANTHROPIC_BASE_URL`) and script what `POST /v1/messages` answers, in order:
a tool call (`ToolCall`), a reply with no tool use (`TextReply`), a 429 with `retry-after`
(`RateLimited`), a 529 (`Overloaded`) or a broken body (`Malformed`). When the queue is empty the
`responder` callable (if any) answers; with neither, the fake answers 400, which the SDK does not
retry. Every request is recorded in `fake.requests`.

Usage is computed, not scripted: input tokens by `estimate_tokens`, and prompt caching is simulated
(a prefix ending at a `cache_control` block that was sent before counts as cache read, a new one as
cache write). `POST /v1/messages/count_tokens` answers with the same estimate, so benchmarks can
count through the SDK's own counter without a network.

The estimate: one token per 4 characters (rounded up) of every text block, of every tool
definition and tool call as compact JSON, plus 3 tokens per message. Real tokenizers differ by
roughly 10-30% on English and code; the fake ignores the API's minimum cacheable prefix length.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import threading
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

from agentos.providers.llm.prompts import RUBRIC

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ToolCall:
    """A 200 answer holding one `tool_use` block."""

    name: str
    input: Mapping[str, Any]
    output_tokens: int = 64


@dataclass(frozen=True)
class TextReply:
    """A 200 answer holding only text: no tool use (malformed for agentos)."""

    text: str = "I would rather explain in prose."
    output_tokens: int = 16


@dataclass(frozen=True)
class RateLimited:
    """A 429 `rate_limit_error` with `retry-after-ms` (and `retry-after`) headers."""

    retry_after: float = 0.01


@dataclass(frozen=True)
class Overloaded:
    """A 529 `overloaded_error`."""

    retry_after: float = 0.01


@dataclass(frozen=True)
class Malformed:
    """A 200 answer whose body is `body` verbatim (not JSON, or JSON of the wrong shape)."""

    body: str = '{"type": "message", "content": [{"type": "tool_use"'


Scripted = ToolCall | TextReply | RateLimited | Overloaded | Malformed
Responder = Callable[[dict[str, Any]], Scripted]


def propose_call(
    description: str,
    edits: list[dict[str, str]] | None = None,
    components: dict[str, str] | None = None,
) -> ToolCall:
    """A `propose` tool call with search-and-replace `edits` and/or whole `components`."""
    data: dict[str, Any] = {"description": description, "edits": edits or []}
    if components:
        data["components"] = [{"path": p, "text": t} for p, t in components.items()]
    return ToolCall("propose", data)


def review_call(failed: Mapping[str, str] | None = None) -> ToolCall:
    """A `review` tool call answering every rubric check; `failed` maps check names to reasons."""
    failed = failed or {}
    checks = [
        {"name": n, "passed": n not in failed, "reason": failed.get(n, "nothing wrong seen")}
        for n in RUBRIC
    ]
    return ToolCall("review", {"checks": checks})


def estimate_tokens(text: str) -> int:
    """The documented estimate: one token per 4 characters, rounded up."""
    return math.ceil(len(text) / 4)


def _segments(body: Mapping[str, Any]) -> list[tuple[dict[str, Any], int]]:
    """Every cacheable block in prompt order (tools, system, message blocks) with its tokens."""
    out: list[tuple[dict[str, Any], int]] = []
    for tool in body.get("tools") or []:
        out.append((tool, estimate_tokens(json.dumps(tool, separators=(",", ":")))))
    system = body.get("system") or []
    if isinstance(system, str):
        system = [{"type": "text", "text": system}]
    for block in system:
        out.append((block, estimate_tokens(str(block.get("text", "")))))
    for message in body.get("messages") or []:
        content = message.get("content")
        blocks = [{"type": "text", "text": content}] if isinstance(content, str) else content
        for i, block in enumerate(blocks or []):
            text = block.get("text") if block.get("type") == "text" else json.dumps(block)
            out.append((block, estimate_tokens(str(text)) + (3 if i == 0 else 0)))
    return out


@dataclass
class Recorded:
    """One request the fake received."""

    path: str
    headers: dict[str, str]
    body: dict[str, Any]


@dataclass
class FakeMessagesAPI:
    """The fake server. Use as a context manager; `base_url` is where to point the client."""

    responder: Responder | None = None
    queue: deque[Scripted] = field(default_factory=deque)
    requests: list[Recorded] = field(default_factory=list)
    cache: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    def enqueue(self, *items: Scripted) -> None:
        with self._lock:
            self.queue.extend(items)

    @property
    def message_requests(self) -> list[Recorded]:
        """The `POST /v1/messages` requests (token counting excluded)."""
        return [r for r in self.requests if r.path.rstrip("/").endswith("/messages")]

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("FakeMessagesAPI is not started")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> FakeMessagesAPI:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                try:
                    body = json.loads(self.rfile.read(length) or b"{}")
                except ValueError:
                    body = {}
                status, headers, payload = fake.answer(
                    self.path, {k.lower(): v for k, v in self.headers.items()}, body
                )
                self.send_response(status)
                for key, value in [("content-type", "application/json"), *headers]:
                    self.send_header(key, value)
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                log.debug("fake messages api: " + format, *args)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        ).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeMessagesAPI:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def count_tokens(self, body: Mapping[str, Any]) -> int:
        """The estimated input tokens of a request body."""
        return sum(t for _, t in _segments(body))

    def answer(
        self, path: str, headers: dict[str, str], body: dict[str, Any]
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        """Status, extra headers and body for one request (thread-safe)."""
        with self._lock:
            self.requests.append(Recorded(path, headers, body))
            if path.rstrip("/").endswith("/count_tokens"):
                return 200, [], json.dumps({"input_tokens": self.count_tokens(body)}).encode()
            if not path.rstrip("/").endswith("/messages"):
                return _error(404, "not_found_error", f"the fake does not serve {path}")
            item = self.queue.popleft() if self.queue else None
            n = len(self.requests)
        if item is None and self.responder is not None:
            item = self.responder(body)
        if item is None:
            return _error(400, "invalid_request_error", "the fake has no scripted response left")
        if isinstance(item, RateLimited | Overloaded):
            status, kind = (
                (429, "rate_limit_error")
                if isinstance(item, RateLimited)
                else (529, "overloaded_error")
            )
            status, hdrs, payload = _error(status, kind, kind.replace("_", " "))
            return (
                status,
                [
                    *hdrs,
                    ("retry-after-ms", str(item.retry_after * 1000)),
                    ("retry-after", str(math.ceil(item.retry_after))),
                ],
                payload,
            )
        if isinstance(item, Malformed):
            return 200, [], item.body.encode()
        if isinstance(item, ToolCall):
            block: dict[str, Any] = {
                "type": "tool_use",
                "id": f"toolu_fake_{n}",
                "name": item.name,
                "input": dict(item.input),
            }
            stop = "tool_use"
        else:
            block = {"type": "text", "text": item.text}
            stop = "end_turn"
        message = {
            "id": f"msg_fake_{n}",
            "type": "message",
            "role": "assistant",
            "model": body.get("model", "unknown"),
            "content": [block],
            "stop_reason": stop,
            "stop_sequence": None,
            "usage": self._usage(body, item.output_tokens),
        }
        return 200, [], json.dumps(message).encode()

    def _usage(self, body: Mapping[str, Any], output_tokens: int) -> dict[str, int]:
        """Usage with simulated prompt caching over the `cache_control` breakpoints."""
        total, read, write_to = 0, 0, 0
        prefix = hashlib.sha256(str(body.get("model")).encode())
        new: list[str] = []
        for block, tokens in _segments(body):
            total += tokens
            clean = {k: v for k, v in block.items() if k != "cache_control"}
            prefix.update(json.dumps(clean, sort_keys=True).encode())
            if block.get("cache_control"):
                key = prefix.hexdigest()
                with self._lock:
                    hit = key in self.cache
                if hit:
                    read = total
                else:
                    new.append(key)
                write_to = total
        with self._lock:
            self.cache.update(new)
        write = write_to - read if write_to > read else 0
        return {
            "input_tokens": total - read - write,
            "output_tokens": output_tokens,
            "cache_creation_input_tokens": write,
            "cache_read_input_tokens": read,
        }


def _error(status: int, kind: str, message: str) -> tuple[int, list[tuple[str, str]], bytes]:
    body = {"type": "error", "error": {"type": kind, "message": message}}
    return (
        status,
        [("x-should-retry", "true" if status in (429, 529) else "false")],
        json.dumps(body).encode(),
    )
