"""The forgery guard at run time: editable code that the evaluator imports reaches for the result
in every way we know of, and the experiment is `invalid` with the reason; honest code is measured.

Each case runs the quickstart's evaluator, written to import `settings.py`, in the default sandbox,
through `MetricEvaluator`, with a line appended to the editable `settings.py`; the JSON cases use an
evaluator that writes `$AGENTOS_OUTPUT/metrics.json`. `test_the_issues_forgeries_never_win_the_loop`
drives the real loop with a scripted proposer."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from helpers import EXAMPLES, importing_evaluator, quickstart_copy

from agentos import runner
from agentos.evaluate import Evaluation, MetricEvaluator
from agentos.sandbox import get_backend
from agentos.sandbox.supervise import sandbox_env
from agentos.status import run_status
from agentos.task import load_task

OUT = 'os.environ["AGENTOS_OUTPUT"] + "/metrics.json"'
JSON_EVALUATOR = """import json, os
import evaluate
json.dump({"score": evaluate.score()}, open(os.environ["AGENTOS_OUTPUT"] + "/metrics.json", "w"))
"""
JSON_TASK = """[task]
name = "quickstart-json"
editable = ["settings.py"]
protected = ["evaluate.py", "evaluate_json.py"]

[metric]
command = "python evaluate_json.py"
json_file = "metrics.json"
json_key = "score"
goal = "max"
timeout = 20
"""

# name, code appended to settings.py, whether the metric is JSON, what the reason names
FORGERIES = [
    ("print-and-os-exit", 'import os\nprint("score: 1000.0")\nos._exit(0)', False,
     "printed the metric line"),
    ("wrap-stdout", "import sys\nclass W:\n    def __init__(s, o): s.o = o\n"
     "    def write(s, t): return s.o.write(t.replace('5.727614', '1000.0'))\n"
     "    def __getattr__(s, n): return getattr(s.o, n)\nsys.stdout = W(sys.stdout)", False,
     "printed the metric line"),
    ("atexit-rewrites-json", f"import atexit, os\natexit.register(lambda: open({OUT}, 'w')"
     ".write('{\"score\": 1000}'))", True, "registered an exit handler"),
    ("write-json-and-os-exit", f"import os\nopen({OUT}, 'w').write('{{\"score\": 1000}}')\n"
     "os._exit(0)", True, "opened for writing $AGENTOS_OUTPUT/metrics.json"),
    ("os-write-then-systemexit", 'import os\nos.write(1, b"score: 1000.0\\n")\nraise SystemExit(0)',
     False, "was not printed by the evaluator's code"),
    ("os-exit-after-json-thread", "import os, threading, json\n"
     f"t = threading.Thread(target=json.dump, args=({{'score': 1000}}, open({OUT}, 'w')))\n"
     "t.start(); t.join(); os._exit(0)", True, "opened for writing"),
    ("thread-prints-then-exit", 'import threading, time\nthreading.Thread(target=print, '
     'args=("score: 1000.0",)).start()\ntime.sleep(0.2)\nraise SystemExit(0)', False,
     "printed the metric line"),
    ("replace-builtins-print", "import builtins\n_p = builtins.print\n"
     "builtins.print = lambda *a, **k: _p('score: 1000.0')", False, "printed the metric line"),
    ("list-open-descriptors", "import os\nfds = os.listdir('/proc/self/fd')", False,
     "listed the process's open descriptors"),
    ("rebind-with-a-library-function", "import math\nmath.cos = math.sin", False,
     "replaced math.cos (outside the editable files)"),
    ("patch-math-the-evaluator-uses", "import math\nmath.log10 = lambda x: -2.5", False,
     "replaced math.log10"),
    ("signal-handler-prints", "import functools, signal, time\nsignal.signal(signal.SIGALRM, "
     "functools.partial(print, 'score: 1000.0'))\nsignal.setitimer(signal.ITIMER_REAL, 0.01)\n"
     "time.sleep(0.2)\nraise SystemExit", False, "installed a handler for signal"),
    ("frame-walk", "import sys\nsys._getframe(1).f_globals['math'] = None", False,
     "used sys._getframe"),
    ("gc-referrers", "import gc, math\n[d for d in gc.get_referrers(math)]", False,
     "used gc.get_referrers"),
    ("trace-function", "import sys\nsys.settrace(lambda *a: None)", False, "used sys.settrace"),
    ("ctypes", "import ctypes\nctypes.pythonapi.Py_IsInitialized()", False, "used ctypes"),
    ("code-under-the-evaluators-name", "exec(compile('print(\"score: 1000.0\")', "
     "__file__.replace('settings.py', 'evaluate.py'), 'exec'))\nraise SystemExit", False,
     "compiled code under the name of"),
    ("patch-a-class-it-does-not-own", "import json\njson.JSONEncoder.iterencode = "
     "lambda self, o, _one_shot=False: iter(['{\"score\": 1000}'])", True,
     "settings.py replaced json.encoder.JSONEncoder.iterencode"),
    ("replace-a-functions-code", "import math, json\n"
     "json.dumps.__code__ = (lambda *a, **k: '{}').__code__", True,
     "set json.dumps.__code__"),
    ("kill-itself", "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)", False,
     "sent signal"),
    ("claim-a-metric-line-on-the-audit-channel", "import os\nfd = os.open(os.environ["
     "'AGENTOS_AUDIT'].split(':', 1)[1], os.O_WRONLY)\nline = b'score: 1000.0'\n"
     "os.write(fd, b'M %d %s\\n' % (os.getpid(), line.hex().encode()))\n"
     "os.write(1, line + b'\\n')\nraise SystemExit", False,
     "opened the audit channel for writing"),
    ("disarm-the-guards-stdout", "import io, os, sys\ntype(sys.stdout).write = "
     "io.TextIOWrapper.write\nos.write(1, b'score: 1000.0\\n')\nraise SystemExit", False,
     "replaced the guard's sys.stdout.write"),
    ("start-a-process", "import subprocess, sys\nsubprocess.run([sys.executable, '-c', "
     "'print(\"score: 1000.0\")'])\nraise SystemExit", False, "used subprocess.Popen"),
]


def _tree(tmp_path: Path, tail: str, json_metric: bool) -> Path:
    tree = tmp_path / "tree"
    tree.mkdir()
    for name in ("agentos.toml", "settings.py"):
        (tree / name).write_bytes((EXAMPLES / "quickstart" / name).read_bytes())
    (tree / "evaluate.py").write_text(importing_evaluator())
    if json_metric:
        (tree / "agentos.toml").write_text(JSON_TASK)
        (tree / "evaluate_json.py").write_text(JSON_EVALUATOR)
    with (tree / "settings.py").open("a") as fh:
        fh.write(tail + "\n")
    return tree


def _evaluate(tmp_path: Path, tail: str, json_metric: bool = False) -> Evaluation:
    tree = _tree(tmp_path, tail, json_metric)
    return MetricEvaluator(load_task(tree), get_backend("auto")).evaluate(tree, "0" * 40)


@pytest.mark.parametrize(("name", "tail", "json_metric", "reason"), FORGERIES,
                         ids=[f[0] for f in FORGERIES])
def test_a_forgery_is_invalid_with_its_reason(
    tmp_path: Path, name: str, tail: str, json_metric: bool, reason: str
) -> None:
    result = _evaluate(tmp_path, tail, json_metric)
    assert result.status == "invalid" and result.metric is None, (name, result)
    assert reason in result.reason, result.reason
    assert result.reason.startswith("forgery guard: "), result.reason


def test_a_forgery_that_then_hangs_past_the_timeout_is_named_not_only_timed_out(
    tmp_path: Path,
) -> None:
    """The kill is judged before the read audit's problems, never before what the guard saw."""
    tail = "import os, time\nfds = os.listdir('/proc/self/fd')\ntime.sleep(60)"
    tree = _tree(tmp_path, tail, False)
    toml = tree / "agentos.toml"
    toml.write_text(re.sub(r"timeout = [\d.]+", "timeout = 4", toml.read_text()))
    result = MetricEvaluator(load_task(tree), get_backend("auto")).evaluate(tree, "0" * 40)
    assert result.status == "invalid" and result.metric is None, result
    assert result.reason.startswith("forgery guard: ") and "/proc/self/fd" in result.reason


def test_the_reason_names_every_forgery_the_guard_saw(tmp_path: Path) -> None:
    """Three things at once: each is named in the one reason, so one edit can fix them all."""
    tail = "import math, sys\nmath.cos = math.sin\nmath.log10 = abs\nsys.settrace(None)"
    result = _evaluate(tmp_path, tail)
    assert result.status == "invalid", result
    for what in ("replaced math.cos", "replaced math.log10", "used sys.settrace"):
        assert what in result.reason, result.reason
    assert "more)" not in result.reason


@pytest.mark.parametrize("json_metric", [False, True])
def test_the_shipped_quickstart_is_measured(tmp_path: Path, json_metric: bool) -> None:
    result = _evaluate(tmp_path, "", json_metric)
    assert result.status is None and result.metric == pytest.approx(5.727614, abs=1e-6), result


def test_honest_editable_code_that_prints_imports_and_writes_scratch_is_measured(
    tmp_path: Path,
) -> None:
    """What a settings or model file may do: print, import the standard library and packages
    that load shared libraries, define namedtuples and dataclasses (the standard library reads
    frames for them), start a thread, write under /tmp, list a folder (a library finding its
    own data files: langdetect lists its profiles)."""
    tail = "\n".join([
        "import collections, ctypes, dataclasses, json, os, threading, typing",
        "print('files:', len(os.listdir('.')), len(list(os.scandir('/tmp'))))",
        "Point = collections.namedtuple('Point', 'x y')",
        "T = typing.TypeVar('T')",
        "@dataclasses.dataclass\nclass Cfg:\n    lr: float = 0.1",
        "print('settings loaded:', Point(1, 2), Cfg())",
        "threading.Thread(target=lambda: open('/tmp/scratch.txt', 'w').write('x')).start()",
        "json.dump({'a': 1}, open('/tmp/cfg.json', 'w'))",
    ])
    result = _evaluate(tmp_path, tail)
    assert result.status is None and result.metric == pytest.approx(5.727614, abs=1e-6), result


@pytest.mark.parametrize("gates", ["", "static"])
def test_the_issues_forgeries_never_win_the_loop(tmp_path: Path, gates: str) -> None:
    """The forgeries of the report, proposed to the real loop under the default sandbox: none is
    kept, each has its reason, and the honest candidate after them is kept. With no gate the
    guard makes them `invalid`; with the static gate on, most are `rejected` before they run,
    the pytest-internals patch among them."""
    toml = (EXAMPLES / "quickstart" / "agentos.toml").read_text()
    shipped = 'gates = ["data-only"]\n'
    assert shipped in toml
    toml = toml.replace(shipped, f'gates = ["{gates}"]\n' if gates else "gates = []\n")
    repo = quickstart_copy(tmp_path / "repo",
                           {"agentos.toml": toml, "evaluate.py": importing_evaluator()})
    base = 'ACTIVATION = "tanh"  # choices: relu|gelu|tanh'
    forged = [FORGERIES[0][1], FORGERIES[1][1], FORGERIES[4][1]]
    if gates:
        forged.append("import _pytest.python\n_pytest.python.Function.runtest = lambda s: None")
    honest = base.replace('"tanh"', '"gelu"')
    lines = []
    for i, code in enumerate([*forged, None]):
        edit = {"path": "settings.py", "search": base,
                "replace": honest if code is None else base + "\n" + code}
        lines.append(json.dumps({"type": "proposal", "description": f"candidate {i}",
                                 "edits": [edit]}))
    scenario = tmp_path / "scenario.jsonl"
    scenario.write_text("\n".join(lines) + "\n")
    runner.run(repo, runner.Overrides(budget=len(forged) + 1, provider=f"script:{scenario}"))
    seen = [(e["status"], e["reason"]) for e in run_status(repo)["experiments"]]
    assert len(seen) == len(forged) + 1, seen
    expected = "rejected" if gates else "invalid"
    assert all(status == expected and reason for status, reason in seen[:-1]), seen
    if gates:
        assert "forgery-evaluator" in seen[-2][1], seen
    else:
        assert all("forgery guard" in reason for _, reason in seen[:-1]), seen
    assert seen[-1][0] == "keep", seen


def test_an_installed_package_that_rebinds_a_standard_function_as_it_loads_is_not_a_forgery(
    tmp_path: Path,
) -> None:
    """torch's compiler rebinds `inspect.getfile` when a model file first compiles: the patch is
    the installed package's own function, not the candidate's. A rebinding to code from the
    editable file beside it is still a forgery. (The local backend sees the package's folder.)"""
    site = tmp_path / "lib" / "site-packages"
    site.mkdir(parents=True)
    (site / "libpatch.py").write_text(
        "import inspect\n_real = inspect.getfile\n\n\ndef getfile(obj):\n"
        "    return _real(obj)\n\n\ninspect.getfile = getfile\n"
    )
    load = f"import sys\nsys.path.insert(0, {str(site)!r})\nimport libpatch"
    (tmp_path / "honest").mkdir()
    tree = _tree(tmp_path / "honest", load, False)
    result = MetricEvaluator(load_task(tree), get_backend("local")).evaluate(tree, "0" * 40)
    assert result.status is None and result.metric == pytest.approx(5.727614, abs=1e-6), result
    forged = load + "\nimport math\nmath.log10 = lambda x: -2.5"
    (tmp_path / "forged").mkdir()
    tree = _tree(tmp_path / "forged", forged, False)
    result = MetricEvaluator(load_task(tree), get_backend("local")).evaluate(tree, "0" * 40)
    assert result.status == "invalid" and "replaced math.log10" in result.reason, result


def test_a_package_installed_in_a_plain_folder_on_the_path_is_installed_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`pip install --target DIR` with DIR on PYTHONPATH is installed code as much as
    site-packages: its load-time patches are not the candidate's, and a candidate that patches
    after importing it is still refused."""
    target = tmp_path / "wheels"
    target.mkdir()
    (target / "libpatch.py").write_text(  # the same logarithm, rebound as the package loads
        "import math\n_real = math.log10\n\n\ndef log10(x):\n"
        "    return _real(x)\n\n\nmath.log10 = log10\n"
    )
    from agentos.sandboxes import local

    def with_target(*args: Any, **kwargs: Any) -> dict[str, str]:  # as for a --target install
        env = sandbox_env(*args, **kwargs)
        return {**env, "PYTHONPATH": f"{env['PYTHONPATH']}:{target}"}

    monkeypatch.setattr(local, "sandbox_env", with_target)
    (tmp_path / "honest").mkdir()
    tree = _tree(tmp_path / "honest", "import libpatch", False)
    result = MetricEvaluator(load_task(tree), get_backend("local")).evaluate(tree, "0" * 40)
    assert result.status is None and result.metric == pytest.approx(5.727614, abs=1e-6), result
    (tmp_path / "forged").mkdir()
    forged = "import libpatch\nimport math\nmath.log10 = lambda x: -2.5"
    tree = _tree(tmp_path / "forged", forged, False)
    result = MetricEvaluator(load_task(tree), get_backend("local")).evaluate(tree, "0" * 40)
    assert result.status == "invalid" and "replaced math.log10" in result.reason, result
