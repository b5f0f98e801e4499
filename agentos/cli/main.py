"""The `agentos` command group and its run, check, status, ledger, init, tools, report and demo
commands: parse, call the library, print. User errors are one line, exit code 2."""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any, NoReturn

import click

import agentos
from agentos import runner
from agentos.cli.output import fail, user_errors, warn
from agentos.cli.progress import RunDisplay
from agentos.cli.tuning import print_self_tune, self_tune, tune_skills
from agentos.errors import UserError
from agentos.events import clean
from agentos.figures import figure
from agentos.git import Repo, copy_to_new_repo


@click.group()
@click.version_option(package_name="agentos")
def main() -> None:
    """agentos: improve code, skills and prompts by experiment, never fooled by the score."""


def _answer(summary: dict[str, Any]) -> Any:
    click.echo(
        f"check-in after experiment {summary['experiment']}: best {summary['best']} "
        f"(baseline {summary['baseline']})",
        err=True,
    )
    for line in summary.get("recent", []):
        click.echo(f"  {line}", err=True)
    if not sys.stdin.isatty():
        click.echo("  (not a terminal: continuing)", err=True)
        return "continue"
    reply = click.prompt("continue, stop, or a direction for the proposer", default="continue")
    return reply if reply in ("continue", "stop") else {"direction": reply}


def _print_summary(summary: runner.RunSummary) -> None:
    for line in summary.lines():
        click.echo(line)
    if summary.failure is not None:
        fail(summary.failure, summary.fix, summary.log_tail, summary.exit_code)


def _interrupted(path: Path, which: str | None) -> NoReturn:
    """Ctrl-C (exit code 130): a recorded run is held by its last checkpoint and resumes.
    `which` ("run ID") is None when `agentos run` was stopped before it recorded its run."""
    if which is None:
        message = f"interrupted before a run was recorded; start one with `agentos run {path}`"
    else:
        message = f"interrupted; {which} is checkpointed: continue it with `agentos resume {path}`"
    click.echo(f"agentos: {message}", err=True)
    sys.exit(130)


@main.command()
@click.argument("path", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--budget", type=click.IntRange(min=1), help="Number of experiments (overrides the task)."
)
@click.option("--strategy", help="Search strategy (overrides the task).")
@click.option("--seed", type=int, help="Seed (overrides the task).")
@click.option("--provider", help="heuristic, anthropic, mock, script:PATH or replay:PATH.")
@click.option(
    "--task",
    "task_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Task file to use instead of PATH/agentos.toml (e.g. a GPU profile).",
)
@click.option(
    "--sandbox", help="Sandbox backend: auto, bwrap, unshare, or local (no security boundary)."
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    help="Experiments at once (overrides [run] workers; docs/scale-out.md).",
)
@user_errors
def run(
    path: Path,
    budget: int | None,
    strategy: str | None,
    seed: int | None,
    provider: str | None,
    sandbox: str | None,
    task_file: Path | None,
    workers: int | None = None,
) -> None:
    """Improve the repository at PATH against the metric its agentos.toml declares."""
    overrides = runner.Overrides(budget, strategy, seed, provider, sandbox, workers=workers)
    from agentos.task import load_task

    started: list[str] = []
    try:
        task = overrides.apply(load_task(Repo(path).root, task_file))
        with RunDisplay(task.budget.experiments, wall_time=task.budget.wall_time) as display:
            summary = runner.run(
                path,
                overrides,
                on_event=display.event,
                answer=display.asking(_answer),
                task_file=task_file,
                on_notice=warn,
                on_start=started.append,
            )
    except KeyboardInterrupt:
        _interrupted(path, f"run {started[0]}" if started else None)
    _print_summary(summary)


@main.command()
@click.argument("path", default=".", type=click.Path(file_okay=False, path_type=Path))
@user_errors
def resume(path: Path) -> None:
    """Continue the latest unfinished run from its last checkpoint."""
    from agentos.selftune import is_self_tune, resume_self_tune
    from agentos.status import run_status

    started: list[str] = []

    def seed(run_id: str) -> None:
        started.append(run_id)
        display.seed(run_status(path, run_id))

    if is_self_tune(path):  # its own evaluator, rebuilt from its task; then the sealed test
        try:
            with RunDisplay(0) as display:
                result = resume_self_tune(path, progress=display.note, on_event=display.event,
                                          on_start=seed)
        except KeyboardInterrupt:
            _interrupted(path, f"run {started[0]}" if started else "the run")
        print_self_tune(result)
        return
    try:
        with RunDisplay(0) as display:
            summary = runner.resume(
                path, on_event=display.event, answer=display.asking(_answer), on_start=seed
            )
    except KeyboardInterrupt:
        _interrupted(path, f"run {started[0]}" if started else "the run")
    _print_summary(summary)


@main.command()
@click.argument("path", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--task",
    "task_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Task file to use instead of PATH/agentos.toml.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option(
    "--write-space",
    is_flag=True,
    help="Add the inferred search space of every setting [search.space] lacks to the task file.",
)
@user_errors
def check(path: Path, task_file: Path | None, as_json: bool, write_space: bool) -> None:
    """Say whether a run would work, and what it would do and cost, before spending its budget.

    Validates the task, the tools and their options, the sandbox and the editable surface,
    measures the baseline once, runs the gates on it. Exit code 0: a run would work; 1: the
    baseline does not measure or the gates fail on it; 2: bad input.
    """
    from agentos.check import check as check_task
    from agentos.check import log_tail

    try:
        report = check_task(path, task_file=task_file, write_space=write_space)
    except KeyboardInterrupt:
        click.echo("agentos: interrupted; `agentos check` records nothing", err=True)
        sys.exit(130)
    if as_json:
        click.echo(json.dumps(report.to_json(), indent=2))
        sys.exit(report.exit_code)
    for line in report.lines():
        click.echo(line)
    if report.problem is not None:
        ev = report.baseline
        detail = log_tail(ev.log_tail) if ev is not None and ev.metric is None else []
        if report.gates_summary and "gates" in report.problem:
            detail += report.gates_summary.splitlines()
        fail(report.problem, report.fix, detail, report.exit_code)


@main.command()
@click.argument("path", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--run", "run_id", help="Run id (default: the latest).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--full", is_flag=True, help="Print each move and reason whole, not cut to the line.")
@user_errors
def status(path: Path, run_id: str | None, as_json: bool, full: bool) -> None:
    """Show a run: baseline, best and every experiment."""
    from agentos.skill.loop import FIGURE, TASK_NAME
    from agentos.status import run_status

    data = run_status(path, run_id)
    if as_json:
        click.echo(json.dumps(data, indent=2))
        return
    click.echo(f"run: {data['run']}")
    click.echo(f"baseline: {figure(data['baseline']['metric'])} {data['baseline']['commit'][:12]}")
    click.echo(f"best: {figure(data['best']['metric'])} {data['best']['commit'][:12]}")
    if data["task"] == TASK_NAME:
        click.echo(f"metric: {FIGURE}")
    click.echo(f"state: {_state_line(data, path)}")
    for e in data["experiments"]:  # a reason may quote candidate output: one printable line
        reason = clean(e["reason"] or "", 1 << 20 if full else 70)
        move = clean(e.get("description") or "", 1 << 20 if full else 60)  # a skill and its move
        move = f"{move} | " if move else ""
        click.echo(f"#{e['id']:<4} {e['status']:<9} {figure(e['metric']):<16} {move}{reason}")


def _state_line(data: dict[str, Any], path: Path) -> str:
    if data["state"] == "finished":
        return f"finished ({data['stop']})" if data["stop"] else "finished"
    if data["state"] == "running":
        return "running (an agentos process holds this repository)"
    if data["host"]:
        return (
            "not finished, no process running it: the host application's checkpointer holds "
            "it; resume it there, on the same thread"
        )
    return f"not finished, no process running it: continue it with `agentos resume {path}`"


@main.group()
def ledger() -> None:
    """Inspect the ledger."""


@ledger.command("verify")
@click.argument("path", default=".", type=click.Path(file_okay=False, path_type=Path))
@user_errors
def ledger_verify(path: Path) -> None:
    """Recompute the hash chain and check the high-water mark."""
    from agentos.ledger import Ledger

    repo = Repo(path)
    book = Ledger(runner.state_dir(repo) / "ledger.db")  # opening verifies; a damaged ledger raises
    rows = sum(1 for _ in book.rows())
    click.echo(f"ledger: ok\nrows: {rows}")


@main.command()
@click.argument("path", default=".", type=click.Path(file_okay=False, path_type=Path))
@user_errors
def init(path: Path) -> None:
    """Look at the repository (layout, package, tests, ruff/mypy/pytest config, environment,
    evaluator, settings) and write an agentos.toml whose every path exists. Prints what it found
    as `key: value` lines and one `todo:` line for each thing you must add. Never overwrites a
    task file; a folder of skills gets none (exit 2, pointing to `agentos tune-skills`)."""
    from agentos.init import init_task

    result = init_task(path)
    for line in result.lines:
        click.echo(line)
    click.echo(f"wrote: {result.path}")
    click.echo(
        "next: agentos check"
        if not result.todos
        else "next: resolve the todo lines, then agentos check"
    )


@main.group()
def tools() -> None:
    """The tool nodes: built-in and from installed plugins."""


@tools.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def tools_list(as_json: bool) -> None:
    """List every tool node with its kind, what it checks and its typical cost."""
    from agentos.tool import format_tool_list, tool_list_json

    click.echo(json.dumps(tool_list_json(), indent=2) if as_json else format_tool_list())


@main.command()
@click.argument("path", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--run", "run_id", help="Run id (default: the latest).")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Output folder (default: .agentos/reports/<run>/).",
)
@user_errors
def report(path: Path, run_id: str | None, out_dir: Path | None) -> None:
    """Write a self-contained HTML report and a PNG progress plot of a run."""
    from agentos.report import write_report

    paths = write_report(path, run_id, out_dir)
    click.echo(f"report: {paths.html}\nplot: {paths.png}\nmetadata: {paths.metadata}")
    click.echo(f"rows: {paths.rows}\nkilled: {paths.killed}")


def _example(name: str) -> Path:
    """The example folder `name`: a source checkout's `examples/`, else the copy that installs
    with agentos (`agentos/examples`)."""
    here = Path(__file__).resolve().parents[2] / "examples"
    roots = [root for root in (here, Path(agentos.__file__).parent / "examples") if root.is_dir()]
    runnable = {
        p.name: p
        for root in reversed(roots)
        for p in root.iterdir()
        if (p / "agentos.toml").is_file() or (p / "evals.jsonl").is_file()
    }
    if name not in runnable:
        raise UserError(
            "example not found", path=here / name, fix=f"name one of: {', '.join(sorted(runnable))}"
        )
    return runnable[name]


@main.command()
@click.option("--example", default="skills", help="Which folder of examples/ to run.")
@click.option("--budget", type=click.IntRange(min=1), help="Number of experiments.")
@user_errors
def demo(example: str, budget: int | None) -> None:
    """Copy an example into a fresh git repo in a temporary folder and run agentos on it, offline
    (no model requests, key or not): `skills` (the default) tunes the example skills, any other
    runs `agentos run`."""
    source = _example(example)
    work = Path(tempfile.mkdtemp(prefix=f"agentos-demo-{example}-")) / example
    copy_to_new_repo(source, work, f"{example} example")
    click.echo(f"demo repository: {work}", err=True)
    ctx = click.get_current_context()
    if example == "skills":
        ctx.invoke(
            tune_skills,
            path=work,
            evals=work / "evals.jsonl",
            budget=budget or 12,
            seed=0,
            as_json=False,
            offline=True,
            out=None,
        )
        return
    ctx.invoke(
        run,
        path=work,
        budget=budget,
        strategy=None,
        seed=None,
        provider="heuristic",
        sandbox=None,
        task_file=None,
    )


main.add_command(tune_skills)
main.add_command(self_tune)
