"""Stale family: numbers that may have changed owner or must not be texted.

Choices where the contract is silent:

- The verification date is the latest of ``phone_verified_at`` and ``consent_at`` for
  borrowers and ``verified_at`` for contacts, compared as calendar days.
- phone-reassigned: a record is reassigned when its number is on the list and it has
  no verification date, or the disconnection is on or after the verification day (the
  same day counts: the day's verification may predate the disconnection). A number
  listed several times uses its latest disconnection; a list entry without a
  ``disconnected_at`` (or a list without the column) counts as disconnected after
  any verification, because the list says the number changed owner and nothing says
  when.
- phone-verification-stale and phone-never-verified concern usable numbers only (the
  cross-record families never look at unusable ones). Exactly ``stale_after_days`` days
  is fresh; dates after ``as_of`` are fresh. A table without any verification column
  gets neither code.
- phone-opted-out: one finding per record, whichever reasons apply. The opt-out list
  matches usable numbers of borrowers and contacts; ``opted_out_at`` is not compared
  (an opt-out stays in force). A borrower whose ``sms_opt_out`` is true is reported
  even when the phone is unusable: the opt-out belongs to the person, so it must
  follow whatever number is collected next.
- Messages name the reason, never the dates.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from contactaudit.checks._crossrecord import (
    NO_KEY,
    concat_findings,
    counted,
    findings,
    gc_paused,
    key_index,
    number_keys,
)
from contactaudit.config import AuditConfig
from contactaudit.vocab import TRUE_TOKENS, fold_text

VERIFICATION_COLUMNS: dict[str, tuple[str, ...]] = {
    "borrowers": ("phone_verified_at", "consent_at"),
    "contacts": ("verified_at",),
}

# Day numbers are int64 days since 1970; NaT is the smallest int64, so np.maximum
# skips it, and an undated list entry is the largest (after any verification).
_NAT = np.iinfo(np.int64).min
_UNDATED = np.iinfo(np.int64).max


@gc_paused
def check_stale(
    borrowers: pd.DataFrame,
    contacts: pd.DataFrame | None,
    reassigned: pd.DataFrame | None,
    opt_outs: pd.DataFrame | None,
    as_of: dt.date,
    config: AuditConfig,
) -> pd.DataFrame:
    """Findings of the stale family over normalised borrowers and contacts."""
    # One key space for the tables and both lists: numbers are matched as int64 keys.
    bkey, ckey, rkey, okey = number_keys(borrowers, contacts, reassigned, opt_outs)
    disconnected = _reference_list(reassigned, rkey, "disconnected_at")
    opted = _reference_list(opt_outs, okey, None)
    today = int(np.datetime64(as_of, "D").astype(np.int64))
    parts = []
    for frame, source, key in ((borrowers, "borrowers", bkey), (contacts, "contacts", ckey)):
        if frame is None or frame.empty:
            continue
        usable = key != NO_KEY
        columns = [c for c in VERIFICATION_COLUMNS[source] if c in frame]
        verified = _verification_day(frame, columns)
        parts.append(phone_reassigned(frame, source, key, verified, disconnected))
        if columns:
            parts.extend(verification_age(frame, source, usable, verified, columns, today, config))
        parts.append(phone_opted_out(frame, source, key, opted))
    return concat_findings(parts)


def phone_reassigned(
    frame: pd.DataFrame,
    source: str,
    numbers: np.ndarray,
    verified: np.ndarray,
    disconnected: tuple[np.ndarray, np.ndarray] | None,
) -> pd.DataFrame:
    """phone-reassigned: on the list, disconnected on/after the last verification."""
    if disconnected is None:
        return concat_findings([])
    day = _list_lookup(numbers, disconnected)
    listed = day != _NAT
    unverified = verified == _NAT
    pos = np.flatnonzero(listed & (unverified | (day >= verified)))
    message = np.select(
        [unverified[pos], day[pos] == _UNDATED],
        [
            "number is on the reassigned list and the record has no verification date",
            "number is on the reassigned list without a disconnection date",
        ],
        "number is on the reassigned list, disconnected on or after the last verification",
    ).astype(object)
    return findings(frame, pos, "phone-reassigned", source, message)


def verification_age(
    frame: pd.DataFrame,
    source: str,
    usable: np.ndarray,
    verified: np.ndarray,
    columns: list[str],
    today: int,
    config: AuditConfig,
) -> list[pd.DataFrame]:
    """phone-verification-stale and phone-never-verified (usable numbers only)."""
    never = np.flatnonzero(usable & (verified == _NAT))
    empty = f"{', '.join(columns)} {'are' if len(columns) > 1 else 'is'} empty"
    parts = [
        findings(frame, never, "phone-never-verified", source, f"no verification date ({empty})")
    ]
    limit = config.stale_after_days.get(source)
    if limit is not None:
        dated = usable & (verified != _NAT)
        age = np.where(dated, today - np.where(dated, verified, 0), 0)
        pos = np.flatnonzero(dated & (age > limit))
        message = counted("last verification is ", age[pos], "day", f" old (more than {limit})")
        parts.append(findings(frame, pos, "phone-verification-stale", source, message))
    return parts


def phone_opted_out(
    frame: pd.DataFrame,
    source: str,
    numbers: np.ndarray,
    opted: tuple[np.ndarray, np.ndarray] | None,
) -> pd.DataFrame:
    """phone-opted-out: on the opt-out list, or the borrower's sms_opt_out is true."""
    listed = np.zeros(len(frame), dtype=bool)
    if opted is not None:
        listed = _list_lookup(numbers, opted) != _NAT
    flagged = np.zeros(len(frame), dtype=bool)
    if source == "borrowers" and "sms_opt_out" in frame:
        flagged = _true_flags(frame["sms_opt_out"])
    pos = np.flatnonzero(listed | flagged)
    message = np.select(
        [listed[pos] & flagged[pos], listed[pos]],
        [
            "number is on the opt-out list and the borrower's sms_opt_out is true",
            "number is on the opt-out list",
        ],
        "borrower's sms_opt_out is true",
    ).astype(object)
    return findings(frame, pos, "phone-opted-out", source, message)


def _days(values: pd.Series) -> np.ndarray:
    """Calendar day numbers (int64 days since 1970), ``_NAT`` when missing."""
    if not pd.api.types.is_datetime64_any_dtype(values):
        values = pd.to_datetime(values, errors="coerce")
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        values = values.dt.tz_localize(None)
    days = values.to_numpy().astype("datetime64[D]").astype(np.int64)
    return days  # NaT stays the smallest int64


def _verification_day(frame: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """The latest of the record's verification dates, ``_NAT`` when it has none."""
    latest = np.full(len(frame), _NAT, dtype=np.int64)
    for column in columns:
        latest = np.maximum(latest, _days(frame[column]))
    return latest


def _reference_list(
    frame: pd.DataFrame | None, key: np.ndarray, date_column: str | None
) -> tuple[np.ndarray, np.ndarray] | None:
    """Distinct usable number keys of a reference list (sorted), with each one's latest date."""
    if frame is None:
        return None
    pos = np.flatnonzero(key != NO_KEY)
    if date_column is not None and date_column in frame:
        days = _days(frame[date_column].iloc[pos])
        days = np.where(days == _NAT, _UNDATED, days)
    else:
        days = np.full(len(pos), _UNDATED, dtype=np.int64)
    listed, codes = np.unique(key[pos], return_inverse=True)
    latest = np.full(len(listed), _NAT, dtype=np.int64)
    np.maximum.at(latest, codes.reshape(-1), days)
    return listed, latest


def _list_lookup(numbers: np.ndarray, reference: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """Each row's date from a reference list, ``_NAT`` when it is not listed (as every
    row without a usable number is: its key is ``NO_KEY``, never a listed key)."""
    listed, dates = reference
    # key_index gives NO_KEY (-1) for a key not listed: it picks the _NAT appended last.
    return np.append(dates, _NAT)[key_index(listed, numbers)]


def _true_flags(values: pd.Series) -> np.ndarray:
    """A true/false column as a bool array (missing is false)."""
    if pd.api.types.is_bool_dtype(values):
        return values.astype("boolean").fillna(False).to_numpy(dtype=bool)
    codes, uniques = pd.factorize(values)
    truth = [fold_text(str(u)) in TRUE_TOKENS for u in uniques]
    return np.array([*truth, False], dtype=bool)[codes]
