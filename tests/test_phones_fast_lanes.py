"""contactaudit.phones: the fast lanes added for speed (issue 7) agree with the slow path.

US numbers dialled nationally, two CN mobiles written one after the other, the DFA
verdict read from a prefix table, and the column judged in pieces (in threads) with
the E.164 text written piece by piece.
"""

from __future__ import annotations

import random
import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from contactaudit import phones
from contactaudit.phones import normalize_phones
from test_phones import CLEAN, CLEAN_E164, _fast_agreeing_with_slow


def _nanp_and_pairs(n: int, seed: int) -> list[str]:
    """US numbers in the shapes people write them (brackets, hyphens, spaces, dots,
    trunk 1, IDD 011, wrappers, full-width) and two numbers in one cell (mobiles,
    placeholders, landlines, carrier and national prefixes, several separators)."""
    rng = random.Random(seed)

    def digits(k: int) -> str:
        return "".join(rng.choice("0123456789") for _ in range(k))

    values: set[str] = set()
    while len(values) < n:
        if rng.random() < 0.5:
            area = rng.choice(
                ["212", "415", "617", "702", "416", "604", "876", "800", "900", "500", "123",
                 "555", "911", "202", "340", "671", "011", "112", "100", "199", digits(3)]
            )  # fmt: skip
            exchange = rng.choice([digits(3), digits(3), "555", "911", "012", "123"])
            line = rng.choice([digits(4), digits(4), "0100", "7777", "1234", "5678"])
            form = rng.choice(
                ["({}) {}-{}", "({}){}-{}", "({}) {} {}", "({}){}{}", "{}-{}-{}", "{} {} {}",
                 "{}{}{}", "{}.{}.{}", "( {}) {}-{}", "({})  {}-{}", "{}-{} {}", "[{}] {}-{}",
                 "({}-{}-{})", "{} ({}) {}"]
            )  # fmt: skip
            value = rng.choice(["", "", "", "1 ", "+1 ", "1-", "+1", "0", "011 ", "'", '="', " "])
            value += form.format(area, exchange, line)
            value += rng.choice(["", "", "", '"', " ", " x12", "转1"])
            if rng.random() < 0.05:
                value = value.translate(
                    str.maketrans("0123456789()-", "０１２３４５６７８９（）－")
                )
        else:
            first = rng.choice(
                ["1" + digits(10), "13" + digits(9), "17951" + digits(6), "12" + digits(9),
                 "179" + digits(8), "14" + digits(9), "0" + digits(10),
                 digits(rng.randrange(9, 13))]
            )  # fmt: skip
            second = rng.choice(
                ["1" + digits(10), "13" + digits(9), "14" + digits(9), "0" + digits(10),
                 digits(rng.randrange(9, 13)), "13800138000", "13912345678", "13888888888"]
            )  # fmt: skip
            sep = rng.choice([" ", "  ", "-", " - ", "--", " / ", "", "\u3000", " +", "+"])
            value = rng.choice(["", "", "'", " ", "+86", "86", "0"]) + first + sep + second
            value += rng.choice(["", "", " ", ".0", "转12"])
        values.add(value)
    return sorted(values)


@pytest.mark.parametrize(
    ("region", "extra"),
    [
        ("US", ()),
        ("US", ("2125551234", "+14155550123", "12025550143")),
        ("CN", ()),
        ("CN", (CLEAN, "+8615083726491")),
        ("GB", ()),
    ],
)
def test_us_national_numbers_and_paired_mobiles_agree_with_slow_path(
    region: str, extra: tuple[str, ...]
) -> None:
    values = _nanp_and_pairs(8000, seed=41)
    ctx = phones._make_context(extra)
    fast = _fast_agreeing_with_slow(values, region, ctx)
    taken = sorted(fast)
    paired = [i for i in taken if re.fullmatch(r"\D*1\d{10}[ \-]+1\d{10}\D*", values[i])]
    if region == "US":  # dialled nationally, with brackets or not
        national = [i for i in taken if fast[i][3] == "US" and "+" not in values[i]]
        assert len(national) > 100
        assert any(values[i].startswith("(") for i in national)
    if region == "CN":  # 13812345678 13987654321: two numbers
        assert len(paired) > 50
        assert {fast[i][1] for i in paired} == {"phone-multiple"}


def test_paired_mobiles_and_us_numbers_are_answered_without_parsing() -> None:
    values = ["13926418573 15083726491", "13926418573-15083726491", "(617) 627-4686"]
    values += ["212-651-3569", "2126513569", "212 651 3569"]
    regions = pd.Series(["CN", "CN", "US", "US", "US", "US"])
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(phones.phonenumbers, "parse", None)  # any parse would raise
        frame = normalize_phones(pd.Series(values), regions)
    assert frame["malformed"].tolist()[:2] == ["phone-multiple"] * 2
    assert frame["detail"].tolist()[:2] == ["2 numbers"] * 2
    assert frame["e164"].tolist()[2:] == ["+16176274686"] + ["+12126513569"] * 3
    assert frame["malformed"].tolist()[2:] == [
        "phone-nonstandard-format",
        "phone-nonstandard-format",
        None,
        "phone-nonstandard-format",
    ]


def test_prefix_table_gives_the_whole_dfas_verdict(monkeypatch: pytest.MonkeyPatch) -> None:
    plan = phones._build_fast_plan()
    assert plan.dfa is not None and plan.prefix_verdict is not None
    assert (plan.prefix_verdict >= 0).all()  # CN: a few digits decide every mobile
    # A table too short to decide: the open prefixes run the whole DFA.
    monkeypatch.setattr(phones, "_MAX_PREFIX_DIGITS", 2)
    short = phones._build_fast_plan()
    assert short.prefix_digits == 2 and (short.prefix_verdict < 0).any()
    rng = np.random.default_rng(3)
    value = rng.integers(10**10, 2 * 10**10, 50000)
    value[:5000] = rng.integers(0, 10**11, 5000)
    value[5000:5100] = -1  # not a number
    digits = phones._digit_matrix(value, phones._FAST_LENGTH)
    expected = phones._mobile_verdict(plan.dfa.run(digits)) & (value >= 0)
    assert (phones._mobile_flags(plan, value) == expected).all()
    assert (phones._mobile_flags(short, value) == expected).all()
    assert expected.sum() > 10000


def test_pieces_in_threads_give_the_answers_of_one_piece(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(5)
    pool = [CLEAN, "+8615083726491", "010-62345897", "13800138000", "(617) 627-4686", "abc"]
    pool += ["138 1234 5678", "1.3926418573E10", "１３９２６４１８５７３", None, "+12125550143"]
    pool += ["13926418573 15083726491", "13926418573转12", "2125550143", "021-1234", ""]
    values = [rng.choice(pool) for _ in range(6000)]
    regions = pd.Series(
        pd.Categorical([rng.choice(["CN", "US", None, "GB"]) for _ in values]), dtype="category"
    )
    chunks = [values[:1000], values[1000:1001], values[1001:]]
    raw = pd.Series(
        pd.arrays.ArrowStringArray(
            pa.chunked_array([pa.array(c, type=pa.large_string()) for c in chunks]),
            dtype=pd.StringDtype("pyarrow", na_value=np.nan),
        )
    )
    whole = normalize_phones(raw, regions, text_dtype="str")
    monkeypatch.setattr(phones, "_PIECE_ROWS", 700)
    pieces = normalize_phones(raw, regions, text_dtype="str")
    pd.testing.assert_frame_equal(pieces, whole)
    assert whole["e164"].iloc[values.index(CLEAN)] == CLEAN_E164
    assert whole["e164"].isna().sum() == (~whole["usable"]).sum()
    plain = normalize_phones(pd.Series(values, dtype=object), regions.astype(object))
    assert (
        plain["e164"].tolist()
        == whole["e164"].astype(object).where(whole["e164"].notna(), None).tolist()
    )


@pytest.mark.parametrize("rows", [1, 3, 1000])
def test_e164_text_is_written_piece_by_piece(rows: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(phones, "_PIECE_ROWS", rows)
    long_keys = {"+1234567890123456789": phones._KEY_LIMIT}
    key = np.array([8613926418573, -1, 12125550143, -1, -1, 861, phones._KEY_LIMIT, -1])
    text = phones._e164_text(key, long_keys)
    text.validate(full=True)
    assert text.to_pylist() == [
        "+8613926418573",
        None,
        "+12125550143",
        None,
        None,
        "+861",
        "+1234567890123456789",
        None,
    ]
    assert phones._e164_text(np.full(5, -1), {}).to_pylist() == [None] * 5
    assert phones._e164_text(np.zeros(0, dtype=np.int64), {}).to_pylist() == []
