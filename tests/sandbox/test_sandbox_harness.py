"""agentos' trusted harnesses import inside the sandbox however agentos was installed: editable
(this checkout), a wheel in a virtualenv, or `pip install --target` on the host's PYTHONPATH."""

from __future__ import annotations

import glob
import math
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import EXAMPLES, ROOT, commit_all

import agentos
from agentos.evaluate import MetricEvaluator, measure
from agentos.git import Repo
from agentos.sandbox import get_backend
from agentos.sandbox.base import SandboxUnavailable
from agentos.task import load_task

PIP = str(Path(sys.executable).with_name("pip"))
EDITABLE = not os.path.realpath(agentos.__path__[0]).startswith(str(ROOT / ".venv"))


def bwrap_missing() -> str | None:
    try:
        get_backend("bwrap")
    except SandboxUnavailable as err:
        return str(err)
    return None


pytestmark = pytest.mark.skipif(bwrap_missing() is not None, reason=str(bwrap_missing()))


@pytest.mark.slow
@pytest.mark.skipif(not EDITABLE, reason="agentos is not an editable install here")
def test_the_autoresearch_baseline_is_measured_under_bwrap(tmp_path: Path) -> None:
    """`make demo`'s install (editable) and the example's CPU profile, with a 1 s training budget
    so that the test stays short."""
    root = tmp_path / "autoresearch"
    shutil.copytree(EXAMPLES / "autoresearch", root, ignore=shutil.ignore_patterns("__pycache__"))
    toml = root / "agentos.toml"
    text = toml.read_text()
    assert "--profile cpu --model model.py --threads 2" in text
    toml.write_text(text.replace("--threads 2", "--threads 1 --budget 1 --eval-bytes 4096"))
    commit_all(root, "autoresearch")
    m = measure(Repo(root), "HEAD", MetricEvaluator(load_task(root), get_backend("bwrap")))
    assert m.evaluation.status is None, m.evaluation.reason
    assert m.evaluation.metric is not None and math.isfinite(m.evaluation.metric)
    assert m.evaluation.reads is not None and "model.py" in m.evaluation.reads


PROBE = """\
import sys, tempfile
from pathlib import Path
from agentos.sandbox import RunRequest, get_backend
with tempfile.TemporaryDirectory() as tmp:
    tree, out = Path(tmp, "tree"), Path(tmp, "out")
    tree.mkdir(); out.mkdir()
    code = "import agentos.tools.trainer.profiles as p, agentos.sandboxes as s; print(p.__file__)"
    result = get_backend("bwrap").run(RunRequest(("python", "-c", code), tree, out))
    print(result.stdout.strip() or result.stderr, end="")
"""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """agentos built as a wheel from this checkout."""
    dist = tmp_path_factory.mktemp("dist")
    build = tmp_path_factory.mktemp("build")
    shutil.copytree(ROOT, build / "src", ignore=shutil.ignore_patterns(
        ".venv", ".git", "build", "*.egg-info", "__pycache__", "tests", "benchmarks"))  # fmt: skip
    argv = [PIP, "wheel", "-q", "--no-deps", "--no-build-isolation", "--no-index", "-w", str(dist)]
    subprocess.run([*argv, str(build / "src")], check=True, capture_output=True)
    yield Path(glob.glob(f"{dist}/agentos-*.whl")[0])


@pytest.mark.slow
def test_a_pip_install_target_harness_imports_inside(tmp_path: Path, wheel: Path) -> None:
    target = tmp_path / "target"
    subprocess.run([PIP, "install", "-q", "--no-deps", "--no-index", "--target", str(target),
                    str(wheel)], check=True, capture_output=True)  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(target)}
    done = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True,
                          cwd=tmp_path, check=True)  # fmt: skip
    assert done.stdout == f"{target}/agentos/tools/trainer/profiles.py", done.stderr


@pytest.mark.slow
def test_a_wheel_install_harness_imports_inside(tmp_path: Path, wheel: Path) -> None:
    """A virtualenv holding the wheel; its dependencies come from this one's site-packages
    through a `.pth` path line (which runs no import, so this checkout's editable finder stays
    out)."""
    venv = tmp_path / "venv"
    subprocess.run([os.path.realpath(sys.executable), "-m", "venv", "--without-pip", str(venv)],
                   check=True)  # fmt: skip
    # `--python`, not `--prefix`: pip would uninstall this environment's own agentos
    subprocess.run([PIP, "--python", str(venv / "bin" / "python"), "install", "-q", "--no-deps",
                    "--no-index", str(wheel)], check=True, capture_output=True)  # fmt: skip
    site = glob.glob(f"{venv}/lib/python*/site-packages")[0]
    deps = [p for p in sys.path if p.endswith("site-packages") and p.startswith(sys.prefix)]
    Path(site, "deps.pth").write_text("\n".join(deps) + "\n")
    done = subprocess.run([str(venv / "bin" / "python"), "-c", PROBE], capture_output=True,
                          text=True, cwd=tmp_path, check=True)  # fmt: skip
    assert done.stdout == f"{site}/agentos/tools/trainer/profiles.py", done.stderr
