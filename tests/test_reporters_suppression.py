import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contactaudit.reporters import suppression
from reporting_samples import assert_golden, findings_frame, sample_report


def test_suppression_csv_matches_golden_file():
    assert_golden("suppression.csv", suppression.render(sample_report()))


def test_lists_distinct_suppressed_numbers_sorted_with_sorted_codes():
    # fmt: off
    rows = [
        ("phone-opted-out", "high", "SUPPRESS_SMS", "borrowers", 3, "B2", "B2", "phone",
         "m", "k", "msg", (), None, "+8613900000002", "139 0000 0002"),
        ("recipient-third-party", "critical", "BLOCK_SEND", "campaign", 2, "M1", "B1", "phone",
         "m", "k", "msg", (), None, "+8613900000002", "13900000002"),
        ("phone-reassigned", "critical", "SUPPRESS_SMS", "contacts", 4, "C1", "B1", "phone",
         "m", "k", "msg", (), None, "+8613800000001", "13800000001"),
        ("phone-opted-out", "high", "SUPPRESS_SMS", "contacts", 5, "C2", "B3", "phone",
         "m", "k", "msg", (), None, "+8613900000002", "13900000002"),
        # not a suppressing remediation
        ("phone-shared-by-borrowers", "high", "REVERIFY", "borrowers", 6, "B4", "B4", "phone",
         "m", "k", "msg", (), None, "+8613700000003", "13700000003"),
        # suppressing, but the cell has no usable number
        ("phone-invalid", "high", "SUPPRESS_SMS", "borrowers", 7, "B5", "B5", "phone",
         "m", None, "msg", (), None, None, "12345"),
    ]
    # fmt: on
    text = suppression.render(sample_report(rows))
    assert text == (
        "phone_e164,codes\n"
        "+8613800000001,phone-reassigned\n"
        "+8613900000002,phone-opted-out;recipient-third-party\n"
    )


def test_numbers_are_written_as_is_without_bom_or_injection_prefix():
    text = suppression.render(sample_report())
    assert not text.startswith("\ufeff")
    assert "'" not in text
    assert "\r" not in text
    assert "+8613812345678,phone-reassigned" in text.splitlines()


def test_raw_cells_never_reach_the_file():
    text = suppression.render(sample_report())
    assert "138 1234 5678" not in text
    assert "1234567895" not in text


def test_empty_report_has_only_the_header():
    assert suppression.render(sample_report([])) == "phone_e164,codes\n"


def test_a_non_e164_value_is_refused_without_echoing_it():
    frame = findings_frame()
    frame.loc[0, "e164"] = "=cmd|' /C calc'!A0"
    with pytest.raises(ValueError) as excinfo:
        suppression.render(sample_report(findings=frame))
    assert "calc" not in str(excinfo.value)


def test_file_mode_is_owner_only():
    assert suppression.SUPPRESSION_MODE == 0o600


_SUPPRESSING = [
    ("phone-opted-out", "SUPPRESS_SMS"),
    ("phone-reassigned", "SUPPRESS_SMS"),
    ("recipient-third-party", "BLOCK_SEND"),
    ("name-conflict", "REVERIFY"),  # not suppressing
]


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(_SUPPRESSING),
            st.sampled_from(["+8613900000002", "+12025550143", "+8613800000001", None]),
        ),
        max_size=30,
    )
)
def test_rows_match_a_per_number_reference(picks):
    rows = [
        (code, "high", remediation, "borrowers", i + 2, "B", "B", "phone", "m", "k", "msg", (),
         None, e164, "raw")
        for i, ((code, remediation), e164) in enumerate(picks)
    ]  # fmt: skip
    expected: dict[str, set[str]] = {}
    for (code, remediation), e164 in picks:
        if e164 is not None and remediation != "REVERIFY":
            expected.setdefault(e164, set()).add(code)
    lines = suppression.render(sample_report(rows)).splitlines()
    assert lines[1:] == [f"{n},{';'.join(sorted(c))}" for n, c in sorted(expected.items())]
