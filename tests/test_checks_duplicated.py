"""Duplicated family: shared numbers, duplicate ids, contacts that are borrowers."""

from __future__ import annotations

import pandas as pd
import pytest

from contactaudit.checks.duplicated import check_duplicated
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


def run(b: pd.DataFrame, c: pd.DataFrame | None = None, **config: object) -> pd.DataFrame:
    out = check_duplicated(b, c, AuditConfig(**config) if config else CONFIG)
    assert tuple(out.columns) == CHECK_COLUMNS
    return out


# --- phone-shared-by-borrowers ---------------------------------------------------------


def test_number_of_two_borrowers_is_a_finding_on_each_listing_the_other() -> None:
    out = run(
        borrowers(
            {"borrower_id": "B1", "phone": A},
            {"borrower_id": "B2", "phone": B},
            {"borrower_id": "B3", "phone": A},
        )
    )
    assert flat(out) == [
        ("phone-shared-by-borrowers", "borrowers", 2),
        ("phone-shared-by-borrowers", "borrowers", 4),
    ]
    assert related(out, "phone-shared-by-borrowers", "borrowers", 2) == (rb(4, "B3"),)
    assert related(out, "phone-shared-by-borrowers", "borrowers", 4) == (rb(2, "B1"),)
    assert message(out, "phone-shared-by-borrowers", "borrowers", 2) == (
        "number is also the phone of 1 other borrower"
    )


def test_three_borrowers_sharing_count_two_others_and_list_both() -> None:
    out = run(
        borrowers(
            {"borrower_id": "B1", "phone": A},
            {"borrower_id": "B2", "phone": A},
            {"borrower_id": "B3", "phone": A},
        )
    )
    assert related(out, "phone-shared-by-borrowers", "borrowers", 3) == (rb(2, "B1"), rb(4, "B3"))
    assert message(out, "phone-shared-by-borrowers", "borrowers", 3).endswith("2 other borrowers")


def test_distinct_numbers_are_not_shared() -> None:
    out = run(borrowers({"borrower_id": "B1", "phone": A}, {"borrower_id": "B2", "phone": B}))
    assert out.empty


def test_placeholders_and_invalid_numbers_never_count_as_shared() -> None:
    out = run(
        borrowers(
            {"borrower_id": "B1", **PLACEHOLDER},
            {"borrower_id": "B2", **PLACEHOLDER},
            {"borrower_id": "B3", **INVALID},
            {"borrower_id": "B4", **INVALID},
        ),
        contacts(
            {"borrower_id": "B1", "contact_id": "C1", "relationship": "母亲", **PLACEHOLDER},
            {"borrower_id": "B2", "contact_id": "C2", "relationship": "母亲", **PLACEHOLDER},
            {"borrower_id": "B3", "contact_id": "C3", "relationship": "母亲", **PLACEHOLDER},
            {"borrower_id": "B3", "contact_id": "C4", "relationship": "母亲", **INVALID},
            {"borrower_id": "B3", "contact_id": "C5", "relationship": "母亲", **INVALID},
        ),
    )
    assert out.empty


def test_a_borrower_repeated_with_the_same_number_shares_it_with_nobody() -> None:
    out = run(borrowers({"borrower_id": "B1", "phone": A}, {"borrower_id": "B1", "phone": A}))
    assert out.empty


def test_a_row_without_borrower_id_is_a_distinct_unknown_borrower() -> None:
    out = run(borrowers({"borrower_id": "B1", "phone": A}, {"borrower_id": None, "phone": A}))
    assert flat(out) == [
        ("phone-shared-by-borrowers", "borrowers", 2),
        ("phone-shared-by-borrowers", "borrowers", 3),
    ]
    assert related(out, "phone-shared-by-borrowers", "borrowers", 2) == (rb(3, None),)


def test_e164_strings_that_differ_only_by_leading_zeros_do_not_match() -> None:
    # Integer keys must not merge "+086…" with "+86…" (both stay distinct strings).
    out = run(
        borrowers({"borrower_id": "B1", "phone": A}, {"borrower_id": "B2", "phone": "+0" + A[1:]})
    )
    assert out.empty


# --- borrower-duplicate-id -------------------------------------------------------------


def test_duplicate_id_with_different_numbers_is_a_finding_on_every_row() -> None:
    out = run(
        borrowers(
            {"borrower_id": "B1", "phone": A},
            {"borrower_id": "B2", "phone": C},
            {"borrower_id": "B1", "phone": B},
            {"borrower_id": "B1", "phone": A},
        )
    )
    assert flat(out) == [
        ("borrower-duplicate-id", "borrowers", 2),
        ("borrower-duplicate-id", "borrowers", 4),
        ("borrower-duplicate-id", "borrowers", 5),
    ]
    assert related(out, "borrower-duplicate-id", "borrowers", 4) == (rb(2, "B1"), rb(5, "B1"))
    assert message(out, "borrower-duplicate-id", "borrowers", 2) == (
        "borrower_id is on 3 rows with 2 different phones"
    )
    assert set(only(out, "borrower-duplicate-id")["column"]) == {"borrower_id"}


def test_identical_duplicate_rows_are_not_a_duplicate_id() -> None:
    out = run(
        borrowers(
            {"borrower_id": "B1", "phone": A, "raw": "13912345611"},
            {"borrower_id": "B1", "phone": A, "raw": "+86 139 1234 5611"},
        )
    )
    assert out.empty


def test_unusable_cells_compare_by_their_folded_raw_text() -> None:
    out = run(
        borrowers(
            {"borrower_id": "B1", "raw": "1391234", "usable": False},
            {"borrower_id": "B1", "raw": " 1391234 ", "usable": False},
            {"borrower_id": "B2", "raw": None, "usable": False, "malformed": "phone-missing"},
            {"borrower_id": "B2", "raw": "N/A", "usable": False, "malformed": "phone-missing"},
            {"borrower_id": "B3", "raw": "1391234", "usable": False},
            {"borrower_id": "B3", "phone": A},
        )
    )
    # B1: the same invalid text; B2: two spellings of "no phone"; B3: text vs number.
    assert flat(out) == [
        ("borrower-duplicate-id", "borrowers", 6),
        ("borrower-duplicate-id", "borrowers", 7),
    ]


def test_rows_without_borrower_id_are_never_a_duplicate_id() -> None:
    out = run(borrowers({"borrower_id": None, "phone": A}, {"borrower_id": None, "phone": B}))
    assert out.empty


# --- contact-is-borrower-phone ------------------------------------------------------------


def test_relative_with_the_borrowers_own_number_is_a_finding_on_the_contact() -> None:
    out = run(
        borrowers({"borrower_id": "B1", "phone": A}),
        contacts(
            {"borrower_id": "B1", "contact_id": "C1", "phone": A, "relationship": "母亲"},
            {"borrower_id": "B1", "contact_id": "C2", "phone": B, "relationship": "父亲"},
        ),
    )
    assert flat(out) == [("contact-is-borrower-phone", "contacts", 2)]
    assert related(out, "contact-is-borrower-phone", "contacts", 2) == (rb(2, "B1"),)


def test_self_contact_carrying_the_borrowers_own_number_is_silent() -> None:
    out = run(
        borrowers({"borrower_id": "B1", "phone": A}),
        contacts(
            {"borrower_id": "B1", "contact_id": "C1", "phone": A, "relationship": "本人"},
            {"borrower_id": "B1", "contact_id": "C2", "phone": A, "relationship": " Self "},
        ),
    )
    # The two self rows are also one borrower listing the number twice.
    assert flat(out) == [
        ("contact-duplicate", "contacts", 2),
        ("contact-duplicate", "contacts", 3),
    ]


def test_configured_relationship_word_can_mean_self() -> None:
    b = borrowers({"borrower_id": "B1", "phone": A})
    c = contacts({"borrower_id": "B1", "contact_id": "C1", "phone": A, "relationship": "户主"})
    assert flat(run(b, c)) == [("contact-is-borrower-phone", "contacts", 2)]
    assert run(b, c, relationships={"户主": "self"}).empty


def test_blank_relationship_or_no_relationship_column_is_not_self() -> None:
    b = borrowers({"borrower_id": "B1", "phone": A})
    blank = contacts({"borrower_id": "B1", "contact_id": "C1", "phone": A, "relationship": ""})
    absent = contacts({"borrower_id": "B1", "contact_id": "C1", "phone": A})
    assert "relationship" not in absent
    assert flat(run(b, blank)) == [("contact-is-borrower-phone", "contacts", 2)]
    assert flat(run(b, absent)) == [("contact-is-borrower-phone", "contacts", 2)]


def test_related_lists_every_row_of_the_borrower_with_that_number() -> None:
    out = run(
        borrowers(
            {"borrower_id": "B1", "phone": A},
            {"borrower_id": "B1", "phone": A},
        ),
        contacts({"borrower_id": "B1", "contact_id": "C1", "phone": A, "relationship": "配偶"}),
    )
    assert related(out, "contact-is-borrower-phone", "contacts", 2) == (rb(2, "B1"), rb(3, "B1"))


# --- contact-is-other-borrower --------------------------------------------------------------


def test_contact_with_another_borrowers_number_lists_that_borrower() -> None:
    out = run(
        borrowers(
            {"borrower_id": "B1", "phone": A},
            {"borrower_id": "B2", "phone": B},
            {"borrower_id": "B3", "phone": B},
        ),
        contacts(
            {"borrower_id": "B1", "contact_id": "C1", "phone": B, "relationship": "本人"},
            {"borrower_id": "B1", "contact_id": "C2", "phone": C, "relationship": "朋友"},
        ),
    )
    other = only(out, "contact-is-other-borrower")
    assert flat(other) == [("contact-is-other-borrower", "contacts", 2)]
    assert related(out, "contact-is-other-borrower", "contacts", 2) == (rb(3, "B2"), rb(4, "B3"))
    assert message(out, "contact-is-other-borrower", "contacts", 2) == (
        "contact's number is the phone of 2 other borrowers"
    )


def test_household_number_is_both_own_and_other_borrower() -> None:
    out = run(
        borrowers({"borrower_id": "B1", "phone": A}, {"borrower_id": "B2", "phone": A}),
        contacts({"borrower_id": "B1", "contact_id": "C1", "phone": A, "relationship": "配偶"}),
    )
    assert related(out, "contact-is-borrower-phone", "contacts", 2) == (rb(2, "B1"),)
    assert related(out, "contact-is-other-borrower", "contacts", 2) == (rb(3, "B2"),)


def test_contact_number_that_no_borrower_has_is_not_a_borrower() -> None:
    out = run(
        borrowers({"borrower_id": "B1", "phone": A}, {"borrower_id": "B2", **INVALID}),
        contacts(
            {"borrower_id": "B1", "contact_id": "C1", "phone": B, "relationship": "母亲"},
            {"borrower_id": "B1", "contact_id": "C2", **INVALID},
        ),
    )
    assert out.empty


# --- contact-shared-by-borrowers -----------------------------------------------------------


def test_contact_listed_by_three_borrowers_is_fanout_on_each_row() -> None:
    out = run(
        borrowers(*({"borrower_id": f"B{i}", "phone": p} for i, p in enumerate((A, B, C), 1))),
        contacts(
            {"borrower_id": "B1", "contact_id": "C1", "phone": D, "relationship": "朋友"},
            {"borrower_id": "B2", "contact_id": "C2", "phone": D, "relationship": "朋友"},
            {"borrower_id": "B3", "contact_id": "C3", "phone": D, "relationship": "朋友"},
        ),
    )
    assert flat(out) == [("contact-shared-by-borrowers", "contacts", r) for r in (2, 3, 4)]
    assert related(out, "contact-shared-by-borrowers", "contacts", 3) == (
        rc(2, "C1"),
        rc(4, "C3"),
    )
    assert message(out, "contact-shared-by-borrowers", "contacts", 2) == (
        "number is listed as a contact by 3 borrowers on 3 rows"
    )


def test_contact_listed_by_two_borrowers_is_not_fanout() -> None:
    out = run(
        borrowers({"borrower_id": "B1", "phone": A}, {"borrower_id": "B2", "phone": B}),
        contacts(
            {"borrower_id": "B1", "contact_id": "C1", "phone": D},
            {"borrower_id": "B2", "contact_id": "C2", "phone": D},
        ),
    )
    assert out.empty


def test_fanout_threshold_comes_from_the_config() -> None:
    out = run(
        borrowers({"borrower_id": "B1", "phone": A}, {"borrower_id": "B2", "phone": B}),
        contacts(
            {"borrower_id": "B1", "contact_id": "C1", "phone": D},
            {"borrower_id": "B2", "contact_id": "C2", "phone": D},
        ),
        contact_fanout_threshold=2,
    )
    assert flat(out) == [("contact-shared-by-borrowers", "contacts", r) for r in (2, 3)]


def test_one_borrower_listing_a_number_three_times_is_duplicate_not_fanout() -> None:
    out = run(
        borrowers({"borrower_id": "B1", "phone": A}),
        contacts(*({"borrower_id": "B1", "contact_id": f"C{i}", "phone": D} for i in range(3))),
    )
    assert {code for code, _, _ in flat(out)} == {"contact-duplicate"}


def test_huge_fanout_caps_related_at_fifty_and_says_the_full_count() -> None:
    n = 60
    out = run(
        borrowers({"borrower_id": "B0", "phone": A}),
        contacts(*({"borrower_id": f"B{i}", "contact_id": f"C{i}", "phone": D} for i in range(n))),
    )
    fan = only(out, "contact-shared-by-borrowers")
    assert len(fan) == n
    first = related(out, "contact-shared-by-borrowers", "contacts", 2)
    assert first == tuple(rc(r, f"C{r - 2}") for r in range(3, 53))
    late = related(out, "contact-shared-by-borrowers", "contacts", n + 1)
    assert late == tuple(rc(r, f"C{r - 2}") for r in range(2, 52))
    assert all(len(r) == 50 for r in fan["related"])
    assert message(out, "contact-shared-by-borrowers", "contacts", 2) == (
        "number is listed as a contact by 60 borrowers on 60 rows; related lists the first 50"
    )


# --- contact-duplicate -------------------------------------------------------------------


def test_borrower_listing_one_contact_number_twice_is_a_finding_on_both_rows() -> None:
    out = run(
        borrowers({"borrower_id": "B1", "phone": A}),
        contacts(
            {"borrower_id": "B1", "contact_id": "C1", "phone": D, "relationship": "母亲"},
            {"borrower_id": "B1", "contact_id": "C2", "phone": B, "relationship": "父亲"},
            {"borrower_id": "B1", "contact_id": "C3", "phone": D, "relationship": "妈妈"},
        ),
    )
    assert flat(out) == [("contact-duplicate", "contacts", 2), ("contact-duplicate", "contacts", 4)]
    assert related(out, "contact-duplicate", "contacts", 2) == (rc(4, "C3"),)
    assert related(out, "contact-duplicate", "contacts", 4) == (rc(2, "C1"),)
    assert message(out, "contact-duplicate", "contacts", 2) == (
        "borrower lists this number on 2 contact rows"
    )


def test_same_contact_number_under_two_borrowers_is_not_a_duplicate() -> None:
    out = run(
        borrowers({"borrower_id": "B1", "phone": A}, {"borrower_id": "B2", "phone": B}),
        contacts(
            {"borrower_id": "B1", "contact_id": "C1", "phone": D},
            {"borrower_id": "B2", "contact_id": "C2", "phone": D},
        ),
    )
    assert only(out, "contact-duplicate").empty


# --- what every finding carries ----------------------------------------------------------------


def test_findings_carry_row_record_id_borrower_id_column_and_number() -> None:
    out = run(
        borrowers(
            {"borrower_id": "B7", "phone": A, "_row": 10, "raw": "139 1234 5611"},
            {"borrower_id": "B8", "phone": A, "_row": 11},
        ),
        contacts(
            {
                "borrower_id": "B8",
                "contact_id": None,
                "phone": A,
                "relationship": "母亲",
                "_row": 5,
                "_phone_column": "contact2_phone",
            }
        ),
    )
    shared = only(out, "phone-shared-by-borrowers").iloc[0]
    assert (shared["source"], shared["row"], shared["record_id"]) == ("borrowers", 10, "B7")
    assert (shared["borrower_id"], shared["column"]) == ("B7", "phone")
    assert (shared["e164"], shared["raw"]) == (A, "139 1234 5611")
    own = only(out, "contact-is-borrower-phone").iloc[0]
    assert (own["source"], own["row"], own["borrower_id"]) == ("contacts", 5, "B8")
    assert pd.isna(own["record_id"])
    assert own["column"] == "contact2_phone"
    assert tuple(own["related"]) == (rb(11, "B8"),)
    assert related(out, "contact-is-other-borrower", "contacts", 5) == (rb(10, "B7"),)


def test_messages_carry_no_numbers_or_raw_text() -> None:
    out = run(
        borrowers({"borrower_id": "B1", "phone": A}, {"borrower_id": "B2", "phone": A}),
        contacts(
            *({"borrower_id": f"B{i}", "contact_id": f"C{i}", "phone": A} for i in range(1, 5))
        ),
    )
    assert not out.empty
    for text in out["message"]:
        assert A not in text and A[3:] not in text


@pytest.mark.parametrize("convert", [lambda f: f, with_str_dtype], ids=["object", "str"])
def test_same_findings_with_object_or_arrow_string_columns(convert) -> None:  # type: ignore[no-untyped-def]
    b = borrowers(
        {"borrower_id": "B1", "phone": A},
        {"borrower_id": "B2", "phone": A},
        {"borrower_id": "B2", "phone": B},
    )
    c = contacts(
        {"borrower_id": "B1", "contact_id": "C1", "phone": A, "relationship": "母亲"},
        {"borrower_id": "B1", "contact_id": "C2", "phone": C, "relationship": "朋友"},
        {"borrower_id": "B1", "contact_id": "C3", "phone": C, "relationship": "朋友"},
    )
    out = run(convert(b), convert(c))
    assert flat(out) == [
        ("borrower-duplicate-id", "borrowers", 3),
        ("borrower-duplicate-id", "borrowers", 4),
        ("contact-duplicate", "contacts", 3),
        ("contact-duplicate", "contacts", 4),
        ("contact-is-borrower-phone", "contacts", 2),
        ("contact-is-other-borrower", "contacts", 2),
        ("phone-shared-by-borrowers", "borrowers", 2),
        ("phone-shared-by-borrowers", "borrowers", 3),
    ]


def test_without_contacts_only_borrower_codes_run() -> None:
    out = run(borrowers({"borrower_id": "B1", "phone": A}, {"borrower_id": "B2", "phone": A}))
    assert set(out["code"]) == {"phone-shared-by-borrowers"}
    empty = run(borrowers({"borrower_id": "B1", "phone": A}), contacts())
    assert empty.empty


def test_empty_borrowers_table_still_checks_contacts_among_themselves() -> None:
    out = run(
        borrowers(),
        contacts(*({"borrower_id": f"B{i}", "contact_id": f"C{i}", "phone": D} for i in range(3))),
    )
    assert flat(out) == [("contact-shared-by-borrowers", "contacts", r) for r in (2, 3, 4)]
