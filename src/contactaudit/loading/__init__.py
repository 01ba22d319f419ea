"""Load one export (CSV/TSV, xlsx, Parquet, JSON Lines) into the loaded-table shape.

``load_export`` reads every cell as text, matches headers to canonical columns,
unpivots a wide contacts layout, parses date / boolean / country columns, and
reports what it found in an :class:`~contactaudit.models.InputInfo`.

Choices where the contract is silent (more in each submodule's docstring):

- ``original`` holds the file's own columns as text under their original headers,
  one row per record, in file order, with a RangeIndex. Its columns are pandas'
  ``str`` dtype (pyarrow-backed, empty cells NaN), not object: they come from the
  CSV reader without building a Python string per cell, and ``to_csv`` writes
  them back unchanged. For a long layout ``frame`` row *i* is ``original`` row *i*;
  for a wide contacts layout ``frame`` rows point back to their record through
  ``_row``.
- Text cells in ``frame`` are the cells as written, except keys (``borrower_id``,
  ``contact_id``, ``message_id``), which lose surrounding white space.
- Text columns of ``frame`` (keys, phone, name, relationship, status, purpose …) are
  pandas' Arrow-backed ``str`` dtype, missing = NaN — not Python ``str`` / ``None`` in
  object columns as the first loaded-table shape said. They share the reader's Arrow
  buffers with ``original`` (no copy; a key column is only rebuilt when a key has
  white space to strip), and ``_record_id`` is the key column itself. Building a
  Python string per cell cost most of the load time and about 1 GB at 1M borrowers +
  3M contacts (issue 7); every consumer reads these columns with ``notna`` /
  ``factorize`` / Arrow kernels and turns only finding rows into objects.
  ``country`` stays object (upper-cased codes or None; few distinct values), and so
  does the all-None ``_record_id`` of keyless lists. ``_phone_column`` (the header a
  row's number came from) is a categorical.
- Warnings name the column by its original header (what the user can find in the
  file) and give at most the first 20 spreadsheet rows.
- ``info.columns`` maps canonical names to original headers; a wide contacts layout
  reports its slots as ``contact<N>_<field>`` keys (``"contact1_phone": "紧急联系人1电话"``),
  which ``[columns.contacts]`` accepts back.
- ``path == "-"`` reads standard input; the content is still sniffed, so CSV, TSV
  and JSON Lines all work there.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import pandas as pd

from contactaudit.errors import ColumnError, ConfigError, InputError
from contactaudit.loading.columns import (
    DATE_COLUMNS,
    ID_COLUMNS,
    RECORD_ID_COLUMN,
    SOURCE_COLUMNS,
    SOURCES,
    check_duplicate_headers,
    check_required,
    match_columns,
)
from contactaudit.loading.dates import parse_dates
from contactaudit.loading.readers import read_table
from contactaudit.loading.values import as_text, clean_ids, parse_booleans, parse_countries
from contactaudit.loading.wide import (
    SLOT_FIELDS,
    WideLayout,
    blank_cells,
    detect_wide,
    slot_key,
    split_slot_mapping,
    unpivot,
)
from contactaudit.models import InputInfo

__all__ = ["LoadedExport", "load_export"]

_WARNING_ROWS = 20
_DATE_ORDERS = ("YMD", "DMY", "MDY")
# In a wide layout these row-level columns describe the borrower, not a contact.
_ROW_LEVEL_CONTACT_FIELDS = ("phone", "name", "relationship", "contact_id")


@dataclass
class LoadedExport:
    frame: pd.DataFrame
    info: InputInfo
    original: pd.DataFrame


def load_export(
    path: str | Path,
    source: str,
    *,
    encoding: str | None = None,
    sheet: str | None = None,
    column_map: Mapping[str, str] | None = None,
    date_order: str | None = None,
    stdin: BinaryIO | None = None,
    fingerprint: bool = True,
) -> LoadedExport:
    """Read one export of ``source`` (borrowers, contacts, reassigned, opt_outs, campaign).

    ``fingerprint`` computes the file's SHA-256 for ``info.sha256`` (history's record
    of which file a run read); without it ``info.sha256`` is None.

    Raises InputError (unreadable, empty, corrupt, undecodable) or ColumnError
    (required column missing, duplicate or ambiguous headers, ambiguous dates).
    """
    if source not in SOURCES:
        raise ValueError(f"unknown source {source!r}; expected one of {', '.join(SOURCES)}")
    if date_order is not None and date_order.upper() not in _DATE_ORDERS:
        raise ConfigError(f"date_order must be one of {', '.join(_DATE_ORDERS)}.")
    label = str(path)
    data = _read_bytes(path, stdin)
    sha256 = _sha256_in_background(data) if fingerprint else _no_digest
    table = read_table(data, path=label, encoding=encoding, sheet=sheet)
    headers = table.headers
    check_duplicate_headers(headers, path=label)
    original = pd.DataFrame(dict(zip(headers, table.columns, strict=True)), columns=headers)
    rows = table.rows

    canonical_map, slot_map = (
        split_slot_mapping(column_map) if source == "contacts" else (dict(column_map or {}), {})
    )
    layout = None
    if source == "contacts" and "phone" not in canonical_map:
        layout = detect_wide(headers, path=label, explicit=slot_map, exclude=canonical_map.values())
    elif slot_map:
        raise ColumnError(
            f"{label}: [columns.contacts] maps both 'phone' and contact slots such as "
            f"'{slot_key(*next(iter(slot_map)))}'. Map one layout: phone for one contact "
            "per row, or contact<N>_phone for numbered contacts on one row."
        )
    match = match_columns(
        headers,
        source,
        path=label,
        column_map=canonical_map,
        skip=layout.headers if layout else (),
    )
    check_required(match, source, headers, path=label, provided=("phone",) if layout else ())
    if layout is not None:
        for canonical in _ROW_LEVEL_CONTACT_FIELDS:
            if canonical in match.columns:
                match.unknown.append(match.columns.pop(canonical))

    warnings: list[dict[str, Any]] = list(table.warnings)
    if match.unknown:
        unknown = [h for h in headers if h in set(match.unknown)]
        warnings.append({"issue": "unknown-columns", "columns": unknown})

    converter = _Converter(original, rows, path=label, date_order=date_order, warnings=warnings)
    canonical_columns = {
        canonical: converter.convert(canonical, header)
        for canonical, header in match.columns.items()
    }

    if layout is None:
        frame = _long_frame(canonical_columns, source, rows)
        columns = dict(match.columns)
    else:
        frame = _wide_frame(canonical_columns, layout, converter, rows)
        columns = dict(match.columns)
        for number, fields in layout.slots.items():
            for field_name in SLOT_FIELDS:
                if field_name in fields:
                    columns[slot_key(number, field_name)] = fields[field_name]

    order = [c for c in SOURCE_COLUMNS[source] if c in columns]
    order += [c for c in columns if c not in order]
    info = InputInfo(
        source=source,
        path=label,
        format=table.format,
        encoding=table.encoding,
        rows=len(original),
        columns={c: columns[c] for c in order},
        warnings=warnings,
        size_bytes=len(data),
        sha256=sha256(),
    )
    return LoadedExport(frame=frame, info=info, original=original)


def _no_digest() -> None:
    return None


def _sha256_in_background(data: bytes) -> Callable[[], str]:
    """The file's SHA-256 hex digest, computed on another core while it is parsed.

    hashlib releases the GIL on large buffers: the hash (0.15 s of 3M contacts)
    overlaps the loader's single-threaded work instead of adding to it.
    """
    pool = ThreadPoolExecutor(max_workers=1)
    future = pool.submit(lambda: hashlib.sha256(data).hexdigest())
    pool.shutdown(wait=False)
    return future.result


def _read_bytes(path: str | Path, stdin: BinaryIO | None) -> bytes:
    label = str(path)
    if label == "-":
        stream = stdin if stdin is not None else getattr(sys.stdin, "buffer", None)
        if stream is None:
            raise InputError("-: there is no standard input to read. Pass a file instead.")
        try:
            data: bytes | str = stream.read()
        except OSError as exc:
            raise InputError(f"standard input cannot be read ({exc.strerror}).") from None
        return data.encode("utf-8") if isinstance(data, str) else data
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise InputError(f"{label}: file not found. Check the path.") from None
    except IsADirectoryError:
        raise InputError(f"{label}: is a directory, not a file. Give the export file.") from None
    except PermissionError:
        raise InputError(
            f"{label}: the file cannot be read (permission denied). Check its permissions."
        ) from None
    except OSError as exc:
        raise InputError(f"{label}: the file cannot be read ({exc.strerror}).") from None


class _Converter:
    """Typed conversion of one original column, collecting warnings as it goes."""

    def __init__(
        self,
        original: pd.DataFrame,
        rows: np.ndarray,
        *,
        path: str,
        date_order: str | None,
        warnings: list[dict[str, Any]],
    ) -> None:
        self.original = original
        self.rows = rows
        self.path = path
        self.date_order = date_order
        self.warnings = warnings

    def convert(self, canonical: str, header: str) -> pd.Series:
        values = self.original[header]
        if canonical in DATE_COLUMNS:
            dates, bad = parse_dates(
                values, column=header, path=self.path, date_order=self.date_order
            )
            self._warn(header, "unparseable-date", bad)
            return dates
        if canonical == "sms_opt_out":
            flags, bad = parse_booleans(values)
            self._warn(header, "unknown-boolean", bad)
            return flags
        if canonical == "country":
            countries, bad = parse_countries(values)
            self._warn(header, "unknown-country", bad)
            return countries
        if canonical in ID_COLUMNS:
            return clean_ids(values)
        return as_text(values)

    def _warn(self, header: str, issue: str, positions: list[int]) -> None:
        if not positions:
            return
        self.warnings.append(
            {
                "column": header,
                "issue": issue,
                "count": len(positions),
                "rows": [int(r) for r in self.rows[positions[:_WARNING_ROWS]]],
            }
        )


def _long_frame(columns: dict[str, pd.Series], source: str, rows: np.ndarray) -> pd.DataFrame:
    data: dict[str, Any] = {c: columns[c] for c in SOURCE_COLUMNS[source] if c in columns}
    # copy=False: pandas 3 copies a numpy array into a new Series by default.
    data["_row"] = pd.Series(rows, dtype="int64", copy=False)
    key = RECORD_ID_COLUMN[source]
    record_ids = columns[key] if key is not None and key in columns else None
    n = len(rows)
    # The key column itself (pandas shares it copy-on-write), not a copy.
    data["_record_id"] = (
        record_ids if record_ids is not None else pd.Series([None] * n, dtype=object)
    )
    # A categorical: one byte per row, and the findings take its codes, not strings.
    data["_phone_column"] = pd.Series(
        pd.Categorical.from_codes(np.zeros(n, dtype=np.int8), categories=["phone"]), copy=False
    )
    # concat does not consolidate the object columns into one block (a full copy).
    frame = pd.concat(data, axis=1)
    frame.index = pd.RangeIndex(n)
    return frame


def _wide_frame(
    columns: dict[str, pd.Series],
    layout: WideLayout,
    converter: _Converter,
    rows: np.ndarray,
) -> pd.DataFrame:
    records = {
        header: converter.convert(field_name, header)
        for fields in layout.slots.values()
        for field_name, header in fields.items()
    }
    shared: dict[str, pd.Series] = {
        c: columns[c] for c in ("borrower_id", "verified_at") if c in columns
    }
    long = unpivot(
        records,
        layout,
        rows=rows,
        shared=shared,
        # Blank cells are found on the original text (fast pyarrow string kernels).
        blank=lambda header: blank_cells(converter.original[header]),
    )
    ordered = [c for c in SOURCE_COLUMNS["contacts"] if c in long.columns]
    data = {c: long[c] for c in [*ordered, "_row"]}
    data["_record_id"] = (
        long["contact_id"] if "contact_id" in long else pd.Series([None] * len(long), dtype=object)
    )
    data["_phone_column"] = long["_phone_column"]
    return pd.concat(data, axis=1)
