"""The trusted pytest gate runs with the repository's own pytest options, read at the baseline.

Each test commits a small src-layout project in a real git repository, pins the manifest on the
baseline snapshot and runs the gate on candidate commits through `run_gates`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import pytest
from helpers import make_repo

from agentos.errors import UserError
from agentos.evaluate import GateRun, run_gates, snapshot_dir
from agentos.git import Repo
from agentos.sandbox import get_backend
from agentos.task import load_task
from agentos.tool import ToolContext
from agentos.tools import pin_test_manifest

TOML = """[task]
editable = ["src/calc/core.py"]
protected = ["tests/**", "pyproject.toml", "setup.cfg", "tox.ini", "pytest.ini"{extra}]
[metric]
command = "python -c 'print(1)'"
regex = '^(\\S+)$'
goal = "max"
[tools]
gates = ["pytest"]
"""
CORE = "def add(a: int, b: int) -> int:\n    return a + b\n"
TEST = ("from calc.core import add\n\n\ndef test_add() -> None:\n    assert add(1, 2) == 3\n\n\n"
        "def test_zero() -> None:\n    assert add(0, 0) == 0\n")
SRC_LAYOUT = {"src/calc/__init__.py": "", "src/calc/core.py": CORE, "tests/test_core.py": TEST}
PYPROJECT = '[project]\nname = "calc"\n\n[tool.pytest.ini_options]\npythonpath = ["src"]\n'


class Project:
    def __init__(self, root: Path, files: dict[str, str], protect: str = "") -> None:
        self.root = make_repo(root / "repo", {**files, "agentos.toml": TOML.format(extra=protect)})
        self.repo = Repo(self.root)
        self.task = load_task(self.root)
        self.base = self.repo.rev("HEAD") or ""
        self.trusted = root / "trusted"

    @contextmanager
    def context(self, edits: dict[str, str] | None = None) -> Iterator[ToolContext]:
        commit = self.base
        if edits is not None:
            commit = self.repo.commit_files(self.base, {k: v.encode() for k, v in edits.items()},
                                            "candidate")
        with snapshot_dir(self.repo, commit) as tree, snapshot_dir(self.repo, self.base) as parent:
            yield ToolContext(tree=tree, changed=sorted(edits or {}), task=self.task,
                              sandbox=get_backend("local"),
                              parent_tree=parent if edits is not None else None,
                              trusted_dir=self.trusted)

    def pin(self) -> dict[str, object]:
        with self.context() as ctx:
            return dict(json.loads(pin_test_manifest(ctx).read_text()))

    def gate(self, edits: dict[str, str] | None = None) -> GateRun:
        with self.context(edits) as ctx:
            return run_gates(self.task.tools, ctx)


def test_a_src_layout_repo_passes_on_its_baseline_and_a_broken_function_is_rejected(
    tmp_path: Path,
) -> None:
    project = Project(tmp_path, {**SRC_LAYOUT, "pyproject.toml": PYPROJECT})
    check = project.gate()  # the baseline, nothing pinned yet: what `agentos check` sees
    assert check.passed, check.summary()
    assert "2 collected, 2 passed" in check.results[0].detail
    assert "pyproject.toml [tool.pytest.ini_options]" in check.results[0].detail
    manifest = project.pin()
    assert manifest["tests"] == {"tests/test_core.py::test_add": "passed",
                                 "tests/test_core.py::test_zero": "passed"}
    assert project.gate({"src/calc/core.py": CORE.replace("# ", "")}).passed
    # the candidate's own pytest options are never read, even where they would hide the failure
    broken = {"src/calc/core.py": CORE.replace("a + b", "a - b"),
              "pyproject.toml": PYPROJECT + 'addopts = "-k zero"\n'}
    run = project.gate(broken)
    assert not run.passed
    assert {(f.code, f.message.split(" ")[0]) for f in run.results[0].findings} == {
        ("test-failed", "tests/test_core.py::test_add")}


def test_without_its_pythonpath_the_baseline_fails_with_a_fix_naming_the_right_sections(
    tmp_path: Path,
) -> None:
    project = Project(tmp_path, {**SRC_LAYOUT, "pyproject.toml": '[project]\nname = "calc"\n'})
    check = project.gate()
    assert not check.passed and check.results[0].findings[0].code == "baseline-tests"
    assert "No module named 'calc'" in check.results[0].findings[0].message
    with pytest.raises(UserError) as caught:
        project.pin()
    text = str(caught.value)
    assert "pyproject.toml [tool.pytest.ini_options]" in text and "setup.cfg [tool:pytest]" in text
    assert "[tools.pytest] in agentos.toml" in text


@pytest.mark.parametrize(("name", "text", "source"), [
    ("pytest.ini", "[pytest]\npythonpath = src\n", "pytest.ini [pytest]"),
    ("tox.ini", "[tox]\nenvlist = py3\n\n[pytest]\npythonpath = src\n", "tox.ini [pytest]"),
    ("setup.cfg", "[metadata]\nname = calc\n\n[tool:pytest]\npythonpath =\n    src\n",
     "setup.cfg [tool:pytest]"),
    ("pyproject.toml", '[tool.pytest]\npythonpath = ["src"]\n', "pyproject.toml [tool.pytest]"),
])
def test_options_are_read_from_each_pytest_config_file(
    tmp_path: Path, name: str, text: str, source: str
) -> None:
    manifest = Project(tmp_path, {**SRC_LAYOUT, name: text}).pin()
    assert manifest["source"] == source and len(manifest["tests"]) == 2  # type: ignore[arg-type]


def test_addopts_that_load_plugins_or_stop_early_are_left_out(tmp_path: Path) -> None:
    pyproject = PYPROJECT + (
        'markers = ["slow: a slow test"]\n'
        'addopts = "-ra --strict-markers -x -p calc.plugin --cov=calc --import-mode=importlib"\n')
    test = TEST + "\n\n@__import__('pytest').mark.slow\ndef test_slow() -> None:\n    pass\n"
    files = {**SRC_LAYOUT, "pyproject.toml": pyproject, "tests/test_core.py": test}
    manifest = Project(tmp_path, files).pin()
    assert len(manifest["tests"]) == 3  # type: ignore[arg-type]
    ini = str(manifest["ini"])
    assert "--strict-markers" in ini and "--import-mode=importlib" in ini and "slow:" in ini
    assert manifest["notes"] == ["addopts -x left out", "addopts -p calc.plugin left out",
                                 "addopts --cov=calc left out"]


CONFTEST = "import pytest\n\n\n@pytest.fixture\ndef two() -> int:\n    return 2\n"
NEEDS_FIXTURE = ("from calc.core import add\n\n\ndef test_two(two: int) -> None:\n"
                 "    assert add(two, 0) == 2\n")


def test_a_protected_conftest_is_pinned_and_loaded(tmp_path: Path) -> None:
    files = {**SRC_LAYOUT, "pyproject.toml": PYPROJECT, "tests/conftest.py": CONFTEST,
             "tests/test_fixture.py": NEEDS_FIXTURE}
    project = Project(tmp_path, files)  # tests/** is protected
    manifest = project.pin()
    assert list(manifest["conftest"]) == ["tests/conftest.py"]  # type: ignore[call-overload]
    assert manifest["tests"]["tests/test_fixture.py::test_two"] == "passed"  # type: ignore[index]
    assert project.gate({"src/calc/core.py": CORE + "\n"}).passed
    forced = {"src/calc/core.py": CORE.replace("a + b", "a - b"),
              "src/calc/conftest.py": "def pytest_collection_modifyitems(items):\n"
                                      "    items.clear()\n"}
    run = project.gate(forced)
    assert [(f.path, f.code) for f in run.results[0].findings] == [
        ("src/calc/conftest.py", "conftest-changed")]


def test_an_unprotected_conftest_is_not_loaded_and_the_check_says_so(tmp_path: Path) -> None:
    files = {**SRC_LAYOUT, "pyproject.toml": PYPROJECT, "conftest.py": CONFTEST,
             "tests/test_fixture.py": NEEDS_FIXTURE}
    project = Project(tmp_path, files)
    check = project.gate()
    assert check.passed  # the tests collect; the one that needs the fixture is never required
    assert [(f.code, f.message) for f in check.results[0].findings] == [
        ("failing-at-baseline", "tests/test_fixture.py::test_two failed at baseline")]
    assert "conftest.py is not loaded: it is not protected" in check.results[0].detail
    protected = Project(tmp_path / "again", files, protect=', "conftest.py"')
    assert protected.pin()["tests"]["tests/test_fixture.py::test_two"] == "passed"  # type: ignore[index]


def test_in_the_loop_a_src_layout_repo_pins_with_its_pythonpath(tmp_path: Path) -> None:
    from agentos import runner
    from agentos.status import run_status

    toml = TOML.format(extra="").replace('editable = ["src/calc/core.py"]',
                                         'editable = ["src/calc/settings.py"]')
    # the metric reads the editable settings (a run that reads none of its change is invalid)
    toml = toml.replace("python -c 'print(1)'",
                        "python -c 'from calc.settings import RATE; print(RATE)'")
    files = {**SRC_LAYOUT, "pyproject.toml": PYPROJECT, "agentos.toml": toml,
             "src/calc/settings.py": "RATE = 1.0  # range: 0..10\n"}
    repo = make_repo(tmp_path / "loop", files)
    runner.run(repo, runner.Overrides(budget=2, sandbox="local"))
    experiments = run_status(repo)["experiments"]
    assert {e["status"] for e in experiments} <= {"keep", "discard"}, experiments[0]["reason"]
    manifest = json.loads(next(repo.glob(".agentos/runs/*/trusted/pytest-manifest.json"))
                          .read_text())
    assert manifest["source"] == "pyproject.toml [tool.pytest.ini_options]"


def test_the_tests_run_with_the_repositorys_own_interpreter_and_its_dependencies(
    tmp_path: Path,
) -> None:
    import site
    import subprocess
    import sys

    test = "import repodep\nfrom calc.core import add\n\n\ndef test_add() -> None:\n" \
           "    assert add(1, 2) == repodep.THREE\n"
    project = Project(tmp_path, {**SRC_LAYOUT, "tests/test_core.py": test,
                                 "pyproject.toml": PYPROJECT})
    # The repository's .venv: a dependency only it has, and pytest (through a .pth to ours)
    venv = project.root / ".venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    sites = subprocess.run([str(venv / "bin" / "python"), "-c",
                            "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                           capture_output=True, text=True, check=True).stdout.strip()
    Path(sites, "repodep.py").write_text("THREE = 3\n")
    Path(sites, "agentos_test_pytest.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    project.task = load_task(project.root)
    with project.context() as ctx:
        run = run_gates(project.task.tools, replace(ctx, sandbox=get_backend("auto")))
    assert run.passed, run.summary()
    assert "1 collected, 1 passed" in run.results[0].detail

    # agentos' own interpreter lacks the dependency: the same baseline does not collect
    toml = project.root / "agentos.toml"
    toml.write_text(toml.read_text() + '[env]\npython = "agentos"\n')
    project.task = load_task(project.root)
    with project.context() as ctx:
        run = run_gates(project.task.tools, ctx)
    assert not run.passed and "repodep" in run.summary()


def test_a_test_file_that_does_not_collect_at_baseline_is_left_out_and_named(
    tmp_path: Path,
) -> None:
    extra = "import not_installed_extra\n\n\ndef test_prop() -> None:\n    assert True\n"
    project = Project(tmp_path, {**SRC_LAYOUT, "pyproject.toml": PYPROJECT,
                                 "tests/test_property.py": extra})
    check = project.gate()
    assert check.passed, check.summary()
    assert "not collected at baseline, left out: tests/test_property.py" in \
        check.results[0].detail
    manifest = project.pin()
    assert sorted(manifest["tests"]) == ["tests/test_core.py::test_add",  # type: ignore[call-overload]
                                         "tests/test_core.py::test_zero"]
    broken = project.gate({"src/calc/core.py": CORE.replace("a + b", "a - b")})
    assert not broken.passed and "test_add" in broken.summary()


@pytest.mark.parametrize(("helper", "imports"), [
    ("tests/helpers.py", "from helpers import ONE"),  # the test file's folder on the path
    ("tests/helpers.py", "from tests.helpers import ONE"),  # a package of tests
    ("tests/conftest.py", "from conftest import ONE"),
])
def test_a_test_helper_left_untracked_is_named_in_the_fix_with_the_command_to_commit_it(
    tmp_path: Path, helper: str, imports: str
) -> None:
    files = {**SRC_LAYOUT, "pyproject.toml": PYPROJECT, "tests/__init__.py": "",
             "tests/test_core.py": f"{imports}\n{TEST}"}
    if "tests.helpers" not in imports:
        del files["tests/__init__.py"]
    project = Project(tmp_path, files)
    (project.root / helper).write_text("ONE = 1\n")  # in the working tree, never committed
    check = project.gate()
    assert not check.passed
    fix = check.results[0].detail.split("fix: ", 1)[1]
    assert fix.startswith(f"{helper} exists here but is not committed (untracked)"), fix
    assert f"`git add {helper}`" in fix and "pythonpath" not in fix and "install" not in fix
    with pytest.raises(UserError) as caught:
        project.pin()
    assert f"git add {helper}" in str(caught.value)


def test_a_conftest_left_untracked_is_named_when_no_test_passes_without_it(
    tmp_path: Path,
) -> None:
    """Every test needs a fixture of tests/conftest.py, which is in the working tree but not in
    the commit: the tests collect and all fail, so a gate that passed would guard nothing."""
    project = Project(tmp_path, {**SRC_LAYOUT, "pyproject.toml": PYPROJECT,
                                 "tests/test_core.py": NEEDS_FIXTURE})
    (project.root / "tests" / "conftest.py").write_text(CONFTEST)
    check = project.gate()
    assert not check.passed
    detail = check.results[0].detail
    assert "none of the 1 collected test(s) passes at the baseline" in detail, detail
    assert "fixture 'two' not found" in detail, detail
    assert detail.split("fix: ", 1)[1].startswith(
        "tests/conftest.py exists here but is not committed (untracked)"), detail
    with pytest.raises(UserError) as caught:
        project.pin()
    assert "git add tests/conftest.py" in str(caught.value)
    # failing for another reason, with nothing untracked: the fix says what to do instead
    (project.root / "tests" / "conftest.py").unlink()
    assert 'remove "pytest" from [tools] gates' in project.gate().results[0].detail
