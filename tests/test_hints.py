"""Hints are read from comments as people write them, and an unreadable one is reported."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentos.settings import Setting, describe, find_all, find_settings, hint_warnings
from agentos.settings.hints import read_hint

FILES = Path(__file__).parent / "settings_files"


@pytest.mark.parametrize(
    ("comment", "value", "low", "high", "log"),
    [
        ("range: 1e-5..1e-1 log", 0.01, 1e-5, 1e-1, True),  # agentos' own syntax
        ("int, range 0..40", 5, 0, 40, False),  # no colon
        ("0 to 40 epochs", 3, 0, 40, False),  # a unit after it
        ("warm-up steps, 0-20", 4, 0, 20, False),  # a dash range after prose with a hyphen
        ("-5..5", 1.0, -5, 5, False),
        ("between 1e-4 and 1", 0.01, 1e-4, 1, True),  # 4 decades: a log scale
        ("between 0.1 and 0.5.", 0.2, 0.1, 0.5, False),  # the sentence's full stop
        ("in [0, 1]", 0.5, 0, 1, False),
        ("(0.05, 0.4]", 0.2, 0.05, 0.4, False),
        ("min 1, max 64", 8, 1, 64, False),
        ("at least 1, at most 64", 8, 1, 64, False),
        (">= 0", 3, 0, None, False),  # one side alone
        ("up to 1", 0.2, None, 1, False),
        ("learning rate (1e-5 to 1e-1), log scale", 1e-3, 1e-5, 1e-1, True),
        ("1..1000 linear", 10, 1, 1000, False),  # `linear` overrides the decades rule
        ("dropout 0-50%", 0.1, 0, 0.5, False),  # a percentage of a fraction
        ("(float) image flip left-right (probability)", 0.5, 0, 1, False),
        ("fraction of the data held out", 0.1, 0, 1, False),
        ("1 <= n <= 12", 3, 1, 12, False),  # a comparison
        ("0 ≤ p < 1", 0.3, 0, 1, False),
        ("range(1, 13)", 4, 1, 12, False),  # Python's range: the end excluded
        ("1e-5 ~ 1e-1", 0.01, 1e-5, 0.1, True),
        ("upper bound 10", 3, None, 10, False),
        ("lower bound 1, upper bound 10", 3, 1, 10, False),
    ],
)
def test_range_forms(
    comment: str, value: float, low: float | None, high: float | None, log: bool
) -> None:
    h = read_hint(comment, value)
    assert (h.low, h.high, h.log, h.problem) == (low, high, log, "")


@pytest.mark.parametrize(
    ("comment", "value", "choices"),
    [
        ("choices: adam|sgd|adamw", "adam", ("adam", "sgd", "adamw")),
        ("choices: sgd, adam, lion", "sgd", ("sgd", "adam", "lion")),  # comma list
        ("one of: sgd, adam, lion", "adam", ("sgd", "adam", "lion")),
        ("one of sgd, adam or lion", "adam", ("sgd", "adam", "lion")),
        ("options: a | b", "a", ("a", "b")),
        ("options a|b|c", "c", ("a", "b", "c")),
        ('one of "relu", "gelu", "tanh" (relu is fastest)', "relu", ("relu", "gelu", "tanh")),
        ("sgd|adam|lion", "adam", ("sgd", "adam", "lion")),  # a bare pipe list
        ("debug/info/warning", "info", ("debug", "info", "warning")),
        ("choices: 32|64|128", 64, ("32", "64", "128")),
        ("choices are sgd, adam", "adam", ("sgd", "adam")),
        ("choose one: a, b", "a", ("a", "b")),
        ("possible values: a, b", "b", ("a", "b")),
        # read only because the value is one of the items
        ("valid: sgd | adam", "sgd", ("sgd", "adam")),
        ("values: 16, 32, 64", 32, ("16", "32", "64")),
        ("either sgd or adam", "adam", ("sgd", "adam")),
        ("[sgd, adam, lion]", "lion", ("sgd", "adam", "lion")),
        ("k in {1, 3, 5}", 3, ("1", "3", "5")),
        ("integrator: euler | rk2 | rk4", "rk4", ("euler", "rk2", "rk4")),
        ("sgd, adam or lion", "sgd", ("sgd", "adam", "lion")),
        ("'sgd' or 'adam'", "sgd", ("sgd", "adam")),
        ("Either cosine, step or none.", "step", ("cosine", "step", "none")),  # capitalized
        ("one of: 2/4/8 blocks", 4, ("2", "4", "8")),  # numbers with their unit after the last
        ("one of: 16, 32 or 64 samples", 64, ("16", "32", "64")),
    ],
)
def test_choices_forms(comment: str, value: object, choices: tuple[str, ...]) -> None:
    h = read_hint(comment, value)
    assert (h.choices, h.problem) == (choices, "")


@pytest.mark.parametrize(
    "comment",
    ["since 2024-01-15", "x86-64 only", "requests/s", "3-layer MLP", "see the README", "max norm",
     "tried [1, 2, 4]", "either way, fine", "valid: a, b", "see refs [2], [5]", "fast, cheap",
     "log level", "log every 3 steps", "(int | list) image size", "probability, in percent"],
)
def test_prose_is_no_hint_and_no_warning(comment: str) -> None:
    h = read_hint(comment, 3)
    assert (h.low, h.high, h.choices, h.log, h.problem) == (None, None, (), False, "")


@pytest.mark.parametrize(
    ("comment", "value", "says"),
    [
        ("choices: sgd", "sgd", "list only 'sgd'"),  # was read as the single choice 'sgd'
        ("choices: sgd,", "sgd", "list only 'sgd'"),
        ("one of cosine, step or something else", "cosine", "is not one value"),
        ("range: 0..0.1", 0.5, "outside the range"),
        ("range of depths we tried", 3, "no range or choices"),
        ("choices: a|b", 3, "not numbers"),
        ("one of: sgd, adam", "lion", "not among the choices"),
    ],
)
def test_an_unreadable_hint_is_no_hint_and_a_problem(
    comment: str, value: object, says: str
) -> None:
    h = read_hint(comment, value)
    assert says in h.problem
    assert (h.low, h.high, h.choices) == (None, None, ())


@pytest.mark.parametrize("comment", ["log scale", "log", "(log-uniform)", "logarithmic"])
def test_log_alone_asks_for_a_log_scale_with_bounds_that_grow(comment: str) -> None:
    h = read_hint(comment, 0.01)
    assert (h.low, h.high, h.log, h.read) == (None, None, True, "log")
    assert not read_hint(comment, -1.0).log and not read_hint(comment, "x").log


def test_fixed_forms() -> None:
    assert read_hint("fixed", 1).fixed and read_hint("do not change", 1).fixed
    assert read_hint("don't tune this", 1).fixed and not read_hint("not-fixed-here", 1).fixed
    assert read_hint("decimals printed -- formatting only, leave alone", 3).fixed
    assert read_hint("display only", 3).fixed and read_hint("leave as is", 3).fixed
    assert not read_hint("only 1..8 are valid", 3).fixed


def test_a_random_seed_without_a_hint_is_not_searched_and_one_with_a_hint_is() -> None:
    """Another seed that scores better is luck; a seed is searched only when a hint asks."""
    text = (
        "SEED = 1234\nrandom_state = 7\nTRAIN_SEED = 3\nn_seeds = 5\nseedling_rows = 4\n"
        "RNG_SEED = 1  # range: 0..100\nSEED_FRACTION = 0.5\n"
    )
    found = {s.name: s for s in find_all({"settings.py": text})}
    for name in ("SEED", "random_state", "TRAIN_SEED"):
        assert not found[name].mutable and "a random seed" in describe(found[name]), name
    for name in ("n_seeds", "seedling_rows", "RNG_SEED", "SEED_FRACTION"):
        assert found[name].mutable, name
    yaml = {"c.yaml": "train:\n  seed: 7\n  epochs: 3\n"}
    assert [s.name for s in find_all(yaml) if s.mutable] == ["train.epochs"]


def test_a_switch_of_what_is_printed_is_not_searched_unless_a_hint_asks() -> None:
    """`verbose = no` in a setup.cfg section was searched as a bool: a run could keep
    `verbose = yes` for a score that moved with the noise."""
    ini = {"setup.cfg": "[relaxer]\nverbose = no\nsweeps = 4\nshow_progress = yes\n"}
    found = {s.name: s for s in find_all(ini)}
    assert [n for n, s in found.items() if s.mutable] == ["relaxer.sweeps"], found
    assert "switches what is printed" in describe(found["relaxer.verbose"])
    text = (
        "DEBUG = False\nVERBOSE = True\nuse_cache = True\nplot_every = 10\n"
        "log_level = 2\nTRACE_CALLS = False  # choices: true, false\nlogit_scale = 1.5\n"
    )
    found = {s.name: s for s in find_all({"settings.py": text})}
    for name in ("DEBUG", "VERBOSE"):
        assert not found[name].mutable, name
    for name in ("use_cache", "plot_every", "log_level", "TRACE_CALLS", "logit_scale"):
        assert found[name].mutable, name  # not a bool, named otherwise, or hinted


def test_powers_of_two_between_bounds_are_choices() -> None:
    hint = read_hint("powers of two, 8 to 512", 32)
    assert hint.choices == ("8", "16", "32", "64", "128", "256", "512") and hint.low is None
    assert read_hint("power of 2 between 16 and 256", 64).choices[-1] == "256"
    odd = read_hint("powers of two, 8 to 512", 30)  # the value is none: a plain range
    assert not odd.choices and (odd.low, odd.high) == (8, 512)
    assert not read_hint("8 to 512", 32).choices


@pytest.mark.parametrize(("comment", "value", "low", "high"), [
    ("must stay below 1", 0.9, None, 1.0),
    ("0 means never expire, no more than 3600", 30, None, 3600.0),
    ("anything from 16 up to 512 works", 64, 16.0, 512.0),
    ("should not exceed 100", 10, None, 100.0),
    ("no less than 4", 8, 4.0, None),
    ("read from 2 files", 3, None, None),
])
def test_bounds_in_the_words_people_write(
    comment: str, value: object, low: float | None, high: float | None
) -> None:
    hint = read_hint(comment, value)
    assert (hint.low, hint.high, hint.problem) == (low, high, ""), hint


def test_a_schema_const_or_a_description_that_forbids_change_is_fixed() -> None:
    schema = (
        '{"properties": {"eval_samples": {"const": 500}, "b": {"enum": [3]},'
        ' "c": {"description": "size of the evaluation set; must not change"},'
        ' "lr": {"minimum": 0.001, "maximum": 0.1}}}'
    )
    files = {"params.json": '{"$schema": "params.schema.json", "eval_samples": 500, "b": 3,'
             ' "c": 7, "lr": 0.01}', "params.schema.json": schema}
    found = {s.name: s for s in find_all(files)}
    assert "$schema" not in found  # where the schema is, not a setting
    assert [n for n, s in found.items() if s.mutable] == ["lr"]
    assert read_hint("must not change", 500).fixed


def _found() -> dict[str, dict[str, Setting]]:
    files = {p.name: p.read_text() for p in sorted(FILES.iterdir())}
    return {p: {s.name: s for s in find_all({p: t})} for p, t in files.items()}


def test_realistic_files_are_read_as_their_authors_meant() -> None:
    f = _found()
    tc = f["train_constants.py"]
    assert tc["OPTIMIZER"].hint.choices == ("sgd", "adam", "adamw", "lion")
    lr = tc["LEARNING_RATE"].hint
    assert (lr.low, lr.high, lr.log) == (1e-5, 1e-2, True)
    assert tc["WARMUP_STEPS"].hint.source == "comment above"
    assert tc["SEED"].hint.fixed and "DATA_DIR" not in tc
    doc = f["hparams_docstrings.py"]
    assert doc["ACTIVATION"].hint.choices == ("relu", "gelu", "silu")
    assert doc["NUM_LAYERS"].hint.source == "docstring"
    typed = f["typed_config.py"]
    assert typed["SCHEDULER"].hint.choices == ("cosine", "linear", "constant")
    trainer = f["trainer.toml"]
    assert trainer["optim.name"].hint.choices == ("sgd", "adam", "lion")
    assert trainer["data.batch_size"].hint.choices == ("16", "32", "64", "128", "256")
    assert trainer["model.kind"].hint.choices == ("transformer", "rnn")
    server = f["server.toml"]
    assert (server["server.workers"].hint.low, server["server.workers"].hint.high) == (1, 64)
    assert server["server.log_level"].hint.choices == ("debug", "info", "warning", "error")
    assert server["cache.eviction"].hint.choices == ("lru", "lfu", "fifo")
    sim = f["sim_params.py"]
    assert sim["TOLERANCE"].hint.log
    assert sim["METHOD"].hint.choices == ("euler", "rk2", "rk4")  # a pipe list after a label
    assert f["ppo_params.py"]["GAMMA"].hint.high == 0.9999
    assert f["augment_settings.py"]["MIXUP_ALPHA"].hint.high == 1


def test_only_the_broken_hints_warn_once_per_setting() -> None:
    """The broken file's four, and the YAML number PyYAML reads as a string."""
    files = {p.name: p.read_text() for p in sorted(FILES.iterdir())}
    warnings = hint_warnings(files)
    assert [w.split(":")[0] for w in warnings] == ["broken_hints.py"] * 4 + ["detector.yaml"]
    assert warnings[0].startswith("broken_hints.py:1 OPTIMIZER: the choices in 'choices: sgd'")
    assert [w.split(" ")[1] for w in warnings] == ["OPTIMIZER:", "SCHEDULE:", "LR:", "DEPTH:",
                                                  "augment.mixup:"]


def test_describe_says_where_each_part_came_from() -> None:
    text = (
        "from typing import Literal\n"
        'OPT: Literal["a", "b"] = "a"\n# 1 to 8\nN = 2\nMOMENTUM = 0.9\nALPHA = 0.5\n'
        "SEED = 1  # fixed\nCONV_THRESHOLD = 0.99999\nSCORE_THRESHOLD = 4.5\n"
    )
    lines = [describe(s) for s in find_settings("s.py", text)]
    assert lines == [
        "OPT = a: choices a|b (from the annotation)",
        "N = 2: range 1..8 (from the comment above)",
        "MOMENTUM = 0.9: 0..0.999 guessed from the name (no hint)",
        "ALPHA = 0.5: no hint, a range around its value that grows with evidence",
        "SEED = 1: not searched (fixed)",
        "CONV_THRESHOLD = 0.99999: 0..0.99999 guessed from the name (no hint)",
        "SCORE_THRESHOLD = 4.5: no hint, a range around its value that grows with evidence",
    ]


def test_a_tolerance_named_threshold_grows_on_a_log_scale_not_in_the_unit_range() -> None:
    # summa's pagerank_weighted.py: a linear 0..0.999 drew 0.58 and 0.81 for it
    text = "CONVERGENCE_THRESHOLD = 0.0001\nKEEP_PROB = 0.0\nDROPOUT = 0.01\n"
    lines = [describe(s) for s in find_settings("s.py", text)]
    assert lines == [
        "CONVERGENCE_THRESHOLD = 0.0001: no hint, a range around its value that grows with "
        "evidence",
        "KEEP_PROB = 0: 0..0.999 guessed from the name (no hint)",
        "DROPOUT = 0.01: 0..0.999 guessed from the name (no hint)",
    ]


@pytest.mark.parametrize(
    "comment",
    ["keep: defines the problem size", "keep - tests assume it", "Keep", "keep as is",
     "keep it constant", "keep the same as the paper"],
)
def test_a_comment_that_says_keep_it_is_fixed(comment: str) -> None:
    assert read_hint(comment, 32).fixed


@pytest.mark.parametrize("comment", ["keep between 8 and 64", "keep it small", "keep_prob"])
def test_keep_with_a_range_or_in_prose_is_not_fixed(comment: str) -> None:
    assert not read_hint(comment, 32).fixed


def test_an_enum_annotation_lists_the_choices() -> None:
    text = (
        "import enum\nfrom enum import Enum\n"
        'class Optimizer(str, Enum):\n    SGD = "sgd"\n    ADAM = "adam"\n'
        "class Mode(enum.IntEnum):\n    FAST = 1\n    SLOW = 2\n"
        'OPT: Optimizer = "adam"\nMODE: Mode = 2\nNAME: str = "run"\n'
    )
    found = {s.name: s for s in find_settings("s.py", text)}
    assert found["OPT"].hint.choices == ("sgd", "adam") and found["OPT"].mutable
    assert found["OPT"].hint.source == "annotation"
    assert found["MODE"].hint.choices == ("1", "2")
    assert not found["NAME"].mutable


def test_a_setting_that_is_not_searched_does_not_warn_and_a_long_comment_is_cut() -> None:
    """A string without choices or a `fixed` setting is not searched, so prose in its comment
    that mentions a range is no warning; a warning quotes at most about 80 characters."""
    prose = "matches any character in the range of printable ASCII, " * 20
    files = {
        "patterns.py": f'_esc = "[\\\\x20-\\\\x7e]"  # {prose}\n'
        f"SEED = 3  # fixed; {prose}\n"
        f"DEPTH = 3  # {prose}\n"
    }
    (warning,) = hint_warnings(files)
    assert warning.startswith("patterns.py:3 DEPTH: no range or choices could be read from ")
    assert len(warning) < 160, warning
    assert warning.endswith("...'")


def test_a_hint_where_no_setting_is_read_is_a_warning() -> None:
    """A `# range:` inside a function is not a setting agentos searches; the user is told rather
    than left with a hint that does nothing. An upper-case class constant is a setting, and so is
    a lower-case class attribute whose comment asks for a search (`# range:`); one without such
    a comment is state, not a setting."""
    from agentos.settings import find_settings, hint_warnings

    text = (
        "N = 3  # range: 1..9\n"
        "class SortedList:\n"
        "    DEFAULT_LOAD_FACTOR = 1000  # range: 50..20000\n"
        "    load = 5  # range: 1..9\n"
        "    state = 0\n"
        "def f():\n"
        "    y = 2  # choices: 1|2\n"
        "# range: in a comment line is prose\n"
    )
    warned = hint_warnings({"lib.py": text})
    assert [w.split(":")[1] for w in warned] == ["7"], warned
    found = {s.name: s for s in find_settings("lib.py", text)}
    assert set(found) == {"N", "SortedList.DEFAULT_LOAD_FACTOR", "SortedList.load"}
    assert (found["SortedList.load"].hint.low, found["SortedList.load"].hint.high) == (1, 9)
    assert found["SortedList.DEFAULT_LOAD_FACTOR"].hint.high == 20000
    assert all("a hint where agentos reads no setting" in w for w in warned)


def _described(name: str) -> list[str]:
    text = (FILES / name).read_text()
    return [describe(s) for s in find_all({name: text})]


def test_a_yaml_file_with_slash_lists_after_one_of_is_read() -> None:
    assert _described("segmenter.yaml") == [
        "model.backbone = resnet34: choices resnet18|resnet34|resnet50 (from the comment)",
        "model.dropout = 0.1: range 0..0.5 (from the comment)",
        "model.depth = 4: choices 2|4|8 (from the comment)",
        "model.width = 64: choices 32|64|128 (from the comment)",
        "optim.name = adamw: choices adam|sgd|adamw (from the comment)",
        "optim.lr = 0.001: range 1e-05..0.1, log (from the comment)",
        "optim.schedule = cosine: choices cosine|step|none (from the comment)",
        "optim.precision = bf16: choices fp32|bf16|fp16 (from the comment above)",
        "batch_size = 32: choices 16|32|64|128 (from the comment)",
    ]
    assert not hint_warnings({"segmenter.yaml": (FILES / "segmenter.yaml").read_text()})


def test_a_toml_file_with_prose_ranges_is_read() -> None:
    lines = _described("multigrid.toml")
    assert lines[0] == "solver.max_iter = 10: range 0..40 (from the comment)"  # `(default 10)`
    assert "solver.warmup = 5: range 0..40 (from the comment)" in lines  # `anything from 0 to 40`
    assert "solver.frac = 0.25: range 0..0.4 (from the comment)" in lines  # `0 to 40 %`
    assert "mesh.refine = 3: range 0..40 (from the comment above)" in lines
    assert "mesh.smoother = jacobi: choices jacobi|gauss-seidel|sor (from the comment)" in lines


@pytest.mark.parametrize(
    ("name", "read"),
    [
        # a Google-style `Attributes:` section of the module's and of the class's docstring
        ("SEQ_LEN", "range 128..4096 (from the module docstring)"),
        ("TrainConfig.lr", "range 1e-05..0.01, log (the range spans 3 decades) (from the class "
         "docstring)"),
        ("TrainConfig.warmup_steps", "range 0..1000 (from the class docstring)"),  # two lines
        ("TrainConfig.layers", "range 2..24 (from the class docstring)"),  # `layers (int): ...`
        # `Literal` inside `Optional[...]`, `... | None` and `Annotated[...]`
        ("TrainConfig.norm", "choices layer|rms (from the annotation)"),
        ("TrainConfig.act", "choices relu|gelu|silu (from the annotation)"),
        ("TrainConfig.pos", "choices rope|alibi (from the annotation)"),
        # a NumPy-style `Parameters` section; its `Returns` section is not read
        ("DataConfig.sampler", "choices random|sequential (from the class docstring)"),
        ("DataConfig.num_workers", "range 0..16 (from the class docstring)"),
        ("DataConfig.shuffle_buffer", "no hint, a range around its value that grows with "
         "evidence"),
        # Sphinx fields
        ("EvalOptions.beam", "range 1..8 (from the class docstring)"),
        ("EvalOptions.temperature", "range 0..2 (from the class docstring)"),
    ],
)
def test_a_dataclass_documented_in_its_docstring_is_read(name: str, read: str) -> None:
    text = (FILES / "lm_config.py").read_text()
    found = {s.name: s for s in find_all({"lm_config.py": text})}
    assert describe(found[name]).split(": ", 1)[1] == read


@pytest.mark.parametrize(("comment", "value", "choices"), [
    ("max edits to look for: 1 or 2 (2 is much slower)", 1, ("1", "2")),
    ("1 or 2 (2 is much slower)", 2, ("1", "2")),
    ("backend -- numpy or torch", "numpy", ("numpy", "torch")),
    ("max edits to look for: 1 or 2 (2 is much slower)", 3, ()),  # 3 is not one of them
])
def test_a_list_that_is_a_whole_clause_of_the_comment_gives_the_choices(
    comment: str, value: object, choices: tuple[str, ...]
) -> None:
    assert read_hint(comment, value).choices == choices


@pytest.mark.parametrize(("comment", "fixed"), [
    ("don't touch names", False),  # what the setting does, not a wish about it
    ("don't change the case of words", False),
    ("don't touch", True),
    ("don't touch this", True),
    ("do not change unless you know why", True),
    ("do not change the value", True),
    ("must stay false: the English dictionary refuses true", True),
    ("must stay below 100", False),
])
def test_do_not_touch_is_fixed_only_of_the_setting_itself(comment: str, fixed: bool) -> None:
    assert read_hint(comment, True).fixed is fixed
