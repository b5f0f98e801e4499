"""The report page: one self-contained HTML file (inline CSS, the plot as a data URI, no script
from anywhere, nothing fetched), readable from a file:// URL with no network.

Every string that came from the ledger is candidate or user output and goes through `esc`; the
page's only script is the plot's static `onload` attribute, which records the decoded image width
so a headless browser can check that the plot loaded.
"""

from __future__ import annotations

import base64
import hashlib
import time
from html import escape

from agentos.report.data import Experiment, ReportData
from agentos.report.plot import COLOURS

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
h1{font-size:20px;margin:0 0 8px} h2{font-size:16px;margin:24px 0 8px}
table{border-collapse:collapse;width:100%} td,th{border:1px solid #ddd;padding:4px 6px;
vertical-align:top;text-align:left} th{background:#f4f4f4}
table.kv{width:auto} table.kv th{width:140px}
.num{text-align:right;font-variant-numeric:tabular-nums} code,pre{font-size:12px}
pre{white-space:pre-wrap;word-break:break-all;max-height:420px;overflow:auto;background:#fafafa;
border:1px solid #eee;padding:6px;margin:4px 0}
.badge{display:inline-block;padding:0 6px;border-radius:3px;color:#fff;font-size:12px}
.ok{color:#1a7f1a;font-weight:600} .bad{color:#c00;font-weight:600}
tr.killed td{background:#fff0f0} tr.running td{background:#f0f6ff}
img#plot{max-width:100%;border:1px solid #ddd}
ul{margin:0;padding-left:18px} td.change{min-width:200px}
"""


def esc(value: object) -> str:
    """HTML-escape any value, quotes included (safe in text and in attribute values)."""
    return escape("" if value is None else str(value), quote=True)


def fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.6g}"


def when(stamp: float | None) -> str:
    if stamp is None:
        return "–"
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(stamp))


def render_html(data: ReportData, png: bytes, png_name: str) -> str:
    """The whole page for `data`, with `png` inlined and `png_name` linked beside it."""
    uri = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{esc(CSP)}">',
        f"<title>agentos report: {esc(data.run_id)}</title><style>{CSS}</style></head><body>",
        f"<h1>agentos run {esc(data.run_id)}</h1>",
        _summary(data),
        "<h2>Progress</h2>",
        f'<img id="plot" src="{uri}" alt="progress plot of run {esc(data.run_id)}" '
        f'onload="{esc(ONLOAD)}" onerror="{esc(ONERROR)}">',
        f'<p>Also saved beside this page as <a href="{esc(png_name)}">{esc(png_name)}</a>.</p>',
        _integrity(data),
        _figures(
            data,
            "holdout",
            "Held-out figures",
            "Measured on data the proposer never sees; used only to veto a keep.",
        ),
        _figures(
            data,
            "details",
            "Per-slice figures",
            "The evaluator's per-slice (or per-objective) figures for each experiment.",
        ),
        "<h2>Experiments</h2>",
        _table(data),
        f"<p>Made from the ledger alone at {esc(when(time.time()))}.</p>",
        "</body></html>",
    ]
    return "\n".join(p for p in parts if p)


def _summary(data: ReportData) -> str:
    counts = data.counts()
    gain = (
        data.best.metric - data.baseline.metric
        if data.best.metric is not None and data.baseline.metric is not None
        else None
    )
    state = {
        "finished": f"finished: {data.stop_reason or ''}",
        "running": "running (the orchestrator named in the repository lock is alive)",
        "interrupted": "not finished and not running: interrupted or crashed "
        "(`agentos resume` continues it)",
    }[data.state]
    rows = [
        ("run", data.run_id),
        ("task", data.task),
        ("repository", data.repo),
        ("state", state),
        ("strategy", f"{data.strategy} (seed {data.seed})"),
        ("provider", data.provider),
        ("started", when(data.started_at)),
        ("finished", when(data.finished_at)),
        ("baseline", f"{fmt(data.baseline.metric)} at {data.baseline.commit[:12]}"),
        ("best", f"{fmt(data.best.metric)} at {data.best.commit[:12]}"),
        ("gain", fmt(gain)),
        ("experiments", ", ".join(f"{k}: {v}" for k, v in sorted(counts.items())) or "none"),
    ]
    body = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in rows)
    return (
        f'<table class="kv" id="summary">{body}</table>'
        f'<p hidden id="best" data-metric="{esc(data.best.metric)}" '
        f'data-commit="{esc(data.best.commit)}"></p>'
    )


def _integrity(data: ReportData) -> str:
    if data.verify_error:
        ledger = f'<span class="bad">refused</span>: {esc(data.verify_error)}'
    elif data.verify:
        items = "".join(f"<li>{esc(p)}</li>" for p in data.verify)
        ledger = f'<span class="bad">failed</span><ul>{items}</ul>'
    else:
        ledger = '<span class="ok">ok</span>: hash chain and high-water mark recomputed'
    verdicts = {"same": 0, "drift": 0, "none": 0}
    for e in data.rows:
        verdicts[e.tree_verdict] += 1
    drift = verdicts["drift"]
    trees = (
        f'<span class="{"bad" if drift else "ok"}">{drift} with drift</span>, '
        f"{verdicts['same']} identical before and after the run, "
        f"{verdicts['none']} not measured (rejected before the run, or no tree)"
    )
    note = f"<p>{esc(data.diff_note)}</p>" if data.diff_note else ""
    return (
        '<h2>Integrity</h2><table class="kv" id="integrity">'
        f'<tr><th>ledger verify</th><td id="verify">{ledger}</td></tr>'
        f"<tr><th>tree hashes</th><td>{trees}</td></tr></table>{note}"
    )


def _figures(data: ReportData, which: str, title: str, blurb: str) -> str:
    rows = [e for e in data.rows if getattr(e, which)]
    if not rows:
        return ""
    keys = sorted({k for e in rows for k in getattr(e, which)})
    head = "".join(f"<th>{esc(k)}</th>" for k in keys)
    body = []
    for e in rows:
        values: dict[str, float] = getattr(e, which)
        cells = "".join(f'<td class="num">{esc(fmt(values.get(k)))}</td>' for k in keys)
        body.append(f"<tr><td>{_label(e)}</td><td>{esc(e.status)}</td>{cells}</tr>")
    return (
        f"<h2>{esc(title)}</h2><p>{esc(blurb)}</p>"
        f'<table id="{esc(which)}"><tr><th>experiment</th><th>status</th>{head}</tr>'
        + "".join(body)
        + "</table>"
    )


def _label(e: Experiment) -> str:
    return (
        "baseline"
        if e.kind == "baseline"
        else f"#{e.id}" + (f".{e.attempt}" if e.attempt > 1 else "")
    )


def _table(data: ReportData) -> str:
    head = (
        "<tr><th>#</th><th>status</th><th>metric</th><th>Δ baseline</th><th>description</th>"
        "<th>reason</th><th>gates and review</th><th>tree</th><th>change</th></tr>"
    )
    return (
        f'<table id="experiments"><thead>{head}</thead><tbody>'
        + "".join(_row(data, e) for e in data.experiments)
        + "</tbody></table>"
    )


def _row(data: ReportData, e: Experiment) -> str:
    base = data.baseline.metric
    delta = e.metric - base if e.metric is not None and base is not None else None
    colour = COLOURS.get(e.status, "#555555")
    status = f'<span class="badge" style="background:{colour}">{esc(e.status)}</span>'
    gates = [
        f"{f.get('tool', '?')}: {f.get('path', '')}"
        f"{':' + str(f['line']) if f.get('line') else ''} {f.get('message', '')}"
        for f in e.findings
    ] + [f"review {c}" for c in e.review_failed]
    gates_html = "<ul>" + "".join(f"<li>{esc(g)}</li>" for g in gates) + "</ul>" if gates else ""
    tree = {
        "same": '<span class="ok">same</span>',
        "drift": '<span class="bad">drift</span>',
        "none": "–",
    }[e.tree_verdict]
    if e.tree_before:
        tree += (
            f'<br><code title="{esc(e.tree_before)} → {esc(e.tree_after)}">'
            f"{esc(e.tree_before[7:19])}</code>"
        )
    change = esc(e.diff_summary)
    if e.commit:
        change += f"<br><code>{esc(e.commit[:12])}</code>"
    if e.diff:
        change += f"<details><summary>diff</summary><pre>{esc(e.diff)}</pre></details>"
    attrs = f'data-id="{e.id}" data-attempt="{e.attempt}" data-status="{esc(e.status)}"'
    if e.killed:
        attrs += ' class="killed" data-killed="1"'
    elif e.running:
        attrs += ' class="running" data-running="1"'
    else:
        attrs += f' class="row" data-seq="{e.seq}"'
    return (
        f"<tr {attrs}><td>{esc(_label(e))}</td><td>{status}</td>"
        f'<td class="num">{esc(fmt(e.metric))}</td><td class="num">{esc(fmt(delta))}</td>'
        f"<td>{esc(e.description)}</td><td>{esc(e.reason)}</td><td>{gates_html}</td>"
        f'<td>{tree}</td><td class="change">{change}</td></tr>'
    )
