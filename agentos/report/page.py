"""The report page: one self-contained HTML file (inline CSS, the plot as a data URI, no script
from anywhere, nothing fetched), readable from a file:// URL with no network.

The page is a Jinja2 template with autoescape on: every value that came from the ledger is
candidate or user output and is escaped by the template engine, never by hand. The page's only
script is the plot's static `onload` attribute, which records the decoded image width
so a headless browser can check that the plot loaded.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import jinja2

from agentos.figures import figure
from agentos.ledger import times
from agentos.report.data import Experiment, ReportData
from agentos.report.plot import COLOURS
from agentos.report.skills import render_skills

ONLOAD = "this.dataset.naturalWidth=this.naturalWidth"
ONERROR = "this.dataset.error='1'"


def _script_hash(source: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode()).digest()).decode() + "'"


# Defence in depth behind the escaping: only the two static handlers above may run, nothing loads
# from anywhere but the page itself.
CSP = (
    "default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
    f"script-src 'unsafe-hashes' {_script_hash(ONLOAD)} {_script_hash(ONERROR)}"
)

CSS = """
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:1500px}
h1{font-size:20px;margin:0 0 8px} h2{font-size:16px;margin:24px 0 8px} h3{font-size:14px}
table{border-collapse:collapse;width:100%} td,th{border:1px solid #ddd;padding:4px 6px;
vertical-align:top;text-align:left} th{background:#f4f4f4}
table.kv{width:auto} table.kv th{width:140px}
.num{text-align:right;font-variant-numeric:tabular-nums} code,pre{font-size:12px}
pre{white-space:pre-wrap;word-break:break-all;max-height:420px;overflow:auto;background:#fafafa;
border:1px solid #eee;padding:6px;margin:4px 0}
.badge{display:inline-block;padding:0 6px;border-radius:3px;color:#fff;font-size:12px}
.ok{color:#1a7f1a;font-weight:600} .bad{color:#c00;font-weight:600}
tr.killed td{background:#fff0f0} tr.running td{background:#f0f6ff}
tr.fell td{background:#fff0f0} td.before{color:#666} td.after{color:#1a5e1a}
img#plot{max-width:100%;border:1px solid #ddd}
ul{margin:0;padding-left:18px} td.change{min-width:200px}
"""


TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{{ csp }}">
<title>agentos report: {{ d.run_id }}</title><style>{{ css }}</style></head><body>
<h1>agentos run {{ d.run_id }}</h1>
<table class="kv" id="summary">
{% for key, value in summary %}<tr><th>{{ key }}</th><td>{{ value }}</td></tr>{% endfor %}
</table>
<p hidden id="best" data-metric="{{ d.best.metric if d.best.metric is not none else '' }}"
 data-commit="{{ d.best.commit }}"></p>
{{ skills }}
<h2>Progress</h2>
<img id="plot" src="{{ uri }}" alt="progress plot of run {{ d.run_id }}" onload="{{ onload }}"
 onerror="{{ onerror }}">
<p>Also saved beside this page as <a href="{{ png_name }}">{{ png_name }}</a>.</p>
<h2>Integrity</h2><table class="kv" id="integrity">
<tr><th>ledger verify</th><td id="verify">
{%- if d.verify_error %}<span class="bad">refused</span>: {{ d.verify_error }}
{%- elif d.verify %}<span class="bad">failed</span><ul>
{%- for p in d.verify %}<li>{{ p }}</li>{% endfor %}</ul>
{%- else %}<span class="ok">ok</span>: hash chain and high-water mark recomputed{% endif -%}
</td></tr>
<tr><th>tree hashes</th><td><span class="{{ 'bad' if trees.drift else 'ok' }}">
{{- trees.drift }} with drift</span>, {{ trees.same }} identical before and after the run,
 {{ trees.none }} not measured (rejected before the run, or no tree)</td></tr></table>
{% if d.diff_note %}<p>{{ d.diff_note }}</p>{% endif %}
{% for f in figures %}
<h2>{{ f.title }}</h2><p>{{ f.blurb }}</p>
<table id="{{ f.which }}"><tr><th>experiment</th><th>status</th>
{%- for k in f.columns %}<th>{{ k }}</th>{% endfor %}</tr>
{% for e, values in f.rows %}<tr><td>{{ label(e) }}</td><td>{{ e.status }}</td>
{%- for k in f.columns %}<td class="num">{{ figure(values.get(k)) }}</td>{% endfor %}</tr>
{% endfor %}</table>
{% endfor %}
<h2>Experiments</h2>
<table id="experiments"><thead><tr><th>#</th><th>status</th><th>metric</th><th>Δ baseline</th>
<th>description</th><th>reason</th><th>gates and review</th><th>tree</th><th>change</th>
</tr></thead>
<tbody>
{% for e in d.experiments %}
<tr data-id="{{ e.id }}" data-attempt="{{ e.attempt }}" data-status="{{ e.status }}"
{%- if e.killed %} class="killed" data-killed="1"
{%- elif e.running %} class="running" data-running="1"
{%- else %} class="row" data-seq="{{ e.seq }}"{% endif %}>
<td>{{ label(e) }}</td>
<td><span class="badge" style="background:{{ colour(e.status) }}">{{ e.status }}</span></td>
<td class="num">{{ figure(e.metric) }}</td><td class="num">{{ figure(delta(e)) }}</td>
<td>{{ e.description }}</td><td>{{ e.reason }}</td>
<td>{% if gates(e) %}<ul>{% for g in gates(e) %}<li>{{ g }}</li>{% endfor %}</ul>{% endif %}</td>
<td>{% if e.tree_verdict == "same" %}<span class="ok">same</span>
{%- elif e.tree_verdict == "drift" %}<span class="bad">drift</span>{% else %}–{% endif %}
{%- if e.tree_before %}<br><code title="{{ e.tree_before }} → {{ e.tree_after }}">
{{- e.tree_before[7:19] }}</code>{% endif %}</td>
<td class="change">{{ e.diff_summary }}
{%- if e.commit %}<br><code>{{ e.commit[:12] }}</code>{% endif %}
{%- if e.diff %}<details><summary>diff</summary><pre>{{ e.diff }}</pre></details>{% endif -%}
</td></tr>
{% endfor %}
</tbody></table>
<p>Made from the ledger alone at {{ made }}.</p>
</body></html>
"""

_ENV = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
_PAGE = _ENV.from_string(TEMPLATE)


def render_html(data: ReportData, png: bytes, png_name: str) -> str:
    """The whole page for `data`, with `png` inlined and `png_name` linked beside it."""
    base = data.baseline.metric
    trees = {"same": 0, "drift": 0, "none": 0}
    for e in data.rows:
        trees[e.tree_verdict] += 1
    figures = [
        _figures(data, "holdout", "Held-out figures", HOLDOUT),
        _figures(data, "details", "Per-slice figures", DETAILS),
    ]
    return _PAGE.render(
        d=data,
        csp=CSP,
        css=CSS,
        uri="data:image/png;base64," + base64.b64encode(png).decode("ascii"),
        onload=ONLOAD,
        onerror=ONERROR,
        png_name=png_name,
        summary=_summary(data),
        trees=trees,
        figures=[f for f in figures if f is not None],
        skills=render_skills(data),
        made=times.show(times.now()),
        figure=figure,
        label=_label,
        colour=lambda status: COLOURS.get(status, "#555555"),
        delta=lambda e: e.metric - base if e.metric is not None and base is not None else None,
        gates=_gates,
    )


HOLDOUT = "Measured on data the proposer never sees; used only to veto a keep."
DETAILS = "The evaluator's per-slice (or per-objective) figures for each experiment."


def _summary(data: ReportData) -> list[tuple[str, str]]:
    counts = data.counts()
    # the best is never worse than the baseline in the goal's direction: its distance is the gain
    gain = (
        abs(data.best.metric - data.baseline.metric)
        if data.best.metric is not None and data.baseline.metric is not None
        else None
    )
    state = {
        "finished": f"finished: {data.stop_reason or ''}",
        "running": "running (the orchestrator named in the repository lock is alive)",
        "interrupted": "not finished and not running: interrupted or crashed "
        "(`agentos resume` continues it)",
    }[data.state]
    return [
        ("run", data.run_id),
        ("task", data.task),
        ("repository", data.repo),
        ("state", state),
        ("strategy", f"{data.strategy} (seed {data.seed})"),
        ("provider", data.provider),
        ("started", times.show(data.started_at)),
        ("finished", times.show(data.finished_at)),
        ("baseline", f"{figure(data.baseline.metric)} at {data.baseline.commit[:12]}"),
        ("best", f"{figure(data.best.metric)} at {data.best.commit[:12]}"),
        ("gain", figure(gain)),
        ("experiments", ", ".join(f"{k}: {v}" for k, v in sorted(counts.items())) or "none"),
    ]


def _figures(data: ReportData, which: str, title: str, blurb: str) -> dict[str, Any] | None:
    rows = [(e, getattr(e, which)) for e in data.rows if getattr(e, which)]
    if not rows:
        return None
    keys = sorted({k for _, values in rows for k in values if not _breakdown(k)})
    if not keys:
        return None
    return {"which": which, "title": title, "blurb": blurb, "columns": keys, "rows": rows}


def _breakdown(key: str) -> bool:
    """A figure of one item of a series rather than a headline figure: how eval query 17 was
    routed (`train/route/17`), one skill's hits (`holdout/hits/NAME`), one confusion
    (`holdout/to/GOT/NAME`), a second router's figures (`lexical/holdout/all`): a key of three
    parts or more, or ending on a number. The ledger keeps them for the evaluator's checks; a
    column each would bury the page's figures (a skill set's run has hundreds). A skill run's
    own section shows its breakdowns labelled (`agentos.report.skills`). A skill's
    `description/NAME` is a digest of its text (`agentos.skill.evaluator.DESCRIBED`), no figure."""
    parts = key.split("/")
    return len(parts) > 2 or parts[-1].isdigit() or parts[0] == "description"


def _label(e: Experiment) -> str:
    if e.kind == "baseline":
        return "baseline"
    return f"#{e.id}" + (f".{e.attempt}" if e.attempt > 1 else "")


def _gates(e: Experiment) -> list[str]:
    return [
        f"{f.get('tool', '?')}: {f.get('path', '')}"
        f"{':' + str(f['line']) if f.get('line') else ''} {f.get('message', '')}"
        for f in e.findings
    ] + [f"review {c}" for c in e.review_failed]
