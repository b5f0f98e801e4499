"""Tool gates named in agentos.toml run inside the loop and reject before the metric runs."""

from __future__ import annotations

from agentos import runner
from agentos.status import run_status

TOML = """[task]
editable = ["settings.py"]
protected = ["evaluate.py"]
accept_forgery_risk = [
  "exit-line", "system-exit-line", "stdout-rewrite", "print-patch", "stdout-sink"
]
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
    repo = repo_factory(
        {
            "settings.py": "X = 1.0  # range: 0..100\n",
            "evaluate.py": "import settings\nprint(f'score: {settings.X}')\n",
            "agentos.toml": TOML,
        }
    )
    summary = runner.run(repo, runner.Overrides(budget=3, sandbox="local"))
    experiments = run_status(repo)["experiments"]
    assert [e["status"] for e in experiments] == ["rejected"] * 2
    assert all("static" in e["reason"] for e in experiments), experiments[0]["reason"]
    # two refusals of every change of X: the heuristic proposer stops instead of a third
    assert summary.status.startswith("the proposer has nothing left to try: every change of X")
    assert "refused by a gate" in summary.status
    assert (repo / ".agentos" / "runs").is_dir()


def test_gate_stages_fan_out_as_send_branches_and_stop_at_the_first_failure(repo_factory) -> None:
    repo = repo_factory(
        {
            "settings.py": "X = 1.0  # range: 0..100\n",
            "evaluate.py": "import settings\nprint(f'score: {settings.X}')\n",
            "agentos.toml": TOML.replace(
                'gates = ["integrity", "static"]', 'gates = ["integrity", "static", "ruff"]'
            ),
        }
    )
    updates: list[dict[str, object]] = []
    runner.run(repo, runner.Overrides(budget=2, sandbox="local"), on_update=updates.append)
    branches = [u for u in updates if u["node"] == "tool"]
    # integrity and static share the cheapest stage and both run; ruff's stage never starts
    assert sorted(r["tool"] for u in branches[:2] for r in u["tool_results"]) == [
        "integrity",
        "static",
    ]
    assert not any(r["tool"] == "ruff" for u in branches for r in u["tool_results"])
    row = run_status(repo)["experiments"][0]
    assert "skipped after the failure: ruff" in row["reason"]


def test_passing_gates_let_the_candidate_run(repo_factory) -> None:
    repo = repo_factory(
        {
            "settings.py": "X = 1.0  # range: 0..100\n",
            "evaluate.py": "import settings\nprint(f'score: {settings.X}')\n",
            "agentos.toml": TOML.replace("max_lines_changed = 0", "max_lines_changed = 10"),
        }
    )
    runner.run(repo, runner.Overrides(budget=3, sandbox="local"))
    statuses = {e["status"] for e in run_status(repo)["experiments"]}
    assert statuses <= {"keep", "discard"} and statuses


CANARY_TOML = """[task]
editable = ["settings.py"]
protected = ["evaluate.py", "canary.patch"]
canary = "canary.patch"
canary_every = 2
accept_forgery_risk = [
  "exit-line", "system-exit-line", "stdout-rewrite", "print-patch", "stdout-sink"
]
[metric]
command = "python evaluate.py"
regex = '^score: (\\S+)$'
goal = "max"
"""

GOOD_CANARY = """--- a/settings.py
+++ b/settings.py
@@ -1 +1,2 @@
 X = 1.0  # range: 0..100
+print("score: 1000000")
"""

BROKEN_CANARY = """--- a/settings.py
+++ b/settings.py
@@ -1 +1 @@
-X = 1.0  # range: 0..100
+X = 1000000.0  # range: 0..100
"""


def test_a_canary_that_stays_refused_lets_the_run_go_on(repo_factory) -> None:
    repo = repo_factory(
        {
            "settings.py": "X = 1.0  # range: 0..100\n",
            "evaluate.py": "import settings\nprint(f'score: {-abs(settings.X - 50)}')\n",
            "canary.patch": GOOD_CANARY,
            "agentos.toml": CANARY_TOML,
        }
    )
    summary = runner.run(repo, runner.Overrides(budget=4, sandbox="local"))
    assert summary.experiments == 4 and "budget" in summary.status
    canaries = run_status(repo)["canaries"]
    assert [c["id"] for c in canaries] == [2] and canaries[0]["status"] == "rejected"


def test_a_canary_that_starts_passing_stops_the_run(repo_factory) -> None:
    repo = repo_factory(
        {
            "settings.py": "X = 1.0  # range: 0..100\n",
            "evaluate.py": "import settings\nprint(f'score: {settings.X}')\n",  # trusts any X
            "canary.patch": BROKEN_CANARY,
            "agentos.toml": CANARY_TOML,
        }
    )
    summary = runner.run(repo, runner.Overrides(budget=10, sandbox="local"))
    assert summary.experiments == 2
    assert "canary passed" in summary.status and "checks are broken" in summary.status
    assert run_status(repo)["canaries"][0]["status"] == "invalid"
