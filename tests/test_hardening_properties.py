"""Issue 8 item 3: properties of the normaliser, the masking and the loaders (hypothesis).

test_phones.py already checks the normaliser's invariants on phone-like text; these
go wider: any Unicode text and any cell type, E.164 results under every other
region, masking of anything, and digit strings through every loader format.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
import unicodedata
from pathlib import Path

import pandas as pd
import phonenumbers
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contactaudit.loading import load_export
from contactaudit.phones import describe_number, normalize_phones
from contactaudit.privacy import mask_phone, mask_series

REGIONS = ["CN", "US", "GB", "HK", "DE", "XX", "uk", ""]

# Any text, weighted towards what breaks phone parsers: digits of every script,
# separators, marks, controls, surrogate-free astral characters.
ANY_TEXT = st.one_of(
    st.text(max_size=60),
    st.text(alphabet=st.characters(categories=["Nd", "No", "Pd", "Zs", "Cc", "Cf"]), max_size=40),
    st.from_regex(r"\A[+0-9０-９ ()\-.eE#*x转分机]{0,40}\Z"),
    st.integers(min_value=0, max_value=10**30).map(str),
)
ANY_CELL = st.one_of(
    ANY_TEXT,
    st.none(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(ANY_CELL, max_size=8), st.sampled_from(REGIONS))
def test_normaliser_never_raises_on_any_cell(values: list[object], region: str) -> None:
    frame = normalize_phones(pd.Series(values, dtype=object), region)
    assert len(frame) == len(values)
    for e164, usable in zip(frame["e164"], frame["usable"], strict=True):
        assert (e164 is not None) == bool(usable)


@settings(max_examples=100, deadline=None)
@given(ANY_TEXT, st.sampled_from(REGIONS))
def test_describe_number_never_raises(text: str, region: str) -> None:
    info = describe_number(text, region or "CN")
    assert info["usable"] == (info["usable_e164"] is not None)


_NUMBERS = st.builds(
    lambda prefix, digits, sep: prefix + sep.join([digits[:3], digits[3:7], digits[7:]]),
    st.sampled_from(["", "+86", "0086", "+1", "+44", "+852", "+49", "00"]),
    st.text(alphabet="0123456789", min_size=7, max_size=12),
    st.sampled_from(["", " ", "-", "."]),
)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.one_of(_NUMBERS, ANY_TEXT), min_size=1, max_size=10),
    st.sampled_from(["CN", "US", "GB"]),
    st.sampled_from(["CN", "US", "GB", "DE", "XX"]),
)
def test_normalising_an_e164_result_under_any_region_gives_itself(
    values: list[str], first: str, second: str
) -> None:
    numbers = normalize_phones(pd.Series(values, dtype=object), first)["e164"].dropna().tolist()
    if not numbers:
        return
    again = normalize_phones(pd.Series(numbers, dtype=object), second)
    assert again["e164"].tolist() == numbers
    assert again["usable"].all()
    assert set(again["malformed"].dropna()) <= {"phone-not-mobile"}


# ---- masking ------------------------------------------------------------------------


def _digits(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKC", text) if "0" <= ch <= "9")


def _country_code(digits: str) -> str:
    for size in (1, 2, 3):
        if (
            digits[:size].isdigit()
            and int(digits[:size]) in phonenumbers.COUNTRY_CODE_TO_REGION_CODE
        ):
            return digits[:size]
    return ""


def _check_mask(masked: str | None, e164: str | None, raw: object) -> None:
    if masked is None:
        return
    # Only the mask, "+", and digits: never a letter of a name typed into the cell.
    assert set(masked) <= set("+*0123456789"), masked
    shown = _digits(masked)
    number = e164 if isinstance(e164, str) and e164 else None
    if (
        number is not None
        and number.startswith("+")
        and number[1:].isascii()
        and number[1:].isdigit()
    ):
        # The public part: "+" and the country code, or a CN mobile's network prefix.
        public = _country_code(number[1:])
        national = number[1 + len(public) :]
        if public == "86" and len(national) == 11 and national.startswith("1"):
            public, national = national[:3], national[3:]
        if public:
            assert shown.startswith(public), (masked, number)
            shown = shown[len(public) :]
    source = _digits(number if number is not None else str(raw))
    assert len(shown) <= 4, (masked, number, raw)
    assert source.endswith(shown), (masked, number, raw)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.none(), ANY_TEXT, _NUMBERS), st.one_of(ANY_CELL, _NUMBERS))
def test_masking_never_reveals_more_than_the_last_four_digits(
    e164: str | None, raw: object
) -> None:
    _check_mask(mask_phone(e164, raw), e164, raw)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(_NUMBERS, ANY_TEXT, st.none()), min_size=1, max_size=10))
def test_masking_the_normaliser_output_shows_at_most_four_subscriber_digits(
    values: list[str | None],
) -> None:
    phones = normalize_phones(pd.Series(values, dtype=object), "CN")
    masked = mask_series(phones["e164"], phones["raw"])
    for m, e164, raw in zip(masked, phones["e164"], phones["raw"], strict=True):
        _check_mask(m, e164, raw)


# ---- loaders: digit strings stay the digits written -----------------------------------

DIGITS = st.text(alphabet="0123456789", min_size=1, max_size=22)
# What a number cell can hold exactly: no leading zero, at most 15 significant digits.
EXACT_NUMBER = st.integers(min_value=1, max_value=10**15 - 1).map(str)


def _frame_cells(path: Path) -> list[tuple[str | None, str | None]]:
    frame = load_export(path, "borrowers").frame
    return list(zip(frame["borrower_id"], frame["phone"], strict=True))


def _csv(rows: list[tuple[str, str]], delimiter: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(["borrower_id", "phone"])
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _jsonl(rows: list[tuple[str, str]]) -> bytes:
    # Phones without a leading zero as JSON numbers, as a warehouse would write them.
    lines = []
    for key, phone in rows:
        value = f'"{phone}"' if phone.startswith("0") else phone
        lines.append(f'{{"borrower_id": {json.dumps(key)}, "phone": {value}}}')
    return ("\n".join(lines) + "\n").encode("utf-8")


def _xlsx(rows: list[tuple[str, str]]) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["borrower_id", "phone"])
    for key, phone in rows:
        exact = not phone.startswith("0") and len(phone) <= 15
        sheet.append([key, int(phone) if exact else phone])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _parquet(rows: list[tuple[str, str]]) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    exact = all(not p.startswith("0") and len(p) <= 18 for _, p in rows)
    phones = (
        pa.array([int(p) for _, p in rows], type=pa.int64())
        if exact
        else pa.array([p for _, p in rows], type=pa.string())
    )
    table = pa.table({"borrower_id": pa.array([k for k, _ in rows]), "phone": phones})
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return buffer.getvalue()


WRITERS = {
    "b.csv": lambda rows: _csv(rows, ","),
    "b.tsv": lambda rows: _csv(rows, "\t"),
    "b_semicolon.csv": lambda rows: _csv(rows, ";"),
    "b.jsonl": _jsonl,
    "b.xlsx": _xlsx,
    "b.parquet": _parquet,
}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.tuples(DIGITS, st.one_of(DIGITS, EXACT_NUMBER)), min_size=1, max_size=8),
    st.sampled_from(sorted(WRITERS)),
)
def test_loaders_never_turn_a_digit_string_into_a_float(
    rows: list[tuple[str, str]], name: str
) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / name
        path.write_bytes(WRITERS[name](rows))
        cells = _frame_cells(path)
    assert cells == rows
    for key, phone in cells:
        assert isinstance(key, str) and isinstance(phone, str)
