"""Cancelling a job on the local executor kills its sandboxed process at once and frees the
worker (`[run] on_stop = "cancel"` relies on it), under either sandbox backend; the executor
conformance suite checks the kill for every executor."""

from __future__ import annotations

import secrets
import time

import pytest
from conformance.executor_suite import cancel_running
from helpers import git

from agentos.evaluate import MetricEvaluator
from agentos.executors import pack
from agentos.executors.local import LocalExecutor
from agentos.git import Repo
from agentos.sandbox import get_backend
from agentos.task import load_task

EVALUATE = "import time\nimport settings\ntime.sleep(settings.S)\nprint(f'score: {settings.S}')\n"


@pytest.mark.parametrize("backend", ["local", "bwrap"])
def test_cancel_kills_the_running_metric_and_frees_the_worker(
    repo_factory, backend: str
) -> None:
    mark = f"mark{secrets.token_hex(6)}"
    root = repo_factory(
        {
            "settings.py": "S = 30.0\n",
            "evaluate.py": EVALUATE,
            "agentos.toml": '[task]\neditable=["settings.py"]\nprotected=["evaluate.py"]\n'
            f'[metric]\ncommand="python evaluate.py {mark}"\nregex="^score: (\\\\S+)$"\n'
            f'goal="max"\n[sandbox]\nbackend="{backend}"\n',
        }
    )
    slow = git(root, "rev-parse", "HEAD").strip()
    (root / "settings.py").write_text("S = 0.0\n")
    git(root, "commit", "-qam", "fast")
    fast = git(root, "rev-parse", "HEAD").strip()
    repo = Repo(root)
    task = load_task(root)
    evaluator = MetricEvaluator(task, get_backend(task.sandbox))
    ex = LocalExecutor(1)
    try:
        ex.submit(pack(repo, slow, evaluator, "slow"))
        cancel_running(ex, "slow", mark)
        done = ex.wait(timeout=5)
        assert [(d.key, d.measurement, d.error) for d in done] == [("slow", None, "cancelled")]
        # the one worker is free: the next job runs now, not after the 30 s sleep
        t1 = time.monotonic()
        ex.submit(pack(repo, fast, evaluator, "fast"))
        (result,) = ex.wait(timeout=20)
        assert result.key == "fast" and result.measurement is not None
        assert result.measurement.evaluation.metric == 0.0
        assert time.monotonic() - t1 < 15
        assert ex.wait(timeout=0.5) == [] and ex.pending() == set()  # "slow" came back once
    finally:
        ex.close()
