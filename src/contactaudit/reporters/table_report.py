"""The default console report: a rich summary a person reads on the terminal.

Input provenance first (so a wrong column guess is seen before the numbers are
trusted), then counts by severity and by code, the worst examples (masked), and the
exit decision. This module and cli.py are the only ones that import rich.
"""

from __future__ import annotations

import io

from rich import box
from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from contactaudit import catalog
from contactaudit.models import SEVERITY_ORDER, AuditReport

SEVERITY_STYLE = {
    "critical": "bold white on red",
    "high": "bold red",
    "medium": "yellow",
    "low": "cyan",
    "info": "dim",
}

EXAMPLES = 10


def _inputs_table(report: AuditReport) -> Table:
    table = Table(title="Inputs", box=box.SIMPLE_HEAD, title_justify="left")
    table.add_column("source", no_wrap=True)
    table.add_column("path", overflow="fold", ratio=1)
    table.add_column("format", no_wrap=True)
    table.add_column("encoding", no_wrap=True)
    table.add_column("rows", justify="right", no_wrap=True)
    for info in report.inputs:
        table.add_row(info.source, info.path, info.format, info.encoding or "-", f"{info.rows:,}")
        renamed = [f"{k}←{v}" for k, v in sorted(info.columns.items()) if k != v]
        plain = [k for k, v in sorted(info.columns.items()) if k == v]
        table.add_row("", Text("columns: " + ", ".join(renamed + plain), style="dim"))
        for warning in info.warnings:
            rows = warning.get("rows")
            where = ""
            if rows:
                where = f" rows {', '.join(map(str, rows[:5]))}{'…' if len(rows) > 5 else ''}"
            what = warning.get("column") or ", ".join(warning.get("columns", []))
            count = warning.get("count")
            table.add_row(
                "",
                Text(
                    f"warning: {warning.get('issue')} in {what}"
                    + (f" ×{count}" if count is not None else "")
                    + where,
                    style="yellow",
                ),
            )
    return table


def _severity_table(report: AuditReport, summary: dict) -> Table:
    table = Table(title="Findings by severity", box=box.SIMPLE_HEAD, title_justify="left")
    table.add_column("severity")
    table.add_column("findings", justify="right")
    for sev in SEVERITY_ORDER:
        count = summary["by_severity"].get(sev, 0)
        table.add_row(Text(sev, style=SEVERITY_STYLE[sev]), f"{count:,}")
    return table


def _code_table(report: AuditReport) -> Table:
    table = Table(title="Findings by code", box=box.SIMPLE_HEAD, title_justify="left")
    table.add_column("code", no_wrap=True)
    table.add_column("family", no_wrap=True)
    table.add_column("severity", no_wrap=True)
    table.add_column("remediation", no_wrap=True)
    table.add_column("findings", justify="right", no_wrap=True)
    f = report.findings
    counts = f.groupby(["code", "severity"], sort=False).size()
    rows = sorted(
        ((code, sev, int(n)) for (code, sev), n in counts.items()),
        key=lambda t: (SEVERITY_ORDER.index(t[1]), t[0]),
    )
    for code, sev, n in rows:
        info = catalog.CATALOG[code]
        table.add_row(
            code, info.family, Text(sev, style=SEVERITY_STYLE[sev]), info.remediation, f"{n:,}"
        )
    return table


def _examples(report: AuditReport) -> Group:
    lines: list[Text] = [Text(f"Worst findings (first {EXAMPLES}, numbers masked)", style="italic")]
    head = report.findings.head(EXAMPLES)
    for rec in head.to_dict("records"):
        line = Text("  ")
        line.append(f"{rec['severity']:<9}", style=SEVERITY_STYLE[rec["severity"]])
        line.append(f"{rec['code']}  {rec['source']}:{int(rec['row'])}")
        if _text(rec["record_id"]) != "-":
            line.append(f"  {rec['record_id']}")
        line.append(f"  {_text(rec['phone_masked'])}")
        lines.append(line)
        lines.append(Text(f"           {_text(rec['message'])}", style="dim"))
    return Group(*lines)


def _text(value: object) -> str:
    """A cell as text; missing values (None or pandas NaN) as '-'."""
    if value is None or value != value:
        return "-"
    return str(value)


def _decision(report: AuditReport, summary: dict) -> Text:
    status = report.exit_status
    scope = "new findings" if report.fail_on_new else "findings"
    if report.fail_on == "never":
        return Text("Exit 0: --fail-on never.", style="green")
    if status == 1:
        return Text(f"Exit 1: {scope} at or above '{report.fail_on}'.", style="bold red")
    return Text(f"Exit 0: no {scope} at or above '{report.fail_on}'.", style="bold green")


def build(report: AuditReport) -> Group:
    summary = report.summary()
    parts: list = [_inputs_table(report)]
    headline = Text(
        f"{report.command}: {summary['findings']:,} findings on "
        f"{summary['records_with_findings']:,} records (as of {report.as_of.isoformat()}, "
        f"default region {report.default_region})",
        style="bold",
    )
    parts.append(headline)
    if summary["new"] is not None:
        parts.append(
            Text(
                f"Since the previous run: {summary['new']:,} new, {summary['resolved']:,} resolved."
            )
        )
    if report.gate_counts is not None:
        g = report.gate_counts
        parts.append(
            Text(
                f"Messages: {g['messages']:,} — approved {g['approved']:,}, "
                f"blocked {g['blocked']:,}."
            )
        )
    if summary["findings"]:
        parts.extend([_severity_table(report, summary), _code_table(report), _examples(report)])
    parts.append(_decision(report, summary))
    return Group(*parts)


def render_to(report: AuditReport, console: Console) -> None:
    console.print(build(report))


def render(report: AuditReport, width: int = 120) -> str:
    """Plain text (no colour) — for ``-o report.txt`` and for tests."""
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, color_system=None, force_terminal=False)
    render_to(report, console)
    return buffer.getvalue()
