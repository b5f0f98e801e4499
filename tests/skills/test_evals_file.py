"""The eval loader refuses a query labelled with two skills (naming both lines, exit 2 from the
CLI) and warns about a query in both train and held-out, comparing queries without case or
punctuation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agentos.errors import UserError
from agentos.skill.evals import load_evals


def _write(path: Path, rows: list[tuple[str, str | None, str]]) -> Path:
    path.write_text(
        "".join(json.dumps({"query": q, "expect": e, "split": s}) + "\n" for q, e, s in rows)
    )
    return path


def test_one_query_with_two_skills_is_refused_naming_both_lines(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "evals.jsonl",
        [
            ("deploy the api", "deploy", "train"),
            ("write the guide", "docs", "holdout"),
            ("Deploy the API!", "docs", "holdout"),
        ],
    )
    with pytest.raises(UserError) as caught:
        load_evals(path, ["deploy", "docs"])
    message = str(caught.value)
    assert f"{path}:3" in message and "line 1" in message and "deploy" in message
    assert "one expected skill" in message and caught.value.exit_code == 2


def test_a_query_and_its_near_miss_twin_are_contradictory(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "evals.jsonl",
        [("bake a loaf", "bread", "train"), ("bake a loaf.", None, "holdout")],
    )
    with pytest.raises(UserError, match="expects no skill here and bread on line 1"):
        load_evals(path, ["bread"])


def test_a_query_in_both_splits_is_kept_with_a_warning(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "evals.jsonl",
        [
            ("deploy the api", "deploy", "train"),
            ("write the guide", "docs", "train"),
            ("deploy  the API", "deploy", "holdout"),
            ("deploy the api", "deploy", "train"),  # a repeat in one split: no warning
        ],
    )
    warnings: list[str] = []
    items = load_evals(path, ["deploy", "docs"], warnings=warnings)
    assert len(items) == 4
    (line,) = warnings
    assert line.startswith(f"{path}:3: ") and "both train and holdout (line 1)" in line
