"""report.md: the summary and the worst findings, for a pull-request comment or a ticket.

Choices the contract leaves open:

- GitHub-flavoured Markdown (pipe tables), no HTML, so GitHub, GitLab and Jira's
  Markdown renderer show the same thing.
- At most ``TOP_FINDINGS`` (50) findings, worst severity first, numbers masked; the
  heading says how many of how many are shown.
- Every data cell is escaped: ``|`` cannot break the table, ``*_`[]<>`` and friends
  cannot format or link, ``@`` cannot mention a user in a PR comment, line breaks
  become spaces. Codes and masked numbers are shown as code spans for readability.
- ``reveal_phones`` is accepted for a uniform signature and ignored: a comment is
  read by people, so it shows masked numbers only.
"""

from __future__ import annotations

import re

import pandas as pd

from contactaudit import catalog
from contactaudit.models import SEVERITY_ORDER, AuditReport, severity_rank
from contactaudit.reporters._common import (
    exit_decision,
    severity_ranks,
    text_or_empty,
    worst_first,
)

TOP_FINDINGS = 50
_RANK_NAME = {severity_rank(name): name for name in SEVERITY_ORDER}

# The ASCII punctuation that can format, link or embed HTML inside a GFM table cell
# (line-start markers such as ``#`` or ``-`` cannot occur there). CommonMark lets any
# ASCII punctuation be backslash-escaped; ``$`` starts math on GitHub.
_SPECIALS = re.compile(r"([\\`*_\[\]<>|~&$])")
_LINE_BREAKS = re.compile(r"[\r\n\t\v\f\u2028\u2029]+")
_BACKTICKS = re.compile(r"`+")


def _flat(value: object) -> str:
    return _LINE_BREAKS.sub(" ", text_or_empty(value)).strip()


def escape(value: object) -> str:
    """A table cell: Markdown specials backslash-escaped, line breaks flattened.

    A value with ``@`` becomes a code span instead: GitHub links mentions in text
    nodes after Markdown parsing, so ``\\@name`` would still ping a user.
    """
    text = _flat(value)
    if "@" in text:
        return code_span(text)
    return _SPECIALS.sub(r"\\\1", text)


def code_span(value: object) -> str:
    """``value`` as inline code; a fence longer than any backtick run inside it, and
    ``|`` escaped (GFM splits table cells before it parses code spans)."""
    text = _flat(value)
    if not text:
        return ""
    fence = "`" * (max((len(m) for m in _BACKTICKS.findall(text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    body = text.replace("|", "\\|")
    return f"{fence}{pad}{body}{pad}{fence}"


def _table(header: list[str], rows: list[list[str]], align: str) -> list[str]:
    lines = ["| " + " | ".join(header) + " |"]
    lines.append("|" + "|".join(":---" if a == "l" else "---:" for a in align) + "|")
    lines.extend("| " + " | ".join(row) + " |" for row in rows)
    return lines


def render(report: AuditReport, *, reveal_phones: bool = False) -> str:
    """The Markdown report (``reveal_phones`` is ignored: masked numbers only)."""
    summary = report.summary()
    decision = exit_decision(report)
    icon = "✅" if decision["passed"] else "❌"
    lines: list[str] = [
        f"## contactaudit {escape(report.command)} — {report.as_of.isoformat()}",
        "",
        f"{icon} **{decision['label']}** (exit {decision['status']}): {decision['sentence']}"
        f" (fail-on `{report.fail_on}`{', new only' if report.fail_on_new else ''}).",
        "",
        f"**{summary['findings']:,}** findings on **{summary['records_with_findings']:,}** "
        f"records; default region `{escape(report.default_region)}`.",
    ]
    if summary["new"] is not None:
        lines.append(
            f"Since the previous run: **{summary['new']:,}** new, "
            f"**{(summary['resolved'] or 0):,}** resolved."
        )
    if report.gate_counts is not None:
        g = report.gate_counts
        lines.append(
            f"Messages: **{g.get('messages', 0):,}** — approved **{g.get('approved', 0):,}**, "
            f"blocked **{g.get('blocked', 0):,}**."
        )

    lines += ["", "### Findings by severity", ""]
    lines += _table(
        ["severity", "findings"],
        [[sev, f"{summary['by_severity'].get(sev, 0):,}"] for sev in SEVERITY_ORDER],
        "lr",
    )

    if summary["by_code"]:
        lines += ["", "### Findings by code", ""]
        f = report.findings
        # A code can carry several severities (phone-missing: high on borrowers, low on
        # contacts, or a config override); the table shows the worst.
        ranks = pd.Series(severity_ranks(f), index=f.index).groupby(f["code"]).max()
        worst = {code: _RANK_NAME.get(int(rank), "") for code, rank in ranks.items()}
        rows = []
        for code, count in summary["by_code"].items():
            info = catalog.CATALOG.get(code)
            rows.append(
                [
                    code_span(code),
                    info.family if info else "",
                    escape(worst.get(code, "")),
                    info.remediation if info else "",
                    f"{count:,}",
                ]
            )
        rows.sort(key=lambda r: (SEVERITY_ORDER.index(r[2]) if r[2] in SEVERITY_ORDER else 9, r[0]))
        lines += _table(["code", "family", "severity", "remediation", "findings"], rows, "llllr")

    lines += ["", "### Inputs", ""]
    lines += _table(
        ["source", "path", "format", "encoding", "rows", "warnings"],
        [
            [
                escape(i.source),
                code_span(i.path),
                escape(i.format),
                escape(i.encoding or "-"),
                f"{i.rows:,}",
                f"{sum(int(w.get('count', 1) or 1) for w in i.warnings):,}",
            ]
            for i in report.inputs
        ],
        "llllrr",
    )

    if summary["findings"]:
        top = worst_first(report.findings, TOP_FINDINGS)
        shown = len(top)
        total = summary["findings"]
        title = "Top findings" if shown == total else f"Top {shown} of {total:,} findings"
        lines += ["", f"### {title} (worst first, numbers masked)", ""]
        has_status = top["status"].notna().any()
        header = ["severity", "code", "source", "row", "record", "column", "number", "message"]
        if has_status:
            header.append("status")
        rows = []
        for rec in top.to_dict("records"):
            row = [
                escape(rec["severity"]),
                code_span(rec["code"]),
                escape(rec["source"]),
                str(int(rec["row"])),
                escape(rec["record_id"]),
                escape(rec["column"]),
                code_span(rec["phone_masked"]),
                escape(rec["message"]),
            ]
            if has_status:
                row.append(escape(rec["status"]))
            rows.append(row)
        lines += _table(header, rows, "lllrlllll"[: len(header)])
    lines.append("")
    return "\n".join(lines)
