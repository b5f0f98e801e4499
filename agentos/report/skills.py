"""A `tune-skills` run on the report page: held-out accuracy before and after with each router
(the ones the run was tuned against and the independent one), per skill and per slice, whether
the eval set was a generated draft, and every changed description before and after.

The figures are the ones the run stored, never measured again here: the run's report
(`agentos.skill.report.TuneReport`, which `tune_skills` writes as JSON into the run's folder
`.agentos/runs/<run>/tune-report.json` when it ends, the same report its text form prints), and
for the second tuned-against router's per-skill and per-slice figures, which that report does
not carry, the baseline and best rows of the ledger (`lexical/holdout/...`). A run still going,
or one that died before its end, has no stored report: the page then says so.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
from markupsafe import Markup

from agentos.errors import UserError
from agentos.skill.evaluator import LEXICAL
from agentos.skill.loop import TASK_NAME
from agentos.skill.report import (
    REPORT_FILE,
    Confusion,
    Miss,
    RouterScore,
    Row,
    TuneReport,
    misses_by_skill,
    verdict,
)

if TYPE_CHECKING:  # `data` reads a run's stored report through this module
    from agentos.report.data import Experiment, ReportData

CONFUSIONS = 10  # the confusions shown, as in the text report


@dataclass(frozen=True)
class SkillsReport:
    """A `tune-skills` run's stored report (None while the run has not ended, or when the file
    cannot be read: `problem` says why) and its path."""

    path: Path
    report: TuneReport | None
    problem: str = ""


def skills_report(ledger: Path, run_id: str, task: str) -> SkillsReport | None:
    """The stored report of the run `run_id` when it is a `tune-skills` run, else None. It is in
    the run's folder beside the ledger (`.agentos/runs/<run>/`)."""
    if task != TASK_NAME:
        return None
    path = ledger.parent / "runs" / run_id / REPORT_FILE
    try:
        return SkillsReport(path, load_tune_report(path))
    except UserError as exc:  # the page still shows the ledger, and says what is wrong
        return SkillsReport(path, None, str(exc))


def load_tune_report(path: Path) -> TuneReport | None:
    """The report a `tune-skills` run stored at `path`, or None when there is none (another kind
    of run, or one that has not ended). A file that is not such a report is a `UserError`
    (`skills_report` shows it on the page rather than refusing the page)."""
    if not path.is_file():
        return None
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return _tune_report(raw)
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise UserError(
            f"is not a tune-skills report ({type(exc).__name__}: {exc})",
            path=path,
            fix="delete it (the ledger still holds every decision) and run `agentos report` again",
        ) from exc


def _tune_report(raw: dict[str, Any]) -> TuneReport:
    """`TuneReport` from its `to_json` form; an unknown key (a newer agentos) is left out."""
    names = {f.name for f in dataclasses.fields(TuneReport)}
    fields = {k: v for k, v in raw.items() if k in names}
    fields["rows"] = [Row(**r) for r in raw["rows"]]
    fields["confusions"] = [Confusion(**c) for c in raw.get("confusions", [])]
    fields["routers"] = [RouterScore(**s) for s in raw.get("routers", [])]
    fields["misses"] = [Miss(**m) for m in raw.get("misses", [])]
    fields["descriptions"] = {k: tuple(v) for k, v in raw.get("descriptions", {}).items()}
    return TuneReport(**fields)


@dataclass(frozen=True)
class Line:
    """One line of the per-skill / per-slice table: the report's row, and the second
    tuned-against router's held-out figures read from the ledger (None where it has none)."""

    row: Row
    second_before: float | None
    second_after: float | None


def _baseline_and_best(data: ReportData) -> tuple[Experiment | None, Experiment | None]:
    rows = data.rows
    base = next((e for e in rows if e.kind == "baseline"), None)
    steps = data.running_best()
    best = next((e for e in rows if steps and e.id == steps[-1][0] and e.status == "keep"), base)
    return base, best


def _second(e: Experiment | None, row: Row) -> float | None:
    """The second router's held-out accuracy of `row` in the ledger row `e`."""
    if e is None:
        return None
    if row.group == "skill":
        hits = e.holdout.get(f"{LEXICAL}/holdout/hits/{row.name}")
        return None if hits is None or not row.holdout_n else hits / row.holdout_n
    return e.holdout.get(f"{LEXICAL}/holdout/{row.name}")


def pct(value: float | None) -> str:
    """A share as a percentage with one decimal, `-` when there is none."""
    return "-" if value is None else f"{100 * value:.1f}"


def change(before: float | None, after: float | None) -> str:
    """The change in percentage points, signed; empty when either side is missing."""
    if before is None or after is None:
        return ""
    return f"{100 * (after - before):+.1f}"


TEMPLATE = """<h2 id="skill-routing">Skill routing</h2>
{% if r is none %}<p id="skill-pending">
{%- if problem %}<span class="bad">The stored tune-skills report cannot be read</span>:
 {{ problem }}
{%- elif finished %}This run stored no tune-skills report (an agentos older than the report, or its
file was removed: {{ path }}).
{%- else %}The tune-skills report is written when the run ends ({{ path }}).{% endif %}
 The ledger's figures are below.</p>
{% else %}
<table class="kv" id="skill-summary">
<tr><th>eval set</th><td id="eval-set" data-generated="{{ 1 if r.generated else 0 }}">
{%- if r.generated %}<span class="bad">generated draft</span>: written by agentos from the
 skills' own text, not by a person; read and edit it before trusting these figures
{%- else %}written by hand{% endif %}</td></tr>
<tr><th>skills changed</th><td>{{ r.changed | length }}</td></tr>
<tr><th>gates</th><td>{{ r.gates }} pinned, {{ r.refusals | length }} refused</td></tr>
<tr><th>branch</th><td>{{ r.branch or 'none' }}</td></tr>
<tr><th>verdict</th><td id="verdict">{{ verdict }}</td></tr>
{% if r.failure %}<tr><th>failure</th><td class="bad">{{ r.failure }}</td></tr>{% endif %}
</table>
{% if r.notes %}<ul id="skill-notes">{% for n in r.notes %}<li>{{ n }}</li>{% endfor %}</ul>
{% endif %}
<h3>Held-out accuracy by router (%)</h3>
<p>Held-out queries are never shown to the proposer, but they veto a move that would lower a
skill's or a slice's held-out accuracy with a router the run was tuned against, so those
routers' held-out figures helped decide what was kept. No decision reads the independent router:
its figures are the blind test, and a gain that only suits the tuned-against routers shows
there.</p>
<table id="routers"><tr><th>router</th><th>role</th><th>before</th><th>after</th>
<th>change (points)</th></tr>
{% for s in r.routers %}<tr data-router="{{ s.router }}"
 data-role="{{ 'tuned' if s.tuned_against else 'independent' }}">
<td>{{ s.router }}</td><td>{{ 'tuned against' if s.tuned_against else 'independent' }}</td>
<td class="num">{{ pct(s.holdout_before) }}</td><td class="num">{{ pct(s.holdout_after) }}</td>
<td class="num">{{ change(s.holdout_before, s.holdout_after) }}</td></tr>
{% endfor %}</table>
<h3>Per skill and per slice (%)</h3>
<table id="skill-rows"><tr><th>skill / slice</th><th>train before</th><th>train after</th>
<th>{{ first }} held-out before</th><th>{{ first }} held-out after</th><th>change (points)</th>
<th>held-out n</th>
{%- if second %}<th>{{ second }} held-out before</th><th>{{ second }} held-out after</th>
{%- endif %}</tr>
{% for line in lines %}{% set x = line.row %}
<tr data-group="{{ x.group }}" data-name="{{ x.name }}"
{%- if fell(x.holdout_before, x.holdout_after) %} class="fell"{% endif %}>
<td>{{ '[' ~ x.name ~ ']' if x.group == 'slice' else x.name }}</td>
<td class="num">{{ pct(x.train_before) }}</td><td class="num">{{ pct(x.train_after) }}</td>
<td class="num">{{ pct(x.holdout_before) }}</td><td class="num">{{ pct(x.holdout_after) }}</td>
<td class="num">{{ change(x.holdout_before, x.holdout_after) }}</td>
<td class="num">{{ x.holdout_n }}</td>
{%- if second %}<td class="num">{{ pct(line.second_before) }}</td>
<td class="num">{{ pct(line.second_after) }}</td>{% endif %}</tr>
{% endfor %}</table>
<h3>Changed descriptions</h3>
{% if r.descriptions %}<table id="descriptions"><tr><th>skill</th><th>before</th><th>after</th>
</tr>{% for name, pair in r.descriptions | dictsort %}<tr data-skill="{{ name }}">
<td>{{ name }}</td><td class="before">{{ pair[0] }}</td><td class="after">{{ pair[1] }}</td>
</tr>{% endfor %}</table>
{% else %}<p id="descriptions">No description changed.</p>{% endif %}
{% if missed %}<h3>Held-out queries missed</h3>
<p>Each held-out query routed wrong before tuning or after it, and where it went (none: to no
skill). Open a skill to read its queries.</p>
<div id="misses">{% for g in missed %}
<details data-skill="{{ g.skill }}"{% if g.moved %} open{% endif %}>
<summary>{{ g.skill }}: {{ g.after }} missed after, {{ g.before }} before ({{ g.fixed }} fixed,
 {{ g.new }} newly missed)</summary>
<table><tr><th>query</th><th>before</th><th>after</th><th>change</th></tr>
{% for m in g.misses %}<tr data-change="{{ m.change }}"{% if m.change == 'new' %} class="fell"
{%- endif %}><td>{{ m.query }}</td><td>{{ m.before or 'none' }}</td>
<td>{{ m.after or 'none' }}</td><td>{{ changes[m.change] }}</td></tr>
{% endfor %}</table></details>{% endfor %}</div>
{% endif %}
{% if r.confusions %}<h3>Held-out confusions (expected &rarr; routed)</h3>
<table id="confusions"><tr><th>expected</th><th>routed</th><th>before</th><th>after</th></tr>
{% for c in r.confusions[:limit] %}<tr><td>{{ c.expected }}</td><td>{{ c.got }}</td>
<td class="num">{{ c.before }}</td><td class="num">{{ c.after }}</td></tr>{% endfor %}
</table>{% endif %}
{% if r.refusals %}<h3>Gates refused</h3><ul id="refusals">
{% for line in r.refusals %}<li>{{ line }}</li>{% endfor %}</ul>{% endif %}
{% endif %}"""

_SECTION = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined).from_string(
    TEMPLATE
)


@dataclass(frozen=True)
class Missed:
    """One skill's held-out queries missed before or after tuning ("none": the near-misses),
    with how many were missed before, after, fixed and newly missed."""

    skill: str
    misses: list[Miss]
    before: int
    after: int
    fixed: int
    new: int
    moved: int  # routed elsewhere after than before, right or not


def _missed(report: TuneReport) -> list[Missed]:
    out = []
    for name, misses in misses_by_skill(report).items():
        changes = [m.change for m in misses]
        out.append(
            Missed(
                name,
                misses,
                len(changes) - changes.count("new"),
                len(changes) - changes.count("fixed"),
                changes.count("fixed"),
                changes.count("new"),
                sum(m.before != m.after for m in misses),
            )
        )
    return out


def _fell(before: float | None, after: float | None) -> bool:
    return before is not None and after is not None and after < before - 1e-9


def render_skills(data: ReportData) -> Markup:
    """The page's section for a `tune-skills` run, or nothing for another kind of run."""
    if data.skills_report is None:
        return Markup("")
    report = data.skills_report.report
    lines: list[Line] = []
    first = second = ""
    if report is not None:
        base, best = _baseline_and_best(data)
        tuned = [s for s in report.routers if s.tuned_against]
        has_second = base is not None and f"{LEXICAL}/holdout/all" in base.holdout
        first = tuned[0].router if tuned else ""
        second = tuned[1].router if len(tuned) > 1 and has_second else ""
        lines = [
            Line(r, *((_second(base, r), _second(best, r)) if second else (None, None)))
            for r in report.rows
        ]
    return Markup(
        _SECTION.render(
            r=report,
            path=data.skills_report.path,
            finished=data.state == "finished",
            problem=data.skills_report.problem,
            lines=lines,
            first=first,
            second=second,
            pct=pct,
            change=change,
            fell=_fell,
            limit=CONFUSIONS,
            missed=[] if report is None else _missed(report),
            verdict="" if report is None else verdict(report),
            changes={"fixed": "fixed", "new": "newly missed", "still": "still missed"},
        )
    )
