"""`agentos init` on small realistic repositories, through the installed CLI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import agentos_cli, git, make_repo

from agentos.cli.main import main
from agentos.evaluate import parse_metric
from agentos.task import Task, glob_match, load_task

PYPROJECT_SRC = """\
[project]
name = "wordstat"
version = "0.1"

[tool.setuptools.packages.find]
where = ["src"]

[tool.ruff]
line-length = 100

[tool.ruff.lint]
select = ["E", "F"]

[tool.mypy]
strict = true

[tool.pytest.ini_options]
pythonpath = ["src"]
testpaths = ["tests"]
"""

EVALUATE = """\
from wordstat.core import count

if __name__ == "__main__":
    print(f"accuracy: {count('a b c') / 3:.3f}")
"""


class Ran:
    def __init__(self, returncode: int, stdout: str, stderr: str):
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


def init(repo: Path) -> tuple[Ran, dict[str, list[str]]]:
    """Run the `agentos init` command (in process: the CLI's start-up is the slow part) and return
    its result and its `key: value` lines by key."""
    result = CliRunner().invoke(main, ["init", str(repo)])
    proc = Ran(result.exit_code, result.stdout, result.stderr)
    found: dict[str, list[str]] = {}
    for line in proc.stdout.splitlines():
        key, _, value = line.partition(": ")
        found.setdefault(key, []).append(value)
    return proc, found


def committed(repo: Path) -> list[str]:
    return git(repo, "ls-files").splitlines()


def unmatched_globs(task: Task, repo: Path) -> list[str]:
    """The editable and protected globs of `task` that match no committed file."""
    files = committed(repo)
    globs = [*task.editable, *task.protected]
    return [g for g in globs if not any(glob_match(f, g) for f in files)]


def tool_options(task: Task) -> dict[str, dict[str, object]]:
    return {use.name: dict(use.options) for use in task.tools if use.kind == "gate"}


def test_src_layout_with_pyproject_tools_and_tests(tmp_path: Path) -> None:
    repo = make_repo(
        tmp_path / "wordstat",
        {
            "pyproject.toml": PYPROJECT_SRC,
            "src/wordstat/__init__.py": "",
            "src/wordstat/core.py": "def count(text: str) -> int:\n    return len(text.split())\n",
            "tests/conftest.py": "",
            "tests/test_core.py": "from wordstat.core import count\n\n\ndef test_count():\n"
            "    assert count('a b') == 2\n",
            "evaluate.py": EVALUATE,
        },
    )
    proc, found = init(repo)
    assert proc.returncode == 0, proc.stderr
    assert found["layout"] == ["src"]
    assert found["package"] == ["src/wordstat (named like the project)"]
    assert found["tests"] == ["tests/ (pytest, paths=tests, pythonpath=src)"]
    assert found["pytest config"] == ["pyproject.toml [tool.pytest.ini_options]"]
    assert found["ruff config"] == ["pyproject.toml [tool.ruff]"]
    assert found["mypy config"] == ["pyproject.toml [tool.mypy]"]
    assert found["evaluator"] == ["evaluate.py"]
    assert found["metric"] == ["accuracy (max)"]
    assert found["gates"] == ["static, ruff, mypy, pytest"]
    assert "todo" not in found
    assert found["next"] == ["agentos check"]

    task = load_task(repo)
    assert task.editable == ("src/wordstat/**/*.py",)
    assert unmatched_globs(task, repo) == []
    assert task.is_editable("src/wordstat/core.py")
    for path in ("evaluate.py", "tests/test_core.py", "tests/conftest.py", "pyproject.toml"):
        assert task.is_protected(path), path
    assert task.metric.command == ("python", "evaluate.py")
    assert task.metric.goal == "max"
    assert tool_options(task) == {
        "static": {},
        "ruff": {"config": "pyproject.toml", "format": False},
        "mypy": {"config": "pyproject.toml"},
        "pytest": {"paths": ["tests"], "pythonpath": ["src"]},
    }
    assert task.raw["env"] == {"python": "auto"}
    # The regex written reads the number the evaluator really prints.
    ran = subprocess.run(
        [sys.executable, "evaluate.py"],
        cwd=repo,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(repo / "src")},
        check=True,
    )
    assert parse_metric(task.metric, ran.stdout, tmp_path) == (1.0, "")


def test_flat_package_with_setup_cfg_no_tests_no_evaluator(tmp_path: Path) -> None:
    repo = make_repo(
        tmp_path / "flatpkg",
        {
            "setup.cfg": "[metadata]\nname = flatpkg\n\n[options]\npackages = flatpkg\n\n"
            "[mypy]\nignore_missing_imports = True\n",
            "setup.py": "from setuptools import setup\nsetup()\n",
            "flatpkg/__init__.py": "from flatpkg.impl import add\n",
            "flatpkg/impl.py": "def add(a, b):\n    return a + b\n",
            "docs/conf.py": "project = 'flatpkg'\n",
            "examples/demo/config.py": "RATE = 0.5\n",  # an example's knobs are not the package's
        },
    )
    proc, found = init(repo)
    assert proc.returncode == 0, proc.stderr
    assert found["layout"] == ["flat"]
    assert found["package"] == ["flatpkg (declared in setup.cfg)"]
    assert found["tests"] == ["none"]
    assert found["mypy config"] == ["setup.cfg [mypy]"]
    assert found["ruff config"] == ["not configured"]
    assert found["evaluator"] == ["none found"]
    assert found["gates"] == ["static, ruff, mypy"]  # ruff with its own defaults
    assert "settings" not in found
    assert found["proposer"][0].startswith("the offline heuristic finds nothing to change")
    [todo] = found["todo"]
    assert todo.startswith("no evaluator found: write bench/agentos_bench.py")
    assert "imports flatpkg" in todo and "score: <number>" in todo
    assert found["next"] == ["resolve the todo lines, then agentos check"]

    task = load_task(repo)
    assert task.editable == ("flatpkg/**/*.py",)
    assert task.metric.command == ("python", "bench/agentos_bench.py")
    # The evaluator the user must write is the one path that does not exist yet, and the file
    # says so where it names it.
    assert unmatched_globs(task, repo) == ["bench/agentos_bench.py"]
    text = (repo / "agentos.toml").read_text()
    assert 'command = "python bench/agentos_bench.py"  # TODO: write' in text
    assert tool_options(task) == {
        "static": {},
        "ruff": {"format": False},
        "mypy": {"config": "setup.cfg"},
    }


def test_settings_file_is_the_editable_surface(tmp_path: Path) -> None:
    repo = make_repo(
        tmp_path / "tuner",
        {
            "settings.py": "LEARNING_RATE = 0.01\nDEPTH = 4\nNAME = 'run'\n",
            "model.py": "from settings import DEPTH, LEARNING_RATE\n",
            "evaluate.py": "import model\n\nprint(f'val_loss: {0.5:.4f}')\n",
            "data/train.csv": "x,y\n1,2\n",
        },
    )
    proc, found = init(repo)
    assert proc.returncode == 0, proc.stderr
    assert found["settings"] == ["settings.py (2 tunable)"]
    assert found["metric"] == ["val_loss (min)"]
    assert found["editable"] == ["settings.py"]
    task = load_task(repo)
    assert task.editable == ("settings.py",)
    assert task.metric.goal == "min"
    assert task.is_protected("evaluate.py") and task.is_protected("data/train.csv")
    assert not task.is_editable("model.py")
    assert unmatched_globs(task, repo) == []
    # settings.py is data: the data-only gate keeps it so
    assert [(u.name, u.kind) for u in task.tools] == [("data-only", "gate")]
    assert found["gates"] == ["data-only"]


def test_a_settings_file_holding_code_gets_no_data_only_gate(tmp_path: Path) -> None:
    repo = make_repo(
        tmp_path / "tuner",
        {
            "settings.py": "import os\n\nLEARNING_RATE = 0.01\nDEPTH = int(os.cpu_count() or 4)\n",
            "evaluate.py": "import settings\n\nprint(f'val_loss: {settings.LEARNING_RATE}')\n",
        },
    )
    proc, found = init(repo)
    assert proc.returncode == 0, proc.stderr
    assert load_task(repo).editable == ("settings.py",)
    assert [u.name for u in load_task(repo).tools] == ["static", "ruff"]  # code, not data-only
    assert found["gates"] == ["static, ruff"]


def test_folder_of_skills_writes_nothing_and_points_to_tune_skills(tmp_path: Path) -> None:
    skills = tmp_path / "skills"
    for name in ("pdf", "csv"):
        (skills / name).mkdir(parents=True)
        (skills / name / "SKILL.md").write_text(f"---\nname: {name}\n---\nUse for {name}.\n")
    proc = agentos_cli("init", str(skills))
    assert proc.returncode == 2
    assert "2 SKILL.md" in proc.stderr
    assert f"agentos tune-skills {skills} --evals EVALS.jsonl" in proc.stderr
    assert not (skills / "agentos.toml").exists()


def test_own_virtualenv_is_reported_and_env_written(tmp_path: Path) -> None:
    repo = make_repo(
        tmp_path / "withenv",
        {
            ".gitignore": ".venv/\n",
            "pyproject.toml": '[project]\nname = "withenv"\n',
            "withenv/__init__.py": "SIZE = 3\n",
            "bench.py": "import withenv\n\nif __name__ == '__main__':\n"
            "    print('score:', withenv.SIZE)\n",
        },
    )
    (repo / ".venv" / "bin").mkdir(parents=True)
    (repo / ".venv" / "pyvenv.cfg").write_text("home = /usr/bin\nversion = 3.12.1\n")
    proc, found = init(repo)
    assert proc.returncode == 0, proc.stderr
    assert found["env"] == [".venv/ (python 3.12.1)"]
    assert found["layout"] == ["flat"]
    assert found["evaluator"] == ["bench.py"]
    assert found["metric"] == ["score (max)"]
    assert found["constants"] == ["1 UPPER_CASE numeric in 1 module(s) (withenv/__init__.py 1)"]
    assert "proposer" not in found
    text = (repo / "agentos.toml").read_text()
    assert "found .venv/ (python 3.12.1)" in text
    task = load_task(repo)
    assert task.raw["env"] == {"python": "auto"}
    assert unmatched_globs(task, repo) == []


def test_uv_src_project_without_pytest_config_gets_src_on_the_test_path(tmp_path: Path) -> None:
    repo = make_repo(
        tmp_path / "uvproj",
        {
            "uv.lock": "version = 1\n",
            "src/uvproj/__init__.py": "",
            "tests/test_x.py": "import uvproj\n",
        },
    )
    _, found = init(repo)
    assert found["env"] == ["uv.lock (a uv project)"]
    assert found["tests"] == ["tests/ (pytest, paths=tests, pythonpath=src)"]
    assert found["pytest config"] == ["not configured"]
    assert 'pythonpath = ["src"]  # for the src layout' in (repo / "agentos.toml").read_text()


def test_existing_task_file_is_never_overwritten(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"pkg/__init__.py": "", "agentos.toml": "# mine\n"})
    proc, _ = init(repo)
    assert proc.returncode == 2
    assert "already exists" in proc.stderr
    assert (repo / "agentos.toml").read_text() == "# mine\n"


def test_several_candidate_packages_are_named_as_a_todo(tmp_path: Path) -> None:
    repo = make_repo(
        tmp_path / "two",
        {"alpha/__init__.py": "", "beta/__init__.py": "", "tests/test_a.py": "def test(): pass\n"},
    )
    proc, found = init(repo)
    assert proc.returncode == 0, proc.stderr
    assert found["package"] == ["alpha, beta (the folders with Python code)"]
    assert any(t.startswith("several candidate packages (alpha, beta)") for t in found["todo"])
    text = (repo / "agentos.toml").read_text()
    assert '"alpha/**/*.py", "beta/**/*.py"]  # TODO: keep the package(s) to change' in text
    task = load_task(repo)
    assert unmatched_globs(task, repo) == ["bench/agentos_bench.py"]
    assert tool_options(task)["pytest"] == {"paths": ["tests"], "pythonpath": ["."]}


def test_single_module_with_root_tests_and_setup_cfg_pytest(tmp_path: Path) -> None:
    repo = make_repo(
        tmp_path / "onemod",
        {
            "setup.py": "from setuptools import setup\n\n"
            "setup(name='onemod', py_modules=['onemod'])\n",
            "setup.cfg": "[tool:pytest]\nminversion = 6\n",
            "onemod.py": "PY3 = True\n",
            "test_onemod.py": "import onemod\n\n\ndef test():\n    assert onemod.PY3\n",
        },
    )
    proc, found = init(repo)
    assert proc.returncode == 0, proc.stderr
    assert found["layout"] == ["module"]
    assert found["tests"] == ["test_onemod.py (pytest, paths=test_onemod.py, pythonpath=.)"]
    assert found["pytest config"] == ["setup.cfg [tool:pytest]"]
    task = load_task(repo)
    assert task.editable == ("onemod.py",)
    assert task.is_protected("test_onemod.py") and task.is_protected("setup.py")


@pytest.mark.parametrize(
    ("files", "key", "expected"),
    [
        ({"pytest.ini": "[pytest]\npythonpath = lib\n"}, "pytest config", "pytest.ini [pytest]"),
        ({"tox.ini": "[tox]\n\n[pytest]\naddopts = -q\n"}, "pytest config", "tox.ini [pytest]"),
        ({"ruff.toml": "line-length = 90\n"}, "ruff config", "ruff.toml"),
        ({".ruff.toml": "[format]\nquote-style = 'single'\n"}, "ruff config", ".ruff.toml"),
        ({"mypy.ini": "[mypy]\nstrict = True\n"}, "mypy config", "mypy.ini [mypy]"),
    ],
)
def test_tool_configuration_files(
    tmp_path: Path, files: dict[str, str], key: str, expected: str
) -> None:
    repo = make_repo(
        tmp_path / "cfg",
        {**files, "pkg/__init__.py": "", "pkg/tests/test_x.py": "def test(): pass\n"},
    )
    proc, found = init(repo)
    assert proc.returncode == 0, proc.stderr
    assert found[key] == [expected]
    task = load_task(repo)
    config = next(iter(files))
    assert task.is_protected(config)
    assert task.is_editable("pkg/__init__.py") and not task.is_editable("pkg/tests/test_x.py")
    assert unmatched_globs(task, repo) == ["bench/agentos_bench.py"]
    options = tool_options(task)
    if key == "ruff config":
        assert options["ruff"] == {"config": config, "format": config == ".ruff.toml"}
    if key == "mypy config":
        assert options["mypy"] == {"config": config}
    if config == "pytest.ini":
        assert options["pytest"]["pythonpath"] == ["lib"]


def test_broken_pyproject_is_a_todo_and_a_src_module_is_found(tmp_path: Path) -> None:
    repo = make_repo(
        tmp_path / "broken",
        {
            "pyproject.toml": '[project\nname = "onefile"\n',
            "src/onefile.py": "def f() -> int:\n    return 1\n",
            "agentos.gpu.toml": "# a profile of the user's\n",
        },
    )
    proc, found = init(repo)
    assert proc.returncode == 0, proc.stderr
    assert any(t.startswith("pyproject.toml is not valid TOML") for t in found["todo"])
    # The project name could not be read, so the package is the only module under src/.
    assert found["package"] == ["src/onefile.py (the folders with Python code)"]
    assert found["layout"] == ["src"]
    task = load_task(repo)
    assert task.editable == ("src/onefile.py",)
    assert task.is_protected("agentos.gpu.toml") and task.is_protected("pyproject.toml")


def test_a_script_that_prints_a_score_is_the_evaluator(tmp_path: Path) -> None:
    repo = make_repo(
        tmp_path / "marked",
        {
            "marked/__init__.py": "LIMIT = 10\n",
            "scripts/measure.py": "import marked\n\nprint(f'n_items: {3}')\n"
            "print(f'score: {marked.LIMIT / 2}')\n",
            "scripts/helper.py": "print('no metric here')\n",
        },
    )
    proc, found = init(repo)
    assert proc.returncode == 0, proc.stderr
    assert found["evaluator"] == ["scripts/measure.py"]
    assert found["metric"] == ["score (max)"]
    assert "todo" not in found
    task = load_task(repo)
    assert task.metric.command == ("python", "scripts/measure.py")
    assert task.is_protected("scripts/measure.py") and not task.is_protected("scripts/helper.py")
    ran = subprocess.run(
        [sys.executable, "scripts/measure.py"],
        cwd=repo,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(repo)},
        check=True,
    )
    assert parse_metric(task.metric, ran.stdout, tmp_path) == (5.0, "")


def test_the_users_scoring_bench_beats_an_upstream_benchmark_and_ci_config_is_no_setting(
    tmp_path: Path,
) -> None:
    """A library as downloaded: an upstream `benchmark.py` printing a table, the user's
    `bench/tab_bench.py` printing `score:`, a `.circleci/config.yml`. The evaluator is the one
    that prints a metric; the package, not the CI file, is what the agent may edit."""
    repo = make_repo(
        tmp_path / "tabular",
        {
            "pyproject.toml": '[project]\nname = "tabular"\nversion = "1.0"\n',
            "tabular/__init__.py": "MIN_PADDING = 2\n\ndef fmt(rows):\n    return rows\n",
            "benchmark.py": "import timeit\n\nif __name__ == '__main__':\n"
            "    print('| lib | time |')\n",
            "bench/tab_bench.py": "import tabular\n\nprint(f'score: {len(tabular.fmt([1]))}')\n",
            ".circleci/config.yml": "version: 2\njobs:\n  build:\n    steps: []\n",
        },
    )
    proc, found = init(repo)
    assert proc.returncode == 0, proc.stderr
    assert found["evaluator"] == ["bench/tab_bench.py"]
    assert found["metric"] == ["score (max)"]
    assert "settings" not in found
    task = load_task(repo)
    assert task.editable == ("tabular/**/*.py",)
    assert not any(glob_match(".circleci/config.yml", g) for g in task.editable)


@pytest.mark.parametrize(
    ("prints", "todo", "key", "comment"),
    [
        ("print(f'widgets: {7}')", "metric goal unknown: is a higher `widgets`", "goal", "higher"),
        ("print(7)", "metric line unknown: evaluate.py prints no single", "regex", "print `score"),
    ],
)
def test_an_evaluator_whose_metric_is_unclear_is_a_todo(
    tmp_path: Path, prints: str, todo: str, key: str, comment: str
) -> None:
    repo = make_repo(tmp_path / "unclear", {"pkg/__init__.py": "", "evaluate.py": prints + "\n"})
    proc, found = init(repo)
    assert proc.returncode == 0, proc.stderr
    [line] = found["todo"]
    assert line.startswith(todo)
    text = (repo / "agentos.toml").read_text()
    marked = [li for li in text.splitlines() if "# TODO:" in li]
    assert len(marked) == 1 and marked[0].startswith(f"{key} = ") and comment in marked[0]
    assert load_task(repo).metric.goal == "max"


@pytest.mark.parametrize(("names", "metric"), [
    (("accuracy", "seconds", "cases"), "accuracy (max)"),
    (("val_loss", "elapsed_s"), "val_loss (min)"),
    (("ops_per_sec", "wall_time"), "ops_per_sec (max)"),
])
def test_the_time_an_evaluator_prints_beside_its_metric_is_not_the_metric(
    tmp_path: Path, names: tuple[str, ...], metric: str
) -> None:
    script = "".join(f"print(f'{name}: {{{i} + 0.5}}')\n" for i, name in enumerate(names))
    repo = make_repo(tmp_path / "timed", {"pkg/__init__.py": "", "evaluate.py": script})
    proc, found = init(repo)
    assert proc.returncode == 0, proc.stderr
    assert found["metric"] == [metric], proc.stdout
    assert "todo" not in found, found["todo"]


def test_a_training_script_that_prints_its_loss_is_the_evaluator(tmp_path: Path) -> None:
    """The common ML layout: hyperparameters in config.py, a train.py that imports them and prints
    its validation loss; no file is named like an evaluator."""
    repo = make_repo(
        tmp_path / "ml",
        {
            "config.py": "lr = 3e-4  # learning rate, 1e-5 to 1e-2\nbatch_size = 32  # max 256\n",
            "train.py": "import config\n\nprint(f'val_loss: {config.lr * 10:.4f}')\n",
        },
    )
    proc, found = init(repo)
    assert proc.returncode == 0, proc.stderr
    assert found["evaluator"] == ["train.py"]
    assert found["metric"] == ["val_loss (min)"]
    task = load_task(repo)
    assert task.metric.command == ("python", "train.py") and task.metric.goal == "min"
    assert task.editable == ("config.py",) and task.is_protected("train.py")
    assert unmatched_globs(task, repo) == []


def test_a_json_config_is_counted_with_the_schema_beside_it(tmp_path: Path) -> None:
    """`settings.schema.json` gives the JSON config's string its choices, as `agentos check`
    reads it: init counts that setting as tunable too."""
    schema = '{"properties": {"optimizer": {"enum": ["sgd", "adam"]}}}'
    repo = make_repo(
        tmp_path / "tuner",
        {
            "settings.json": '{"lr": 0.01, "optimizer": "adam"}\n',
            "settings.schema.json": schema,
            "evaluate.py": "import json\n\nprint(f'val_loss: {0.5:.4f}')\n",
        },
    )
    proc, found = init(repo)
    assert proc.returncode == 0, proc.stderr
    assert found["settings"] == ["settings.json (2 tunable)"]


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("config.yaml", "lr: 0.01  # between 0.001 and 0.1\noptimizer: adam  # one of adam|sgd\n"),
        (".env", "LR=0.01  # between 0.001 and 0.1\nOPTIMIZER=adam  # one of adam|sgd\n"),
        (
            "params.ini",
            "[train]\nlr = 0.01  ; between 0.001 and 0.1\noptimizer = adam  ; one of adam|sgd\n",
        ),
    ],
)
def test_yaml_env_and_ini_settings_files_are_found(tmp_path: Path, name: str, text: str) -> None:
    repo = make_repo(
        tmp_path / "tuner",
        {name: text, "evaluate.py": "print(f'val_loss: {0.5:.4f}')\n"},
    )
    proc, found = init(repo)
    assert proc.returncode == 0, proc.stderr
    assert found["settings"] == [f"{name} (2 tunable)"]
    assert load_task(repo).editable == (name,)
    assert [t.name for t in load_task(repo).tools] == ["data-only"]  # data: no lint of code
    check = agentos_cli("check", str(repo))
    assert check.returncode == 0, check.stdout + check.stderr
    assert "tunable_settings: 2" in check.stdout, check.stdout + check.stderr


def test_a_yaml_file_with_anchors_gets_no_code_gates_and_check_passes(tmp_path: Path) -> None:
    """Anchors are not data to the data-only gate (an alias bomb), so it stays off; ruff and the
    static rules judge Python code, and no editable file is Python."""
    text = "base: &base\n  lr: 0.01  # between 0.001 and 0.1\nrun:\n  <<: *base\n  steps: 10\n"
    evaluate = ("import yaml\ncfg = yaml.safe_load(open('config.yaml'))\n"
                "print(f\"val_loss: {abs(cfg['run']['lr'] - 0.02):.4f}\")\n")
    repo = make_repo(tmp_path / "anchored", {"config.yaml": text, "evaluate.py": evaluate})
    proc, found = init(repo)
    assert found["settings"] == ["config.yaml (2 tunable)"]
    assert proc.returncode == 0, proc.stderr
    assert load_task(repo).editable == ("config.yaml",)
    assert [t.name for t in load_task(repo).tools] == []
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "task")
    check = agentos_cli("check", str(repo))
    assert check.returncode == 0, check.stdout + check.stderr


def test_a_package_that_reads_its_own_table_of_pyproject_toml_gets_that_table_searched(
    tmp_path: Path,
) -> None:
    """The evaluator imports the package, and the package (not the evaluator) reads its
    settings from `[tool.typofix]`: with nothing to tune in the package's code, that table is
    the editable surface, not the package."""
    fixer = (
        "import tomllib\nfrom pathlib import Path\n\nROOT = Path(__file__).parent.parent\n\n\n"
        "def load():\n    with open(ROOT / \"pyproject.toml\", \"rb\") as f:\n"
        "        return tomllib.load(f)[\"tool\"][\"typofix\"]\n"
    )
    pyproject = (
        '[project]\nname = "typofix"\ndependencies = ["pyyaml"]\n\n[tool.typofix]\n'
        "distance = 1  # 1 or 2\nmin_count = 50\n\n[tool.ruff]\nline-length = 100\n"
    )
    evaluate = "from typofix.fixer import load\n\nprint(f\"accuracy: {load()['distance']}\")\n"
    repo = make_repo(tmp_path / "typofix", {
        "pyproject.toml": pyproject, "typofix/__init__.py": "", "typofix/fixer.py": fixer,
        "evaluate.py": evaluate,
    })
    proc, found = init(repo)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert found["settings"] == ["pyproject.toml (2 tunable)"], proc.stdout
    assert "proposer" not in found, found["proposer"]
    task = load_task(repo)
    assert task.editable == ("pyproject.toml",) and "pyproject.toml" not in task.protected


def test_a_data_file_the_evaluator_reads_is_a_settings_file_whatever_its_name(
    tmp_path: Path,
) -> None:
    evaluate = (
        "import configparser\n\ncfg = configparser.ConfigParser()\ncfg.read('solver.cfg')\n"
        "tol = cfg.getfloat('mesh', 'tol')\nprint(f'error: {abs(tol - 1e-4):.6f}')\n"
    )
    repo = make_repo(
        tmp_path / "sim",
        {
            "solver.cfg": "[mesh]\ntol = 0.01  ; log\nrefine = no\n",
            "other.yaml": "unused: 3\n",  # named by nothing: not a settings file
            "pyproject.toml": "[tool.sim]\nsteps = 10\n",
            "evaluate.py": evaluate + "open('pyproject.toml').close()\n",
        },
    )
    proc, found = init(repo)
    assert proc.returncode == 0, proc.stderr
    # pyproject.toml is read too: its application table (never the tools' ones) is settings
    assert found["settings"] == ["pyproject.toml (1 tunable), solver.cfg (2 tunable)"]
    assert load_task(repo).editable == ("pyproject.toml", "solver.cfg")
    assert "pyproject.toml" not in load_task(repo).protected


def test_an_evaluator_that_reads_its_table_of_pyproject_toml_gets_that_table_searched(
    tmp_path: Path,
) -> None:
    """A tool's settings in `[tool.ranker]` of pyproject.toml, read by the evaluator, and nothing
    else to tune: init writes pyproject.toml as the editable file (it said "no Python package,
    module or settings file found" and wrote nothing), and `[tool.ruff]` there is no setting."""
    evaluate = (
        "import tomllib\nwith open('pyproject.toml', 'rb') as f:\n"
        "    cfg = tomllib.load(f)['tool']['ranker']\n"
        "print(f\"val_loss: {abs(cfg['lr'] - 0.003) + cfg['epochs']:.5f}\")\n"
    )
    pyproject = (
        '[project]\nname = "ranker"\nversion = "0.3.0"\n\n[tool.ranker]\n'
        "lr = 0.01  # 1e-5 .. 1e-1, log scale\nepochs = 30  # don't touch\n\n"
        "[tool.ruff]\nline-length = 100\n"
    )
    repo = make_repo(tmp_path / "ranker", {"pyproject.toml": pyproject, "evaluate.py": evaluate})
    proc, found = init(repo)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert found["settings"] == ["pyproject.toml (1 tunable)"]
    task = load_task(repo)
    assert task.editable == ("pyproject.toml",) and "pyproject.toml" not in task.protected
    assert [t.name for t in task.tools] == ["data-only"]  # ruff's config, but no code to lint
    check = agentos_cli("check", str(repo))
    assert check.returncode == 0, check.stdout + check.stderr
    assert "tunable_settings: 1 (heuristic proposer): tool.ranker.lr\n" in check.stdout
    assert "tool.ruff" not in check.stdout


def test_a_root_script_that_prints_a_metric_of_no_known_direction_is_the_evaluator(
    tmp_path: Path,
) -> None:
    """`tour.py` at the root prints `tour_length: X` and reads `solver.ini`: it is the evaluator,
    the INI file the settings, and a length is a metric to lower."""
    tour = (
        "import configparser\ncfg = configparser.ConfigParser()\ncfg.read('solver.ini')\n"
        "t0 = cfg['anneal'].getfloat('t0')\nprint(f'tour_length: {500 + abs(t0 - 0.1):.3f}')\n"
    )
    repo = make_repo(tmp_path / "tsp", {
        "tour.py": tour,
        "solver.ini": "[anneal]\n; start temperature, 0.01 to 1\nt0 = 0.2\n",
        "notes.py": "print('a note')\n",  # prints no metric line
    })
    proc, found = init(repo)
    assert proc.returncode == 0, proc.stderr
    assert found["evaluator"] == ["tour.py"] and found["metric"] == ["tour_length (min)"]
    task = load_task(repo)
    assert task.editable == ("solver.ini",) and "tour.py" in task.protected
    assert [t.name for t in task.tools] == ["data-only"]


def test_a_rate_per_unit_of_time_is_raised() -> None:
    from agentos.init.scripts import _goal

    for name in ("docs_per_sec", "tokens_per_s", "items_per_second", "qps", "hit_rate"):
        assert _goal(name) == "max", name
    for name in ("time_per_step", "ms_per_token", "latency_ms", "runtime_sec"):
        assert _goal(name) == "min", name


def test_a_script_with_flags_beside_a_settings_file_says_its_flags_are_not_searched(
    tmp_path: Path,
) -> None:
    train = (
        "import argparse\np = argparse.ArgumentParser()\n"
        "p.add_argument('--lr', type=float, default=0.01, help='0.001 to 0.1')\n"
        "p.add_argument('--warmup', type=int, default=5, help='0-20')\n"
        "a = p.parse_args()\nprint(f'val_loss: {abs(a.lr - 0.02):.4f}')\n"
    )
    repo = make_repo(tmp_path / "t", {"train.py": train,
                                       ".env": "CACHE_MB=64  # 16 to 512\n"})
    proc, found = init(repo)
    assert proc.returncode == 0, proc.stderr
    assert load_task(repo).editable == (".env",)
    assert any(line.startswith("train.py has 2 tunable setting(s) of its own")
               for line in found["todo"]), found


def test_settings_in_a_format_agentos_does_not_read_are_named_in_the_error(tmp_path: Path) -> None:
    """A `settings.json5` beside its evaluator: init said "no ... settings file found" and "commit
    the code", which was committed; it names the file and the formats it reads."""
    evaluate = "import re\ntext = open('settings.json5').read()\nprint('score: 1')\n"
    repo = make_repo(tmp_path / "j5", {"settings.json5": "{\n  lr: 0.001, // 1e-5 .. 1e-2\n}\n",
                                       "evaluate.py": evaluate})  # fmt: skip
    proc, _ = init(repo)
    assert proc.returncode == 2
    assert "settings.json5 is in a format agentos does not read" in proc.stderr, proc.stderr
    assert "fix: write the settings as JSON, TOML, YAML" in proc.stderr
