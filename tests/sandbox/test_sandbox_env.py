"""The repository's own Python in the sandbox, the candidate first on the import path, and an
evaluator that writes its results beside its files, all through `agentos.evaluate.measure`."""

from __future__ import annotations

import glob
import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import git, make_repo

from agentos.evaluate import MetricEvaluator, measure
from agentos.git import Repo
from agentos.sandbox import Sandbox, get_backend
from agentos.sandbox.base import SandboxUnavailable
from agentos.task import load_task

BASE = os.path.realpath(sys.executable)
PIP = str(Path(sys.executable).with_name("pip"))

REPORT = """\
import sys, tinylib
print("interpreter:", sys.prefix)
print("library:", tinylib.__file__)
print("score:", {"committed": 1, "working tree": 2, "installed": 3}[tinylib.VALUE])
"""
TOML = """\
[task]
editable = ["{lib}/tinylib/__init__.py"]
protected = ["bench/evaluate.py"]
[metric]
command = "python bench/evaluate.py"
regex = '^score: (\\S+)$'
goal = "max"
[env]
python = "auto"
"""
SETUP = '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n'
SETUP += '[project]\nname = "tinylib"\nversion = "1.0"\n'
FLAT = '[tool.setuptools]\npackages = ["tinylib"]\n'


def make_venv(path: Path, base: str = BASE) -> Path:
    subprocess.run([base, "-m", "venv", "--without-pip", str(path)], check=True)
    return path


def library_repo(root: Path, *, src: bool) -> Path:
    """A git repo whose package `tinylib` (src or flat layout) the metric imports from bench/."""
    lib = "src" if src else "."
    package = f"{lib}/tinylib/__init__.py".removeprefix("./")
    return make_repo(
        root,
        {
            package: 'VALUE = "committed"\n',
            "bench/evaluate.py": REPORT,
            "pyproject.toml": SETUP + ("" if src else FLAT),
            "agentos.toml": TOML.replace("{lib}/", "" if lib == "." else "src/"),
            ".gitignore": ".venv/\n*.egg-info/\nbuild/\n",
        },
    )


@pytest.fixture
def bwrap() -> Sandbox:
    try:
        return get_backend("bwrap")
    except SandboxUnavailable as err:
        pytest.skip(str(err))


@pytest.mark.parametrize("src", [True, False], ids=["src-layout", "flat-layout"])
@pytest.mark.parametrize("editable", [False, True], ids=["installed", "editable"])
def test_the_repos_venv_runs_the_committed_library_not_an_installed_copy(
    tmp_path: Path, bwrap: Sandbox, src: bool, editable: bool
) -> None:
    root = library_repo(tmp_path / "repo", src=src)
    venv = make_venv(root / ".venv")
    package = root / ("src" if src else "") / "tinylib" / "__init__.py"
    package.write_text('VALUE = "working tree"\n')  # uncommitted: never what the metric runs
    install = [PIP, "install", "-q", "--no-deps", "--no-build-isolation", "--no-index"]
    subprocess.run([*install, "--prefix", str(venv), *(["-e"] if editable else []), str(root)],
                   check=True, capture_output=True)  # fmt: skip
    if not editable:  # the installed copy differs from both the commit and the working tree
        site = glob.glob(f"{venv}/lib/python*/site-packages/tinylib/__init__.py")
        Path(site[0]).write_text('VALUE = "installed"\n')
    direct = subprocess.run([venv / "bin/python", "bench/evaluate.py"], cwd=root,
                            capture_output=True, text=True, check=True)  # fmt: skip
    assert "score: 1" not in direct.stdout  # outside agentos the installed copy wins

    evaluation = measure(Repo(root), "HEAD", MetricEvaluator(load_task(root), bwrap)).evaluation
    assert (evaluation.status, evaluation.metric) == (None, 1.0), evaluation.reason
    assert f"interpreter: {venv}" in evaluation.log_tail
    assert "library: /sandbox/tree/" in evaluation.log_tail
    assert evaluation.reads is not None
    assert package.relative_to(root).as_posix() in evaluation.reads


VERSIONS = sorted(glob.glob("/root/.pyenv/versions/3.9.*/bin/python3"))[-1:]


@pytest.mark.skipif(not VERSIONS, reason="no CPython 3.9 on this machine")
def test_the_audit_hook_works_in_a_python_3_9_venv(tmp_path: Path, isolating: Sandbox) -> None:
    root = library_repo(tmp_path / "repo", src=True)
    venv = make_venv(root / ".venv", VERSIONS[0])
    task = load_task(root)
    evaluation = measure(Repo(root), "HEAD", MetricEvaluator(task, isolating)).evaluation
    assert (evaluation.status, evaluation.metric) == (None, 1.0), evaluation.reason
    assert f"interpreter: {venv}" in evaluation.log_tail
    assert evaluation.reads is not None and "src/tinylib/__init__.py" in evaluation.reads


WRITER = """\
import json
with open("metrics.json", "w") as fh:
    json.dump({"score": 7}, fh)
with open("metrics.json") as fh:
    print("read back", json.load(fh)["score"])
open("settings.py", "a").write("RATE = 9\\n")  # a committed file, changed only in the copy
"""
WRITER_TOML = """\
[task]
editable = ["settings.py"]
[metric]
command = "python evaluate.py"
json_file = "metrics.json"
json_key = "score"
goal = "max"
"""


def test_an_evaluator_may_write_into_its_working_folder(backend: Sandbox, tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo", {"evaluate.py": WRITER, "settings.py": "RATE = 1\n",
                                         "agentos.toml": WRITER_TOML})  # fmt: skip
    m = measure(Repo(root), "HEAD", MetricEvaluator(load_task(root), backend))
    assert (m.evaluation.status, m.evaluation.metric) == (None, 7.0), m.evaluation.reason
    assert "read back 7" in m.evaluation.log_tail
    assert m.tree_before == m.tree_after  # the hashed snapshot saw none of it
    assert m.evaluation.reads is not None and "metrics.json" in m.evaluation.reads
    assert (root / "settings.py").read_text() == "RATE = 1\n"
    assert not (root / "metrics.json").exists()


def test_a_committed_result_file_the_run_left_alone_is_not_a_metric(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo", {"evaluate.py": "print('nothing written')\n",
                                         "metrics.json": '{"score": 99}', "settings.py": "",
                                         "agentos.toml": WRITER_TOML})  # fmt: skip
    m = measure(Repo(root), "HEAD", MetricEvaluator(load_task(root), get_backend("local")))
    assert (m.evaluation.status, m.evaluation.metric) == ("invalid", None)
    assert "metrics.json was not written" in m.evaluation.reason


def test_rewriting_a_committed_file_and_reading_it_back_is_invalid(tmp_path: Path) -> None:
    evaluate = 'open("settings.py", "w").write("RATE = 1000\\n")\nimport settings\n'
    evaluate += 'open("metrics.json", "w").write(\'{"score": %d}\' % settings.RATE)\n'
    root = make_repo(tmp_path / "repo", {"evaluate.py": evaluate, "settings.py": "RATE = 1\n",
                                         "agentos.toml": WRITER_TOML})  # fmt: skip
    m = measure(Repo(root), "HEAD", MetricEvaluator(load_task(root), get_backend("local")))
    assert (m.evaluation.status, m.evaluation.metric) == ("invalid", None)
    assert "settings.py" in m.evaluation.reason
    assert git(root, "status", "--porcelain") == ""  # the user's tree is untouched
    assert (root / "settings.py").read_text() == "RATE = 1\n"


@pytest.mark.skipif(
    not os.path.exists("/usr/bin/python3.11") or os.path.exists("/usr/bin/python"),
    reason="needs an interpreter whose folder has no `python`",
)
def test_python_in_the_command_is_the_named_interpreter(tmp_path: Path, bwrap: Sandbox) -> None:
    evaluate = "import sys\nprint('score:', 1)\nprint('exe:', sys.executable)\n"
    toml = TOML.replace("{lib}/tinylib/__init__.py", "x.py").replace("bench/", "")
    root = make_repo(tmp_path / "repo", {"evaluate.py": evaluate, "agentos.toml": toml.replace(
        'python = "auto"', 'python = "/usr/bin/python3.11"')})  # fmt: skip
    evaluation = measure(Repo(root), "HEAD", MetricEvaluator(load_task(root), bwrap)).evaluation
    assert (evaluation.status, evaluation.metric) == (None, 1.0), evaluation.reason
    assert "exe: /usr/bin/python3.11" in evaluation.log_tail
