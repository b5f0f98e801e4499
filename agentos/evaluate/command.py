"""The default evaluator: the task's metric command, run in the sandbox on a snapshot.

`guard_env` turns on the forgery guard (docs/forgery.md) for the task's editable files; the trained
model node (`agentos.tools.trainer`) runs its harness with the same environment.
"""

from __future__ import annotations

from pathlib import Path

from agentos.environment import resolve_python
from agentos.errors import UserError
from agentos.evaluate.evaluator import Evaluation
from agentos.evaluate.measure import snapshot_root
from agentos.evaluate.metric import parse_metric
from agentos.sandbox import Limits, RunRequest, Sandbox, gpus
from agentos.sandbox.audit import GUARD_ENV, METRIC_ENV
from agentos.scratch import scratch
from agentos.settings.data import (
    SETTINGS_DIR,
    SETTINGS_ENV,
    credit_reads,
    settings_document,
    write_documents,
)
from agentos.state import Status
from agentos.task import Task, any_glob

LOG_TAIL_CHARS = 2000
SETTINGS_ONLY = "settings-only"


def settings_only_files(task: Task) -> tuple[str, ...]:
    """The globs of the files the `settings-only` gate holds to value changes (its `files`
    option, default every editable file); none when the task does not gate on it. Their code is
    the baseline's, changed only in its settings' literals, so it is as trusted as the evaluator:
    the forgery guard does not watch it (an evaluator that trains and prints its own metric,
    `python train.py`, may then be that file)."""
    for use in task.tools:
        if use.name == SETTINGS_ONLY and use.kind == "gate":
            files = use.options.get("files", task.editable)
            files = [files] if isinstance(files, str) else files
            if not isinstance(files, list | tuple) or not all(isinstance(f, str) for f in files):
                raise UserError(f"[tools.{SETTINGS_ONLY}] files must be a list of globs, not "
                                f"{files!r}", path=task.path, fix='write files = ["train.py"]')
            return tuple(files)
    return ()


def guard_env(task: Task) -> dict[str, str]:
    """The sandbox environment that turns on the forgery guard for `task`'s editable files, less
    those the `settings-only` gate keeps to the baseline's code (`settings_only_files`)."""
    watched = any_glob(task.editable).pattern
    values_only = settings_only_files(task)
    if values_only:
        watched = f"(?!(?:{any_glob(values_only).pattern})\\Z)(?:{watched})"
    env = {GUARD_ENV: watched}
    if task.metric.regex is not None:
        env[METRIC_ENV] = task.metric.regex
    return env


class MetricEvaluator:
    """The default evaluator: the task's metric command, run in the sandbox on the snapshot.

    It runs with the task's Python (`[env]`, resolved once here: a bad one is a `UserError` before
    any run), the candidate's tree first on the import path, in a throwaway writable copy of the
    snapshot, so an evaluator may write its results beside its files; the snapshot itself, which
    `measure` hashes before and after, is never written. The editable settings files' values are
    in that copy as JSON (`$AGENTOS_SETTINGS`, `agentos.settings.data`): an evaluator that reads
    them there never runs the candidate's code, and reading them counts as reading those files.
    """

    def __init__(self, task: Task, sandbox: Sandbox):
        self.task = task
        self.sandbox = sandbox
        self.python = resolve_python(task)

    def evaluate(self, tree: Path, commit: str) -> Evaluation:
        argv = self.task.metric.command
        if argv[0] in ("python", "python3"):  # the task's interpreter, even where its folder
            argv = (self.python.executable, *argv[1:])  # has no `python` (/usr/bin/python3.11)
        with scratch("out", dir=snapshot_root()) as folder:
            output, work = folder / "output", folder / "work"
            output.mkdir()
            work.mkdir()
            env = {"AGENTOS_COMMIT": commit}
            doc = settings_document(tree, self.task.is_editable)
            written: dict[str, str] = {}
            if doc:  # the sandbox copies the snapshot over `work`, beside these files
                written = write_documents(work, doc)
                env[SETTINGS_ENV] = SETTINGS_DIR
            result = self.sandbox.run(
                RunRequest(
                    argv=argv,
                    tree=tree,
                    output=output,
                    env={**env, **guard_env(self.task)},
                    limits=Limits(wall_seconds=self.task.metric.timeout),
                    gpu=self.task.gpu,
                    devices=gpus.assigned(),
                    audit=True,
                    python=self.python,
                    work=work,
                )
            )
            tail = (
                result.stdout[-LOG_TAIL_CHARS // 2 :] + "\n" + result.stderr[-LOG_TAIL_CHARS // 2 :]
            ).strip()

            reads = credit_reads(result.reads, written, tree) if written else result.reads

            def result_of(metric: float | None, status: Status | None, reason: str) -> Evaluation:
                return Evaluation(
                    metric,
                    status,
                    reason,
                    log_tail=tail,
                    reads=reads,
                    duration=result.duration,
                )

            # editable code reached for the result: nothing is read; every finding, so that one
            # edit can fix them all
            forged = "forgery guard: " + "; ".join(dict.fromkeys(f[:240] for f in result.forgeries))
            # a forgery that then hung or ran out of memory is named, not only the kill
            if result.forgeries and (result.timed_out or result.oom):
                return result_of(None, "invalid", forged)
            # a kill comes before the audit's problems: one that lands before the interpreter
            # has started its audit leaves no record, and the kill is the cause
            if result.timed_out:
                return result_of(None, "timeout", f"killed after {self.task.metric.timeout:g} s")
            if result.oom:
                return result_of(None, "oom", "killed for memory")
            if result.audit_problems:  # the record of what ran cannot be trusted
                more = len(result.audit_problems) - 1
                return result_of(
                    None,
                    "invalid",
                    f"read audit: {result.audit_problems[0][:200]}"
                    + (f" (and {more} more)" if more else "")
                    + f"; exit code {result.exit_code}",
                )
            if result.forgeries:
                return result_of(None, "invalid", forged)
            if result.exit_code != 0:
                last = (result.stderr.strip().splitlines() or ["no stderr"])[-1][:200]
                return result_of(None, "crash", f"exit code {result.exit_code}: {last}")
            value, why = parse_metric(
                self.task.metric, result.stdout, output, workdir=work, snapshot=tree
            )
            if value is None:
                return result_of(None, "invalid", why)
            if result.truncated and self.task.metric.regex is not None:
                return result_of(
                    None, "invalid", "output truncated: the metric line cannot be trusted"
                )
            return result_of(value, None, "")

    def veto(self, incumbent: Evaluation, candidate: Evaluation) -> str | None:
        return None
