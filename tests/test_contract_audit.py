"""Acceptance tests for `contactaudit audit`, derived from DESIGN.md §3–§7 and PHONES.md only.

Each test builds tiny exports in tmp_path, runs the CLI and asserts on what a user sees:
findings as (code, source, row), severities, remediations, related rows, masking, the
JSON schema, exit statuses and the files written.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
import stat
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from contract_helpers import (
    AS_OF,
    CATALOGUE,
    CLEAN,
    FINDING_KEYS,
    GB_MOBILE,
    N1,
    N2,
    N3,
    N4,
    N5,
    N6,
    N7,
    N8,
    N9,
    audit,
    check_catalogue,
    cn_mask,
    days_before,
    e164,
    excel_serial,
    invoke,
    read_csv_file,
    related_set,
    sort_key,
    write_table,
)

BH = ["borrower_id", "phone", "name"]
CH = ["contact_id", "borrower_id", "phone", "name", "relationship"]


def one_borrower(raw: str) -> list[list[str]]:
    return [["borrower_id", "phone"], ["B1", raw]]


# ---------------------------------------------------------------- malformed (§4, PHONES.md)

MALFORMED_CASES = [
    # phone-missing: empty or a null token
    ("", "phone-missing"),
    ("   ", "phone-missing"),
    ("null", "phone-missing"),
    ("NULL", "phone-missing"),
    ("none", "phone-missing"),
    ("None", "phone-missing"),
    ("nan", "phone-missing"),
    ("NaN", "phone-missing"),
    ("n/a", "phone-missing"),
    ("N/A", "phone-missing"),
    ("-", "phone-missing"),
    ("/", "phone-missing"),
    ("0", "phone-missing"),
    ("无", "phone-missing"),
    ("暂无", "phone-missing"),
    # phone-masked
    ("138****5678", "phone-masked"),
    ("138××××5678", "phone-masked"),
    ("138＊＊＊＊5678", "phone-masked"),
    ("135****8346", "phone-masked"),
    # masked comes before multiple
    ("138****5678/139****4321", "phone-masked"),
    # phone-precision-lost
    ("1.38123E+10", "phone-precision-lost"),
    ("1.35719E+10", "phone-precision-lost"),
    ("1.3571928E10", "phone-precision-lost"),
    # phone-multiple
    ("13812345678/13987654321", "phone-multiple"),
    (f"{N1}/{N2}", "phone-multiple"),
    (f"母亲{N1} 父亲{N2}", "phone-multiple"),
    (f"{N1}，{N2}", "phone-multiple"),
    (f"{N1}、{N2}", "phone-multiple"),
    (f"{N1}；{N2}", "phone-multiple"),
    (f"{N1}|{N2}", "phone-multiple"),
    (f"{N1} {N2}", "phone-multiple"),
    # phone-unparseable
    ("abc", "phone-unparseable"),
    ("请联系本人", "phone-unparseable"),
    # phone-not-sms-capable: CN IoT / M2M, satellite, emergency ranges
    ("14071928346", "phone-not-sms-capable"),
    ("14171928346", "phone-not-sms-capable"),
    ("14271928346", "phone-not-sms-capable"),
    ("14371928346", "phone-not-sms-capable"),
    ("14471928346", "phone-not-sms-capable"),
    ("14671928346", "phone-not-sms-capable"),
    ("14871928346", "phone-not-sms-capable"),
    ("14012345678", "phone-not-sms-capable"),
    ("1440071928346", "phone-not-sms-capable"),
    ("1460071928346", "phone-not-sms-capable"),
    ("1480071928346", "phone-not-sms-capable"),
    ("1410071928346", "phone-not-sms-capable"),
    ("1064071928346", "phone-not-sms-capable"),
    ("17491928346", "phone-not-sms-capable"),
    ("17406192834", "phone-not-sms-capable"),
    ("17409192834", "phone-not-sms-capable"),
    ("17412192834", "phone-not-sms-capable"),
    # phone-invalid
    ("17413192834", "phone-invalid"),
    ("1357192834", "phone-invalid"),
    ("1450071928346", "phone-invalid"),
    # phone-placeholder: deny list, >=7 identical trailing digits, 8+ digit runs
    ("13800138000", "phone-placeholder"),
    ("13888888888", "phone-placeholder"),
    ("18888888888", "phone-placeholder"),
    ("13800000000", "phone-placeholder"),
    ("13571111111", "phone-placeholder"),
    ("13333333333", "phone-placeholder"),
    ("13912345678", "phone-placeholder"),
    ("15023456789", "phone-placeholder"),
    ("13787654321", "phone-placeholder"),
    ("13987654321", "phone-placeholder"),
    ("+86 138 0013 8000", "phone-placeholder"),
    ("13800138000.0", "phone-placeholder"),
    ("１３８００１３８０００", "phone-placeholder"),
    # phone-not-mobile
    ("010-12345678", "phone-not-mobile"),
    ("0755-12345678", "phone-not-mobile"),
    ("4008123456", "phone-not-mobile"),
    ("8001234567", "phone-not-mobile"),
    ("010-12345678 ext. 12", "phone-not-mobile"),
    # phone-has-extension
    (f"{N1} ext. 12", "phone-has-extension"),
    (f"{N1}#12", "phone-has-extension"),
    (f"{N1}转123", "phone-has-extension"),
    (f"{N1}分机12", "phone-has-extension"),
    (f"{N1} x99", "phone-has-extension"),
    # phone-float-artifact
    ("13812345678.0", "phone-float-artifact"),
    ("1.3812345678E10", "phone-float-artifact"),
    (f"{N1}.0", "phone-float-artifact"),
    ("1.3571928346E10", "phone-float-artifact"),
    ("1.3571928346e+10", "phone-float-artifact"),
    # phone-nonstandard-format
    ("+86 135 7192 8346", "phone-nonstandard-format"),
    ("135-7192-8346", "phone-nonstandard-format"),
    ("135 7192 8346", "phone-nonstandard-format"),
    ("(+86)13571928346", "phone-nonstandard-format"),
    ("１３５７１９２８３４６", "phone-nonstandard-format"),
    ("0086 13571928346", "phone-nonstandard-format"),
    ("008613571928346", "phone-nonstandard-format"),
    ("+86-135-7192-8346", "phone-nonstandard-format"),
    ("+86 135 7192 8346 (home)", "phone-nonstandard-format"),
    ("135\u00a07192\u30008346", "phone-nonstandard-format"),
    ("0013812345678", "phone-invalid"),  # PHONES: `00` is read as an international prefix
    ("13801234567", "phone-placeholder"),
    ("13898765432", "phone-placeholder"),
    ("13570000000", "phone-placeholder"),
    ("+447777777777", "phone-placeholder"),
    ("+86 138 1234 5678", "phone-nonstandard-format"),
    ("13571000000", None),
    # clean: plain E.164 and plain national digits are fine
    (N1, None),
    (e164(N1), None),
    ("13812345678", None),
    ("+8613812345678", None),
    ("+12025550143", None),
    (GB_MOBILE, None),
    ("14571928346", None),  # 145 is a mobile range, not IoT
    ("14771928346", None),  # 147 likewise
    ("17405192834", None),  # 17400-17405 are mobile; 17406-17412 are not
    ("13572111111", None),  # only 6 identical trailing digits
    ("13571234567", None),  # only a 7-digit run
]


MALFORMED_CODES = list(CATALOGUE)[:12]  # the malformed family, in check order


def test_malformed_code_of_every_borrower_phone_cell(tmp_path: Path) -> None:
    # One export with every case (one run keeps the suite fast); each row is one case.
    rows = [["borrower_id", "phone"]]
    rows += [[f"B{i}", raw] for i, (raw, _) in enumerate(MALFORMED_CASES)]
    run = audit(tmp_path, rows)
    actual: dict[int, set[str]] = {}
    for code, _source, row in run.flat(codes=MALFORMED_CODES):
        actual.setdefault(row, set()).add(code)
    mismatches = {
        raw: (sorted(actual.get(i + 2, set())), code)
        for i, (raw, code) in enumerate(MALFORMED_CASES)
        if actual.get(i + 2, set()) != ({code} if code else set())
    }
    assert mismatches == {}
    check_catalogue(run.findings)


def test_decorated_numbers_with_non_cn_country_code_are_usable_and_not_mobile_checked(
    tmp_path: Path,
) -> None:
    # NANP cannot tell fixed from mobile: not a finding, only the decoration is.
    run = audit(tmp_path, one_borrower("+1 202-555-0143"))
    assert run.flat() == {("phone-nonstandard-format", "borrowers", 2)}


def test_phone_missing_is_high_on_borrowers_and_low_on_contacts(tmp_path: Path) -> None:
    run = audit(
        tmp_path,
        [BH, ["B1", "", "张三"]],
        [CH, ["C1", "B1", "", "李四", "母亲"], ["C2", "B1", "暂无", "王五", "父亲"]],
    )
    assert run.flat() == {
        ("phone-missing", "borrowers", 2),
        ("phone-missing", "contacts", 2),
        ("phone-missing", "contacts", 3),
    }
    assert run.finding("phone-missing", "borrowers", 2)["severity"] == "high"
    assert run.finding("phone-missing", "contacts", 2)["severity"] == "low"
    assert run.finding("phone-missing", "contacts", 3)["remediation"] == "RECOLLECT"


def test_contact_cells_get_the_same_malformed_codes(tmp_path: Path) -> None:
    run = audit(
        tmp_path,
        [BH, ["B1", N1, "张三"]],
        [
            CH,
            ["C1", "B1", "138****5678", "李四", "母亲"],
            ["C2", "B1", "1.38123E+10", "王五", "父亲"],
            ["C3", "B1", f"{N2}/{N3}", "赵六", "朋友"],
            ["C4", "B1", "13800138000", "孙七", "同事"],
            ["C5", "B1", "14071928346", "周八", "同事"],
            ["C6", "B1", "0755-12345678", "吴九", "同事"],
            ["C7", "B1", f"{N4}转123", "郑十", "同事"],
            ["C8", "B1", f"{N5}.0", "钱一", "同事"],
            ["C9", "B1", "159-1183-7265", "冯二", "同事"],
        ],
    )
    assert run.flat() == {
        ("phone-masked", "contacts", 2),
        ("phone-precision-lost", "contacts", 3),
        ("phone-multiple", "contacts", 4),
        ("phone-placeholder", "contacts", 5),
        ("phone-not-sms-capable", "contacts", 6),
        ("phone-not-mobile", "contacts", 7),
        ("phone-has-extension", "contacts", 8),
        ("phone-float-artifact", "contacts", 9),
        ("phone-nonstandard-format", "contacts", 10),
    }
    check_catalogue(run.findings)


def test_float_artifact_is_recovered_exactly_and_precision_loss_is_never_padded(
    tmp_path: Path,
) -> None:
    # 1.38123E+10 must not become 13812300000 (a stranger's number).
    run = audit(
        tmp_path,
        [BH, ["B1", "1.38123E+10", "张三"], ["B2", "13812300000", "李四"]],
        reassigned=[["phone", "disconnected_at"], ["13812300000", "2020-01-01"]],
    )
    assert run.flat(codes={"phone-precision-lost", "phone-shared-by-borrowers"}) == {
        ("phone-precision-lost", "borrowers", 2)
    }
    assert run.codes_at("borrowers", 2) == {"phone-precision-lost"}


# ---------------------------------------------------------------- usable numbers only (§4)


UNUSABLE = ["13800138000", "138****5678", "1.38123E+10", f"{N1}/{N2}", "abc", "14071928346"]


def test_unusable_numbers_never_take_part_in_cross_record_checks(tmp_path: Path) -> None:
    # Each unusable value sits on two borrowers and two contacts, and on both lists.
    borrowers = [["borrower_id", "phone", "name", "phone_verified_at", "sms_opt_out"]]
    contacts = [CH]
    for i, raw in enumerate([*UNUSABLE, "1357192834"]):
        borrowers += [
            [f"B{i}a", raw, "张三", "2020-01-01", "false"],
            [f"B{i}b", raw, "李四", "", ""],
        ]
        contacts += [
            [f"C{i}a", f"B{i}a", raw, "王五", "母亲"],
            [f"C{i}b", f"B{i}b", raw, "赵六", "朋友"],
        ]
        contacts += [[f"C{i}c", f"B{i}a", raw, "孙七", "朋友"], [f"C{i}d", "B99", raw, "", "朋友"]]
    values = [*UNUSABLE, "1357192834"]
    run = audit(
        tmp_path,
        borrowers,
        contacts,
        reassigned=[["phone", "disconnected_at"], *[[raw, "2025-01-01"] for raw in values]],
        opt_outs=[["phone"], *[[raw] for raw in values]],
    )
    cross = {
        "phone-shared-by-borrowers",
        "borrower-duplicate-id",
        "contact-is-borrower-phone",
        "contact-is-other-borrower",
        "contact-shared-by-borrowers",
        "contact-duplicate",
        "name-conflict",
        "self-contact-mismatch",
        "phone-reassigned",
        "phone-verification-stale",
        "phone-never-verified",
        "phone-opted-out",
    }
    assert run.flat(codes=cross) == set()


@pytest.mark.parametrize(
    ("raw_a", "code_a"),
    [
        (f"{N1} ext. 12", "phone-has-extension"),
        (f"{N1}转123", "phone-has-extension"),
        (f"{N1}.0", "phone-float-artifact"),
        ("1.3571928346E10", "phone-float-artifact"),
        ("+86 135 7192 8346", "phone-nonstandard-format"),
        ("１３５７１９２８３４６", "phone-nonstandard-format"),
        ("0086 13571928346", "phone-nonstandard-format"),
    ],
)
def test_usable_variants_match_the_plain_number_in_cross_record_checks(
    tmp_path: Path, raw_a: str, code_a: str
) -> None:
    run = audit(tmp_path, [BH, ["B1", raw_a, "张三"], ["B2", N1, "李四"]])
    assert run.flat() == {
        (code_a, "borrowers", 2),
        ("phone-shared-by-borrowers", "borrowers", 2),
        ("phone-shared-by-borrowers", "borrowers", 3),
    }


def test_valid_landlines_are_usable_and_shared(tmp_path: Path) -> None:
    run = audit(tmp_path, [BH, ["B1", "010-12345678", "张三"], ["B2", "01012345678", "李四"]])
    assert run.flat() == {
        ("phone-not-mobile", "borrowers", 2),
        ("phone-not-mobile", "borrowers", 3),
        ("phone-shared-by-borrowers", "borrowers", 2),
        ("phone-shared-by-borrowers", "borrowers", 3),
    }


# ---------------------------------------------------------------- duplicated family


def test_phone_shared_by_borrowers_sits_on_each_borrower_and_lists_the_others(
    tmp_path: Path,
) -> None:
    run = audit(
        tmp_path,
        [BH, ["B1", N1, "张三"], ["B2", N2, "李四"], ["B3", N1, "王五"], ["B4", N1, "赵六"]],
    )
    assert run.flat() == {
        ("phone-shared-by-borrowers", "borrowers", 2),
        ("phone-shared-by-borrowers", "borrowers", 4),
        ("phone-shared-by-borrowers", "borrowers", 5),
    }
    f = run.finding("phone-shared-by-borrowers", "borrowers", 2)
    assert (f["severity"], f["remediation"]) == ("high", "REVERIFY")
    assert f["record_id"] == "B1" and f["borrower_id"] == "B1" and f["column"] == "phone"
    assert related_set(f) == {("borrowers", 4, "B3"), ("borrowers", 5, "B4")}
    assert related_set(run.finding("phone-shared-by-borrowers", "borrowers", 5)) == {
        ("borrowers", 2, "B1"),
        ("borrowers", 4, "B3"),
    }


def test_same_borrower_id_twice_with_the_same_phone_is_neither_shared_nor_duplicate_id(
    tmp_path: Path,
) -> None:
    run = audit(tmp_path, [BH, ["B1", N1, "张三"], ["B1", N1, "张三"]])
    assert run.flat(codes={"phone-shared-by-borrowers", "borrower-duplicate-id"}) == set()


def test_borrower_duplicate_id_with_different_phones_sits_on_each_row(tmp_path: Path) -> None:
    run = audit(tmp_path, [BH, ["B1", N1, "张三"], ["B2", N3, "李四"], ["B1", N2, "张三"]])
    assert run.flat() == {
        ("borrower-duplicate-id", "borrowers", 2),
        ("borrower-duplicate-id", "borrowers", 4),
    }
    f = run.finding("borrower-duplicate-id", "borrowers", 2)
    assert (f["severity"], f["remediation"]) == ("high", "MERGE")
    assert related_set(f) == {("borrowers", 4, "B1")}
    assert related_set(run.finding("borrower-duplicate-id", "borrowers", 4)) == {
        ("borrowers", 2, "B1")
    }


def test_contact_is_borrower_phone_sits_on_the_contact_with_the_borrower_related(
    tmp_path: Path,
) -> None:
    run = audit(
        tmp_path,
        [BH, ["B1", N1, "张三"], ["B2", N2, "李四"], ["B3", N3, "王五"]],
        [
            CH,
            ["C1", "B1", N1, "张母", "母亲"],
            ["C2", "B2", N2, "李四", "本人"],
            ["C3", "B3", "+86 158 2039 4857", "王五", "self"],
        ],
    )
    assert run.flat() == {
        ("contact-is-borrower-phone", "contacts", 2),
        ("phone-nonstandard-format", "contacts", 4),
    }
    f = run.finding("contact-is-borrower-phone", "contacts", 2)
    assert (f["severity"], f["remediation"]) == ("high", "REVERIFY")
    assert f["record_id"] == "C1" and f["borrower_id"] == "B1"
    assert ("borrowers", 2, "B1") in related_set(f)


def test_contact_is_other_borrower_sits_on_the_contact_with_that_borrower_related(
    tmp_path: Path,
) -> None:
    run = audit(
        tmp_path,
        [BH, ["B1", N1, "张三"], ["B2", N2, "李四"]],
        [CH, ["C1", "B1", N2, "李四", "朋友"], ["C2", "B1", N3, "王五", "朋友"]],
    )
    assert run.flat() == {("contact-is-other-borrower", "contacts", 2)}
    f = run.finding("contact-is-other-borrower", "contacts", 2)
    assert (f["severity"], f["remediation"]) == ("high", "USE_NEUTRAL_TEMPLATE")
    assert ("borrowers", 3, "B2") in related_set(f)


def test_contact_shared_by_three_borrowers_flags_each_row(tmp_path: Path) -> None:
    run = audit(
        tmp_path,
        [BH, ["B1", N1, "张三"], ["B2", N2, "李四"], ["B3", N3, "王五"]],
        [
            CH,
            ["C1", "B1", N9, "", "朋友"],
            ["C2", "B2", N9, "", "朋友"],
            ["C3", "B3", N9, "", "朋友"],
        ],
    )
    assert run.flat() == {
        ("contact-shared-by-borrowers", "contacts", 2),
        ("contact-shared-by-borrowers", "contacts", 3),
        ("contact-shared-by-borrowers", "contacts", 4),
    }
    f = run.finding("contact-shared-by-borrowers", "contacts", 3)
    assert (f["severity"], f["remediation"]) == ("high", "SUPPRESS_SMS")
    assert related_set(f) == {("contacts", 2, "C1"), ("contacts", 4, "C3")}


def test_contact_listed_by_two_borrowers_is_below_the_threshold(tmp_path: Path) -> None:
    run = audit(
        tmp_path,
        [BH, ["B1", N1, "张三"], ["B2", N2, "李四"]],
        [
            CH,
            ["C1", "B1", N9, "", "朋友"],
            ["C2", "B2", N9, "", "朋友"],
            ["C3", "B1", N9, "", "朋友"],
        ],
    )
    # Two distinct borrowers (B1 twice): not fan-out, but B1's repeat is a duplicate.
    assert run.flat() == {
        ("contact-duplicate", "contacts", 2),
        ("contact-duplicate", "contacts", 4),
    }
    f = run.finding("contact-duplicate", "contacts", 4)
    assert (f["severity"], f["remediation"]) == ("low", "MERGE")
    assert related_set(f) == {("contacts", 2, "C1")}


def test_contact_duplicate_matches_formatting_variants_of_one_number(tmp_path: Path) -> None:
    run = audit(
        tmp_path,
        [BH, ["B1", N1, "张三"]],
        [CH, ["C1", "B1", N9, "赵六", "朋友"], ["C2", "B1", "189-1029-3847", "赵六", "朋友"]],
    )
    assert run.flat() == {
        ("contact-duplicate", "contacts", 2),
        ("contact-duplicate", "contacts", 3),
        ("phone-nonstandard-format", "contacts", 3),
    }


def test_contact_fanout_threshold_is_configurable(tmp_path: Path) -> None:
    cfg = tmp_path / "ca.toml"
    cfg.write_text("contact_fanout_threshold = 2\n", encoding="utf-8")
    run = audit(
        tmp_path,
        [BH, ["B1", N1, "张三"], ["B2", N2, "李四"]],
        [CH, ["C1", "B1", N9, "", "朋友"], ["C2", "B2", N9, "", "朋友"]],
        args=["--config", str(cfg)],
    )
    assert run.flat() == {
        ("contact-shared-by-borrowers", "contacts", 2),
        ("contact-shared-by-borrowers", "contacts", 3),
    }


# ---------------------------------------------------------------- mismatched family


def test_self_contact_with_a_different_number_is_a_mismatch(tmp_path: Path) -> None:
    run = audit(
        tmp_path,
        [BH, ["B1", N1, "张三"], ["B2", N2, "李四"]],
        [CH, ["C1", "B1", N3, "张三", "self"], ["C2", "B2", N4, "李四", "本人"]],
    )
    assert run.flat() == {
        ("self-contact-mismatch", "contacts", 2),
        ("self-contact-mismatch", "contacts", 3),
    }
    f = run.finding("self-contact-mismatch", "contacts", 2)
    assert (f["severity"], f["remediation"]) == ("medium", "REVERIFY")
    assert ("borrowers", 2, "B1") in related_set(f)


def test_name_conflict_flags_every_contact_row_of_the_number(tmp_path: Path) -> None:
    run = audit(
        tmp_path,
        [BH, ["B1", N1, "张三"], ["B2", N2, "李四"]],
        [CH, ["C1", "B1", N9, "王五", "朋友"], ["C2", "B2", N9, "赵六", "朋友"]],
    )
    assert run.flat() == {("name-conflict", "contacts", 2), ("name-conflict", "contacts", 3)}
    f = run.finding("name-conflict", "contacts", 2)
    assert (f["severity"], f["remediation"]) == ("medium", "REVERIFY")
    assert related_set(f) == {("contacts", 3, "C2")}
    # Names are personal data: the report must not echo them.
    assert "王五" not in run.stdout and "赵六" not in run.stdout


NAME_PAIRS = [
    ("王五", " 王五 "),
    ("Wang Wu", "wang  wu"),
    ("Wang Wu", "ＷＡＮＧ ＷＵ"),
    ("王五", ""),
    ("王五", "妈妈"),
    ("王五", "老公"),
    ("先生", "女士"),
    ("王五", "先生"),
]


def test_name_conflict_ignores_folding_blanks_and_role_words(tmp_path: Path) -> None:
    contacts = [CH]
    for i, (name_a, name_b) in enumerate(NAME_PAIRS):
        number = f"1357192{8400 + i:04d}"  # one number per pair
        contacts += [
            [f"C{i}a", "B1", number, name_a, "朋友"],
            [f"C{i}b", "B2", number, name_b, "朋友"],
        ]
    run = audit(tmp_path, [BH, ["B1", N1, "张三"], ["B2", N2, "李四"]], contacts)
    assert run.flat() == set()


RELATIONSHIPS_OK = [
    "self",
    "spouse",
    "parent",
    "child",
    "sibling",
    "relative",
    "friend",
    "colleague",
    "other",
    "Spouse",
    "本人",
    "配偶",
    "父亲",
    "母亲",
    "子女",
    "兄弟姐妹",
    "亲属",
    "朋友",
    "同事",
    "其他",
]


def test_relationship_vocabulary_english_and_chinese_is_known(tmp_path: Path) -> None:
    contacts = [CH]
    for i, rel in enumerate(RELATIONSHIPS_OK):
        # The two self rows belong to different borrowers, else they are a duplicate.
        borrower, phone = {"self": ("B1", N1), "本人": ("B2", N2)}.get(
            rel, ("B1", f"1357192{8400 + i:04d}")
        )
        contacts.append([f"C{i}", borrower, phone, "", rel])
    run = audit(tmp_path, [BH, ["B1", N1, "张三"], ["B2", N2, "李四"]], contacts)
    assert run.flat() == set()


def test_relationship_blank_or_outside_vocabulary_is_unknown(tmp_path: Path) -> None:
    rels = ["", "qwerty", "未知", "neighbour-of-cousin"]
    contacts = [CH, *[[f"C{i}", "B1", CLEAN[i + 2], "", rel] for i, rel in enumerate(rels)]]
    run = audit(tmp_path, [BH, ["B1", N1, "张三"]], contacts)
    assert run.flat() == {("relationship-unknown", "contacts", i + 2) for i in range(len(rels))}
    f = run.finding("relationship-unknown", "contacts", 2)
    assert (f["severity"], f["remediation"]) == ("low", "REVIEW")


def test_region_mismatch_when_the_number_region_differs_from_the_row_country(
    tmp_path: Path,
) -> None:
    run = audit(
        tmp_path,
        [
            ["borrower_id", "phone", "country"],
            ["B1", GB_MOBILE, "CN"],
            ["B2", e164(N2), "US"],
            ["B3", "+447400123456", "GB"],  # +447911… is Guernsey in phonenumbers
            ["B4", e164(N4), "cn"],
            ["B5", e164(N5), ""],
            ["B6", N6, "CN"],
        ],
    )
    assert run.flat() == {("region-mismatch", "borrowers", 2), ("region-mismatch", "borrowers", 3)}
    f = run.finding("region-mismatch", "borrowers", 2)
    assert (f["severity"], f["remediation"]) == ("low", "REVIEW")


def test_contact_orphan_when_borrower_id_is_not_in_borrowers(tmp_path: Path) -> None:
    run = audit(
        tmp_path,
        [BH, ["007", N1, "张三"]],
        [
            CH,
            ["C1", "007", N2, "", "朋友"],
            ["C2", "7", N3, "", "朋友"],
            ["C3", "B9", N4, "", "朋友"],
        ],
    )
    # IDs are text: "7" is not "007".
    assert run.flat() == {("contact-orphan", "contacts", 3), ("contact-orphan", "contacts", 4)}
    f = run.finding("contact-orphan", "contacts", 4)
    assert (f["severity"], f["remediation"]) == ("medium", "REVIEW")
    assert f["borrower_id"] == "B9" and f["record_id"] == "C3"


# ---------------------------------------------------------------- region (§3)


def test_default_region_decides_numbers_without_country_code(tmp_path: Path) -> None:
    table = one_borrower("6502530000")
    assert audit(tmp_path, table).flat() == {("phone-invalid", "borrowers", 2)}
    us = audit(tmp_path, table, args=["--region", "US"])
    assert us.flat() == set()
    assert us.report["default_region"] == "US"


def test_row_country_overrides_the_default_region(tmp_path: Path) -> None:
    run = audit(
        tmp_path,
        [["borrower_id", "phone", "country"], ["B1", "6502530000", "US"], ["B2", N2, "CN"]],
    )
    assert run.flat() == set()


# ---------------------------------------------------------------- stale family


def _verif_borrowers(*rows: tuple[str, str, str, str]) -> list[list[str]]:
    return [["borrower_id", "phone", "phone_verified_at", "consent_at"], *map(list, rows)]


def test_borrower_staleness_edge_is_180_days(tmp_path: Path) -> None:
    run = audit(
        tmp_path,
        _verif_borrowers(
            ("B1", N1, days_before(180), ""),
            ("B2", N2, days_before(181), ""),
            ("B3", N3, days_before(0), ""),
        ),
    )
    assert run.flat() == {("phone-verification-stale", "borrowers", 3)}
    f = run.finding("phone-verification-stale", "borrowers", 3)
    assert (f["severity"], f["remediation"]) == ("medium", "REVERIFY")


def test_contact_staleness_edge_is_365_days(tmp_path: Path) -> None:
    run = audit(
        tmp_path,
        [BH, ["B1", N1, "张三"]],
        [
            [*CH, "verified_at"],
            ["C1", "B1", N2, "", "朋友", days_before(365)],
            ["C2", "B1", N3, "", "朋友", days_before(366)],
        ],
    )
    assert run.flat() == {("phone-verification-stale", "contacts", 3)}


def test_consent_date_is_the_fallback_and_the_latest_date_counts(tmp_path: Path) -> None:
    run = audit(
        tmp_path,
        _verif_borrowers(
            ("B1", N1, "", days_before(10)),  # consent only, recent
            ("B2", N2, "", days_before(400)),  # consent only, old
            ("B3", N3, days_before(400), days_before(10)),  # later consent keeps it fresh
            ("B4", N4, days_before(10), days_before(400)),
            ("B5", N5, days_before(400), days_before(300)),
        ),
    )
    assert run.flat() == {
        ("phone-verification-stale", "borrowers", 3),
        ("phone-verification-stale", "borrowers", 6),
    }


def test_never_verified_only_when_verification_columns_exist(tmp_path: Path) -> None:
    run = audit(tmp_path, _verif_borrowers(("B1", N1, "", ""), ("B2", N2, days_before(5), "")))
    assert run.flat() == {("phone-never-verified", "borrowers", 2)}
    f = run.finding("phone-never-verified", "borrowers", 2)
    assert (f["severity"], f["remediation"]) == ("low", "REVERIFY")
    # No verification column at all: nothing to say.
    assert audit(tmp_path, [BH, ["B1", N1, "张三"]]).flat() == set()


def test_never_verified_with_only_a_consent_column(tmp_path: Path) -> None:
    run = audit(
        tmp_path, [["borrower_id", "phone", "consent_at"], ["B1", N1, ""], ["B2", N2, AS_OF]]
    )
    assert run.flat() == {("phone-never-verified", "borrowers", 2)}


def test_contact_never_verified_when_verified_at_is_empty(tmp_path: Path) -> None:
    run = audit(
        tmp_path,
        [BH, ["B1", N1, "张三"]],
        [
            [*CH, "verified_at"],
            ["C1", "B1", N2, "", "朋友", ""],
            ["C2", "B1", N3, "", "朋友", AS_OF],
        ],
    )
    assert run.flat() == {("phone-never-verified", "contacts", 2)}


RECENT = date(2026, 11, 1)
OLD = date(2023, 1, 5)
DATE_SPELLINGS = [
    ("2026-11-01", False),
    ("2026/11/1", False),
    ("2026年11月1日", False),
    ("20261101", False),
    (excel_serial(RECENT), False),
    ("2026-11-01T10:30:00", False),
    ("2026-11-01 10:30:00", False),
    ("2026.11.01", False),
    (excel_serial(RECENT) + ".5", False),
    ("2023-01-05", True),
    ("2023/1/5", True),
    ("2023年1月5日", True),
    ("20230105", True),
    ("44931", True),
    (excel_serial(OLD), True),
]


def test_dates_in_every_spelling(tmp_path: Path) -> None:
    rows = [["borrower_id", "phone", "phone_verified_at"]]
    stale_rows = set()
    for i, (spelling, stale) in enumerate(DATE_SPELLINGS):
        rows.append([f"B{i}", f"1357192{8400 + i:04d}", spelling])
        if stale:
            stale_rows.add(("phone-verification-stale", "borrowers", i + 2))
    run = audit(tmp_path, rows)
    assert run.exit_code == 0, run.stderr
    assert run.flat() == stale_rows


def test_ambiguous_day_month_dates_are_an_input_error(tmp_path: Path) -> None:
    run = audit(tmp_path, [["borrower_id", "phone", "phone_verified_at"], ["B1", N1, "05/01/2023"]])
    assert run.exit_code == 2
    assert "phone_verified_at" in run.stderr
    assert "05/01/2023" not in run.stderr and run.stdout == ""


@pytest.mark.parametrize(("order", "stale"), [("DMY", False), ("MDY", True)])
def test_ambiguous_dates_follow_the_configured_order(
    tmp_path: Path, order: str, stale: bool
) -> None:
    cfg = tmp_path / "ca.toml"
    cfg.write_text(f'date_order = "{order}"\n', encoding="utf-8")
    # 01/06/2026: DMY is 1 June 2026 (exactly 180 days: fresh), MDY is 6 January 2026.
    run = audit(
        tmp_path,
        [["borrower_id", "phone", "phone_verified_at"], ["B1", N1, "01/06/2026"]],
        args=["--config", str(cfg)],
    )
    assert run.exit_code == 0, run.stderr
    assert run.flat() == ({("phone-verification-stale", "borrowers", 2)} if stale else set())


def test_unparseable_date_cells_are_warnings_without_values(tmp_path: Path) -> None:
    run = audit(
        tmp_path,
        [
            ["borrower_id", "phone", "phone_verified_at"],
            ["B1", N1, AS_OF],
            ["B2", N2, "secretvalue"],
        ],
    )
    assert run.exit_code in (0, 1), run.stderr
    (borrowers_input,) = [i for i in run.report["inputs"] if i["source"] == "borrowers"]
    warnings = json.dumps(borrowers_input.get("warnings"), ensure_ascii=False)
    assert "phone_verified_at" in warnings and "3" in warnings
    assert "secretvalue" not in run.stdout and "secretvalue" not in run.stderr


REASSIGNED_BORROWERS = [
    ["borrower_id", "phone", "phone_verified_at", "consent_at"],
    ["B1", N1, "2025-01-01", ""],  # verified before disconnection -> critical
    ["B2", N2, "2025-06-01", ""],  # same day -> critical
    ["B3", N3, "2025-07-01", ""],  # re-verified after -> silent
    ["B4", N4, "", ""],  # never verified -> critical
    ["B5", N5, "", "2025-07-01"],  # consent after disconnection (fallback) -> silent
    ["B6", N6, "", "2025-05-01"],  # consent before -> critical
    ["B7", N7, "2025-01-01", ""],  # not on the list
]


def test_reassigned_number_logic_by_verification_date(tmp_path: Path) -> None:
    listed = [N1, "+86 136-9182-7364", N3, N4, N5, N6]
    run = audit(
        tmp_path,
        REASSIGNED_BORROWERS,
        reassigned=[["phone", "disconnected_at"], *[[p, "2025-06-01"] for p in listed]],
        as_of="2025-08-01",
    )
    assert run.flat(codes={"phone-reassigned"}) == {
        ("phone-reassigned", "borrowers", 2),
        ("phone-reassigned", "borrowers", 3),
        ("phone-reassigned", "borrowers", 5),
        ("phone-reassigned", "borrowers", 7),
    }
    f = run.finding("phone-reassigned", "borrowers", 2)
    assert (f["severity"], f["remediation"]) == ("critical", "SUPPRESS_SMS")
    assert run.exit_code == 1


def test_reassigned_without_verification_columns_is_critical(tmp_path: Path) -> None:
    run = audit(
        tmp_path,
        [BH, ["B1", N1, "张三"], ["B2", N2, "李四"]],
        reassigned=[["phone", "disconnected_at"], [N1, "2025-06-01"]],
    )
    assert run.flat() == {("phone-reassigned", "borrowers", 2)}


def test_reassigned_contact_numbers_use_the_contact_verification(tmp_path: Path) -> None:
    run = audit(
        tmp_path,
        [BH, ["B1", N1, "张三"]],
        [
            [*CH, "verified_at"],
            ["C1", "B1", N2, "", "母亲", "2026-01-01"],
            ["C2", "B1", N3, "", "父亲", "2026-09-01"],
        ],
        reassigned=[["phone", "disconnected_at"], [N2, "2026-08-01"], [N3, "2026-08-01"]],
    )
    assert run.flat(codes={"phone-reassigned"}) == {("phone-reassigned", "contacts", 2)}


def test_opt_out_list_and_sms_opt_out_column(tmp_path: Path) -> None:
    run = audit(
        tmp_path,
        [
            ["borrower_id", "phone", "sms_opt_out"],
            ["B1", N1, "false"],
            ["B2", N2, "true"],
            ["B3", N3, ""],
            ["B4", "+86 186 3372 4910", "false"],
        ],
        [CH, ["C1", "B1", N5, "", "母亲"], ["C2", "B1", N6, "", "父亲"]],
        opt_outs=[["phone", "opted_out_at"], [N4, "2026-01-01"], [N5, ""]],
    )
    assert run.flat(codes={"phone-opted-out"}) == {
        ("phone-opted-out", "borrowers", 3),
        ("phone-opted-out", "borrowers", 5),
        ("phone-opted-out", "contacts", 2),
    }
    f = run.finding("phone-opted-out", "borrowers", 3)
    assert (f["severity"], f["remediation"]) == ("high", "SUPPRESS_SMS")


# ---------------------------------------------------------------- inputs (§3)


def test_row_numbers_count_records_not_physical_lines(tmp_path: Path) -> None:
    run = audit(
        tmp_path,
        [BH, ["B1", N1, "张\n三"], ["B2", "138****5678", "李\n\n四"], ["B3", "", "王五"]],
    )
    assert run.flat() == {("phone-masked", "borrowers", 3), ("phone-missing", "borrowers", 4)}


def test_gb18030_export_with_chinese_headers(tmp_path: Path) -> None:
    borrowers = [["借款人ID", "手机号码", "姓名"], ["B1", N1, "䶮"], ["B2", "138****5678", "李四"]]
    contacts = [
        ["客户号", "联系电话", "姓名", "与借款人关系"],
        ["B1", N1, "王母", "母亲"],
        ["B2", N2, "", "qwerty"],
    ]
    run = audit(tmp_path, borrowers, contacts, encoding="gb18030")
    assert run.exit_code == 1, run.stderr
    assert run.flat() == {
        ("phone-masked", "borrowers", 3),
        ("contact-is-borrower-phone", "contacts", 2),
        ("relationship-unknown", "contacts", 3),
    }
    b_input = next(i for i in run.report["inputs"] if i["source"] == "borrowers")
    assert b_input["encoding"].lower().replace("-", "") == "gb18030"
    assert b_input["columns"]["phone"] == "手机号码"
    assert b_input["columns"]["borrower_id"] == "借款人ID"
    assert b_input["columns"]["name"] == "姓名"
    assert b_input["rows"] == 2


@pytest.mark.parametrize(
    ("phone_header", "id_header", "rel_header"),
    [
        ("手机号", "借款人ID", "关系"),
        ("联系电话", "客户号", "与借款人关系"),
        ("PHONE", "Borrower ID", "Relationship"),
        (" Phone *", "BORROWER_ID", "relation_ship"),
        ("ｐｈｏｎｅ", "borrower id", "RELATIONSHIP*"),
        ("*手机号码", "*借款人ID", "关系"),
    ],
)
def test_headers_match_aliases_after_folding(
    tmp_path: Path, phone_header: str, id_header: str, rel_header: str
) -> None:
    run = audit(
        tmp_path,
        [[id_header, phone_header], ["B1", N1]],
        [[id_header, phone_header, rel_header], ["B1", N1, "朋友"], ["B1", N2, "qwerty"]],
    )
    assert run.exit_code == 1, run.stderr
    assert run.flat() == {
        ("contact-is-borrower-phone", "contacts", 2),
        ("relationship-unknown", "contacts", 3),
    }


def test_utf8_bom_header_is_recognised(tmp_path: Path) -> None:
    path = write_table(
        tmp_path / "b.csv", [["借款人ID", "手机号"], ["B1", "138****5678"]], encoding="utf-8-sig"
    )
    run = audit(tmp_path, path)
    assert run.flat() == {("phone-masked", "borrowers", 2)}


def test_invalid_bytes_are_an_input_error_not_latin1(tmp_path: Path) -> None:
    path = tmp_path / "b.csv"
    path.write_bytes(b"borrower_id,phone,name\nB1,13571928346,caf\xe9\xff\n")
    run = audit(tmp_path, path)
    assert run.exit_code == 2
    assert "b.csv" in run.stderr
    assert N1 not in run.stderr


def test_encoding_option_reads_a_declared_encoding(tmp_path: Path) -> None:
    path = write_table(
        tmp_path / "b.csv", [["借款人ID", "手机号"], ["B1", "无"]], encoding="gb18030"
    )
    run = audit(tmp_path, path, args=["--encoding", "gb18030"])
    assert run.flat() == {("phone-missing", "borrowers", 2)}


def test_missing_required_column_names_it_and_the_headers_found(tmp_path: Path) -> None:
    run = audit(tmp_path, [["borrower_id", "mobile_no_x", "name"], ["B1", N1, "张三"]])
    assert run.exit_code == 2
    assert "phone" in run.stderr and "mobile_no_x" in run.stderr
    assert "borrowers.csv" in run.stderr and run.stdout == ""
    assert N1 not in run.stderr and "张三" not in run.stderr
    assert "Traceback" not in run.stderr


def test_missing_input_file_is_exit_2(tmp_path: Path) -> None:
    run = invoke(["audit", str(tmp_path / "nope.csv"), "--as-of", AS_OF, "--format", "json"])
    assert run.exit_code == 2


def test_bad_as_of_is_exit_2(tmp_path: Path) -> None:
    run = audit(tmp_path, one_borrower(N1), as_of="2026-13-45")
    assert run.exit_code == 2


@pytest.mark.parametrize("delimiter", ["\t", ";", "|"])
def test_delimiter_is_sniffed(tmp_path: Path, delimiter: str) -> None:
    path = write_table(
        tmp_path / "b.txt",
        [["borrower_id", "phone", "name"], ["B1", "138****5678", "张三"], ["B2", N2, "李四"]],
        delimiter=delimiter,
    )
    run = audit(tmp_path, path)
    assert run.flat() == {("phone-masked", "borrowers", 2)}


def test_every_column_is_read_as_text(tmp_path: Path) -> None:
    # A blank makes pandas guess float64 for the phone column; ids keep leading zeros.
    run = audit(tmp_path, [BH, ["007", N1, "张三"], ["008", "", "李四"], ["009", N3, "王五"]])
    assert run.flat() == {("phone-missing", "borrowers", 3)}
    assert run.finding("phone-missing", "borrowers", 3)["record_id"] == "008"


def test_xlsx_numeric_cells_and_sheet_option(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "first"
    ws.append(["borrower_id", "phone"])
    ws.append(["B1", int(N1)])
    ws.append(["B2", float(N2)])
    ws.append(["B3", "138****5678"])
    ws2 = wb.create_sheet("second")
    ws2.append(["borrower_id", "phone"])
    ws2.append(["B1", "abc"])
    path = tmp_path / "b.xlsx"
    wb.save(path)
    run = audit(tmp_path, path)
    assert run.flat() == {("phone-masked", "borrowers", 4)}
    second = audit(tmp_path, path, args=["--sheet", "second"])
    assert second.flat() == {("phone-unparseable", "borrowers", 2)}


def test_parquet_and_jsonl_inputs(tmp_path: Path) -> None:
    frame = pd.DataFrame({"borrower_id": ["B1", "B2"], "phone": ["138****5678", N2]})
    pq = tmp_path / "b.parquet"
    frame.to_parquet(pq)
    assert audit(tmp_path, pq).flat() == {("phone-masked", "borrowers", 2)}
    jl = tmp_path / "b.jsonl"
    jl.write_text(frame.to_json(orient="records", lines=True, force_ascii=False), encoding="utf-8")
    assert audit(tmp_path, jl).flat() == {("phone-masked", "borrowers", 2)}


def test_dash_reads_csv_from_stdin(tmp_path: Path) -> None:
    data = f"borrower_id,phone\nB1,{N1}\nB2,138****5678\n"
    result = invoke(["audit", "-", "--as-of", AS_OF, "--format", "json"], input=data)
    assert result.flat() == {("phone-masked", "borrowers", 3)}


def test_wide_contact_layout_is_unpivoted_and_names_the_original_column(tmp_path: Path) -> None:
    run = audit(
        tmp_path,
        [BH, ["B1", N1, "张三"], ["B2", N2, "李四"]],
        [
            ["borrower_id", "contact1_phone", "contact2_phone", "contact3_phone"],
            ["B1", N3, "138****5678", N1],
            ["B2", N4, N5, ""],
        ],
    )
    interesting = {"phone-masked", "contact-is-borrower-phone", "phone-missing"}
    assert run.flat(codes=interesting) == {
        ("phone-masked", "contacts", 2),
        ("contact-is-borrower-phone", "contacts", 2),
    }
    assert run.finding("phone-masked", "contacts", 2)["column"] == "contact2_phone"
    f = run.finding("contact-is-borrower-phone", "contacts", 2)
    assert f["column"] == "contact3_phone"
    assert ("borrowers", 2, "B1") in related_set(f)


def test_chinese_wide_contact_layout(tmp_path: Path) -> None:
    run = audit(
        tmp_path,
        [["借款人ID", "手机号"], ["B1", N1]],
        [
            [
                "借款人ID",
                "紧急联系人1电话",
                "紧急联系人1姓名",
                "紧急联系人1关系",
                "紧急联系人2电话",
            ],
            ["B1", N2, "王五", "qwerty", "1.38123E+10"],
        ],
    )
    # Slot 1's relationship column is read; slot 2 has none (reported blank: see report).
    unknown = [f for f in run.findings if f["code"] == "relationship-unknown"]
    assert cn_mask(N2) in {f["phone_masked"] for f in unknown}
    assert {f["row"] for f in unknown} == {2}
    assert run.flat(codes={"phone-precision-lost", "phone-missing", "phone-masked"}) == {
        ("phone-precision-lost", "contacts", 2)
    }
    assert run.finding("phone-precision-lost", "contacts", 2)["column"] == "紧急联系人2电话"


# ---------------------------------------------------------------- config (§4, §5)


def _rich_case(tmp_path: Path, args: list[str] | None = None):
    return audit(
        tmp_path,
        [
            BH,
            ["B1", "138****5678", "张三"],
            ["B2", "+86 136 9182 7364", "李四"],
            ["B3", "010-12345678", ""],
        ],
        args=args or [],
    )


def test_config_select_ignore_and_severity_override(tmp_path: Path) -> None:
    base = _rich_case(tmp_path)
    assert base.flat() == {
        ("phone-masked", "borrowers", 2),
        ("phone-nonstandard-format", "borrowers", 3),
        ("phone-not-mobile", "borrowers", 4),
    }
    cfg = tmp_path / "ca.toml"
    cfg.write_text('select = ["phone-masked"]\n', encoding="utf-8")
    assert _rich_case(tmp_path, ["--config", str(cfg)]).flat() == {("phone-masked", "borrowers", 2)}

    cfg.write_text('ignore = ["phone-masked", "phone-not-mobile"]\n', encoding="utf-8")
    run = _rich_case(tmp_path, ["--config", str(cfg)])
    assert run.flat() == {("phone-nonstandard-format", "borrowers", 3)}
    assert run.exit_code == 0

    cfg.write_text('[severity]\n"phone-nonstandard-format" = "high"\n', encoding="utf-8")
    run = _rich_case(tmp_path, ["--config", str(cfg)])
    assert run.finding("phone-nonstandard-format", "borrowers", 3)["severity"] == "high"
    assert run.report["summary"]["by_severity"].get("info", 0) == 0
    # Severity overrides also re-sort: high masked and high nonstandard by code.
    assert [f["code"] for f in run.findings] == [
        "phone-masked",
        "phone-nonstandard-format",
        "phone-not-mobile",
    ]


def test_config_select_accepts_a_family(tmp_path: Path) -> None:
    cfg = tmp_path / "ca.toml"
    cfg.write_text('select = ["duplicated"]\n', encoding="utf-8")
    run = audit(
        tmp_path,
        [BH, ["B1", "+86 135 7192 8346", "张三"], ["B2", N1, "李四"]],
        args=["--config", str(cfg)],
    )
    assert run.flat() == {
        ("phone-shared-by-borrowers", "borrowers", 2),
        ("phone-shared-by-borrowers", "borrowers", 3),
    }


def test_config_from_working_directory_and_pyproject(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.contactaudit]\nignore = ["phone-masked"]\n',
        encoding="utf-8",
    )
    assert _rich_case(tmp_path).flat(codes={"phone-masked"}) == set()
    # contactaudit.toml in the working directory wins over pyproject.toml.
    (tmp_path / "contactaudit.toml").write_text('ignore = ["phone-not-mobile"]\n', encoding="utf-8")
    run = _rich_case(tmp_path)
    assert run.flat(codes={"phone-masked", "phone-not-mobile"}) == {
        ("phone-masked", "borrowers", 2)
    }
    # --config wins over both.
    other = tmp_path / "other.toml"
    other.write_text('ignore = ["phone-nonstandard-format"]\n', encoding="utf-8")
    run = _rich_case(tmp_path, ["--config", str(other)])
    assert run.flat() == {("phone-masked", "borrowers", 2), ("phone-not-mobile", "borrowers", 4)}


def test_unknown_config_key_names_it_and_suggests_the_closest(tmp_path: Path) -> None:
    cfg = tmp_path / "ca.toml"
    cfg.write_text('selcet = ["phone-masked"]\n', encoding="utf-8")
    run = _rich_case(tmp_path, ["--config", str(cfg)])
    assert run.exit_code == 2
    assert "selcet" in run.stderr and "select" in run.stderr.replace("selcet", "")


def test_config_extends_placeholders_and_stale_days(tmp_path: Path) -> None:
    cfg = tmp_path / "ca.toml"
    cfg.write_text(
        f'placeholders = ["{N2}"]\nstale_after_days = {{ borrowers = 30, contacts = 365 }}\n',
        encoding="utf-8",
    )
    run = audit(
        tmp_path,
        _verif_borrowers(("B1", N1, days_before(31), ""), ("B2", N2, days_before(1), "")),
        args=["--config", str(cfg)],
    )
    assert run.flat() == {
        ("phone-verification-stale", "borrowers", 2),
        ("phone-placeholder", "borrowers", 3),
    }


def test_command_line_inputs_win_over_config_inputs(tmp_path: Path) -> None:
    other = write_table(tmp_path / "other.csv", one_borrower("abc"))
    cfg = tmp_path / "ca.toml"
    cfg.write_text(f'[inputs]\nborrowers = "{other.as_posix()}"\n', encoding="utf-8")
    run = audit(tmp_path, one_borrower("138****5678"), args=["--config", str(cfg)])
    assert run.flat() == {("phone-masked", "borrowers", 2)}


# ---------------------------------------------------------------- exit statuses (§5)

MEDIUM_ONLY = [BH, ["B1", "010-12345678", "张三"]]
INFO_ONLY = [BH, ["B1", "+86 135 7192 8346", "张三"]]
HIGH = [BH, ["B1", "138****5678", "张三"]]


@pytest.mark.parametrize(
    ("table", "fail_on", "status"),
    [
        (MEDIUM_ONLY, None, 0),
        (HIGH, None, 1),
        (MEDIUM_ONLY, "medium", 1),
        (MEDIUM_ONLY, "high", 0),
        (HIGH, "critical", 0),
        (HIGH, "never", 0),
        (INFO_ONLY, "info", 1),
        (INFO_ONLY, "low", 0),
        ([BH, ["B1", N1, "张三"]], "info", 0),
    ],
)
def test_exit_status_follows_fail_on(
    tmp_path: Path, table, fail_on: str | None, status: int
) -> None:
    args = [] if fail_on is None else ["--fail-on", fail_on]
    run = audit(tmp_path, table, args=args)
    assert run.exit_code == status
    assert run.report is not None


def test_critical_finding_with_fail_on_never_exits_0(tmp_path: Path) -> None:
    run = audit(
        tmp_path,
        one_borrower(N1),
        reassigned=[["phone", "disconnected_at"], [N1, "2026-01-01"]],
        args=["--fail-on", "never"],
    )
    assert run.flat() == {("phone-reassigned", "borrowers", 2)}
    assert run.exit_code == 0


def test_fail_on_in_config_and_command_line_wins(tmp_path: Path) -> None:
    cfg = tmp_path / "ca.toml"
    cfg.write_text('fail_on = "medium"\n', encoding="utf-8")
    assert audit(tmp_path, MEDIUM_ONLY, args=["--config", str(cfg)]).exit_code == 1
    run = audit(tmp_path, MEDIUM_ONLY, args=["--config", str(cfg), "--fail-on", "high"])
    assert run.exit_code == 0


# ---------------------------------------------------------------- JSON report (§6)


def _kitchen_sink(tmp_path: Path, args: list[str] | None = None, env=None):
    return audit(
        tmp_path,
        [
            ["borrower_id", "phone", "name", "country", "phone_verified_at"],
            ["B1", N2, "张三", "CN", days_before(10)],
            ["B2", N1, "李四", "CN", days_before(10)],
            ["B3", N1, "王五", "CN", days_before(400)],
            ["B4", "138****5678", "赵六", "CN", ""],
            ["B5", GB_MOBILE, "Smith", "CN", days_before(10)],
            ["B6", "+86 159 1183 7265", "孙七", "", days_before(100)],
        ],
        [
            [*CH, "verified_at"],
            ["C1", "B1", N2, "张母", "母亲", days_before(10)],
            ["C2", "B9", N8, "", "qwerty", ""],
        ],
        reassigned=[["phone", "disconnected_at"], [N7, "2026-10-01"]],
        args=args or [],
        env=env,
    )


KITCHEN_FLAT = {
    ("phone-shared-by-borrowers", "borrowers", 3),
    ("phone-shared-by-borrowers", "borrowers", 4),
    ("phone-verification-stale", "borrowers", 4),
    ("phone-masked", "borrowers", 5),
    ("region-mismatch", "borrowers", 6),
    ("phone-reassigned", "borrowers", 7),
    ("phone-nonstandard-format", "borrowers", 7),
    ("contact-is-borrower-phone", "contacts", 2),
    ("contact-orphan", "contacts", 3),
    ("relationship-unknown", "contacts", 3),
    ("phone-never-verified", "contacts", 3),
}


def test_kitchen_sink_findings(tmp_path: Path) -> None:
    run = _kitchen_sink(tmp_path)
    assert run.flat() == KITCHEN_FLAT
    check_catalogue(run.findings)
    assert run.exit_code == 1


def test_json_top_level_and_summary_schema(tmp_path: Path) -> None:
    run = _kitchen_sink(tmp_path)
    r = run.report
    assert r["schema_version"] == 1
    assert r["tool"] == {"name": "contactaudit", "version": "0.1.0"}
    assert r["as_of"] == AS_OF
    assert r["default_region"] == "CN"
    sources = [i["source"] for i in r["inputs"]]
    assert "borrowers" in sources and "contacts" in sources
    for i in r["inputs"]:
        assert {"source", "path", "format", "encoding", "rows", "columns"} <= set(i)
    b_input = next(i for i in r["inputs"] if i["source"] == "borrowers")
    assert b_input["format"] == "csv" and b_input["rows"] == 6
    assert b_input["path"].endswith("borrowers.csv")
    assert b_input["columns"]["phone"] == "phone"
    s = r["summary"]
    assert s["findings"] == len(r["findings"]) == len(KITCHEN_FLAT)
    assert isinstance(s["records_with_findings"], int)
    by_code: dict[str, int] = {}
    by_sev: dict[str, int] = {}
    for f in r["findings"]:
        by_code[f["code"]] = by_code.get(f["code"], 0) + 1
        by_sev[f["severity"]] = by_sev.get(f["severity"], 0) + 1
    assert {k: v for k, v in s["by_code"].items() if v} == by_code
    assert {k: v for k, v in s["by_severity"].items() if v} == by_sev
    assert s["new"] is None and s["resolved"] is None


def test_records_with_findings_counts_each_record_once(tmp_path: Path) -> None:
    run = audit(
        tmp_path,
        [BH, ["B1", N1, "张三"]],
        [[*CH, "verified_at"], ["C1", "B9", N2, "", "qwerty", ""]],
    )
    assert run.flat() == {
        ("contact-orphan", "contacts", 2),
        ("relationship-unknown", "contacts", 2),
        ("phone-never-verified", "contacts", 2),
    }
    assert run.report["summary"]["records_with_findings"] == 1


def test_records_with_findings_in_the_kitchen_sink(tmp_path: Path) -> None:
    r = _kitchen_sink(tmp_path).report
    # Rows 3-7 of borrowers and rows 2-3 of contacts; contact row 3 has three findings.
    distinct = {(f["source"], f["row"]) for f in r["findings"]}
    assert len(distinct) == 7
    assert r["summary"]["records_with_findings"] >= len(distinct)


def test_finding_fields_are_exactly_the_contract(tmp_path: Path) -> None:
    run = _kitchen_sink(tmp_path)
    for f in run.findings:
        assert set(f) == FINDING_KEYS, f
        assert f["status"] is None
        assert isinstance(f["row"], int)
        assert f["source"] in {"borrowers", "contacts"}
        assert isinstance(f["message"], str) and f["message"]
        for rel in f["related"]:
            assert {"source", "row", "record_id"} <= set(rel)
    contact = run.finding("contact-is-borrower-phone", "contacts", 2)
    assert contact["record_id"] == "C1" and contact["borrower_id"] == "B1"
    assert contact["phone_masked"] == cn_mask(N2)


def test_findings_are_sorted_by_severity_code_source_row(tmp_path: Path) -> None:
    run = _kitchen_sink(tmp_path)
    assert [sort_key(f) for f in run.findings] == sorted(sort_key(f) for f in run.findings)
    assert run.findings[0]["code"] == "phone-reassigned"
    assert run.findings[-1]["code"] == "phone-nonstandard-format"


def test_record_id_is_null_without_a_key_column(tmp_path: Path) -> None:
    run = audit(
        tmp_path,
        [BH, ["B1", N1, "张三"]],
        [["borrower_id", "phone", "relationship"], ["B1", "138****5678", "母亲"]],
    )
    f = run.finding("phone-masked", "contacts", 2)
    assert f["record_id"] is None and f["borrower_id"] == "B1"


def test_phones_are_masked_everywhere_by_default(tmp_path: Path) -> None:
    run = _kitchen_sink(tmp_path)
    for number in (N1, N2, N7, N8, "7911123456", "159 1183 7265"):
        assert number not in run.stdout
    assert run.finding("phone-shared-by-borrowers", "borrowers", 3)["phone_masked"] == cn_mask(N1)
    gb = run.finding("region-mismatch", "borrowers", 6)["phone_masked"]
    assert gb.startswith("+44") and gb.endswith("3456") and "79111" not in gb
    assert run.finding("phone-nonstandard-format", "borrowers", 7)["phone_masked"] == cn_mask(N7)
    for fmt in ("csv", "markdown", "table", "junit", "html"):
        out = audit(tmp_path, [BH, ["B1", N1, "张三"], ["B2", N1, "李四"]], fmt=fmt)
        assert out.exit_code == 1
        assert N1 not in out.stdout and N1 not in out.stderr, fmt


def test_reveal_phones_adds_e164_and_raw(tmp_path: Path) -> None:
    run = _kitchen_sink(tmp_path, ["--reveal-phones"])
    for f in run.findings:
        assert set(f) == FINDING_KEYS | {"phone_e164", "phone_raw"}
    f = run.finding("phone-nonstandard-format", "borrowers", 7)
    assert f["phone_e164"] == e164(N7) and f["phone_raw"] == "+86 159 1183 7265"
    assert f["phone_masked"] == cn_mask(N7)


def test_phone_key_is_a_keyed_stable_16_hex_digest_of_e164(tmp_path: Path) -> None:
    run = _kitchen_sink(tmp_path)
    key = run.finding("phone-shared-by-borrowers", "borrowers", 3)["phone_key"]
    assert re.fullmatch(r"[0-9a-f]{16}", key)
    assert run.finding("phone-shared-by-borrowers", "borrowers", 4)["phone_key"] == key
    assert key != hashlib.sha256(e164(N1).encode()).hexdigest()[:16]
    assert run.finding("contact-is-borrower-phone", "contacts", 2)["phone_key"] != key
    again = _kitchen_sink(tmp_path)
    assert again.finding("phone-shared-by-borrowers", "borrowers", 3)["phone_key"] == key
    other = _kitchen_sink(tmp_path, env={"CONTACTAUDIT_HASH_KEY": "another-key"})
    assert other.finding("phone-shared-by-borrowers", "borrowers", 3)["phone_key"] != key
    # Keyed on the E.164 number, so formatting variants share the key.
    variants = audit(tmp_path, [BH, ["B1", "+86 135 7192 8346", "张三"], ["B2", N1, "李四"]])
    assert variants.finding("phone-shared-by-borrowers", "borrowers", 2)["phone_key"] == key
    assert variants.finding("phone-shared-by-borrowers", "borrowers", 3)["phone_key"] == key


def test_same_inputs_and_as_of_give_identical_reports(tmp_path: Path) -> None:
    def strip(obj):
        if isinstance(obj, dict):
            return {
                k: strip(v)
                for k, v in obj.items()
                if not any(t in k for t in ("duration", "elapsed", "time", "generated", "started"))
            }
        if isinstance(obj, list):
            return [strip(v) for v in obj]
        return obj

    first = _kitchen_sink(tmp_path)
    second = _kitchen_sink(tmp_path)
    assert strip(first.report) == strip(second.report)


def test_stdout_is_only_the_report_and_output_file(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    run = _kitchen_sink(tmp_path, ["-o", str(out)])
    assert run.exit_code == 1
    assert run.stdout.strip() == ""
    report = json.loads(out.read_text(encoding="utf-8"))
    assert {(f["code"], f["source"], f["row"]) for f in report["findings"]} == KITCHEN_FLAT


def test_inputs_are_never_modified(tmp_path: Path) -> None:
    path = write_table(tmp_path / "b.csv", [BH, ["B1", "1.3571928346E10", "张三"]])
    before = path.read_bytes()
    audit(tmp_path, path)
    assert path.read_bytes() == before


# ---------------------------------------------------------------- CSV, out-dir, suppression (§6)


def test_findings_csv_flattens_and_guards_against_formula_injection(tmp_path: Path) -> None:
    run = audit(
        tmp_path,
        [
            ["borrower_id", "phone", "country"],
            ["=HYPERLINK(1)", "138****5678", ""],
            ["@SUM(A1)", "abc", ""],
            ["-B3", "", ""],
            ["+B4", GB_MOBILE, "CN"],
        ],
        fmt="csv",
        args=["--reveal-phones"],
    )
    assert run.exit_code == 1
    path = tmp_path / "findings.csv"
    path.write_text(run.stdout, encoding="utf-8")
    rows = read_csv_file(path)
    assert len(rows) == 4
    assert {"code", "severity", "remediation", "source", "row", "record_id", "phone_masked"} <= set(
        rows[0]
    )
    by_code = {r["code"]: r for r in rows}
    assert by_code["phone-masked"]["record_id"] == "'=HYPERLINK(1)"
    assert by_code["phone-unparseable"]["borrower_id"] == "'@SUM(A1)"
    assert by_code["phone-missing"]["record_id"] == "'-B3"
    gb = by_code["region-mismatch"]
    assert gb["record_id"] == "'+B4"
    assert gb["phone_masked"].startswith("'+44")
    assert gb["phone_e164"] == "'" + GB_MOBILE
    for r in rows:
        for value in r.values():
            assert (value or "x")[0] not in "=+-@\t\r\n", r


def test_out_dir_writes_every_report(tmp_path: Path) -> None:
    out = tmp_path / "out"
    run = _kitchen_sink(tmp_path, ["--out-dir", str(out)])
    assert run.exit_code == 1
    names = {
        "report.json",
        "findings.csv",
        "report.html",
        "report.md",
        "junit.xml",
        "suppression.csv",
    }
    # Atomic writes leave no temporary files behind.
    assert {p.name for p in out.iterdir()} == names
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert {(f["code"], f["source"], f["row"]) for f in report["findings"]} == KITCHEN_FLAT
    assert len(read_csv_file(out / "findings.csv")) == len(KITCHEN_FLAT)
    assert stat.S_IMODE(os.stat(out / "suppression.csv").st_mode) == 0o600
    assert N1 not in (out / "report.html").read_text(encoding="utf-8")


def test_suppression_csv_holds_distinct_numbers_with_suppress_or_block_codes(
    tmp_path: Path,
) -> None:
    sup = tmp_path / "suppression.csv"
    run = audit(
        tmp_path,
        [
            ["borrower_id", "phone", "sms_opt_out", "phone_verified_at"],
            ["B1", N1, "true", "2026-01-01"],  # reassigned + opted out: one row, two codes
            ["B2", "0755-12345678", "false", AS_OF],  # not-mobile -> SUPPRESS_SMS
            ["B3", N3, "false", "2020-01-01"],  # stale only -> REVERIFY, not suppressed
            ["B4", "+86 159 1183 7265", "false", AS_OF],  # info only
        ],
        reassigned=[["phone", "disconnected_at"], [N1, "2026-06-01"]],
        args=["--suppression-out", str(sup)],
    )
    assert run.exit_code == 1
    assert stat.S_IMODE(os.stat(sup).st_mode) == 0o600
    rows = read_csv_file(sup)
    text = sup.read_text(encoding="utf-8-sig")
    numbers = {}
    for r in rows:
        values = [v.lstrip("'") for v in r.values() if v]
        phone = next(v for v in values if v.startswith("+"))
        numbers[phone] = " ".join(values)
    assert set(numbers) == {e164(N1), "+8675512345678"}
    assert "phone-reassigned" in numbers[e164(N1)] and "phone-opted-out" in numbers[e164(N1)]
    assert "phone-not-mobile" in numbers["+8675512345678"]
    assert N3 not in text and N7 not in text


def test_every_catalogue_code_is_documented_by_rules(tmp_path: Path) -> None:
    run = invoke(["rules", "--format", "json"])
    assert run.exit_code == 0
    listed = {r["code"]: (r["severity"], r["remediation"]) for r in json.loads(run.stdout)}
    assert set(listed) == set(CATALOGUE)
    for code, (severity, remediation) in CATALOGUE.items():
        assert listed[code][1] == remediation
        if code != "phone-missing":
            assert listed[code][0] == severity
    one = invoke(["rules", "phone-precision-lost"])
    assert one.exit_code == 0 and "RECOLLECT" in one.stdout


def test_as_of_is_the_clock_for_staleness(tmp_path: Path) -> None:
    table = _verif_borrowers(("B1", N1, "2026-01-01", ""))
    assert audit(tmp_path, table, as_of="2026-06-30").flat() == set()
    assert audit(tmp_path, table, as_of="2026-07-01").flat() == {
        ("phone-verification-stale", "borrowers", 2)
    }


def test_utf16_unicode_text_export_is_read(tmp_path: Path) -> None:
    # Excel's "Unicode text": UTF-16LE with a BOM, tab-separated.
    path = tmp_path / "b.txt"
    text = "借款人ID\t手机号\r\nB1\t138****5678\r\nB2\t" + N2 + "\r\n"
    path.write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))
    run = audit(tmp_path, path)
    assert run.flat() == {("phone-masked", "borrowers", 2)}


def test_excel_text_wrappers_are_usable_numbers(tmp_path: Path) -> None:
    run = audit(tmp_path, [BH, ["B1", "'" + N1, "张三"], ["B2", '="' + N1 + '"', "李四"]])
    shared = {
        ("phone-shared-by-borrowers", "borrowers", 2),
        ("phone-shared-by-borrowers", "borrowers", 3),
    }
    assert shared <= run.flat()
    assert run.flat() - shared <= {
        ("phone-nonstandard-format", "borrowers", 2),
        ("phone-nonstandard-format", "borrowers", 3),
    }


def test_blank_relationship_is_not_self_for_contact_is_borrower_phone(tmp_path: Path) -> None:
    run = audit(tmp_path, [BH, ["B1", N1, "张三"]], [CH, ["C1", "B1", N1, "", ""]])
    assert run.flat() == {
        ("contact-is-borrower-phone", "contacts", 2),
        ("relationship-unknown", "contacts", 2),
    }


def test_wide_layout_carries_contact_names_and_relationships(tmp_path: Path) -> None:
    run = audit(
        tmp_path,
        [BH, ["B1", N1, "张三"], ["B2", N2, "李四"]],
        [
            [
                "borrower_id",
                "contact1_phone",
                "contact1_name",
                "contact1_relationship",
                "contact2_phone",
                "contact2_name",
                "contact2_relationship",
            ],
            ["B1", N3, "王五", "母亲", N4, "赵六", "qwerty"],
            ["B2", N3, "孙七", "朋友", N5, "", "同事"],
        ],
    )
    assert run.flat() == {
        ("relationship-unknown", "contacts", 2),
        ("name-conflict", "contacts", 2),
        ("name-conflict", "contacts", 3),
    }
    assert run.finding("relationship-unknown", "contacts", 2)["phone_masked"] == cn_mask(N4)


def test_typed_parquet_and_json_numbers_are_read_as_text(tmp_path: Path) -> None:
    frame = pd.DataFrame({"borrower_id": ["B1", "B2"], "phone": [int(N1), int(N2)]})
    pq = tmp_path / "b.parquet"
    frame.to_parquet(pq)
    assert audit(tmp_path, pq).flat() == set()
    jl = tmp_path / "b.jsonl"
    jl.write_text(
        f'{{"borrower_id": "B1", "phone": {N1}}}\n{{"borrower_id": "B2", "phone": {N2}}}\n',
        encoding="utf-8",
    )
    assert audit(tmp_path, jl).flat() == set()


def test_empty_and_garbage_inputs_are_clean_errors(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    run = audit(tmp_path, empty)
    assert run.exit_code == 2 and "Traceback" not in run.stderr
    header_only = write_table(tmp_path / "h.csv", [["borrower_id", "phone"]])
    run = audit(tmp_path, header_only)
    assert run.exit_code == 0 and run.report["findings"] == []
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04" + bytes(range(256)) * 4)
    run = audit(tmp_path, broken)
    assert run.exit_code == 2 and "Traceback" not in run.stderr


def test_unknown_extra_columns_are_input_warnings(tmp_path: Path) -> None:
    run = audit(tmp_path, [["borrower_id", "phone", "favourite_colour"], ["B1", N1, "secretblue"]])
    assert run.exit_code == 0
    (b_input,) = [i for i in run.report["inputs"] if i["source"] == "borrowers"]
    warnings = json.dumps(b_input.get("warnings"), ensure_ascii=False)
    assert "favourite_colour" in warnings
    assert "secretblue" not in run.stdout


def test_sms_opt_out_true_in_any_case(tmp_path: Path) -> None:
    run = audit(
        tmp_path,
        [["borrower_id", "phone", "sms_opt_out"], ["B1", N1, "TRUE"], ["B2", N2, "False"]],
    )
    assert run.flat() == {("phone-opted-out", "borrowers", 2)}


def test_history_marks_new_and_persisting_and_counts_resolved(tmp_path: Path) -> None:
    db = tmp_path / "history.sqlite"
    first_table = [BH, ["B1", "138****5678", "张三"], ["B2", "abc", "李四"]]
    first = audit(tmp_path, first_table, args=["--history", str(db)])
    assert {f["status"] for f in first.findings} == {"new"}
    assert first.report["summary"]["new"] == 2
    second_table = [BH, ["B1", "138****5678", "张三"], ["B2", N2, "李四"]]
    second = audit(tmp_path, second_table, args=["--history", str(db), "--fail-on-new"])
    assert [f["status"] for f in second.findings] == ["persisting"]
    assert second.report["summary"]["new"] == 0
    assert second.report["summary"]["resolved"] == 1
    # --fail-on-new: only new findings count for the exit status.
    assert second.exit_code == 0
    assert audit(tmp_path, second_table, args=["--history", str(db)]).exit_code == 1
    with sqlite3.connect(db) as conn:
        dump = "\n".join(conn.iterdump())
    assert "138****5678" not in dump and N2 not in dump


def test_junit_has_a_suite_per_family_and_a_failing_case_per_failing_code(tmp_path: Path) -> None:
    import xml.etree.ElementTree as ET

    run = audit(
        tmp_path, [BH, ["B1", "138****5678", "张三"], ["B2", "+86 136 9182 7364", ""]], fmt="junit"
    )
    assert run.exit_code == 1
    root = ET.fromstring(run.stdout)
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    assert any("malformed" in name for name in suites)
    cases = {c.get("name"): c for c in root.iter("testcase")}
    masked = next(c for name, c in cases.items() if "phone-masked" in name)
    assert masked.find("failure") is not None
    info = next(c for name, c in cases.items() if "phone-nonstandard-format" in name)
    assert info.find("failure") is None


def test_html_report_is_self_contained(tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    table = [BH, ["B1", N1, "张三"], ["B2", N1, "李四"]]
    run = audit(tmp_path, table, fmt="html", args=["-o", str(out)])
    assert run.exit_code == 1
    html = out.read_text(encoding="utf-8")
    assert not re.search(r"""<(script|img|link|iframe)[^>]+(src|href)=["']?(https?:)?//""", html)
    assert N1 not in html


def test_config_select_family_with_ignore_and_invalid_values(tmp_path: Path) -> None:
    cfg = tmp_path / "ca.toml"
    cfg.write_text('select = ["malformed"]\nignore = ["phone-masked"]\n', encoding="utf-8")
    run = audit(
        tmp_path,
        [BH, ["B1", "138****5678", "张三"], ["B2", "010-12345678", ""], ["B3", "010-12345678", ""]],
        args=["--config", str(cfg)],
    )
    assert run.flat() == {
        ("phone-not-mobile", "borrowers", 3),
        ("phone-not-mobile", "borrowers", 4),
    }
    cfg.write_text('[severity]\n"phone-masked" = "urgent"\n', encoding="utf-8")
    assert _rich_case(tmp_path, ["--config", str(cfg)]).exit_code == 2
    cfg.write_text('[severity]\n"phone-masked" = "low"\n', encoding="utf-8")
    lowered = audit(tmp_path, HIGH, args=["--config", str(cfg)])
    assert lowered.finding("phone-masked", "borrowers", 2)["severity"] == "low"
    assert lowered.exit_code == 0


def test_reassigned_list_dates_in_other_spellings(tmp_path: Path) -> None:
    run = audit(
        tmp_path,
        REASSIGNED_BORROWERS[:4],
        reassigned=[
            ["phone", "disconnected_at"],
            [N1, "2025年6月1日"],
            [N2, "2025/6/1"],
            [N3, "20250601"],
        ],
        as_of="2025-08-01",
    )
    assert run.flat(codes={"phone-reassigned"}) == {
        ("phone-reassigned", "borrowers", 2),
        ("phone-reassigned", "borrowers", 3),
    }


def test_quiet_silences_notes_on_stderr(tmp_path: Path) -> None:
    run = audit(tmp_path, HIGH, args=["--quiet"])
    assert run.exit_code == 1
    assert run.stderr.strip() == ""
    assert run.report["findings"]


def test_config_maps_any_column_explicitly(tmp_path: Path) -> None:
    cfg = tmp_path / "ca.toml"
    cfg.write_text(
        '[columns.borrowers]\nphone = "Mobile No."\nborrower_id = "Acct"\n', encoding="utf-8"
    )
    run = audit(
        tmp_path,
        [["Acct", "Mobile No.", "phone_backup"], ["B1", "138****5678", N2]],
        args=["--config", str(cfg)],
    )
    assert run.exit_code == 1, run.stderr
    assert run.flat() == {("phone-masked", "borrowers", 2)}


def test_xlsx_date_cells_and_a_missing_sheet(tmp_path: Path) -> None:
    from datetime import datetime

    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["borrower_id", "phone", "phone_verified_at"])
    ws.append(["B1", N1, datetime(2023, 1, 5)])
    ws.append(["B2", N2, datetime(2026, 11, 1, 9, 30)])
    path = tmp_path / "b.xlsx"
    wb.save(path)
    assert audit(tmp_path, path).flat() == {("phone-verification-stale", "borrowers", 2)}
    missing = audit(tmp_path, path, args=["--sheet", "nosuchsheet"])
    assert missing.exit_code == 2
    assert "nosuchsheet" in missing.stderr


def test_cells_without_a_number_have_no_phone_key(tmp_path: Path) -> None:
    run = audit(
        tmp_path, [BH, ["B1", "138****5678", "张三"], ["B2", "", "李四"], ["B3", "abc", ""]]
    )
    assert run.flat() == {
        ("phone-masked", "borrowers", 2),
        ("phone-missing", "borrowers", 3),
        ("phone-unparseable", "borrowers", 4),
    }
    assert {f["phone_key"] for f in run.findings} == {None}


@pytest.mark.parametrize(
    "args",
    [
        ["audit", "--format", "json"],  # nothing to audit
        ["audit", "{b}", "--region", "XX", "--format", "json"],
        ["audit", "{b}", "--fail-on", "sometimes", "--format", "json"],
        ["gate", "{b}", "--borrowers", "{b}", "--format", "json"],  # no output files
    ],
)
def test_usage_errors_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args) -> None:
    monkeypatch.chdir(tmp_path)
    b = write_table(tmp_path / "b.csv", one_borrower(N1))
    run = invoke([a.replace("{b}", str(b)) for a in args])
    assert run.exit_code == 2
    assert "Traceback" not in run.stderr
