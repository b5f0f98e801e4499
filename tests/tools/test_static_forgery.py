"""The static gate names each forgery construct a candidate adds to an editable file, resolves
names through the file's imports, and lets honest code and constructs the parent had pass."""

from __future__ import annotations

from dataclasses import replace

import pytest

from agentos.tool import get_tool, run_tool

BASE = "RATE = 0.1\n"

# name, code added to settings.py, the finding code expected
CASES = [
    ("os-exit", "import os\nprint('score: 1000.0')\nos._exit(0)\n", "forgery-exit"),
    ("aliased-exit", "from os import _exit as leave\nleave(0)\n", "forgery-exit"),
    ("sys-exit-at-import", "import sys\nsys.exit(0)\n", "forgery-exit"),
    ("raise-systemexit", "raise SystemExit(0)\n", "forgery-exit"),
    ("kill", "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n", "forgery-exit"),
    ("wrap-stdout", "import sys\nsys.stdout = open('/dev/null', 'w')\n", "forgery-stream"),
    ("setattr-stdout", "import sys\nsetattr(sys, 'stdout', None)\n", "forgery-stream"),
    ("redirect", "import contextlib, io\ncontextlib.redirect_stdout(io.StringIO()).__enter__()\n",
     "forgery-stream"),
    ("replace-print", "import builtins\nbuiltins.print = lambda *a: None\n", "forgery-stream"),
    ("atexit", "import atexit\natexit.register(print, 'score: 1000.0')\n", "forgery-exit-hook"),
    ("atexit-decorator", "import atexit\n@atexit.register\ndef later():\n    pass\n",
     "forgery-exit-hook"),
    ("signal", "import signal\nsignal.signal(signal.SIGTERM, print)\n", "forgery-exit-hook"),
    ("trace", "import sys\nsys.settrace(None)\n", "forgery-exit-hook"),
    ("output-env", "import os\nOUT = os.environ['AGENTOS_OUTPUT']\n", "forgery-output"),
    ("pytest-internals", "import _pytest.python\n_pytest.python.Function.runtest = "
     "lambda self: None\n", "forgery-evaluator"),
    ("pytest-from-import", "from _pytest.python import Function\n", "forgery-evaluator"),
    ("evaluator-module", "import evaluate\n", "forgery-evaluator"),
    ("main-module", "import __main__\n", "forgery-evaluator"),
    ("frame", "import sys\nf = sys._getframe(1)\n", "forgery-frames"),
    ("inspect-frame", "import inspect\nf = inspect.currentframe().f_back.f_locals\n",
     "forgery-frames"),
    ("gc", "import gc\nrefs = gc.get_referrers(print)\n", "forgery-evaluator"),
    ("patch-stdlib", "import math\nmath.log10 = abs\n", "forgery-patch"),
    ("patch-with-own-function", "import statistics\ndef fake(x):\n    return 0\n"
     "statistics.mean = fake\n", "forgery-patch"),
    ("setattr-module", "import json\nsetattr(json, 'dumps', repr)\n", "forgery-patch"),
    ("sys-modules", "import sys\nsys.modules['math'] = None\n", "forgery-patch"),
]


@pytest.mark.parametrize(("name", "code", "finding"), CASES, ids=[c[0] for c in CASES])
def test_static_names_each_forgery_construct(make_candidate, name: str, code: str,
                                             finding: str) -> None:
    result = run_tool(get_tool("static"), make_candidate({"settings.py": BASE + code}))
    assert result.outcome == "fail", (name, result.detail)
    assert finding in {f.code for f in result.findings}, result.findings
    hit = next(f for f in result.findings if f.code == finding)
    assert hit.path == "settings.py" and hit.line > 1 and hit.message


def test_honest_settings_and_model_code_pass(make_candidate) -> None:
    honest = (BASE + "import math\nimport sys\nfrom collections import namedtuple\n"
              "WIDTH = 2 ** 7\nLR = math.exp(-5)\nPoint = namedtuple('Point', 'x y')\n"
              "def schedule(step: int) -> float:\n    return LR * min(1.0, step / 100)\n"
              "print('settings loaded', file=sys.stderr)\n"
              "if __name__ == '__main__':\n    sys.exit(0)\n")
    result = run_tool(get_tool("static"), make_candidate({"settings.py": honest}))
    assert not [f for f in result.findings if f.code.startswith("forgery-")], result.findings


def test_a_construct_the_parent_had_is_not_new(make_candidate, baseline) -> None:
    """Only what the candidate adds counts: a parent that already registers an exit handler
    passes with an unrelated edit, and fails with a second one."""
    parent = make_candidate({"settings.py": BASE + "import atexit\natexit.register(print)\n"})
    grown = replace(parent, parent_tree=parent.tree)
    child = make_candidate({"settings.py": "RATE = 0.2\nimport atexit\natexit.register(print)\n"})
    same = run_tool(get_tool("static"), replace(child, parent_tree=grown.tree))
    assert not [f for f in same.findings if f.code.startswith("forgery-")], same.findings
    more = make_candidate({"settings.py": BASE + "import atexit\natexit.register(print)\n"
                           "atexit.register(repr)\n"})
    second = run_tool(get_tool("static"), replace(more, parent_tree=grown.tree))
    assert [f.code for f in second.findings if f.code.startswith("forgery-")] == [
        "forgery-exit-hook"]


def test_the_rules_can_be_turned_off(make_candidate) -> None:
    ctx = make_candidate({"settings.py": BASE + "import os\nos._exit(0)\n"})
    off = run_tool(get_tool("static"), replace(ctx, options={"forgery_rules": False}))
    assert not [f for f in off.findings if f.code.startswith("forgery-")]
