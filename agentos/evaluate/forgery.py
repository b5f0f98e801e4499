"""Known forgeries: candidate code that tries to judge itself, and how each is planted.

A candidate's code that runs inside the evaluator's process has the evaluator's power over the
score. Each `Forgery` here is one known way to use it, as Python appended to the editable Python
files: print a winning metric line and exit, rewrite the evaluator's own line on its way out, write
the metric file and exit, rewrite it at exit, patch the modules the evaluator reports through, or
patch pytest's internals so the tests' outcome is the candidate's to choose.

`plan` says whether a forgery applies to a task, `plant` gives the forged candidate's files. The
self-test that commits them and judges each as the loop would is `agentos.evaluate.selftest`.
Where no editable file is Python (TOML, JSON settings), nothing is planted: the forgeries are "not
applicable".
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from agentos.errors import UserError
from agentos.evaluate.evaluator import Evaluation
from agentos.git import Repo, snapshot_entries
from agentos.task import MetricSpec, Task

Channel = Literal["regex", "json", "pytest"]
Outcome = Literal["caught", "kept", "not applicable"]
MAX_TARGETS = 20
DOC = "docs/forgery.md"

# Every planted snippet runs once per process, however many editable files the evaluator imports.
_ONCE = (
    "import builtins as _f_b\n"
    "if not getattr(_f_b, '_agentos_forged', False):\n"
    "    _f_b._agentos_forged = True\n"
)

# Rewrites the metric's value in a match of the regex: the value group, else group 1, else all.
_SUB = """\
    import re as _f_re
    def _f_sub(_f_m):
        _f_g = 'value' if 'value' in _f_m.re.groupindex else (1 if _f_m.re.groups else 0)
        _f_s, _f_e = _f_m.span(_f_g)
        _f_t, _f_b0 = _f_m.group(0), _f_m.start()
        return _f_t[: _f_s - _f_b0] + {value!r} + _f_t[_f_e - _f_b0:]
    def _f_fix(_f_t):
        return _f_re.sub({regex!r}, _f_sub, _f_t, flags=_f_re.MULTILINE)
"""

_JSON = """\
    import json as _f_json, os as _f_os
    def _f_write():
        _f_p = _f_os.path.join(_f_os.environ.get('AGENTOS_OUTPUT', '.'), {file!r})
        try:
            with open(_f_p) as _f_h:
                _f_d = _f_json.load(_f_h)
        except Exception:
            _f_d = {{}}
        _f_n = _f_d if isinstance(_f_d, dict) else {{}}
        _f_keys = {key!r}.split('.')
        for _f_k in _f_keys[:-1]:
            _f_n = _f_n.setdefault(_f_k, {{}})
        _f_n[_f_keys[-1]] = {number}
        with open(_f_p, 'w') as _f_h:
            _f_json.dump(_f_d, _f_h)
"""


@dataclass(frozen=True)
class Forgery:
    """One known forgery: its name (what `accept_forgery_risk` lists), what it does, the metric
    channel it attacks, and the code it plants (`code(spec, value, line)`)."""

    name: str
    what: str
    channel: Channel
    code: Callable[[MetricSpec, str, str], str]


def _exit_line(spec: MetricSpec, value: str, line: str) -> str:
    return _ONCE + (
        "    import os as _f_os, sys as _f_sys\n"
        f"    _f_sys.stdout.write({line!r} + '\\n')\n"
        "    _f_sys.stdout.flush()\n"
        "    _f_os._exit(0)\n"
    )


def _system_exit_line(spec: MetricSpec, value: str, line: str) -> str:
    return _ONCE + f"    print({line!r}, flush=True)\n    raise SystemExit(0)\n"


def _stdout_rewrite(spec: MetricSpec, value: str, line: str) -> str:
    return _ONCE + _SUB.format(value=value, regex=spec.regex) + (
        "    import sys as _f_sys\n"
        "    class _F_Out:\n"
        "        def __init__(self, inner):\n"
        "            self._inner = inner\n"
        "        def write(self, text):\n"
        "            return self._inner.write(_f_fix(text))\n"
        "        def __getattr__(self, name):\n"
        "            return getattr(self._inner, name)\n"
        "    _f_sys.stdout = _F_Out(_f_sys.stdout)\n"
    )


def _print_patch(spec: MetricSpec, value: str, line: str) -> str:
    return _ONCE + _SUB.format(value=value, regex=spec.regex) + (
        "    _f_print = _f_b.print\n"
        "    def _f_forged_print(*args, **kwargs):\n"
        "        return _f_print(*(_f_fix(str(a)) for a in args), **kwargs)\n"
        "    _f_b.print = _f_forged_print\n"
    )


def _stdout_sink(spec: MetricSpec, value: str, line: str) -> str:
    return _ONCE + (
        "    import atexit as _f_atexit, os as _f_os, sys as _f_sys\n"
        "    _f_sys.stdout = open(_f_os.devnull, 'w')\n"
        f"    _f_atexit.register(_f_os.write, 1, ({line!r} + '\\n').encode())\n"
    )


def _output_exit(spec: MetricSpec, value: str, line: str) -> str:
    code = _JSON.format(file=spec.json_file, key=spec.json_key, number=value)
    return _ONCE + code + "    _f_write()\n    _f_os._exit(0)\n"


def _atexit_output(spec: MetricSpec, value: str, line: str) -> str:
    code = _JSON.format(file=spec.json_file, key=spec.json_key, number=value)
    return _ONCE + code + "    import atexit as _f_atexit\n    _f_atexit.register(_f_write)\n"


def _json_patch(spec: MetricSpec, value: str, line: str) -> str:
    last = (spec.json_key or "").split(".")[-1]
    forge = (
        "    def _f_forge(_f_o):\n"
        "        if isinstance(_f_o, dict):\n"
        f"            return {{k: ({value} if k == {last!r} else _f_forge(v))\n"
        "                    for k, v in _f_o.items()}\n"
        "        return _f_o\n"
    )
    return _ONCE + "    import json as _f_json\n" + forge + (
        "    _f_dump, _f_dumps = _f_json.dump, _f_json.dumps\n"
        "    _f_json.dump = lambda o, *a, **k: _f_dump(_f_forge(o), *a, **k)\n"
        "    _f_json.dumps = lambda o, *a, **k: _f_dumps(_f_forge(o), *a, **k)\n"
    )


def _pytest_runtest(spec: MetricSpec, value: str, line: str) -> str:
    # Under pytest, every test's outcome becomes the candidate's: here a failure, so the self-test
    # sees the patch take effect; a forger would make it a no-op and pass anything.
    return _ONCE + (
        "    import sys as _f_sys\n"
        "    if '_pytest.python' in _f_sys.modules:\n"
        "        def _f_runtest(self):\n"
        "            raise AssertionError('agentos forgery: pytest internals patched')\n"
        "        _f_sys.modules['_pytest.python'].Function.runtest = _f_runtest\n"
    )


FORGERIES: tuple[Forgery, ...] = (
    Forgery("exit-line", "print a winning metric line and os._exit(0) at import", "regex",
            _exit_line),
    Forgery("system-exit-line", "print a winning metric line and raise SystemExit at import",
            "regex", _system_exit_line),
    Forgery("stdout-rewrite", "wrap sys.stdout and rewrite the evaluator's own metric line",
            "regex", _stdout_rewrite),
    Forgery("print-patch", "patch builtins.print to rewrite the evaluator's metric line",
            "regex", _print_patch),
    Forgery("stdout-sink", "send sys.stdout to /dev/null and write a winning line to fd 1 at exit",
            "regex", _stdout_sink),
    Forgery("output-exit", "write the metric JSON file itself and os._exit(0) at import", "json",
            _output_exit),
    Forgery("atexit-output", "an atexit hook rewrites $AGENTOS_OUTPUT/<json_file> after the "
            "evaluator wrote it", "json", _atexit_output),
    Forgery("json-patch", "patch json.dump/json.dumps so the evaluator writes a winning value",
            "json", _json_patch),
    Forgery("pytest-runtest", "patch _pytest.python.Function.runtest from an imported module",
            "pytest", _pytest_runtest),
)
NAMES: tuple[str, ...] = tuple(f.name for f in FORGERIES)


def check_accept(task: Task) -> None:
    """Every name in `[task] accept_forgery_risk` is a known forgery; else a `UserError`."""
    for name in task.accept_forgery_risk:
        if name not in NAMES:
            close = difflib.get_close_matches(name, NAMES, n=1)
            raise UserError(
                f"[task] accept_forgery_risk: unknown forgery {name!r}",
                path=task.path,
                fix=(f"did you mean {close[0]!r}? " if close else "")
                + f"the forgeries are {', '.join(NAMES)}",
            )


def planted_value(baseline: float, goal: str) -> float:
    """A metric far better than the baseline's, on the goal's side."""
    step = 1000.0 * max(1.0, abs(baseline))
    return baseline + step if goal == "max" else baseline - step


def forged_line(spec: MetricSpec, output: str, value: str) -> str | None:
    """The baseline's own metric line with `value` in place of its number, or None when the
    output does not hold it."""
    if spec.regex is None:
        return None
    found = list(re.finditer(spec.regex, output, flags=re.MULTILINE))
    if not found:
        return None
    m = found[-1]
    group: int | str = "value" if "value" in m.re.groupindex else (1 if m.re.groups else 0)
    start, end = m.span(group)
    text = m.group(0)
    return text[: start - m.start()] + value + text[end - m.start() :]


def python_targets(task: Task, repo: Repo, commit: str) -> list[str]:
    """The editable Python files of `commit` a forgery is planted into (the evaluator may import
    any of them)."""
    files = snapshot_entries(repo.entries(commit))
    return [p for p in sorted(files) if p.endswith(".py") and task.is_editable(p)][:MAX_TARGETS]


def plan(forgery: Forgery, task: Task, targets: Sequence[str]) -> str | None:
    """Why `forgery` does not apply to this task, or None when it does."""
    if not targets:
        return "no editable Python file: settings as data (TOML, JSON, YAML, .env, INI) run no code"
    if forgery.channel == "pytest":
        if not any(u.name == "pytest" and u.kind == "gate" for u in task.tools):
            return "the pytest gate is off"
        return None
    if (forgery.channel == "regex") != (task.metric.regex is not None):
        return f"the metric is read from {'stdout' if task.metric.regex else 'a JSON file'}"
    return None


def plant(
    forgery: Forgery, task: Task, repo: Repo, commit: str, targets: Sequence[str],
    baseline: Evaluation,
) -> dict[str, bytes] | str:
    """The changed files of the forged candidate, or why it cannot be planted."""
    assert baseline.metric is not None
    value = repr(planted_value(baseline.metric, task.metric.goal))
    line = ""
    if forgery.channel == "regex":
        found = forged_line(task.metric, baseline.log_tail, value)
        if found is None:
            return "the baseline's metric line is not in its output tail"
        line = found
    code = forgery.code(task.metric, value, line)
    changes = {}
    for path in targets:
        text = repo.read(commit, path)
        changes[path] = text + (b"" if text.endswith(b"\n") or not text else b"\n") + (
            b"\n# " + forgery.name.encode() + b"\n" + code.encode()
        )
    return changes
