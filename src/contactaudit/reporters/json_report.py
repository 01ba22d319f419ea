"""The JSON report (DESIGN.md §6): the machine contract other programs read.

Deterministic for the same inputs and ``--as-of``: no timing fields, sorted findings,
keys in the contract's order. ``phone_e164`` and ``phone_raw`` appear only with
``--reveal-phones``. Gate reports add a ``gate`` object with message counts.

Layout (the contract fixes the data, not the whitespace): the header is indented by
two spaces, the ``findings`` array holds one finding per line. ``render_chunks``
streams the text: a million findings never exist as one dict each nor as one string.
Each column is encoded once per distinct value (codes, severities, messages and masks
repeat a lot) and the lines are assembled by whole-column Arrow string joins, a chunk
of ``CHUNK_ROWS`` findings at a time. ``json.loads(render(r)) == report_to_dict(r)``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from contactaudit import __version__
from contactaudit.models import REPORT_FIELDS, AuditReport
from contactaudit.reporters._common import arrow_text, flat_related, ordered_map

SCHEMA_VERSION = 1
CHUNK_ROWS = 10_000

# The scalar fields; related and status are written separately.
_FIELDS = REPORT_FIELDS[: REPORT_FIELDS.index("related")]

# What json.dumps(ensure_ascii=False) escapes; everything else goes between quotes as is.
_NEEDS_ESCAPE = r'[\x00-\x1f"\\]'
_INDENT = "    "
_SEPARATOR = ",\n" + _INDENT


def finding_dicts(report: AuditReport) -> list[dict[str, Any]]:
    """The ``findings`` array as Python objects (for library users and tests; slow)."""
    f = report.findings
    if f.empty:
        return []
    columns: dict[str, list[Any]] = {}
    for name in _FIELDS:
        series = f[name].astype("object")
        columns[name] = series.where(series.notna(), None).tolist()
    columns["row"] = [int(r) for r in f["row"].tolist()]
    related = _related_objects(f["related"].tolist())
    status = f["status"].astype("object")
    status_list = status.where(status.notna(), None).tolist()
    reveal = report.reveal_phones
    if reveal:
        e164 = f["e164"].astype("object")
        raw = f["raw"].astype("object")
        e164_list = e164.where(e164.notna(), None).tolist()
        raw_list = raw.where(raw.notna(), None).tolist()
    out = []
    for i in range(len(f)):
        item = {name: columns[name][i] for name in _FIELDS}
        item["related"] = related[i]
        item["status"] = status_list[i]
        if reveal:
            item["phone_e164"] = e164_list[i]
            item["phone_raw"] = raw_list[i]
        out.append(item)
    return out


def _header(report: AuditReport) -> dict[str, Any]:
    data: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "contactaudit", "version": __version__},
        "command": report.command,
        "as_of": report.as_of.isoformat(),
        "default_region": report.default_region,
        "inputs": [info.to_dict() for info in report.inputs],
        "summary": report.summary(),
    }
    data["summary"]["fail_on"] = report.fail_on
    data["summary"]["exit_status"] = report.exit_status
    if report.gate_counts is not None:
        data["gate"] = dict(report.gate_counts)
    return data


def report_to_dict(report: AuditReport) -> dict[str, Any]:
    """The whole report as Python objects, equal to ``json.loads(render(report))``."""
    data = _header(report)
    data["findings"] = finding_dicts(report)
    return data


def render(report: AuditReport) -> str:
    return "".join(render_chunks(report))


def render_chunks(report: AuditReport) -> Iterator[str]:
    """The JSON text in pieces of about ``CHUNK_ROWS`` findings each."""
    for piece in render_byte_chunks(report):
        yield str(piece, "utf-8")


def render_byte_chunks(report: AuditReport) -> Iterator[bytes | memoryview]:
    """``render_chunks`` as UTF-8 bytes, straight from Arrow's buffers (no decoding);
    the findings come as views of those buffers, not copied into ``bytes``."""
    head = json.dumps(_header(report), ensure_ascii=False, indent=2, default=_default)
    # The header is a non-empty object: reopen it to append the findings array last.
    yield (head[: -len("\n}")] + ',\n  "findings": [').encode("utf-8")
    f = report.findings
    if f.empty:
        yield b"]\n}\n"
        return
    fields = [*_FIELDS, "related", "status"]
    sources = {name: name for name in fields}
    if report.reveal_phones:
        fields += ["phone_e164", "phone_raw"]
        sources.update(phone_e164="e164", phone_raw="raw")
    encoded = {
        name: _encode_column(f[sources[name]]) for name in fields if name not in ("row", "related")
    }
    rows = f["row"].to_numpy(dtype=np.int64)
    related = f["related"].to_numpy(dtype=object)
    # Each field as (literal before its value, how its value is made). Every line starts
    # with the separator, so a chunk's lines are one run of bytes in Arrow's buffer.
    layout: list[tuple[str, Any]] = [
        ((_SEPARATOR + "{" if i == 0 else ", ") + json.dumps(name) + ": ", encoded.get(name, name))
        for i, name in enumerate(fields)
    ]
    layout = _join_coded_runs(layout)

    def lines(start: int) -> memoryview:
        stop = min(start + CHUNK_ROWS, len(f))
        parts: list[Any] = []
        for literal, value in layout:
            parts.append(literal)
            if value == "row":
                parts.append(pc.cast(pa.array(rows[start:stop]), pa.string()))
            elif value == "related":
                parts.append(_related_json(related[start:stop]))
            else:
                parts.extend(value.pieces(start, stop))
        parts.append("}")
        joined = pc.binary_join_element_wise(*_merge_literals(parts), "")
        # The lines' bytes as they lie in the array's data buffer: no joined copy. The
        # document's first line has no comma before it.
        _, offsets, data = joined.buffers()
        bounds = np.frombuffer(offsets, dtype=np.int32)[
            [joined.offset, joined.offset + len(joined)]
        ]
        first = int(bounds[0]) + (1 if start == 0 else 0)
        return memoryview(data)[first : int(bounds[1])]

    # Chunks render on both cores (Arrow's joins release the GIL), written in order.
    yield from ordered_map(lines, range(0, len(f), CHUNK_ROWS))
    yield b"\n  ]\n}\n"


@dataclass(frozen=True)
class _Encoded:
    """A column's JSON text: per distinct value plus a code per finding, or computed
    piece by piece from the values themselves (as one Arrow array when they are text,
    so a piece is Arrow work only and renders on another core)."""

    texts: pa.Array | None = None
    codes: np.ndarray | None = None
    text: pa.Array | None = None
    values: np.ndarray | None = None
    plain: bool = False  # no value of ``text`` needs a JSON escape (checked once)

    @property
    def coded(self) -> bool:
        return self.texts is not None and self.codes is not None

    def pieces(self, start: int, stop: int) -> list[Any]:
        """The piece's JSON text as parts of the line join: plain text without nulls
        joins between two quote literals (no quoted copy of the column)."""
        if self.text is not None:
            text = self.text.slice(start, stop - start)
            if not text.null_count and (self.plain or not _may_need_escapes(text)):
                return ['"', text, '"']
        return [self.piece(start, stop)]

    def piece(self, start: int, stop: int) -> pa.Array:
        if self.text is not None:
            return pc.fill_null(_json_text(self.text.slice(start, stop - start)), "null")
        if self.values is not None:
            return _json_piece(self.values[start:stop])
        assert self.texts is not None and self.codes is not None
        return self.texts.take(pa.array(self.codes[start:stop]))


def _join_coded_runs(layout: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    """Adjacent fields whose values are coded (code, severity, remediation, source …)
    as one coded field: its texts are the combinations that occur, literals included,
    so a chunk takes one text per finding for the run instead of one per field."""
    out: list[tuple[str, Any]] = []
    i = 0
    while i < len(layout):
        j = i
        while j < len(layout) and isinstance(layout[j][1], _Encoded) and layout[j][1].coded:
            j += 1
        if j - i < 2:
            out.append(layout[i])
            i += 1
            continue
        run = [value for _, value in layout[i:j]]
        sizes = [len(value.texts) for value in run]
        combined = np.ravel_multi_index([value.codes for value in run], sizes)
        codes, combos = pd.factorize(combined)
        picks = np.unravel_index(combos, sizes)
        texts = [value.texts.to_pylist() for value in run]
        joined = [
            "".join(
                (literal if k else "") + texts[k][picks[k][c]]
                for k, (literal, _) in enumerate(layout[i:j])
            )
            for c in range(len(combos))
        ]
        out.append((layout[i][0], _Encoded(texts=pa.array(joined, pa.string()), codes=codes)))
        i = j
    return out


def _merge_literals(parts: list[Any]) -> list[Any]:
    """Adjacent literal strings as one (fewer inputs to the row-wise join)."""
    merged: list[Any] = []
    for part in parts:
        if isinstance(part, str) and merged and isinstance(merged[-1], str):
            merged[-1] += part
        else:
            merged.append(part)
    return merged


_SAMPLE = 4096
_MOSTLY_DISTINCT = 0.25


def _encode_column(series: pd.Series) -> _Encoded:
    """The JSON text of a column's values, ``null`` for missing ones.

    Repetitive columns (codes, severities, messages …) are factorised and only their
    distinct values encoded. Mostly distinct ones (ids, keys, masks; judged on a
    sample) are encoded a piece at a time when the piece is rendered: hashing them
    would cost more than it saves, and a whole-column copy would only add memory.
    """
    if isinstance(series.dtype, pd.CategoricalDtype):  # the catalogue columns: codes ready
        codes = series.cat.codes.to_numpy()
        categories = np.asarray(series.cat.categories, dtype=object)
        texts = pa.concat_arrays([_json_piece(categories), pa.array(["null"])])
        return _Encoded(texts=texts, codes=np.where(codes < 0, len(categories), codes))
    text = arrow_text(series)
    if text is not None:  # ids and cells the checks kept as Arrow
        sample = text.take(pa.array(np.arange(0, len(text), max(1, len(text) // _SAMPLE))))
        if len(pc.unique(sample)) > _MOSTLY_DISTINCT * len(sample):
            return _Encoded(text=text, plain=not _may_need_escapes(text))
        encoded = text.dictionary_encode()
        codes = pc.fill_null(encoded.indices, len(encoded.dictionary))
        texts = pa.concat_arrays([_json_piece(encoded.dictionary), pa.array(["null"])])
        return _Encoded(texts=texts, codes=codes.to_numpy(zero_copy_only=False))
    values = series.to_numpy(dtype=object)
    step = max(1, len(values) // _SAMPLE)
    sample = values[::step]
    if len(pd.unique(sample)) > _MOSTLY_DISTINCT * len(sample):
        try:
            text = pa.array(values, type=pa.string(), from_pandas=True)
            return _Encoded(text=text, plain=not _may_need_escapes(text))
        except (pa.ArrowException, UnicodeError):  # not all text: json.dumps per piece
            return _Encoded(values=values)
    codes, uniques = pd.factorize(values)
    texts = pa.concat_arrays([_json_piece(np.asarray(uniques, dtype=object)), pa.array(["null"])])
    return _Encoded(texts=texts, codes=np.where(codes < 0, len(uniques), codes))


def _json_piece(values: np.ndarray) -> pa.Array:
    """JSON text per value, ``null`` for None/NaN: Arrow for text, ``json.dumps`` per
    value for anything else."""
    try:
        text = pa.array(values, type=pa.string(), from_pandas=True)
    except (pa.ArrowException, UnicodeError):
        dumped = [
            "null" if _missing(v) else json.dumps(v, ensure_ascii=False, default=_default)
            for v in values
        ]
        return pa.array(dumped, type=pa.string())
    return pc.fill_null(_json_text(text), "null")


def _missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # containers
        return False


def _json_text(text: pa.Array) -> pa.Array:
    """``json.dumps(v, ensure_ascii=False)`` of each string (nulls stay null): one Arrow
    join puts plain text between quotes; ``json.dumps`` runs only for values that need
    escapes (a quote, a backslash, a control character)."""
    quoted = pc.binary_join_element_wise('"', text, '"', "")
    if not _may_need_escapes(text):
        return quoted
    escape = pc.fill_null(pc.match_substring_regex(text, _NEEDS_ESCAPE), False)
    if not pc.any(escape).as_py():
        return quoted
    where = pa.array(np.flatnonzero(escape.to_numpy(zero_copy_only=False)))
    dumped = [json.dumps(v, ensure_ascii=False) for v in text.take(where).to_pylist()]
    return pc.replace_with_mask(quoted, escape, pa.array(dumped, type=pa.string()))


def _may_need_escapes(text: pa.Array) -> bool:
    """Whether any byte of the strings' characters is a quote, a backslash or a control
    character: one numpy pass over the array's own bytes, not a regex per value."""
    if not pa.types.is_string(text.type):
        return True
    _, offsets, data = text.buffers()
    if data is None or len(text) == 0:
        return False
    bounds = np.frombuffer(offsets, dtype=np.int32)[[text.offset, text.offset + len(text)]]
    chars = np.frombuffer(data, dtype=np.uint8)[bounds[0] : bounds[1]]
    # A block at a time: the comparisons' temporaries stay in cache (whole-column ones
    # were fresh pages of up to 90 MB each: 0.23 s for the messages of 1.87M findings,
    # 0.04 s this way), and the first block that needs one ends the search.
    for first in range(0, len(chars), _SCAN_BLOCK):
        block = chars[first : first + _SCAN_BLOCK]
        if ((block < 0x20) | (block == 0x22) | (block == 0x5C)).any():
            return True
    return False


_SCAN_BLOCK = 1 << 20


def _related_json(values: np.ndarray) -> pa.Array:
    """Each finding's ``related`` list as JSON text (``[]`` when it has none)."""
    flat = flat_related(values)
    if flat is None:
        return pa.array(
            [
                json.dumps(rel, ensure_ascii=False, default=_default)
                for rel in _related_objects(values)
            ],
            type=pa.string(),
        )
    items = pc.binary_join_element_wise(
        '{"source": ',
        _quoted(flat.sources),
        ', "row": ',
        pc.cast(flat.rows, pa.string()),
        ', "record_id": ',
        _quoted(flat.record_ids),
        "}",
        "",
    )
    joined = pc.binary_join(pa.ListArray.from_arrays(flat.offsets, items), ", ")
    return pc.binary_join_element_wise("[", joined, "]", "")


def _quoted(text: pa.Array) -> pa.Array:
    """JSON text of an Arrow string array, null as ``null``."""
    return pc.fill_null(_json_text(text), "null")


def _related_objects(values: Any) -> list[list[dict[str, Any]]]:
    """``related`` as lists of dicts; None/NaN (no related records) as ``[]``, a NaN
    record id as None."""
    return [
        [
            {"source": s, "row": int(r), "record_id": None if rid is None or rid != rid else rid}
            for s, r, rid in rel
        ]
        if isinstance(rel, tuple | list)
        else []
        for rel in values
    ]


def _default(value: Any) -> Any:
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")
