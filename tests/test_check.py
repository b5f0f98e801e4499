"""`agentos check`: exit 0 only when a run would work, 2 for bad input, 1 for a baseline that does
not measure or gates that fail on it; and what a run would do and cost, as `key: value` lines."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from helpers import ACCEPT_IMPORT_RISK, EXAMPLES, git, make_repo, quickstart_copy

import agentos.tool
from agentos.cli.main import main
from agentos.sandbox import get_backend
from agentos.tool import Finding, ToolContext, ToolResult, tool


def _check(*args: str) -> Result:
    return CliRunner().invoke(main, ["check", *args])


def _facts(out: str) -> dict[str, str]:
    return dict(line.split(": ", 1) for line in out.splitlines() if ": " in line)


def _repo(tmp_path: Path, toml_extra: str = "", **files: str) -> Path:
    """The quickstart, with lines added to its agentos.toml and files replaced, committed."""
    repo = quickstart_copy(tmp_path / "qs", files)
    if toml_extra:
        toml = repo / "agentos.toml"
        text = toml.read_text()
        if "[tools]" in toml_extra:  # the test's own tools replace the quickstart's data-only
            text = re.sub(r"\[tools\]\n(#.*\n)*gates = .*\n", "", text)
        toml.write_text(text + toml_extra)
        git(repo, "commit", "-qam", "task")
    return repo


def _direct_score(repo: Path) -> float:
    """The score evaluate.py prints when run by hand in the working tree."""
    out = subprocess.run(
        [sys.executable, "evaluate.py"], cwd=repo, capture_output=True, text=True, check=True
    ).stdout
    return float(out.split("score:")[1])


def test_check_on_the_quickstart_says_what_a_run_does_and_exits_0(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    result = _check(str(repo))
    assert result.exit_code == 0, result.output
    facts = _facts(result.stdout)
    assert facts["check"] == "ok"
    assert facts["task"] == str(repo / "agentos.toml")
    assert facts["commit"] == git(repo, "rev-parse", "HEAD").strip()[:12] + " (HEAD)"
    assert facts["editable"] == "1 file(s): settings.py"
    assert facts["provider"] == "heuristic" and facts["strategy"] == "greedy (seed 0)"
    assert facts["budget"] == "40 experiments"
    assert facts["sandbox"] == get_backend("auto").name
    assert facts["gates"] == "data-only" and facts["baseline_status"] == "ok"
    assert facts["forgeries"].startswith("0 kept, 5 caught, 4 not applicable")
    assert float(facts["baseline"]) == pytest.approx(_direct_score(repo), rel=1e-5)
    per = float(facts["cost_per_experiment_s"].split()[0])
    assert per >= float(facts["baseline_s"]) > 0
    start = float(facts["start_s"].split()[0])
    assert float(facts["estimated_run_s"]) == pytest.approx(start + 40 * per, abs=1)

    data = json.loads(_check(str(repo), "--json").stdout)
    assert data["ok"] is True and data["exit_code"] == 0 and data["problem"] is None
    assert data["baseline"]["metric"] == _direct_score(repo)
    assert data["baseline"]["status"] == "ok"


NOISY = """import random

print(f"score: {100 + random.gauss(0, 5):.4f}")
"""


def _noisy(tmp_path: Path, budget: int) -> Result:
    repo = _repo(tmp_path, **{"evaluate.py": NOISY})
    toml = repo / "agentos.toml"
    toml.write_text(toml.read_text().replace("experiments = 40", f"experiments = {budget}"))
    git(repo, "commit", "-qam", "budget", "--allow-empty")
    return _check(str(repo))


def test_check_measures_the_noise_and_warns_when_the_budget_cannot_confirm_a_gain_within_it(
    tmp_path: Path,
) -> None:
    quiet = _facts(_check(str(_repo(tmp_path / "quiet"))).stdout)
    assert quiet["noise"] == "none (4 baseline runs agreed)" and "noise_gains" not in quiet
    small = _noisy(tmp_path / "small", 12)
    assert small.exit_code == 0, small.output
    facts = _facts(small.stdout)
    sd = float(facts["noise"].split()[1])
    assert facts["noise"].startswith("sd ") and 0.2 < sd < 25, facts["noise"]
    band = float(re.findall(r"above ([\d.e+]+)", facts["noise_gains"])[0])
    full = float(re.findall(r"down to ([\d.e+]+)", facts["noise_gains"])[0])
    assert band > full > sd  # a single draw must clear far more than the re-measured test
    warning = [w for w in small.stdout.splitlines() if w.startswith("warning: the budget")]
    assert len(warning) == 1 and "(12 experiments) pays for at most 5 re-measures" in warning[0]
    least = float(re.findall(r"confirmed only above ([\d.e+]+)", warning[0])[0])
    assert least > full and "a budget of 31 or more" in warning[0]
    big = _facts(_noisy(tmp_path / "big", 40).stdout)
    assert big["noise"].startswith("sd ") and "noise_gains" in big
    assert "warning" not in big


def test_check_names_the_profile_when_it_leaves_no_budget_for_re_measures(tmp_path: Path) -> None:
    repo = _repo(tmp_path, **{"evaluate.py": NOISY})
    (repo / "search.toml").write_text("[search]\nremeasure_share = 0.0\n")
    toml = repo / "agentos.toml"
    toml.write_text(toml.read_text().replace("[search]", '[search]\nprofile = "search.toml"'))
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "profile")
    out = _check(str(repo))
    assert out.exit_code == 0, out.output
    warning = [w for w in out.stdout.splitlines() if "re-measure" in w and w.startswith("warning")]
    assert len(warning) == 1, out.stdout
    assert "remeasure_share (0) leaves no experiment for re-measures" in warning[0]
    assert "is never confirmed" in warning[0] and "a budget of" not in warning[0]
    share = float(re.findall(r"a remeasure_share of ([\d.]+) or more", warning[0])[0])
    assert 0 < share < 1


def test_the_task_option_checks_another_task_file(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    other = repo / "fast.toml"
    other.write_text(
        (repo / "agentos.toml").read_text().replace("experiments = 40", "experiments = 3")
    )
    result = _check(str(repo), "--task", str(other))
    assert result.exit_code == 0, result.output
    assert _facts(result.stdout)["budget"] == "3 experiments"
    assert _facts(result.stdout)["task"] == str(other)


def test_an_unknown_tool_exits_2_naming_the_nearest_before_measuring(tmp_path: Path) -> None:
    repo = _repo(tmp_path, '\n[tools]\ngates = ["ruf"]\n')
    result = _check(str(repo))
    assert result.exit_code == 2
    assert "[tools] gates: unknown tool 'ruf'" in result.stderr
    assert "did you mean `ruff`?" in result.stderr
    assert "baseline" not in result.stdout


@pytest.fixture
def registry() -> Iterator[None]:
    """Tools registered by a test are gone after it."""
    with agentos.tool.scoped_registry():
        yield


def test_an_option_the_tool_does_not_declare_exits_2_with_the_nearest(
    tmp_path: Path, registry: None
) -> None:
    seen: list[ToolContext] = []

    @tool(name="counted", kind="gate", cost=0.01, options=["limit"])
    def counted(ctx: ToolContext) -> ToolResult:
        seen.append(ctx)
        return ToolResult("counted", "pass")

    repo = _repo(tmp_path, '\n[tools]\ngates = ["counted"]\n[tools.counted]\nlimt = 3\n')
    result = _check(str(repo))
    assert result.exit_code == 2 and not seen
    assert "[tools.counted]: unknown key 'limt'" in result.stderr
    assert "did you mean `limit`?" in result.stderr

    toml = repo / "agentos.toml"
    toml.write_text(toml.read_text().replace("limt", "limit"))
    result = _check(str(repo))
    assert result.exit_code == 0, result.output
    assert _facts(result.stdout)["gates_on_baseline"] == "passed (counted pass)"
    # the baseline is judged as a candidate that changed every editable file and added nothing
    assert list(seen[0].changed) == ["settings.py"]
    # then once per forgery the self-test plants (docs/forgery.md), as a run's start would
    assert len(seen) == 1 + 5
    assert seen[0].parent_tree == seen[0].tree and dict(seen[0].options) == {"limit": 3}


def test_a_gate_that_fails_on_the_baseline_exits_1_with_its_finding(
    tmp_path: Path, registry: None
) -> None:
    @tool(name="picky", kind="gate", cost=0.01)
    def picky(ctx: ToolContext) -> ToolResult:
        return ToolResult("picky", "fail", (Finding("settings.py", 3, "P1", "too picky"),))

    repo = _repo(tmp_path, '\n[tools]\ngates = ["picky"]\n')
    result = _check(str(repo))
    assert result.exit_code == 1
    assert _facts(result.stdout)["gates_on_baseline"] == "failed (picky fail)"
    assert _facts(result.stdout)["check"] == "failed"
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("agentos: error: the gates fail on the unchanged baseline: picky fail")
    assert "settings.py:3 P1: too picky" in last and "; fix: " in last


def test_tests_that_do_not_collect_on_the_baseline_exit_1(tmp_path: Path) -> None:
    repo = _repo(
        tmp_path,
        '\n[tools]\ngates = ["pytest"]\n',
        **{"test_settings.py": "import not_a_module\n\ndef test_x():\n    pass\n"},
    )
    result = _check(str(repo))
    assert result.exit_code == 1, result.output
    assert "pytest could not pin the baseline" in result.stdout
    assert "collection failed at test_settings.py: ModuleNotFoundError" in result.stderr
    # the cause is on the fact line itself (another problem may be the one reported last), and
    # the fix names the module to install, not pytest options
    fact = _facts(result.stdout)["gates_on_baseline"]
    assert "No module named 'not_a_module'" in fact or "ModuleNotFoundError" in fact, fact
    assert "install not_a_module in the repository's environment" in result.stderr
    as_json = json.loads(_check(str(repo), "--json").stdout)
    assert as_json["gates"][0]["tool"] == "pytest" and as_json["gates"][0]["outcome"] == "error"


@pytest.mark.parametrize(
    ("toml_change", "message"),
    [
        (
            ('editable = ["settings.py"]', 'editable = ["config.py"]'),
            "[task] editable (config.py) matches no file of the commit",
        ),
        (
            ('protected = ["evaluate.py"]', 'protected = ["evaluate.py", "*.py"]'),
            "every file [task] editable (settings.py) matches is protected by *.py",
        ),
    ],
)
def test_an_empty_editable_surface_exits_2_naming_the_globs(
    tmp_path: Path, toml_change: tuple[str, str], message: str
) -> None:
    repo = _repo(tmp_path)
    toml = repo / "agentos.toml"
    toml.write_text(toml.read_text().replace(*toml_change))
    result = _check(str(repo))
    assert result.exit_code == 2
    assert message in result.stderr and "fix:" in result.stderr


def test_an_editable_file_that_is_not_committed_is_named_in_the_fix(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    (repo / "config.py").write_text("X = 1\n")
    toml = repo / "agentos.toml"
    toml.write_text(toml.read_text().replace('["settings.py"]', '["config.py"]'))
    result = _check(str(repo))
    assert result.exit_code == 2
    assert "commit config.py first" in result.stderr


def test_uncommitted_edits_are_named_and_the_baseline_is_the_commit(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    committed = _direct_score(repo)
    settings = repo / "settings.py"
    settings.write_text(settings.read_text().replace("DEPTH = 1", "DEPTH = 4"))
    toml = repo / "agentos.toml"
    toml.write_text(toml.read_text().replace("experiments = 40", "experiments = 5"))
    assert _direct_score(repo) != committed
    result = _check(str(repo))
    assert result.exit_code == 0, result.output
    head = git(repo, "rev-parse", "HEAD").strip()[:12]
    warnings = [line for line in result.stdout.splitlines() if line.startswith("warning: ")]
    # the task file is read from disk: its change is one the run uses, said apart
    assert warnings == [
        f"warning: uncommitted changes to settings.py: the run uses the commit HEAD {head}, "
        "not your working tree (commit them to include them); agentos.toml has uncommitted "
        "changes: the run uses them (read from disk)"
    ]
    assert float(_facts(result.stdout)["baseline"]) == pytest.approx(committed, rel=1e-5)
    assert _facts(result.stdout)["budget"] == "5 experiments"


def test_a_crashing_baseline_exits_1_with_the_log_tail_and_the_fix(tmp_path: Path) -> None:
    repo = _repo(tmp_path, **{"evaluate.py": "import sys\nsys.exit('cannot read data.csv')\n"})
    result = _check(str(repo))
    assert result.exit_code == 1
    facts = _facts(result.stdout)
    assert facts["baseline"] == "none" and facts["check"] == "failed"
    assert facts["baseline_status"] == "crash (exit code 1: cannot read data.csv)"
    assert "cost_per_experiment_s" not in facts
    lines = result.stderr.splitlines()
    assert "  | cannot read data.csv" in lines
    assert lines[-1].startswith(
        "agentos: error: the baseline does not measure: crash: exit code 1: cannot read data.csv; "
        "fix: make `python evaluate.py` exit 0"
    )
    data = json.loads(_check(str(repo), "--json").stdout)
    assert data["exit_code"] == 1 and data["baseline"]["status"] == "crash"
    assert data["baseline"]["log_tail"] == ["cannot read data.csv"]


def test_a_baseline_that_times_out_names_the_timeout_to_raise(tmp_path: Path) -> None:
    repo = _repo(tmp_path, **{"evaluate.py": "import time\ntime.sleep(30)\n"})
    toml = repo / "agentos.toml"
    toml.write_text(toml.read_text().replace("timeout = 10", "timeout = 0.5"))
    result = _check(str(repo))
    assert result.exit_code == 1
    assert "the baseline does not measure: timeout" in result.stderr
    assert "raise `timeout` under [metric] in agentos.toml (now 0.5 s)" in result.stderr


def test_a_baseline_killed_before_its_interpreter_started_is_a_timeout_not_invalid(
    tmp_path: Path,
) -> None:
    """On a loaded machine the timeout can kill the metric before Python has started its read
    audit; the missing audit record is the kill's doing, so the status is the timeout."""
    repo = _repo(tmp_path, **{"evaluate.py": "import time\ntime.sleep(30)\n"})
    toml = repo / "agentos.toml"
    toml.write_text(toml.read_text().replace("timeout = 10", "timeout = 0.1"))
    result = _check(str(repo))
    assert result.exit_code == 1
    assert "the baseline does not measure: timeout" in result.stderr, result.stderr


def test_a_metric_the_regex_does_not_find_is_invalid_with_the_fix(tmp_path: Path) -> None:
    repo = _repo(tmp_path, **{"evaluate.py": "print('accuracy 0.9')\n"})
    result = _check(str(repo))
    assert result.exit_code == 1
    assert _facts(result.stdout)["baseline_status"].startswith("invalid")
    assert "print exactly one line that [metric] regex matches" in result.stderr


def test_the_quick_path_init_then_check_works_on_the_quickstart(tmp_path: Path) -> None:
    """README's quick path: `agentos init` writes a task that `agentos check` accepts; the task
    file, new and uncommitted, is read from disk and not named as an uncommitted edit."""
    repo = _repo(tmp_path)
    git(repo, "rm", "-q", "agentos.toml")
    git(repo, "commit", "-qm", "no task yet")
    assert CliRunner().invoke(main, ["init", str(repo)]).exit_code == 0
    result = _check(str(repo))
    assert result.exit_code == 0, result.output
    facts = _facts(result.stdout)
    assert facts["editable"] == "1 file(s): settings.py" and facts["baseline_status"] == "ok"
    assert "warning" not in facts


def test_a_builtin_tool_option_misspelt_exits_2_with_the_nearest(tmp_path: Path) -> None:
    repo = _repo(tmp_path, '\n[tools]\ngates = ["ruff"]\n[tools.ruff]\nline_lenght = 99\n')
    result = _check(str(repo))
    assert result.exit_code == 2
    assert "[tools.ruff]: unknown key 'line_lenght'" in result.stderr
    assert "did you mean `line_length`?" in result.stderr


def test_a_setting_line_is_whole_when_the_value_holds_a_colon(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    settings = repo / "settings.py"
    settings.write_text(settings.read_text() + 'GREETING = "hi: there"  # fixed\n'
                        + 'PATTERN = "^[a-z]+: (.*)$"\n')
    git(repo, "commit", "-qam", "a string setting")
    facts = _facts(_check(str(repo)).stdout)
    assert facts["setting.settings.py:GREETING"] == "not searched (fixed)"
    # a string without choices or a hint (a regex, a name) is counted, not listed
    assert "setting.settings.py:PATTERN" not in facts
    assert facts["not_searched"] == "1 string(s) without choices (not listed)"


def test_nothing_the_heuristic_proposer_can_tune_exits_1_before_a_run(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    facts = _facts(_check(str(repo)).stdout)
    assert facts["tunable_settings"].startswith("6 (heuristic proposer): LEARNING_RATE, WIDTH")
    # the search space it inferred, setting by setting, with where each part came from
    assert facts["setting.settings.py:WIDTH"] == "range 4..512, log (from the comment)"
    assert facts["setting.settings.py:ACTIVATION"] == "choices relu|gelu|tanh (from the comment)"

    settings = repo / "settings.py"
    # the same values, but computed: nothing is a literal assigned once at module level
    settings.write_text(
        "import math\nLEARNING_RATE = math.exp(-3)\nWIDTH = 2 ** 4\nDEPTH = int('1')\n"
        "DROPOUT = 0.6 * 1\nUSE_NORM = bool(0)\nACTIVATION = 'tanh'\n"
    )
    # code, not data: only an evaluator that imports it can read it
    (repo / "evaluate.py").write_text("import settings\nprint(f'score: {settings.WIDTH}')\n")
    git(repo, "commit", "-qam", "computed settings")
    result = _check(str(repo))
    assert result.exit_code == 1, result.output
    facts = _facts(result.stdout)
    assert facts["tunable_settings"] == "0 (heuristic proposer)"
    assert "finds nothing to tune" in result.output and "# range:" in result.output


def test_a_hint_comment_that_cannot_be_read_is_a_warning(tmp_path: Path) -> None:
    examples = Path(__file__).parent.parent / "examples"
    settings = (examples / "quickstart" / "settings.py").read_text()
    assert "LEARNING_RATE = 0.05  # range: 1e-4..1 log" in settings
    unread = settings.replace("# range: 1e-4..1 log", "# range 0..0.01")  # 0.05 lies outside
    repo = _repo(tmp_path, **{"settings.py": unread})
    result = _check(str(repo))
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stdout.splitlines() if line.startswith("warning: ")]
    assert len(warnings) == 1 and "LEARNING_RATE" in warnings[0], warnings
    assert "outside the range" in warnings[0]


def test_check_prints_every_setting_with_its_source_and_warns_of_malformed_choices(
    tmp_path: Path,
) -> None:
    """Comments, the evaluator's checks (its `{...}[settings.ACTIVATION]` table, an assert it
    makes) and the default guess each say where they came from; `# choices: sgd,` is a warning
    and no silent single choice."""
    repo = _repo(tmp_path)
    settings = (repo / "settings.py").read_text()
    settings = settings.replace("DEPTH = 1  # range: 1..8", "DEPTH = 1")
    settings = settings.replace("  # choices: relu|gelu|tanh", "")
    evaluate = (repo / "evaluate.py").read_text()
    evaluate = evaluate.replace(
        "    depth = settings.DEPTH\n", "    depth = settings.DEPTH\n    assert 1 <= depth <= 6\n"
    )
    extra = 'MOMENTUM = 0.9\nSCALE = 2.0\nOPTIMIZER = "sgd"  # choices: sgd,\n'
    (repo / "settings.py").write_text(settings + extra)
    (repo / "evaluate.py").write_text(evaluate)
    git(repo, "commit", "-qam", "plain settings")
    result = _check(str(repo))
    assert result.exit_code == 0, result.output
    facts = _facts(result.stdout)
    lines = evaluate.splitlines()
    assert_line = lines.index("    assert 1 <= depth <= 6") + 1
    table_line = next(i for i, x in enumerate(lines, 1) if "[settings.ACTIVATION]" in x)
    assert {k: v for k, v in facts.items() if k.startswith("setting.")} == {
        "setting.settings.py:LEARNING_RATE": "range 0.0001..1, log (from the comment)",
        "setting.settings.py:WIDTH": "range 4..512, log (from the comment)",
        "setting.settings.py:DEPTH": f"range 1..6 (from the evaluator check at evaluate.py:"
        f"{assert_line})",
        "setting.settings.py:DROPOUT": "range 0..0.9 (from the comment)",
        "setting.settings.py:USE_NORM": "true|false",
        "setting.settings.py:ACTIVATION": "choices relu|gelu|tanh (from the evaluator check at "
        f"evaluate.py:{table_line})",
        "setting.settings.py:MOMENTUM": "0..0.999 guessed from the name (no hint)",
        "setting.settings.py:SCALE": "no hint, a range around its value that grows with evidence",
        "setting.settings.py:OPTIMIZER": "not searched (a string without choices)",
    }
    warnings = [line for line in result.stdout.splitlines() if line.startswith("warning: ")]
    assert warnings == [
        "warning: settings.py:11 OPTIMIZER: the choices in 'choices: sgd,' list only 'sgd'; "
        "list at least two, as `choices: a|b|c` or `one of: a, b, c`"
    ]


def test_write_space_writes_the_inferred_space_and_edits_win_over_inference(
    tmp_path: Path,
) -> None:
    """`--write-space` adds one `[search.space]` entry per setting, with its provenance; an edited
    entry is what `agentos check` shows and what the proposer searches; the table is not
    rewritten by a later check."""
    from agentos.providers.base import ProposeRequest, get_provider
    from agentos.settings import values
    from agentos.task import load_task

    repo = _repo(tmp_path)
    toml = repo / "agentos.toml"
    before = toml.read_text()
    result = _check(str(repo), "--write-space")
    assert result.exit_code == 0, result.output
    assert _facts(result.stdout)["search_space"] == (
        "6 of 6 setting(s) in [search.space] of agentos.toml (6 written now)"
    )
    written = toml.read_text()
    assert written.startswith(before)  # the rest of the file is kept as it was
    assert (
        '"settings.py:WIDTH" = {type = "int", low = 4, high = 512, log = true} # from the '
        "comment\n" in written
    )
    assert '"settings.py:USE_NORM" = {type = "bool"}\n' in written
    assert (
        '"settings.py:ACTIVATION" = {type = "choice", choices = ["relu", "gelu", "tanh"]}'
        in written
    )

    edited = re.sub(
        r'"settings.py:WIDTH" = .*',
        '"settings.py:WIDTH" = {type = "int", low = 8, high = 24}',
        written,
    )
    edited = re.sub(
        r'"settings.py:DROPOUT" = .*', '"settings.py:DROPOUT" = {type = "fixed"}', edited
    )
    edited = re.sub(
        r'"settings.py:DEPTH" = .*', '"settings.py:DEPTH" = {type = "int", high = 30}', edited
    )
    edited = re.sub(r'"settings.py:LEARNING_RATE" = .*',
                    '"settings.py:LEARNING_RATE" = {type = "float"}', edited)
    toml.write_text(edited)
    facts = _facts(_check(str(repo)).stdout)
    assert facts["setting.settings.py:LEARNING_RATE"] == (
        "any float (from the [search.space] table); both bounds grow with evidence")
    assert facts["setting.settings.py:WIDTH"] == "range 8..24 (from the [search.space] table)"
    assert facts["setting.settings.py:DROPOUT"] == "not searched (fixed)"
    assert facts["setting.settings.py:DEPTH"] == (
        "range ..30 (from the [search.space] table); the low bound grows with evidence"
    )
    assert toml.read_text() == edited  # check without the flag writes nothing

    task = load_task(repo)
    provider = get_provider("heuristic", task)
    files = {"settings.py": (repo / "settings.py").read_text()}
    proposed = [
        values(
            provider.propose(
                ProposeRequest(task=task, experiment=e, parent="p", files=files, seed=e)
            ).components
        )
        for e in range(1, 41)
    ]
    assert {int(str(v["WIDTH"])) for v in proposed} - {16} <= set(range(8, 25))
    assert any(v["WIDTH"] != 16 for v in proposed)
    assert all(v["DROPOUT"] == 0.6 for v in proposed)
    depths = {int(str(v["DEPTH"])) for v in proposed}
    assert max(depths) > 8 and min(depths) >= 0  # the comment's 1..8 no longer holds


def test_write_space_keeps_a_blank_line_before_the_next_table(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    toml = repo / "agentos.toml"
    text = toml.read_text()
    search = text[text.index("[search]") :]
    rest = text.replace(search, "").rstrip("\n") + "\n"
    toml.write_text(rest.replace("[budget]", search + "\n[budget]"))  # [search] before [budget]
    result = _check(str(repo), "--write-space")
    assert result.exit_code == 0, result.output
    written = toml.read_text()
    assert re.search(r"\n\[search\.space\]\n(\S.*\n)+\n\[budget\]\n", written), written
    assert written.endswith("experiments = 40\n")


@pytest.mark.parametrize(
    ("entry", "message", "fix"),
    [
        (
            '"settings.py:WIDTH" = {type = "int", low = 64, high = 8}',
            "low 64 is not below high 8",
            "make low smaller than high",
        ),
        ('"WIDTH" = {type = "int"}', "the key must be PATH:NAME", '"train.py:LR"'),
        (
            '"settings.py:WIDTH" = {type = "integer"}',
            "type 'integer' is not one of",
            "set type to one of int, float, bool, choice, fixed",
        ),
        (
            '"settings.py:WIDTH" = {type = "int", hi = 8}',
            "an entry of type int takes no 'hi'",
            "did you mean `high`?",
        ),
        (
            '"settings.py:ACTIVATION" = {type = "choice", choices = ["relu"]}',
            "choices must list two or more values",
            'choices = ["a", "b"]',
        ),
        (
            '"settings.py:LEARNING_RATE" = {type = "float", low = 0, high = 1, log = true}',
            "a log scale needs low > 0",
            "set log = false",
        ),
        ('"settings.py:WIDTH" = 16', "must be an inline table", "type ="),
        (
            '"settings.py:WIDHT" = {type = "int"}',
            "names no setting of the editable files (did you mean 'settings.py:WIDTH'?)",
            "remove it",
        ),
        (
            '"settings.py:ACTIVATION" = {type = "float"}',
            "type float does not fit the value 'tanh'",
            "correct the entry's key or type",
        ),
    ],
)
def test_a_bad_search_space_entry_exits_2_naming_the_file_and_the_fix(
    tmp_path: Path, entry: str, message: str, fix: str
) -> None:
    repo = _repo(tmp_path, f"\n[search.space]\n{entry}\n")
    result = _check(str(repo))
    assert result.exit_code == 2, result.output
    line = result.stderr.strip()
    assert len(line.splitlines()) == 1 and "agentos.toml" in line, line
    assert message in line and "fix: " in line and fix in line.split("fix: ", 1)[1], line


@pytest.mark.parametrize(
    ("command", "make", "expect", "fix"),
    [
        ("python nothere.py", None, "runs nothere.py, which does not exist", "write nothere.py"),
        (
            "python bench.py",
            "bench.py",
            "runs bench.py, which is not committed",
            "git add bench.py",
        ),
        ("python gen.py", "gen.py", "runs gen.py, which is git-ignored", "git add -f gen.py"),
    ],
)
def test_a_metric_script_not_in_the_commit_is_bad_input(
    tmp_path: Path, command: str, make: str | None, expect: str, fix: str
) -> None:
    repo = _repo(tmp_path)
    toml = repo / "agentos.toml"
    toml.write_text(
        toml.read_text().replace('command = "python evaluate.py"', f'command = "{command}"')
    )
    assert command in toml.read_text()
    if make == "gen.py":
        (repo / ".gitignore").write_text("gen.py\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "metric")
    if make:
        (repo / make).write_text((repo / "evaluate.py").read_text())
    for args in (["check", str(repo)], ["run", str(repo), "--budget", "1"]):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 2, result.output
        assert expect in result.output and fix in result.output, result.output
        assert str(repo / "agentos.toml") in result.output or "agentos.toml" in result.output
    assert not (repo / ".agentos" / "ledger.db").exists()  # nothing recorded


def test_a_git_ignored_module_the_metric_needs_is_named_in_the_fix(tmp_path: Path) -> None:
    """A version file generated at build time (hatch-vcs, setuptools-scm) is git-ignored: the
    snapshot lacks it, and the fix says so rather than 'make it exit 0'."""
    evaluate = "import pkg\nimport settings\nprint(f'score: {settings.LEARNING_RATE * 0 + 1.0}')\n"
    repo = _repo(tmp_path, **{"evaluate.py": evaluate, ".gitignore": "pkg/_version.py\n"})
    (repo / "pkg").mkdir()
    (repo / "pkg" / "__init__.py").write_text("from pkg._version import VERSION\n")
    git(repo, "add", "pkg/__init__.py")
    git(repo, "commit", "-qm", "pkg")
    (repo / "pkg" / "_version.py").write_text("VERSION = '1.0'\n")  # generated, ignored
    result = _check(str(repo))
    assert result.exit_code == 1, result.output
    last = result.stderr.strip().splitlines()[-1]
    assert "pkg/_version.py exists here but is git-ignored" in last, last
    assert "git add -f pkg/_version.py" in last


def test_an_editable_file_that_prints_the_metric_gets_the_forgery_fix(tmp_path: Path) -> None:
    repo = make_repo(
        tmp_path / "repo",
        {
            "settings.py": "DEPTH = 1  # range: 1..8\nprint('score: 9.0')\n",
            "evaluate.py": "import settings\nprint(f'score: {settings.DEPTH}')\n",
            "agentos.toml": '[task]\neditable=["settings.py"]\nprotected=["evaluate.py"]\n'
            f"{ACCEPT_IMPORT_RISK}\n"
            '[metric]\ncommand="python evaluate.py"\nregex="^score: (\\\\S+)$"\ngoal="max"\n',
        },
    )
    result = _check(str(repo))
    assert result.exit_code == 1, result.output
    last = result.stderr.strip().splitlines()[-1]
    assert "forgery guard" in last and "printed the metric line" in last, last
    assert "keep the code that prints the metric in a protected file" in last
    assert "print exactly one line" not in last


@pytest.mark.parametrize("typo", ["CONFIG.optim.lrr", "CONFIG.optim.dr", "CONFIG.optim.eph"])
def test_a_misspelt_search_space_key_is_matched_by_the_fewest_edits_to_its_last_name(
    tmp_path: Path, typo: str
) -> None:
    """`optim.dr` means `optim.lr` (one edit), not `optim.wd`, which difflib's ratio ranks first;
    `optim.eph` means `optim.eps`, not `optim.depth`."""
    settings = (EXAMPLES / "quickstart" / "settings.py").read_text()
    optim = 'CONFIG = {"optim": {"name": "sgd", "lr": 0.1, "wd": 0.0, "eps": 1e-8, "depth": 2}}\n'
    entry = f'\n[search.space]\n"settings.py:{typo}" = {{type = "float"}}\n'
    repo = _repo(tmp_path, entry, **{"settings.py": settings + optim})
    result = _check(str(repo))
    assert result.exit_code == 2, result.output
    meant = "CONFIG.optim." + {"lrr": "lr", "dr": "lr", "eph": "eps"}[typo.rsplit(".", 1)[1]]
    assert f"(did you mean 'settings.py:{meant}'?)" in result.stderr, result.stderr


def test_check_names_the_tests_left_out_of_the_pin_and_those_held_to_passing(
    tmp_path: Path,
) -> None:
    repo = _repo(
        tmp_path,
        '\n[tools]\ngates = ["pytest"]\n',
        **{"test_ok.py": "def test_ok():\n    pass\n\n\ndef test_bad():\n    assert False\n",
           "test_extra.py": "import not_installed_extra\n\n\ndef test_x():\n    pass\n"},
    )
    result = _check(str(repo))
    assert result.exit_code == 0, result.output
    fact = _facts(result.stdout)["gate.pytest"]
    assert "1 passed at baseline (only these must keep passing)" in fact, fact
    assert "not collected at baseline, left out: test_extra.py" in fact, fact
