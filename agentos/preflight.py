"""The checks of a task that cost no process: what `agentos run` does before it records anything
and `agentos check` does first (`agentos.check`). The tools and their options, the acceptance of
forgery risks, the search strategy, the sandbox backend, the editable surface, and a notice for
uncommitted edits to editable or protected files. Bad input raises `UserError` (exit code 2).
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from agentos.errors import UserError
from agentos.evaluate import check_accept
from agentos.git import Repo, snapshot_entries
from agentos.sandbox import Sandbox, get_backend
from agentos.strategies.base import get_strategy
from agentos.task import TASK_FILE, Task, glob_match, unknown_key
from agentos.tool import all_tools, get_tool


@dataclass(frozen=True)
class Preflight:
    """What the cheap checks found: the commit a run starts from, its editable and protected
    files, the sandbox backend, and notices for the user (never errors)."""

    commit: str
    editable: tuple[str, ...]
    protected: tuple[str, ...]
    sandbox: Sandbox
    warnings: tuple[str, ...] = ()


def preflight(task: Task, repo: Repo, *, commit: str | None = None) -> Preflight:
    """The checks that cost no process: raise `UserError` for what would make a run useless.

    `commit` is the run's baseline (default HEAD); the uncommitted-edits notice is given only for
    HEAD, where the working tree is what the user may think a run uses."""
    check_tools(task)
    check_accept(task)
    get_strategy(task.search.strategy)
    sandbox = get_backend(task.sandbox)
    head = repo.rev("HEAD")
    commit = commit or head
    assert commit is not None  # Repo refuses a repository without commits
    files = sorted(snapshot_entries(repo.entries(commit)))
    check_metric_script(task, repo, files)
    editable = editable_surface(task, files, commit)
    protected = tuple(p for p in files if task.is_protected(p))
    warnings = (uncommitted(task, repo, commit),) if commit == head else ()
    return Preflight(commit, editable, protected, sandbox, tuple(w for w in warnings if w))


def check_tools(task: Task) -> None:
    """Every tool the task names exists, and each option is one the tool declares (when the tool
    declares its options: an `options` attribute, or `@tool(options=...)`)."""
    for use in task.tools:
        try:
            found = get_tool(use.name)
        except UserError:
            names = sorted(t.name for t in all_tools())
            close = difflib.get_close_matches(use.name, names, n=1, cutoff=0.6)
            hint = f"did you mean `{close[0]}`? " if close else ""
            raise UserError(
                f"[tools] {use.kind}s: unknown tool {use.name!r}",
                path=task.path,
                fix=f"{hint}(`agentos tools list` shows: {', '.join(names)}; "
                "a plugin's tools appear once it is installed)",
            ) from None
        known = getattr(found, "options", None)
        if known is None:
            continue
        for key in use.options:
            if key not in known:
                raise unknown_key(task.path, f"tools.{use.name}", key, known)


_RUNNERS = {"python", "python3", "bash", "sh", "node", "Rscript", "julia", "ruby", "perl"}


def check_metric_script(task: Task, repo: Repo, files: Sequence[str]) -> None:
    """The script the metric command runs (`python evaluate.py`, `bash bench.sh`, `./bench.sh`)
    is in the commit: the metric runs on a snapshot of the commit, never on the working tree."""
    argv = task.metric.command
    head = Path(argv[0]).name
    if head in _RUNNERS or head.startswith("python3."):
        if len(argv) < 2 or argv[1].startswith("-"):
            return  # `python -m module`, `python -c code`: no script path to check
        script = argv[1]
    elif argv[0].startswith("./"):
        script = argv[0]
    else:
        return
    path = Path(script)
    if path.is_absolute() or ".." in path.parts or "$" in script:
        return
    rel = path.as_posix().removeprefix("./")
    if rel in files:
        return
    where = f"{TASK_FILE} [metric] command"
    on_disk = repo.root / rel
    if not on_disk.exists():
        raise UserError(
            f"{where} runs {rel}, which does not exist",
            path=on_disk,
            fix=f"write {rel} and commit it, or name the script that exists in [metric] command",
        )
    ignored = repo.ignored(rel)
    raise UserError(
        f"{where} runs {rel}, which is {'git-ignored' if ignored else 'not committed'}: the "
        "metric runs on a snapshot of the commit",
        path=on_disk,
        fix=f"git add {'-f ' if ignored else ''}{rel} && git commit",
    )


def editable_surface(task: Task, files: Sequence[str], commit: str) -> tuple[str, ...]:
    """The committed files a candidate may change; refuse a task where there are none."""
    editable = tuple(p for p in files if task.is_editable(p))
    if editable:
        return editable
    matched = [p for p in files if any(glob_match(p, g) for g in task.editable)]
    globs = ", ".join(task.editable)
    if not matched:
        present = [g for g in task.editable if (task.root / g).exists()]
        fix = (
            f"commit {', '.join(present)} first: a run starts from the commit, not the working tree"
            if present
            else "name committed files (`git ls-files` lists them) in `editable` under [task]"
        )
        raise UserError(
            f"[task] editable ({globs}) matches no file of the commit {commit[:12]}",
            path=task.path,
            fix=fix,
        )
    covering = [g for g in task.protected if any(glob_match(p, g) for p in matched)]
    if TASK_FILE in matched:
        covering.append(f"{TASK_FILE} (always protected)")
    raise UserError(
        f"every file [task] editable ({globs}) matches is protected by {', '.join(covering)}",
        path=task.path,
        fix="narrow `protected` or widen `editable` under [task]: a candidate could change nothing",
    )


def uncommitted(task: Task, repo: Repo, commit: str) -> str | None:
    """A notice naming editable or protected files whose working copy differs from HEAD (staged,
    modified, deleted or untracked), or None. The task file itself is read from disk: a change to
    a committed one is named apart, as one the run uses."""
    out = repo.git("status", "--porcelain=v1", "-z", "--no-renames", "--untracked-files=all")
    task_rel = _relative(task.path, repo.root)
    entries = [e for e in out.decode("utf-8", "surrogateescape").split("\0") if len(e) > 3]
    changed = {e[3:] for e in entries}
    names = sorted(changed - {task_rel})
    touched = [p for p in names if task.is_editable(p) or task.is_protected(p)]
    notices = []
    if touched:
        more = f" and {len(touched) - 5} more" if len(touched) > 5 else ""
        notices.append(
            f"uncommitted changes to {', '.join(touched[:5])}{more}: the run uses the commit HEAD "
            f"{commit[:12]}, not your working tree (commit them to include them)"
        )
    if any(e[3:] == task_rel and not e.startswith("??") for e in entries):  # a new one: init's
        notices.append(f"{task_rel} has uncommitted changes: the run uses them (read from disk)")
    return "; ".join(notices) or None


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return ""


__all__ = ["Preflight", "check_tools", "editable_surface", "preflight", "uncommitted"]
