"""Wide contacts layouts: numbered contact slots on one borrower row, unpivoted to long.

Loan-application exports put the emergency contacts on the borrower's row:
``contact1_phone, contact1_name, contact1_relationship, contact2_phone …`` or
``紧急联系人1姓名, 紧急联系人1电话, 紧急联系人1关系 …`` (also ``联系人电话1``,
``第一联系人电话``). Each slot becomes one contacts row.

Choices where the contract is silent:

- A header is a slot header when, after :func:`normalize_header`, it is a contact
  prefix (``contact``, ``emergencycontact``, ``联系人``, ``紧急联系人`` …), a slot
  number (digits or 一…十, optionally ``第``-prefixed) and a field word, in
  either order. A bare ``联系人1`` is the slot's name.
- The layout is wide when at least one slot has a phone header. Then the row's own
  ``phone``, ``name``, ``relationship`` and ``contact_id`` (the borrower's, not a
  contact's) are not contacts data: they are reported as unknown columns.
  A row-level ``verified_at`` applies to every slot that has none of its own.
- A slot whose phone and name are both empty (or blank) is dropped; a slot with a
  name but no phone is kept so that phone-missing reports it. A slot without a
  phone header names its name header in ``_phone_column``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from contactaudit.errors import ColumnError
from contactaudit.loading.columns import ALIASES, normalize_header

SLOT_FIELDS: tuple[str, ...] = ("phone", "name", "relationship", "verified_at", "contact_id")

_PREFIXES = (
    "emergencycontact", "emergency", "reference", "contact",
    "紧急联系人", "亲属联系人", "常用联系人", "其他联系人", "联系人",
)  # fmt: skip
_CN_NUMBERS = {ch: n for n, ch in enumerate("一二三四五六七八九十", start=1)}

_FIELD_WORDS: dict[str, str] = {}
for _field in SLOT_FIELDS:
    for _alias in ALIASES[_field]:
        _FIELD_WORDS.setdefault(normalize_header(_alias), _field)
# Words that only mean something after a slot prefix ("contact1_id").
_FIELD_WORDS.update({"id": "contact_id", "编号": "contact_id", "rel": "relationship"})
# Strip the prefix again from a field word ("联系人1联系人电话" is rare; "联系人电话" is not).
_FIELD_WORDS.pop("联系人", None)

_PREFIX = "(?P<prefix>" + "|".join(re.escape(p) for p in _PREFIXES) + ")"
_NUMBER = "(?P<number>[0-9]{1,2}|[一二三四五六七八九十])"
_FIELD = "(?P<field>.*)"
_PATTERNS = (
    re.compile(f"^第?{_NUMBER}{_PREFIX}{_FIELD}$"),
    re.compile(f"^{_PREFIX}{_NUMBER}{_FIELD}$"),
    re.compile(f"^{_PREFIX}(?P<field>.+?){_NUMBER}$"),
)


def slot_of(header: str) -> tuple[int, str] | None:
    """``(slot number, field)`` for a wide contacts header, else None."""
    key = normalize_header(header)
    for pattern in _PATTERNS:
        hit = pattern.match(key)
        if hit is None:
            continue
        word = hit.group("field")
        field_name = "name" if word == "" else _FIELD_WORDS.get(word)
        if field_name is None:
            continue
        raw = hit.group("number")
        number = _CN_NUMBERS[raw] if raw in _CN_NUMBERS else int(raw)
        return number, field_name
    return None


@dataclass
class WideLayout:
    """Slot number -> field -> original header."""

    slots: dict[int, dict[str, str]] = field(default_factory=dict)

    @property
    def headers(self) -> list[str]:
        return [h for fields in self.slots.values() for h in fields.values()]

    @property
    def has_phone(self) -> bool:
        return any("phone" in fields for fields in self.slots.values())


def detect_wide(headers: list[str], *, path: str) -> WideLayout | None:
    """The wide layout of these headers, or None when no slot has a phone header."""
    layout = WideLayout()
    for header in headers:
        found = slot_of(header)
        if found is None:
            continue
        number, field_name = found
        fields = layout.slots.setdefault(number, {})
        if field_name in fields:
            raise ColumnError(
                f"{path}: headers '{fields[field_name]}' and '{header}' both look like the "
                f"{field_name} of contact {number}. Rename or remove one of them."
            )
        fields[field_name] = header
    if not layout.has_phone:
        return None
    layout.slots = dict(sorted(layout.slots.items()))
    return layout


def _blank(values: pd.Series) -> np.ndarray:
    """True where a cell is empty or only white space."""
    text = values.astype("str")
    mask: np.ndarray = (values.isna() | text.str.strip().eq("")).to_numpy(dtype=bool)
    return mask


def unpivot(
    records: pd.DataFrame,
    layout: WideLayout,
    *,
    shared: dict[str, pd.Series],
) -> pd.DataFrame:
    """One row per (record, slot) with a phone or a name, in file order.

    ``records`` holds the converted slot columns under their original headers plus
    ``_row``; ``shared`` holds row-level canonical columns (``borrower_id``,
    ``verified_at``) that every slot inherits. A field that some slot lacks is
    empty (None, or NaT for ``verified_at``) on that slot's rows.
    """
    present = [f for f in SLOT_FIELDS if f in shared or any(f in s for s in layout.slots.values())]
    n = len(records)
    parts = []
    for number, fields in layout.slots.items():
        part: dict[str, object] = {name: series.to_numpy() for name, series in shared.items()}
        for field_name in present:
            header = fields.get(field_name)
            if header is not None:
                part[field_name] = records[header].to_numpy()
            elif field_name not in shared:
                part[field_name] = (
                    np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
                    if field_name == "verified_at"
                    else np.full(n, None, dtype=object)
                )
        part["_row"] = records["_row"].to_numpy()
        part["_slot"] = np.full(n, number, dtype="int64")
        part["_phone_column"] = np.full(n, fields.get("phone", fields.get("name")), dtype=object)
        # Object arrays must stay object: pandas 3 would infer its own str dtype.
        frame = pd.DataFrame(
            {
                k: pd.Series(v, dtype=object) if getattr(v, "dtype", None) == np.dtype("O") else v
                for k, v in part.items()
            }
        )
        empty = _blank(frame["phone"])
        if "name" in frame:
            empty = empty & _blank(frame["name"])
        parts.append(frame[~empty])
    long = pd.concat(parts, ignore_index=True)
    long = long.sort_values(["_row", "_slot"], kind="stable", ignore_index=True)
    return long.drop(columns="_slot")
