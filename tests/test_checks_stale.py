"""Stale family: reassigned numbers, old or missing verification, opt-outs."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import pytest

from contactaudit.checks.stale import check_stale
from contactaudit.config import AuditConfig
from contactaudit.models import CHECK_COLUMNS
from normalised_frames import (
    INVALID,
    A,
    B,
    C,
    borrowers,
    contacts,
    flat,
    message,
    only,
    reference,
    with_str_dtype,
)

AS_OF = dt.date(2024, 7, 1)
CONFIG = AuditConfig()


def run(
    b: pd.DataFrame,
    c: pd.DataFrame | None = None,
    reassigned: pd.DataFrame | None = None,
    opt_outs: pd.DataFrame | None = None,
    **config: Any,
) -> pd.DataFrame:
    out = check_stale(
        b, c, reassigned, opt_outs, AS_OF, AuditConfig(**config) if config else CONFIG
    )
    assert tuple(out.columns) == CHECK_COLUMNS
    return out


def days_ago(n: int) -> str:
    return (AS_OF - dt.timedelta(days=n)).isoformat()


def fresh(borrower_id: str, phone: str | None = A, **extra: Any) -> dict[str, Any]:
    """A borrower verified yesterday, unless ``extra`` says otherwise."""
    row = {"borrower_id": borrower_id, "phone": phone, "phone_verified_at": days_ago(1)}
    row["consent_at"] = None
    row.update(extra)
    return row


def disconnected(*entries: tuple[str, str | None]) -> pd.DataFrame:
    return reference(*({"phone": p, "disconnected_at": d} for p, d in entries))


def codes(out: pd.DataFrame, code: str) -> list[tuple[str, str, int]]:
    return flat(only(out, code))


# --- phone-reassigned ---------------------------------------------------------------------


def test_disconnection_after_the_verification_is_reassigned() -> None:
    b = borrowers(fresh("B1", A, phone_verified_at="2024-01-10"), fresh("B2", B))
    out = run(b, reassigned=disconnected((A, "2024-03-01")))
    assert codes(out, "phone-reassigned") == [("phone-reassigned", "borrowers", 2)]
    assert message(out, "phone-reassigned", "borrowers", 2) == (
        "number is on the reassigned list, disconnected on or after the last verification"
    )


def test_disconnection_on_the_verification_day_is_reassigned() -> None:
    b = borrowers(fresh("B1", A, phone_verified_at="2024-03-01"))
    out = run(b, reassigned=disconnected((A, "2024-03-01")))
    assert codes(out, "phone-reassigned") == [("phone-reassigned", "borrowers", 2)]


def test_disconnection_before_a_later_reverification_is_silent() -> None:
    b = borrowers(fresh("B1", A, phone_verified_at="2024-03-02"))
    assert run(b, reassigned=disconnected((A, "2024-03-01"))).empty


def test_a_later_consent_date_counts_as_verification_for_borrowers() -> None:
    b = borrowers(fresh("B1", A, phone_verified_at="2023-01-01", consent_at="2024-06-01"))
    assert codes(run(b, reassigned=disconnected((A, "2024-03-01"))), "phone-reassigned") == []


def test_record_without_verification_date_is_reassigned() -> None:
    b = borrowers(fresh("B1", A, phone_verified_at=None))
    out = run(b, reassigned=disconnected((A, "2020-01-01")))
    assert codes(out, "phone-reassigned") == [("phone-reassigned", "borrowers", 2)]
    assert message(out, "phone-reassigned", "borrowers", 2) == (
        "number is on the reassigned list and the record has no verification date"
    )


def test_table_without_verification_columns_is_reassigned_when_listed() -> None:
    b = borrowers({"borrower_id": "B1", "phone": A})
    assert flat(run(b, reassigned=disconnected((A, "2020-01-01")))) == [
        ("phone-reassigned", "borrowers", 2)
    ]


def test_list_entry_without_a_date_counts_as_after_any_verification() -> None:
    b = borrowers(fresh("B1", A))
    out = run(b, reassigned=disconnected((A, None)))
    assert codes(out, "phone-reassigned") == [("phone-reassigned", "borrowers", 2)]
    assert message(out, "phone-reassigned", "borrowers", 2) == (
        "number is on the reassigned list without a disconnection date"
    )


def test_number_listed_twice_uses_its_latest_disconnection() -> None:
    b = borrowers(fresh("B1", A, phone_verified_at="2024-01-01"))
    listed = disconnected((A, "2024-03-01"), (A, "2023-06-01"))
    assert codes(run(b, reassigned=listed), "phone-reassigned") == [
        ("phone-reassigned", "borrowers", 2)
    ]


def test_contacts_use_verified_at() -> None:
    c = contacts(
        {"borrower_id": "B1", "contact_id": "C1", "phone": B, "verified_at": "2024-01-01"},
        {"borrower_id": "B1", "contact_id": "C2", "phone": C, "verified_at": "2024-05-01"},
    )
    listed = disconnected((B, "2024-02-01"), (C, "2024-02-01"))
    out = run(borrowers(fresh("B1")), c, reassigned=listed)
    assert codes(out, "phone-reassigned") == [("phone-reassigned", "contacts", 2)]


def test_unusable_numbers_never_match_the_list() -> None:
    b = borrowers({"borrower_id": "B1", "phone_verified_at": None, **INVALID})
    listed = reference({"raw": "1391234", "usable": False, "disconnected_at": "2024-01-01"})
    assert run(b, reassigned=listed).empty


def test_numbers_not_on_the_list_are_not_reassigned() -> None:
    b = borrowers(fresh("B1", A))
    assert run(b, reassigned=disconnected((B, "2024-03-01"))).empty


# --- phone-verification-stale ---------------------------------------------------------------


def test_exactly_180_days_is_not_stale_and_181_is() -> None:
    b = borrowers(
        fresh("B1", A, phone_verified_at=days_ago(180)),
        fresh("B2", B, phone_verified_at=days_ago(181)),
    )
    out = run(b)
    assert flat(out) == [("phone-verification-stale", "borrowers", 3)]
    assert message(out, "phone-verification-stale", "borrowers", 3) == (
        "last verification is 181 days old (more than 180)"
    )


def test_a_recent_consent_keeps_an_old_verification_fresh() -> None:
    b = borrowers(fresh("B1", A, phone_verified_at=days_ago(900), consent_at=days_ago(10)))
    assert run(b).empty


def test_consent_alone_is_a_verification_date() -> None:
    b = borrowers(fresh("B1", A, phone_verified_at=None, consent_at=days_ago(200)))
    assert flat(run(b)) == [("phone-verification-stale", "borrowers", 2)]


def test_contacts_are_stale_after_365_days() -> None:
    c = contacts(
        {"borrower_id": "B1", "contact_id": "C1", "phone": B, "verified_at": days_ago(365)},
        {"borrower_id": "B1", "contact_id": "C2", "phone": C, "verified_at": days_ago(366)},
    )
    assert flat(run(borrowers(fresh("B1")), c)) == [("phone-verification-stale", "contacts", 3)]


def test_stale_after_days_comes_from_the_config() -> None:
    b = borrowers(fresh("B1", A, phone_verified_at=days_ago(31)))
    assert flat(run(b, stale_after_days={"borrowers": 30, "contacts": 365})) == [
        ("phone-verification-stale", "borrowers", 2)
    ]


def test_future_verification_dates_are_not_stale() -> None:
    b = borrowers(fresh("B1", A, phone_verified_at=(AS_OF + dt.timedelta(days=5)).isoformat()))
    assert run(b).empty


def test_unusable_numbers_are_never_stale_or_unverified() -> None:
    b = borrowers(
        {"borrower_id": "B1", "phone_verified_at": days_ago(900), "consent_at": None, **INVALID},
        {"borrower_id": "B2", "phone_verified_at": None, "consent_at": None, **INVALID},
    )
    assert run(b).empty


def test_verification_times_of_day_are_compared_as_dates() -> None:
    b = borrowers(fresh("B1", A, phone_verified_at=days_ago(180) + " 00:01"))
    out = run(b, reassigned=disconnected((A, days_ago(180))))
    assert flat(out) == [("phone-reassigned", "borrowers", 2)]


# --- phone-never-verified -----------------------------------------------------------------------


def test_empty_verification_columns_are_never_verified_and_not_also_stale() -> None:
    b = borrowers(
        fresh("B1", A, phone_verified_at=None, consent_at=None),
        fresh("B2", B),
    )
    out = run(b)
    assert flat(out) == [("phone-never-verified", "borrowers", 2)]
    assert message(out, "phone-never-verified", "borrowers", 2) == (
        "no verification date (phone_verified_at, consent_at are empty)"
    )


def test_table_without_verification_columns_is_not_never_verified() -> None:
    b = borrowers({"borrower_id": "B1", "phone": A})
    c = contacts({"borrower_id": "B1", "contact_id": "C1", "phone": B})
    assert run(b, c).empty


def test_contact_with_empty_verified_at_is_never_verified() -> None:
    c = contacts(
        {"borrower_id": "B1", "contact_id": "C1", "phone": B, "verified_at": None},
        {"borrower_id": "B1", "contact_id": "C2", "phone": C, "verified_at": days_ago(3)},
    )
    out = run(borrowers(fresh("B1")), c)
    assert flat(out) == [("phone-never-verified", "contacts", 2)]
    assert message(out, "phone-never-verified", "contacts", 2) == (
        "no verification date (verified_at is empty)"
    )


# --- phone-opted-out ------------------------------------------------------------------------


def test_number_on_the_opt_out_list_is_a_finding_for_borrowers_and_contacts() -> None:
    b = borrowers(fresh("B1", A), fresh("B2", B))
    c = contacts(
        {"borrower_id": "B1", "contact_id": "C1", "phone": A, "verified_at": days_ago(1)},
        {"borrower_id": "B1", "contact_id": "C2", "phone": C, "verified_at": days_ago(1)},
    )
    out = run(b, c, opt_outs=reference({"phone": A, "opted_out_at": None}))
    assert flat(out) == [
        ("phone-opted-out", "borrowers", 2),
        ("phone-opted-out", "contacts", 2),
    ]
    assert message(out, "phone-opted-out", "contacts", 2) == "number is on the opt-out list"


def test_sms_opt_out_true_is_a_finding_and_false_or_blank_is_not() -> None:
    b = borrowers(
        fresh("B1", A, sms_opt_out=True),
        fresh("B2", B, sms_opt_out=False),
        fresh("B3", C, sms_opt_out=None),
    )
    out = run(b)
    assert flat(out) == [("phone-opted-out", "borrowers", 2)]
    assert message(out, "phone-opted-out", "borrowers", 2) == "borrower's sms_opt_out is true"


def test_both_reasons_give_one_finding() -> None:
    b = borrowers(fresh("B1", A, sms_opt_out=True))
    out = run(b, opt_outs=reference({"phone": A, "opted_out_at": "2024-01-01"}))
    assert flat(out) == [("phone-opted-out", "borrowers", 2)]
    assert message(out, "phone-opted-out", "borrowers", 2) == (
        "number is on the opt-out list and the borrower's sms_opt_out is true"
    )


def test_sms_opt_out_follows_the_borrower_even_with_an_unusable_phone() -> None:
    b = borrowers(
        {"borrower_id": "B1", "sms_opt_out": True, **INVALID},
        {"borrower_id": "B2", "sms_opt_out": False, **INVALID},
    )
    listed = reference({"raw": "1391234", "usable": False, "opted_out_at": None})
    assert flat(run(b, opt_outs=listed)) == [("phone-opted-out", "borrowers", 2)]


def test_text_sms_opt_out_values_are_read_as_flags() -> None:
    b = borrowers(fresh("B1", A), fresh("B2", B), fresh("B3", C))
    b["sms_opt_out"] = pd.Series(["是", "no", None], dtype=object)
    assert flat(run(b)) == [("phone-opted-out", "borrowers", 2)]


# --- carried fields, dtypes, inputs -------------------------------------------------------------


def test_findings_carry_row_record_id_borrower_id_and_column() -> None:
    c = contacts(
        {
            "borrower_id": "B1",
            "contact_id": "C7",
            "phone": B,
            "verified_at": None,
            "_row": 12,
            "_phone_column": "contact1_phone",
        }
    )
    row = run(borrowers(fresh("B1")), c).iloc[0]
    assert (row["code"], row["source"], row["row"]) == ("phone-never-verified", "contacts", 12)
    assert (row["record_id"], row["borrower_id"], row["column"]) == ("C7", "B1", "contact1_phone")
    assert (row["e164"], row["raw"], row["related"]) == (B, B[3:], ())


@pytest.mark.parametrize("convert", [lambda f: f, with_str_dtype], ids=["object", "str"])
def test_same_findings_with_object_or_arrow_string_columns(convert) -> None:  # type: ignore[no-untyped-def]
    b = borrowers(
        fresh("B1", A, phone_verified_at=days_ago(200), sms_opt_out=False),
        fresh("B2", B, phone_verified_at=None, sms_opt_out=True),
    )
    out = run(
        convert(b),
        reassigned=convert(disconnected((A, days_ago(100)))),
        opt_outs=convert(reference({"phone": A, "opted_out_at": None})),
    )
    assert flat(out) == [
        ("phone-never-verified", "borrowers", 3),
        ("phone-opted-out", "borrowers", 2),
        ("phone-opted-out", "borrowers", 3),
        ("phone-reassigned", "borrowers", 2),
        ("phone-verification-stale", "borrowers", 2),
    ]


def test_contacts_alone_with_an_empty_borrowers_table() -> None:
    c = contacts({"borrower_id": "B1", "contact_id": "C1", "phone": B, "verified_at": None})
    assert flat(run(borrowers(), c)) == [("phone-never-verified", "contacts", 2)]
