"""assemble_findings: catalogue severities, overrides, masking, keys and report order."""

from __future__ import annotations

import hashlib
import hmac

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contactaudit import catalog
from contactaudit.audit import assemble_findings
from contactaudit.config import AuditConfig
from contactaudit.models import (
    CHECK_COLUMNS,
    FINDING_COLUMNS,
    Related,
    concat_check_frames,
    severity_rank,
)
from contactaudit.privacy import mask_phone

_CODES = ("phone-missing", "phone-invalid", "contact-duplicate", "name-conflict", "region-mismatch")


def _checks(rows: list[tuple]) -> pd.DataFrame:
    frame = pd.DataFrame(
        {c: pd.Series([r[i] for r in rows], dtype=object) for i, c in enumerate(CHECK_COLUMNS)}
    )
    return frame.astype({"row": "int64"})


_CATEGORICAL = ("code", "source", "column", "message")


def _categorical_checks(rows: list[tuple], parts: int) -> pd.DataFrame:
    """The check frames as the families make them: code, source, column and message categorical
    (each part with its own categories, one never used), joined by concat_check_frames."""
    frames = []
    for k in range(parts):
        frame = _checks(rows[k::parts])
        for name in _CATEGORICAL:
            unused = {"code": "phone-placeholder", "source": "zz", "column": "zz"}.get(name, "zz")
            values = frame[name].tolist()
            categories = sorted({v for v in values if v is not None} | {unused}, reverse=True)
            frame[name] = pd.Categorical(values, categories=categories)
        frames.append(frame)
    return concat_check_frames(frames)


def _reference(checks: pd.DataFrame, config: AuditConfig) -> list[tuple]:
    """The contract's order spelled out slowly: severity desc, code, source, row, then
    column, record_id, message, stable."""
    out = []
    for position, rec in enumerate(checks.to_dict("records")):
        code = rec["code"]
        if not config.enabled(code):
            continue
        severity = config.severity.get(
            code, catalog.CATALOG[code].default_severity(rec["source"]).value
        )
        sort_key = (
            -severity_rank(severity),
            code,
            rec["source"],
            rec["row"],
            rec["column"] or "",
            rec["record_id"] or "",
            rec["message"] or "",
            position,
        )
        out.append((sort_key, severity, rec))
    out.sort(key=lambda item: item[0])
    return [
        (
            rec["code"],
            severity,
            catalog.CATALOG[rec["code"]].remediation,
            rec["source"],
            rec["row"],
            rec["record_id"],
            rec["message"],
            rec["related"],
            mask_phone(rec["e164"], None) if rec["e164"] else mask_phone(None, rec["raw"]),
        )
        for _, severity, rec in out
    ]


def _got(findings: pd.DataFrame) -> list[tuple]:
    cols = ["code", "severity", "remediation", "source", "row", "record_id", "message"]

    def objects(name: str) -> pd.Series:
        # Arrow text and categoricals give NaN for a missing value: None, as in checks.
        values = findings[name].astype(object)
        return values.where(values.notna(), None)

    masked = objects("phone_masked")
    return [
        (*values[:-2], values[-2], values[-1])
        for values in zip(
            *(objects(c) if c == "message" else findings[c] for c in cols),
            findings["related"],
            masked,
            strict=True,
        )
    ]


def test_phone_missing_is_low_on_contacts_and_high_on_borrowers() -> None:
    checks = _checks(
        [
            ("phone-missing", "contacts", 2, "C1", "B1", "phone", None, None, "m", ()),
            ("phone-missing", "borrowers", 3, "B1", "B1", "phone", None, None, "m", ()),
        ]
    )
    f = assemble_findings(checks, AuditConfig())
    assert list(zip(f["source"], f["severity"], strict=True)) == [
        ("borrowers", "high"),
        ("contacts", "low"),
    ]


def test_config_severity_overrides_every_source_and_ignore_drops_codes() -> None:
    checks = _checks(
        [
            ("phone-missing", "contacts", 2, "C1", "B1", "phone", None, None, "m", ()),
            ("phone-invalid", "borrowers", 3, "B1", "B1", "phone", None, "12", "m", ()),
            ("name-conflict", "contacts", 4, "C2", "B1", "phone", None, None, "m", ()),
        ]
    )
    config = AuditConfig(severity={"phone-missing": "critical"}, ignore=("name-conflict",))
    f = assemble_findings(checks, config)
    assert f["code"].tolist() == ["phone-missing", "phone-invalid"]
    assert f["severity"].tolist() == ["critical", "high"]


def test_findings_carry_masked_numbers_keys_and_categorical_catalogue_columns(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CONTACTAUDIT_HASH_KEY", "assemble-test")
    rel = (Related("borrowers", 5, "B4"),)
    checks = _checks(
        [
            ("contact-duplicate", "contacts", 3, None, "B1", "c2_phone", "+8613926418573",
             "139 2641 8573", "m", rel),
            ("phone-invalid", "contacts", 4, "C4", None, "phone", None, "12345678", "m", ()),
        ]
    )  # fmt: skip
    f = assemble_findings(checks, AuditConfig())
    assert list(f.columns) == list(FINDING_COLUMNS)
    assert f["row"].dtype == "int64"
    categorical = ("code", "severity", "remediation", "source")
    assert all(isinstance(f[c].dtype, pd.CategoricalDtype) for c in categorical)
    # Masks and keys are made per distinct number as Arrow text (missing = NaN).
    text = ("phone_masked", "phone_key")
    assert all(f[c].dtype == "str" for c in text)
    others = (*categorical, *text, "row")
    assert all(f[c].dtype == object for c in FINDING_COLUMNS if c not in others)
    assert f["phone_masked"].tolist() == ["****5678", "139****8573"]
    key = hmac.new(b"assemble-test", b"+8613926418573", hashlib.sha256).hexdigest()[:16]
    assert f["phone_key"].isna().tolist() == [True, False]
    assert f["phone_key"].iloc[1] == key
    assert f["record_id"].tolist() == ["C4", None]
    assert f["related"].tolist() == [(), rel]
    assert f["status"].tolist() == [None, None]


def test_no_checks_give_an_empty_frame_with_the_finding_columns() -> None:
    f = assemble_findings(_checks([]), AuditConfig())
    assert f.empty and list(f.columns) == list(FINDING_COLUMNS)


def test_uncatalogued_code_is_a_bug() -> None:
    checks = _checks([("no-such-code", "borrowers", 2, "B1", "B1", "phone", None, None, "m", ())])
    with pytest.raises(AssertionError, match="uncatalogued"):
        assemble_findings(checks, AuditConfig())


_ROW = st.tuples(
    st.sampled_from(_CODES),
    st.sampled_from(["borrowers", "contacts"]),
    st.integers(2, 5),
    st.sampled_from([None, "A", "B", ""]),
    st.sampled_from([None, "B1"]),
    st.sampled_from([None, "phone", "c2_phone", ""]),
    st.sampled_from([None, "+8613926418573", "+12025550143"]),
    st.sampled_from([None, "x", "139 2641 8573"]),
    st.sampled_from([None, "m1", "m2", "名字", ""]),
    st.sampled_from([(), (Related("borrowers", 2, None),)]),
)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(_ROW, max_size=25),
    st.sampled_from(
        [
            AuditConfig(),
            AuditConfig(severity={"name-conflict": "critical"}, ignore=("phone-invalid",)),
        ]
    ),
)
def test_order_and_severities_match_the_contract_spelled_out(
    rows: list[tuple], config: AuditConfig
) -> None:
    checks = _checks(rows)
    assert _got(assemble_findings(checks, config)) == _reference(checks, config)


@settings(max_examples=150, deadline=None)
@given(st.lists(_ROW, max_size=25), st.integers(1, 3))
def test_categorical_check_columns_assemble_like_text_columns(
    rows: list[tuple], parts: int
) -> None:
    categorical = _categorical_checks(rows, parts)
    # The parts interleave the rows: compare against the text frame in part order.
    ordered = [row for k in range(parts) for row in rows[k::parts]]
    if rows:
        assert all(isinstance(categorical[c].dtype, pd.CategoricalDtype) for c in _CATEGORICAL)
    config = AuditConfig(ignore=("phone-invalid",))
    got = assemble_findings(categorical, config)
    expected = _checks(ordered)
    assert _got(got) == _reference(expected, config)
    # A categorical's missing value is NaN where the object column had None.
    columns = [got["column"], assemble_findings(expected, config)["column"]]
    assert [c.astype(object).where(c.notna(), None).tolist() for c in columns] == [
        columns[1].tolist()
    ] * 2
