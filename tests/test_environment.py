"""`[env] python`: which interpreter a metric runs with, found by asking real interpreters."""

from __future__ import annotations

import glob
import os
import subprocess
import sys
from pathlib import Path

import pytest

from agentos.environment import resolve_python
from agentos.errors import UserError
from agentos.sandbox.interpreter import own
from agentos.task import Task, parse_task

BASE = os.path.realpath(sys.executable)  # the interpreter agentos' own venv was made from


def task_in(root: Path, python: str | None = None) -> Task:
    data: dict[str, object] = {
        "task": {"editable": ["settings.py"]},
        "metric": {"command": "python evaluate.py", "goal": "max", "regex": "^score: (\\S+)$"},
    }
    if python is not None:
        data["env"] = {"python": python}
    return parse_task(data, root=root, path=root / "agentos.toml")


def make_venv(path: Path, base: str = BASE) -> Path:
    subprocess.run([base, "-m", "venv", "--without-pip", str(path)], check=True)
    return path


def test_auto_without_an_environment_is_agentos_own(tmp_path: Path) -> None:
    env = resolve_python(task_in(tmp_path))
    assert env.executable == own().executable
    assert env.source.startswith("agentos' own")


@pytest.mark.parametrize("folder", [".venv", "venv"])
def test_auto_finds_the_repositorys_venv(tmp_path: Path, folder: str) -> None:
    make_venv(tmp_path / folder)
    env = resolve_python(task_in(tmp_path))
    assert env.executable == str(tmp_path / folder / "bin" / "python")
    assert env.source == f"repo {folder}/"
    assert env.bin_dir == str(tmp_path / folder / "bin")
    assert str(tmp_path / folder) in env.roots
    site = tmp_path / folder / "lib" / f"python{sys.version_info[0]}.{sys.version_info[1]}"
    assert env.site_packages == (str(site / "site-packages"),)


def test_a_uv_project_uses_its_dot_venv(tmp_path: Path) -> None:
    (tmp_path / "uv.lock").write_text("version = 1\n")
    assert resolve_python(task_in(tmp_path)).source.endswith("uv sync` makes it")
    make_venv(tmp_path / ".venv")
    assert resolve_python(task_in(tmp_path)).source == "uv project .venv/"


def test_auto_takes_an_active_virtual_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    venv = make_venv(tmp_path / "elsewhere")
    monkeypatch.setenv("VIRTUAL_ENV", str(venv))
    env = resolve_python(task_in(tmp_path / "repo"))
    assert (env.executable, env.source) == (str(venv / "bin" / "python"), "VIRTUAL_ENV")


def test_agentos_ignores_the_repositorys_venv(tmp_path: Path) -> None:
    make_venv(tmp_path / ".venv")
    assert resolve_python(task_in(tmp_path, "agentos")) == own()


def test_a_path_names_a_venv_folder_or_an_interpreter(tmp_path: Path) -> None:
    make_venv(tmp_path / "envs" / "py")
    by_folder = resolve_python(task_in(tmp_path, "envs/py"))
    by_exe = resolve_python(task_in(tmp_path, str(tmp_path / "envs" / "py" / "bin" / "python")))
    assert by_folder.executable == by_exe.executable == str(tmp_path / "envs/py/bin/python")
    assert by_folder.source == "[env] python = 'envs/py'"


def test_describe_names_the_interpreter_its_version_and_site_packages(tmp_path: Path) -> None:
    make_venv(tmp_path / ".venv")
    line = resolve_python(task_in(tmp_path)).describe()
    version = ".".join(map(str, sys.version_info[:3]))
    assert line.startswith(f"{tmp_path}/.venv/bin/python (Python {version}, repo .venv/)")
    assert f"site-packages: {tmp_path}/.venv/lib/" in line


@pytest.mark.parametrize(
    ("python", "message"),
    [
        ("no/such/python", "no/such/python does not exist"),
        ("/bin/ls", "is not a Python interpreter"),
        (".", "is a folder without bin/python"),
    ],
)
def test_a_bad_path_is_a_user_error_naming_the_file_and_fix(
    tmp_path: Path, python: str, message: str
) -> None:
    with pytest.raises(UserError) as err:
        resolve_python(task_in(tmp_path, python))
    assert message in str(err.value)
    assert str(tmp_path / "agentos.toml") in str(err.value)
    assert "fix: set `python` under [env] in agentos.toml" in str(err.value)


OLD = sorted(glob.glob("/root/.pyenv/versions/3.[5-8].*/bin/python3"))


@pytest.mark.skipif(not OLD, reason="no Python older than 3.9 on this machine")
def test_a_python_older_than_the_audit_hook_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UserError, match=r"the read audit needs Python 3\.9 or later"):
        resolve_python(task_in(tmp_path, OLD[-1]))


def test_a_broken_dot_venv_is_named_not_skipped(tmp_path: Path) -> None:
    (tmp_path / ".venv").mkdir()
    (tmp_path / ".venv" / "pyvenv.cfg").write_text("home = /nowhere\n")
    with pytest.raises(UserError, match=r"repo \.venv/ has no bin/python"):
        resolve_python(task_in(tmp_path))


def test_env_must_be_a_non_empty_string(tmp_path: Path) -> None:
    with pytest.raises(UserError, match=r"\[env.python\] must be a non-empty string"):
        task_in(tmp_path, 3)  # type: ignore[arg-type]


def test_a_bare_name_is_looked_up_on_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bin_dir = make_venv(tmp_path / "v") / "bin"
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    env = resolve_python(task_in(tmp_path / "repo", "python"))
    assert env.executable == str(bin_dir / "python")
