"""Fixtures for the sandbox conformance suite: every backend that works on this machine."""

from __future__ import annotations

from pathlib import Path

import pytest
from sandbox_helpers import Runner

from agentos.sandbox import Limits, RunRequest, RunResult, Sandbox, backend_names, get_backend

ISOLATING = ("bwrap", "unshare")


def _available(names: tuple[str, ...]) -> list[object]:
    params: list[object] = []
    for name in names:
        backend_names()
        try:
            get_backend(name)
            params.append(name)
        except Exception as err:  # a missing primitive: skip with the backend's own reason
            params.append(pytest.param(name, marks=pytest.mark.skip(reason=str(err))))
    return params


@pytest.fixture(params=_available(("local", *ISOLATING)))
def backend(request: pytest.FixtureRequest) -> Sandbox:
    """Each backend, for the contract items that every backend owns."""
    return get_backend(str(request.param))


@pytest.fixture(params=_available(ISOLATING))
def isolating(request: pytest.FixtureRequest) -> Sandbox:
    """Each security-boundary backend, for the escape items."""
    return get_backend(str(request.param))


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    path = tmp_path / "tree"
    path.mkdir()
    (path / "config.py").write_text("VALUE = 42\n")
    (path / "sitecustomize.py").write_text("print('candidate sitecustomize ran')\n")
    return path


@pytest.fixture
def output(tmp_path: Path) -> Path:
    path = tmp_path / "out"
    path.mkdir()
    return path


def python_in(sandbox: Sandbox, tree: Path, output: Path) -> Runner:
    def run(
        code: str, *, audit: bool = False, env: dict[str, str] | None = None, **limits: float
    ) -> RunResult:
        return sandbox.run(
            RunRequest(
                argv=("python", "-c", code),
                tree=tree,
                output=output,
                audit=audit,
                env=env or {},
                limits=Limits(**limits),  # type: ignore[arg-type]
            )
        )

    return run


@pytest.fixture
def run(backend: Sandbox, tree: Path, output: Path) -> Runner:
    return python_in(backend, tree, output)


@pytest.fixture
def escape(isolating: Sandbox, tree: Path, output: Path) -> Runner:
    return python_in(isolating, tree, output)
