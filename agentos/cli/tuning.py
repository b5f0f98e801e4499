"""`agentos tune-skills` and `agentos self-tune`: tuning runs with their own reports."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from agentos.cli.output import fail, user_errors
from agentos.cli.progress import RunDisplay

if TYPE_CHECKING:
    from agentos.selftune import SelfTuneResult


@click.command("tune-skills")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--evals",
    "evals",
    type=click.Path(dir_okay=False, path_type=Path),
    help="JSONL eval set: {query, expect, slice, split} per line. Without it, a draft set is "
    "written from the skills' own text (review it) and the run tunes on it.",
)
@click.option(
    "--evals-out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the draft eval set when --evals is not given "
    "(default: PATH.evals.draft.jsonl beside the folder PATH, never inside it).",
)
@click.option(
    "--make-evals",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Only write a draft eval set for PATH to this new file (from the skills' own text), "
    "for you to review and edit, then tune with --evals FILE.",
)
@click.option("--budget", type=click.IntRange(min=1), default=12, show_default=True,
              help="Moves per skill on average: the run's budget is this times the skills "
              "(plus 24 joint looks); a skill with nothing left to try leaves its share to others.")
@click.option("--seed", type=int, default=0)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option(
    "--offline",
    is_flag=True,
    help="Route and propose locally even when ANTHROPIC_API_KEY is set (no model requests).",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    help="Write a copy of PATH with the accepted rewrites to this new or empty folder.",
)
@user_errors
def tune_skills(
    path: Path,
    evals: Path | None,
    budget: int,
    seed: int,
    as_json: bool,
    offline: bool,
    out: Path | None,
    evals_out: Path | None = None,
    make_evals: Path | None = None,
) -> None:
    """Tune every skill under PATH so it triggers on the queries it should, gates intact.

    In a git repository the skills are tuned as HEAD holds them: commit or stash edits first.
    Outside git the run works on a scratch copy: the rewrites are in the report and the --out
    copy. Exit 1 when the skills do not measure (the last line says why); 2 on bad input."""
    from agentos.skill.report import render, to_json
    from agentos.skill.tune import make_evals as draft
    from agentos.skill.tune import tune_skills as tune

    if make_evals is not None:
        counts, notes = draft(path, make_evals, seed=seed)
        for line in notes:
            click.echo(line, err=True)
        click.echo(f"evals: {make_evals}")
        click.echo("\n".join(f"{key}: {value}" for key, value in counts.items()))
        click.echo(
            f"next: read and edit {make_evals} (drop the requests nobody would type, add your "
            f"own), then: agentos tune-skills {path} --evals {make_evals}"
        )
        return

    result = tune(
        path,
        evals,
        seed=seed,
        budget=budget,
        progress=lambda line: click.echo(line, err=True),
        offline=offline,
        out=out,
        evals_out=evals_out,
    )
    click.echo(to_json(result) if as_json else render(result))
    if result.failure is not None:
        fail(result.failure, result.fix, [], 1)


@click.command("self-tune")
@click.option("--out", type=click.Path(path_type=Path), default=Path("agentos-self-tune"),
              show_default=True, help="A new or empty folder for the run's scratch repository.")
@click.option("--suite", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The inner suite TOML (default: benchmarks/selftune/suite.toml).")
@click.option("--profile", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The profile to start from (default: the shipped one).")
@click.option("--budget", type=click.IntRange(min=1), default=12, show_default=True,
              help="Outer experiments (profiles tried).")
@click.option("--seed", type=int, default=0)
@click.option("--sandbox", default="auto", show_default=True)
@click.option("--provider", default=None, help="The outer proposer (default: the task's auto).")
@user_errors
def self_tune(out: Path, suite: Path | None, profile: Path | None, budget: int, seed: int,
              sandbox: str, provider: str | None) -> None:
    """Tune agentos' own search profile on a suite of tasks with known optima."""
    from agentos.selftune import self_tune as tune

    try:
        with RunDisplay(budget) as display:
            result = tune(out, suite=suite, profile=profile, budget=budget, seed=seed,
                          sandbox=sandbox, provider=provider, on_event=display.event,
                          progress=display.note)
    except KeyboardInterrupt:
        click.echo(f"agentos: interrupted; continue the self-tune run with `agentos resume {out}`",
                   err=True)
        sys.exit(130)
    print_self_tune(result)


def print_self_tune(result: SelfTuneResult) -> None:
    """The self-tune summary lines, or the run's failure (`agentos self-tune`, `agentos resume`)."""
    for line in result.lines():
        click.echo(line)
    if result.run.failure is not None:
        fail(result.run.failure, result.run.fix, result.run.log_tail, result.run.exit_code)
