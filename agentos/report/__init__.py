"""Seeing a run: an HTML page and a progress plot made from the ledger alone."""

from agentos.report.data import Experiment, ReportData, collect
from agentos.report.datasette import datasette_metadata
from agentos.report.page import render_html
from agentos.report.plot import render_plot
from agentos.report.write import ReportPaths, write_report

__all__ = [
    "Experiment",
    "ReportData",
    "ReportPaths",
    "collect",
    "datasette_metadata",
    "render_html",
    "render_plot",
    "write_report",
]
