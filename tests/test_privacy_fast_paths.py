"""The whole-column masking and keying paths give exactly the per-value answers."""

from __future__ import annotations

import hashlib
import hmac

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contactaudit.privacy import (
    _factorize_digits,
    _phone_digest,
    hash_key,
    mask_and_key_arrays,
    mask_and_key_values,
    mask_phone,
    mask_values,
    phone_key_values,
    phone_keys,
)


@pytest.mark.parametrize("key", [b"", b"k", b"x" * 64, b"y" * 65, "密钥".encode()])
def test_phone_digest_is_hmac_sha256(key: bytes) -> None:
    digest = _phone_digest(key)
    for text in ("+8613926418573", "", "é"):
        assert digest(text) == hmac.new(key, text.encode(), hashlib.sha256).hexdigest()[:16]


def test_phone_key_values_are_aligned_keys_with_none_for_no_number(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CONTACTAUDIT_HASH_KEY", "test-key")
    values = ["+8613926418573", None, "", "+12025550143", "+8613926418573", float("nan")]
    keys = phone_key_values(pd.Series(values, dtype=object))
    expected = {
        v: hmac.new(hash_key(), v.encode(), hashlib.sha256).hexdigest()[:16]
        for v in ("+8613926418573", "+12025550143")
    }
    assert keys.tolist() == [expected[values[0]], None, None, expected[values[3]], keys[0], None]
    assert phone_keys(values[:5]) == expected


_E164 = st.one_of(
    st.none(),
    st.just(""),
    st.builds(
        lambda cc, n: f"+{cc}{n}",
        st.sampled_from(["86", "861", "1", "44", "999", "0", "01", "086", "7", "852", "1246", "3"]),
        st.text(alphabet="0123456789", min_size=0, max_size=13),
    ),
    st.text(max_size=16),
)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(_E164, st.one_of(st.none(), st.text(max_size=20))), max_size=12))
def test_mask_values_equals_mask_phone_per_cell(pairs: list[tuple[str | None, str | None]]) -> None:
    e164 = np.array([p[0] for p in pairs], dtype=object)
    raw = np.array([p[1] for p in pairs], dtype=object)
    expected = [mask_phone(e, None) if e else mask_phone(None, r) for e, r in pairs]
    assert mask_values(e164, raw).tolist() == expected


def test_mask_and_key_values_equal_the_separate_functions(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONTACTAUDIT_HASH_KEY", "test-key")
    e164 = pd.Series(["+8613926418573", None, "+12025550143", "", "+8613926418573"])
    raw = pd.Series(["x", "139****8573", None, "abc 1234567", "y"])
    masks, keys = mask_and_key_values(e164, raw)
    assert masks.tolist() == mask_values(e164, raw).tolist()
    assert keys.tolist() == phone_key_values(e164).tolist()


_E164_LIKE = st.one_of(
    st.none(),
    st.from_regex(r"\+[0-9]{0,20}", fullmatch=True),  # leading zeros and overlong too
    st.sampled_from(["", "+", "++1", "+86 138", "8613926418573", "+٣٤", "+8613926418573"]),
    st.text(max_size=6),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_E164_LIKE, max_size=40))
def test_text_factorisation_gives_each_distinct_text_one_code(values: list[str | None]) -> None:
    import pyarrow as pa

    from contactaudit.privacy import _factorize_text

    codes, distinct = _factorize_text(pa.array(values, type=pa.string()))
    texts = distinct.to_pylist() + [None]
    assert [texts[c] for c in codes] == values  # every value comes back, nulls last
    assert len(set(distinct.to_pylist())) == len(distinct)  # and each text once


@pytest.mark.parametrize("arrow", [False, True])
def test_keys_and_masks_are_the_same_for_arrow_and_object_columns(
    arrow: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONTACTAUDIT_HASH_KEY", "test-key")
    e164 = ["+8613926418573", None, "+12025550143", "+8613926418573", None]
    raw = ["139 2641 8573", "138****5678", "(202) 555-0143", "13926418573", None]
    dtype = "str" if arrow else object
    masks, keys = mask_and_key_values(pd.Series(e164, dtype=dtype), pd.Series(raw, dtype=dtype))
    assert list(masks) == [mask_phone(e, r) for e, r in zip(e164, raw, strict=True)]
    assert list(keys) == list(phone_key_values(pd.Series(e164, dtype=object)))


@pytest.mark.parametrize("dtype", [object, "str"])
def test_columns_without_any_number_give_no_keys(dtype: object) -> None:
    masks, keys = mask_and_key_values(
        pd.Series([None, None], dtype=dtype), pd.Series([None, "abc"], dtype=dtype)
    )
    assert list(keys) == [None, None]
    assert list(masks) == [None, "****"]


_NUMBERS = ["+8613926418573", "+12025550143", "+447911123456", "+861062345897", None]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(_NUMBERS), max_size=30))
def test_masks_and_keys_from_the_digits_equal_those_from_the_text(
    numbers: list[str | None],
) -> None:
    e164 = pd.Series(numbers, dtype="str")
    raw = pd.Series([None if n is None else f"cell {n}" for n in numbers], dtype="str")
    digits = np.array([-1 if n is None else int(n[1:]) for n in numbers], dtype=np.int64)
    by_text = mask_and_key_arrays(e164, raw)
    by_digits = mask_and_key_arrays(e164, raw, digits)
    assert [a.to_pylist() for a in by_digits] == [a.to_pylist() for a in by_text]


def test_digits_that_cannot_be_the_texts_are_not_used() -> None:
    text = pa.array(["+8613926418573", None, "+12025550143"])
    assert _factorize_digits(np.array([8613926418573, -1, 12025550143]), text) is not None
    for wrong in (
        np.array([8613926418573, 5, 12025550143]),  # a number where the text has none
        np.array([8613926418573, -1, -1]),  # none where the text has one
        np.array([8613926418573, -1]),  # another length
        np.array([8613926418573, -1, 10**19 // 10], dtype=np.int64),  # out of range
        np.array([8613926418573.0, -1, 12025550143]),  # not int64
    ):
        assert _factorize_digits(wrong, text) is None
    same = pa.array(["+12025550143", None, "+12025550143"])
    codes, distinct = _factorize_digits(np.array([12025550143, -1, 12025550143]), same)
    assert codes.tolist() == [0, 1, 0] and distinct.to_pylist() == ["+12025550143"]
