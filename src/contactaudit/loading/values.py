"""Typed views of text columns other than dates: booleans, countries, record keys.

Each works once per distinct value and returns the converted column plus the
positions of cells it could not understand (reported as counts and rows, never
values).

Choices where the contract is silent:

- ``sms_opt_out``: vocab.TRUE_TOKENS → True, FALSE_TOKENS → False (``0`` is false),
  other null tokens (``null``, ``无`` …) → <NA> quietly, anything else → <NA> and a
  warning.
- ``country``: a two-letter code is upper-cased; a few common names and alpha-3 codes
  (中国, China, CHN, 香港, USA …) map to their alpha-2 code; null tokens → None
  quietly; anything else → None and a warning (the phone then falls back to the
  default region).
- Keys (``borrower_id``, ``contact_id``, ``message_id``) lose surrounding white space,
  because fixed-width database exports pad them; a blank key is missing (NaN in the
  ``str`` column).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from contactaudit.vocab import FALSE_TOKENS, NULL_TOKENS, TRUE_TOKENS, fold_text

_COUNTRY_NAMES = {
    "中国": "CN", "中国大陆": "CN", "china": "CN", "chn": "CN", "prc": "CN",
    "香港": "HK", "中国香港": "HK", "hongkong": "HK", "hkg": "HK",
    "澳门": "MO", "中国澳门": "MO", "macau": "MO", "macao": "MO", "mac": "MO",
    "台湾": "TW", "中国台湾": "TW", "taiwan": "TW", "twn": "TW",
    "美国": "US", "usa": "US", "unitedstates": "US",
    "英国": "GB", "uk": "GB", "gbr": "GB", "unitedkingdom": "GB",
    "新加坡": "SG", "singapore": "SG", "sgp": "SG",
    "马来西亚": "MY", "malaysia": "MY", "mys": "MY",
    "印度尼西亚": "ID", "印尼": "ID", "indonesia": "ID", "idn": "ID",
    "菲律宾": "PH", "philippines": "PH", "phl": "PH",
    "泰国": "TH", "thailand": "TH", "tha": "TH",
    "越南": "VN", "vietnam": "VN", "vnm": "VN",
    "印度": "IN", "india": "IN", "ind": "IN",
    "日本": "JP", "japan": "JP", "jpn": "JP",
    "韩国": "KR", "korea": "KR", "southkorea": "KR", "kor": "KR",
    "墨西哥": "MX", "mexico": "MX", "mex": "MX",
    "巴西": "BR", "brazil": "BR", "bra": "BR",
    "尼日利亚": "NG", "nigeria": "NG", "nga": "NG",
    "肯尼亚": "KE", "kenya": "KE", "ken": "KE",
    "巴基斯坦": "PK", "pakistan": "PK", "pak": "PK",
}  # fmt: skip


def parse_booleans(values: pd.Series) -> tuple[pd.Series, list[int]]:
    """Nullable ``boolean`` column and the positions of unknown tokens."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    folded = [fold_text(str(u)) for u in uniques]
    flags = np.array([f in TRUE_TOKENS for f in folded] + [False], dtype=bool)
    known = np.array([f in TRUE_TOKENS or f in FALSE_TOKENS for f in folded] + [False], dtype=bool)
    unknown = np.array(
        [not k and f not in NULL_TOKENS for k, f in zip(known, folded, strict=False)] + [False],
        dtype=bool,
    )
    # code -1 (an empty cell) picks the trailing missing / not-unknown entries. The
    # array is built from values and mask: from Python objects it costs ten times more.
    out = pd.Series(
        pd.arrays.BooleanArray(flags[codes], ~known[codes]),
        index=values.index,
        name=values.name,
    )
    return out, [int(p) for p in np.flatnonzero(unknown[codes])]


def parse_countries(values: pd.Series) -> tuple[pd.Series, list[int]]:
    """Upper-case alpha-2 codes (object, None when empty) and positions of unknown ones."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    mapped: list[str | None] = []
    unknown: list[bool] = []
    for value in uniques:
        folded = fold_text(str(value))
        if folded in NULL_TOKENS:
            mapped.append(None)
            unknown.append(False)
        elif len(folded) == 2 and folded.isascii() and folded.isalpha():
            mapped.append(folded.upper())
            unknown.append(False)
        else:
            code = _COUNTRY_NAMES.get(folded)
            mapped.append(code)
            unknown.append(code is None)
    table = np.empty(len(mapped) + 1, dtype=object)
    table[:-1] = mapped
    table[-1] = None
    bad = np.array([*unknown, False], dtype=bool)
    out = pd.Series(table[codes], index=values.index, name=values.name, dtype=object, copy=False)
    return out, [int(p) for p in np.flatnonzero(bad[codes])]


def as_objects(values: pd.Series) -> pd.Series:
    """Text as Python ``str`` / ``None`` in an object column.

    Building a million Python strings is costly; a column with few distinct values
    (status, relationship, country) builds each one once. The loader itself keeps text
    as pandas ``str`` (see the package docstring); this is for callers that need
    objects.
    """
    sample = values.iloc[:10000]
    if len(values) > 10000 and sample.nunique() < len(sample) // 2:
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        table = np.empty(len(uniques) + 1, dtype=object)
        table[:-1] = np.asarray(uniques, dtype=object)
        table[-1] = None  # code -1: an empty cell
        objects = table[codes]
    else:
        objects = values.to_numpy(dtype=object, na_value=None)
    return pd.Series(objects, index=values.index, name=values.name, dtype=object)


def as_text(values: pd.Series) -> pd.Series:
    """Text as pandas' Arrow-backed ``str`` (missing = NaN), without copying it."""
    return values if values.dtype == "str" else values.astype("str")


def clean_ids(values: pd.Series) -> pd.Series:
    """Keys without surrounding white space (``str``); blank keys become missing."""
    text = as_text(values)
    if _printable_edges(text):
        return text  # nothing to strip: keep the reader's buffers
    stripped = text.str.strip()
    blank = stripped.eq("").fillna(False)
    if not blank.any() and bool(stripped.eq(text).fillna(True).all()):
        return text  # nothing to strip: keep the reader's buffers
    return stripped.where(~blank)


def _printable_edges(text: pd.Series) -> bool:
    """Whether every key is non-empty and starts and ends with printable ASCII, so that
    stripping would change nothing: read from the Arrow buffers, without building a
    stripped copy of the column (a conservative test; False may still strip nothing)."""
    import pyarrow as pa

    array = pa.array(text.array, type=pa.large_string(), from_pandas=True)
    if isinstance(array, pa.ChunkedArray):
        if array.num_chunks != 1:
            return False
        array = array.chunk(0)
    if array.null_count == len(array):
        return True
    offsets = np.frombuffer(array.buffers()[1], dtype=np.int64)
    starts = offsets[array.offset : array.offset + len(array)]
    ends = offsets[array.offset + 1 : array.offset + len(array) + 1]
    if array.null_count:
        valid = array.is_valid().to_numpy(zero_copy_only=False)
        starts, ends = starts[valid], ends[valid]
    if not bool((ends > starts).all()):
        return False
    data = np.frombuffer(array.buffers()[2], dtype=np.uint8)
    edges = (data[starts], data[ends - 1])
    return all(bool(((edge > 0x20) & (edge < 0x7F)).all()) for edge in edges)
