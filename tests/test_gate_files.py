"""Approved / blocked campaign files, and the property that they partition the campaign."""

from __future__ import annotations

from typing import Any

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contactaudit.catalog import CATALOG
from contactaudit.checks.gate import check_gate
from contactaudit.config import AuditConfig
from contactaudit.models import FINDING_COLUMNS
from contactaudit.reporters.gate_files import split_campaign, to_csv_bytes


def assembled(rows: list[tuple[int, str, str]], source: str = "campaign") -> pd.DataFrame:
    """Assembled findings for ``(row, code, severity)`` triples."""
    records = []
    for row, code, severity in rows:
        rec = dict.fromkeys(FINDING_COLUMNS)
        rec.update(code=code, severity=severity, remediation=CATALOG[code].remediation,
                   source=source, row=row, related=())  # fmt: skip
        records.append(rec)
    return pd.DataFrame(records, columns=list(FINDING_COLUMNS))


def original_campaign() -> tuple[pd.DataFrame, pd.Series]:
    frame = pd.DataFrame(
        {
            "消息ID": ["M1", "M2", "M3", "M4"],
            "手机号": ["+8613912340001", "13912340002", "=cmd|' /C calc'!A0", "-5"],
            "内容": ["您好", "提醒", None, "通知"],
        },
        index=[10, 11, 12, 13],  # the loader's index need not be positional
    )
    return frame, pd.Series([2, 3, 4, 5])


def test_split_keeps_original_columns_and_order_and_adds_codes_to_blocked():
    frame, rows = original_campaign()
    findings = assembled(
        [
            (3, "recipient-outside-hours", "high"),
            (3, "recipient-third-party", "critical"),
            (3, "recipient-debt-disclosure", "critical"),
            (5, "recipient-opted-out", "critical"),
        ]
    )
    approved, blocked = split_campaign(frame, rows, findings)
    assert list(approved.columns) == ["消息ID", "手机号", "内容"]
    assert approved["消息ID"].tolist() == ["M1", "M3"]
    assert approved.iloc[1].tolist()[:2] == ["M3", "=cmd|' /C calc'!A0"]
    assert list(blocked.columns) == ["消息ID", "手机号", "内容", "blocked_codes", "remediation"]
    assert blocked["消息ID"].tolist() == ["M2", "M4"]
    assert blocked["blocked_codes"].tolist() == [
        "recipient-debt-disclosure;recipient-third-party;recipient-outside-hours",
        "recipient-opted-out",
    ]
    assert blocked["remediation"].tolist() == ["BLOCK_SEND;RESCHEDULE", "BLOCK_SEND"]


def test_message_with_only_a_lowered_severity_finding_is_approved():
    frame, rows = original_campaign()
    findings = assembled([(2, "recipient-outside-hours", "medium")])
    approved, blocked = split_campaign(frame, rows, findings)
    assert approved["消息ID"].tolist() == ["M1", "M2", "M3", "M4"]
    assert blocked.empty
    assert list(blocked.columns) == ["消息ID", "手机号", "内容", "blocked_codes", "remediation"]


def test_blocked_codes_include_lower_findings_of_a_blocked_message():
    frame, rows = original_campaign()
    findings = assembled(
        [(2, "recipient-outside-hours", "low"), (2, "recipient-not-on-file", "critical")]
    )
    _, blocked = split_campaign(frame, rows, findings)
    assert blocked["blocked_codes"].tolist() == ["recipient-not-on-file;recipient-outside-hours"]


def test_findings_of_other_sources_do_not_block_messages():
    frame, rows = original_campaign()
    approved, blocked = split_campaign(
        frame, rows, assembled([(2, "phone-reassigned", "critical")], source="borrowers")
    )
    assert len(approved) == 4
    assert blocked.empty


def test_existing_column_names_are_not_overwritten():
    frame = pd.DataFrame({"phone": ["1"], "remediation": ["keep me"]})
    _, blocked = split_campaign(
        frame, pd.Series([2]), assembled([(2, "recipient-not-on-file", "critical")])
    )
    assert blocked.columns.tolist() == [
        "phone", "remediation", "blocked_codes", "contactaudit_remediation",
    ]  # fmt: skip
    assert blocked["remediation"].tolist() == ["keep me"]


def test_csv_bytes_keep_cells_verbatim_with_optional_bom():
    frame, _ = original_campaign()
    data = to_csv_bytes(frame, bom=False)
    assert data.decode("utf-8").splitlines() == [
        "消息ID,手机号,内容",
        "M1,+8613912340001,您好",
        "M2,13912340002,提醒",
        "M3,=cmd|' /C calc'!A0,",
        "M4,-5,通知",
    ]
    assert to_csv_bytes(frame, bom=True) == b"\xef\xbb\xbf" + data


# --- property: gate + split partitions any campaign ---------------------------------

NUMBERS = ["+8613912340001", "+8613912340002", "+8613912340011", "+8613912340099", None]
BORROWER_IDS = ["B1", "B2", "B404", None]
PURPOSES = ["collection", "reminder", "营销", "通知", "whatever", None]
TIMES = [None, "", "2026-11-28 08:00", "2026-11-28 21:00", "2026-11-28T00:30:00Z", "soon"]
TEXTS = [None, "您好", "您的借款已逾期", "$5 due", "overdue"]


def _normalised(records: list[dict[str, Any]], key: str | None) -> pd.DataFrame:
    frame = pd.DataFrame(records)
    frame["_row"] = pd.Series(range(2, len(frame) + 2), dtype="int64")
    frame["_record_id"] = frame[key] if key else None
    frame["_phone_column"] = "phone"
    frame["raw"] = frame["e164"].fillna("bad")
    frame["usable"] = frame["e164"].notna()
    frame["malformed"] = frame["e164"].map(lambda e: None if e else "phone-invalid")
    frame["number_region"] = frame["e164"].map(lambda e: "CN" if e else None)
    return frame


message = st.fixed_dictionaries(
    {
        "borrower_id": st.sampled_from(BORROWER_IDS),
        "e164": st.sampled_from(NUMBERS),
        "purpose": st.sampled_from(PURPOSES),
        "scheduled_at": st.sampled_from(TIMES),
        "text": st.sampled_from(TEXTS),
    }
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(messages=st.lists(message, min_size=1, max_size=12), opt_out_b2=st.booleans())
def test_gate_files_partition_every_campaign(messages, opt_out_b2):
    borrowers = _normalised(
        [
            {"borrower_id": "B1", "e164": NUMBERS[0], "sms_opt_out": False},
            {"borrower_id": "B2", "e164": NUMBERS[1], "sms_opt_out": opt_out_b2},
        ],
        "borrower_id",
    )
    contacts = _normalised(
        [{"borrower_id": "B1", "contact_id": "C1", "e164": NUMBERS[2], "relationship": "母亲"}],
        "contact_id",
    )
    campaign = _normalised(
        [{"message_id": f"M{i}", "phone": m["e164"] or "x", **m} for i, m in enumerate(messages)],
        "message_id",
    )
    no_audit = pd.DataFrame({c: pd.Series(dtype=object) for c in FINDING_COLUMNS})
    result = check_gate(campaign, borrowers, contacts, no_audit, None, AuditConfig())
    f = result.findings
    findings = assembled(
        [(int(r), c, CATALOG[c].severity.value) for r, c in zip(f["row"], f["code"], strict=True)]
    )

    original = campaign[["message_id", "phone", "purpose", "scheduled_at", "text"]]
    approved, blocked = split_campaign(original, campaign["_row"], findings)

    assert list(approved.columns) == list(original.columns)
    assert sorted(approved["message_id"].tolist() + blocked["message_id"].tolist()) == sorted(
        original["message_id"].tolist()
    )
    assert not set(approved["message_id"]) & set(blocked["message_id"])
    together = pd.concat([approved, blocked[list(original.columns)]]).sort_values("message_id")
    pd.testing.assert_frame_equal(
        together.reset_index(drop=True),
        original.sort_values("message_id").reset_index(drop=True),
    )
    critical_rows = set(findings.loc[findings["severity"] == "critical", "row"])
    row_of = dict(zip(campaign["message_id"], campaign["_row"], strict=True))
    assert not {row_of[m] for m in approved["message_id"]} & critical_rows
    assert blocked["blocked_codes"].str.len().gt(0).all()
    # every message whose borrower is unknown is blocked for that reason alone
    unknown = campaign.loc[~campaign["borrower_id"].isin(["B1", "B2"]), "_row"]
    assert set(f.loc[f["row"].isin(unknown), "code"]) <= {"recipient-borrower-unknown"}
