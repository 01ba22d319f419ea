"""checks.malformed: one finding per malformed phone cell, messages without values."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from contactaudit import catalog
from contactaudit.checks.malformed import check_malformed, message_for
from contactaudit.models import CHECK_COLUMNS
from contactaudit.phones import MALFORMED_CODES, normalize_phones

CLEAN = "13926418573"


def table(phones: list[object], column: str = "phone", **extra: list[object]) -> pd.DataFrame:
    """A tiny loaded-and-normalised table, rows numbered like a spreadsheet."""
    n = len(phones)
    frame = pd.DataFrame(
        {
            "_row": list(range(2, n + 2)),
            "_record_id": [f"R{i}" for i in range(n)],
            "borrower_id": [f"B{i}" for i in range(n)],
            "_phone_column": [column] * n,
            "phone": phones,
            **extra,
        },
    ).astype({"_row": "int64", "phone": object})
    return pd.concat([frame, normalize_phones(frame["phone"])], axis=1)


def flat(findings: pd.DataFrame) -> list[tuple[str, str, int]]:
    return list(zip(findings["code"], findings["source"], findings["row"].astype(int), strict=True))


def test_one_finding_per_malformed_cell_and_none_for_clean_cells() -> None:
    t = table(
        [CLEAN, "010-62345897", "1.39264E+10", f"{CLEAN}/15083726491", None, "+" + "86" + CLEAN]
    )
    found = check_malformed(t, "borrowers")
    assert flat(found) == [
        ("phone-not-mobile", "borrowers", 3),
        ("phone-precision-lost", "borrowers", 4),
        ("phone-multiple", "borrowers", 5),
        ("phone-missing", "borrowers", 6),
    ]
    # The normalised table's e164_key travels along, after the contract's columns.
    assert list(found.columns) == [*CHECK_COLUMNS, "e164_key"]
    assert found["e164_key"].tolist() == [861062345897, -1, -1, -1]  # +86 10 6234 5897


def test_findings_carry_record_borrower_column_and_numbers() -> None:
    t = table([f"{CLEAN}转123", "139****8573"], column="contact2_phone")
    found = check_malformed(t, "contacts")
    first = found.iloc[0]
    assert (first["record_id"], first["borrower_id"], first["column"]) == (
        "R0",
        "B0",
        "contact2_phone",
    )
    assert first["e164"] == "+86" + CLEAN  # an extension is usable by its main number
    assert first["raw"] == f"{CLEAN}转123"
    assert first["related"] == ()
    assert pd.isna(found.iloc[1]["e164"]) and found.iloc[1]["raw"] == "139****8573"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("010-62345897", "phone is a fixed-line number: it cannot take SMS"),
        ("4008123456", "phone is a shared-cost number: it cannot take SMS"),
        (f"{CLEAN}/15083726491", "cell holds 2 numbers"),
        (f"{CLEAN}/15083726491/13700000001", "cell holds 3 numbers"),
        ("", "phone cell is empty"),
        ("n/a", "phone cell holds a null token"),
        ("14026418573", "number is in an IoT/M2M range: it cannot take SMS"),
        ("110", "number is an emergency number: it cannot take SMS"),
        ("13800138000", "number is a placeholder (known dummy number)"),
        (
            "1.39264E+10",
            "spreadsheet scientific notation lost digits (6 of 11 digits written): "
            "the number cannot be recovered",
        ),
        (
            f"{CLEAN}.0",
            "number was stored as a spreadsheet float; every digit survived, store it as text",
        ),
        ("139 2641 8573", "number is stored with decoration (spaces, separators or brackets)"),
        ("see notes", "cell is not a phone number (no digits)"),
        ("1392641857", "number is not valid (not an allocated range)"),
        (f"{CLEAN} ext. 12", "number has an extension: a switchboard, not a handset"),
        ("139****8573", "phone was masked upstream: mask characters replace digits"),
    ],
)
def test_messages_say_what_is_wrong(raw: str, message: str) -> None:
    assert check_malformed(table([raw]), "borrowers")["message"].tolist() == [message]


def test_messages_never_contain_the_number() -> None:
    cells = [
        "010-62345897",
        "13800138000",
        "139****8573",
        f"{CLEAN}/15083726491",
        "1.39264E+10",
        f"{CLEAN}.0",
        "0086 139 2641 8573",
        "14026418573",
        "1392641857",
        f"{CLEAN}转123",
        "母亲13926418573 父亲15083726491",
        "见备注",
        "+1 202-555-0143",
    ]
    found = check_malformed(table(cells), "contacts")
    assert len(found) == len(cells)
    for message in found["message"]:
        assert not re.search(r"\d{3,}", message), message


def test_every_code_has_a_message_with_and_without_detail() -> None:
    for code in MALFORMED_CODES:
        assert code in catalog.CATALOG
        for detail in (None, "a reason", "13926418573"):
            text = message_for(code, detail)
            assert text and "13926418573" not in text and "{" not in text


def test_table_without_detail_column_still_gets_messages() -> None:
    t = table(["010-62345897", "110"]).drop(columns=["detail"])
    assert check_malformed(t, "borrowers")["message"].tolist() == [
        "phone is not a mobile number: it cannot take SMS",
        "number is in a range that cannot take SMS",
    ]


def test_clean_or_empty_tables_give_an_empty_check_frame() -> None:
    for t in (table([CLEAN, "+8615083726491"]), table([]).iloc[0:0]):
        found = check_malformed(t, "borrowers")
        assert found.empty
        assert list(found.columns) == list(CHECK_COLUMNS)


def test_reference_list_without_borrower_id_is_accepted() -> None:
    t = table(["13800138000"]).drop(columns=["borrower_id"])
    found = check_malformed(t, "contacts")
    assert flat(found) == [("phone-placeholder", "contacts", 2)]
    assert pd.isna(found.iloc[0]["borrower_id"])


def test_findings_keep_row_order_with_a_shuffled_index() -> None:
    t = table(["110", CLEAN, "13800138000", "见备注"]).set_axis([30, 10, 20, 0])
    assert flat(check_malformed(t, "borrowers")) == [
        ("phone-not-sms-capable", "borrowers", 2),
        ("phone-placeholder", "borrowers", 4),
        ("phone-unparseable", "borrowers", 5),
    ]
