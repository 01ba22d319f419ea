"""contactaudit.phones: one malformed code per cell, E.164 for usable numbers, fast = slow."""

from __future__ import annotations

import random
import re
from unittest import mock

import numpy as np
import pandas as pd
import phonenumbers
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contactaudit import phones
from contactaudit.phones import (
    MALFORMED_CODES,
    OUTPUT_COLUMNS,
    UNUSABLE_CODES,
    describe_number,
    normalize_phones,
)

# Clean numbers without any placeholder pattern (DESIGN's own 13812345678 holds the
# run 12345678, so it is a placeholder: see test_design_example_number_is_a_placeholder).
CLEAN = "13926418573"
CLEAN_E164 = "+8613926418573"
OTHER = "15083726491"
LANDLINE = "010-62345897"
LANDLINE_E164 = "+861062345897"


def one(raw: object, region: str = "CN", **kwargs: object) -> dict[str, object]:
    frame = normalize_phones(pd.Series([raw], dtype=object), region, **kwargs)  # type: ignore[arg-type]
    return frame.iloc[0].to_dict()


def codes(values: list[object], region: str = "CN") -> list[object]:
    return normalize_phones(pd.Series(values, dtype=object), region)["malformed"].tolist()


# (raw, region, code, e164 the cell must carry — None for unusable cells)
FIRES: list[tuple[object, str, str, str | None]] = [
    # phone-missing
    (None, "CN", "phone-missing", None),
    (float("nan"), "CN", "phone-missing", None),
    ("", "CN", "phone-missing", None),
    ("   ", "CN", "phone-missing", None),
    ("null", "CN", "phone-missing", None),
    ("NULL", "CN", "phone-missing", None),
    ("none", "CN", "phone-missing", None),
    ("N/A", "CN", "phone-missing", None),
    ("-", "CN", "phone-missing", None),
    ("/", "CN", "phone-missing", None),
    ("0", "CN", "phone-missing", None),
    ("无", "CN", "phone-missing", None),
    ("暂无", "CN", "phone-missing", None),
    ("#N/A", "CN", "phone-missing", None),
    ('=""', "CN", "phone-missing", None),
    # phone-masked: phonenumbers calls 138****5678 a possible number
    ("139****8573", "CN", "phone-masked", None),
    ("139××××8573", "CN", "phone-masked", None),
    ("139＊＊＊＊8573", "CN", "phone-masked", None),
    ("139xxxx8573", "CN", "phone-masked", None),
    ("139XXXX8573", "CN", "phone-masked", None),
    ("139••••8573", "CN", "phone-masked", None),
    ("139****8573/15083726491", "CN", "phone-masked", None),
    # phone-precision-lost: never padded with zeros
    ("1.39264E+10", "CN", "phone-precision-lost", None),
    ("1.39E+10", "CN", "phone-precision-lost", None),
    ("1.392641857E10", "CN", "phone-precision-lost", None),
    ("1.39264e+10", "CN", "phone-precision-lost", None),
    # phone-multiple
    (f"{CLEAN}/{OTHER}", "CN", "phone-multiple", None),
    (f"{CLEAN}，{OTHER}", "CN", "phone-multiple", None),
    (f"{CLEAN}、{OTHER}", "CN", "phone-multiple", None),
    (f"{CLEAN}；{OTHER}", "CN", "phone-multiple", None),
    (f"{CLEAN};{OTHER}", "CN", "phone-multiple", None),
    (f"{CLEAN}|{OTHER}", "CN", "phone-multiple", None),
    (f"{CLEAN} {OTHER}", "CN", "phone-multiple", None),
    (f"{CLEAN}\n{OTHER}", "CN", "phone-multiple", None),
    (f"母亲{CLEAN} 父亲{OTHER}", "CN", "phone-multiple", None),
    (f"{CLEAN}或{OTHER}", "CN", "phone-multiple", None),
    (f"{CLEAN}/4", "CN", "phone-multiple", None),  # shorthand for a second number
    ("139 2641 8573 150 8372 6491", "CN", "phone-multiple", None),
    ("+86 139 2641 8573 +86 150 8372 6491", "CN", "phone-multiple", None),
    (f"{CLEAN}{OTHER}", "CN", "phone-multiple", None),  # 22 digits glued
    (f"{LANDLINE}/{CLEAN}", "CN", "phone-multiple", None),
    # phone-unparseable
    ("见备注", "CN", "phone-unparseable", None),
    ("同上", "CN", "phone-unparseable", None),
    ("请联系本人", "CN", "phone-unparseable", None),
    ("see notes", "CN", "phone-unparseable", None),
    ("abc", "CN", "phone-unparseable", None),
    ("139abc26418573", "CN", "phone-unparseable", None),
    ("1.5E-3", "CN", "phone-unparseable", None),
    ("1" * 300, "CN", "phone-unparseable", None),
    # phone-not-sms-capable: IoT numbers are "invalid" to phonenumbers; checked first
    ("14026418573", "CN", "phone-not-sms-capable", None),
    ("14126418573", "CN", "phone-not-sms-capable", None),
    ("14226418573", "CN", "phone-not-sms-capable", None),
    ("14326418573", "CN", "phone-not-sms-capable", None),
    ("14426418573", "CN", "phone-not-sms-capable", None),
    ("14626418573", "CN", "phone-not-sms-capable", None),
    ("14826418573", "CN", "phone-not-sms-capable", None),
    ("1440926418573", "CN", "phone-not-sms-capable", None),
    ("1462926418573", "CN", "phone-not-sms-capable", None),
    ("1483926418573", "CN", "phone-not-sms-capable", None),
    ("1410926418573", "CN", "phone-not-sms-capable", None),
    ("1064926418573", "CN", "phone-not-sms-capable", None),
    ("17492641857", "CN", "phone-not-sms-capable", None),
    ("17406264185", "CN", "phone-not-sms-capable", None),
    ("17412264185", "CN", "phone-not-sms-capable", None),
    ("+8614026418573", "US", "phone-not-sms-capable", None),
    ("140 2641 8573", "CN", "phone-not-sms-capable", None),
    ("14012345678", "CN", "phone-not-sms-capable", None),  # not a placeholder either
    ("110", "CN", "phone-not-sms-capable", None),
    ("119", "CN", "phone-not-sms-capable", None),
    ("120", "CN", "phone-not-sms-capable", None),
    ("112", "CN", "phone-not-sms-capable", None),
    ("911", "US", "phone-not-sms-capable", None),
    # phone-invalid
    ("1392641857", "CN", "phone-invalid", None),
    ("139264185731", "CN", "phone-invalid", None),
    ("0013926418573", "CN", "phone-invalid", None),  # 00 read as IDD → +1 392…: left as is
    ("12345678901", "CN", "phone-invalid", None),  # a dummy, but invalid comes first
    ("11111111111", "CN", "phone-invalid", None),
    ("+999 26418573", "CN", "phone-invalid", None),
    ("8613926418573", "US", "phone-invalid", None),  # the row's region decides
    (CLEAN, "XX", "phone-invalid", None),  # no valid default region
    (f"{CLEAN} 1234", "CN", "phone-invalid", None),
    # phone-placeholder (valid numbers only)
    ("13800138000", "CN", "phone-placeholder", None),
    ("13888888888", "CN", "phone-placeholder", None),
    ("18888888888", "CN", "phone-placeholder", None),
    ("13800000000", "CN", "phone-placeholder", None),
    ("13900000000", "CN", "phone-placeholder", None),
    ("15050000000", "CN", "phone-placeholder", None),  # 7 identical trailing digits
    ("13912345678", "CN", "phone-placeholder", None),  # ascending run of 8
    ("15087654321", "CN", "phone-placeholder", None),  # descending run
    ("18623456789", "CN", "phone-placeholder", None),
    ("+8613800138000", "CN", "phone-placeholder", None),
    ("138 0013 8000", "CN", "phone-placeholder", None),
    ("13800138000.0", "CN", "phone-placeholder", None),  # a recovered float still is one
    ("010-88888888", "CN", "phone-placeholder", None),
    ("+44 909 876 5432", "CN", "phone-placeholder", None),
    # phone-not-mobile (usable: valid landlines are)
    (LANDLINE, "CN", "phone-not-mobile", LANDLINE_E164),
    ("0755-86123947", "CN", "phone-not-mobile", "+8675586123947"),
    ("4008123456", "CN", "phone-not-mobile", "+864008123456"),
    ("8008103957", "CN", "phone-not-mobile", "+868008103957"),
    ("+86 10 6234 5897", "CN", "phone-not-mobile", LANDLINE_E164),
    ("+1 800 253 0000", "CN", "phone-not-mobile", "+18002530000"),
    (f"{LANDLINE}-8001", "CN", "phone-not-mobile", LANDLINE_E164),  # not-mobile beats ext
    # phone-has-extension: usable by the main number
    (f"{CLEAN}转123", "CN", "phone-has-extension", CLEAN_E164),
    (f"{CLEAN}分机12", "CN", "phone-has-extension", CLEAN_E164),
    (f"{CLEAN} ext. 12", "CN", "phone-has-extension", CLEAN_E164),
    (f"{CLEAN} ext12", "CN", "phone-has-extension", CLEAN_E164),
    (f"{CLEAN}#12", "CN", "phone-has-extension", CLEAN_E164),
    (f"{CLEAN} x99", "CN", "phone-has-extension", CLEAN_E164),
    (f"{CLEAN},,12", "CN", "phone-has-extension", CLEAN_E164),
    (f"{CLEAN};ext=12", "CN", "phone-has-extension", CLEAN_E164),
    (f"{CLEAN}-12", "CN", "phone-has-extension", CLEAN_E164),
    # phone-float-artifact: recovered exactly with Decimal
    (f"{CLEAN}.0", "CN", "phone-float-artifact", CLEAN_E164),
    ("1.3926418573E10", "CN", "phone-float-artifact", CLEAN_E164),
    ("1.3926418573E+10", "CN", "phone-float-artifact", CLEAN_E164),
    ("1.3926418573e+10", "CN", "phone-float-artifact", CLEAN_E164),
    ("1,3926418573E+10", "CN", "phone-float-artifact", CLEAN_E164),
    ("13,926,418,573", "CN", "phone-float-artifact", CLEAN_E164),
    ("8.613926418573E12", "CN", "phone-float-artifact", CLEAN_E164),
    (13926418573.0, "CN", "phone-float-artifact", CLEAN_E164),
    # phone-nonstandard-format: decorated but valid
    ("139 2641 8573", "CN", "phone-nonstandard-format", CLEAN_E164),
    ("139-2641-8573", "CN", "phone-nonstandard-format", CLEAN_E164),
    ("139.2641.8573", "CN", "phone-nonstandard-format", CLEAN_E164),
    ("１３９２６４１８５７３", "CN", "phone-nonstandard-format", CLEAN_E164),
    ("+86 139 2641 8573", "CN", "phone-nonstandard-format", CLEAN_E164),
    ("+86-139-2641-8573", "CN", "phone-nonstandard-format", CLEAN_E164),
    ("0086 13926418573", "CN", "phone-nonstandard-format", CLEAN_E164),
    ("008613926418573", "CN", "phone-nonstandard-format", CLEAN_E164),
    ("8613926418573", "CN", "phone-nonstandard-format", CLEAN_E164),
    ("86 139 2641 8573", "CN", "phone-nonstandard-format", CLEAN_E164),
    ("(+86)13926418573", "CN", "phone-nonstandard-format", CLEAN_E164),
    ("+86 (0)139 2641 8573", "CN", "phone-nonstandard-format", CLEAN_E164),
    ("+86 139 2641 8573 (home)", "CN", "phone-nonstandard-format", CLEAN_E164),
    ("（手机）13926418573", "CN", "phone-nonstandard-format", CLEAN_E164),
    ("13926418573 [old]", "CN", "phone-nonstandard-format", CLEAN_E164),
    ("手机：13926418573", "CN", "phone-nonstandard-format", CLEAN_E164),
    ("电话1：13926418573", "CN", "phone-nonstandard-format", CLEAN_E164),
    (f"母亲{CLEAN}", "CN", "phone-nonstandard-format", CLEAN_E164),
    ("'13926418573", "CN", "phone-nonstandard-format", CLEAN_E164),
    ('="13926418573"', "CN", "phone-nonstandard-format", CLEAN_E164),
    (" 13926418573 ", "CN", "phone-nonstandard-format", CLEAN_E164),
    ("13926418573\u00a0", "CN", "phone-nonstandard-format", CLEAN_E164),
    ("139\u30002641\u30008573", "CN", "phone-nonstandard-format", CLEAN_E164),
    ("139\u200b26418573", "CN", "phone-nonstandard-format", CLEAN_E164),
    ("013926418573", "CN", "phone-nonstandard-format", CLEAN_E164),
    ("17951 13926418573", "CN", "phone-nonstandard-format", CLEAN_E164),
    ("139,2641,8573", "CN", "phone-nonstandard-format", CLEAN_E164),
    ("+1 202-555-0143", "CN", "phone-nonstandard-format", "+12025550143"),
]


@pytest.mark.parametrize(("raw", "region", "code", "e164"), FIRES)
def test_malformed_code_fires(raw: object, region: str, code: str, e164: str | None) -> None:
    row = one(raw, region)
    assert row["malformed"] == code
    assert row["e164"] == e164
    assert row["usable"] is (code not in UNUSABLE_CODES)


# (raw, region, the code that must NOT be given) — with what is given instead in a comment
NOT_FIRES: list[tuple[object, str, str]] = [
    (CLEAN, "CN", "phone-nonstandard-format"),  # plain national digits are fine
    (CLEAN_E164, "CN", "phone-nonstandard-format"),  # plain E.164 is fine
    ("00", "CN", "phone-missing"),
    (f"{CLEAN} x99", "CN", "phone-masked"),
    ("+86 139 2641 8573 (home)", "CN", "phone-masked"),
    ("1.3926418573E10", "CN", "phone-precision-lost"),
    ("1.392641857300E10", "CN", "phone-precision-lost"),  # trailing zeros are written digits
    ("139 2641 8573", "CN", "phone-multiple"),  # one number with spaces
    ("+86 139 2641 8573", "CN", "phone-multiple"),
    ("0086 139 2641 8573", "CN", "phone-multiple"),
    (f"{CLEAN}转123", "CN", "phone-multiple"),
    (f"{LANDLINE}-8001", "CN", "phone-multiple"),
    ("电话1：13926418573", "CN", "phone-multiple"),
    ("17951 13926418573", "CN", "phone-multiple"),
    (f"{CLEAN}/", "CN", "phone-multiple"),
    ("(home) 13926418573", "CN", "phone-unparseable"),
    ("14526418573", "CN", "phone-not-sms-capable"),  # 145 data SIMs take SMS
    ("17400264185", "CN", "phone-not-sms-capable"),  # 17400–17405 are mobile
    (CLEAN, "CN", "phone-not-sms-capable"),
    ("14026418573", "CN", "phone-invalid"),  # IoT, not "invalid"
    ("1440926418573", "CN", "phone-invalid"),
    (CLEAN, "CN", "phone-placeholder"),
    ("13912345670", "CN", "phone-placeholder"),  # a run of 7 is allowed
    ("13900000001", "CN", "phone-placeholder"),  # 6 trailing identical digits + 1
    ("13800138000", "CN", "phone-not-mobile"),  # placeholder wins
    ("+1 202-555-0143", "CN", "phone-not-mobile"),  # FIXED_LINE_OR_MOBILE: unknown
    ("2025550143", "US", "phone-not-mobile"),
    ("+44 5698 264183", "CN", "phone-not-mobile"),  # VOIP: not a finding
    ("+44 7069 264183", "CN", "phone-not-mobile"),  # PERSONAL_NUMBER: not a finding
    (CLEAN, "CN", "phone-has-extension"),
    ("010 6234 5897", "CN", "phone-has-extension"),
    (CLEAN, "CN", "phone-float-artifact"),
    ("1.39264E+10", "CN", "phone-float-artifact"),  # precision lost instead
    (LANDLINE.replace("-", ""), "CN", "phone-nonstandard-format"),
]


@pytest.mark.parametrize(("raw", "region", "code"), NOT_FIRES)
def test_malformed_code_does_not_fire(raw: object, region: str, code: str) -> None:
    assert one(raw, region)["malformed"] != code


def test_every_malformed_code_has_cases_that_fire_and_cases_that_do_not() -> None:
    assert {code for _, _, code, _ in FIRES} == set(MALFORMED_CODES)
    assert {code for _, _, code in NOT_FIRES} == set(MALFORMED_CODES)


def test_plain_numbers_are_clean_and_usable() -> None:
    frame = normalize_phones(pd.Series([CLEAN, CLEAN_E164, OTHER, "+12025550143"]))
    assert frame["malformed"].tolist() == [None, None, None, None]
    assert frame["e164"].tolist() == [CLEAN_E164, CLEAN_E164, "+8615083726491", "+12025550143"]
    assert frame["usable"].tolist() == [True, True, True, True]
    assert frame["number_region"].tolist() == ["CN", "CN", "CN", "US"]
    assert frame["number_type"].tolist() == ["MOBILE", "MOBILE", "MOBILE", "FIXED_LINE_OR_MOBILE"]


def test_float_artifact_is_recovered_exactly_not_with_exponent_digits() -> None:
    # phonenumbers alone reads 1.3926418573E10 as +861392641857310.
    row = one("1.3926418573E10")
    assert row["e164"] == CLEAN_E164
    assert row["malformed"] == "phone-float-artifact"
    assert one(f"{CLEAN}.0")["e164"] == CLEAN_E164


def test_precision_lost_is_never_padded_with_zeros() -> None:
    row = one("1.39264E+10")
    assert row["e164"] is None
    assert row["detail"] == "6 of 11 digits written"


def test_contract_example_numbers_give_what_the_contract_says() -> None:
    # 13812345678 holds the run 12345678, but DESIGN.md uses it as its clean example and
    # its float / extension / decorated spellings as examples of those codes.
    assert codes(["13812345678", "+8613812345678"]) == [None, None]
    assert codes(["13812345678.0", "1.3812345678E10"]) == ["phone-float-artifact"] * 2
    assert codes(["13812345678转123", "+86 138 1234 5678 (home)"]) == [
        "phone-has-extension",
        "phone-nonstandard-format",
    ]
    assert codes(["010-12345678", "0755-12345678", "8001234567"]) == ["phone-not-mobile"] * 3
    assert codes(["13812345678/13987654321"]) == ["phone-multiple"]


def test_any_other_run_of_eight_consecutive_digits_is_a_placeholder() -> None:
    values = ["13912345678", "+8613987654321", "139 1234 5678", "1.3912345678E10", "15023456789"]
    assert codes(values) == ["phone-placeholder"] * 5


def test_extension_keeps_main_number_and_is_usable() -> None:
    row = one(f"{CLEAN}转123")
    assert (row["e164"], row["usable"], row["number_type"]) == (CLEAN_E164, True, "MOBILE")


def test_annotation_letters_never_become_keypad_digits() -> None:
    # phonenumbers alone turns "(home)" into 4663 and gives +86139264185734663.
    assert one("+86 139 2641 8573 (home)")["e164"] == CLEAN_E164
    assert one("+86 139 2641 8573 home")["e164"] == CLEAN_E164


def test_country_code_without_plus_depends_on_the_rows_region() -> None:
    frame = normalize_phones(pd.Series(["8613926418573", "8613926418573"]), pd.Series(["CN", "US"]))
    assert frame["malformed"].tolist() == ["phone-nonstandard-format", "phone-invalid"]
    assert frame["e164"].tolist() == [CLEAN_E164, None]


def test_regions_series_missing_entries_default_to_cn_and_uk_means_gb() -> None:
    frame = normalize_phones(
        pd.Series([CLEAN, "07400 264183", "2025550143", CLEAN]),
        pd.Series([None, "UK", "us", float("nan")], dtype=object),
    )
    assert frame["e164"].tolist() == [CLEAN_E164, "+447400264183", "+12025550143", CLEAN_E164]
    assert frame["number_region"].tolist() == ["CN", "GB", "US", "CN"]


def test_unknown_region_still_reads_numbers_with_a_plus() -> None:
    assert one(CLEAN_E164, "XX")["e164"] == CLEAN_E164
    assert one(CLEAN, "XX")["detail"] == "unknown default region"


def test_result_is_aligned_to_the_input_index_with_object_columns() -> None:
    raw = pd.Series([CLEAN, None, "139 2641 8573"], index=[10, 7, 42], dtype=object)
    frame = normalize_phones(raw)
    assert list(frame.columns) == list(OUTPUT_COLUMNS)
    assert frame.index.tolist() == [10, 7, 42]
    assert frame.loc[7, "malformed"] == "phone-missing"
    assert frame.loc[7, "raw"] is None
    assert frame.loc[42, "raw"] == "139 2641 8573"
    assert frame["usable"].dtype == bool
    assert frame["e164_key"].dtype == "int64"
    for column in OUTPUT_COLUMNS:
        if column not in ("usable", "e164_key"):
            assert frame[column].dtype == object, column


def test_pandas_string_dtype_and_non_string_cells_are_accepted() -> None:
    as_str = normalize_phones(pd.Series([CLEAN, None, "139 2641 8573"], dtype="str"))
    assert as_str["malformed"].tolist() == [None, "phone-missing", "phone-nonstandard-format"]
    mixed = normalize_phones(pd.Series([13926418573, 13926418573.0, np.nan], dtype=object))
    assert mixed["malformed"].tolist() == [None, "phone-float-artifact", "phone-missing"]
    assert mixed["raw"].tolist() == [CLEAN, f"{CLEAN}.0", None]


def test_empty_input_gives_an_empty_frame() -> None:
    frame = normalize_phones(pd.Series([], dtype=object))
    assert frame.empty
    assert list(frame.columns) == list(OUTPUT_COLUMNS)


def test_regions_must_match_the_cells() -> None:
    with pytest.raises(ValueError, match="one entry per phone cell"):
        normalize_phones(pd.Series([CLEAN]), pd.Series(["CN", "US"]))


def test_extra_placeholders_compare_on_e164_or_national_digits() -> None:
    values = [CLEAN, OTHER, LANDLINE, "13700000001"]
    frame = normalize_phones(
        pd.Series(values),
        extra_placeholders=[CLEAN, "+86 150 8372 6491", "01062345897"],
    )
    assert frame["malformed"].tolist() == [
        "phone-placeholder",
        "phone-placeholder",
        "phone-placeholder",
        None,
    ]
    assert frame["detail"].tolist()[:3] == ["known dummy number"] * 3


def test_detail_never_holds_digits_of_the_number() -> None:
    frame = normalize_phones(pd.Series([raw for raw, _, _, _ in FIRES], dtype=object))
    for detail in frame["detail"].dropna():
        assert not re.search(r"\d{3,}", detail), detail


def test_messy_detail_says_why() -> None:
    assert one("0086 139 2641 8573")["detail"] == (
        "spaces, separators or brackets; international prefix 00"
    )
    assert one("8613926418573")["detail"] == "country code without +"
    assert one(LANDLINE)["detail"] == "fixed-line"
    assert one(f"{CLEAN}/{OTHER}/13700000001")["detail"] == "3 numbers"
    assert one("14026418573")["detail"] == "in an IoT/M2M range"
    assert one("110")["detail"] == "an emergency number"
    assert one("13800138000")["detail"] == "known dummy number"
    assert one("15050000000")["detail"] == "7 or more identical trailing digits"
    assert one("13912345678")["detail"] == "run of 8 or more consecutive digits"


def test_number_type_unknown_is_exactly_is_valid_number() -> None:
    # The module relies on it to skip a second is_valid_number() pass.
    rng = random.Random(3)
    for _ in range(3000):
        text = (
            "+"
            + rng.choice(["86", "1", "44", "852", "65"])
            + "".join(rng.choice("0123456789") for _ in range(rng.randint(6, 12)))
        )
        number = phonenumbers.parse(text, "CN")
        valid = phonenumbers.is_valid_number(number)
        assert valid == (phonenumbers.number_type(number) != phonenumbers.PhoneNumberType.UNKNOWN)


# ----------------------------------------------------------------------------- describe


def test_describe_number_reports_type_region_and_original_carrier() -> None:
    info = describe_number(CLEAN)
    assert info["e164"] == CLEAN_E164
    assert info["number_type"] == "MOBILE"
    assert info["number_region"] == "CN"
    assert info["is_valid"] and info["is_possible"]
    assert info["home_region_zh"] and info["home_region_en"]
    assert info["original_carrier"] == "China Mobile"
    assert info["original_carrier_zh"] == "中国移动"
    assert "original allocation" in info["original_carrier_note"]
    assert "2019" in info["original_carrier_note"]
    assert info["malformed"] is None and info["usable"] is True


def test_describe_number_gives_the_code_normalize_would_give() -> None:
    for raw, region, code, _ in FIRES:
        if isinstance(raw, str):
            assert describe_number(raw, region)["malformed"] == code, raw
    masked = describe_number("139****8573")
    assert masked["e164"] is None and masked["reason"] == "mask characters"
    extension = describe_number(f"{CLEAN}转123")
    assert extension["extension"] == "123" and extension["usable_e164"] == CLEAN_E164
    placeholder = describe_number("13800138000")
    assert placeholder["e164"] == "+8613800138000" and placeholder["usable_e164"] is None


# ----------------------------------------------------------------------------- fast path


def _generated(n: int, seed: int) -> list[str]:
    """Random and adversarial values, most of them shaped like the fast path's input."""
    rng = random.Random(seed)

    def digits(k: int) -> str:
        return "".join(rng.choice("0123456789") for _ in range(k))

    specials = [
        "13800138000",
        "13888888888",
        "18888888888",
        "13800000000",
        "14012345678",
        "1440012345678",
        "1064812345678",
        "17490000000",
        "17406123456",
        "17412999999",
        "17400123456",
        "17405999999",
        "16101234567",
        "16201234567",
        "13912345678",
        "13987654321",
        "19912345678",
        "11912345678",
        "12912345678",
        "17951234567",
        "10123456789",
        "12593123456",
    ]
    prefixes = ["", "", "", "+86", "86", "0086", "+86 ", "86-", "0086 ", "+", "0", "00", "+1"]
    out = []
    for _ in range(n):
        roll = rng.random()
        if roll < 0.45:  # every 3-digit block 100–199
            body = str(rng.randrange(100, 200)) + digits(8)
        elif roll < 0.55:
            body = digits(rng.randrange(9, 15))
        elif roll < 0.62:
            body = rng.choice(specials)
        elif roll < 0.72:  # IoT and satellite blocks
            block = rng.choice(
                [
                    "1440",
                    "146",
                    "148",
                    "1410",
                    "1064",
                    "140",
                    "141",
                    "142",
                    "143",
                    "144",
                    "145",
                    "147",
                    "1749",
                    "1740",
                    "1741",
                    "162",
                    "165",
                    "166",
                    "167",
                    "192",
                ]
            )
            body = block + digits(rng.choice([11, 13]) - len(block))
        elif roll < 0.82:  # 7 identical trailing digits
            body = "1" + str(rng.randrange(30, 100)) + digits(1) + rng.choice("0123456789") * 7
        else:  # runs of 8 somewhere
            run = rng.choice(["12345678", "87654321", "23456789", "01234567", "98765432"])
            cut = rng.randrange(0, 4)
            body = ("1" + str(rng.randrange(30, 100)) + digits(8))[: 3 + cut]
            body = (body + run + digits(8))[:11]
        value = rng.choice(prefixes) + body
        roll = rng.random()
        if roll < 0.15:
            chars = list(value)
            for _ in range(rng.randrange(1, 4)):
                chars.insert(rng.randrange(0, len(chars) + 1), rng.choice([" ", "-"]))
            value = "".join(chars)
        elif roll < 0.22:
            value += rng.choice([".0", ".00", "0"])
        elif roll < 0.25:
            value = f" {value} "
        out.append(value)
    return out


_FULLWIDTH = str.maketrans("0123456789+-*'=\".,eE", "０１２３４５６７８９＋－＊＇＝＂．，ｅＥ")


def _national(rng: random.Random) -> str:
    """CN numbers dialled nationally: landlines (valid, short, long), 400/800/950, IoT
    (11 and 13 digits), satellite, carrier prefixes, with or without trunk 0,
    separators and placeholders."""

    def digits(k: int) -> str:
        return "".join(rng.choice("0123456789") for _ in range(k))

    area = rng.choice(["10", "20", "21", "28", "755", "571", "731", "591", "898", "0", "1", "99"])
    roll = rng.random()
    if roll < 0.4:
        body = area + rng.choice("23456789") + digits(rng.choice([6, 7, 7, 7, 8]))
    elif roll < 0.55:
        body = rng.choice(["400", "800", "950", "1010", "1096", "108"]) + digits(
            rng.randrange(4, 9)
        )
    elif roll < 0.7:
        body = rng.choice(["140", "141", "144", "146", "148", "1440", "1064", "1749", "1741"])
        body += digits(rng.choice([11, 13]) - len(body))
    elif roll < 0.8:
        body = area + rng.choice(["12345678", "1234567", "88888888", "7777777", "87654321"])
    elif roll < 0.9:
        body = rng.choice(["17951", "12593", "86", "0", "00"]) + digits(rng.randrange(7, 12))
    else:
        body = digits(rng.randrange(5, 15))
    value = rng.choice(["0", "0", "", "00", "+86", "86"]) + body
    if rng.random() < 0.3:
        cut = rng.randrange(1, len(value))
        value = value[:cut] + rng.choice(["-", " ", " - "]) + value[cut:]
    return value


def _spreadsheet_and_decorated(n: int, seed: int) -> list[str]:
    """The shapes the fast path takes besides plain digits: full-width text, special
    spaces, zero-width marks, Excel wrappers, floats, scientific notation (exact and
    lossy), masks — plus near misses (tabs, line breaks, other exponents) that must
    go slow."""
    rng = random.Random(seed)
    base = _generated(n, seed)
    out = []
    for value in base:
        digits = "".join(ch for ch in value if ch.isdigit())[-11:] or "13926418573"
        roll = rng.random()
        if roll < 0.12:
            value = value.translate(_FULLWIDTH) if rng.random() < 0.7 else value
            value = rng.choice(["", "\u00a0", "\u3000", "\u200b", " "]) + value
            value += rng.choice(["", "\u00a0", "\u3000", "\ufeff", "\u00ad", " "])
        elif roll < 0.24:
            value = rng.choice(
                ["'{}", '="{}"', '"{}"', "'{} ", '= " {} "', "' {}", "'{}\t"]
            ).format(value)
        elif roll < 0.36:
            value = digits + rng.choice([".0", ".00", ",0", ".000", ".5", ".0\n", ""])
            value = rng.choice(["", "'", " "]) + value
        elif roll < 0.52:
            frac = digits[1:]
            cut = rng.choice([10, 10, 9, 5, 4, 0, 11, 12])
            exp = rng.choice(["10", "10", "+10", "+010", "9", "11", "21", "-2", "20", "15"])
            mark = rng.choice(["E", "e"])
            point = rng.choice([".", ".", ","])
            value = f"{digits[:1]}{point}{frac[:cut]}{mark}{exp}"
            if rng.random() < 0.1:
                value = value.translate(_FULLWIDTH)
            if rng.random() < 0.1:
                value = rng.choice(["'", " ", "="]) + value
        elif roll < 0.64:
            mask = rng.choice(["****", "××××", "•••", "＊＊", "*", "●●", "※", "xx", "..."])
            cut = rng.randrange(0, 11)
            value = digits[:cut] + mask + digits[cut + 2 :]
            if rng.random() < 0.2:
                value = rng.choice(["'", "=", " ", "\u3000"]) + value
        elif roll < 0.8:
            value = _national(rng)
        elif roll < 0.9:
            main = rng.choice([value, _national(rng), digits])
            mark = rng.choice(
                [" ext. ", "ext", " EXT:", " x", "X", "#", "转", "分机", "分机号", "转分机",
                 " - ext ", ";ext=", ",", ",,", " xx", "##", " (ext ", "x.", " #", "－"]
            )  # fmt: skip
            tail = rng.choice(["1", "12", "345", "123456", "1234567", "12)", "12#", "12 "])
            value = main + mark + tail
        elif roll < 0.94:  # NANP: US, Canada, the Caribbean, toll-free, premium …
            area = rng.choice(["212", "415", "702", "416", "604", "876", "800", "900", "500",
                               "123", "555", "911", "202", "340", "671"])  # fmt: skip
            number = (
                area + rng.choice("23456789") + "".join(rng.choice("0123456789") for _ in range(6))
            )
            if rng.random() < 0.1:
                number = area + rng.choice(["5550100", "2345678", "7777777", "8765432"])
            sep = rng.choice(["", " ", "-"])
            value = rng.choice(["+1", "+1 ", "+1-", "1", ""]) + (
                f"{number[:3]}{sep}{number[3:6]}{sep}{number[6:]}"
            )
        elif roll < 0.97:
            other = rng.choice([digits, _national(rng), digits[: rng.randrange(1, 7)], "0", ""])
            sep = rng.choice(["/", ";", ",", "，", "、", "|", " / ", ",,", " ", "转", "\n"])
            label = rng.choice(["", "", "母亲", "父亲", "电话1：", "手机", "tel", "分机"])
            value = label + value + sep + rng.choice(["", "父亲", "2："]) + other
        out.append(value)
    out += [
        "'",
        '="',
        '""',
        '"',
        "= ",
        "''13926418573",
        "'\n13926418573",
        "1E10",
        "1.E10",
        "0.0E10",
        "9.9E20",
        "1.5E-3",
        "1.39264185730E10",
        "13.926418573E9",
    ]
    return out


def _slow_answers(values: list[str], region: str, ctx: phones._Context) -> list[tuple]:
    out = []
    for value in values:
        o = phones._classify_value(value, region, ctx)
        out.append(
            (
                o.e164 if o.usable else None,
                o.code,
                o.usable,
                o.number_region,
                o.number_type,
                o.detail,
            )
        )
    return out


def _fast_answers(values: list[str], region: str, ctx: phones._Context) -> dict[int, tuple]:
    fast = phones._fast_path(pa.array(values, type=pa.string()), region, ctx)
    assert fast is not None
    assert len(set(fast.positions.tolist())) == len(fast.positions)  # one answer per value
    return {
        int(p): (e, c, bool(u), r, t, d)
        for p, e, c, u, r, t, d in zip(
            fast.positions,
            fast.e164,
            fast.code,
            fast.usable,
            fast.number_region,
            fast.number_type,
            fast.detail,
            strict=True,
        )
    }


def _fast_agreeing_with_slow(values: list[str], region: str, ctx: phones._Context) -> dict:
    """The fast path's answers, after checking each one against the slow path's."""
    fast = _fast_answers(values, region, ctx)
    taken = sorted(fast)
    slow = _slow_answers([values[i] for i in taken], region, ctx)
    mismatches = [(values[i], fast[i], s) for i, s in zip(taken, slow, strict=True) if fast[i] != s]
    assert mismatches == []
    return fast


@pytest.mark.parametrize(
    ("region", "extra"),
    [("CN", ()), ("US", ()), ("CN", ("13926418573", "+8615083726491", "13100000001"))],
)
def test_fast_path_agrees_with_slow_path(region: str, extra: tuple[str, ...]) -> None:
    values = list(dict.fromkeys(_generated(20000, seed=11)))
    values += [f"{v}" for v in extra]
    ctx = phones._make_context(extra)
    fast = _fast_agreeing_with_slow(values, region, ctx)
    assert len(fast) > (4000 if region == "CN" else 300)  # the fast path did real work
    codes_seen = {answer[1] for answer in fast.values()}
    assert {None, "phone-placeholder", "phone-nonstandard-format"} <= codes_seen


@pytest.mark.parametrize(
    ("region", "extra"),
    [
        ("CN", ()),
        ("US", ()),
        ("CN", ("13926418573", "+8615083726491", "01062345897", "4001234567", "+862887654329")),
    ],
)
def test_fast_path_agrees_with_slow_path_on_spreadsheet_and_decorated_cells(
    region: str, extra: tuple[str, ...]
) -> None:
    values = list(dict.fromkeys(_spreadsheet_and_decorated(12000, seed=23)))
    ctx = phones._make_context(extra)
    fast = _fast_agreeing_with_slow(values, region, ctx)
    # Each new shape really was taken (not left to the slow path).
    details = {answer[5] for answer in fast.values()}
    assert "mask characters" in details
    assert any(d and d.endswith("digits written") for d in details)
    if region == "CN":
        assert {"float", "scientific notation"} <= details
        assert any(d and phones.R_FULLWIDTH in d for d in details)
        assert any(d and phones.R_WRAPPER in d for d in details)
        assert len(fast) > 4000
        codes = {answer[1] for answer in fast.values()}
        assert {"phone-not-mobile", "phone-not-sms-capable", "phone-invalid"} <= codes
        types = {answer[4] for answer in fast.values()}
        assert {"FIXED_LINE", "SHARED_COST", "TOLL_FREE", "UNKNOWN"} <= types
        assert {"phone-has-extension", "phone-multiple"} <= codes
        assert {"US", "CN"} <= {answer[3] for answer in fast.values()}


def _token_soup(n: int, seed: int) -> list[str]:
    """Cells glued from phone-ish tokens: digit blocks, prefixes, separators, spreadsheet
    and extension marks, masks, labels, brackets, wrappers and special spaces."""
    rng = random.Random(seed)

    def digits(k: int) -> str:
        return "".join(rng.choice("0123456789") for _ in range(k))

    tokens = [
        lambda: "1" + rng.choice("3456789") + digits(9),
        lambda: digits(rng.randrange(1, 14)),
        lambda: rng.choice(["+86", "86", "0086", "0", "00", "+", "+1"]),
        lambda: rng.choice(
            [" ", "-", " - ", "/", ",", ";", "、", "，", "|", ".", ".0", ",0", "E10", "e+10",
             "E+9", "x", "#", "ext.", "转", "分机", "*", "**", "×", "xx", "..."]
        ),
        lambda: rng.choice(
            ["母亲", "电话", "：", ":", "(", ")", "（", "）", "'", '="', '"', "\u3000", "\u00a0",
             "\u200b", "１３８", "tel", "\t"]
        ),
        lambda: rng.choice(["010", "0755", "400", "800", "1440", "1064", "140", "12345678"]),
    ]  # fmt: skip
    values: set[str] = set()
    while len(values) < n:
        values.add("".join(rng.choice(tokens)() for _ in range(rng.randrange(1, 6))))
    return sorted(values)


@pytest.mark.parametrize(("region", "extra"), [("CN", ("01062345897", CLEAN)), ("US", ())])
def test_fast_path_agrees_with_slow_path_on_token_soup(region: str, extra: tuple[str, ...]) -> None:
    values = _token_soup(15000, seed=31)
    ctx = phones._make_context(extra)
    fast = _fast_agreeing_with_slow(values, region, ctx)
    assert len(fast) > 1000


def test_normalize_gives_the_slow_answer_for_every_cell() -> None:
    values = _spreadsheet_and_decorated(3000, seed=4) + [None, "", " ", "NULL", "无"]
    regions = pd.Series([["CN", "US", None][i % 3] for i in range(len(values))], dtype=object)
    frame = normalize_phones(pd.Series(values, dtype=object), regions)
    ctx = phones._make_context(())
    for value, region, row in zip(values, regions, frame.itertuples(index=False), strict=True):
        o = phones._classify_value(value, region or "CN", ctx)
        expected = (o.e164 if o.usable else None, o.code, o.usable, o.number_region, o.detail)
        got = (row.e164, row.malformed, row.usable, row.number_region, row.detail)
        assert got == expected, value
        assert row.e164_key == (int(o.e164[1:]) if o.usable else -1)


def test_fast_path_without_the_dfa_matches_the_dfa(monkeypatch: pytest.MonkeyPatch) -> None:
    values = list(dict.fromkeys(_generated(4000, seed=5)))
    ctx = phones._make_context(())
    with_dfa = _fast_answers(values, "CN", ctx)
    monkeypatch.setattr(phones, "_FAST_PLAN", phones._build_fast_plan(use_dfa=False))
    assert phones._fast_plan().dfa is None
    assert _fast_answers(values, "CN", ctx) == with_dfa


def test_digit_dfa_matches_python_re_on_the_cn_metadata_patterns() -> None:
    plan = phones._build_fast_plan()
    assert plan.dfa is not None
    rng = np.random.default_rng(0)
    digits = rng.integers(0, 10, size=(30000, 11)).astype(np.int8)
    digits[:20000, 0] = 1  # most numbers start like CN mobiles …
    digits[:20000, 1] = rng.integers(0, 10, 20000)
    digits[20000:25000, :3] = [1, 7, 4]  # … and the satellite / emergency blocks
    texts = ["".join(map(str, row)) for row in digits]
    flags = plan.dfa.run(digits)
    for name, (pattern, prefix_only) in plan.patterns.items():
        compiled = re.compile(pattern)
        match = compiled.match if prefix_only else compiled.fullmatch
        expected = np.array([match(t) is not None for t in texts])
        assert (flags[name] == expected).all(), name


def test_each_distinct_value_is_parsed_once() -> None:
    # Shapes the fast path never takes (it answers plain landlines without parsing).
    values = ["(+86)13926418573", "+44 20 7946 0958", "+1 (202) 555-0143", "（手机）13926418573"]
    values.append("Tel: 010 6234 5897")
    calls: list[str] = []
    real = phonenumbers.parse

    def counting(text: str, *args: object, **kwargs: object) -> phonenumbers.PhoneNumber:
        calls.append(text)
        return real(text, *args, **kwargs)  # type: ignore[arg-type]

    with mock.patch.object(phonenumbers, "parse", counting):
        normalize_phones(pd.Series(values))
        once = len(calls)
        calls.clear()
        normalize_phones(pd.Series(values * 50))
    assert len(calls) == once
    assert once == len(values)


# ----------------------------------------------------------------------------- properties

_PHONEY = st.text(
    alphabet="0123456789０１２３+-() .,/;|、，xX*×#转分机extEe母亲手\u3000\u00a0\n'\"=",
    max_size=40,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.one_of(_PHONEY, st.text(max_size=30), st.none()), max_size=12),
    st.sampled_from(["CN", "US", "GB", "XX", "UK"]),
)
def test_normalize_never_raises_and_keeps_its_invariants(values: list, region: str) -> None:
    frame = normalize_phones(pd.Series(values, dtype=object), region)
    assert len(frame) == len(values)
    for code, usable, e164 in zip(frame["malformed"], frame["usable"], frame["e164"], strict=True):
        assert code is None or code in MALFORMED_CODES
        assert usable == (code not in UNUSABLE_CODES)
        assert (e164 is not None) == usable
        if e164 is not None:
            assert re.fullmatch(r"\+[1-9]\d{4,16}", e164)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.builds(
            lambda p, d, sep: p + sep.join([d[:3], d[3:7], d[7:]]),
            st.sampled_from(["", "+86", "0086", "86", "+1", "+44"]),
            st.text(alphabet="0123456789", min_size=10, max_size=11),
            st.sampled_from(["", " ", "-"]),
        ),
        min_size=1,
        max_size=10,
    ),
    st.sampled_from(["CN", "US"]),
)
def test_normalizing_an_e164_result_gives_itself(values: list[str], region: str) -> None:
    first = normalize_phones(pd.Series(values), region)
    numbers = first["e164"].dropna().tolist()
    if not numbers:
        return
    again = normalize_phones(pd.Series(numbers), region)
    assert again["e164"].tolist() == numbers
    assert again["usable"].all()
    assert set(again["malformed"].dropna()) <= {"phone-not-mobile"}


def test_large_columns_factorise_mobiles_as_integers_without_mixing_values() -> None:
    rng = random.Random(9)
    mobiles = [f"1{rng.randrange(30, 100)}{rng.randrange(10**8):08d}" for _ in range(3000)]
    others = ["01062345897", "+8613926418573", "139 2641 8573", "10000000000", None, "abc"]
    values = [
        rng.choice(mobiles) if rng.random() < 0.9 else rng.choice(others) for _ in range(15000)
    ]
    objects = np.array(values, dtype=object)
    codes, uniques = phones._distinct(objects)
    texts = uniques.to_pylist()
    assert len(texts) == len(set(texts)) == len({v for v in values if v is not None})
    assert [texts[c] if c >= 0 else None for c in codes] == values
    big = normalize_phones(pd.Series(values, dtype=object))
    small = pd.concat(
        [normalize_phones(pd.Series(values[i : i + 5000], dtype=object)) for i in (0, 5000, 10000)],
        ignore_index=True,
    )
    pd.testing.assert_frame_equal(big, small)


def test_large_columns_with_per_row_regions() -> None:
    values = [CLEAN, "2025550143", "8613926418573"] * 4000
    regions = pd.Series(["CN", "US", "US"] * 4000)
    frame = normalize_phones(pd.Series(values), regions)
    assert frame["e164"].tolist()[:3] == [CLEAN_E164, "+12025550143", None]
    assert frame["malformed"].tolist()[:3] == [None, None, "phone-invalid"]
    assert frame["e164"].tolist()[-3:] == [CLEAN_E164, "+12025550143", None]


@settings(max_examples=60, deadline=None)
@given(st.lists(_PHONEY, min_size=1, max_size=15), st.randoms(use_true_random=False))
def test_parse_calls_do_not_grow_with_repeats(values: list[str], rnd: random.Random) -> None:
    calls: list[str] = []
    real = phonenumbers.parse

    def counting(text: str, *args: object, **kwargs: object) -> phonenumbers.PhoneNumber:
        calls.append(text)
        return real(text, *args, **kwargs)  # type: ignore[arg-type]

    repeated = values * 3
    rnd.shuffle(repeated)
    with mock.patch.object(phonenumbers, "parse", counting):
        normalize_phones(pd.Series(list(dict.fromkeys(values)), dtype=object))
        distinct_calls = sorted(calls)
        calls.clear()
        normalize_phones(pd.Series(repeated, dtype=object))
    assert sorted(calls) == distinct_calls
    assert len(set(calls)) == len(calls)  # no candidate is ever parsed twice in one call
