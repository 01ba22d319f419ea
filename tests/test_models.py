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


def _part(codes: list[str | None], object_columns: bool = False) -> pd.DataFrame:
    from contactaudit.models import CHECK_COLUMNS

    n = len(codes)
    frame = pd.DataFrame({c: pd.Series([None] * n, dtype=object) for c in CHECK_COLUMNS})
    frame["row"] = pd.Series(range(2, n + 2), dtype="int64")
    frame["code"] = pd.Series(codes, dtype=object)
    frame["message"] = pd.Series([f"m{i}" for i in range(n)], dtype=object)
    if not object_columns:
        frame["code"] = frame["code"].astype("category")
    return frame


def test_check_frames_keep_categoricals_over_the_union_of_their_categories() -> None:
    from contactaudit.models import CHECK_COLUMNS, concat_check_frames

    parts = [_part(["b", "a", None]), _part([]), _part(["c", "a"])]
    out = concat_check_frames(parts)
    assert tuple(out.columns) == CHECK_COLUMNS
    assert isinstance(out["code"].dtype, pd.CategoricalDtype)
    assert list(out["code"].cat.categories) == ["a", "b", "c"]
    assert out["code"].astype(object).where(out["code"].notna(), None).tolist() == [
        "b",
        "a",
        None,
        "c",
        "a",
    ]
    assert out["message"].tolist() == ["m0", "m1", "m2", "m0", "m1"]
    assert out["row"].tolist() == [2, 3, 4, 2, 3] and out.index.tolist() == list(range(5))


def test_check_frames_with_a_text_column_among_categoricals_give_its_values() -> None:
    from contactaudit.models import concat_check_frames, empty_check_frame

    out = concat_check_frames([_part(["b"]), _part(["x", "y"], object_columns=True)])
    assert out["code"].astype(object).tolist() == ["b", "x", "y"]
    empty = concat_check_frames([_part([]), _part([])])
    assert empty.empty and tuple(empty.columns) == tuple(empty_check_frame().columns)
