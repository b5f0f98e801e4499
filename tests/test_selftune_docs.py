"""docs/self-tune.md's own-suite example is a problems module that works: read from the page,
it loads as a suite and an inner run on it gains toward its stated optimum."""

from __future__ import annotations

import re
from pathlib import Path

from helpers import ROOT

from agentos.profile import load_profile
from agentos.selftune import load_suite, run_profile

PAGE = ROOT / "docs" / "self-tune.md"


def example(page: Path) -> str:
    """The python block that follows the page's "A problems module of your own" paragraph."""
    text = page.read_text()
    start = text.index("A problems module of your own")
    block = re.search(r"```python\n(.*?)```", text[start:], re.DOTALL)
    assert block is not None, "the paragraph has no python example after it"
    return block.group(1)


def test_the_own_suite_example_loads_and_an_inner_run_gains_on_it(tmp_path: Path) -> None:
    (tmp_path / "problems.py").write_text(example(PAGE))
    (tmp_path / "suite.toml").write_text(
        '[suite]\nproblems = "problems.py"\nbudget = 16\nseeds = [0]\ntest_seeds = 1\n'
        'train = ["bowl"]\nholdout = ["bowl~0.5"]\ntest = ["bowl~0.2"]\n'
    )
    suite = load_suite(tmp_path / "suite.toml")
    bowl = suite.problem("bowl")
    assert bowl.loss(bowl.values("A = 2\nB = -1\n")) == bowl.f_star == 0.0  # the stated optimum
    run = run_profile(bowl, load_profile(), 0, 16)
    assert 0.5 < run.gain <= 1.0 and run.false_keeps == 0
