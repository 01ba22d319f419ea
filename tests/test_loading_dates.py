"""Date, boolean and country columns of loaded exports."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from contactaudit.errors import ColumnError
from contactaudit.loading import load_export
from contactaudit.loading.dates import parse_dates

JAN5 = pd.Timestamp("2023-01-05")


def parse(values: list[str | None], date_order: str | None = None) -> tuple[list, list[int]]:
    dates, bad = parse_dates(
        pd.Series(values, dtype=object), column="验证时间", path="b.csv", date_order=date_order
    )
    assert dates.dtype == "datetime64[ns]"
    return dates.tolist(), bad


@pytest.mark.parametrize(
    "text",
    [
        "2023-01-05",
        "2023-01-05 10:30:00",
        "2023-01-05T10:30:00",
        "2023-01-05T23:30:00-05:00",
        "2023-01-05T10:30:00.123Z",
        "2023/1/5",
        "2023/01/05 10:30",
        "2023.01.05",
        "2023-1-5",
        "2023年1月5日",
        "2023年1月5日 10:30",
        "2023年01月05日10时30分",
        "20230105",
        "44931",
        "44931.75",
        "５ Jan 2023",
        "05-JAN-23",
        "Jan 5, 2023",
        "２０２３－０１－０５",
        " 2023-01-05 ",
    ],
)
def test_every_spelling_parses_to_the_date(text):
    assert parse([text]) == ([JAN5], [])


def test_empty_and_null_tokens_are_missing_not_unparseable():
    dates, bad = parse([None, "NULL", "无", "0", "0000-00-00 00:00:00", "-"])
    assert all(pd.isna(d) for d in dates)
    assert bad == []


def test_impossible_and_garbage_dates_are_unparseable():
    dates, bad = parse(["2023-02-30", "9999-12-31", "soon", "12345", "2023-01-05"])
    assert dates[-1] == JAN5
    assert bad == [0, 1, 2, 3]


def test_plain_iso_dates_read_as_the_patterns_read_them():
    # Plain ISO values take a fast lane; mixed with other spellings, the same answers.
    values = ["2023-01-05", "2023-01-05 10:30:00", "0000-00-00", "0000-00-00 00:00:00"]
    values += ["2023-02-30", "9999-12-31 00:00:00", "1677-12-31", "0000-01-05", "2023/1/5"]
    values += ["2023-01-05 99:99:99", None, "20230105", "2023-01-05\u3000"]
    dates, bad = parse(values)
    parsed = [i for i, d in enumerate(dates) if not pd.isna(d)]
    assert parsed == [0, 1, 8, 9, 11, 12]
    assert all(dates[i] == JAN5 for i in parsed)
    assert bad == [4, 5, 6, 7]


def test_ambiguous_day_month_is_an_error_naming_file_and_column():
    with pytest.raises(ColumnError) as caught:
        parse(["05/01/2023", "2023-01-06"])
    message = str(caught.value)
    assert message.startswith("b.csv: column '验证时间' has dates")
    assert 'date_order = "DMY" or "MDY"' in message
    assert "05/01/2023" not in message


@pytest.mark.parametrize(
    ("order", "expected"),
    [("DMY", pd.Timestamp("2023-01-05")), ("MDY", pd.Timestamp("2023-05-01"))],
)
def test_configured_order_resolves_ambiguous_dates(order, expected):
    assert parse(["05/01/2023"], date_order=order) == ([expected], [])


def test_column_with_a_day_over_12_is_day_first():
    dates, bad = parse(["05/01/2023", "25/01/2023"])
    assert dates == [JAN5, pd.Timestamp("2023-01-25")]
    assert bad == []


def test_column_with_a_second_part_over_12_is_month_first():
    assert parse(["01/05/2023", "01/25/2023"])[0] == [JAN5, pd.Timestamp("2023-01-25")]


def test_column_with_evidence_for_both_orders_is_an_error():
    with pytest.raises(ColumnError, match="date_order"):
        parse(["25/01/2023", "01/25/2023"])


def test_two_digit_years_need_a_configured_order():
    with pytest.raises(ColumnError):
        parse(["23/01/05"])
    assert parse(["23/01/05"], date_order="YMD") == ([JAN5], [])
    assert parse(["05/01/23"], date_order="DMY") == ([JAN5], [])


def test_configured_order_flags_values_that_do_not_fit():
    assert parse(["01/25/2023"], date_order="DMY") == ([pd.NaT], [0])


# --- through load_export ---------------------------------------------------------


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "b.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_unparseable_dates_warn_with_rows_but_never_the_value(tmp_path):
    text = "borrower_id,phone,phone_verified_at,consent_at\n"
    text += "B1,1,2023-01-05,\nB2,2,secret-value,\nB3,3,,44931\nB4,4,also bad,\n"
    loaded = load_export(write(tmp_path, text), "borrowers")
    frame = loaded.frame
    assert frame["phone_verified_at"].tolist() == [JAN5, pd.NaT, pd.NaT, pd.NaT]
    assert frame["consent_at"].tolist() == [pd.NaT, pd.NaT, JAN5, pd.NaT]
    assert loaded.info.warnings == [
        {"column": "phone_verified_at", "issue": "unparseable-date", "count": 2, "rows": [3, 5]}
    ]
    assert "secret" not in repr(loaded.info.to_dict())


def test_warning_lists_at_most_20_rows(tmp_path):
    text = "phone,disconnected_at\n" + "1,bad\n" * 25
    loaded = load_export(write(tmp_path, text), "reassigned")
    (warning,) = loaded.info.warnings
    assert warning["count"] == 25
    assert warning["rows"] == list(range(2, 22))


def test_ambiguous_dates_in_a_file_are_an_error_unless_configured(tmp_path):
    path = write(tmp_path, "phone,opted_out_at\n1,05/01/2023\n")
    with pytest.raises(ColumnError, match=r"b\.csv: column 'opted_out_at' has dates"):
        load_export(path, "opt_outs")
    frame = load_export(path, "opt_outs", date_order="dmy").frame
    assert frame["opted_out_at"].tolist() == [JAN5]


def test_sms_opt_out_is_nullable_boolean(tmp_path):
    text = "borrower_id,phone,sms_opt_out\n"
    text += "B1,1,是\nB2,2,FALSE\nB3,3,\nB4,4,0\nB5,5,null\nB6,6,perhaps\n"
    loaded = load_export(write(tmp_path, text), "borrowers")
    assert loaded.frame["sms_opt_out"].dtype == "boolean"
    assert loaded.frame["sms_opt_out"].tolist() == [True, False, pd.NA, False, pd.NA, pd.NA]
    assert loaded.info.warnings == [
        {"column": "sms_opt_out", "issue": "unknown-boolean", "count": 1, "rows": [7]}
    ]


def test_country_is_upper_case_alpha2_or_none(tmp_path):
    text = "borrower_id,phone,country\nB1,1,cn\nB2,2, us \nB3,3,\nB4,4,中国\nB5,5,Atlantis\n"
    loaded = load_export(write(tmp_path, text), "borrowers")
    assert loaded.frame["country"].tolist() == ["CN", "US", None, "CN", None]
    assert loaded.info.warnings == [
        {"column": "country", "issue": "unknown-country", "count": 1, "rows": [6]}
    ]
