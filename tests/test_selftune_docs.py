"""docs/self-tune.md's own-suite example is a problems module that works: read from the page,
it loads as a suite and an inner run on it gains toward its stated optimum."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from helpers import ROOT, agentos_cli

from agentos.errors import UserError
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


@pytest.mark.parametrize(
    ("split", "tasks"), [("train", ["bowl@plain"]), ("test", ["bowl~0.2", "bowl@plain~0.2"])]
)
def test_a_plain_task_of_a_problem_without_as_written_is_refused_in_one_line(
    tmp_path: Path, split: str, tasks: list[str]
) -> None:
    """The page's own problems module has no `as_written()`: naming `bowl@plain` is refused by
    `load_suite` (exit 2 from the command, nothing written), not by a traceback mid-run."""
    (tmp_path / "problems.py").write_text(example(PAGE))
    names = {"train": ["bowl"], "holdout": ["bowl~0.5"], "test": ["bowl~0.3"]}
    names[split] = tasks
    suite = tmp_path / "suite.toml"
    suite.write_text(
        '[suite]\nproblems = "problems.py"\nbudget = 16\nseeds = [0]\ntest_seeds = 1\n'
        + "".join(f"{k} = {json.dumps(v)}\n" for k, v in names.items())
    )
    plain = next(t for t in tasks if "@plain" in t)
    with pytest.raises(UserError) as caught:
        load_suite(suite)
    assert f"[suite] {split}: {plain!r}: problem 'bowl' has no as_written()" in str(caught.value)
    done = agentos_cli("self-tune", "--out", str(tmp_path / "out"), "--suite", str(suite))
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1
    assert "has no as_written()" in done.stderr and "fix: name it without @plain" in done.stderr
    assert not (tmp_path / "out").exists()


def test_a_plain_task_of_a_problem_with_as_written_loads(tmp_path: Path) -> None:
    shutil.copyfile(ROOT / "benchmarks" / "landscapes" / "problems.py", tmp_path / "problems.py")
    (tmp_path / "suite.toml").write_text(
        '[suite]\nproblems = "problems.py"\ntrain = ["mixed@plain"]\nholdout = ["valley"]\n'
        'test = ["recipe@plain~0.05"]\n'
    )
    suite = load_suite(tmp_path / "suite.toml")
    assert suite.problem("recipe@plain~0.05").noise == 0.05


@pytest.mark.parametrize(
    ("written", "broken", "error"),
    [
        ('float(v["B"])', 'float(v["BB"])', "KeyError: 'BB'"),  # a misspelt setting name
        ('(float(v["A"]) - 2) ** 2', 'math.log(float(v["A"]) + 5)', "ValueError"),  # A=-4.0: ok
        ('(float(v["A"]) - 2) ** 2', 'math.sqrt(float(v["A"]))', "ValueError: math domain error"),
    ],
)
def test_a_loss_that_raises_on_its_own_settings_is_refused_naming_its_line(
    tmp_path: Path, written: str, broken: str, error: str
) -> None:
    """A problems module whose loss fails on the problem's own settings (`A = -4.0`) is refused
    when the suite loads, naming the module's line (exit 2, nothing written), not left to every
    inner run to die in a worker process with only the pool's frames in the log's tail."""
    module = "import math\n" + example(PAGE).replace(written, broken, 1)
    (tmp_path / "problems.py").write_text(module)
    suite = tmp_path / "suite.toml"
    suite.write_text(
        '[suite]\nproblems = "problems.py"\nbudget = 16\nseeds = [0]\ntest_seeds = 1\n'
        'train = ["bowl"]\nholdout = ["bowl~0.5"]\ntest = ["bowl~0.2"]\n'
    )
    if "log" in broken:  # log(1.0) scores: a loss that works on its settings loads
        assert load_suite(suite).problem("bowl").f_star == 0.0
        return
    line = next(n for n, text in enumerate(module.splitlines(), 1) if broken in text)
    with pytest.raises(UserError) as caught:
        load_suite(suite)
    said = f"[suite] 'bowl': its loss on its own settings raises {error}"
    assert said in str(caught.value) and f"(problems.py:{line})" in str(caught.value)
    done = agentos_cli("self-tune", "--out", str(tmp_path / "out"), "--suite", str(suite))
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert said in done.stderr and f"fix: fix problems.py:{line}" in done.stderr
    assert not (tmp_path / "out").exists()
