from __future__ import annotations

from contactaudit.reporters import table_report
from reporting_samples import SECRETS, assert_golden, sample_report


def test_table_report_matches_golden_file() -> None:
    assert_golden("report.txt", table_report.render(sample_report(), width=100))


def test_table_report_shows_provenance_counts_examples_and_decision() -> None:
    text = table_report.render(sample_report(), width=100)
    assert "Inputs" in text
    assert "phone←手机号" in text
    assert "Findings by code" in text
    assert "phone-reassigned" in text
    assert "138****5678" in text
    assert "Exit 1: findings at or above 'high'." in text


def test_table_report_never_shows_a_number_unmasked() -> None:
    text = table_report.render(sample_report(reveal_phones=True), width=100)
    for secret in SECRETS:
        assert secret not in text


def test_empty_report_says_exit_0() -> None:
    text = table_report.render(sample_report(rows=[]), width=100)
    assert "0 findings" in text
    assert "Exit 0: no findings at or above 'high'." in text


def test_fail_on_new_decision_names_new_findings() -> None:
    report = sample_report(fail_on_new=True, fail_on="critical")
    assert "Exit 1: new findings at or above 'critical'." in table_report.render(report)
