"""report.html: one self-contained page to share — summary, charts, trend, findings table.

Choices the contract leaves open:

- Self-contained and offline: inline CSS, inline vanilla JS, charts as inline SVG
  rendered by pygal with its CDN tooltip script switched off (``js=[]``); pygal's
  own ``<script>`` config blob, comments (one carries today's date) and namespace
  URLs are stripped so the page has no URL at all and is byte-identical for the
  same inputs. A Content-Security-Policy ``<meta>`` forbids every network fetch and
  lets only our own two scripts run (by SHA-256 hash), so even a value that slipped
  past escaping could not execute.
- Masked numbers only, whatever ``reveal_phones`` says: the page is made to be
  forwarded. ``e164`` and ``raw`` are never read.
- Jinja2 with autoescape on for every value; names, messages and record ids may
  hold ``<script>``.
- The findings table holds at most ``MAX_TABLE_ROWS`` (5,000) findings, worst
  first, rendered as HTML rows (readable without JS); JS adds sorting by any column
  and filtering by severity, code, source and free text. The filter state lives in
  the URL fragment (``report.html#severity=high&q=B001``) so a filtered view can be
  linked to.
- After the script ran, ``<body>`` carries ``data-ready="1"``, ``data-rows``,
  ``data-visible`` and ``data-charts``; script errors land in ``data-errors`` on
  ``<html>``. The headless-browser test reads those.
- The trend chart plots ``report.history_trend`` (findings, new, resolved per run);
  without history a note says how to get one.
"""

from __future__ import annotations

import base64
import hashlib
import re
from functools import lru_cache
from importlib import resources
from typing import Any

import pandas as pd
import pygal
from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup
from pygal.style import Style

from contactaudit import __version__, catalog
from contactaudit.models import SEVERITY_ORDER, AuditReport, severity_rank
from contactaudit.reporters._common import (
    exit_decision,
    related_text,
    severity_ranks,
    text_or_empty,
    worst_first,
)

MAX_TABLE_ROWS = 5_000

SEVERITY_COLORS = {
    "critical": "#b3261e",
    "high": "#e8710a",
    "medium": "#c99a00",
    "low": "#1a73e8",
    "info": "#80868b",
}

_FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans CJK SC', sans-serif"

# What pygal puts in an SVG that an offline, deterministic page must not carry.
_SVG_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_SVG_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.DOTALL)
_SVG_NAMESPACES = re.compile(r'\s+xmlns(?::\w+)?="[^"]*"')


def _style(colors: tuple[str, ...]) -> Style:
    return Style(
        background="transparent",
        plot_background="transparent",
        foreground="#3c4043",
        foreground_strong="#202124",
        foreground_subtle="#dadce0",
        font_family=_FONT,
        label_font_family=_FONT,
        major_label_font_family=_FONT,
        value_font_family=_FONT,
        value_label_font_family=_FONT,
        title_font_family=_FONT,
        legend_font_family=_FONT,
        tooltip_font_family=_FONT,
        no_data_font_family=_FONT,
        label_font_size=12,
        major_label_font_size=12,
        value_font_size=12,
        legend_font_size=12,
        title_font_size=14,
        colors=colors,
    )


def _chart_config(**extra: Any) -> dict[str, Any]:
    config: dict[str, Any] = {
        "js": [],  # pygal's default is a CDN tooltip script: never load anything
        "disable_xml_declaration": True,
        "explicit_size": False,
        "show_legend": False,
        "print_values": True,
        "print_values_position": "top",
        "margin": 12,
        "truncate_label": 40,
    }
    config.update(extra)
    return config


def _int_ticks(top: int) -> list[int]:
    """Round integer ticks (steps of 1, 2, 5 × 10^k, at most six) from 0 up to ``top``:
    counts are whole, and pygal's own scale puts 0.2 steps under small counts."""
    top = max(int(top), 1)
    magnitude = 1
    while True:
        for base in (1, 2, 5):
            step = base * magnitude
            if top <= 5 * step:
                return [i * step for i in range(-(-top // step) + 1)]
        magnitude *= 10


def _svg(chart: Any, chart_id: str) -> Markup:
    # A fixed id instead of pygal's uuid4 (the CSS is scoped by it): same inputs,
    # same bytes.
    chart.uuid = chart_id
    svg = chart.render(is_unicode=True)
    svg = _SVG_COMMENT.sub("", svg)
    svg = _SVG_SCRIPT.sub("", svg)
    # HTML's parser puts <svg> in the SVG namespace by itself; the xmlns URLs are noise.
    svg = _SVG_NAMESPACES.sub("", svg, count=2)
    svg = svg.replace("<svg ", '<svg role="img" ', 1)
    return Markup(svg)  # pygal escapes every label and value it writes


def _code_chart(by_code: dict[str, int], worst: dict[str, str]) -> Markup:
    items = sorted(by_code.items(), key=lambda kv: (-kv[1], kv[0]))
    chart = pygal.HorizontalBar(
        **_chart_config(
            width=720,
            height=max(160, 34 * len(items) + 60),
            style=_style(("#1a73e8",)),
            print_values_position="center",
            y_labels=_int_ticks(max(by_code.values(), default=1)),
        )
    )
    # pygal draws the first label at the bottom of a horizontal bar chart; reverse so
    # the biggest code reads first.
    items.reverse()
    chart.x_labels = [code for code, _ in items]
    chart.add(
        "findings",
        [
            {"value": n, "color": SEVERITY_COLORS.get(worst.get(code, ""), "#1a73e8")}
            for code, n in items
        ],
    )
    return _svg(chart, "by-code")


def _severity_chart(by_severity: dict[str, int]) -> Markup:
    chart = pygal.Bar(
        **_chart_config(
            width=480,
            height=300,
            style=_style(("#1a73e8",)),
            y_labels=_int_ticks(max(by_severity.values(), default=1)),
        )
    )
    chart.x_labels = list(SEVERITY_ORDER)
    chart.add(
        "findings",
        [{"value": by_severity.get(s, 0), "color": SEVERITY_COLORS[s]} for s in SEVERITY_ORDER],
    )
    return _svg(chart, "by-severity")


def _trend_chart(trend: list[dict[str, Any]]) -> Markup:
    stamps = [text_or_empty(run.get("run_at"))[:16].replace("T", " ") for run in trend]
    days = [stamp[:10] for stamp in stamps]
    # One run a day (the nightly case) reads better as dates alone.
    labels = days if len(set(days)) == len(days) else stamps
    top = max((int(run.get("findings") or 0) for run in trend), default=1)
    chart = pygal.Line(
        **_chart_config(
            width=1200,
            height=320,
            show_legend=True,
            legend_at_bottom=True,
            legend_at_bottom_columns=3,
            print_values=False,
            dots_size=4,
            margin_left=40,
            margin_right=60,
            x_label_rotation=20 if len(trend) > 8 else 0,
            show_minor_x_labels=len(trend) <= 14,
            x_labels_major_every=max(1, len(trend) // 10),
            y_labels=_int_ticks(top),
            style=_style(("#202124", "#b3261e", "#188038")),
        )
    )
    chart.x_labels = labels
    for series in ("findings", "new", "resolved"):
        chart.add(series, [run.get(series) for run in trend])
    return _svg(chart, "trend")


@lru_cache(maxsize=1)
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("contactaudit", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["num"] = lambda n: f"{int(n):,}"
    return env


def _order(severity: str) -> int:
    return SEVERITY_ORDER.index(severity) if severity in SEVERITY_ORDER else len(SEVERITY_ORDER)


@lru_cache(maxsize=1)
def _assets() -> tuple[str, str, str]:
    """(guard script, page script, CSP script-src hashes) — hashed once."""
    base = resources.files("contactaudit") / "templates"
    guard = (base / "report_guard.js").read_text(encoding="utf-8")
    script = (base / "report.js").read_text(encoding="utf-8")
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(s.encode("utf-8")).digest()).decode() + "'"
        for s in (guard, script)
    )
    return guard, script, hashes


def _rows(findings: pd.DataFrame) -> list[dict[str, Any]]:
    """Table rows: display text per column (masked numbers only) plus sort keys."""
    related = related_text(findings["related"])
    ranks = severity_ranks(findings)
    rows = []
    columns = (
        "severity",
        "code",
        "source",
        "row",
        "record_id",
        "borrower_id",
        "column",
        "phone_masked",
        "message",
        "remediation",
        "status",
    )
    records = findings[list(columns)].to_dict("records")
    for rec, rel, rank in zip(records, related, ranks, strict=True):
        row: dict[str, Any] = {c: text_or_empty(rec[c]) for c in columns}
        row["row"] = int(rec["row"])
        row["rank"] = int(rank)
        row["related"] = rel.replace(";", "; ")
        rows.append(row)
    return rows


def render(report: AuditReport, *, reveal_phones: bool = False) -> str:
    """The HTML page (``reveal_phones`` is ignored: masked numbers only)."""
    summary = report.summary()
    f = report.findings
    ranks = pd.Series(severity_ranks(f), index=f.index)
    worst_by_code: dict[str, str] = {}
    if len(f):
        name_of = {severity_rank(name): name for name in SEVERITY_ORDER}
        worst_by_code = {
            str(code): name_of.get(int(rank), "")
            for code, rank in ranks.groupby(f["code"]).max().items()
        }
    table = worst_first(f, MAX_TABLE_ROWS)
    guard, script, script_hashes = _assets()
    context = {
        "report": report,
        "version": __version__,
        "summary": summary,
        "decision": exit_decision(report),
        "severities": SEVERITY_ORDER,
        "colors": SEVERITY_COLORS,
        "by_code": sorted(
            (
                {
                    "code": code,
                    "count": count,
                    "severity": worst_by_code.get(code, ""),
                    "family": catalog.CATALOG[code].family if code in catalog.CATALOG else "",
                    "title": catalog.CATALOG[code].title if code in catalog.CATALOG else "",
                    "remediation": (
                        catalog.CATALOG[code].remediation if code in catalog.CATALOG else ""
                    ),
                }
                for code, count in summary["by_code"].items()
            ),
            key=lambda c: (_order(c["severity"]), -c["count"], c["code"]),
        ),
        "code_chart": _code_chart(summary["by_code"], worst_by_code) if len(f) else None,
        "severity_chart": _severity_chart(summary["by_severity"]) if len(f) else None,
        "trend_chart": _trend_chart(report.history_trend) if report.history_trend else None,
        "trend_runs": len(report.history_trend),
        "rows": _rows(table),
        "shown": len(table),
        "total": len(f),
        "has_status": bool(f["status"].notna().any()) if len(f) else False,
        "codes": sorted(summary["by_code"]),
        "sources": sorted({str(s) for s in f["source"].dropna().unique()}),
        "guard_js": Markup(guard),  # our own constant script
        "page_js": Markup(script),
        "script_hashes": Markup(script_hashes),  # base64 of our own hashes
    }
    return _environment().get_template("report.html.j2").render(**context)
