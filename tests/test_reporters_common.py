import math

import numpy as np
import pandas as pd
import pytest

from contactaudit.models import Related
from contactaudit.reporters import (
    csv_report,
    html_report,
    junit_report,
    markdown_report,
    suppression,
)
from contactaudit.reporters._common import (
    categorical_text,
    exit_decision,
    failing_mask,
    flat_related,
    related_text,
    related_text_array,
    worst_first,
)
from reporting_samples import findings_frame, hostile_row, sample_report


def test_related_text_formats_with_and_without_record_id():
    values = [
        (),
        None,
        math.nan,
        (Related("borrowers", 5, "B004"),),
        (Related("borrowers", 6, "B005"), Related("contacts", 7, None)),
    ]
    assert related_text(values) == [
        "",
        "",
        "",
        "borrowers:5:B004",
        "borrowers:6:B005;contacts:7",
    ]


@pytest.mark.parametrize(
    "values",
    [
        [],
        [(), None, math.nan, (Related("borrowers", 5, "B004"),)],
        [(Related("b", np.int64(6), "B:5;x"), ("contacts", 7, math.nan)), [("c", 8, None)]],
        [(("borrowers", 2.0, "B1"),), ()],  # a float row: the per-finding path
    ],
)
def test_related_text_array_equals_related_text(values):
    assert related_text_array(values).to_pylist() == related_text(values)
    assert related_text_array(iter(values)).to_pylist() == related_text(values)


def test_flat_related_offsets_and_null_ids():
    flat = flat_related([(), (Related("b", 5, "B4"), Related("c", 7, None)), None])
    assert flat.offsets.to_pylist() == [0, 0, 2, 2]
    assert flat.sources.to_pylist() == ["b", "c"]
    assert flat.rows.to_pylist() == [5, 7]
    assert flat.record_ids.to_pylist() == ["B4", None]


@pytest.mark.parametrize(
    ("overrides", "failing"),
    [
        ({}, 6),
        ({"fail_on": "critical"}, 1),
        ({"fail_on": "info"}, 9),
        ({"fail_on": "never"}, 0),
        ({"fail_on_new": True}, 3),
    ],
)
def test_failing_mask_matches_the_exit_status(overrides, failing):
    report = sample_report(**overrides)
    mask = failing_mask(report)
    assert int(mask.sum()) == failing
    assert report.exit_status == (1 if failing else 0)
    assert exit_decision(report)["failing"] == failing
    assert exit_decision(report)["passed"] == (failing == 0)


def test_worst_first_is_stable_within_a_severity():
    rows = [hostile_row("L1", "x", row=3), *findings_frame().itertuples(index=False, name=None)]
    ordered = worst_first(findings_frame(rows))
    assert ordered["severity"].iloc[0] == "critical"
    lows = ordered[ordered["severity"] == "low"]
    assert list(lows["row"]) == [3, 9]
    assert len(worst_first(findings_frame(rows), 2)) == 2


def test_reporters_give_the_same_output_for_arrow_string_columns():
    """pandas 3 may hand reporters ``str`` (Arrow) columns with NaN for missing values."""
    plain = sample_report()
    frame = findings_frame()
    for column in (
        "code",
        "severity",
        "remediation",
        "source",
        "record_id",
        "borrower_id",
        "column",
        "phone_masked",
        "phone_key",
        "message",
        "status",
        "e164",
        "raw",
    ):
        frame[column] = frame[column].astype("str")
    arrow = sample_report(findings=frame)
    for render in (
        csv_report.render,
        markdown_report.render,
        junit_report.render,
        html_report.render,
    ):
        assert render(arrow, reveal_phones=True) == render(plain, reveal_phones=True)
    assert suppression.render(arrow) == suppression.render(plain)


def test_categorical_text_takes_the_categories_by_code_and_keeps_missing_null() -> None:
    values = pd.Series(pd.Categorical(["b", None, "a", "b"], categories=["b", "a", "unused"]))
    assert categorical_text(values).to_pylist() == ["b", None, "a", "b"]
    assert categorical_text(pd.Series(pd.Categorical([None, None]))).to_pylist() == [None, None]
    assert categorical_text(pd.Series(["a"], dtype=object)) is None
    assert categorical_text(pd.Series(pd.Categorical([1, 2]))) is None  # not text


def test_csv_of_categorical_columns_equals_csv_of_text_columns() -> None:
    report = sample_report()
    as_text = csv_report.render(report)
    findings = report.findings.copy()
    for name in ("code", "severity", "remediation", "source", "column"):
        findings[name] = findings[name].astype("category")
    assert csv_report.render(sample_report(findings=findings)) == as_text
