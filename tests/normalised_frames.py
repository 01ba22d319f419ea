"""Tiny normalised tables (loaded columns + phone columns) for the cross-record checks.

Each row is a dict; ``phone`` is the usable E.164 number (or None), and an unusable
cell is written with ``usable=False`` plus its ``raw`` and ``malformed`` code. Text
columns are object dtype holding ``str``/``None``, as the loader produces them; dates
become ``datetime64[ns]`` and ``sms_opt_out`` nullable ``boolean``.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from contactaudit.models import Related

DATE_COLUMNS = ("phone_verified_at", "consent_at", "verified_at", "disconnected_at", "opted_out_at")

# Real-looking CN mobiles (fiction): the tests only need them to be distinct.
A, B, C, D, E = (f"+86139123456{n:02d}" for n in (11, 22, 33, 44, 55))
PLACEHOLDER = {"raw": "13800138000", "usable": False, "malformed": "phone-placeholder"}
INVALID = {"raw": "1391234", "usable": False, "malformed": "phone-invalid"}


def _table(rows: tuple[dict[str, Any], ...], key: str | None) -> pd.DataFrame:
    records = []
    for i, given in enumerate(rows):
        row = dict(given)
        phone = row.pop("phone", None)
        usable = row.pop("usable", phone is not None)
        record = {
            "_row": row.pop("_row", i + 2),
            "_record_id": row.get(key) if key else None,
            "_phone_column": row.pop("_phone_column", "phone"),
            "raw": row.pop("raw", phone[3:] if phone else None),
            "e164": phone if usable else None,
            "malformed": row.pop("malformed", None),
            "usable": usable,
            "number_region": row.pop("number_region", "CN" if usable else None),
        }
        if key != "borrower_id" and "borrower_id" not in row and key is not None:
            row["borrower_id"] = None
        record.update(row)
        records.append(record)
    base = ["_row", "_record_id", "_phone_column", "raw", "e164", "malformed", "usable"]
    found = {c for r in records for c in r} | set(base) | {"number_region"}
    if key is not None:
        found.add("borrower_id")
    columns = sorted(found, key=lambda c: (not c.startswith("_"), c))
    frame = pd.DataFrame({c: pd.Series([r.get(c) for r in records], dtype=object) for c in columns})
    frame["_row"] = frame["_row"].astype("int64")
    frame["usable"] = frame["usable"].astype(bool)
    for column in DATE_COLUMNS:
        if column in frame:
            frame[column] = pd.to_datetime(frame[column]).astype("datetime64[ns]")
    if "sms_opt_out" in frame:
        frame["sms_opt_out"] = frame["sms_opt_out"].astype("boolean")
    return frame


def borrowers(*rows: dict[str, Any]) -> pd.DataFrame:
    return _table(rows, "borrower_id")


def contacts(*rows: dict[str, Any]) -> pd.DataFrame:
    return _table(rows, "contact_id")


def reference(*rows: dict[str, Any]) -> pd.DataFrame:
    """A reassigned or opt-out list (no borrower_id, no record key)."""
    frame = _table(rows, None)
    return frame.drop(columns=["_record_id", "_phone_column"])


def with_str_dtype(frame: pd.DataFrame) -> pd.DataFrame:
    """The same table with pandas' Arrow-backed ``str`` dtype for every text column."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object:
            out[column] = out[column].astype("str")
    return out


def flat(findings: pd.DataFrame) -> list[tuple[str, str, int]]:
    """``[(code, source, row)]`` sorted: what tests compare."""
    return sorted(
        zip(findings["code"], findings["source"], findings["row"].astype(int), strict=True)
    )


def only(findings: pd.DataFrame, code: str) -> pd.DataFrame:
    return findings[findings["code"] == code].sort_values(["source", "row"])


def related(findings: pd.DataFrame, code: str, source: str, row: int) -> tuple[Related, ...]:
    hit = findings[
        (findings["code"] == code) & (findings["source"] == source) & (findings["row"] == row)
    ]
    assert len(hit) == 1, f"expected one {code} finding on {source} row {row}, got {len(hit)}"
    return tuple(hit["related"].iloc[0])


def message(findings: pd.DataFrame, code: str, source: str, row: int) -> str:
    hit = findings[
        (findings["code"] == code) & (findings["source"] == source) & (findings["row"] == row)
    ]
    assert len(hit) == 1
    return str(hit["message"].iloc[0])


def rb(row: int, borrower_id: str | None) -> Related:
    return Related("borrowers", row, borrower_id)


def rc(row: int, contact_id: str | None) -> Related:
    return Related("contacts", row, contact_id)
