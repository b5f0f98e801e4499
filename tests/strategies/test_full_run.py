"""The landscape fast path and the full `agentos run` agree: same seed, same proposals, same
decisions, same final best (a real git repository per case, `--sandbox local`)."""

from __future__ import annotations

import inspect
import math
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from helpers import agentos_cli, make_repo  # noqa: E402

from agentos.ledger import Ledger  # noqa: E402
from benchmarks.landscapes import problems  # noqa: E402
from benchmarks.landscapes.fast import NOISE_RERUNS, run_agentos  # noqa: E402

EVALUATE = '''"""Trusted evaluator: the landscape's loss of settings.py."""
from __future__ import annotations

import math

import settings

V = {{k: getattr(settings, k) for k in dir(settings) if k.isupper()}}
_C = {consts!r}
_RECIPE = {recipe!r}


def _f(v, k):
    return float(v[k])


{source}

print(f"loss: {{{name}(V)!r}}")
'''

TASK = '''[task]
name = "{name}"
editable = ["settings.py"]
protected = ["evaluate.py"]
accept_forgery_risk = [
  "exit-line", "system-exit-line", "stdout-rewrite", "print-patch", "stdout-sink"
]

[metric]
command = "python evaluate.py"
regex = '^loss: (?P<value>\\S+)$'
goal = "min"
timeout = 20

[budget]
experiments = {experiments}

[search]
strategy = "{strategy}"
seed = {seed}
noise_reruns = {reruns}

[llm]
provider = "heuristic"
credit_horizon = 1000
'''


@pytest.mark.slow
@pytest.mark.parametrize(
    ("problem", "strategy", "seed"), [("smooth", "greedy", 3), ("mixed", "restarts", 1)]
)
def test_fast_path_and_agentos_run_make_the_same_proposals_and_decisions(
    tmp_path: Path, problem: str, strategy: str, seed: int
) -> None:
    p = problems.PROBLEMS[problem]
    experiments = 14
    fast = run_agentos(p, strategy, seed, budget=experiments + 1 + NOISE_RERUNS)
    assert len(fast.log) == experiments
    evaluate = EVALUATE.format(
        consts=problems._C, recipe=problems._RECIPE, name=p.loss.__name__,
        source=inspect.getsource(p.loss),
    )
    repo = make_repo(tmp_path / problem, {
        "settings.py": p.settings, "evaluate.py": evaluate,
        "agentos.toml": TASK.format(name=problem, experiments=experiments, strategy=strategy,
                                    seed=seed, reruns=NOISE_RERUNS),
        ".gitignore": ".agentos/\n__pycache__/\n",
    })
    done = agentos_cli("run", str(repo), "--sandbox", "local", timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    rows = [r for r in Ledger(repo / ".agentos" / "ledger.db").rows() if r["id"] != 0]
    graph = [(r["description"], r["status"]) for r in rows]
    assert graph == fast.log
    kept = [r["metric"] for r in rows if r["status"] == "keep"]
    assert kept and math.isclose(kept[-1], fast.final, rel_tol=1e-12)
    assert fast.keeps >= 2
