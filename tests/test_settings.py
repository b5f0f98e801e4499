"""Settings are found in Python, TOML and JSON files and edited without disturbing anything else."""

from __future__ import annotations

import ast
import json
import tomllib
from pathlib import Path

import pytest

from agentos.settings import (
    apply,
    describe,
    disk_reader,
    find_all,
    find_settings,
    hint_warnings,
    parse_hint,
    render,
    values,
)

PY = '''"""Training settings."""
import os

LR = 0.01  # range: 1e-5..1e-1 log
DEPTH = 4   # layers
BATCH: int = 64
USE_BN = True
OPT = "adam"  # choices: adam|sgd|adamw
NAME = 'run'
SEED = 42  # fixed
NEG = -3.5
__version__ = "1.0"
PATH = os.getcwd()


def f():
    LOCAL = 3
    return LOCAL
'''


def test_python_settings_are_module_level_scalars_with_hints() -> None:
    found = {s.name: s for s in find_settings("train.py", PY)}
    assert set(found) == {"LR", "DEPTH", "BATCH", "USE_BN", "OPT", "NAME", "SEED", "NEG"}
    assert found["LR"].kind == "float" and found["LR"].hint.log
    assert (found["LR"].hint.low, found["LR"].hint.high) == (1e-5, 1e-1)
    assert found["BATCH"].kind == "int" and found["USE_BN"].kind == "bool"
    assert found["OPT"].hint.choices == ("adam", "sgd", "adamw") and found["OPT"].mutable
    assert not found["NAME"].mutable  # a string without choices is never changed
    assert found["SEED"].hint.fixed and not found["SEED"].mutable
    assert found["NEG"].value == -3.5
    for s in found.values():
        assert PY[s.start : s.end].strip("\"'") in (str(s.value), "True", "-3.5") or s.kind == "str"


def test_python_edit_preserves_every_other_byte() -> None:
    found = {s.name: s for s in find_settings("train.py", PY)}
    new = apply(
        {"train.py": PY},
        [
            (found["LR"], 0.004),
            (found["NEG"], 2.0),
            (found["OPT"], "sgd"),
            (found["USE_BN"], False),
            (found["NAME"], "other"),
        ],
    )["train.py"]
    expected = (
        PY.replace("LR = 0.01", "LR = 0.004")
        .replace("NEG = -3.5", "NEG = 2.0")
        .replace('OPT = "adam"', 'OPT = "sgd"')
        .replace("USE_BN = True", "USE_BN = False")
        .replace("NAME = 'run'", "NAME = 'other'")
    )
    assert new == expected
    again = {s.name: s.value for s in find_settings("train.py", new)}
    assert again["LR"] == 0.004 and again["OPT"] == "sgd" and again["USE_BN"] is False


def test_non_ascii_lines_keep_their_spans() -> None:
    text = 'ÉTÉ = "ünï"  # choices: ünï|b\nX = 1e-3  # é\n'
    found = {s.name: s for s in find_settings("s.py", text)}
    assert text[found["X"].start : found["X"].end] == "1e-3"
    assert apply({"s.py": text}, [(found["X"], 0.5)])["s.py"] == text.replace("1e-3", "0.5")


TOML = """# experiment
lr = 0.01 # range: 1e-4..1 log
[model]
depth = 4
kind = "gpt"  # choices: gpt|rnn
when = 1979-05-27
sizes = [1, 2]
[train.opt]
beta = 0.9
use_ema = false
"""


def test_toml_scalars_by_dotted_key_and_edit_stays_valid() -> None:
    found = {s.name: s for s in find_settings("c.toml", TOML)}
    assert set(found) == {"lr", "model.depth", "model.kind", "train.opt.beta", "train.opt.use_ema"}
    assert found["model.kind"].hint.choices == ("gpt", "rnn")
    new = apply(
        {"c.toml": TOML},
        [(found["lr"], 1e-05), (found["model.kind"], "rnn"), (found["train.opt.use_ema"], True)],
    )["c.toml"]
    data = tomllib.loads(new)
    assert data["lr"] == 1e-05 and data["model"]["kind"] == "rnn"
    assert data["train"]["opt"]["use_ema"] is True
    assert new.splitlines()[2:4] == TOML.splitlines()[2:4]
    assert "# range: 1e-4..1 log" in new


def test_a_project_file_holds_settings_only_in_the_applications_own_tables() -> None:
    """`[tool.ruff] line-length` and setup.cfg's `[metadata] version = 0.1` were searched as
    numbers; the build's and the developer tools' tables are not the application's settings."""
    pyproject = (
        '[project]\nname = "app"\nversion = "1.0"\n[tool.app]\nlr = 0.01\n[tool.app.data]\n'
        "shuffle = true\n[tool.ruff]\nline-length = 100\n[tool.coverage.run]\nbranch = true\n"
    )
    assert [s.name for s in find_settings("pyproject.toml", pyproject)] == [
        "tool.app.lr", "tool.app.data.shuffle"]  # fmt: skip
    setup_cfg = (
        "[metadata]\nname = relaxer\nversion = 0.1\n[flake8]\nmax-line-length = 100\n"
        "[tool:pytest]\nmaxfail = 2\n[coverage:run]\nbranch = true\n[relaxer]\ncycles = 4\n"
    )
    assert [s.name for s in find_settings("setup.cfg", setup_cfg)] == ["relaxer.cycles"]
    # the same tables in a file of another name are settings as they always were
    assert len(find_settings("conf/app.toml", pyproject)) == 6


def test_toml_inline_tables_of_scalars_are_settings_with_the_comment_naming_their_key() -> None:
    text = (
        "# coarse-grid options\n"
        'coarse = {levels = 3, solver = "direct"}   # levels: 1 to 6\n'
        "weights = [0.5, 0.25, 0.25]  # TODO tune\n"
        "nested = {a = 1, b = {c = 2}}\n"
        "[opt]\nsched = { warmup = 100 }  # 0 to 1000\n"
    )
    found = {s.name: s for s in find_settings("solver.toml", text)}
    assert list(found) == ["coarse.levels", "coarse.solver", "opt.sched.warmup"]
    assert describe(found["coarse.levels"]) == "coarse.levels = 3: range 1..6 (from the comment)"
    assert describe(found["opt.sched.warmup"]).endswith("range 0..1000 (from the comment)")
    assert not found["coarse.solver"].mutable
    new = apply({"solver.toml": text}, [(found["coarse.levels"], 5)])["solver.toml"]
    assert tomllib.loads(new)["coarse"] == {"levels": 5, "solver": "direct"}
    assert new.replace("levels = 5", "levels = 3") == text


def test_json_scalars_edit_keeps_layout() -> None:
    text = (
        '{\n  "lr": 0.01,\n  "model": {"depth": 4, "act": "relu", "tags": [1, true]},\n'
        '  "x": null\n}\n'
    )
    found = {s.name: s for s in find_settings("c.json", text)}
    assert found["model.depth"].value == 4 and found["model.tags.1"].value is True
    new = apply({"c.json": text}, [(found["lr"], 0.5), (found["model.depth"], 8)])["c.json"]
    assert json.loads(new)["model"]["depth"] == 8
    assert new == text.replace("0.01", "0.5").replace('"depth": 4', '"depth": 8')


def test_unparsable_and_unknown_files_have_no_settings() -> None:
    assert find_settings("a.py", "x = (") == []
    assert find_settings("a.toml", "x = = 1") == []
    assert find_settings("a.json", "{") == []
    assert find_settings("README.md", "x = 1") == []


def test_hint_syntax() -> None:
    h = parse_hint(" range: 8..512 log")
    assert (h.low, h.high, h.log) == (8, 512, True)
    assert parse_hint("range: -1..1").low == -1
    assert parse_hint("choices: a|b").choices == ("a", "b")
    assert parse_hint("not-fixed-here").fixed is False
    assert parse_hint("fixed").fixed
    for words in ("print a line every N epochs (cosmetic, 1-20)", "no effect on results",
                  "progress bar width; doesn't affect the score"):
        assert parse_hint(words).fixed, words  # cannot move the metric: not searched
    assert not parse_hint("affects the score, 1-20").fixed


def test_values_disambiguates_repeated_names() -> None:
    got = values({"a.py": "X = 1\n", "b.py": "X = 2\nY = 3\n"})
    assert got == {"a.py:X": 1, "b.py:X": 2, "Y": 3}
    assert len(find_all({"a.py": "X = 1\n", "b.toml": "x = 2\n"})) == 2


def test_a_json_schema_beside_a_config_hints_its_settings(tmp_path: Path) -> None:
    """`train.schema.json` beside `train.json` (or `train.toml`) bounds the settings under the
    same key path; a setting's own comment wins, and the schema itself holds no settings."""
    schema = json.dumps({"properties": {
        "lr": {"type": "number", "exclusiveMinimum": 1e-5, "maximum": 0.1},
        "optim": {"properties": {"name": {"enum": ["sgd", "adam"]}, "beta": {"maximum": 0.5}}},
        "depth": {"type": "integer", "minimum": 1, "maximum": 12},
    }})  # fmt: skip
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "train.schema.json").write_text(schema)
    files = {"conf/train.json": json.dumps({"lr": 0.01, "optim": {"name": "sgd", "beta": 0.9}})}
    found = {s.name: s for s in find_all(files, read=disk_reader(tmp_path))}
    assert (found["lr"].hint.low, found["lr"].hint.high, found["lr"].hint.log) == (1e-5, 0.1, True)
    assert found["lr"].hint.source == "schema conf/train.schema.json"
    assert found["optim.name"].hint.choices == ("sgd", "adam") and found["optim.name"].mutable
    # 0.9 lies outside the schema's maximum: no bound, and the problem is said
    assert found["optim.beta"].hint.high is None and "outside" in found["optim.beta"].hint.problem
    (warning,) = hint_warnings(files, disk_reader(tmp_path))
    assert warning == (
        "conf/train.json:1 optim.beta: the value 0.9 lies outside the range ..0.5 of "
        "conf/train.schema.json, so it was not used; correct the schema or the value"
    )
    toml = {"conf/train.toml": "depth = 4  # layers, 2 to 8\n", "conf/train.schema.json": schema}
    (depth,) = find_all(toml)  # the schema among the files; the comment wins over it
    assert (depth.hint.low, depth.hint.high, depth.hint.source) == (2, 8, "comment")
    (plain,) = find_all({"conf/train.toml": "depth = 4\n"}, read=disk_reader(tmp_path))
    assert plain.hint.high == 12


ENUM_SETTINGS = (
    "from enum import Enum\n\n\n"
    'class Mode(Enum):\n    FAST = "fast"\n    SAFE = "safe"\n    BALANCED = "balanced"\n\n\n'
    "MODE: Mode = Mode.SAFE  # one of: fast, safe, balanced\n"
    "BACKUP = Mode.FAST  # fixed\n"
    "SEP = os.sep\n"
)


def test_an_enum_member_is_a_setting_edited_as_another_member() -> None:
    """`MODE: Mode = Mode.SAFE` chooses among `Mode`'s members; a comment listing their values
    adds nothing and is no problem; an edit writes another member and keeps every other byte."""
    files = {"settings.py": ENUM_SETTINGS}
    found = {s.name: s for s in find_all(files)}
    assert sorted(found) == ["BACKUP", "MODE"]  # `os.sep` is no member of this module's Enum
    mode = found["MODE"]
    assert (mode.kind, mode.value, mode.mutable) == ("str", "Mode.SAFE", True)
    assert mode.hint.choices == ("Mode.FAST", "Mode.SAFE", "Mode.BALANCED")
    assert describe(mode) == (
        "MODE = Mode.SAFE: choices Mode.FAST|Mode.SAFE|Mode.BALANCED (from the Enum Mode)"
    )
    assert not found["BACKUP"].mutable and found["BACKUP"].hint.fixed
    assert hint_warnings(files) == []
    (edited,) = apply(files, [(mode, "Mode.BALANCED")]).values()
    assert edited == ENUM_SETTINGS.replace("= Mode.SAFE", "= Mode.BALANCED")
    ast.parse(edited)
    assert values({"settings.py": edited})["MODE"] == "Mode.BALANCED"
    with pytest.raises(ValueError, match="not one of"):
        render(mode, "os.system")  # never code that is not a member


def test_a_column_of_aligned_comments_stays_aligned_after_an_edit() -> None:
    """A longer or shorter value takes its room from the padding before an aligned comment;
    a Python comment keeps PEP 8's two spaces; unaligned padding is left as it was."""
    text = (
        "model:\n"
        "  hidden: 8            # hidden units, 2 to 64\n"
        "  dropout: 0.0         # fraction, 0-0.5\n"
        "  layers: 1 # 1-3\n"
    )
    found = {s.name: s for s in find_settings("config.yaml", text)}
    changes = [
        (found["model.hidden"], 32),
        (found["model.dropout"], 0.25),
        (found["model.layers"], 3),
    ]
    new = apply({"config.yaml": text}, changes)["config.yaml"]
    lines = new.splitlines()
    assert lines[1] == "  hidden: 32           # hidden units, 2 to 64"
    assert lines[2].index("#") == lines[1].index("#") == text.splitlines()[1].index("#")
    assert lines[3] == "  layers: 3 # 1-3"
    py = "A = 1     # aligned\nBB = 2    # aligned\nC = 3  # two\n"
    got = {s.name: s for s in find_settings("s.py", py)}
    out = apply({"s.py": py}, [(got["A"], 1000000), (got["C"], 30000)])["s.py"]
    assert out.splitlines()[0] == "A = 1000000  # aligned"  # the two spaces PEP 8 asks for
    assert out.splitlines()[2] == "C = 30000  # two"
    # a config dict's entries end with a comma before the padding
    cfg = 'CONFIG = {\n    "relaxation": 1.0,      # between 0.5 and 1.95\n    "n": 32,\n}'
    got = {s.name: s for s in find_settings("config.py", cfg)}
    out = apply({"config.py": cfg}, [(got["CONFIG.relaxation"], 1.699)])["config.py"]
    assert out.splitlines()[1] == '    "relaxation": 1.699,    # between 0.5 and 1.95'


LIBRARY = '''"""A module of an ordinary library, written as chardet writes its probers."""
import enum

FREQ_CAT_NUM = 4

UDF = 0  # undefined
OTH = 1  # other
ASC = 2  # ascii capital letter
CLASS_NUM = 3  # total classes


class Prober:
    SHORTCUT_THRESHOLD = 0.95
    MINIMUM_DATA = 3
    name = "prober"

    def __init__(self):
        self.LOCAL = 2


class Category:
    UNDEFINED = 255
    LINE_BREAK = 254
    SYMBOL = 253
    DIGIT = 252


class State(enum.IntEnum):
    START = 7
    ERROR = 9


class TestProber:
    LIMIT = 5
'''


def test_a_library_class_constant_is_a_setting_and_a_run_of_codes_is_not() -> None:
    """chardet's thresholds are upper-case attributes of ordinary classes; its category codes are
    runs of integers counting by one. The first are found (named `Class.NAME`, edited in place),
    the second are not, nor an Enum's members, a test case's or lower-case attributes."""
    found = {s.name: s for s in find_settings("prober.py", LIBRARY)}
    assert set(found) == {"FREQ_CAT_NUM", "Prober.SHORTCUT_THRESHOLD", "Prober.MINIMUM_DATA"}
    threshold = found["Prober.SHORTCUT_THRESHOLD"]
    out = apply({"prober.py": LIBRARY}, [(threshold, 0.9)])["prober.py"]
    assert "    SHORTCUT_THRESHOLD = 0.9\n" in out
    assert out.replace("0.9\n", "0.95\n", 1) == LIBRARY
    # three consecutive values from 1 are settings still (A = 1, B = 2, C = 3 is no code table)
    assert len(find_settings("s.py", "A = 1\nB = 2\nC = 3\n")) == 3


def test_hinted_settings_that_a_proposal_set_to_0_1_2_stay_settings() -> None:
    """A run of integers counting by one is a list of codes, not settings; but a proposal can
    write 0, 1, 2 into three hinted settings (the needle landscape's I, J, K), and they must stay
    settings, or the next read of the file finds none."""
    hinted = "I = 0  # range: 0..15\nJ = 1  # int, range 0..15\nK = 2  # min 0, max 15\n"
    assert [s.name for s in find_all({"s.py": hinted})] == ["I", "J", "K"]
    codes = "UDF = 0  # undefined\nOTH = 1\nASC = 2\nLR = 0.1\n"
    assert [s.name for s in find_all({"s.py": codes})] == ["LR"]


def test_two_codes_from_0_that_the_module_tests_for_equality_are_not_settings() -> None:
    """summa's textrank.py: `SENTENCE = 0`, `WORD = 1` and `if summarize_by == SENTENCE`; a run
    moved them to 5 and 3. Two flags from 0 that nothing compares stay settings."""
    summa = (
        "SENTENCE = 0\nWORD = 1\n\nDEFAULT_RATIO = 0.2\n\n\n"
        "def textrank(text, summarize_by=SENTENCE, ratio=DEFAULT_RATIO):\n"
        "    if summarize_by == SENTENCE:\n        return text\n    return ''\n"
    )
    assert [s.name for s in find_all({"textrank.py": summa})] == ["DEFAULT_RATIO"]
    flags = "DEBUG = 0\nVERBOSE = 1\n\nif DEBUG:\n    print(VERBOSE > 0)\n"
    assert [s.name for s in find_all({"s.py": flags})] == ["DEBUG", "VERBOSE"]
