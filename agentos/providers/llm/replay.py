"""The `replay:PATH` provider: Claude's recorded responses, looked up by request digest.

The file is JSONL, one object per response: `{"digest": "sha256:...", "response": {...}}`, where
`digest` is `claude.digest` of the exact request and `response` the decoded body the API returned
(`null` for a body that was not JSON). The same request asked twice in a run (a malformed answer
retried) gets its recorded answers in order.

Replay is the `anthropic` provider with the network replaced: the same prompts, parsing, retries,
usage, cost and budgets. A request whose digest is not in the file is refused with a `UserError`.
Record mode (`AGENTOS_REPLAY_RECORD=1` and a key in `ANTHROPIC_API_KEY`) sends unknown requests to
the API and appends the answers to the file.
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from pathlib import Path

from agentos.errors import UserError
from agentos.providers.llm.claude import AnthropicProvider, Payload, digest
from agentos.task import Task

RECORD_ENV = "AGENTOS_REPLAY_RECORD"


def record_requested() -> bool:
    return os.environ.get(RECORD_ENV, "").strip().lower() in {"1", "true", "yes"}


class ReplayProvider(AnthropicProvider):
    """Serves recorded responses; in record mode, records what it had to ask for."""

    name = "replay"

    def __init__(
        self,
        task: Task,
        path: Path | str,
        *,
        record: bool = False,
        model: str | None = None,
        base_url: str | None = None,
    ):
        super().__init__(task, model=model, base_url=base_url)
        self.path = Path(path)
        self.record = record
        self._recorded: dict[str, list[object]] = defaultdict(list)
        self._served: dict[str, int] = defaultdict(int)
        if self.path.exists():
            self._load()
        elif not record:
            raise UserError(
                "replay file not found",
                path=self.path,
                fix=f"record one with {RECORD_ENV}=1 and ANTHROPIC_API_KEY set",
            )

    def _load(self) -> None:
        for number, raw in enumerate(self.path.read_text(encoding="utf-8").splitlines(), 1):
            if not raw.strip():
                continue
            try:
                entry = json.loads(raw)
            except ValueError as exc:
                raise UserError(
                    f"line {number}: not JSON", path=self.path, fix="re-record the file"
                ) from exc
            if not isinstance(entry, dict) or not isinstance(entry.get("digest"), str):
                raise UserError(
                    f"line {number}: needs a digest and a response",
                    path=self.path,
                    fix="re-record the file",
                )
            self._recorded[entry["digest"]].append(entry.get("response"))

    def _send(self, payload: Payload) -> object:
        key = digest(payload)
        seen = self._served[key]
        answers = self._recorded.get(key, [])
        if seen < len(answers):
            self._served[key] = seen + 1
            return answers[seen]
        if not self.record:
            raise UserError(
                f"no recorded response for request {key} (answer {seen + 1}; "
                "the prompt, model or task changed since recording)",
                path=self.path,
                fix=f"re-record with {RECORD_ENV}=1 and ANTHROPIC_API_KEY set",
            )
        body = super()._send(payload)
        self._recorded[key].append(body)
        self._served[key] = seen + 1
        with self.path.open("a", encoding="utf-8") as out:
            out.write(json.dumps({"digest": key, "response": body}, sort_keys=True) + "\n")
        return body
