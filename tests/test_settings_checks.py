"""Hints from how the evaluator validates a setting: read from the metric command's Python files
by AST (never run), matched to the setting by name, and labelled with the file and line."""

from __future__ import annotations

import pytest

from agentos.settings import Setting, find_all, known
from agentos.settings.checks import matching, scripts

CONFIG = (
    "model:\n  dropout: 0.1\n  n_layers: 4\n  act: relu\n"
    "optim:\n  name: adam\n  lr: 0.001\n  heads: 4\n  clip: 0.5\nbatch: 32\n"
)
HEAD = "import os, sys, yaml\ncfg = yaml.safe_load(open('conf.yaml'))\n"


def _settings(evaluator: str, files: dict[str, str] | None = None) -> dict[str, Setting]:
    files = files if files is not None else {"conf.yaml": CONFIG}
    read = {"evaluate.py": HEAD + evaluator}.get
    found = find_all(files, read=read, evaluator=["python", "evaluate.py", "--quick"])
    return {s.name: s for s in found}


@pytest.mark.parametrize(
    ("check", "name", "read"),
    [
        ("assert 0 <= cfg['model']['dropout'] < 1", "model.dropout", "range 0..0.999"),
        ("n = int(cfg['model']['n_layers'])\nif not 1 <= n <= 12:\n    raise ValueError(n)",
         "model.n_layers", "range 1..12"),
        ("if cfg['model']['act'] not in ('relu', 'gelu'):\n    sys.exit('bad')",
         "model.act", "choices relu|gelu"),
        ("assert cfg['optim']['name'] in {'sgd', 'adam', 'lion'}", "optim.name",
         "choices sgd|adam|lion"),
        ("OPT = {'sgd': 1, 'adam': 2}\nif cfg['optim']['name'] not in OPT:\n    raise KeyError",
         "optim.name", "choices sgd|adam"),
        ("assert cfg['optim']['heads'] in range(1, 9)", "optim.heads", "range 1..8"),
        ("gain = {'relu': 0.0, 'gelu': 0.3}[cfg['model']['act']]", "model.act",
         "choices relu|gelu"),
        ("b = min(max(cfg['batch'], 1), 512)", "batch",
         "range 1..512, log (the range spans 3 decades)"),
        ("lr = float(cfg['optim'].get('lr'))\nif lr <= 0 or lr > 1:\n    raise ValueError",
         "optim.lr", "range ..1"),  # `> 0`: the low side grows, never crossing zero
        ("import numpy as np\nc = np.clip(cfg['optim']['clip'], 0.0, 10.0)", "optim.clip",
         "range 0..10"),
        ("import argparse\np = argparse.ArgumentParser()\n"
         "p.add_argument('--act', choices=['relu', 'tanh'])", "model.act", "choices relu|tanh"),
        ("import argparse\np = argparse.ArgumentParser()\n"
         "p.add_argument('--heads', type=int, choices=range(1, 5))", "optim.heads", "range 1..4"),
        ("from pydantic import BaseModel, Field\nclass Model(BaseModel):\n"
         "    dropout: float = Field(ge=0.0, le=0.5)", "model.dropout", "range 0..0.5"),
        ("from dataclasses import dataclass\n@dataclass\nclass Optim:\n    heads: int\n"
         "    def __post_init__(self):\n        assert self.heads > 0", "optim.heads", "range 1.."),
    ],
)  # fmt: skip
def test_each_form_of_check_bounds_the_setting_it_names(check: str, name: str, read: str) -> None:
    s = _settings(check)[name]
    assert s.hint.read == read
    marks = ("assert", "if ", "min(", "clip(", "add_argument", "Field(", "gain")
    lines = (HEAD + check).splitlines()
    line = next(i for i, x in enumerate(lines, 1) if any(k in x for k in marks))
    assert s.hint.source == f"evaluator check at evaluate.py:{line}"


def test_environment_variables_and_imported_settings_modules_are_subjects() -> None:
    files = {".env": "WORKERS=2\nMODE=fast\n", "settings.py": "EPOCHS = 10\nCLIP = 0.5\n"}
    found = _settings(
        "import settings\nfrom settings import CLIP\n"
        "w = int(os.environ.get('WORKERS', '1'))\nassert w >= 1\n"
        "assert os.getenv('MODE') in ('fast', 'safe')\n"
        "assert settings.EPOCHS <= 100\nassert 0.0 < CLIP <= 10\n",
        files,
    )
    assert found["WORKERS"].hint.read == "range 1.."
    assert found["MODE"].hint.choices == ("fast", "safe")
    assert found["EPOCHS"].hint.read == "range ..100"
    assert found["CLIP"].hint.read == "range ..10"


def test_an_ini_file_read_by_configparser_is_checked_by_section() -> None:
    files = {"solver.ini": "[solver]\ntol = 1e-6\nmax_iter = 500\n"}
    found = _settings(
        "import configparser\nc = configparser.ConfigParser()\nc.read('solver.ini')\n"
        "assert 0 < c.getfloat('solver', 'tol') < 1e-2\n"
        "if c['solver'].getint('max_iter') > 10000:\n    raise ValueError\n",
        files,
    )
    assert found["solver.tol"].hint.read == "range ..0.00999"  # `< 1e-2`: a thousandth inside
    assert found["solver.max_iter"].hint.read == "range ..10000"


def test_a_module_the_evaluator_imports_is_read_and_the_setting_file_itself_too() -> None:
    """`python evaluate.py` imports `model.py` (beside it): its checks count; the metric command's
    own file is the setting's file when the script holds its constants (`python train.py`)."""
    read = {
        "bench/evaluate.py": "from model import build\nbuild()\n",
        "bench/model.py": "import settings\ndef build():\n    assert 2 <= settings.DEPTH <= 8\n",
    }.get
    files = {"settings.py": "DEPTH = 4\n"}
    (depth,) = find_all(files, read=read, evaluator=["python", "bench/evaluate.py"])
    assert depth.hint.read == "range 2..8"
    assert depth.hint.source == "evaluator check at bench/model.py:3"
    train = {"train.py": "EPOCHS = 10\n\ndef main():\n    assert 1 <= EPOCHS <= 50\n"}
    (epochs,) = find_all(train, evaluator=["python", "train.py"])
    assert known(epochs) == "range 1..50 (from the evaluator check at train.py:4)"


def test_a_check_is_not_a_guess() -> None:
    """No hint where the subject is ambiguous, where the value already fails the check, where a
    comment already says something, or where the check is not a bound (`or` under assert)."""
    files = {
        "a.toml": "[optim]\nlr = 0.1\n[sched]\nlr = 0.5\n",
        "b.py": "DEPTH = 20\nWIDTH = 8  # range: 4..16\nRATE = 0.5\nMODE = 'fast'\n",
    }
    found = _settings(
        "assert cfg['lr'] < 1\nassert cfg['DEPTH'] <= 12\nassert 1 <= cfg['WIDTH'] <= 64\n"
        "assert RATE < 0.1 or RATE > 0.2\nassert MODE >= 1\n",
        files,
    )
    assert found["optim.lr"].hint.read == "" and found["sched.lr"].hint.read == ""
    assert found["DEPTH"].hint.read == ""  # 20 fails `<= 12`: a wrong match, or a failing baseline
    assert found["WIDTH"].hint.source == "comment"
    assert found["RATE"].hint.read == ""
    assert found["MODE"].hint.read == ""  # a number bounds no string


def test_the_longest_run_of_names_picks_the_setting() -> None:
    names = ["optim.lr", "sched.lr", "model.n_layers", "LR"]
    assert matching(("cfg", "optim", "lr"), names) == 0
    assert matching(("cfg", "lr"), names) is None  # optim.lr and sched.lr alike
    assert matching(("args", "n-layers"), names) == 2  # `-` and `_` alike where nothing matches
    assert matching(("LR",), names) == 3
    assert matching(("depth",), names) is None


def test_the_metric_command_names_its_scripts() -> None:
    texts = {"eval.py": "import pkg.util\n", "pkg/util.py": "", "tools/run/__main__.py": "x = 1\n"}
    assert list(scripts(["python", "eval.py", "--n", "3"], texts.get)) == ["eval.py", "pkg/util.py"]
    assert list(scripts(["python", "-m", "tools.run"], texts.get)) == ["tools/run/__main__.py"]
    assert scripts(["bash", "run.sh"], texts.get) == {}
