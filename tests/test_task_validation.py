"""agentos.toml is strict: an unknown key anywhere is an error naming the file, the table and the
nearest known key, never a default silently left in force."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import EXAMPLES, agentos_cli, quickstart_copy

from agentos.errors import UserError
from agentos.task import KNOWN_KEYS, load_task

BASE = """[task]
editable = ["settings.py"]
protected = ["evaluate.py"]
[metric]
command = "python evaluate.py"
regex = '^score:\\s*(?P<value>\\S+)$'
goal = "max"
"""


def _load(tmp_path: Path, extra: str, base: str = BASE) -> UserError:
    (tmp_path / "agentos.toml").write_text(base + extra)
    with pytest.raises(UserError) as caught:
        load_task(tmp_path)
    return caught.value


@pytest.mark.parametrize(
    ("extra", "table", "key", "nearest"),
    [
        ("[budget]\nexperiment = 2\n", "[budget]", "experiment", "`experiments`"),
        ("[search]\nstrategi = 'anneal'\n", "[search]", "strategi", "`strategy`"),
        ("[search]\nnoise_rerun = 0\n", "[search]", "noise_rerun", "`noise_reruns`"),
        ("[checkin]\nevery_n = 3\n", "[checkin]", "every_n", "`every`"),
        ("[review]\nmod = 'off'\n", "[review]", "mod", "`mode`"),
        ("[sandbox]\nbackend = 'local'\ngpux = true\n", "[sandbox]", "gpux", "`gpu`"),
        ("[llm]\nmodels = 'x'\n", "[llm]", "models", "`model`"),
        ("[env]\npyhton = 'auto'\n", "[env]", "pyhton", "`python`"),
        ("[tools]\ngate = ['ruff']\n", "[tools]", "gate", "`gates`"),
    ],
)
def test_an_unknown_key_in_a_table_names_the_file_the_table_and_the_nearest_key(
    tmp_path: Path, extra: str, table: str, key: str, nearest: str
) -> None:
    err = _load(tmp_path, extra)
    assert err.path == str(tmp_path / "agentos.toml")
    assert f"{table}: unknown key {key!r}" in str(err)
    assert err.fix is not None and err.fix.startswith(f"did you mean {nearest}?")


def test_unknown_keys_in_task_and_metric_are_refused(tmp_path: Path) -> None:
    err = _load(tmp_path, "", BASE.replace("protected =", "protect ="))
    assert "[task]: unknown key 'protect'" in str(err) and "`protected`" in (err.fix or "")
    err = _load(tmp_path, "", BASE.replace("goal =", "goal = 'max'\ntimout = 5\n#"))
    assert "[metric]: unknown key 'timout'" in str(err) and "`timeout`" in (err.fix or "")


def test_a_key_far_from_every_known_one_lists_what_the_table_takes(tmp_path: Path) -> None:
    err = _load(tmp_path, "[budget]\nzzz = 1\n")
    assert err.fix is not None and err.fix.startswith("remove it")
    assert "experiments" in err.fix and "wall_time" in err.fix


def test_an_unknown_table_suggests_the_nearest_table(tmp_path: Path) -> None:
    err = _load(tmp_path, "[bugdet]\nexperiments = 2\n")
    assert "unknown table [bugdet]" in str(err) and err.fix is not None
    assert err.fix.startswith("did you mean [budget]?")


def test_a_key_outside_its_table_is_told_where_it_belongs(tmp_path: Path) -> None:
    err = _load(tmp_path, "", "experiments = 3\n" + BASE)
    assert "`experiments` is outside any table" in str(err) and err.fix == "move it under [budget]"


def test_options_for_a_tool_the_task_does_not_name_are_refused(tmp_path: Path) -> None:
    err = _load(tmp_path, "[tools]\ngates = ['ruff']\n[tools.ruf]\nselect = ['E']\n")
    assert "[tools.ruf]" in str(err) and err.fix == "did you mean [tools.ruff]?"
    err = _load(tmp_path, "[tools]\ngates = ['ruff']\n[tools.pytest]\npaths = ['tests']\n")
    assert "neither in `gates` nor in `signals`" in str(err)
    assert err.fix is not None and '"pytest" to `gates` or `signals`' in err.fix


def test_every_known_key_is_accepted(tmp_path: Path) -> None:
    """The complete task file a user can write: every table, every key (env included)."""
    (tmp_path / "agentos.toml").write_text(
        BASE.replace("[task]\n", "[task]\nname = 'n'\ncanary_every = 0\n")
        + "timeout = 5\n"
        + "[budget]\nexperiments = 3\nwall_time = 60\npatience = 2\ntarget = 9.0\n"
        + "tokens = 10\ndollars = 1.0\n"
        + "[search]\nstrategy = 'greedy'\nseed = 1\nnoise_reruns = 0\n"
        + "[checkin]\nevery = 0\non_plateau = 0\n[review]\nmode = 'off'\n"
        + "[sandbox]\nbackend = 'local'\ngpu = false\n"
        + "[llm]\nprovider = 'heuristic'\nmodel = 'm'\ncredit_horizon = 4\n"
        + "[env]\npython = 'auto'\n"
        + "[tools]\ngates = ['ruff']\nsignals = ['metric']\n[tools.ruff]\nselect = ['E']\n"
    )
    task = load_task(tmp_path)
    assert task.budget.experiments == 3 and task.search.noise_reruns == 0
    assert [(u.name, dict(u.options)) for u in task.tools] == [
        ("ruff", {"select": ["E"]}),
        ("metric", {}),
    ]
    assert set(KNOWN_KEYS) >= {"task", "metric", "budget", "tools", "env"}


@pytest.mark.parametrize("name", ["agentos.toml", "agentos.gpu.toml"])
def test_the_shipped_examples_pass_the_strict_reading(name: str) -> None:
    for folder in sorted(EXAMPLES.iterdir()):
        if (folder / name).is_file():
            assert load_task(folder, folder / name).editable


def test_agentos_run_refuses_a_misspelt_key_before_recording_anything(tmp_path: Path) -> None:
    repo = quickstart_copy(tmp_path / "qs")
    toml = repo / "agentos.toml"
    toml.write_text(toml.read_text().replace("experiments = 40", "experiment = 2"))
    done = agentos_cli("run", str(repo))
    assert done.returncode == 2, done.stderr
    assert "[budget]: unknown key 'experiment'" in done.stderr
    assert "did you mean `experiments`?" in done.stderr
    assert not (repo / ".agentos" / "ledger.db").exists()
