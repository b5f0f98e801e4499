"""The `script:PATH` provider: replay a scenario from a JSONL file of canned answers.

One JSON object per line (blank lines are skipped), consumed in order, proposals and reviews each
from their own queue:

    {"type": "proposal", "description": "...", "edits": [{"path": "...", "search": "...",
     "replace": "..."}], "components": {"SKILL.md": "..."}, "usage": {"tokens_in": 10}}
    {"type": "review", "checks": [{"name": "no-tampering", "passed": true, "reason": "..."}]}
    {"type": "error", "for": "proposal", "message": "what the provider failed with"}

`edits`, `components` and `usage` are optional (a proposal needs edits or components). An `error`
line raises `ProviderError` when its turn comes, standing for an unusable model response. The whole
file is checked when the provider is built: a bad line is a `UserError` naming the file and line.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from agentos.errors import UserError
from agentos.providers.base import (
    Check,
    Proposal,
    ProposeRequest,
    ProviderError,
    Review,
    ReviewRequest,
    Usage,
)
from agentos.providers.llm.mock import take
from agentos.state import Edit

FIX = "make each line one JSON object of type proposal, review or error (docs/providers.md)"


class _Line:
    """Typed reads from one decoded line; failures name the file and line."""

    def __init__(self, path: Path, number: int, data: Mapping[str, Any]):
        self.path, self.number, self.data = path, number, data

    def fail(self, message: str) -> UserError:
        return UserError(f"line {self.number}: {message}", path=self.path, fix=FIX)

    def string(self, obj: Mapping[str, Any], key: str, where: str) -> str:
        value = obj.get(key)
        if not isinstance(value, str):
            raise self.fail(f"{where}{key} must be a string")
        return value

    def objects(self, key: str) -> list[Mapping[str, Any]]:
        value = self.data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.fail(f"{key} must be a list of objects")
        return value

    def proposal(self) -> Proposal:
        description = self.string(self.data, "description", "")
        edits = [
            Edit(
                path=self.string(e, "path", f"edits[{i}]."),
                search=self.string(e, "search", f"edits[{i}]."),
                replace=self.string(e, "replace", f"edits[{i}]."),
            )
            for i, e in enumerate(self.objects("edits"))
        ]
        components = self.data.get("components", {})
        if not isinstance(components, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in components.items()
        ):
            raise self.fail("components must map file paths to text")
        if not edits and not components:
            raise self.fail("a proposal needs edits or components")
        return Proposal(description, tuple(edits), dict(components), self.usage())

    def review(self) -> Review:
        checks = []
        for i, c in enumerate(self.objects("checks")):
            passed = c.get("passed")
            if not isinstance(passed, bool):
                raise self.fail(f"checks[{i}].passed must be true or false")
            checks.append(
                Check(
                    self.string(c, "name", f"checks[{i}]."),
                    passed,
                    self.string(c, "reason", f"checks[{i}]."),
                )
            )
        if not checks:
            raise self.fail("a review needs at least one check")
        return Review(tuple(checks), self.usage())

    def usage(self) -> Usage:
        raw = self.data.get("usage", {})
        if not isinstance(raw, dict) or set(raw) - {"tokens_in", "tokens_out", "cost_usd"}:
            raise self.fail("usage must be an object with tokens_in, tokens_out, cost_usd")
        values = [raw.get(k, 0) for k in ("tokens_in", "tokens_out", "cost_usd")]
        if not all(
            isinstance(v, int | float) and not isinstance(v, bool) and v >= 0 for v in values
        ):
            raise self.fail("usage values must be non-negative numbers")
        return Usage(int(values[0]), int(values[1]), float(values[2]))


def load_script(path: Path) -> tuple[list[Proposal | ProviderError], list[Review | ProviderError]]:
    """Parse and check a whole script file."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(
            f"cannot read the script ({exc})", path=path, fix="give a UTF-8 JSONL file"
        ) from exc
    proposals: list[Proposal | ProviderError] = []
    reviews: list[Review | ProviderError] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            data = json.loads(raw)
        except ValueError as exc:
            raise UserError(f"line {number}: not JSON ({exc.args[0]})", path=path, fix=FIX) from exc
        if not isinstance(data, dict):
            raise UserError(f"line {number}: not a JSON object", path=path, fix=FIX)
        line = _Line(path, number, data)
        kind = data.get("type")
        if kind == "proposal":
            proposals.append(line.proposal())
        elif kind == "review":
            reviews.append(line.review())
        elif kind == "error":
            target = data.get("for")
            message = f"{path.name} line {number}: " + line.string(data, "message", "")
            if target == "proposal":
                proposals.append(ProviderError(message))
            elif target == "review":
                reviews.append(ProviderError(message))
            else:
                raise line.fail('an error line needs "for": "proposal" or "review"')
        else:
            raise line.fail(f"unknown type {kind!r}")
    if not proposals and not reviews:
        raise UserError("the script is empty", path=path, fix=FIX)
    return proposals, reviews


class ScriptProvider:
    """Answers in file order; a queue that runs dry raises `ProviderError`."""

    name = "script"

    def __init__(self, path: Path | str):
        self.path = Path(path)
        proposals, reviews = load_script(self.path)
        self._proposals: deque[Proposal | Exception] = deque(proposals)
        self._reviews: deque[Review | Exception] = deque(reviews)

    def propose(self, request: ProposeRequest) -> Proposal:
        return take(self._proposals, f"script {self.path.name}", "proposal")

    def review(self, request: ReviewRequest) -> Review:
        return take(self._reviews, f"script {self.path.name}", "review")
