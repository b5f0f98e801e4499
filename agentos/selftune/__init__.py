"""`agentos self-tune`: agentos tunes its own search profile on a suite of tasks with known
optima, as an ordinary run (train tunes, held-out vetoes, the sealed test is read once)."""

from agentos.selftune.command import (
    DEFAULT_SUITE,
    SelfTuneResult,
    is_self_tune,
    mean_ci,
    resume_self_tune,
    self_tune,
)
from agentos.selftune.evaluator import SelfTuneEvaluator
from agentos.selftune.inner import gains, run_profile, score
from agentos.selftune.suite import Suite, digest_of, load_suite

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
