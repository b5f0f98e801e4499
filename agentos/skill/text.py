"""The tuning report as text: the table `agentos tune-skills` prints (`render_table`), with the
held-out queries whose routing changed and the greppable `key: value` summary closing it. The
report itself is built in `agentos.skill.report`, which renders JSON and calls this module for
the table."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the report's types; `report` imports this module to render its table
    from agentos.skill.report import Miss, TuneReport


def misses_by_skill(report: TuneReport) -> dict[str, list[Miss]]:
    """`report.misses` by the skill each expects ("none" for near-misses), skills in the
    report's order."""
    out: dict[str, list[Miss]] = {r.name: [] for r in report.rows if r.group == "skill"}
    for m in report.misses:
        out.setdefault(m.expect or "none", []).append(m)
    return {k: v for k, v in out.items() if v}


def _where(name: str | None) -> str:
    return name or "none"


def render_misses(report: TuneReport) -> list[str]:
    """The text report's held-out queries whose routing changed, per skill: newly right (`+`),
    newly missed (`-`), or missed both times but sent elsewhere (`~`), each with where it went
    before and after; and how many stay missed where they were (every one is in the JSON report
    and on `agentos report`'s page)."""
    lines: list[str] = []
    for name, misses in misses_by_skill(report).items():
        moved = [m for m in misses if m.before != m.after]
        if moved:
            lines.append(f"  {name}:")
        for m in moved:
            sign = {"fixed": "+", "new": "-"}.get(m.change, "~")
            lines.append(f"    {sign} {m.query!r}: {_where(m.before)} -> {_where(m.after)}")
    still = sum(m.before == m.after for m in report.misses)
    if not lines and not still:
        return []
    head = (
        "held-out queries that changed (+ newly right, - newly missed, ~ missed elsewhere; "
        "routed before -> after):"
    )
    where = "the JSON report and by `agentos report`" if report.git else "the JSON report (--json)"
    tail = f"  still missed: {still} (each listed in {where})"
    return ["", head, *(lines or ["  none"]), tail]


def _pct(value: float | None) -> str:
    return "   -" if value is None else f"{100 * value:4.0f}"


def render_table(report: TuneReport, *, confusions: int = 10) -> str:
    """The human form: a table, the top confusions, refusals, and a `key: value` summary. The
    first column is as wide as the longest skill or slice label (24 at least), so the figures
    stay in their columns whatever the names."""
    labels = [r.name if r.group != "slice" else f"[{r.name}]" for r in report.rows]
    w = max([24, *(len(label) + 2 for label in labels)])
    lines = [
        f"{'':<{w}}{'train':>14}{'held-out':>16}",
        f"{'skill / slice':<{w}}{'before':>7}{'after':>7}{'before':>8}{'after':>8}{'n':>5}",
    ]
    previous = ""
    for r, label in zip(report.rows, labels, strict=True):
        if r.group != previous and r.group in ("slice", "all"):
            lines.append("-" * (w + 35))
        previous = r.group
        lines.append(
            f"{label:<{w}}{_pct(r.train_before):>7}{_pct(r.train_after):>7}"
            f"{_pct(r.holdout_before):>8}{_pct(r.holdout_after):>8}{r.holdout_n:>5}"
        )
    if tuned := [r.router for r in report.routers if r.tuned_against]:
        kept_on = (
            f"{tuned[0]}'s train accuracy"
            if len(tuned) == 1
            else f"the mean train accuracy of {' and '.join(tuned)}"
        )
        lines.append(
            f"  (routed by {report.routers[0].router}; the run kept moves on {kept_on}, "
            "the train= of its progress lines)"
        )
    if report.written:
        lines.append("")
        written = "drafted" if report.generated else "hand-written"
        lines.append(
            f"{written} train queries routed right (before -> after, of n; the train columns "
            "also count generated variants):"
        )
        lines.extend(f"  {k}: {b} -> {a} of {n}" for k, (n, b, a) in report.written.items())
    lines.append("")
    lines.append("held-out accuracy by router (before -> after):")
    for score in report.routers:
        which = "tuned against" if score.tuned_against else "independent"
        lines.append(
            f"  {score.router} ({which}): {_pct(score.holdout_before).strip()} -> "
            f"{_pct(score.holdout_after).strip()}"
        )
    lines.append("")
    lines.append("held-out confusions (expected -> routed: before, after):")
    for c in report.confusions[:confusions]:
        lines.append(f"  {c.expected} -> {c.got}: {c.before}, {c.after}")
    lines += render_misses(report)
    if report.descriptions:
        lines.append("")
        lines.append("changed descriptions (before, then after):")
        for name, (before, after) in sorted(report.descriptions.items()):
            lines += [f"  {name}:", f"    - {before}", f"    + {after}"]
    if report.notes:
        lines.append("")
        lines.extend(n if n.startswith("warning: ") else f"note: {n}" for n in report.notes)
    if report.accepted:
        lines.append("")
        lines.append("accepted, in order:")
        lines.extend(f"  {line}" for line in report.accepted)
    if report.refusals:
        lines.append("")
        lines.extend(report.refusals)
    if not report.git:
        lines += ["", _outside_git(report)]
    total = report.row("all", "all")
    gain = None
    if total.holdout_after is not None and total.holdout_before is not None:
        gain = total.holdout_after - total.holdout_before
    lines += [
        "",
        f"run: {report.run_id}" + ("" if report.git else " (removed with its scratch repository)"),
        f"skills_changed: {len(report.changed)}",
        f"holdout_before: {_pct(total.holdout_before).strip()}",
        f"holdout_after: {_pct(total.holdout_after).strip()}",
        f"holdout_gain_points: {'-' if gain is None else f'{100 * gain:.1f}'}",
        *[
            f"holdout_{score.router}: {_pct(score.holdout_before).strip()} -> "
            f"{_pct(score.holdout_after).strip()}"
            f" ({'tuned against' if score.tuned_against else 'independent'})"
            for score in report.routers
        ],
        f"verdict: {verdict(report)}",
        *([f"next: {advice(report)}"] if report.rewrites else []),
        *[f"warning: {w}" for w in router_warnings(report)],
        f"gates_pinned: {report.gates}",
        f"gates_refused: {len(report.refusals)}",
        f"threshold: {report.threshold:.3f} (the none cut fitted on train for the final skills)",
        f"branch: {report.branch or 'none'}" if report.git else "branch: - (not a git repository)",
        f"out: {report.out or '-'}",
        f"experiments: {sum(report.counts.values())}",
    ]
    lines += [f"{k}: {v}" for k, v in sorted(report.counts.items())]
    lines.append(f"elapsed_s: {report.elapsed:.1f}")
    return "\n".join(lines)


def _outside_git(report: TuneReport) -> str:
    """Where a run on a folder outside git left its results: there is no branch, and the
    scratch repository the run lived in, with its ledger, is gone."""
    head = (
        "note: the folder is not in a git repository, so the run worked in a scratch copy, "
        "removed since; no branch holds its rewrites and `agentos status` and `agentos report` "
        "do not know it. "
    )
    if not report.rewrites:
        return head + "No rewrite was kept."
    if report.out is not None:
        return head + (
            f"The rewritten skills are in {report.out}, and each rewrite's text in the JSON "
            "report (--json: rewrites)."
        )
    return head + (
        "The rewrites are only in this report (--json: rewrites, each SKILL.md's text): rerun "
        "with --out DIR for a copy of the folder with them."
    )


def verdict(report: TuneReport) -> str:
    """What the held-out figures show, over every router: a gain only where none fell and a
    router the run tuned against rose (a rise on the independent router alone is none)."""
    scored = [
        (r.router, r.tuned_against, r.holdout_before, r.holdout_after)
        for r in report.routers
        if r.holdout_before is not None and r.holdout_after is not None
    ]
    fell = [f"{name} {100 * b:.1f} -> {100 * a:.1f}" for name, _, b, a in scored if a < b]
    why = ["held-out fell on " + ", ".join(fell)] if fell else []
    wrong = len(wrong_fires(report.misses))
    if wrong:  # a wrong skill firing is worse than none, though accuracy does not move
        why.append(
            f"{wrong} held-out quer{'y' if wrong == 1 else 'ies'} went from no skill to a wrong "
            f"one on {report.routers[0].router}"
        )
    if why:
        return "no gain shown: " + "; ".join(why)
    rose = [name for name, _, b, a in scored if a > b]
    if not rose:
        return "no held-out change on any router"
    tuned = [name for name, against, _, _ in scored if against]
    if tuned and not set(tuned) & set(rose):  # the rewrites were chosen on these routers
        return (
            f"no gain shown on the routers the run tuned against ({', '.join(tuned)} "
            f"unchanged); held-out rose on the independent {', '.join(rose)} only"
        )
    return f"held-out rose on {', '.join(rose)}; no router fell"


def router_warnings(report: TuneReport) -> list[str]:
    """A warning for each independent router whose held-out accuracy fell."""
    return [
        f"held-out accuracy with the independent {score.router} router fell "
        f"({_pct(score.holdout_before).strip()} -> {_pct(score.holdout_after).strip()}): "
        "the rewrites may only suit the router they were tuned against"
        for score in report.routers
        if not score.tuned_against
        and score.holdout_before is not None
        and score.holdout_after is not None
        and score.holdout_after < score.holdout_before
    ]


def advice(report: TuneReport) -> str:
    """What to do with the kept rewrites: read and merge them where held-out rose with no router
    falling; otherwise they fit the train queries only, and merging them is not advised."""
    if report.git and report.branch:
        git = f"git -C {report.repo}" if report.repo else "git"
        where = f"`{git} diff HEAD {report.branch}`"
        take = f"`{git} merge {report.branch}`"
    else:
        where = "the changed descriptions above" + (f" (and {report.out})" if report.out else "")
        take = f"copy the skills from {report.out}" if report.out else "rerun with --out DIR"
    if verdict(report).startswith("held-out rose"):
        return f"read {where}, then {take}"
    return (
        f"the rewrites showed no held-out gain, so they fit the train queries only: do not merge "
        f"them as they are; read {where} for ideas, and add train queries of your own for the "
        "skills that miss (--evals)"
    )


def wrong_fires(misses: Sequence[Miss]) -> list[Miss]:
    """The held-out queries of a skill routed to no skill before the run and to another skill
    after it (the tuned-against router)."""
    return [
        m
        for m in misses
        if m.expect is not None and m.before is None and m.after not in (None, m.expect)
    ]
