"""models: the report summary's counts."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from contactaudit.models import AuditReport

SOURCES = ("borrowers", "contacts", "reassigned", "opt_outs")


def _report(pairs: list[tuple[str, int]], categorical: bool) -> AuditReport:
    source = pd.Series([s for s, _ in pairs], dtype="category" if categorical else object)
    findings = pd.DataFrame(
        {
            "source": source,
            "row": pd.Series([r for _, r in pairs], dtype="int64"),
            "code": pd.Series(["phone-missing"] * len(pairs), dtype=object),
            "severity": pd.Series(["high"] * len(pairs), dtype=object),
        }
    )
    return AuditReport(
        command="audit",
        as_of=dt.date(2026, 11, 28),
        default_region="CN",
        inputs=[],
        findings=findings,
    )


@settings(max_examples=200, deadline=None)
@given(
    pairs=st.lists(
        st.tuples(
            st.sampled_from(SOURCES),
            # Dense row numbers, and now and then a far one that makes them sparse.
            st.one_of(st.integers(1, 40), st.integers(1, 10**12)),
        ),
        min_size=1,
        max_size=60,
    ),
    categorical=st.booleans(),
)
def test_records_with_findings_counts_distinct_source_and_row_pairs(
    pairs: list[tuple[str, int]], categorical: bool
) -> None:
    report = _report(pairs, categorical)
    assert report.summary()["records_with_findings"] == len(set(pairs))


def test_a_record_with_many_findings_counts_once_and_equal_rows_of_two_sources_twice() -> None:
    pairs = [("contacts", 7)] * 5 + [("borrowers", 7), ("contacts", 8)]
    assert _report(pairs, categorical=True).summary()["records_with_findings"] == 3
