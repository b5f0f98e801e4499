"""Every `--json` output of the CLI is one JSON document a program can parse."""

from __future__ import annotations

import json
from pathlib import Path

import click
from helpers import agentos_cli

from agentos.cli.main import main

# tune-skills --json is parsed by tests/skills/test_cli.py (it needs a skill folder and evals)
ELSEWHERE = {"tune-skills"}


def _json_commands(group: click.Group, prefix: tuple[str, ...] = ()) -> set[str]:
    found: set[str] = set()
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found |= _json_commands(command, (*prefix, name))
        elif any("--json" in getattr(p, "opts", []) for p in command.params):
            found.add(" ".join((*prefix, name)))
    return found


def test_every_json_output_parses(quickstart: Path) -> None:
    run = agentos_cli("run", str(quickstart), "--budget", "1", "--sandbox", "local")
    assert run.returncode == 0, run.stderr
    calls = {
        "tools list": ["tools", "list", "--json"],
        "check": ["check", str(quickstart), "--json"],
        "status": ["status", str(quickstart), "--json"],
    }
    assert _json_commands(main) == set(calls) | ELSEWHERE, "a --json command this test misses"
    for name, args in calls.items():
        out = agentos_cli(*args)
        assert out.returncode == 0, (name, out.stderr)
        data = json.loads(out.stdout)
        assert data, name
    tools = json.loads(agentos_cli("tools", "list", "--json").stdout)
    assert {"ruff", "metric"} <= {t["name"] for t in tools}
    assert all(set(t) == {"name", "kind", "cost", "description", "origin"} for t in tools)
