"""`selftune-profile`: a changed search profile must be a valid profile (data, no file names).

The gate parses each changed editable `.toml` file with `agentos.profile.parse_profile`: an
unknown table or key, a value outside its range or choices, or a string that names a file (a
profile that would point the search at a file of answers, or a strategy loaded from a path)
fails it with the reason, before anything runs.
"""

from __future__ import annotations

from agentos.errors import UserError
from agentos.profile import PROFILE_GATE, parse_profile
from agentos.tool import Finding, ToolContext, ToolResult, tool

NAME = PROFILE_GATE


@tool(name=NAME, kind="gate", cost=0.01,
      description="a changed search profile parses as a profile: typed keys only, no file names")
def profile_gate(ctx: ToolContext) -> ToolResult:
    findings = []
    files = sorted(p for p in ctx.changed if p.endswith(".toml") and ctx.task.is_editable(p))
    for rel in files:
        try:
            parse_profile((ctx.tree / rel).read_text(encoding="utf-8"), path=rel)
        except (OSError, UnicodeDecodeError) as exc:
            findings.append(Finding(rel, 0, "profile", f"unreadable: {exc.__class__.__name__}"))
        except UserError as exc:
            findings.append(Finding(rel, 0, "profile", str(exc)))
    return ToolResult(NAME, "fail" if findings else "pass", tuple(findings),
                      {"profiles": float(len(files))})
