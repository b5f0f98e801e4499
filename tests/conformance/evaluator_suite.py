"""The conformance suite every evaluator passes (built-in or plugin).

`assert_evaluator_conforms(evaluator, tree, commit)` checks the contract of
`agentos.evaluate.Evaluator` on a snapshot: `evaluate` returns an `Evaluation` and never raises,
a metric is a finite number or absent with a failure status (and the reverse), the figures are
finite, the snapshot is left byte-identical, and `veto` answers a string or None.
"""

from __future__ import annotations

import math
from pathlib import Path

from agentos.evaluate import Evaluation, Evaluator
from agentos.integrity import scan_tree, tree_digest
from agentos.state import STATUSES


def assert_evaluator_conforms(evaluator: Evaluator, tree: Path, commit: str) -> Evaluation:
    """Raise AssertionError naming the first breach; return the evaluation for more checks."""
    before = tree_digest(scan_tree(tree))
    result = evaluator.evaluate(tree, commit)
    assert isinstance(result, Evaluation), f"evaluate returned {type(result).__name__}"
    assert tree_digest(scan_tree(tree)) == before, "the evaluator wrote into the snapshot"
    assert result.status is None or result.status in STATUSES, f"status {result.status!r}"
    if result.status is None:
        assert result.metric is not None and math.isfinite(result.metric), (
            f"no failure status but metric {result.metric!r}"
        )
    else:
        assert result.reason, "a failure status needs a reason"
    for name, figures in (("details", result.details), ("holdout", result.holdout)):
        bad = [k for k, v in figures.items() if not math.isfinite(v)]
        assert not bad, f"{name} figure {bad[0]!r} is not finite"
    if result.reads is not None:
        assert all(not Path(p).is_absolute() for p in result.reads), "reads must be relative"
    for candidate in (result, Evaluation(metric=None, status="crash", reason="x")):
        verdict = evaluator.veto(result, candidate)
        assert verdict is None or isinstance(verdict, str), f"veto returned {verdict!r}"
    return result
