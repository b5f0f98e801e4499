"""The progress plot: every experiment as a dot coloured by status, the running best as a step
line through the kept changes, each labelled with its one-line description.

Drawn with matplotlib's object API on an Agg canvas: no pyplot global state, no display, no
backend to configure, so it works headless and from any thread. Descriptions are candidate output:
they are drawn with math text off, cut short, and never interpreted.
"""

from __future__ import annotations

import io

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from agentos.report.data import ReportData

COLOURS: dict[str, str] = {
    "keep": "#2ca02c",
    "discard": "#9a9a9a",
    "crash": "#d62728",
    "timeout": "#ff7f0e",
    "oom": "#9467bd",
    "invalid": "#8c564b",
    "rejected": "#17becf",
    "killed": "#000000",
    "running": "#1f77b4",
}
LABEL_CHARS = 48
DPI = 110


def label(text: str, limit: int = LABEL_CHARS) -> str:
    """One printable line of at most `limit` characters."""
    flat = " ".join("".join(c if c.isprintable() else " " for c in text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def render_plot(data: ReportData) -> bytes:
    """The PNG bytes of the progress plot of `data`."""
    fig = Figure(figsize=(12, 6.5), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    measured = [e for e in data.experiments if e.metric is not None and e.kind != "baseline"]
    failed = [e for e in data.experiments if e.metric is None and e.kind != "baseline"]
    last_id = max((e.id for e in data.experiments), default=0)

    for status in COLOURS:
        points = [e for e in measured if e.status == status]
        if points:
            ax.scatter(
                [e.id for e in points],
                [e.metric or 0.0 for e in points],
                s=46 if status == "keep" else 22,
                c=COLOURS[status],
                edgecolors="black" if status == "keep" else "none",
                linewidths=0.6,
                zorder=3,
            )
    if failed:
        # Failures have no metric: mark them along the bottom edge so they are not lost.
        bottom = ax.get_xaxis_transform()
        for e in failed:
            ax.scatter(
                [e.id],
                [0.03],
                transform=bottom,
                marker="x",
                s=40,
                c=COLOURS.get(e.status, "#000000"),
                zorder=3,
                clip_on=False,
            )

    steps = data.running_best()
    if steps:
        xs = [x for x, _, _ in steps] + [max(last_id, steps[-1][0])]
        ys = [y for _, y, _ in steps] + [steps[-1][1]]
        ax.step(xs, ys, where="post", color=COLOURS["keep"], linewidth=1.8, zorder=2)
        for x, y, text in steps[1:] if steps[0][0] == 0 else steps:
            note = ax.annotate(
                label(text),
                (x, y),
                xytext=(4, 6),
                textcoords="offset points",
                fontsize=7.5,
                rotation=22,
                color="#1a5e1a",
                parse_math=False,
                clip_on=True,
            )
            note.set_in_layout(False)
    if data.baseline.metric is not None:
        ax.axhline(data.baseline.metric, color="#555555", linestyle="--", linewidth=0.9)
        ax.scatter([0], [data.baseline.metric], s=46, c="#555555", edgecolors="black", zorder=3)
    values = [e.metric for e in measured] + [data.baseline.metric]
    known = [v for v in values if v is not None]
    if known:
        # Headroom above the best point so the kept changes' labels stay inside the axes.
        low, high = min(known), max(known)
        span = (high - low) or abs(high) or 1.0
        ax.set_ylim(low - 0.08 * span, high + 0.35 * span)

    counts = data.counts()
    handles = [
        Line2D(
            [],
            [],
            marker="o" if s in ("keep", "discard") else "x",
            linestyle="",
            color=COLOURS[s],
            label=f"{s} ({counts[s]})",
        )
        for s in COLOURS
        if counts.get(s)
    ]
    handles.append(Line2D([], [], color=COLOURS["keep"], label="running best"))
    if data.baseline.metric is not None:
        handles.append(Line2D([], [], color="#555555", linestyle="--", label="baseline"))
    ax.legend(handles=handles, loc="lower right", fontsize=8, framealpha=0.85)
    if not measured and data.baseline.metric is None:
        ax.text(
            0.5,
            0.5,
            "no measured experiments yet",
            transform=ax.transAxes,
            ha="center",
            va="center",
            parse_math=False,
        )
    ax.set_xlabel("experiment")
    ax.set_ylabel("metric")
    ax.set_xlim(-0.5, max(last_id, 1) + 0.5)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(alpha=0.25)
    kept = counts.get("keep", 0)
    total = sum(counts.values())
    ax.set_title(
        label(f"{data.task or 'run'} {data.run_id}: {total} experiments, {kept} kept", 120),
        fontsize=11,
        parse_math=False,
    )
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()
