"""Each built-in finds a planted problem, and ignores the candidate's attempts to configure it."""

from __future__ import annotations

from dataclasses import replace

from agentos.tool import get_tool, run_tool

BAD_LINT = "import os\n\n\ndef add(a: int, b: int) -> int:\n    return a + b\n"
BAD_TYPE = "def add(a: int, b: int) -> int:\n    return str(a + b)\n"


def codes(result):
    return {f.code for f in result.findings}


def test_ruff_finds_unused_import_and_passes_clean(make_candidate) -> None:
    bad = run_tool(get_tool("ruff"), make_candidate({"lib.py": BAD_LINT}))
    assert bad.outcome == "fail" and "F401" in codes(bad)
    assert [f.path for f in bad.findings] == ["lib.py"] and bad.findings[0].line == 1
    clean = run_tool(get_tool("ruff"), make_candidate({"settings.py": "RATE = 0.7\n"}))
    assert clean.outcome == "pass", clean


def test_ruff_ignores_the_candidates_config(make_candidate) -> None:
    ctx = make_candidate({"lib.py": BAD_LINT, "ruff.toml": "[lint]\nignore = [\"F\"]\n",
                          "pyproject.toml": "[tool.ruff.lint]\nignore = [\"F\"]\n"})
    assert "F401" in codes(run_tool(get_tool("ruff"), ctx))


def test_ruff_reads_trusted_config_from_task_root(make_candidate) -> None:
    ctx = make_candidate({"lib.py": BAD_LINT})
    (ctx.task.root / "pyproject.toml").write_text("[tool.ruff.lint]\nignore = [\"F401\"]\n")
    result = run_tool(get_tool("ruff"), replace(ctx, options={"config": "pyproject.toml"}))
    assert "F401" not in codes(result)


def test_ruff_reports_format_problems(make_candidate) -> None:
    result = run_tool(get_tool("ruff"), make_candidate({"settings.py": "RATE=0.5\n"}))
    assert result.outcome == "fail" and codes(result) == {"unformatted"}
    assert result.signals["unformatted"] == 1.0


def test_mypy_finds_type_error(make_candidate) -> None:
    result = run_tool(get_tool("mypy"), make_candidate({"lib.py": BAD_TYPE}))
    assert result.outcome == "fail" and "return-value" in codes(result)
    assert result.findings[0].path == "lib.py" and result.findings[0].line == 2


def test_mypy_ignores_candidate_config(make_candidate) -> None:
    ctx = make_candidate({"lib.py": BAD_TYPE, "mypy.ini": "[mypy]\nignore_errors = True\n",
                          "setup.cfg": "[mypy]\nignore_errors = True\n"})
    assert run_tool(get_tool("mypy"), ctx).outcome == "fail"


def test_mypy_strict_option_from_task(make_candidate) -> None:
    ctx = make_candidate({"settings.py": "def rate(x):\n    return x\n"})
    assert run_tool(get_tool("mypy"), ctx).outcome == "pass"
    strict = run_tool(get_tool("mypy"), replace(ctx, options={"strict": True}))
    assert strict.outcome == "fail" and "no-untyped-def" in codes(strict)


def test_static_flags_new_forbidden_import_and_call(make_candidate) -> None:
    ctx = make_candidate({"lib.py": "import subprocess\n\n\ndef add(a: int, b: int) -> int:\n"
                          "    return eval('a + b')\n"})
    result = run_tool(get_tool("static"), ctx)
    assert result.outcome == "fail"
    assert {"forbidden-import", "forbidden-call"} <= codes(result)
    assert any(f.line == 1 and "subprocess" in f.message for f in result.findings)


def test_static_flags_protected_and_non_editable_paths(make_candidate) -> None:
    ctx = make_candidate({"evaluate.py": "print('score: 99')\n", "notes.txt": "hi\n"})
    assert {"protected-path", "not-editable"} <= codes(run_tool(get_tool("static"), ctx))


def test_static_measures_diff_and_complexity(make_candidate) -> None:
    grown = ("def add(a: int, b: int) -> int:\n    if a > 0 and b > 0:\n        return a + b\n"
             "    for _ in range(1):\n        pass\n    return a + b\n")
    result = run_tool(get_tool("static"), make_candidate({"lib.py": grown}))
    assert result.outcome == "pass"
    assert result.signals["complexity_delta"] == 3.0  # if, and, for
    assert result.signals["lines_added"] == 4.0 and result.signals["lines_removed"] == 0.0
    capped = replace(make_candidate({"lib.py": grown}), options={"max_complexity_delta": 2})
    assert "complexity-growth" in codes(run_tool(get_tool("static"), capped))


def test_static_reports_syntax_error(make_candidate) -> None:
    result = run_tool(get_tool("static"), make_candidate({"lib.py": "def add(:\n"}))
    assert "syntax-error" in codes(result)


def test_integrity_catches_changed_deleted_and_added_protected_files(make_candidate) -> None:
    tool = get_tool("integrity")
    assert run_tool(tool, make_candidate({"lib.py": "X = 1\n"})).outcome == "pass"
    changed = run_tool(tool, make_candidate({"evaluate.py": "print('score: 99')\n"}))
    assert changed.outcome == "fail" and codes(changed) == {"protected-changed"}
    assert codes(run_tool(tool, make_candidate({"tests/test_lib.py": None}))) == {
        "protected-deleted"}
    added = run_tool(tool, make_candidate({"conftest.py": "x = 1\n"}))
    assert codes(added) == {"protected-added"}


def test_integrity_pins_are_sha256_digests_and_big_files_are_hashed_whole(
    baseline, make_candidate
) -> None:
    import hashlib
    import json

    from agentos.integrity import PINS_FILE

    def pin(data: bytes) -> str:
        return "sha256:" + hashlib.sha256(data).hexdigest()

    pins = json.loads((baseline.trusted_dir / PINS_FILE).read_text())
    assert set(pins["files"]) == {"evaluate.py", "tests/test_lib.py"}
    for rel, digest in pins["files"].items():
        assert digest == pin((baseline.tree / rel).read_bytes())
    big = "x" * (3 << 20)  # larger than any read cap: a change deep inside must still show
    tool = get_tool("integrity")
    pinned = make_candidate({"tests/test_lib.py": big + "a"})
    pins["files"]["tests/test_lib.py"] = pin((big + "a").encode())
    (baseline.trusted_dir / PINS_FILE).write_text(json.dumps(pins))
    assert run_tool(tool, pinned).outcome == "pass"
    assert codes(run_tool(tool, make_candidate({"tests/test_lib.py": big + "b"}))) == {
        "protected-changed"}


def test_metric_reads_value_and_reports_missing(make_candidate) -> None:
    tool = get_tool("metric")
    ok = run_tool(tool, make_candidate({"settings.py": "RATE = 2.0\n"}))
    assert ok.outcome == "pass" and ok.signals == {"metric": 6.0}
    ctx = make_candidate({"settings.py": "RATE = 2.0\n"})
    bounded = run_tool(tool, replace(ctx, options={"max": 5.0}))
    assert bounded.outcome == "fail" and codes(bounded) == {"above-max"}
    gone = run_tool(tool, replace(ctx, options={"regex": r"^accuracy: (\S+)$"}))
    assert gone.outcome == "fail" and codes(gone) == {"no-metric"}
    crash = run_tool(tool, make_candidate({"settings.py": "raise SystemExit(3)\n"}))
    assert crash.outcome == "fail" and codes(crash) == {"crash"}
