"""`agentos self-tune`: agentos tunes its own search profile on a suite of tasks with known
optima, as an ordinary run (train tunes, held-out vetoes, the sealed test is read once).

The outer run's names load on first use: they bring the runner, LangGraph and the ledger (one to
three seconds to import), which the inner metric command `python -m agentos.selftune.inner`, run
once for every outer measurement, never needs.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from agentos.selftune.inner import gains, run_profile, score
from agentos.selftune.suite import Suite, digest_of, load_suite

if TYPE_CHECKING:
    from agentos.selftune.command import (
        DEFAULT_SUITE,
        SelfTuneResult,
        is_self_tune,
        mean_ci,
        resume_self_tune,
        self_tune,
    )
    from agentos.selftune.evaluator import SelfTuneEvaluator

_EXPORTS = {
    "DEFAULT_SUITE": "agentos.selftune.command",
    "SelfTuneEvaluator": "agentos.selftune.evaluator",
    "SelfTuneResult": "agentos.selftune.command",
    "is_self_tune": "agentos.selftune.command",
    "mean_ci": "agentos.selftune.command",
    "resume_self_tune": "agentos.selftune.command",
    "self_tune": "agentos.selftune.command",
}

__all__ = [
    "DEFAULT_SUITE",
    "SelfTuneEvaluator",
    "SelfTuneResult",
    "Suite",
    "digest_of",
    "gains",
    "is_self_tune",
    "load_suite",
    "mean_ci",
    "resume_self_tune",
    "run_profile",
    "score",
    "self_tune",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'agentos.selftune' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
