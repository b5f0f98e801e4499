"""Tool configuration from the trusted side: the user's repository as the task found it.

A candidate may edit its own `pyproject.toml`; the gates never read that copy. Options in
`agentos.toml` (`[ruff]`, `[mypy]`, ...) name a config file relative to the task root, which
agentos never writes to, and the built-ins pass its content to the tool from outside the tree.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from agentos.errors import UserError
from agentos.tool import ToolContext

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def trusted_file(ctx: ToolContext, key: str = "config") -> Path | None:
    """The config file an option names, resolved inside the task root, or None when unset."""
    name = ctx.options.get(key)
    if name is None:
        return None
    if not isinstance(name, str) or not name:
        raise UserError(f"option {key!r} must be a file name", path=ctx.task.path,
                        fix=f"set {key} = \"pyproject.toml\" or remove it")
    root = ctx.task.root.resolve()
    path = (root / name).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        raise UserError(f"config file {name!r} is not a file inside {root}", path=ctx.task.path,
                        fix=f"name an existing file relative to the repository in `{key}`")
    return path


def tool_table(path: Path, tool: str) -> Mapping[str, Any]:
    """The `[tool.<tool>]` table of a pyproject.toml, or the whole of `<tool>.toml`."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UserError(f"not valid TOML ({exc})", path=path, fix="correct the syntax") from exc
    if path.name == "pyproject.toml":
        table = data.get("tool", {}).get(tool, {})
        return table if isinstance(table, dict) else {}
    return data


def inline_pairs(table: Mapping[str, Any], prefix: str = "") -> list[str]:
    """Flatten a TOML table into `dotted.key = value` lines (ruff's `--config` overrides)."""
    pairs: list[str] = []
    for key, value in table.items():
        name = prefix + (key if _BARE_KEY.match(key) else json.dumps(key))
        if isinstance(value, dict):
            pairs.extend(inline_pairs(value, name + "."))
        else:
            pairs.append(f"{name} = {toml_value(value)}")
    return pairs


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    raise ValueError(f"cannot pass {value!r} as an inline TOML value")
