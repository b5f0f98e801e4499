"""The built-in strategies, providers and the metric evaluator pass their conformance suites."""

from __future__ import annotations

from pathlib import Path

import pytest
from evaluator_suite import assert_evaluator_conforms
from helpers import quickstart_copy
from provider_suite import assert_provider_conforms
from strategy_suite import assert_strategy_conforms

from agentos.evaluate import MetricEvaluator, snapshot_dir
from agentos.git import Repo
from agentos.providers.base import get_provider
from agentos.sandbox import get_backend
from agentos.strategies.base import get_strategy, strategy_names
from agentos.task import load_task


@pytest.mark.parametrize("name", strategy_names())
def test_strategy_conforms(name: str) -> None:
    assert_strategy_conforms(lambda: get_strategy(name))


def test_the_heuristic_provider_conforms(tmp_path: Path) -> None:
    root = quickstart_copy(tmp_path / "q")
    task = load_task(root)
    files = {"settings.py": (root / "settings.py").read_text()}
    proposal = assert_provider_conforms(get_provider("heuristic", task), task, files)
    assert proposal is not None  # the quickstart always has something to try


def test_the_metric_evaluator_conforms(tmp_path: Path) -> None:
    root = quickstart_copy(tmp_path / "q")
    task = load_task(root)
    repo = Repo(root)
    head = repo.rev("HEAD") or ""
    evaluator = MetricEvaluator(task, get_backend("local"))
    with snapshot_dir(repo, head) as tree:
        result = assert_evaluator_conforms(evaluator, tree, head)
    assert result.status is None and result.metric is not None
