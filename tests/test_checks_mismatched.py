"""Mismatched family: self contacts, names, relationships, regions, orphans."""

from __future__ import annotations

import pandas as pd
import pytest

from contactaudit.checks.duplicated import check_duplicated
from contactaudit.checks.mismatched import check_mismatched
from contactaudit.config import AuditConfig
from contactaudit.models import CHECK_COLUMNS
from normalised_frames import (
    INVALID,
    PLACEHOLDER,
    A,
    B,
    C,
    D,
    borrowers,
    contacts,
    flat,
    message,
    only,
    rb,
    rc,
    related,
    with_str_dtype,
)

CONFIG = AuditConfig()
ONE = borrowers({"borrower_id": "B1", "phone": A})


def run(b: pd.DataFrame, c: pd.DataFrame | None = None, **config: object) -> pd.DataFrame:
    out = check_mismatched(b, c, AuditConfig(**config) if config else CONFIG)
    assert tuple(out.columns) == CHECK_COLUMNS
    return out


def listed(*rows: tuple[str, str | None, str | None]) -> pd.DataFrame:
    """Contacts of known borrowers as (phone, name, relationship)."""
    return contacts(
        *(
            {
                "borrower_id": f"B{i}",
                "contact_id": f"C{i}",
                "phone": p,
                "name": n,
                "relationship": r,
            }
            for i, (p, n, r) in enumerate(rows, 1)
        )
    )


KNOWN = borrowers(*({"borrower_id": f"B{i}", "phone": f"+861371234{i:04d}"} for i in range(1, 9)))


# --- self-contact-mismatch --------------------------------------------------------------


def test_self_contact_with_another_number_is_a_finding_listing_the_borrower() -> None:
    out = run(
        ONE, contacts({"borrower_id": "B1", "contact_id": "C1", "phone": B, "relationship": "本人"})
    )
    assert flat(out) == [("self-contact-mismatch", "contacts", 2)]
    assert related(out, "self-contact-mismatch", "contacts", 2) == (rb(2, "B1"),)


def test_self_contact_carrying_the_borrowers_own_number_is_silent() -> None:
    out = run(
        ONE, contacts({"borrower_id": "B1", "contact_id": "C1", "phone": A, "relationship": "本人"})
    )
    assert out.empty


def test_self_contact_matching_any_row_of_a_duplicated_borrower_is_silent() -> None:
    b = borrowers({"borrower_id": "B1", "phone": A}, {"borrower_id": "B1", "phone": B})
    same = contacts({"borrower_id": "B1", "contact_id": "C1", "phone": B, "relationship": "self"})
    other = contacts({"borrower_id": "B1", "contact_id": "C1", "phone": C, "relationship": "self"})
    assert run(b, same).empty
    assert related(run(b, other), "self-contact-mismatch", "contacts", 2) == (
        rb(2, "B1"),
        rb(3, "B1"),
    )


def test_self_contact_mismatch_needs_both_numbers_usable() -> None:
    unusable_borrower = borrowers({"borrower_id": "B1", **INVALID})
    self_contact = contacts(
        {"borrower_id": "B1", "contact_id": "C1", "phone": B, "relationship": "本人"}
    )
    unusable_contact = contacts(
        {"borrower_id": "B1", "contact_id": "C1", "relationship": "本人", **PLACEHOLDER}
    )
    assert run(unusable_borrower, self_contact).empty
    assert run(ONE, unusable_contact).empty


def test_non_self_contact_with_another_number_is_not_a_self_mismatch() -> None:
    out = run(
        ONE, contacts({"borrower_id": "B1", "contact_id": "C1", "phone": B, "relationship": "母亲"})
    )
    assert out.empty


# --- name-conflict ----------------------------------------------------------------------


def test_one_number_under_two_names_is_a_finding_on_each_named_row() -> None:
    out = run(KNOWN, listed((D, "王芳", "母亲"), (D, "李娜", "朋友"), (D, "妈妈", "母亲")))
    assert flat(out) == [("name-conflict", "contacts", 2), ("name-conflict", "contacts", 3)]
    assert related(out, "name-conflict", "contacts", 2) == (rc(3, "C2"),)
    assert related(out, "name-conflict", "contacts", 3) == (rc(2, "C1"),)
    assert (
        message(out, "name-conflict", "contacts", 2) == "number is listed under 2 different names"
    )


def test_four_borrowers_listing_one_contact_under_one_name_is_fanout_not_a_conflict() -> None:
    c = listed(*((D, "王芳", "母亲") for _ in range(4)))
    assert run(KNOWN, c).empty
    fanout = check_duplicated(KNOWN, c, CONFIG)
    assert set(fanout["code"]) == {"contact-shared-by-borrowers"}


@pytest.mark.parametrize("second", ["妈妈", "先生", "女士", "老公", "Mr", "王先生", "Mr. Wang"])
def test_role_words_are_not_names(second: str) -> None:
    assert run(KNOWN, listed((D, "王芳", "母亲"), (D, second, "母亲"))).empty


@pytest.mark.parametrize("second", ["", None, "null", "无", "  "])
def test_blank_and_null_names_are_not_names(second: str | None) -> None:
    assert run(KNOWN, listed((D, "王芳", "母亲"), (D, second, "母亲"))).empty


@pytest.mark.parametrize("second", ["zhang wei", "ZHANG WEI", "Zhang  Wei", "Ｚｈａｎｇ Ｗｅｉ"])
def test_names_differing_only_in_case_width_or_spaces_are_one_name(second: str) -> None:
    assert run(KNOWN, listed((D, "Zhang Wei", "朋友"), (D, second, "朋友"))).empty


def test_configured_role_words_are_not_names() -> None:
    c = listed((D, "王芳", "母亲"), (D, "房东", "其他"))
    assert flat(run(KNOWN, c)) == [("name-conflict", "contacts", r) for r in (2, 3)]
    assert run(KNOWN, c, role_words=("房东",)).empty


def test_names_on_unusable_numbers_never_conflict() -> None:
    c = contacts(
        {
            "borrower_id": "B1",
            "contact_id": "C1",
            "name": "王芳",
            "relationship": "母亲",
            **PLACEHOLDER,
        },
        {
            "borrower_id": "B2",
            "contact_id": "C2",
            "name": "李娜",
            "relationship": "母亲",
            **PLACEHOLDER,
        },
    )
    assert run(KNOWN, c).empty


def test_different_names_on_different_numbers_are_not_a_conflict() -> None:
    assert run(KNOWN, listed((C, "王芳", "母亲"), (D, "李娜", "母亲"))).empty


def test_no_name_column_means_no_name_conflict() -> None:
    c = contacts(
        {"borrower_id": "B1", "contact_id": "C1", "phone": D},
        {"borrower_id": "B2", "contact_id": "C2", "phone": D},
    )
    assert run(KNOWN, c).empty


# --- relationship-unknown ----------------------------------------------------------------


def test_blank_or_unknown_relationship_is_a_finding_on_the_relationship_column() -> None:
    out = run(
        KNOWN,
        listed((C, None, ""), (D, None, "邻居"), (B, None, "母亲"), (A, None, None)),
    )
    assert flat(out) == [("relationship-unknown", "contacts", r) for r in (2, 3, 5)]
    assert set(out["column"]) == {"relationship"}
    assert message(out, "relationship-unknown", "contacts", 2) == "relationship is blank"
    assert message(out, "relationship-unknown", "contacts", 3) == (
        "relationship is not in the vocabulary"
    )


def test_relationship_unknown_does_not_depend_on_the_phone() -> None:
    c = contacts({"borrower_id": "B1", "contact_id": "C1", "relationship": "邻居", **INVALID})
    assert flat(run(KNOWN, c)) == [("relationship-unknown", "contacts", 2)]


def test_configured_relationship_words_are_known() -> None:
    c = listed((D, None, "邻居"))
    assert run(KNOWN, c, relationships={"邻居": "other"}).empty


def test_no_relationship_column_means_no_relationship_finding() -> None:
    c = contacts({"borrower_id": "B1", "contact_id": "C1", "phone": D})
    assert run(KNOWN, c).empty


# --- region-mismatch ---------------------------------------------------------------------


def test_number_region_differing_from_country_is_a_finding() -> None:
    b = borrowers(
        {"borrower_id": "B1", "phone": A, "country": "US"},
        {"borrower_id": "B2", "phone": B, "country": "CN"},
        {"borrower_id": "B3", "phone": C, "country": None},
        {"borrower_id": "B4", "country": "US", **INVALID},
        {"borrower_id": "B5", "phone": "+12025550143", "number_region": "US", "country": "US"},
    )
    out = run(b)
    assert flat(out) == [("region-mismatch", "borrowers", 2)]
    assert message(out, "region-mismatch", "borrowers", 2) == (
        "number's region CN differs from the row's country US"
    )


def test_contacts_with_a_country_column_are_checked_too() -> None:
    c = contacts(
        {"borrower_id": "B1", "contact_id": "C1", "phone": D, "country": "HK"},
        {"borrower_id": "B1", "contact_id": "C2", "phone": C, "country": "CN"},
    )
    assert flat(run(KNOWN, c)) == [("region-mismatch", "contacts", 2)]


def test_no_country_column_means_no_region_finding() -> None:
    assert run(borrowers({"borrower_id": "B1", "phone": A, "number_region": "US"})).empty


# --- contact-orphan ----------------------------------------------------------------------


def test_contact_of_an_unknown_borrower_is_an_orphan_without_related() -> None:
    c = contacts(
        {"borrower_id": "B1", "contact_id": "C1", "phone": B},
        {"borrower_id": "B404", "contact_id": "C2", "phone": C},
        {"borrower_id": "B405", "contact_id": "C3", **INVALID},
        {"borrower_id": None, "contact_id": "C4", "phone": D},
    )
    out = run(ONE, c)
    assert flat(out) == [("contact-orphan", "contacts", r) for r in (3, 4, 5)]
    assert all(r == () for r in out["related"])
    assert set(out["column"]) == {"borrower_id"}
    assert message(out, "contact-orphan", "contacts", 5) == "contact row has no borrower_id"
    assert message(out, "contact-orphan", "contacts", 3) == (
        "contact's borrower_id is not in the borrowers export"
    )


# --- carried fields, dtypes ---------------------------------------------------------------


def test_findings_carry_row_record_id_and_borrower_id() -> None:
    c = contacts(
        {
            "borrower_id": "B1",
            "contact_id": "C9",
            "phone": B,
            "relationship": "本人",
            "_row": 40,
            "_phone_column": "contact3_phone",
            "raw": "+86 139-1234-5622",
        }
    )
    row = only(run(ONE, c), "self-contact-mismatch").iloc[0]
    assert (row["source"], row["row"], row["record_id"], row["borrower_id"]) == (
        "contacts",
        40,
        "C9",
        "B1",
    )
    assert (row["column"], row["e164"], row["raw"]) == ("contact3_phone", B, "+86 139-1234-5622")


@pytest.mark.parametrize("convert", [lambda f: f, with_str_dtype], ids=["object", "str"])
def test_same_findings_with_object_or_arrow_string_columns(convert) -> None:  # type: ignore[no-untyped-def]
    b = borrowers({"borrower_id": "B1", "phone": A, "country": "US"})
    c = contacts(
        {
            "borrower_id": "B1",
            "contact_id": "C1",
            "phone": B,
            "name": "王芳",
            "relationship": "本人",
        },
        {"borrower_id": "B2", "contact_id": "C2", "phone": B, "name": "李娜", "relationship": "x"},
    )
    assert flat(run(convert(b), convert(c))) == [
        ("contact-orphan", "contacts", 3),
        ("name-conflict", "contacts", 2),
        ("name-conflict", "contacts", 3),
        ("region-mismatch", "borrowers", 2),
        ("relationship-unknown", "contacts", 3),
        ("self-contact-mismatch", "contacts", 2),
    ]


def test_without_contacts_only_borrower_codes_run() -> None:
    assert run(ONE).empty
    assert run(ONE, contacts()).empty


def test_empty_borrowers_table_makes_every_contact_an_orphan() -> None:
    c = contacts({"borrower_id": "B1", "contact_id": "C1", "phone": D, "relationship": "本人"})
    assert flat(run(borrowers(), c)) == [("contact-orphan", "contacts", 2)]
