"""A self-tune run's ledger as the result files show it (a benchmark tool, not a test).

One line per experiment: id, status, the mean of the commit's measurements (the ledger's
metric), how many there were, the design note (`screen KEY=V`, `combine K: ...`) or the move,
and the draws; then the screen's points ranked by their mean against the screen's median, and
the spread of one measurement pooled within the commits measured more than once.

    python -m benchmarks.selftune_ledger DIR/.agentos/ledger.db
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
from contextlib import closing
from pathlib import Path
from typing import Any

from agentos.ledger.read import read_run
from agentos.providers.heuristic.design import DESIGN, SCREEN
from agentos.strategies.noise import pool

TPE = " | tpe "


def rows(db: Path) -> list[dict[str, Any]]:
    """The latest run's rows, through the one ledger reader (read-only)."""
    with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        return [dict(r) for r in read_run(conn, None, path=db).rows]


def draws(row: dict[str, Any]) -> list[float]:
    found = row.get("samples")
    values = json.loads(found) if isinstance(found, str) else found
    return [float(v) for v in values] if values else []


def note(row: dict[str, Any]) -> str:
    d = row["description"] or ""
    if DESIGN in d:
        return d.split(DESIGN)[1].split(TPE)[0]
    return "TPE/local: " + d.split(TPE)[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ledger", type=Path, help="DIR/.agentos/ledger.db of a self-tune run")
    args = parser.parse_args()
    found = rows(args.ledger)
    screen: list[tuple[float, str, int]] = []
    for r in found:
        s, m = draws(r), r["metric"]
        figure = f"{m:.4f}" if m is not None else "   -  "
        shown = " ".join(f"{x:.4f}" for x in s)
        print(f"#{r['id']:<3} {r['status']:<8} {figure}  x{max(1, len(s)):<2} "
              f"{note(r)[:70]:<70} {shown[:60]}")
        if note(r).startswith(SCREEN) and m is not None:
            screen.append((float(m), note(r), max(1, len(s))))
    if screen:
        median = statistics.median(m for m, _, _ in screen)
        print(f"screen median {median:.4f} over {len(screen)} points; ranked:")
        for i, (m, n, k) in enumerate(sorted(screen, reverse=True), 1):
            print(f"  {i:>2}. {m:.4f} x{k} {n}")
    groups = [s for s in map(draws, found) if len(s) > 1]
    sd, df = pool(0.0, 0, groups)
    if df:
        print(f"pooled sd of one measurement {sd:.4f} (df {df}, {len(groups)} commits)")


if __name__ == "__main__":
    main()
