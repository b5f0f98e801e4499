"""The JSON Schema editors check `agentos.toml` with (agentos/schema/agentos.schema.json) says
what `agentos.task` says: the same tables and keys as `KNOWN_KEYS`, every shipped or
`agentos init`-written task file passes both, and a file agentos refuses fails the schema too."""

from __future__ import annotations

import copy
import json
import shutil
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from helpers import EXAMPLES, commit_all, make_repo

from agentos.errors import UserError
from agentos.init import init_task
from agentos.task import KNOWN_KEYS, TASK_FILE, load_task, parse_task

SCHEMA: dict[str, Any] = json.loads(
    resources.files("agentos").joinpath("schema/agentos.schema.json").read_text("utf-8")
)
VALIDATOR = jsonschema.Draft4Validator(SCHEMA)
TASK_FILES = sorted(EXAMPLES.rglob("agentos*.toml"))

# Every key agentos.toml takes, each with a value agentos accepts.
FULL = """\
[task]
name = "full"
editable = ["settings.py", "src/**/*.py"]
protected = ["evaluate.py"]
canary = "--- a/evaluate.py\\n+++ b/evaluate.py\\n"
canary_every = 5
accept_forgery_risk = ["stdout-forgery"]

[metric]
command = ["python", "evaluate.py"]
json_file = "out.json"
json_key = "score"
goal = "min"
timeout = 30.5

[budget]
experiments = 10
wall_time = 600
patience = 4
target = 0.5
tokens = 100000
dollars = 2.5

[search]
strategy = "anneal"
seed = 7
noise_reruns = 0
profile = "profile.toml"

[search.space]
"settings.py:LR" = { type = "float", low = 0.0001, high = 0.1, log = true }
"settings.py:DEPTH" = { type = "int", low = 1 }
"settings.py:OPT" = { type = "choice", choices = ["adam", "sgd"] }
"settings.py:BN" = { type = "bool" }
"settings.py:SEED" = { type = "fixed" }

[checkin]
every = 3
on_plateau = 2

[tools]
gates = ["ruff"]
signals = ["mypy"]

[tools.ruff]
select = ["E"]

[review]
mode = "blocking"

[sandbox]
backend = "local"
gpu = false
gpus = 1
per_gpu = 2

[run]
workers = 2
on_stop = "cancel"

[executor]
kind = "ray"
address = "auto"

[llm]
provider = "heuristic"
model = "claude-sonnet-5"
credit_horizon = 4

[env]
python = "agentos"
"""


def schema_errors(data: dict[str, Any]) -> list[str]:
    return [e.message for e in VALIDATOR.iter_errors(data)]


def test_the_schema_is_a_valid_draft_4_schema() -> None:
    jsonschema.Draft4Validator.check_schema(SCHEMA)


def test_the_schema_declares_exactly_the_tables_and_keys_agentos_takes() -> None:
    tables = SCHEMA["properties"]
    assert set(tables) == set(KNOWN_KEYS)
    assert SCHEMA["additionalProperties"] is False
    for name, keys in KNOWN_KEYS.items():
        assert set(tables[name]["properties"]) == keys, f"[{name}]"
        extra = tables[name].get("additionalProperties")
        if name == "tools":  # one options table per tool it names
            assert extra["type"] == "object"
        else:
            assert extra is False, f"[{name}] must refuse unknown keys"


def test_a_file_with_every_key_passes_both_the_schema_and_agentos(tmp_path: Path) -> None:
    data = tomllib.loads(FULL)
    used = {table: set(keys) for table, keys in data.items()}
    used["metric"].add("regex")  # exclusive with `json_file`: the quickstart's file uses it
    used["tools"].remove("ruff")  # the options table of a tool named in `gates`
    assert used == KNOWN_KEYS
    (tmp_path / "profile.toml").write_text("[search]\nstrategy = 'greedy'\n")
    assert schema_errors(data) == []
    parse_task(data, root=tmp_path, path=tmp_path / TASK_FILE)


def test_every_example_task_file_passes_both() -> None:
    assert {p.relative_to(EXAMPLES).as_posix() for p in TASK_FILES} >= {
        "quickstart/agentos.toml",
        "autoresearch/agentos.toml",
        "autoresearch/agentos.gpu.toml",
    }
    for path in TASK_FILES:
        assert schema_errors(tomllib.loads(path.read_text())) == [], path
        load_task(path.parent, path)


def test_the_files_agentos_init_writes_pass_both(tmp_path: Path) -> None:
    quickstart = tmp_path / "quickstart"
    shutil.copytree(EXAMPLES / "quickstart", quickstart)
    (quickstart / TASK_FILE).unlink()
    commit_all(quickstart, "quickstart without its task file")
    package = make_repo(
        tmp_path / "package",
        {
            "pyproject.toml": '[project]\nname = "wordstat"\nversion = "0.1"\n',
            "src/wordstat/__init__.py": "",
            "src/wordstat/core.py": "def count(s: str) -> int:\n    return len(s.split())\n",
            "tests/test_core.py": "from wordstat.core import count\n\n\n"
            "def test_count() -> None:\n    assert count('a b') == 2\n",
        },
    )
    for repo in (quickstart, package):
        written = init_task(repo).path
        assert schema_errors(tomllib.loads(written.read_text())) == [], written.read_text()
        load_task(repo)


BASE = tomllib.loads((EXAMPLES / "quickstart" / TASK_FILE).read_text())


def _set(data: dict[str, Any], dotted: str, value: Any) -> None:
    *tables, key = dotted.split(".")
    for table in tables:
        data = data.setdefault(table, {})
    if value is None:
        del data[key]
    else:
        data[key] = value


@pytest.mark.parametrize(
    ("dotted", "value"),
    [
        ("budjet.experiments", 3),  # an unknown table
        ("metric.gaol", "max"),  # an unknown key
        ("experiments", 3),  # a key outside any table
        ("metric", None),  # a required table left out
        ("task.editable", []),
        ("task.editable", ["/etc/passwd"]),
        ("task.editable", ["src/../../x.py"]),
        ("task.protected", [".git/config"]),
        ("task.name", ""),
        ("metric.command", []),
        ("metric.goal", "maximum"),
        ("metric.goal", None),
        ("metric.json_file", "out.json"),  # with `regex`: one of the two
        ("metric.regex", None),  # neither
        ("metric.timeout", 0),
        ("budget.experiments", "10"),
        ("budget.experiments", 0),
        ("budget.dollars", -1),
        ("search.seed", True),
        ("search.space", {"LR": {"type": "float"}}),  # not PATH:NAME
        ("search.space", {"settings.py:LR": {"type": "float", "choices": ["a", "b"]}}),
        ("search.space", {"settings.py:OPT": {"type": "choice", "choices": ["a"]}}),
        ("search.space", {"settings.py:LR": {"type": "real"}}),
        ("tools.gates", "data-only"),
        ("tools.extra", 1),
        ("review.mode", "strict"),
        ("sandbox.gpu", "yes"),
        ("sandbox.per_gpu", 0),
        ("run.on_stop", "kill"),
        ("executor.kind", "k8s"),
        ("llm.credit_horizon", -1),
        ("env.python", ""),
    ],
)
def test_a_file_agentos_refuses_fails_the_schema(tmp_path: Path, dotted: str, value: Any) -> None:
    data = copy.deepcopy(BASE)
    _set(data, dotted, value)
    assert schema_errors(data) != []
    with pytest.raises(UserError):
        parse_task(data, root=tmp_path, path=tmp_path / TASK_FILE)


def test_json_file_needs_json_key_in_both(tmp_path: Path) -> None:
    data = copy.deepcopy(BASE)
    _set(data, "metric.regex", None)
    _set(data, "metric.json_file", "out.json")
    assert any("json_key" in e for e in schema_errors(data))
    with pytest.raises(UserError, match="json_key"):
        parse_task(data, root=tmp_path, path=tmp_path / TASK_FILE)
    _set(data, "metric.json_key", "score")
    assert schema_errors(data) == []
    assert parse_task(data, root=tmp_path, path=tmp_path / TASK_FILE).metric.json_key == "score"
