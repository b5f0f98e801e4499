"""Judging a candidate: the gates, the measurement, the keep rule, and the checks on all three.

- `evaluator`: the `Evaluator` contract, `Evaluation`, and the one keep rule (`refuse_keep`;
  `keeps` for a single measurement).
- `measure`: snapshot a commit from git, check its bytes before and after, evaluate it;
  `proven`: a measurement counts only if the run read the change.
- `command`: the default evaluator (`MetricEvaluator`: the metric command in the sandbox) and the
  forgery guard's environment; `metric`: reading its one number.
- `gating`: the gating engine (pins a run needs, the built-in gates, tools in stages, `GateRun`).
- `canary`: a known-bad patch judged as a candidate is; `forgery` and `selftest`: the known
  forgeries, planted and judged the same way.

Imports inside the package go one way, in the order listed from the bottom up: `evaluator` and
`metric` import no other module of it, `selftest` may import all the rest.
"""

from agentos.evaluate.canary import CanaryVerdict, Expect, check_canary
from agentos.evaluate.command import (
    SETTINGS_ONLY,
    MetricEvaluator,
    guard_env,
    settings_only_files,
)
from agentos.evaluate.evaluator import Evaluation, Evaluator, better, gained, keeps, refuse_keep
from agentos.evaluate.forgery import FORGERIES, NAMES, Forgery, check_accept
from agentos.evaluate.gating import (
    GateRun,
    builtin_findings,
    changed_paths,
    pin_baseline,
    run_gates,
)
from agentos.evaluate.measure import (
    Measurement,
    measure,
    measure_tree,
    proven,
    snapshot_dir,
    snapshot_root,
    unread_change,
)
from agentos.evaluate.metric import parse_metric
from agentos.evaluate.selftest import (
    ForgeryRisk,
    Verdict,
    canary_applies,
    guard_start,
    replay,
    self_test,
)

__all__ = [
    "FORGERIES",
    "NAMES",
    "SETTINGS_ONLY",
    "CanaryVerdict",
    "Evaluation",
    "Evaluator",
    "Expect",
    "Forgery",
    "ForgeryRisk",
    "GateRun",
    "Measurement",
    "MetricEvaluator",
    "Verdict",
    "better",
    "builtin_findings",
    "canary_applies",
    "changed_paths",
    "check_accept",
    "check_canary",
    "gained",
    "guard_env",
    "guard_start",
    "keeps",
    "measure",
    "measure_tree",
    "parse_metric",
    "pin_baseline",
    "proven",
    "refuse_keep",
    "replay",
    "run_gates",
    "self_test",
    "settings_only_files",
    "snapshot_dir",
    "snapshot_root",
    "unread_change",
]
