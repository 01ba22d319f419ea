"""Reporters: pure functions from an AuditReport to text or bytes.

Imported lazily by format so a plain ``audit`` does not pay for Jinja2 and pygal.
"""

from __future__ import annotations

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


def render_suppression(report: AuditReport) -> str:
    from contactaudit.reporters import suppression

    return suppression.render(report)
