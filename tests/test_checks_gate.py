"""Campaign gate checks on tiny inline normalised frames (schema of COMMON.md)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from contactaudit.catalog import CATALOG
from contactaudit.checks.gate import GateResult, check_gate, parse_scheduled
from contactaudit.config import AuditConfig
from contactaudit.errors import ConfigError
from contactaudit.models import CHECK_COLUMNS, FINDING_COLUMNS, Related

B1_PHONE = "+8613912340001"
B2_PHONE = "+8613912340002"
MOTHER = "+8613912340011"
SELF_ALT = "+8613912340012"
STRANGER = "+8613912340099"
US_LA = "+12135550143"


def _region(e164: str | None) -> str | None:
    if e164 is None:
        return None
    return "US" if e164.startswith("+1") else "CN"


def normalised(records: list[dict[str, Any]], key: str | None) -> pd.DataFrame:
    """A normalised table: the given columns plus _row, _record_id and phone columns."""
    out = []
    for i, rec in enumerate(records):
        rec = dict(rec)
        e164 = rec.pop("e164", None)
        malformed = rec.pop("malformed", None if e164 else "phone-invalid")
        out.append(
            {
                **rec,
                "phone": rec.get("phone", e164 or "bad"),
                "_row": i + 2,
                "_record_id": rec.get(key) if key else None,
                "_phone_column": "phone",
                "raw": e164 or "bad",
                "e164": e164,
                "malformed": malformed,
                "usable": e164 is not None,
                "number_region": rec.pop("number_region", _region(e164)),
            }
        )
    frame = pd.DataFrame(out)
    frame["_row"] = frame["_row"].astype("int64")
    return frame


def borrowers(*extra: dict[str, Any]) -> pd.DataFrame:
    rows = [
        {"borrower_id": "B1", "e164": B1_PHONE, "sms_opt_out": False},
        {"borrower_id": "B2", "e164": B2_PHONE, "sms_opt_out": False},
        *extra,
    ]
    frame = normalised(rows, "borrower_id")
    frame["sms_opt_out"] = frame["sms_opt_out"].astype("boolean")
    return frame


def contacts(*extra: dict[str, Any]) -> pd.DataFrame:
    rows = [
        {"borrower_id": "B1", "contact_id": "C1", "e164": MOTHER, "relationship": "母亲"},
        {"borrower_id": "B1", "contact_id": "C2", "e164": SELF_ALT, "relationship": "本人"},
        *extra,
    ]
    return normalised(rows, "contact_id")


def campaign(*messages: dict[str, Any]) -> pd.DataFrame:
    rows = [
        {
            "message_id": f"M{i + 1}",
            "purpose": "reminder",
            "scheduled_at": None,
            "text": "您好，请留意账户信息",
            **m,
        }
        for i, m in enumerate(messages)
    ]
    return normalised(rows, "message_id")


def no_findings() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in FINDING_COLUMNS})


def audit_finding(code: str, severity: str, source: str, row: int, bid: str, e164: str, rid: str):
    rec = dict.fromkeys(FINDING_COLUMNS)
    rec.update(
        code=code, severity=severity, source=source, row=row, record_id=rid,
        borrower_id=bid, e164=e164, related=(),
    )  # fmt: skip
    return pd.DataFrame([rec], columns=list(FINDING_COLUMNS))


def gate(
    msgs: pd.DataFrame,
    *,
    bor: pd.DataFrame | None = None,
    con: pd.DataFrame | None = None,
    findings: pd.DataFrame | None = None,
    opt_outs: pd.DataFrame | None = None,
    config: AuditConfig | None = None,
) -> GateResult:
    return check_gate(
        msgs,
        borrowers() if bor is None else bor,
        contacts() if con is None else con,
        no_findings() if findings is None else findings,
        opt_outs,
        config or AuditConfig(),
    )


def flat(result: GateResult) -> list[tuple[str, int]]:
    f = result.findings
    return sorted(zip(f["code"], f["row"].astype(int), strict=True))


# --- negative controls from the issue ------------------------------------------------


def test_collection_text_with_debt_words_to_borrowers_own_number_passes():
    msgs = campaign(
        {"borrower_id": "B1", "e164": B1_PHONE, "purpose": "催收",
         "text": "您的借款已逾期，请尽快还款 5000元", "scheduled_at": "2026-11-28 10:00"}
    )  # fmt: skip
    assert flat(gate(msgs)) == []


def test_reminder_without_debt_words_to_contact_passes():
    msgs = campaign({"borrower_id": "B1", "e164": MOTHER, "purpose": "提醒"})
    assert flat(gate(msgs)) == []


# --- recipient-borrower-unknown -----------------------------------------------------


def test_unknown_borrower_gets_only_borrower_unknown():
    opt = normalised([{"e164": STRANGER}], None)
    msgs = campaign(
        {"borrower_id": "B404", "e164": STRANGER, "purpose": "collection",
         "text": "overdue debt", "scheduled_at": "2026-11-28 23:00"},
        {"borrower_id": None, "e164": None},
    )  # fmt: skip
    result = gate(msgs, opt_outs=opt)
    assert flat(result) == [("recipient-borrower-unknown", 2), ("recipient-borrower-unknown", 3)]
    assert result.findings["related"].tolist() == [(), ()]


# --- recipient-third-party / not-on-file ----------------------------------------------


def test_collection_to_non_self_contact_is_third_party_with_the_contact_related():
    msgs = campaign({"borrower_id": "B1", "e164": MOTHER, "purpose": "collection"})
    result = gate(msgs)
    assert flat(result) == [("recipient-third-party", 2)]
    # the message's borrower row first (DESIGN §4), then the contact it reaches
    assert result.findings["related"].iloc[0] == (
        Related("borrowers", 2, "B1"),
        Related("contacts", 2, "C1"),
    )


def test_collection_to_self_contact_is_not_third_party():
    msgs = campaign({"borrower_id": "B1", "e164": SELF_ALT, "purpose": "collection"})
    assert flat(gate(msgs)) == []


def test_relationship_words_from_config_count_as_self():
    con = contacts(
        {"borrower_id": "B2", "contact_id": "C9", "e164": MOTHER, "relationship": "户主"}
    )
    msgs = campaign({"borrower_id": "B2", "e164": MOTHER, "purpose": "collection"})
    assert flat(gate(msgs, con=con)) == [("recipient-third-party", 2)]
    config = AuditConfig(relationships={"户主": "self"})
    assert flat(gate(msgs, con=con, config=config)) == []


def test_message_to_another_borrowers_number_is_third_party_not_not_on_file():
    msgs = campaign({"borrower_id": "B1", "e164": B2_PHONE, "purpose": "reminder"})
    result = gate(msgs)
    assert flat(result) == [("recipient-third-party", 2)]
    assert result.findings["related"].iloc[0] == (
        Related("borrowers", 2, "B1"),
        Related("borrowers", 3, "B2"),
    )
    assert "1 other borrower" in result.findings["message"].iloc[0]


def test_reminder_to_listed_contact_who_is_another_borrower_is_left_to_the_audit():
    # Not third-party by the rule (it is this borrower's contact); the audit's
    # contact-is-other-borrower finding on the contact row makes it unsafe instead.
    con = contacts(
        {"borrower_id": "B1", "contact_id": "C3", "e164": B2_PHONE, "relationship": "朋友"}
    )
    msgs = campaign({"borrower_id": "B1", "e164": B2_PHONE, "purpose": "reminder"})
    assert flat(gate(msgs, con=con)) == []
    found = audit_finding("contact-is-other-borrower", "high", "contacts", 4, "B1", B2_PHONE, "C3")
    result = gate(msgs, con=con, findings=found)
    assert flat(result) == [("recipient-unsafe-number", 2)]
    assert result.findings["related"].iloc[0] == (
        Related("borrowers", 2, "B1"),
        Related("contacts", 4, "C3"),
    )
    assert "contact-is-other-borrower" in result.findings["message"].iloc[0]


def test_number_nowhere_on_file_is_not_on_file_with_the_borrower_related():
    msgs = campaign({"borrower_id": "B1", "e164": STRANGER})
    result = gate(msgs)
    assert flat(result) == [("recipient-not-on-file", 2)]
    assert result.findings["related"].iloc[0] == (Related("borrowers", 2, "B1"),)


def test_gate_works_without_a_contacts_table():
    msgs = campaign({"borrower_id": "B1", "e164": MOTHER}, {"borrower_id": "B1", "e164": B1_PHONE})
    result = check_gate(msgs, borrowers(), None, no_findings(), None, AuditConfig())
    assert flat(result) == [("recipient-not-on-file", 2)]


# --- recipient-opted-out ------------------------------------------------------------


def test_number_on_the_opt_out_list_is_opted_out():
    opt = normalised([{"e164": STRANGER}, {"e164": B1_PHONE}], None)
    msgs = campaign({"borrower_id": "B1", "e164": B1_PHONE})
    result = gate(msgs, opt_outs=opt)
    assert flat(result) == [("recipient-opted-out", 2)]
    assert result.findings["related"].iloc[0] == (
        Related("borrowers", 2, "B1"),
        Related("opt_outs", 3, None),
    )


def test_phone_of_a_borrower_with_sms_opt_out_is_opted_out_but_not_unsafe():
    bor = borrowers({"borrower_id": "B3", "e164": STRANGER, "sms_opt_out": True})
    found = audit_finding("phone-opted-out", "high", "borrowers", 4, "B3", STRANGER, "B3")
    msgs = campaign({"borrower_id": "B3", "e164": STRANGER})
    result = gate(msgs, bor=bor, findings=found)
    assert flat(result) == [("recipient-opted-out", 2)]
    assert "sms_opt_out" in result.findings["message"].iloc[0]


def test_number_not_opted_out_passes():
    opt = normalised([{"e164": STRANGER}], None)
    assert flat(gate(campaign({"borrower_id": "B1", "e164": B1_PHONE}), opt_outs=opt)) == []


# --- recipient-unsafe-number --------------------------------------------------------


def test_high_audit_finding_on_the_borrower_row_makes_the_number_unsafe():
    found = pd.concat(
        [
            audit_finding("phone-reassigned", "critical", "borrowers", 2, "B1", B1_PHONE, "B1"),
            audit_finding(
                "phone-shared-by-borrowers", "high", "borrowers", 2, "B1", B1_PHONE, "B1"
            ),
        ]
    )
    result = gate(campaign({"borrower_id": "B1", "e164": B1_PHONE}), findings=found)
    assert flat(result) == [("recipient-unsafe-number", 2)]
    row = result.findings.iloc[0]
    assert row["related"] == (Related("borrowers", 2, "B1"),)
    assert row["message"].endswith("phone-reassigned, phone-shared-by-borrowers")


@pytest.mark.parametrize(
    ("code", "severity", "bid"),
    [
        ("phone-verification-stale", "medium", "B1"),  # below high
        ("phone-opted-out", "high", "B1"),  # recipient-opted-out's job
        ("phone-reassigned", "critical", "B2"),  # another borrower's record
    ],
)
def test_findings_that_do_not_make_the_number_unsafe(code, severity, bid):
    found = audit_finding(code, severity, "borrowers", 2, bid, B1_PHONE, bid)
    assert flat(gate(campaign({"borrower_id": "B1", "e164": B1_PHONE}), findings=found)) == []


def test_unusable_campaign_number_is_unsafe_and_not_resolved_further():
    msgs = campaign(
        {"borrower_id": "B1", "e164": None, "malformed": "phone-placeholder",
         "purpose": "collection", "text": "您已逾期"},
    )  # fmt: skip
    result = gate(msgs)
    assert flat(result) == [("recipient-unsafe-number", 2)]
    assert result.findings["message"].iloc[0] == "recipient number is unusable (phone-placeholder)"
    assert result.findings["related"].iloc[0] == (Related("borrowers", 2, "B1"),)


# --- recipient-outside-hours --------------------------------------------------------


@pytest.mark.parametrize(
    ("scheduled_at", "outside"),
    [
        ("2026-11-28 08:00", False),
        ("2026-11-28 20:59", False),
        ("2026-11-28 20:59:59", False),
        ("2026-11-28 21:00", True),
        ("2026-11-28 07:59:59", True),
        ("2023/1/5 8:00:00", False),
        ("2023/1/5 7:30:00", True),
        ("2023-01-05T22:15:00", True),
        ("2023年1月5日 08:00", False),
        ("2023年1月5日 21时30分", True),
        ("2023年1月5日晚上9点", True),
        ("2023-01-05 9:30 PM", True),
        ("2023-01-05 9:30 am", False),
        ("20230105 23:00", True),
        ("２０２３-０１-０５ ２２：００", True),  # full width
        ("2026-11-28T00:30:00Z", False),  # 08:30 in Shanghai
        ("2026-11-28T13:30:00Z", True),  # 21:30 in Shanghai
        ("2026-11-28T23:30:00.000Z", True),  # 07:30 in Shanghai
        ("2026-11-28T09:00:00+08:00", False),
        ("2026-11-28T09:00:00-0500", True),  # 22:00 in Shanghai
        ("45000.5", False),  # Excel serial: 12:00
    ],
)
def test_sending_window_in_recipient_local_time(scheduled_at, outside):
    msgs = campaign({"borrower_id": "B1", "e164": B1_PHONE, "scheduled_at": scheduled_at})
    result = gate(msgs)
    assert flat(result) == ([("recipient-outside-hours", 2)] if outside else [])
    assert result.warnings == []


def test_outside_hours_message_names_local_time_and_window():
    msgs = campaign({"borrower_id": "B1", "e164": B1_PHONE, "scheduled_at": "2026-11-28 21:00"})
    message = gate(msgs).findings["message"].iloc[0]
    assert (
        message == "scheduled_at is 21:00 local time (CN), outside the sending window 08:00–21:00"
    )


def test_offset_is_converted_to_the_numbers_own_zone():
    bor = borrowers({"borrower_id": "B3", "e164": US_LA})
    # 03:00Z is 19:00 in Los Angeles (area code 213), 22:00 in New York
    msgs = campaign({"borrower_id": "B3", "e164": US_LA, "scheduled_at": "2026-11-28T03:00:00Z"})
    assert flat(gate(msgs, bor=bor)) == []
    config = AuditConfig(timezones={"US": "America/New_York"})
    assert flat(gate(msgs, bor=bor, config=config)) == [("recipient-outside-hours", 2)]


def test_send_window_is_keyed_by_the_numbers_region():
    bor = borrowers({"borrower_id": "B3", "e164": US_LA})
    config = AuditConfig(send_window={"default": ("08:00", "21:00"), "US": ("09:00", "20:00")})
    msgs = campaign(
        {"borrower_id": "B3", "e164": US_LA, "scheduled_at": "2026-11-28 08:30"},
        {"borrower_id": "B1", "e164": B1_PHONE, "scheduled_at": "2026-11-28 08:30"},
    )
    assert flat(gate(msgs, bor=bor, config=config)) == [("recipient-outside-hours", 2)]


def test_empty_unparseable_and_dateless_times_give_warnings_not_findings():
    msgs = campaign(
        {"borrower_id": "B1", "e164": B1_PHONE, "scheduled_at": None},
        {"borrower_id": "B1", "e164": B1_PHONE, "scheduled_at": "  "},
        {"borrower_id": "B1", "e164": B1_PHONE, "scheduled_at": "tomorrow night"},
        {"borrower_id": "B1", "e164": B1_PHONE, "scheduled_at": "2023-02-30 10:00"},
        {"borrower_id": "B1", "e164": B1_PHONE, "scheduled_at": "2023-01-05 25:00"},
        {"borrower_id": "B1", "e164": B1_PHONE, "scheduled_at": "2023-01-05"},
    )
    result = gate(msgs)
    assert flat(result) == []
    assert result.warnings == [
        {"column": "scheduled_at", "issue": "unparseable-date", "count": 3, "rows": [4, 5, 6]},
        {"column": "scheduled_at", "issue": "missing-time", "count": 1, "rows": [7]},
    ]


def test_parse_scheduled_returns_wall_time_and_offset():
    parsed = parse_scheduled(pd.Series(["2023-01-05 08:00+05:30", "2023/1/5 8:00:00", None]))
    assert parsed["status"].tolist() == ["ok", "ok", "empty"]
    assert parsed["wall"].iloc[0] == pd.Timestamp("2023-01-05 08:00")
    assert parsed["offset"].iloc[0] == 5.5 * 3600
    assert pd.isna(parsed["offset"].iloc[1])


# --- recipient-debt-disclosure ------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "您的借款已逾期",
        "请于今日还款",
        "Your payment is PAST DUE",
        "You owe us",
        "您的debt已逾期",
        "应付￥5000",
        "amount $120.50",
        "RMB 300",
        "30 USD",
        "共计5,000.00元",
    ],
)
def test_debt_text_to_a_contact_is_disclosure(text):
    msgs = campaign({"borrower_id": "B1", "e164": MOTHER, "purpose": "reminder", "text": text})
    assert flat(gate(msgs)) == [("recipient-debt-disclosure", 2)]


@pytest.mark.parametrize("text", ["请回电", "Please call us back", "Owen says hi", None])
def test_neutral_text_to_a_contact_is_not_disclosure(text):
    msgs = campaign({"borrower_id": "B1", "e164": MOTHER, "purpose": "reminder", "text": text})
    assert flat(gate(msgs)) == []


def test_debt_text_to_a_self_contact_with_another_number_is_disclosure():
    msgs = campaign({"borrower_id": "B1", "e164": SELF_ALT, "purpose": "collection",
                     "text": "您已逾期"})  # fmt: skip
    assert flat(gate(msgs)) == [("recipient-debt-disclosure", 2)]


def test_config_debt_words_extend_the_pattern():
    msgs = campaign({"borrower_id": "B1", "e164": MOTHER, "text": "请处理您的账单"})
    assert flat(gate(msgs)) == []
    config = AuditConfig(debt_words=("账单",))
    assert flat(gate(msgs, config=config)) == [("recipient-debt-disclosure", 2)]


def test_invalid_debt_word_pattern_is_a_config_error_naming_the_key():
    msgs = campaign({"borrower_id": "B1", "e164": MOTHER})
    with pytest.raises(ConfigError, match="debt_words"):
        gate(msgs, config=AuditConfig(debt_words=("(unclosed",)))


# --- purpose and general shape ------------------------------------------------------


def test_unknown_purpose_is_treated_as_collection_and_warned():
    msgs = campaign(
        {"borrower_id": "B1", "e164": MOTHER, "purpose": "misc"},
        {"borrower_id": "B1", "e164": MOTHER, "purpose": None},
        {"borrower_id": "B1", "e164": MOTHER, "purpose": "Service"},
    )
    result = gate(msgs)
    assert flat(result) == [("recipient-third-party", 2), ("recipient-third-party", 3)]
    assert result.warnings == [
        {"column": "purpose", "issue": "unknown-purpose", "count": 2, "rows": [2, 3]}
    ]


def test_findings_have_check_columns_catalogued_codes_and_no_numbers():
    opt = normalised([{"e164": STRANGER}], None)
    msgs = campaign(
        {"borrower_id": "B1", "e164": STRANGER, "purpose": "collection", "text": "overdue",
         "scheduled_at": "2026-11-28 23:00"},
        {"borrower_id": "B1", "e164": B2_PHONE},
        {"borrower_id": "B9", "e164": B2_PHONE},
    )  # fmt: skip
    f = gate(msgs, opt_outs=opt).findings
    assert tuple(f.columns) == CHECK_COLUMNS
    assert set(f["code"]) <= set(CATALOG)
    assert set(f["source"]) == {"campaign"}
    assert set(f["column"]) == {"phone"}
    assert sorted(zip(f["code"], f["row"], strict=True)) == [
        ("recipient-borrower-unknown", 4),
        ("recipient-debt-disclosure", 2),
        ("recipient-not-on-file", 2),
        ("recipient-opted-out", 2),
        ("recipient-outside-hours", 2),
        ("recipient-third-party", 3),
    ]
    for message in f["message"]:
        assert "139123400" not in message
    assert set(f["record_id"]) == {"M1", "M2", "M3"}


def test_empty_campaign_gives_no_findings():
    msgs = campaign({"borrower_id": "B1", "e164": B1_PHONE}).iloc[:0]
    result = gate(msgs)
    assert result.findings.empty
    assert tuple(result.findings.columns) == CHECK_COLUMNS


def test_borrower_with_unusable_phone_is_known_but_has_no_own_number():
    bor = borrowers({"borrower_id": "B3", "e164": None, "malformed": "phone-masked"})
    msgs = campaign({"borrower_id": "B3", "e164": STRANGER})
    assert flat(gate(msgs, bor=bor)) == [("recipient-not-on-file", 2)]


def test_hub_number_related_is_capped_and_message_counts_every_borrower():
    hub = [{"borrower_id": f"H{i:02d}", "e164": STRANGER} for i in range(30)]
    msgs = campaign({"borrower_id": "B1", "e164": STRANGER})
    f = gate(msgs, bor=borrowers(*hub)).findings
    assert f["code"].tolist() == ["recipient-third-party"]
    assert f["message"].iloc[0].startswith("30 other borrower(s)")
    assert len(f["related"].iloc[0]) == 20
    assert f["related"].iloc[0][:2] == (
        Related("borrowers", 2, "B1"),
        Related("borrowers", 4, "H00"),
    )


def test_overnight_window_wraps_midnight():
    config = AuditConfig(send_window={"default": ("22:00", "06:00")})
    msgs = campaign(
        {"borrower_id": "B1", "e164": B1_PHONE, "scheduled_at": "2026-11-28 23:00"},
        {"borrower_id": "B1", "e164": B1_PHONE, "scheduled_at": "2026-11-28 12:00"},
    )
    assert flat(gate(msgs, config=config)) == [("recipient-outside-hours", 3)]


def test_offset_time_for_a_number_without_a_known_zone_is_warned_not_judged():
    bor = borrowers({"borrower_id": "B3", "e164": "+99912345678", "number_region": "ZZ"})
    msgs = campaign(
        {"borrower_id": "B3", "e164": "+99912345678", "number_region": "ZZ",
         "scheduled_at": "2026-11-28T23:00:00Z"},
    )  # fmt: skip
    result = gate(msgs, bor=bor)
    assert flat(result) == []
    assert result.warnings == [
        {"column": "scheduled_at", "issue": "unknown-time-zone", "count": 1, "rows": [2]}
    ]
