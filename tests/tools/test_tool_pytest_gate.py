"""The trusted pytest gate cannot be turned green by conftest, ini edits, or deleted tests."""

from __future__ import annotations

import json

from agentos.tool import get_tool, run_tool

BROKEN = "def add(a: int, b: int) -> int:\n    return a - b\n"
FORCE_PASS = (
    "import pytest\n\n\n@pytest.hookimpl(hookwrapper=True)\n"
    "def pytest_runtest_makereport(item, call):\n    outcome = yield\n"
    "    report = outcome.get_result()\n    report.outcome = 'passed'\n"
)


def codes(result):
    return {f.code for f in result.findings}


def test_manifest_pins_ids_and_outcomes(baseline) -> None:
    manifest = json.loads((baseline.trusted_dir / "pytest-manifest.json").read_text())
    assert manifest["tests"] == {"tests/test_lib.py::test_add": "passed",
                                 "tests/test_lib.py::test_neg": "passed"}


def test_clean_candidate_passes_and_failing_test_fails(make_candidate) -> None:
    ok = run_tool(get_tool("pytest"), make_candidate({"settings.py": "RATE = 1.0\n"}))
    assert ok.outcome == "pass" and ok.signals["passed"] == 2.0
    bad = run_tool(get_tool("pytest"), make_candidate({"lib.py": BROKEN}))
    assert bad.outcome == "fail" and codes(bad) == {"test-failed"}


def test_conftest_forcing_pass_still_fails(make_candidate) -> None:
    for where in ("conftest.py", "tests/conftest.py"):
        result = run_tool(get_tool("pytest"), make_candidate({"lib.py": BROKEN, where: FORCE_PASS}))
        assert result.outcome == "fail" and "test-failed" in codes(result), where


def test_ini_section_edits_are_ignored(make_candidate) -> None:
    edits = {
        "lib.py": BROKEN,
        "pytest.ini": "[pytest]\naddopts = -k 'not test_add and not test_neg'\n",
        "pyproject.toml": "[tool.pytest.ini_options]\naddopts = '-p no:python'\n",
        "setup.cfg": "[tool:pytest]\naddopts = --co\n",
    }
    result = run_tool(get_tool("pytest"), make_candidate(edits))
    assert result.outcome == "fail" and "test-failed" in codes(result)


def test_deleted_renamed_or_skipped_tests_fail(make_candidate) -> None:
    only_add = "from lib import add\n\n\ndef test_add() -> None:\n    assert add(1, 2) == 3\n"
    deleted = run_tool(get_tool("pytest"), make_candidate({"tests/test_lib.py": only_add}))
    assert deleted.outcome == "fail" and codes(deleted) == {"missing-test"}
    renamed = only_add + "\n\ndef test_neg_renamed() -> None:\n    assert True\n"
    result = run_tool(get_tool("pytest"), make_candidate({"tests/test_lib.py": renamed}))
    assert codes(result) == {"missing-test"} and result.signals["new_tests"] == 1.0
    gone = run_tool(get_tool("pytest"), make_candidate({"tests/test_lib.py": None}))
    assert "missing-file" in codes(gone) and "missing-test" in codes(gone)
    skipper = "import pytest\n\npytest.skip('no', allow_module_level=True)\n"
    skipped = run_tool(get_tool("pytest"), make_candidate({"lib.py": skipper}))
    assert skipped.outcome == "fail"


def test_process_that_exits_early_fails(make_candidate) -> None:
    quitter = "import os\n\nos._exit(0)\n"
    result = run_tool(get_tool("pytest"), make_candidate({"lib.py": quitter}))
    assert result.outcome == "fail" and codes(result) == {"no-report"}
