"""Registers the LLM providers under their spec names: `anthropic[:MODEL]`, `mock:NAME`,
`script:PATH` and `replay:PATH`.

Whether Claude is reachable is decided once, by `agentos.providers.resolve` (which `get_provider`
calls before it looks a spec up here): `anthropic` without a key becomes `heuristic` there.
"""

from __future__ import annotations

import logging
from pathlib import Path

from agentos.errors import UserError
from agentos.providers import uses_claude
from agentos.providers.base import Provider, register_provider
from agentos.providers.llm.claude import AnthropicProvider
from agentos.providers.llm.mock import installed_mock
from agentos.providers.llm.replay import ReplayProvider, record_requested
from agentos.providers.llm.script import ScriptProvider
from agentos.task import Task

log = logging.getLogger(__name__)


def _file(task: Task, arg: str, spec: str) -> Path:
    if not arg:
        raise UserError(f"{spec} needs a file", fix=f"use --provider {spec}:PATH")
    path = Path(arg).expanduser()
    if not path.is_absolute() and not path.exists() and (task.root / path).exists():
        path = task.root / path
    return path


@register_provider("anthropic")
def anthropic_provider(task: Task, arg: str) -> Provider:
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
    if record and not uses_claude("anthropic"):
        raise UserError("record mode needs ANTHROPIC_API_KEY", fix="export ANTHROPIC_API_KEY=...")
    return ReplayProvider(task, _file(task, arg, "replay"), record=record)
