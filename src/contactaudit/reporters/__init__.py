"""Reporters: pure functions from an AuditReport to text or bytes.

Imported lazily by format so a plain ``audit`` does not pay for Jinja2 and pygal.
"""

from __future__ import annotations

from collections.abc import Iterator
from enum import Enum
from importlib import import_module

from contactaudit.models import AuditReport


class ReportFormat(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"
    html = "html"
    junit = "junit"


_MODULES = {
    "table": "table_report",
    "json": "json_report",
    "csv": "csv_report",
    "markdown": "markdown_report",
    "html": "html_report",
    "junit": "junit_report",
}

# What --out-dir writes: file name -> format.
OUT_DIR_FILES = {
    "report.json": "json",
    "findings.csv": "csv",
    "report.html": "html",
    "report.md": "markdown",
    "junit.xml": "junit",
}


def render(report: AuditReport, fmt: str) -> str | bytes:
    module = import_module(f"contactaudit.reporters.{_MODULES[fmt]}")
    if fmt in ("table", "json"):
        return module.render(report)
    return module.render(report, reveal_phones=report.reveal_phones)


def render_chunks(report: AuditReport, fmt: str) -> Iterator[str | bytes | memoryview]:
    """``render`` in pieces for ``write_atomic_chunks``: the JSON and CSV reports stream
    as bytes (a million findings never become one string); other formats are one piece."""
    if fmt == "json":
        from contactaudit.reporters import json_report

        yield from json_report.render_byte_chunks(report)
    elif fmt == "csv":
        from contactaudit.reporters import csv_report

        yield from csv_report.render_byte_chunks(report, reveal_phones=report.reveal_phones)
    else:
        yield render(report, fmt)


def render_suppression(report: AuditReport) -> str:
    from contactaudit.reporters import suppression

    return suppression.render(report)
