import re

import pandas as pd

from contactaudit.reporters import markdown_report
from reporting_samples import assert_golden, findings_frame, hostile_row, sample_report


def table_cells(line: str) -> list[str]:
    """Split a GFM table row on the pipes that are not escaped."""
    return re.split(r"(?<!\\)\|", line.strip())[1:-1]


def findings_table(text: str) -> list[str]:
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("### Top"))
    # skip the heading, the blank line, the header row and the alignment row
    return [line for line in lines[start + 4 :] if line.startswith("|")]


def findings_header(text: str) -> list[str]:
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("### Top"))
    return table_cells(lines[start + 2])


def test_report_md_matches_golden_file():
    assert_golden("report.md", markdown_report.render(sample_report()))


def test_summary_has_exit_decision_counts_inputs_and_new_resolved():
    text = markdown_report.render(sample_report())
    assert "❌ **FAIL** (exit 1): 6 findings at or above high" in text
    assert "**9** findings on **8** records" in text
    assert "**4** new, **1** resolved" in text
    assert "| critical | 1 |" in text and "| info | 1 |" in text
    assert "| `phone-shared-by-borrowers` | duplicated | high | REVERIFY | 2 |" in text
    assert "| contacts | `exports/contacts.xlsx` | xlsx | - | 12 | 2 |" in text


def test_new_and_resolved_are_left_out_without_history():
    frame = findings_frame()
    frame["status"] = None
    text = markdown_report.render(sample_report(findings=frame, new=None, resolved=None))
    assert "new," not in text
    assert "| status |" not in text
    assert "| persisting |" not in text


def test_fail_on_never_passes():
    text = markdown_report.render(sample_report(fail_on="never"))
    assert "✅ **PASS** (exit 0): fail-on is never" in text


def test_fail_on_new_counts_only_new_findings():
    text = markdown_report.render(sample_report(fail_on_new=True))
    assert "**FAIL** (exit 1): 3 new findings at or above high (fail-on `high`, new only)" in text


def test_hostile_cells_cannot_break_the_table_or_inject_markup():
    rows = [
        hostile_row("B|7", "a|b *bold* _it_ <script>alert(1)</script> [x](y) ~~s~~ $x$"),
        hostile_row("@octocat", "line one\nline two\r\n`code`", row=30),
    ]
    text = markdown_report.render(sample_report(rows))
    table = findings_table(text)
    header = findings_header(text)
    assert len(table) == 2
    assert all(len(table_cells(line)) == len(header) for line in table)
    first, second = (table_cells(line) for line in table)
    assert first[4].strip() == r"B\|7"
    assert "<script>" not in text
    assert r"\<script\>" in first[7]
    assert r"\*bold\*" in first[7] and r"\[x\](y)" in first[7] and r"\$x\$" in first[7]
    assert second[4].strip() == "`@octocat`"  # a code span: GitHub does not mention there
    assert "line one line two" in second[7]


def test_at_most_fifty_findings_worst_first():
    low = [hostile_row(f"R{i}", "fine", row=100 + i) for i in range(60)]
    crit = findings_frame()[:1]
    frame = findings_frame(low)
    report = sample_report(findings=pd.concat([frame, crit], ignore_index=True))
    text = markdown_report.render(report)
    table = findings_table(text)
    assert "### Top 50 of 61 findings (worst first, numbers masked)" in text
    assert len(table) == 50
    assert table_cells(table[0])[0].strip() == "critical"


def test_empty_report_says_pass_and_has_no_findings_table():
    text = markdown_report.render(sample_report([]))
    assert "✅ **PASS** (exit 0): no finding at or above high" in text
    assert "### Top" not in text
    assert "**0** findings on **0** records" in text
