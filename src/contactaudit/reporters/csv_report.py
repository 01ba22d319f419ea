"""findings.csv: one row per finding, the JSON fields flattened, safe to open in Excel.

Choices the contract leaves open:

- The file is UTF-8 **with a BOM**: without it Excel on Windows decodes UTF-8 as the
  ANSI code page and Chinese names, messages and headers turn into mojibake. The
  reporter returns bytes so the BOM is part of the payload, not of the writer.
- Lines end in CRLF (RFC 4180, what Excel writes). Every text cell and the header are
  double-quoted (Arrow's writer does that; OWASP recommends it), ``row`` is bare.
- ``related`` is flattened to ``source:row:record_id`` (``source:row`` when the
  related record has no id), joined by ``;``.
- Every text cell that begins with ``=``, ``+``, ``-``, ``@``, tab, CR or LF gets a
  leading ``'`` (OWASP "CSV injection"): a record id such as ``=HYPERLINK(…)`` typed
  into a lender's system must not run as a formula on the analyst's machine. Phone
  values are included, so a revealed ``+8613812345678`` is written
  ``'+8613812345678`` — the cost is that a program reading the file must strip the
  quote; ``report.json`` is the machine-readable form. ``row`` is an integer and
  never prefixed.
- ``phone_e164`` and ``phone_raw`` are written only with ``reveal_phones``.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from contactaudit.models import REPORT_FIELDS, REVEAL_FIELDS, AuditReport
from contactaudit.reporters._common import (
    arrow_text,
    categorical_text,
    ordered_map,
    related_text_array,
)

FIELDS = REPORT_FIELDS

# The characters a spreadsheet treats as the start of a formula (OWASP list).
_FORMULA_START = pa.array(["=", "+", "-", "@", "\t", "\r", "\n"])
_NULL_TEXT = pa.scalar(None, pa.string())

BOM = "\ufeff"
LINE_END = "\r\n"
CHUNK_ROWS = 20_000


def render(report: AuditReport, *, reveal_phones: bool = False) -> bytes:
    """The findings as CSV bytes (UTF-8 with BOM, CRLF), formula-neutralised."""
    return b"".join(render_byte_chunks(report, reveal_phones=reveal_phones))


def render_byte_chunks(
    report: AuditReport, *, reveal_phones: bool = False
) -> Iterator[bytes | memoryview]:
    """``render`` in pieces of ``CHUNK_ROWS`` findings: the Arrow columns and the text
    of one piece at a time, never the whole file (hundreds of MB at a million findings).
    Pieces after the header are views of Arrow's output buffers, not ``bytes`` copies."""
    f = report.findings
    names = FIELDS + (REVEAL_FIELDS if reveal_phones else ())
    source = {"phone_e164": "e164", "phone_raw": "raw"}
    values = {name: _text_or_objects(f[source.get(name, name)]) for name in names if name != "row"}
    rows = f["row"].to_numpy(dtype="int64")
    schema = pa.schema([(n, pa.int64() if n == "row" else pa.string()) for n in names])
    # Arrow's C++ writer is several times faster than pandas.to_csv on a million
    # findings. It quotes every text cell (OWASP advises that too); ``row`` stays bare.
    options = pacsv.WriteOptions(eol=LINE_END, quoting_style="needed", batch_size=65_536)
    sink = io.BytesIO()
    sink.write(BOM.encode("utf-8"))
    with pacsv.CSVWriter(sink, schema, write_options=options):  # writes the header
        pass
    yield sink.getvalue()
    body = pacsv.WriteOptions(
        eol=LINE_END, quoting_style="needed", batch_size=65_536, include_header=False
    )

    def lines(start: int) -> memoryview:
        part = slice(start, start + CHUNK_ROWS)
        columns = []
        for name in names:
            if name == "row":
                columns.append(pa.array(rows[part]))
            elif name == "related":
                # No related records: an empty cell like any other missing value.
                text = related_text_array(values[name][part])
                columns.append(neutralise(pc.if_else(pc.equal(text, ""), _NULL_TEXT, text)))
            else:
                columns.append(neutralise(values[name][part]))
        out = pa.BufferOutputStream()
        pacsv.write_csv(pa.record_batch(columns, schema=schema), out, write_options=body)
        return memoryview(out.getvalue())

    # Chunks render on both cores (Arrow's kernels and writer release the GIL), in order.
    yield from ordered_map(lines, range(0, len(f), CHUNK_ROWS))


def _text_or_objects(series: pd.Series) -> pa.Array | np.ndarray:
    text = arrow_text(series)
    if text is None:
        text = categorical_text(series)
    return text if text is not None else series.to_numpy(dtype=object)


def neutralise(values: pd.Series | np.ndarray | list[str] | pa.Array) -> pa.Array:
    """Text cells as an Arrow string array, ``'`` prefixed where a spreadsheet would
    see a formula. Whole-column Arrow kernels: no Python per cell, and no copy at all
    for the usual column that has nothing to neutralise."""
    if isinstance(values, pa.Array):
        text = values
    else:
        if isinstance(values, pd.Series):
            values = values.to_numpy(dtype=object)
        text = pa.array(values, type=pa.string(), from_pandas=True)
    first = pc.utf8_slice_codeunits(text, 0, 1)
    risky = pc.fill_null(pc.is_in(first, value_set=_FORMULA_START), False)
    if not pc.any(risky).as_py():
        return text
    return pc.if_else(risky, pc.binary_join_element_wise("'", text, ""), text)
