"""Acceptance tests for `contactaudit gate`, derived from DESIGN.md §3–§7 only.

A base book of borrowers and contacts; each test sends one or a few messages and asserts on
the campaign findings (code, row, severity, remediation, related) and on the approved and
blocked files.
"""

from __future__ import annotations

from pathlib import Path

from contract_helpers import (
    CATALOGUE,
    FINDING_KEYS,
    N1,
    N2,
    N3,
    N4,
    N5,
    N6,
    N7,
    check_catalogue,
    cn_mask,
    days_before,
    gate,
    read_csv_rows,
    related_set,
    sort_key,
)

GB = "+447400123456"

BORROWERS = [
    ["borrower_id", "phone", "name", "country", "sms_opt_out"],
    ["B1", N1, "张三", "CN", "false"],  # row 2
    ["B2", N2, "李四", "CN", "false"],  # row 3
    ["B3", N3, "王五", "CN", "true"],  # row 4: opted out
    ["B4", GB, "Smith", "GB", "false"],  # row 5
]
CONTACTS = [
    ["contact_id", "borrower_id", "phone", "name", "relationship"],
    ["C1", "B1", N4, "张母", "母亲"],  # row 2
    ["C2", "B1", N5, "张妻", "配偶"],  # row 3
    ["C3", "B1", N1, "张三", "本人"],  # row 4: self, same number
    ["C4", "B2", N6, "李友", "朋友"],  # row 5
]
CAMPAIGN_HEADER = ["message_id", "borrower_id", "phone", "purpose", "scheduled_at", "text"]
NEUTRAL = "请致电我们的客服"
DEBT = "您的贷款已逾期，请尽快还款"
RECIPIENT_CODES = {code for code in CATALOGUE if code.startswith("recipient-")}


def send(
    tmp_path: Path,
    borrower_id: str,
    phone: str,
    purpose: str = "reminder",
    scheduled_at: str = "2026-11-28 10:00",
    text: str = NEUTRAL,
    *,
    borrowers=BORROWERS,
    contacts=CONTACTS,
    **kwargs,
):
    campaign = [CAMPAIGN_HEADER, ["M1", borrower_id, phone, purpose, scheduled_at, text]]
    return gate(tmp_path, campaign, borrowers, contacts, **kwargs)


def codes(run) -> set[str]:
    return {f["code"] for f in run.findings if f["source"] == "campaign" and f["row"] == 2}


def blocked_ids(run) -> set[str]:
    rows = read_csv_rows(run.files["blocked"])
    return {r[0] for r in rows[1:]}


def send_many(tmp_path: Path, messages, *, borrowers=BORROWERS, contacts=CONTACTS, **kwargs):
    """One campaign, one message per case (one CLI run keeps the suite fast).

    ``messages`` are (borrower_id, phone, purpose, scheduled_at, text); returns the run
    and, per case index, the recipient codes of that message's row.
    """
    campaign = [CAMPAIGN_HEADER]
    campaign += [[f"M{i}", *m] for i, m in enumerate(messages)]
    run = gate(tmp_path, campaign, borrowers, contacts, **kwargs)
    per_case = {i: set() for i in range(len(messages))}
    for f in run.findings:
        if f["source"] == "campaign" and f["code"] in RECIPIENT_CODES:
            per_case[f["row"] - 2].add(f["code"])
    return run, per_case


def mismatches(cases, per_case):
    """Cases whose codes differ from the expectation, labelled for a readable failure."""
    return {
        repr(case[:-1]): (sorted(per_case[i]), sorted(case[-1]))
        for i, case in enumerate(cases)
        if per_case[i] != case[-1]
    }


# ---------------------------------------------------------------- who receives the message


RELATIONSHIP_CASES = [
    ("B1", N1, "collection", set()),  # the borrower's own phone
    ("B1", "+86 135 7192 8346", "collection", set()),  # same number, decorated
    ("B1", N4, "collection", {"recipient-third-party"}),  # mother, collection
    ("B1", N5, "collection", {"recipient-third-party"}),  # spouse is a contact too
    ("B1", N4, "reminder", set()),  # a reminder to a listed contact is allowed
    ("B1", N4, "service", set()),
    ("B1", N2, "reminder", {"recipient-third-party"}),  # another borrower's phone
    ("B1", N2, "collection", {"recipient-third-party"}),
    ("B1", N7, "reminder", {"recipient-not-on-file"}),  # nobody's number
    ("B1", N7, "collection", {"recipient-not-on-file"}),
    ("B1", N6, "reminder", {"recipient-not-on-file"}),  # B2's contact, not B1's
    ("B2", N6, "reminder", set()),
]


def test_recipient_relationship_codes(tmp_path: Path) -> None:
    messages = [(b, phone, purpose, "", NEUTRAL) for b, phone, purpose, _ in RELATIONSHIP_CASES]
    run, per_case = send_many(tmp_path, messages)
    assert mismatches(RELATIONSHIP_CASES, per_case) == {}
    blocked = {f"M{i}" for i, case in enumerate(RELATIONSHIP_CASES) if case[-1]}
    assert blocked_ids(run) == blocked
    check_catalogue(f for f in run.findings if f["source"] == "campaign")


def test_unknown_borrower_reports_only_that_code(tmp_path: Path) -> None:
    cases = [
        ("B9", N1, "collection", "2026-11-28 23:00", DEBT, {"recipient-borrower-unknown"}),
        ("B9", N3, "reminder", "", NEUTRAL, {"recipient-borrower-unknown"}),  # opted out
        ("B9", N7, "collection", "", DEBT, {"recipient-borrower-unknown"}),
        ("B9", "13800138000", "collection", "", NEUTRAL, {"recipient-borrower-unknown"}),
    ]
    run, per_case = send_many(tmp_path, [c[:-1] for c in cases])
    assert mismatches(cases, per_case) == {}
    f = run.finding("recipient-borrower-unknown", "campaign", 2)
    assert (f["severity"], f["remediation"]) == ("critical", "BLOCK_SEND")
    assert f["related"] == []
    assert blocked_ids(run) == {"M0", "M1", "M2", "M3"}


def test_without_contacts_every_other_number_is_not_on_file(tmp_path: Path) -> None:
    campaign = [
        CAMPAIGN_HEADER,
        ["M1", "B1", N4, "collection", "", NEUTRAL],
        ["M2", "B1", N1, "collection", "", NEUTRAL],
    ]
    run = gate(tmp_path, campaign, BORROWERS, None)
    assert run.flat(source="campaign") == {("recipient-not-on-file", "campaign", 2)}


# ---------------------------------------------------------------- opt-outs


def test_borrower_sms_opt_out_blocks_only_as_opted_out(tmp_path: Path) -> None:
    # The audit finds phone-opted-out (high) on B3's row: that alone is not "unsafe".
    run = send(tmp_path, "B3", N3)
    assert codes(run) == {"recipient-opted-out"}
    f = run.finding("recipient-opted-out", "campaign", 2)
    assert (f["severity"], f["remediation"]) == ("critical", "BLOCK_SEND")


def test_opt_out_list_blocks_a_contact_and_a_borrower(tmp_path: Path) -> None:
    campaign = [
        CAMPAIGN_HEADER,
        ["M1", "B1", N4, "reminder", "", NEUTRAL],
        ["M2", "B2", "+86 136 9182 7364", "reminder", "", NEUTRAL],
        ["M3", "B1", N5, "reminder", "", NEUTRAL],
    ]
    run = gate(
        tmp_path, campaign, BORROWERS, CONTACTS, opt_outs=[["phone"], [N4], ["136-9182-7364"]]
    )
    assert run.flat(source="campaign", codes=RECIPIENT_CODES) == {
        ("recipient-opted-out", "campaign", 2),
        ("recipient-opted-out", "campaign", 3),
    }


def test_another_opted_out_borrowers_phone_is_third_party_and_opted_out(tmp_path: Path) -> None:
    run = send(tmp_path, "B1", N3)
    assert codes(run) == {"recipient-third-party", "recipient-opted-out"}


# ---------------------------------------------------------------- unsafe numbers


def test_borrower_row_with_a_high_finding_makes_the_number_unsafe(tmp_path: Path) -> None:
    borrowers = [*BORROWERS, ["B5", N1, "赵六", "CN", "false"]]  # shares B1's phone
    run = send(tmp_path, "B1", N1, "reminder", borrowers=borrowers)
    assert codes(run) == {"recipient-unsafe-number"}
    f = run.finding("recipient-unsafe-number", "campaign", 2)
    assert (f["severity"], f["remediation"]) == ("critical", "BLOCK_SEND")
    assert ("borrowers", 2, "B1") in related_set(f)


def test_reassigned_borrower_number_is_unsafe(tmp_path: Path) -> None:
    run = send(tmp_path, "B1", N1, reassigned=[["phone", "disconnected_at"], [N1, "2026-06-01"]])
    assert codes(run) == {"recipient-unsafe-number"}


def test_contact_row_with_a_high_finding_makes_the_number_unsafe(tmp_path: Path) -> None:
    contacts = [
        *CONTACTS,
        ["C5", "B2", N4, "张母", "朋友"],
        ["C6", "B3", N4, "张母", "朋友"],
    ]  # N4 now listed by three borrowers: contact-shared-by-borrowers (high)
    run = send(tmp_path, "B1", N4, "reminder", contacts=contacts)
    assert codes(run) == {"recipient-unsafe-number"}
    f = run.finding("recipient-unsafe-number", "campaign", 2)
    assert ("contacts", 2, "C1") in related_set(f)


def test_contact_that_is_another_borrower_is_unsafe_but_not_third_party_for_reminders(
    tmp_path: Path,
) -> None:
    contacts = [*CONTACTS, ["C5", "B1", N2, "李四", "朋友"]]  # contact-is-other-borrower (high)
    reminder = send(tmp_path, "B1", N2, "reminder", contacts=contacts)
    assert codes(reminder) == {"recipient-unsafe-number"}
    collection = send(tmp_path, "B1", N2, "collection", contacts=contacts)
    assert codes(collection) == {"recipient-unsafe-number", "recipient-third-party"}


def test_medium_and_low_audit_findings_do_not_make_a_number_unsafe(tmp_path: Path) -> None:
    borrowers = [
        ["borrower_id", "phone", "phone_verified_at"],
        ["B1", N1, days_before(400)],  # stale (medium)
        ["B2", "+86 136 9182 7364", days_before(1)],  # nonstandard-format (info)
        ["B3", "0755-12345678", days_before(1)],  # not-mobile (medium)
    ]
    campaign = [
        CAMPAIGN_HEADER,
        ["M1", "B1", N1, "collection", "", DEBT],
        ["M2", "B2", N2, "collection", "", DEBT],
        ["M3", "B3", "0755-12345678", "reminder", "", NEUTRAL],
    ]
    run = gate(tmp_path, campaign, borrowers, None)
    assert run.flat(source="campaign", codes=RECIPIENT_CODES) == set()
    assert blocked_ids(run) == set()


def test_an_unusable_recipient_number_is_unsafe(tmp_path: Path) -> None:
    phones = ["13800138000", "138****5678", "1.38123E+10", "abc", "", "14071928346"]
    run, per_case = send_many(tmp_path, [("B1", p, "reminder", "", NEUTRAL) for p in phones])
    assert all("recipient-unsafe-number" in per_case[i] for i in range(len(phones))), per_case
    assert blocked_ids(run) == {f"M{i}" for i in range(len(phones))}


def test_unsafe_when_the_borrowers_own_number_is_a_placeholder(tmp_path: Path) -> None:
    borrowers = [*BORROWERS, ["B5", "13800138000", "赵六", "CN", "false"]]
    run = send(tmp_path, "B5", "13800138000", "reminder", borrowers=borrowers)
    assert "recipient-unsafe-number" in codes(run)
    assert "recipient-third-party" not in codes(run)


# ---------------------------------------------------------------- sending hours


HOURS_CASES = [
    ("2026-11-28 08:00", False),
    ("2026-11-28 07:59", True),
    ("2026-11-28 20:59:59", False),
    ("2026-11-28 21:00", True),
    ("2026-11-28 23:30", True),
    ("2026-11-28T13:00:00+00:00", True),  # 21:00 in Shanghai
    ("2026-11-28T12:59:00+00:00", False),  # 20:59 in Shanghai
    ("2026-11-28T00:00:00Z", False),  # 08:00 in Shanghai
    ("2026-11-27T23:59:00Z", True),  # 07:59 in Shanghai
    ("2026-11-28T09:00:00+09:00", False),  # 08:00 in Shanghai
    ("", False),
    ("2026/11/28 21:00", True),
    ("2026年11月28日 10:00", False),
    ("2026-11-28 7:05", True),
]


def test_outside_hours_in_the_recipients_local_time(tmp_path: Path) -> None:
    messages = [("B1", N1, "reminder", when, NEUTRAL) for when, _ in HOURS_CASES]
    run, per_case = send_many(tmp_path, messages)
    cases = [(when, {"recipient-outside-hours"} if out else set()) for when, out in HOURS_CASES]
    assert mismatches(cases, per_case) == {}
    f = run.finding("recipient-outside-hours", "campaign", 3)
    assert (f["severity"], f["remediation"]) == ("high", "RESCHEDULE")
    outside = {f"M{i}" for i, (_, out) in enumerate(HOURS_CASES) if out}
    assert blocked_ids(run) == outside


GB_HOURS_CASES = [
    ("2026-11-28 07:30", True),  # no offset: London local time
    ("2026-11-28 20:30", False),
    ("2026-11-28T16:00:00+08:00", False),  # 08:00 in London (GMT in November)
    ("2026-11-28T15:59:00+08:00", True),
    ("2026-11-29T04:30:00+08:00", False),  # 04:30 in Shanghai is 20:30 in London
    ("2026-07-01T15:00:00+08:00", False),  # 08:00 BST: daylight saving of the recipient
    ("2026-07-01T14:59:00+08:00", True),
]


def test_outside_hours_uses_the_numbers_region_not_the_default(tmp_path: Path) -> None:
    messages = [("B4", GB, "reminder", when, NEUTRAL) for when, _ in GB_HOURS_CASES]
    _, per_case = send_many(tmp_path, messages)
    cases = [(when, {"recipient-outside-hours"} if out else set()) for when, out in GB_HOURS_CASES]
    assert mismatches(cases, per_case) == {}


def test_sending_window_is_configurable_per_country(tmp_path: Path) -> None:
    cfg = tmp_path / "ca.toml"
    cfg.write_text('[send_window]\nCN = ["09:00", "20:00"]\n', encoding="utf-8")
    campaign = [
        CAMPAIGN_HEADER,
        ["M1", "B1", N1, "reminder", "2026-11-28 08:30", NEUTRAL],
        ["M2", "B1", N1, "reminder", "2026-11-28 19:59", NEUTRAL],
        ["M3", "B1", N1, "reminder", "2026-11-28 20:00", NEUTRAL],
        ["M4", "B4", GB, "reminder", "2026-11-28 08:30", NEUTRAL],
    ]
    run = gate(tmp_path, campaign, BORROWERS, CONTACTS, args=["--config", str(cfg)])
    assert run.flat(source="campaign") == {
        ("recipient-outside-hours", "campaign", 2),
        ("recipient-outside-hours", "campaign", 4),
    }


# ---------------------------------------------------------------- debt disclosure


DEBT_TEXTS = [
    "请提醒张三尽快还款",
    "张三的账户已逾期",
    "张三有一笔欠款",
    "这是一条催收通知",
    "Your relative's account is overdue",
    "A DEBT is outstanding",
    "请转告：本期需支付¥3000",
    "请转告：本期需支付3000元",
    "Please pass on: $250.00 is due",
]


def test_debt_words_to_someone_other_than_the_borrower(tmp_path: Path) -> None:
    messages = [("B1", N4, "reminder", "", text) for text in DEBT_TEXTS]
    messages += [("B1", N1, "reminder", "", text) for text in DEBT_TEXTS]
    run, per_case = send_many(tmp_path, messages)
    cases = [(*m, {"recipient-debt-disclosure"}) for m in messages[: len(DEBT_TEXTS)]]
    cases += [(*m, set()) for m in messages[len(DEBT_TEXTS) :]]
    assert mismatches(cases, per_case) == {}
    f = run.finding("recipient-debt-disclosure", "campaign", 2)
    assert (f["severity"], f["remediation"]) == ("critical", "BLOCK_SEND")


def test_neutral_text_to_a_contact_is_not_a_disclosure(tmp_path: Path) -> None:
    run = send(tmp_path, "B1", N4, "reminder", text="请张三回电，谢谢")
    assert codes(run) == set()


def test_debt_text_to_a_third_party_is_both(tmp_path: Path) -> None:
    run = send(tmp_path, "B1", N4, "collection", text=DEBT)
    assert codes(run) == {"recipient-third-party", "recipient-debt-disclosure"}
    run = send(tmp_path, "B1", N2, "reminder", text=DEBT)
    assert codes(run) == {"recipient-third-party", "recipient-debt-disclosure"}


# ---------------------------------------------------------------- files and report


CAMPAIGN = [
    ["message_id", "borrower_id", "phone", "purpose", "scheduled_at", "text", "template"],
    ["001", "B1", N1, "collection", "2026-11-28 10:00", DEBT, "T1"],  # ok
    ["002", "B1", N4, "collection", "2026-11-28 10:00", DEBT, "T1"],  # third party + debt
    ["003", "B9", N1, "reminder", "", NEUTRAL, "=T2"],  # unknown borrower
    ["004", "B1", "+86 135 7192 8346", "reminder", "2026-11-28 22:00", NEUTRAL, "T3"],  # hours
    ["005", "B2", N2, "reminder", "", "含有,逗号\n和换行", "T3"],  # ok
    ["006", "B1", N7, "reminder", "", NEUTRAL, "T3"],  # not on file
    ["007", "B3", N3, "reminder", "", NEUTRAL, "T3"],  # opted out
    ["008", "B1", N4, "reminder", "", NEUTRAL, ""],  # ok
]
CAMPAIGN_BLOCKED = {
    "002": {"recipient-third-party", "recipient-debt-disclosure"},
    "003": {"recipient-borrower-unknown"},
    "004": {"recipient-outside-hours"},
    "006": {"recipient-not-on-file"},
    "007": {"recipient-opted-out"},
}


def test_approved_and_blocked_partition_the_campaign_with_its_own_columns(tmp_path: Path) -> None:
    run = gate(tmp_path, CAMPAIGN, BORROWERS, CONTACTS)
    assert run.exit_code == 1
    approved = read_csv_rows(run.files["approved"])
    blocked = read_csv_rows(run.files["blocked"])
    header = CAMPAIGN[0]
    assert approved[0] == header
    assert blocked[0] == [*header, "blocked_codes", "remediation"]
    # Every message exactly once, its cells unchanged (no formula prefix, no reformatting).
    assert sorted(approved[1:] + [r[: len(header)] for r in blocked[1:]]) == sorted(CAMPAIGN[1:])
    assert {r[0] for r in approved[1:]} == {"001", "005", "008"}
    got = {r[0]: set(r[len(header)].split(";")) for r in blocked[1:]}
    assert got == CAMPAIGN_BLOCKED
    for r in blocked[1:]:
        actions = set(r[len(header) + 1].split(";"))
        expected = {CATALOGUE[c][1] for c in CAMPAIGN_BLOCKED[r[0]]}
        assert actions == expected, r


def test_gate_report_findings_sit_on_the_message_row(tmp_path: Path) -> None:
    run = gate(tmp_path, CAMPAIGN, BORROWERS, CONTACTS)
    expected = {
        (code, "campaign", int(mid) + 1) for mid, cs in CAMPAIGN_BLOCKED.items() for code in cs
    }
    assert run.flat(source="campaign", codes=RECIPIENT_CODES) == expected
    check_catalogue(f for f in run.findings if f["source"] == "campaign")
    f = run.finding("recipient-third-party", "campaign", 3)
    assert f["record_id"] == "002" and f["borrower_id"] == "B1"
    assert f["phone_masked"] == cn_mask(N4)
    assert ("contacts", 2, "C1") in related_set(f) or ("borrowers", 2, "B1") in related_set(f)
    hours = run.finding("recipient-outside-hours", "campaign", 5)
    assert hours["phone_masked"] == cn_mask(N1)
    assert N4 not in run.stdout and N1 not in run.stdout


def test_every_campaign_finding_of_a_known_borrower_relates_that_borrower_row(
    tmp_path: Path,
) -> None:
    run = gate(tmp_path, CAMPAIGN, BORROWERS, CONTACTS)
    borrower_rows = {"B1": ("borrowers", 2, "B1"), "B3": ("borrowers", 4, "B3")}
    missing = [
        (f["code"], f["row"])
        for f in run.findings
        if f["source"] == "campaign"
        and f["code"] != "recipient-borrower-unknown"
        and borrower_rows[f["borrower_id"]] not in related_set(f)
    ]
    assert missing == []


def test_gate_message_without_message_id_has_null_record_id(tmp_path: Path) -> None:
    campaign = [["borrower_id", "phone", "purpose"], ["B1", N7, "reminder"]]
    run = gate(tmp_path, campaign, BORROWERS, CONTACTS)
    f = run.finding("recipient-not-on-file", "campaign", 2)
    assert f["record_id"] is None and f["borrower_id"] == "B1"


def test_all_clear_campaign_exits_0_and_blocks_nothing(tmp_path: Path) -> None:
    campaign = [
        CAMPAIGN_HEADER,
        ["M1", "B1", N1, "collection", "2026-11-28 09:00", DEBT],
        ["M2", "B2", N2, "reminder", "2026-11-28T02:00:00Z", NEUTRAL],
        ["M3", "B1", N5, "reminder", "", NEUTRAL],
    ]
    run = gate(tmp_path, campaign, BORROWERS[:3], CONTACTS)
    assert run.flat(source="campaign") == set()
    assert run.exit_code == 0
    assert len(read_csv_rows(run.files["approved"])) == 4
    assert read_csv_rows(run.files["blocked"])[1:] == []


def test_gate_fail_on_never_still_writes_the_blocked_file(tmp_path: Path) -> None:
    run = gate(tmp_path, CAMPAIGN, BORROWERS, CONTACTS, args=["--fail-on", "never"])
    assert run.exit_code == 0
    assert {r[0] for r in read_csv_rows(run.files["blocked"])[1:]} == set(CAMPAIGN_BLOCKED)


def test_gate_matches_contacts_and_borrowers_across_formats(tmp_path: Path) -> None:
    borrowers = [["borrower_id", "phone"], ["B1", "+86 135-7192-8346"], ["B2", f"{N2}.0"]]
    contacts = [["borrower_id", "phone", "relationship"], ["B1", "0086 158 2039 4857", "母亲"]]
    campaign = [
        CAMPAIGN_HEADER,
        ["M1", "B1", N1, "reminder", "", NEUTRAL],
        ["M2", "B1", N3, "reminder", "", NEUTRAL],
        ["M3", "B1", "1.3691827364E10", "reminder", "", NEUTRAL],
    ]
    run = gate(tmp_path, campaign, borrowers, contacts)
    assert run.flat(source="campaign", codes=RECIPIENT_CODES) == {
        ("recipient-third-party", "campaign", 4)
    }


def test_unsafe_only_for_records_of_this_borrower(tmp_path: Path) -> None:
    contacts = [
        [*CONTACTS[0], "verified_at"],
        ["C1", "B1", N4, "张母", "母亲", "2026-10-01"],  # re-verified after disconnection
        ["C9", "B2", N4, "张母", "朋友", ""],  # never verified: reassigned (critical)
    ]
    run = send(
        tmp_path,
        "B1",
        N4,
        "reminder",
        contacts=contacts,
        reassigned=[["phone", "disconnected_at"], [N4, "2026-06-01"]],
    )
    assert codes(run) == set()
    other = send(
        tmp_path,
        "B2",
        N4,
        "reminder",
        contacts=contacts,
        reassigned=[["phone", "disconnected_at"], [N4, "2026-06-01"]],
    )
    assert codes(other) == {"recipient-unsafe-number"}


def test_config_severity_and_ignore_decide_what_is_blocked(tmp_path: Path) -> None:
    cfg = tmp_path / "ca.toml"
    cfg.write_text('[severity]\n"recipient-outside-hours" = "medium"\n', encoding="utf-8")
    run = send(tmp_path, "B1", N1, "reminder", "2026-11-28 22:00", args=["--config", str(cfg)])
    assert codes(run) == {"recipient-outside-hours"}
    assert run.finding("recipient-outside-hours", "campaign", 2)["severity"] == "medium"
    assert blocked_ids(run) == set()
    assert run.exit_code == 0
    cfg.write_text('ignore = ["recipient-not-on-file"]\n', encoding="utf-8")
    run = send(tmp_path, "B1", N7, "collection", args=["--config", str(cfg)])
    assert codes(run) == set() and blocked_ids(run) == set()


def test_lowered_audit_severity_no_longer_makes_a_number_unsafe(tmp_path: Path) -> None:
    cfg = tmp_path / "ca.toml"
    cfg.write_text('[severity]\n"phone-shared-by-borrowers" = "medium"\n', encoding="utf-8")
    borrowers = [*BORROWERS, ["B5", N1, "赵六", "CN", "false"]]
    # Without the self contact C3, which would be contact-is-other-borrower (B5's phone).
    contacts = [row for row in CONTACTS if row[0] != "C3"]
    run = send(
        tmp_path, "B1", N1, borrowers=borrowers, contacts=contacts, args=["--config", str(cfg)]
    )
    assert codes(run) == set()
    default = send(tmp_path, "B1", N1, borrowers=borrowers, contacts=contacts)
    assert codes(default) == {"recipient-unsafe-number"}


def test_gate_json_report_is_sorted_and_counted(tmp_path: Path) -> None:
    run = gate(tmp_path, CAMPAIGN, BORROWERS, CONTACTS)
    r = run.report
    assert r["schema_version"] == 1
    assert "campaign" in {i["source"] for i in r["inputs"]}
    findings = r["findings"]
    assert [sort_key(f) for f in findings] == sorted(sort_key(f) for f in findings)
    assert r["summary"]["findings"] == len(findings)
    for f in findings:
        assert set(f) == FINDING_KEYS
