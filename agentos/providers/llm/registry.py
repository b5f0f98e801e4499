"""Registers the LLM providers under their spec names: `anthropic[:MODEL]`, `mock:NAME`,
`script:PATH` and `replay:PATH`.

`anthropic` with no `ANTHROPIC_API_KEY` (and no local `ANTHROPIC_BASE_URL`) falls back to the
offline `heuristic` provider with a warning, so the same `agentos.toml` runs with or without a key.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from agentos.errors import UserError
from agentos.providers.base import Provider, get_provider, register_provider
from agentos.providers.llm.claude import AnthropicProvider
from agentos.providers.llm.guard import is_loopback
from agentos.providers.llm.mock import installed_mock
from agentos.providers.llm.replay import ReplayProvider, record_requested
from agentos.providers.llm.script import ScriptProvider
from agentos.task import Task

log = logging.getLogger(__name__)


def has_endpoint() -> bool:
    """A key is set, or the base URL is a local fake that needs none."""
    base = os.environ.get("ANTHROPIC_BASE_URL", "")
    return bool(os.environ.get("ANTHROPIC_API_KEY")) or bool(base and is_loopback(base))


def _file(task: Task, arg: str, spec: str) -> Path:
    if not arg:
        raise UserError(f"{spec} needs a file", fix=f"use --provider {spec}:PATH")
    path = Path(arg).expanduser()
    if not path.is_absolute() and not path.exists() and (task.root / path).exists():
        path = task.root / path
    return path


@register_provider("anthropic")
def anthropic_provider(task: Task, arg: str) -> Provider:
    if not has_endpoint():
        log.warning("ANTHROPIC_API_KEY is not set: using the offline heuristic provider")
        return get_provider("heuristic", task)
    return AnthropicProvider(task, model=arg or None)


@register_provider("mock")
def mock_provider(task: Task, arg: str) -> Provider:
    return installed_mock(arg)


@register_provider("script")
def script_provider(task: Task, arg: str) -> Provider:
    path = _file(task, arg, "script")
    if not path.is_file():
        raise UserError("script file not found", path=path, fix="give a JSONL file of answers")
    return ScriptProvider(path)


@register_provider("replay")
def replay_provider(task: Task, arg: str) -> Provider:
    record = record_requested()
    if record and not has_endpoint():
        raise UserError("record mode needs ANTHROPIC_API_KEY", fix="export ANTHROPIC_API_KEY=...")
    return ReplayProvider(task, _file(task, arg, "replay"), record=record)
