"""Date cells as written in real exports, parsed to dates in whole-column operations.

Accepted spellings (after NFKC, so full-width digits work too):

- year first: ``2023-01-05``, ``2023/1/5``, ``2023.01.05``, ``2023年1月5日``, each
  optionally followed by a time (``10:30``, ``10:30:00.5``, ``10时30分``, ``T10:30Z``,
  ``+08:00``, ``AM``/``PM``);
- compact ``20230105`` (also ``20230105103000``);
- Excel serial day numbers from 20000 to 80000 (1954–2119), epoch 1899-12-30, with an
  optional fraction of a day;
- month names: ``5 Jan 2023``, ``05-JAN-23`` (Oracle's default), ``Jan 5, 2023``;
- day and month first: ``05/01/2023`` (see below); two-digit years
  (``05/01/23``) only with a configured ``date_order``.

Choices where the contract is silent:

- The result is the calendar date as written: a time of day and an offset are
  dropped, not converted to UTC (``2023-01-05T23:30-05:00`` is 2023-01-05).
- Day/month order for ``a/b/yyyy`` is decided per column, never per cell: with
  ``date_order`` ``DMY`` or ``MDY`` it is that order. Without it, a column where some
  value has a first part over 12 and none has a second part over 12 is DMY (and
  the mirror case MDY); a column whose values all fit both orders, or that has
  evidence for both, is a ColumnError asking for ``date_order``. With
  ``date_order = "YMD"`` an ``a/b/yyyy`` value is unparseable.
- Two-digit years follow Oracle's RR rule: 00–49 are 20xx, 50–99 are 19xx.
- Empty cells, null tokens (``NULL``, ``无``, ``0`` … from vocab.NULL_TOKENS) and the
  MySQL zero date ``0000-00-00`` are missing, not unparseable. Impossible dates
  (``2023-02-30``) and dates outside pandas' range (``9999-12-31``) are unparseable.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from contactaudit.errors import ColumnError
from contactaudit.vocab import NULL_TOKENS, fold_text

_TIME_BODY = (
    r"[T\s]*\d{1,2}[:时]\d{1,2}(?:[:分]\d{1,2}(?:[.,]\d+)?秒?)?分?"
    r"\s*(?:[AaPp]\.?[Mm]\.?)?\s*(?:Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?"
)
_TIME = f"(?:{_TIME_BODY})?"
_YMD = r"^(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?" + _TIME + "$"
_COMPACT = r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})(?:\d{4}(?:\d{2})?|" + _TIME_BODY + r")?$"
_SERIAL = r"^(?P<serial>\d{5}(?:\.\d+)?)$"
_ABY = r"^(?P<a>\d{1,2})\s*[-/.]\s*(?P<b>\d{1,2})\s*[-/.]\s*(?P<y>\d{4})" + _TIME + "$"
_ABC = r"^(?P<p>\d{1,2})[-/.](?P<q>\d{1,2})[-/.](?P<r>\d{1,2})" + _TIME + "$"
_DMONY = (
    r"^(?P<d>\d{1,2})[-\s/.]*(?P<mon>[A-Za-z]{3,9})\.?[-\s/.,]*(?P<y>\d{4}|\d{2})" + _TIME + "$"
)
_MONDY = (
    r"^(?:[A-Za-z]{3,9},?\s+)?(?P<mon>[A-Za-z]{3,9})\.?\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+"
    r"(?P<y>\d{4})" + _TIME + "$"
)

_MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4,
    "april": 4, "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8,
    "sep": 9, "sept": 9, "september": 9, "oct": 10, "october": 10, "nov": 11,
    "november": 11, "dec": 12, "december": 12,
}  # fmt: skip

_EXCEL_EPOCH = pd.Timestamp("1899-12-30")
_SERIAL_MIN, _SERIAL_MAX = 20000, 80000


def parse_dates(
    values: pd.Series, *, column: str, path: str, date_order: str | None
) -> tuple[pd.Series, list[int]]:
    """Parse a text column to ``datetime64[ns]`` dates.

    Returns the dates (aligned to ``values``; NaT when empty or unparseable) and the
    positions (0-based, in ``values``) of non-empty cells that could not be parsed.
    Raises ColumnError when day/month order is ambiguous and not configured.
    Work is done once per distinct value, so a column of a million cells with a
    few thousand distinct dates costs a few thousand parses.
    """
    order = date_order.upper() if date_order else None
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    parsed, bad = _parse_unique(
        pd.Series(uniques, dtype="str"), column=column, path=path, order=order
    )
    # Code -1 (an empty cell) picks the trailing NaT / not-bad sentinel.
    parsed = np.append(parsed, np.datetime64("NaT", "ns"))
    dates = parsed[codes]
    bad_positions = np.flatnonzero(np.append(bad, False)[codes])
    # copy=False: pandas 3 copies a numpy array into a new Series by default.
    out = pd.Series(dates, index=values.index, name=values.name, copy=False)
    return out, [int(p) for p in bad_positions]


def _parse_unique(
    text: pd.Series, *, column: str, path: str, order: str | None
) -> tuple[np.ndarray, np.ndarray]:
    """Dates and a bad-value mask for distinct cell texts."""
    n = len(text)
    result = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    if n == 0:
        return result, np.zeros(0, dtype=bool)
    text = text.str.normalize("NFKC").str.strip()
    year = np.full(n, np.nan)
    month = np.full(n, np.nan)
    day = np.full(n, np.nan)

    # Most exports write plain ISO dates: Arrow kernels read them from fixed places, as
    # _YMD would, and only the other spellings are folded and matched one by one.
    iso, missing, ymd = _plain_iso(text)
    dated = np.flatnonzero(iso & ~missing)
    year[dated], month[dated], day[dated] = ymd
    other = np.flatnonzero(~iso)
    folded = pd.Series([fold_text(t) for t in text.iloc[other].tolist()], dtype="str")
    missing[other] = (
        folded.isin(NULL_TOKENS) | folded.str.match(r"^0000[-/.]?00[-/.]?00")
    ).to_numpy()
    done = missing | iso

    def take(pattern: str) -> pd.DataFrame:
        # Only values no earlier pattern took (the index stays the position).
        todo = np.flatnonzero(~done)
        hits = text.iloc[todo].str.extract(pattern, flags=re.ASCII)
        found = hits.iloc[:, 0].notna().to_numpy()
        done[todo[found]] = True
        return hits[found]

    for pattern in (_YMD, _COMPACT):
        hits = take(pattern)
        year[hits.index] = hits["y"].astype(float)
        month[hits.index] = hits["m"].astype(float)
        day[hits.index] = hits["d"].astype(float)

    for pattern in (_DMONY, _MONDY):
        hits = take(pattern)
        mon = hits["mon"].str.lower().map(_MONTHS).astype(float)
        year[hits.index] = _full_year(hits["y"].astype(float).to_numpy())
        month[hits.index] = mon.to_numpy()
        day[hits.index] = hits["d"].astype(float).to_numpy()

    serial_hits = take(_SERIAL)
    serial = serial_hits["serial"].astype(float)
    in_range = serial.between(_SERIAL_MIN, _SERIAL_MAX)
    serial = serial[in_range]
    result[serial.index] = (
        _EXCEL_EPOCH + pd.to_timedelta(np.floor(serial.to_numpy()), unit="D")
    ).to_numpy(dtype="datetime64[ns]")

    aby = take(_ABY)
    a = aby["a"].astype(float).to_numpy()
    b = aby["b"].astype(float).to_numpy()
    abc = take(_ABC)
    if len(aby) or len(abc):
        resolved = _resolve_order(a, b, has_short_years=len(abc) > 0, order=order)
        if resolved is None:
            raise ColumnError(
                f"{path}: column '{column}' has dates such as DD/MM/YYYY or MM/DD/YYYY whose "
                'day and month order cannot be told apart. Set date_order = "DMY" or '
                '"MDY" in the config (or "YMD" for year-first two-digit years).'
            )
        if resolved in ("DMY", "MDY"):
            year[aby.index] = aby["y"].astype(float).to_numpy()
            month[aby.index] = a if resolved == "MDY" else b
            day[aby.index] = b if resolved == "MDY" else a
        parts = [abc[k].astype(float).to_numpy() for k in ("p", "q", "r")]
        positions = {"Y": resolved.index("Y"), "M": resolved.index("M"), "D": resolved.index("D")}
        year[abc.index] = _full_year(parts[positions["Y"]])
        month[abc.index] = parts[positions["M"]]
        day[abc.index] = parts[positions["D"]]

    # datetime64[ns] spans 1677-2262; a sentinel such as 9999-12-31 is unparseable.
    has_parts = ~np.isnan(year) & (year >= 1678) & (year <= 2261)
    if has_parts.any():
        built = pd.to_datetime(
            pd.DataFrame(
                {"year": year[has_parts], "month": month[has_parts], "day": day[has_parts]}
            ),
            errors="coerce",
        )
        result[has_parts] = built.to_numpy(dtype="datetime64[ns]")
    ok = ~np.isnat(result) | missing
    bad = ~ok
    # Serial numbers outside the plausible range and a/b/yyyy under YMD stay NaT: bad.
    return result, bad


# What _YMD takes with the date at fixed places: 2023-01-05, 2023-01-05 10:30:00.
_PLAIN_ISO = r"^\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2}:\d{2})?$"


def _plain_iso(text: pd.Series) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    """Plain ISO dates (ASCII digits): which values are, which of them are missing (a
    null token, the zero date), and the year, month and day of the others as floats."""
    import pyarrow as pa
    import pyarrow.compute as pc

    values = pa.array(text.array, type=pa.large_string(), from_pandas=True)
    iso = pc.fill_null(pc.match_substring_regex(values, _PLAIN_ISO), False)
    plain = values.filter(iso)
    # fold_text of a plain ISO value only drops the space before the time.
    folded = pc.replace_substring(plain, " ", "")
    null_tokens = pa.array(sorted(NULL_TOKENS), pa.large_string())
    missing = pc.or_(pc.is_in(folded, null_tokens), pc.starts_with(folded, "0000-00-00"))
    dated = plain.filter(pc.invert(missing))
    ymd = [
        pc.cast(pc.utf8_slice_codeunits(dated, start, stop), pa.float64()).to_numpy()
        for start, stop in ((0, 4), (5, 7), (8, 10))
    ]
    is_iso = iso.to_numpy(zero_copy_only=False)
    is_missing = np.zeros(len(text), dtype=bool)
    is_missing[is_iso] = missing.to_numpy(zero_copy_only=False)
    return is_iso, is_missing, ymd


def _resolve_order(
    a: np.ndarray, b: np.ndarray, *, has_short_years: bool, order: str | None
) -> str | None:
    """The column's day/month order, or None when it cannot be decided."""
    if order is not None:
        return order
    if has_short_years:
        return None
    first_is_day = bool(((a > 12) & (b <= 12)).any())
    first_is_month = bool(((b > 12) & (a <= 12)).any())
    if first_is_day and not first_is_month:
        return "DMY"
    if first_is_month and not first_is_day:
        return "MDY"
    if not first_is_day and not first_is_month and not ((a <= 12) & (b <= 12)).any():
        # Only impossible values (both parts over 12): nothing to resolve, all bad.
        return "DMY"
    return None


def _full_year(years: np.ndarray) -> np.ndarray:
    """Oracle's RR rule for two-digit years; four-digit years pass through."""
    return np.where(years < 50, years + 2000, np.where(years < 100, years + 1900, years))
