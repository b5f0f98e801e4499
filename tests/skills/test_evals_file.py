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


SKILLS = ["brainstorming", "systematic-debugging", "writing-plans", "writing-skills"]


def _lines(path: Path, *lines: str) -> Path:
    """An eval file written by hand: two good lines, then `lines` as the user typed them."""
    path.write_text(
        '{"query": "the api returns 500 sometimes", "expect": "systematic-debugging", '
        '"split": "train"}\n'
        '{"query": "flaky test on ci", "expect": "systematic-debugging", "split": "holdout"}\n'
        + "".join(line + "\n" for line in lines)
    )
    return path


@pytest.mark.parametrize(
    ("line", "said", "fix"),
    [
        (
            '{"query": "write me a plan for the spec", "expected": "writing-plans", '
            '"split": "train"}',
            "unknown key 'expected'",
            "did you mean `expect`?",
        ),
        (
            '{"query": "brainstorm names for the app", "expect": "brainstorming", '
            '"slcie": "paraphrase", "split": "holdout"}',
            "unknown key 'slcie'",
            "did you mean `slice`?",
        ),
        (
            '{"query": "write me a plan for the spec", "split": "train"}',
            "line has no `expect`",
            '"expect": null',
        ),
        (
            '{"query": "how do I write a new skill", "skill": "writing-skills", "split": "train"}',
            "unknown key 'skill'",
            "remove it (a line takes query, expect, slice, split, origin)",
        ),
    ],
)
def test_a_line_without_expect_or_with_an_unknown_key_is_refused(
    tmp_path: Path, line: str, said: str, fix: str
) -> None:
    path = _lines(tmp_path / "evals.jsonl", line)
    with pytest.raises(UserError) as caught:
        load_evals(path, SKILLS)
    message = str(caught.value)
    assert message.startswith(f"{path}:3: {said}") and fix in message
    assert "\n" not in message and caught.value.exit_code == 2


@pytest.mark.parametrize(
    ("split", "said", "fix"),
    [
        ('"hold-out"', 'not "hold-out"', 'write "holdout"'),
        ('"Train"', 'not "Train"', 'write "train"'),
        ('"test"', 'not "test"', '`"split": "holdout"`'),
    ],
)
def test_a_bad_split_is_echoed_with_the_nearest_split(
    tmp_path: Path, split: str, said: str, fix: str
) -> None:
    line = f'{{"query": "x y z flaky", "expect": "systematic-debugging", "split": {split}}}'
    with pytest.raises(UserError) as caught:
        load_evals(_lines(tmp_path / "evals.jsonl", line), SKILLS)
    message = str(caught.value)
    assert "`split` must be train or holdout" in message and said in message and fix in message


@pytest.mark.parametrize(
    ("expect", "nearest"),
    [("writing-plan", "writing-plans"), ("systematic-debuging", "systematic-debugging")],
)
def test_an_unknown_skill_names_the_nearest_skill_not_all(
    tmp_path: Path, expect: str, nearest: str
) -> None:
    line = f'{{"query": "write me a plan", "expect": "{expect}", "split": "train"}}'
    with pytest.raises(UserError) as caught:
        load_evals(_lines(tmp_path / "evals.jsonl", line), SKILLS)
    message = str(caught.value)
    assert f"unknown skill {expect!r}" in message and f"did you mean {nearest!r}?" in message
    assert "brainstorming" not in message


def test_an_unknown_skill_near_none_lists_the_skills(tmp_path: Path) -> None:
    line = '{"query": "deploy it", "expect": "kubernetes-deploy", "split": "train"}'
    with pytest.raises(UserError, match=r"use one of \['brainstorming'"):
        load_evals(_lines(tmp_path / "evals.jsonl", line), SKILLS)


@pytest.mark.parametrize("lines", [False, True])
def test_a_skill_creator_trigger_eval_set_is_named_with_how_to_write_it(
    tmp_path: Path, lines: bool
) -> None:
    rows = [
        {"query": "my boss sent me this xlsx, can you merge the tabs", "should_trigger": True},
        {"query": "write me a fibonacci function", "should_trigger": False},
    ]
    path = tmp_path / "trigger-eval.json"
    text = "".join(json.dumps(r) + "\n" for r in rows) if lines else json.dumps(rows, indent=2)
    path.write_text(text)
    with pytest.raises(UserError) as caught:
        load_evals(path, ["xlsx"])
    message = str(caught.value)
    assert "skill-creator" in message and '"expect": the skill (should_trigger true)' in message
    assert caught.value.exit_code == 2 and "\n" not in message
