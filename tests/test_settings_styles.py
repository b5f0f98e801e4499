"""Every comment form of the hint syntax read in every style of settings file people write:
Python constants, comments above, docstrings, dataclass and pydantic fields, argparse options,
YAML, TOML, .env and INI; and edits in the new styles keep every other byte and read back."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from agentos.settings import Setting, apply, find_all, find_settings, hint_warnings, known

FILES = Path(__file__).parent / "settings_files"

# (comment, value, (low, high, log, choices)): the forms people write, one of each kind
FORMS: list[tuple[str, object, tuple[float | None, float | None, bool, tuple[str, ...]]]] = [
    ("int, range 0..40", 5, (0, 40, False, ())),
    ("0-40", 5, (0, 40, False, ())),
    ("0 to 40 epochs", 3, (0, 40, False, ())),  # a unit
    ("between 1e-4 and 1", 0.01, (1e-4, 1, True, ())),
    ("in [0, 1]", 0.5, (0, 1, False, ())),
    ("1 <= n <= 12", 3, (1, 12, False, ())),
    ("min 1, max 64", 8, (1, 64, False, ())),
    ("range: 1e-5..1e-1 log", 0.01, (1e-5, 0.1, True, ())),
    ("1e-5 to 1e-1, log scale", 0.001, (1e-5, 0.1, True, ())),
    ("dropout 0-50%", 0.1, (0, 0.5, False, ())),
    ("log scale", 0.01, (None, None, True, ())),  # no bounds: they grow, on a log scale
    ("one of a, b, c", "b", (None, None, False, ("a", "b", "c"))),
    ("choices: a, b, c", "a", (None, None, False, ("a", "b", "c"))),
    ("options a|b|c", "c", (None, None, False, ("a", "b", "c"))),
    ("mode: a | b | c", "b", (None, None, False, ("a", "b", "c"))),
]


def _py(v: object) -> str:
    return repr(v)


def _type(v: object) -> str:
    return type(v).__name__


# style -> (file name, text for (comment, value), the setting's name)
STYLES: dict[str, tuple[str, Callable[[str, object], str], str]] = {
    "constant": ("s.py", lambda c, v: f"X = {_py(v)}  # {c}\n", "X"),
    "comment above": ("s.py", lambda c, v: f"# {c}\nX = {_py(v)}\n", "X"),
    "docstring": ("s.py", lambda c, v: f'X = {_py(v)}\n"""{c}"""\n', "X"),
    "dataclass": ("s.py", lambda c, v: (
        "from dataclasses import dataclass, field\n\n\n@dataclass\nclass TrainConfig:\n"
        f"    x: {_type(v)} = field(default={_py(v)})  # {c}\n"), "TrainConfig.x"),
    "hf dataclass": ("s.py", lambda c, v: (
        "from dataclasses import dataclass, field\n\n\n@dataclass\nclass ModelArguments:\n"
        f"    x: {_type(v)} = field(default={_py(v)}, metadata={{'help': {c!r}}})\n"),
        "ModelArguments.x"),
    "plain class": ("s.py", lambda c, v: f"class CFG:\n    # {c}\n    x = {_py(v)}\n", "CFG.x"),
    "pydantic": ("s.py", lambda c, v: (
        "from pydantic import BaseModel, Field\n\n\nclass Settings(BaseModel):\n"
        f"    x: {_type(v)} = Field({_py(v)}, description={c!r})\n"), "Settings.x"),
    "config dict": ("s.py", lambda c, v: f"CONFIG = {{\n    # {c}\n    'x': {_py(v)},\n}}\n",
                    "CONFIG.x"),
    "dict()": ("s.py", lambda c, v: f"train_cfg = dict(\n    x={_py(v)},  # {c}\n)\n",
               "train_cfg.x"),
    "click": ("s.py", lambda c, v: (
        "import click\n\n\n@click.command()\n"
        f"@click.option('--x', default={_py(v)}, help={c!r})\ndef main(x): ...\n"), "x"),
    "argparse": ("s.py", lambda c, v: (
        "import argparse\n\np = argparse.ArgumentParser()\n"
        f"p.add_argument('--x', type={_type(v)}, default={_py(v)}, help={c!r})\n"), "x"),
    "yaml": ("s.yaml", lambda c, v: f"train:\n  x: {v}  # {c}\n", "train.x"),
    "yaml above": ("s.yml", lambda c, v: f"train:\n  # {c}\n  x: {v}\n", "train.x"),
    "toml": ("s.toml", lambda c, v: f"[train]\nx = {json.dumps(v)}  # {c}\n", "train.x"),
    "toml above": ("s.toml", lambda c, v: f"[train]\n# {c}\nx = {json.dumps(v)}\n", "train.x"),
    "env": ("s.env", lambda c, v: f"X={v}  # {c}\n", "X"),
    "env above": ("train.env", lambda c, v: f"# {c}\nexport X={v}\n", "X"),
    "ini": ("s.ini", lambda c, v: f"[train]\nx = {v}  ; {c}\n", "train.x"),
    "cfg above": ("s.cfg", lambda c, v: f"[train]\n# {c}\nx: {v}\n", "train.x"),
}  # fmt: skip


@pytest.mark.parametrize("style", sorted(STYLES))
@pytest.mark.parametrize(("comment", "value", "expected"), FORMS, ids=[f[0] for f in FORMS])
def test_every_form_in_every_style(
    style: str,
    comment: str,
    value: object,
    expected: tuple[float | None, float | None, bool, tuple[str, ...]],
) -> None:
    path, write, name = STYLES[style]
    found = {s.name: s for s in find_settings(path, write(comment, value))}
    s = found[name]
    h = s.hint
    assert (h.low, h.high, h.log, h.choices, h.problem) == (*expected, "")
    assert s.value == value and s.mutable


@pytest.mark.parametrize("style", sorted(STYLES))
def test_a_malformed_choices_comment_is_a_warning_in_every_style(style: str) -> None:
    """`choices: sgd,` lists one value: no silent single choice, a warning naming the line."""
    path, write, name = STYLES[style]
    text = write("choices: sgd,", "sgd")
    (s,) = [s for s in find_settings(path, text) if s.name == name]
    assert s.hint.choices == () and not s.mutable
    (warning,) = hint_warnings({path: text}, evaluator=["python", path])
    line = text.count("\n", 0, s.start) + 1
    assert warning.startswith(f"{path}:{line} {name}: the choices in 'choices: sgd,' list only")


def _read(name: str) -> dict[str, Setting]:
    """The settings of a fixture as a task whose metric command runs it reads them."""
    text = (FILES / name).read_text()
    return {s.name: s for s in find_all({name: text}, evaluator=["python", name])}


def test_a_yaml_file_is_read_as_pyyaml_reads_it() -> None:
    f = _read("detector.yaml")
    assert (f["train.epochs"].hint.low, f["train.epochs"].hint.high) == (0, 300)
    assert f["train.optimizer"].hint.choices == ("SGD", "Adam", "AdamW")
    assert f["train.lr0"].hint.log and f["train.warmup_epochs"].hint.source == "comment above"
    assert f["train.warmup_epochs"].kind == "float" and f["train.cos_lr"].kind == "bool"
    assert f["train.seed"].hint.fixed
    assert f["augment.scale"].hint.choices == ("0.25", "0.5", "0.75")
    assert f["augment.mixup"].kind == "str"  # `1e-3` without a dot is a string to PyYAML
    (warning,) = hint_warnings({"detector.yaml": (FILES / "detector.yaml").read_text()})
    assert warning == ("detector.yaml:18 augment.mixup: PyYAML reads 1e-3 as a string, so it is "
                       "not searched; write it as 1.0e-3")
    assert "anchors" not in f  # an anchor is left alone


def test_an_env_file_types_its_values_and_keeps_strings_unsearched() -> None:
    f = _read("service.env")
    assert (f["WORKERS"].value, f["WORKERS"].hint.high) == (4, 32)
    assert f["TIMEOUT_S"].kind == "float" and f["USE_GZIP"].value is True
    assert f["LOG_LEVEL"].hint.choices == ("debug", "info", "warning")
    assert f["CACHE_POLICY"].hint.choices == ("lru", "lfu", "fifo")
    assert not f["DATABASE_URL"].mutable
    assert f["RETRY_BACKOFF"].value == 0.5 and f["RETRY_BACKOFF"].hint.log


def test_an_ini_file_is_read_by_section() -> None:
    f = _read("solver.ini")
    assert f["solver.method"].hint.choices == ("cg", "gmres", "bicgstab")
    tol = f["solver.tolerance"].hint
    assert (f["solver.tolerance"].value, tol.low, tol.high, tol.log) == (1e-6, 1e-10, 1e-3, True)
    assert (f["solver.max_iter"].hint.low, f["solver.max_iter"].hint.high) == (10, 5000)
    assert f["solver.preconditioner"].hint.choices == ("none", "jacobi", "ilu")
    assert f["mesh.cells"].hint.choices[-1] == "512" and f["DEFAULT.verbose"].value is False
    assert not f["mesh.output_dir"].mutable


def test_ini_booleans_are_read_as_configparser_reads_them() -> None:
    import configparser

    text = "[run]\na = yes\nb = off\nc = True\nd = 1\ne = 'no'\n"
    found = {s.name: s for s in find_settings("s.cfg", text)}
    parser = configparser.ConfigParser()
    parser.read_string(text)
    for key in "abc":
        assert found[f"run.{key}"].kind == "bool"
        assert found[f"run.{key}"].value is parser.getboolean("run", key)
    assert found["run.d"].kind == "int"  # a number stays a number
    assert found["run.e"].kind == "str"  # a quoted word is a string


def test_argparse_options_are_settings_named_by_their_destination() -> None:
    f = _read("train_args.py")
    assert set(f) == {"lr", "epochs", "optimizer", "hidden_size", "dropout", "act", "data_dir",
                      "seed"}  # fmt: skip
    assert f["lr"].hint.log and f["lr"].hint.source == "option help"
    assert f["optimizer"].hint.choices == ("sgd", "adam", "adamw")  # choices=OPTIMIZERS
    assert f["optimizer"].hint.source == "argparse choices"
    assert f["dropout"].kind == "float" and f["dropout"].hint.high == 0.9  # type=float, default=0
    assert f["act"].hint.choices == ("relu", "gelu", "silu") and f["seed"].hint.fixed
    assert not f["data_dir"].mutable


def test_config_dicts_are_settings_and_other_dicts_are_not() -> None:
    f = _read("hparams_dict.py")
    assert set(f) == {"HPARAMS.learning_rate", "HPARAMS.optimizer", "HPARAMS.model.depth",
                      "HPARAMS.model.width", "train_config.epochs", "train_config.batch_size"}
    assert f["HPARAMS.learning_rate"].hint.log
    assert f["HPARAMS.optimizer"].hint.choices == ("adam", "sgd")
    assert (f["train_config.epochs"].hint.low, f["train_config.epochs"].hint.high) == (1, 100)


def test_options_are_settings_only_where_the_metric_command_runs_them() -> None:
    """A library's command-line module is no settings file: an option's default counts only in
    a module the metric command runs (or one it imports), unless the command passes the option."""
    text = (FILES / "train_args.py").read_text()
    files = {"train_args.py": text, "lib/cli.py": text}
    names = {s.path for s in find_all(files, evaluator=["python", "train_args.py"])}
    assert names == {"train_args.py"}
    assert find_all(files) == []  # no metric command: no option is a setting
    passed = find_all(files, evaluator=["python", "train_args.py", "--lr=0.1", "--epochs", "3"])
    assert {s.name for s in passed} == {"optimizer", "hidden_size", "dropout", "act", "data_dir",
                                        "seed"}  # fmt: skip
    imported = {"run.py": "from lib import cli\ncli.parse_args()\n"}.get
    assert {s.path for s in find_all(files, read=imported, evaluator=["python", "run.py"])} == {
        "lib/cli.py"
    }


def test_click_options_are_settings_bounded_by_their_types() -> None:
    f = _read("cli_click.py")
    assert (f["lr"].hint.low, f["lr"].hint.high, f["lr"].hint.source) == (1e-5, 1, "click type")
    assert (f["depth"].hint.low, f["depth"].hint.high) == (1, 12)
    assert f["act"].hint.choices == ("relu", "gelu", "silu")
    assert f["bs"].hint.high == 256 and f["bs"].hint.source == "option help"
    assert not f["out"].mutable


def test_config_classes_are_settings_and_other_classes_are_not() -> None:
    gpt = _read("gpt_config.py")
    assert "Point.x" not in gpt and "TrainConfig.tags" not in gpt
    assert find_settings("t.py", "class TestParams:\n    n = 3\n") == []  # a test case
    assert gpt["GPTConfig.n_embd"].hint.choices == ("128", "256", "384", "512")
    assert gpt["GPTConfig.dropout"].hint.source == "docstring"
    assert gpt["TrainConfig.schedule"].hint.choices == ("cosine", "linear", "constant")
    assert gpt["TrainConfig.warmup_iters"].hint.high == 2000
    app = _read("app_settings.py")
    assert not any(".Config." in name for name in app)  # pydantic's own configuration
    size = app["CacheOptions.size_mb"].hint
    assert (size.low, size.high, size.source) == (16, 8192, "Field constraints")
    assert (app["AppSettings.workers"].hint.low, app["AppSettings.workers"].hint.high) == (1, 64)
    assert app["AppSettings.compression"].hint.choices == ("gzip", "br", "none")
    assert app["AppSettings.compression"].hint.source == "field description"
    assert app["CacheOptions.ttl_s"].hint.low is None  # gt=0: grows, never changes sign


@pytest.mark.parametrize(
    ("path", "text", "name", "value", "expected"),
    [
        ("c.yaml", "a:\n  lr: 0.01  # log\n  opt: adam\n", "a.lr", 1e-5, "1.0e-05"),
        ("c.yaml", "a:\n  opt: 'adam'  # one of adam, sgd\n", "a.opt", "sgd", "'sgd'"),
        ("c.yaml", "opt: adam  # one of adam, yes\n", "opt", "yes", '"yes"'),  # not a bool
        ("c.yaml", "flag: true\n", "flag", False, "false"),
        (".env", 'export LR="0.01"  # log\n', "LR", 0.002, '"0.002"'),
        (".env", "MODE=fast  # fast|safe\n", "MODE", "safe", "safe"),
        ("s.ini", "[a]\ntol = 1e-6  ; log\n", "a.tol", 2e-5, "2e-05"),
        ("s.ini", "[mesh]\nrefine = no\n", "mesh.refine", True, "yes"),  # getboolean's words
        ("s.ini", "[mesh]\nrefine = Off\n", "mesh.refine", True, "On"),
        ("s.ini", "[mesh]\nrefine = FALSE\n", "mesh.refine", True, "TRUE"),
        ("s.py", "class Config:\n    lr: float = Field(0.01, ge=0)\n", "Config.lr", 0.5, "0.5"),
        ("s.py", "p.add_argument('--n', type=float, default=1)\n", "n", 2.5, "2.5"),
        ("s.py", "CFG = {'a': {'b': 'x'}}  # b: x|y\n", "CFG.a.b", "y", "'y'"),
    ],
)
def test_edits_in_the_new_styles_keep_every_other_byte(
    path: str, text: str, name: str, value: object, expected: str
) -> None:
    (s,) = [s for s in find_settings(path, text) if s.name == name]
    new = apply({path: text}, [(s, value)])[path]  # type: ignore[list-item]
    assert new == text[: s.start] + expected + text[s.end :]
    (again,) = [a for a in find_settings(path, new) if a.name == name]
    assert again.value == value
    if path.endswith(".yaml"):
        assert yaml.safe_load(new) is not None  # PyYAML reads back the edited value as written


def test_check_lines_say_where_each_space_came_from_in_the_new_styles() -> None:
    f = _read("app_settings.py")
    assert known(f["CacheOptions.size_mb"]) == (
        "range 16..8192, log (the range spans 3 decades) (from the Field constraints)"
    )
    assert known(_read("train_args.py")["optimizer"]) == (
        "choices sgd|adam|adamw (from the argparse choices)"
    )
