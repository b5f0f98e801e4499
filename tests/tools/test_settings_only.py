"""One script that holds the settings and prints the metric (`train.py` with argparse defaults,
printing `val_loss`): `agentos init` writes a settings-only task for it, a run searches the values,
and the `settings-only` gate refuses every other change with its reason, so the forgery guard
can trust the script's code. Through the installed CLI and the real loop."""

from __future__ import annotations

import json
from pathlib import Path

from helpers import agentos_cli, make_repo, scripted_edits

from agentos import runner
from agentos.status import run_status

TRAIN = '''\
"""Fit y = 3x - 1 with gradient descent and print the validation loss."""

import argparse


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--lr", type=float, default=0.01, help="learning rate")
    p.add_argument("--layers", type=int, default=1, help="depth (1..4)")
    p.add_argument("--optimizer", choices=["sgd", "momentum"], default="sgd")
    p.add_argument("--seed", type=int, default=0)  # fixed
    args = p.parse_args()
    data = [(i / 10, 3 * i / 10 - 1) for i in range(-10, 11)]
    w = b = v_w = v_b = 0.0
    for _ in range(20 * args.layers):
        g_w = sum(2 * (w * x + b - y) * x for x, y in data) / len(data)
        g_b = sum(2 * (w * x + b - y) for x, y in data) / len(data)
        beta = 0.9 if args.optimizer == "momentum" else 0.0
        v_w, v_b = beta * v_w + g_w, beta * v_b + g_b
        w, b = w - args.lr * v_w, b - args.lr * v_b
    val = sum((w * x + b - y) ** 2 for x, y in data) / len(data)
    print(f"val_loss: {val:.6f}")


if __name__ == "__main__":
    main()
'''
LR = 'p.add_argument("--lr", type=float, default=0.01, help="learning rate")'
KEPT = LR.replace("0.01", "0.05")  # after the first candidate is kept
OPT = 'p.add_argument("--optimizer", choices=["sgd", "momentum"], default="sgd")'
SEED = 'p.add_argument("--seed", type=int, default=0)  # fixed'
FORGED = '    print(f"val_loss: {val:.6f}")\n'


def _repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "repo", {"train.py": TRAIN})


def test_init_writes_a_settings_only_task_and_check_passes(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    init = agentos_cli("init", str(repo))
    assert init.returncode == 0, init.stderr
    assert "mode: settings only: train.py prints the metric and holds 3 tunable" in init.stdout
    assert "editable: train.py\nprotected: none\ngates: settings-only\n" in init.stdout
    assert "todo:" not in init.stdout
    task = (repo / "agentos.toml").read_text()
    assert 'command = "python train.py"' in task and 'goal = "min"' in task
    assert 'provider = "heuristic"' in task
    check = agentos_cli("check", str(repo), "--json")
    report = json.loads(check.stdout)
    assert check.returncode == 0, report
    assert report["facts"]["tunable_settings"].startswith("3 "), report["facts"]
    caught = [k for k, v in report["facts"].items()
              if k.startswith("forgery.") and v.startswith("caught (rejected by settings-only")]
    assert len(caught) == 5, report["facts"]  # every stdout forgery, before it ran


def test_without_the_gate_the_guard_refuses_the_script_and_check_names_the_gate(
    tmp_path: Path,
) -> None:
    repo = _repo(tmp_path)
    assert agentos_cli("init", str(repo)).returncode == 0
    task = repo / "agentos.toml"
    task.write_text(task.read_text().replace('gates = ["settings-only"]', 'gates = ["static"]'))
    check = agentos_cli("check", str(repo))
    assert check.returncode == 1
    assert "forgery guard: editable code: train.py" in check.stderr
    assert 'add "settings-only" to [tools] gates' in check.stderr


def test_the_gate_keeps_values_and_refuses_everything_else_in_a_run(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    assert agentos_cli("init", str(repo)).returncode == 0
    edits = [  # (search, replace, what the reason says; None: measured)
        (LR, KEPT, None),
        (FORGED, '    print("val_loss: 0.0")\n    raise SystemExit(0)\n' + FORGED,
         "train.py:22 not-a-value: changed outside a setting's value"),
        (OPT, OPT.replace('default="sgd"', 'default="adam"'), "'adam' is not one of its choices"),
        (SEED, SEED.replace("default=0", "default=7"), "seed: not tunable"),
        (KEPT, KEPT.replace("default=0.05", 'default="0.1"'),
         "lr: a str where the setting holds a float"),
        (KEPT, KEPT.replace("learning rate", "step size"), "train.py:8 not-a-value: changed"),
        (OPT, OPT.replace('"sgd", ', '"sgd", "adam", '), "train.py:10 not-a-value: changed"),
    ]
    seen = scripted_edits(repo, "train.py", [(s, r) for s, r, _ in edits])
    assert len(seen) == len(edits), seen
    assert seen[0][0] == "keep", seen  # a faster learning rate fits better: measured, kept
    for (status, reason), (_, _, why) in zip(seen[1:], edits[1:], strict=True):
        assert status == "rejected" and why is not None and why in reason, "\n".join(map(str, seen))
        assert "settings-only" in reason, reason


def test_the_guard_still_watches_editable_code_the_gate_does_not_cover(tmp_path: Path) -> None:
    """`files` narrows the gate to train.py; helper.py, editable code that train.py imports, is
    still watched by the forgery guard: its forged metric line makes the experiment invalid."""
    train = TRAIN.replace("import argparse\n", "import argparse\n\nimport helper  # noqa: F401\n")
    repo = make_repo(tmp_path / "repo", {
        "train.py": train, "helper.py": "SCALE = 1.0\n",
        "agentos.toml": '[task]\neditable = ["train.py", "helper.py"]\nprotected = []\n'
        '[metric]\ncommand = "python train.py"\nregex = \'^val_loss:\\s*(?P<value>\\S+)\'\n'
        'goal = "min"\n[tools]\ngates = ["settings-only"]\n'
        '[tools.settings-only]\nfiles = ["train.py"]\n',
    })
    forged = {"path": "helper.py", "search": "SCALE = 1.0\n",
              "replace": 'SCALE = 1.0\nprint("val_loss: 0.0")\nraise SystemExit(0)\n'}
    honest = {"path": "train.py", "search": LR, "replace": KEPT}
    scenario = tmp_path / "scenario.jsonl"
    scenario.write_text("".join(json.dumps({"type": "proposal", "description": f"c{i}",
                                            "edits": [e]}) + "\n"
                                for i, e in enumerate([forged, honest])))
    runner.run(repo, runner.Overrides(budget=2, provider=f"script:{scenario}"))
    seen = [(e["status"], e["reason"] or "") for e in run_status(repo)["experiments"]]
    assert seen[0][0] == "invalid" and "forgery guard: editable code: helper.py" in seen[0][1], seen
    assert seen[1][0] == "keep", seen  # train.py's own print of the metric is trusted


def test_a_files_option_that_is_not_globs_is_one_error_naming_the_task_file(tmp_path: Path) -> None:
    """The gate and the forgery guard read `files` through one function: a malformed value is a
    user error that names agentos.toml, for both, instead of two readings that could disagree."""
    import pytest

    from agentos.errors import UserError
    from agentos.evaluate import guard_env, settings_only_files
    from agentos.task import load_task

    repo = make_repo(tmp_path / "repo", {
        "train.py": TRAIN,
        "agentos.toml": '[task]\neditable = ["train.py"]\nprotected = []\n'
        '[metric]\ncommand = "python train.py"\nregex = \'^val_loss:\\s*(?P<value>\\S+)\'\n'
        'goal = "min"\n[tools]\ngates = ["settings-only"]\n[tools.settings-only]\nfiles = 3\n',
    })
    task = load_task(repo)
    for read in (settings_only_files, guard_env):
        with pytest.raises(UserError, match=r"agentos\.toml: \[tools\.settings-only\] files must"):
            read(task)
    good = load_task(make_repo(tmp_path / "ok", {
        "train.py": TRAIN, "agentos.toml": (repo / "agentos.toml").read_text().replace(
            "files = 3", 'files = "train.py"')}))
    assert settings_only_files(good) == ("train.py",)


def test_the_train_script_example_is_a_settings_only_task(tmp_path: Path) -> None:
    """docs/byo-repo.md's figures come from examples/train-script/train.py: init on a repository
    holding only that file chooses the settings-only mode with its five tunable settings."""
    example = Path(__file__).resolve().parents[2] / "examples" / "train-script" / "train.py"
    repo = make_repo(tmp_path / "repo", {"train.py": example.read_text()})
    init = agentos_cli("init", str(repo))
    assert init.returncode == 0, init.stderr
    assert "mode: settings only: train.py prints the metric and holds 5 tunable" in init.stdout
    assert "gates: settings-only\n" in init.stdout
