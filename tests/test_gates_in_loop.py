"""Tool gates named in agentos.toml run inside the loop and reject before the metric runs."""

from __future__ import annotations

from agentos import runner
from agentos.status import run_status

TOML = """[task]
editable = ["settings.py"]
protected = ["evaluate.py"]
[metric]
command = "python evaluate.py"
regex = '^score: (\\S+)$'
goal = "max"
[tools]
gates = ["integrity", "static"]
[tools.static]
max_lines_changed = 0
"""


def test_a_failing_tool_gate_rejects_every_candidate_with_its_finding(repo_factory) -> None:
    repo = repo_factory({
        "settings.py": "X = 1.0  # range: 0..100\n",
        "evaluate.py": "import settings\nprint(f'score: {settings.X}')\n",
        "agentos.toml": TOML,
    })
    runner.run(repo, runner.Overrides(budget=3, sandbox="local"))
    experiments = run_status(repo)["experiments"]
    assert [e["status"] for e in experiments] == ["rejected"] * 3
    assert all("static" in e["reason"] for e in experiments), experiments[0]["reason"]
    assert (repo / ".agentos" / "runs").is_dir()
