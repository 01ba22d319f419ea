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
- Slots can be mapped explicitly with keys ``contact<N>_<field>`` in
  ``[columns.contacts]`` (``contact1_phone = "父亲电话"``); ``info.columns`` reports
  slots under the same keys, so a detected layout can be written to a config as is.
  Explicitly mapping ``phone`` to one header forces the long layout.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa

from contactaudit.errors import ColumnError
from contactaudit.loading.columns import ALIASES, describe_headers, find_header, normalize_header

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


_SLOT_KEY = re.compile(r"^contact(?P<number>[0-9]{1,2})_(?P<field>" + "|".join(SLOT_FIELDS) + ")$")


def slot_key(number: int, field_name: str) -> str:
    """The config / ``info.columns`` key of a slot field: ``contact2_phone``."""
    return f"contact{number}_{field_name}"


def split_slot_mapping(
    column_map: Mapping[str, str] | None,
) -> tuple[dict[str, str], dict[tuple[int, str], str]]:
    """Split an explicit mapping into canonical columns and ``contact<N>_<field>`` slots."""
    canonical: dict[str, str] = {}
    slots: dict[tuple[int, str], str] = {}
    for key, header in (column_map or {}).items():
        hit = _SLOT_KEY.match(key)
        if hit is None:
            canonical[key] = header
        else:
            slots[(int(hit.group("number")), hit.group("field"))] = header
    return canonical, slots


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


def detect_wide(
    headers: list[str],
    *,
    path: str,
    explicit: Mapping[tuple[int, str], str] | None = None,
    exclude: Iterable[str] = (),
) -> WideLayout | None:
    """The wide layout of these headers, or None when no slot has a phone header.

    ``explicit`` slots (from the config) come first; ``exclude`` holds headers the
    config maps to canonical columns, which are never slots.
    """
    layout = WideLayout()
    claimed = set(exclude)
    fixed: set[tuple[int, str]] = set()
    for (number, field_name), wanted in (explicit or {}).items():
        header = find_header(headers, wanted)
        if header is None:
            raise ColumnError(
                f"{path}: column '{wanted}' mapped to '{slot_key(number, field_name)}' in "
                f"[columns.contacts] was not found. Headers found: {describe_headers(headers)}. "
                "Fix the mapping in the config."
            )
        layout.slots.setdefault(number, {})[field_name] = header
        claimed.add(header)
        fixed.add((number, field_name))
    if explicit and not layout.has_phone:
        raise ColumnError(
            f"{path}: [columns.contacts] maps contact slots but none of them a phone. "
            'Map the phones too, e.g. contact1_phone = "...".'
        )
    for header in headers:
        found = None if header in claimed else slot_of(header)
        if found is None or found in fixed:
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


def blank_cells(values: pd.Series) -> np.ndarray:
    """True where a text cell is empty or only white space."""
    text = values.astype("str")
    mask: np.ndarray = (text.isna() | text.str.strip().eq("")).to_numpy(dtype=bool)
    return mask


def unpivot(
    records: Mapping[str, pd.Series],
    layout: WideLayout,
    *,
    rows: np.ndarray,
    shared: Mapping[str, pd.Series],
    blank: Callable[[str], np.ndarray] | None = None,
) -> pd.DataFrame:
    """One row per (record, slot) with a phone or a name, in file order.

    ``records`` holds the converted slot columns under their original headers;
    ``shared`` holds row-level canonical columns (``borrower_id``, ``verified_at``)
    that every slot inherits. A field that some slot lacks is empty (None, or NaT for
    ``verified_at``) on that slot's rows. ``blank(header)`` tells which cells of a
    slot column are empty (by default computed from ``records``).

    The slots are laid side by side as an (records × slots) grid and read row-major,
    so the result is in (record, slot) order without a sort.
    """
    slots = list(layout.slots.values())
    k, n = len(slots), len(rows)
    is_blank = blank or (lambda header: blank_cells(records[header]))
    empty = np.ones((n, k), dtype=bool)
    for j, fields in enumerate(slots):
        if "phone" in fields:
            empty[:, j] = is_blank(fields["phone"])
        if "name" in fields:
            empty[:, j] &= is_blank(fields["name"])
    keep = ~empty.ravel()
    # Cell (record i, slot j) of the row-major grid is item j * n + i of the slots'
    # columns laid end to end: text columns are gathered with one Arrow take.
    kept = np.flatnonzero(keep)
    gather = (kept % k) * n + kept // k

    def grid(arrays: list[np.ndarray | pd.Series]) -> pd.Series:
        if all(isinstance(a, pd.Series) and a.dtype == "str" for a in arrays):
            chunks = [pa.array(a, type=pa.large_string(), from_pandas=True) for a in arrays]
            combined = pa.chunked_array(chunks, type=pa.large_string())
            return _text(combined.take(pa.array(gather)))
        plain = [
            a.to_numpy(dtype=object, na_value=None) if isinstance(a, pd.Series) else a
            for a in arrays
        ]
        return _column(np.stack(plain, axis=1).ravel()[keep])

    out: dict[str, pd.Series] = {}
    for name, series in shared.items():
        if series.dtype == "str":
            out[name] = grid([series] * k)
        else:
            out[name] = _column(np.repeat(series.to_numpy(), k)[keep])
    present = [f for f in SLOT_FIELDS if any(f in fields for fields in slots)]
    for field_name in present:
        arrays: list[np.ndarray | pd.Series] = []
        text = any(
            field_name in fields and records[fields[field_name]].dtype == "str" for fields in slots
        )
        for fields in slots:
            if field_name in fields:
                arrays.append(records[fields[field_name]])
            elif field_name in shared:
                arrays.append(shared[field_name])
            elif field_name == "verified_at":
                arrays.append(np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]"))
            elif text:
                arrays.append(pd.Series([None] * n, dtype="str"))
            else:
                arrays.append(np.full(n, None, dtype=object))
        out[field_name] = grid(arrays)
    out["_row"] = _column(np.repeat(rows.astype("int64"), k)[keep])
    slot_ix, headers = pd.factorize(
        np.array([f.get("phone", f.get("name")) for f in slots], dtype=object)
    )
    out["_phone_column"] = pd.Series(
        pd.Categorical.from_codes(np.tile(slot_ix, n)[keep], categories=headers), copy=False
    )
    return pd.concat(out, axis=1)


def _column(values: np.ndarray) -> pd.Series:
    # Object arrays must stay object: pandas 3 would infer its own str dtype.
    return pd.Series(values, dtype=object) if values.dtype == np.dtype("O") else pd.Series(values)


def _text(values: pa.ChunkedArray) -> pd.Series:
    series = values.to_pandas()
    return series if series.dtype == "str" else series.astype("str")
