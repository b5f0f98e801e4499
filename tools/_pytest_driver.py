"""The trusted pytest launcher (run as `python -I -B -c <this file> <json>` inside a sandbox).

Passed as text, never imported from the candidate's tree. It writes the trusted ini into
`$AGENTOS_OUTPUT`, clears `PYTEST_ADDOPTS`, and runs pytest with `-c` that ini, the rootdir forced
to the snapshot, `--noconftest` (unless the gate checked every `conftest.py` against its pin and
says `conftest`), no cache, and a recorder plugin of its own that writes every
collected test id, its outcome and any collection error to `$AGENTOS_OUTPUT/report.json`: outside
the tree, where no `conftest.py` or ini section of the candidate can reach. Standard library and
pytest only.
"""

import json
import os
import sys
from typing import Any

RANK = {"passed": 0, "xpassed": 1, "xfailed": 2, "skipped": 2, "failed": 3}


class Recorder:
    """Collects ids, outcomes and collection errors; writes them when the session ends."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.collected: list[str] = []
        self.outcomes: dict[str, str] = {}
        self.errors: dict[str, str] = {}
        self.messages: dict[str, str] = {}  # a failed test's first `E` line: why it failed

    def pytest_collectreport(self, report: Any) -> None:
        if report.failed:
            self.errors[report.nodeid or "."] = str(report.longrepr)[-2000:]

    def pytest_collection_finish(self, session: Any) -> None:
        self.collected = [item.nodeid for item in session.items]

    def pytest_runtest_logreport(self, report: Any) -> None:
        if hasattr(report, "wasxfail"):
            outcome = "xfailed" if report.skipped else "xpassed"
        elif report.failed:
            outcome = "failed"
            lines = [li.strip() for li in str(report.longrepr).splitlines()]
            said = [li[1:].strip() for li in lines if li.startswith("E ")] or lines[-1:]
            self.messages.setdefault(report.nodeid, said[0][:300] if said else "")
        elif report.skipped:
            outcome = "skipped"
        else:
            outcome = "passed"
        previous = self.outcomes.get(report.nodeid)
        if previous is None or RANK[outcome] > RANK[previous]:
            self.outcomes[report.nodeid] = outcome

    def pytest_sessionfinish(self, session: Any, exitstatus: int) -> None:
        data = {"collected": self.collected, "outcomes": self.outcomes, "errors": self.errors,
                "messages": self.messages, "exit": int(exitstatus)}
        with open(self.path, "w", encoding="utf-8") as fh:
            json.dump(data, fh)


def main() -> None:
    spec = json.loads(sys.argv[1])
    out = os.environ["AGENTOS_OUTPUT"]
    for name in ("PYTEST_ADDOPTS", "PYTEST_PLUGINS"):
        os.environ.pop(name, None)
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    ini = os.path.join(out, "pytest.ini")
    with open(ini, "w", encoding="utf-8") as fh:
        fh.write(spec["ini"].replace("{cwd}", os.getcwd()))
    import pytest

    # conftest files load only when the gate has checked them against their pins; the ini sits
    # outside the tree, so the conftest search must be told where the tree starts
    conftest = ["--confcutdir", os.getcwd()] if spec.get("conftest") else ["--noconftest"]
    args = ["-c", ini, "--rootdir", os.getcwd(), *conftest, "-p", "no:cacheprovider",
            "-q", "--color=no", "-o", "console_output_style=classic"]
    if spec.get("collect_only"):
        args.append("--collect-only")
    code = pytest.main([*args, "--", *spec["paths"]],
                       plugins=[Recorder(os.path.join(out, "report.json"))])
    sys.exit(int(code))


if __name__ == "__main__":
    main()
