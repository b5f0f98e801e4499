"""The read audit reaches the decision: a run whose audit channel was forged or closed is
`invalid` through `agentos.evaluate.measure`, whatever metric it printed.

The forged record names a file outside the commit, so only `RunResult.audit_problems` can catch
it (measure's own check compares the reads of committed files); the closed channel ends the
interpreter with status 86, which would otherwise read as a crash."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from helpers import make_repo
from sandbox_helpers import REPLACE_CHANNEL

from agentos.evaluate import MetricEvaluator, measure
from agentos.git import Repo
from agentos.sandbox import Sandbox, get_backend
from agentos.task import load_task, parse_task

HONEST = 'import settings\nprint(f"score: {settings.RATE}")\n'
FORGED = """\
import os
fifo = os.environ["AGENTOS_AUDIT"].split(":", 1)[1]
fd = os.open(fifo, os.O_WRONLY)
os.write(fd, b"R 1 %s %s\\n" % (b"ghost.py".hex().encode(), b"0" * 40))
print("score: 1000")
"""
CLOSED = REPLACE_CHANNEL + 'import settings\nprint("score: 1000")\n'


def committed_repo(root: Path, evaluate: str) -> tuple[Repo, str]:
    """A tiny git repo holding `evaluate.py` and `settings.py`; returns it and its HEAD."""
    repo = Repo(make_repo(root, {"settings.py": "RATE = 0.5\n", "evaluate.py": evaluate}))
    head = repo.rev("HEAD")
    assert head is not None
    return repo, head


def evaluator(root: Path, sandbox: Sandbox) -> MetricEvaluator:
    data = {
        "task": {"name": "audit", "editable": ["settings.py"], "protected": ["evaluate.py"]},
        "metric": {"command": [sys.executable, "evaluate.py"], "goal": "max",
                   "regex": r"^score: (\S+)$"},
    }  # fmt: skip
    return MetricEvaluator(parse_task(data, root=root, path=root / "agentos.toml"), sandbox)


def test_an_honest_run_is_measured(backend: Sandbox, tmp_path: Path) -> None:
    repo, head = committed_repo(tmp_path / "repo", HONEST)
    evaluation = measure(repo, head, evaluator(repo.root, backend)).evaluation
    assert (evaluation.status, evaluation.metric) == (None, 0.5), evaluation.reason
    assert evaluation.reads is not None and "settings.py" in evaluation.reads


@pytest.mark.parametrize(
    ("program", "reason"),
    [(FORGED, "ghost.py: the audit reports blob 000"), (CLOSED, "channel closed or replaced")],
    ids=["forged", "closed"],
)
def test_a_tampered_audit_channel_ends_invalid(
    backend: Sandbox, tmp_path: Path, program: str, reason: str
) -> None:
    repo, head = committed_repo(tmp_path / "repo", program)
    evaluation = measure(repo, head, evaluator(repo.root, backend)).evaluation
    assert evaluation.status == "invalid" and evaluation.metric is None
    assert evaluation.reason.startswith("read audit: ") and reason in evaluation.reason


def test_a_metric_command_that_is_not_python_is_not_refused_by_the_audit(tmp_path: Path) -> None:
    repo = make_repo(
        tmp_path / "sh",
        {
            "evaluate.sh": "echo score: 3\n",
            "agentos.toml": '[task]\neditable=["x.txt"]\n[metric]\ncommand="sh evaluate.sh"\n'
            'regex="^score: (\\\\S+)$"\ngoal="max"\n',
        },
    )
    task = load_task(repo)
    m = measure(Repo(repo), "HEAD", MetricEvaluator(task, get_backend("local")))
    assert m.evaluation.status is None and m.evaluation.metric == 3.0
