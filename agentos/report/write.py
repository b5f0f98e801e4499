"""`write_report`, the library behind `agentos report`: page, plot and Datasette metadata."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from agentos.report.data import ReportData, collect
from agentos.report.datasette import datasette_metadata
from agentos.report.page import render_html
from agentos.report.plot import render_plot

HTML_NAME = "report.html"
PNG_NAME = "progress.png"
METADATA_NAME = "datasette-metadata.json"


@dataclass(frozen=True)
class ReportPaths:
    """Where the report went, and the run it describes."""

    html: Path
    png: Path
    metadata: Path
    run_id: str
    rows: int
    killed: int


def write_report(
    path: Path | str = ".", run_id: str | None = None, out_dir: Path | str | None = None
) -> ReportPaths:
    """Write `report.html` and `progress.png` for one run (default: the latest) of the repository
    at `path`, into `out_dir` (default: `.agentos/reports/<run>/`, inside agentos' git-ignored
    state folder). Reads the ledger only, so it works during a run and after a crash."""
    data = collect(path, run_id)
    if out_dir is None:
        assert data.ledger is not None
        out = data.ledger.parent / "reports" / data.run_id
    else:
        out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    png = render_plot(data)
    html_path, png_path = out / HTML_NAME, out / PNG_NAME
    _atomic_write(png_path, png)
    _atomic_write(html_path, render_html(data, png, PNG_NAME).encode("utf-8"))
    meta_path = out / METADATA_NAME
    meta = datasette_metadata(data.ledger.stem if data.ledger else "ledger")
    _atomic_write(meta_path, json.dumps(meta, indent=2).encode("utf-8"))
    return ReportPaths(
        html=html_path,
        png=png_path,
        metadata=meta_path,
        run_id=data.run_id,
        rows=len(data.rows),
        killed=sum(1 for e in data.experiments if e.killed),
    )


def _atomic_write(path: Path, data: bytes) -> None:
    """A reader never sees half a file: write beside, then rename over."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


__all__ = ["ReportData", "ReportPaths", "write_report"]
