"""Masking numbers for people: CN 138****5678, other countries +cc***last4, raw ****last4."""

from __future__ import annotations

import re
import unicodedata

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contactaudit.privacy import mask_phone, mask_series


@pytest.mark.parametrize(
    ("e164", "raw", "masked"),
    [
        ("+8613926418573", "139 2641 8573", "139****8573"),
        ("+8613926418573", None, "139****8573"),
        ("+12025550143", "+1 202-555-0143", "+1******0143"),
        ("+861062345897", "010-62345897", "+86******5897"),
        ("+442079460958", None, "+44******0958"),
        ("+85291234567", None, "+852****4567"),
        (None, "139****8573", "****8573"),
        (None, "13926418573/15083726491", "****6491"),
        (None, "母亲13926418573 父亲15083726491", "****6491"),
        (None, "1.39264E+10", "****6410"),
        (None, "张三", "****"),
        (None, "see notes", "****"),
        (None, "110", "****"),
        (None, None, None),
        (None, "", None),
        (None, "  ", None),
        (None, "null", None),
        (None, "N/A", None),
        (None, float("nan"), None),
    ],
)
def test_mask_phone(e164: str | None, raw: object, masked: str | None) -> None:
    assert mask_phone(e164, raw) == masked  # type: ignore[arg-type]


def test_mask_of_a_cell_never_shows_letters_or_names() -> None:
    assert mask_phone(None, "Zhang San 13926418573") == "****8573"
    assert mask_phone(None, "王小明") == "****"


def test_mask_of_an_unknown_country_code_falls_back_to_the_digits() -> None:
    assert mask_phone("+99912345678", None) == "****5678"


def test_mask_series_is_aligned_and_computed_once_per_value() -> None:
    e164 = pd.Series(
        ["+8613926418573", None, None, "+12025550143", "+8613926418573"], index=[4, 9, 1, 7, 3]
    )
    raw = pd.Series(["x", "139****8573", None, "y", "z"], index=[4, 9, 1, 7, 3])
    out = mask_series(e164, raw)
    assert out.index.tolist() == [4, 9, 1, 7, 3]
    assert out.tolist() == ["139****8573", "****8573", None, "+1******0143", "139****8573"]
    assert out.dtype == object


def test_mask_series_of_empty_columns() -> None:
    out = mask_series(pd.Series([], dtype=object), pd.Series([], dtype=object))
    assert out.empty


def test_mask_series_needs_aligned_columns() -> None:
    with pytest.raises(ValueError, match="aligned"):
        mask_series(pd.Series(["+8613926418573"]), pd.Series(["a", "b"]))


_DIGITS = st.text(alphabet="0123456789", min_size=1, max_size=15)


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.none(),
        st.builds(
            lambda cc, n: f"+{cc}{n}",
            st.sampled_from(["86", "1", "44", "852", "7", "999"]),
            _DIGITS,
        ),
    ),
    st.one_of(st.none(), st.text(max_size=40)),
)
def test_masking_never_reveals_more_than_the_last_four_digits(
    e164: str | None, raw: str | None
) -> None:
    masked = mask_phone(e164, raw)
    if masked is None:
        return
    assert re.fullmatch(r"\+?\d*\**\d{0,4}", masked), masked  # no letters, names, separators
    source = e164 if e164 is not None else unicodedata.normalize("NFKC", raw or "")
    digits = "".join(ch for ch in source if "0" <= ch <= "9")
    if masked.startswith("****"):  # no usable number: at most the last 4 digits
        shown = masked[4:]
    elif masked.startswith("+"):  # "+<country code>" then stars then the last 4
        country, stars, shown = re.fullmatch(r"\+(\d+)(\*+)(\d{0,4})", masked).groups()
        assert digits.startswith(country) and len(country) <= 3
        assert len(country) + len(stars) + len(shown) == len(digits) or shown == ""
    else:  # a CN mobile: the 3-digit network prefix, then ****, then the last 4
        prefix, shown = masked.split("****")
        assert digits.startswith("86" + prefix) and len(prefix) == 3
    assert len(shown) <= 4
    assert digits.endswith(shown)
