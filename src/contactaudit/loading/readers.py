"""Bytes to a table of text cells: format and encoding detection, one reader per format.

Every reader returns a :class:`RawTable`: the original headers, one text column per
header (never numbers), and the spreadsheet row of each record.

Choices where the contract is silent:

- The format comes from the content (ZIP → xlsx, ``PAR1`` → Parquet, OLE2 → legacy
  .xls, ``{`` → JSON Lines, ``[`` → a JSON array of objects, else delimited text);
  the extension is only a hint (``.tsv`` prefers tab when sniffing is undecided).
  A binary/text disagreement (a workbook named ``.csv``, CSV text named ``.xlsx``,
  Parquet named ``.csv``) is an input error, as issue 8 asks: the export step that
  produced it is broken. Text formats named after each other only warn
  (``format-mismatch``), and ``.txt`` files are whatever their content is.
- Rows: the header is the first non-blank row; a record's ``_row`` is its position in
  the file as a spreadsheet shows it (header row 1 in the usual case). Blank lines
  (CSV) and empty rows (xlsx) are not records, but they keep their row number, as
  Excel shows them. Quoted line breaks do not shift rows. JSON Lines and Parquet have
  no header row; their records are numbered as if they had one (first record row 2),
  blank JSON lines included.
- Cells: an empty cell is None; nothing else is treated as missing here (``NA``,
  ``null``, ``0`` stay text: null tokens are the phone checks' business). A CSV line
  shorter than the header is padded with None, as a spreadsheet would show it.
- Excel numbers: integral values are written as exact digits (``13812345678``), others
  with Python's shortest repr; date cells become ISO text. Parquet and JSON Lines
  integers are exact digits; integral Parquet floats follow the Excel rule; JSON
  numbers keep the text written in the file (``1.3812345678E10`` stays as written so
  the phone checks can see the precision loss).
- A column with an empty header and no data (a trailing delimiter) is dropped; one
  with data is named ``column<N>`` and reported in a warning.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from contactaudit.errors import InputError

DELIMITERS = ",;\t|"
_NON_BLANK = re.compile(rb"[^ \t\r\n\x00]")
_LEADING_BREAKS = re.compile(rb"[\r\n]*")
_LINE_BREAK = re.compile(rb"\r\n|\r|\n")
_NON_ASCII = re.compile(rb"[\x80-\xff]")
_EXACT_FLOAT_INT = 2**53
_SEP_LINE = re.compile(r"sep=([,;\t|])(?:\r\n|\r|\n)")

_EXTENSIONS = {
    ".csv": "csv", ".txt": "csv", ".tsv": "tsv", ".tab": "tsv",
    ".xlsx": "xlsx", ".xlsm": "xlsx", ".xls": "xls",
    ".parquet": "parquet", ".pq": "parquet",
    ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json",
}  # fmt: skip
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


@dataclass
class RawTable:
    """Headers, one text column per header, and the spreadsheet row of each record.

    Columns are pandas ``str`` Series (pyarrow-backed, missing = NaN) with a
    RangeIndex: from pyarrow's CSV reader they arrive without a copy, and the loader
    turns only the columns it uses into Python objects.
    """

    headers: list[str]
    columns: list[pd.Series]
    rows: np.ndarray
    format: str
    encoding: str | None
    warnings: list[dict[str, Any]] = field(default_factory=list)


def read_table(data: bytes, *, path: str, encoding: str | None, sheet: str | None) -> RawTable:
    """Detect the format of ``data`` and read it as text cells."""
    if _NON_BLANK.search(data) is None:
        raise InputError(f"{path}: the file is empty. Export it again with a header row.")
    hint = _EXTENSIONS.get(Path(path).suffix.lower()) if path != "-" else None
    fmt = _binary_format(data)
    if fmt is None and data[:2] == b"\x1f\x8b":
        raise InputError(f"{path}: the file is gzip-compressed. Decompress it first.")
    if fmt in ("xlsx", "xls"):
        table = _read_excel(data, path=path, sheet=sheet, fmt=fmt)
    elif fmt == "parquet":
        table = _read_parquet(data, path=path)
    else:
        table = _read_utf8(data, path=path, encoding=encoding, hint=hint) or _read_decoded(
            data, path=path, encoding=encoding, hint=hint
        )
    suffix = Path(path).suffix.lower()
    if hint is not None and suffix != ".txt" and _binary_mismatch(hint, table.format):
        raise InputError(
            f"{path}: the name says {_KIND[hint]} ({Path(path).suffix}) but the file is "
            f"{_KIND[table.format]}. Export it again in the format its name says, or rename "
            "it to match its content, and run again."
        )
    if hint is not None and not _compatible(hint, table.format):
        table.warnings.append(
            {
                "issue": "format-mismatch",
                "extension": Path(path).suffix.lower(),
                "format": table.format,
            }
        )
    return _tidy(table, path=path)


_BINARY = frozenset({"xlsx", "xls", "parquet"})
_KIND = {
    "csv": "CSV text", "tsv": "tab-separated text", "jsonl": "JSON Lines text",
    "json": "JSON text", "xlsx": "an Excel workbook", "xls": "an Excel workbook",
    "parquet": "a Parquet file",
}  # fmt: skip


def _binary_mismatch(hint: str, fmt: str) -> bool:
    """A workbook named .csv, or text named .xlsx: issue 8 makes these input errors.

    The two Excel formats are one family (legacy exports name xlsx files .xls);
    text formats named after each other (a .txt CSV, TSV in a .csv) only warn.
    """
    excel = {"xlsx", "xls"}
    if hint in excel and fmt in excel:
        return False
    return (hint in _BINARY or fmt in _BINARY) and hint != fmt


def _compatible(hint: str, fmt: str) -> bool:
    groups = ({"csv", "tsv"}, {"jsonl", "json"})
    return hint == fmt or any(hint in g and fmt in g for g in groups)


def _binary_format(data: bytes) -> str | None:
    if data[:4] == b"PK\x03\x04":
        return "xlsx"
    if data[:4] == b"PAR1":
        return "parquet"
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return "xls"
    return None


# --- encodings -------------------------------------------------------------------


def _decode(data: bytes, *, path: str, encoding: str | None, hint: str | None) -> tuple[str, str]:
    """Text and the encoding used: BOM, else strict UTF-8, else strict GB18030."""
    if encoding is not None:
        try:
            name = codecs.lookup(encoding).name
        except LookupError:
            raise InputError(
                f"{path}: unknown encoding '{encoding}'. Use a Python codec name such as "
                "utf-8, gb18030, big5 or utf-16."
            ) from None
        try:
            text = data.decode(name)
        except UnicodeDecodeError as exc:
            raise InputError(
                f"{path}: the file is not valid {name} text (first bad byte at offset "
                f"{exc.start}). Check the encoding, or drop the encoding option to detect it."
            ) from None
        return _check_text(text.removeprefix("\ufeff"), path=path, hint=hint), name
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(name)
            except UnicodeDecodeError:
                raise InputError(
                    f"{path}: the file starts with a {name} byte-order mark but is not valid "
                    f"{name} text. Export it again."
                ) from None
            return _check_text(text.removeprefix("\ufeff"), path=path, hint=hint), name
    utf16 = _bomless_utf16(data)
    if utf16:
        try:
            return _check_text(data.decode(utf16), path=path, hint=hint), utf16
        except UnicodeDecodeError:
            raise _not_an_export(path, hint) from None
    try:
        return _check_text(data.decode("utf-8"), path=path, hint=hint), "utf-8"
    except UnicodeDecodeError as exc:
        bad_at = exc.start
    # Damaged UTF-8 must not be read as GB18030: that would turn every Chinese
    # character into another one without a word. But GBK text can also start with
    # valid UTF-8 by chance (陆伟 and 状态 are valid UTF-8 byte pairs), so judge by what
    # the valid part is, not by whether there is one.
    if _damaged_utf8(data, bad_at):
        line = data.count(b"\n", 0, bad_at) + 1
        raise InputError(
            f"{path}: the file is UTF-8 text with an invalid byte at offset {bad_at} (line "
            f"{line}). Export it again, or set the encoding option if it is not UTF-8."
        )
    try:
        return _check_text(data.decode("gb18030"), path=path, hint=hint), "gb18030"
    except UnicodeDecodeError:
        raise _not_an_export(path, hint) from None


def _read_decoded(data: bytes, *, path: str, encoding: str | None, hint: str | None) -> RawTable:
    """Text read after decoding all of it (any encoding, JSON, or a file to report)."""
    text, used = _decode(data, path=path, encoding=encoding, hint=hint)
    # UTF-8 input goes to the CSV parser as the bytes read, not re-encoded.
    utf8 = used in ("utf-8", "utf-8-sig")
    return _read_text(
        text,
        utf8=data if utf8 else None,
        skip=_utf8_bom(data) if utf8 else 0,
        path=path,
        encoding=used,
        hint=hint,
    )


# Bytes of UTF-8 decoded for sniffing: _SNIFF_CHARS characters and more, unless the
# file opens with masses of line breaks or 4-byte characters (then all is decoded).
_HEAD_BYTES = 1 << 23


def _read_utf8(
    data: bytes, *, path: str, encoding: str | None, hint: str | None
) -> RawTable | None:
    """Delimited UTF-8 text read from its bytes, decoding only the head for sniffing.

    Arrow checks that the whole file is UTF-8 (as strictly as Python's decoder) in a
    third of the time a full decode takes and without building a string twice the
    file's size. None sends the file to :func:`_read_decoded`, which reads or reports
    it as before: another encoding, bytes that are not UTF-8 (GB18030, damage), a NUL,
    an empty or JSON text, or a head too short for sniffing.
    """
    used = _utf8_choice(data, encoding)
    if used is None or b"\x00" in data:
        return None
    skip = _utf8_bom(data)
    if not _valid_utf8(data, skip):
        return None
    complete = len(data) - skip <= _HEAD_BYTES
    head = codecs.getincrementaldecoder("utf-8")().decode(data[skip : skip + _HEAD_BYTES])
    if used == "utf-8-sig":
        # As _decode: the codec and then _decode drop a BOM each, the bytes skip one.
        head = head.removeprefix("\ufeff")
    found = re.search(r"\S", head)
    if found is None or found.group(0) in "{[":
        return None
    if not complete and len(_sniff_sample(head)[2]) < _SNIFF_CHARS:
        return None
    return _read_text(head, utf8=data, skip=skip, path=path, encoding=used, hint=hint)


def _utf8_choice(data: bytes, encoding: str | None) -> str | None:
    """The codec name when :func:`_decode` would read ``data`` as UTF-8, else None."""
    if encoding is not None:
        try:
            name = codecs.lookup(encoding).name
        except LookupError:
            return None
        return name if name in ("utf-8", "utf-8-sig") else None
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name if name == "utf-8-sig" else None
    return None if _bomless_utf16(data) else "utf-8"


def _utf8_bom(data: bytes) -> int:
    return len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0


def _valid_utf8(data: bytes, start: int) -> bool:
    """Whether ``data[start:]`` is UTF-8, checked by Arrow without decoding it."""
    import pyarrow as pa

    size = len(data) - start
    offsets = pa.py_buffer(np.array([0, size], dtype=np.int64))
    text = pa.Array.from_buffers(pa.large_string(), 1, [None, offsets, pa.py_buffer(data)[start:]])
    try:
        text.validate(full=True)
    except pa.ArrowInvalid:
        return False
    return True


_UTF8_WINDOW = 1 << 16
# Characters that valid UTF-8 Chinese text has and GBK bytes almost never form by
# chance (a GBK pair that is valid UTF-8 decodes below U+0800: Hebrew, Greek, marks).
_CJK = re.compile("[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
# Damaged UTF-8 is nearly all valid characters; GBK text is mostly invalid UTF-8 (about
# one Chinese character in six or seven happens to form a valid UTF-8 sequence).
_DAMAGED_UTF8_RATIO = 3


def _damaged_utf8(data: bytes, bad_at: int) -> bool:
    """Whether text that fails UTF-8 at ``bad_at`` is UTF-8 with a fault, not GBK.

    UTF-8 Chinese before the fault (a truncated file, a GBK line appended to a UTF-8
    file) or mostly valid UTF-8 around it (accented Latin names) says UTF-8.
    """
    if _NON_ASCII.search(data, 0, bad_at) is None:
        return False
    before = data[max(0, bad_at - _UTF8_WINDOW) : bad_at].decode("utf-8", errors="replace")
    if _CJK.search(before):
        return True
    window = data[max(0, bad_at - _UTF8_WINDOW) : bad_at + _UTF8_WINDOW]
    text = window.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    good = len(text) - len(text.encode("ascii", errors="ignore")) - bad
    return good >= _DAMAGED_UTF8_RATIO * bad


def _bomless_utf16(data: bytes) -> str | None:
    """UTF-16 without a BOM: NULs (the high bytes of ASCII characters) on one side only.

    Chinese characters rarely have a NUL byte (U+4E00 一 has one), so a Chinese header
    (bcp -w, some ETL tools) leaves only part of the pairs with a NUL: a fifth of the
    pairs is enough when the other side has at most a tenth as many. Text with a stray
    NUL has far fewer and is left to the NUL check.
    """
    head = data[:4096]
    head = head[: len(head) - len(head) % 2]
    if len(head) < 4:
        return None
    even, odd = head[0::2].count(0), head[1::2].count(0)
    pairs = len(head) // 2
    if odd * 5 >= pairs and even * 10 <= odd:
        return "utf-16-le"
    if even * 5 >= pairs and odd * 10 <= even:
        return "utf-16-be"
    return None


def _check_text(text: str, *, path: str, hint: str | None) -> str:
    nul = text.find("\x00")
    if nul >= 0:
        if hint in ("xlsx", "xls", "parquet"):
            raise _not_an_export(path, hint)
        line = text.count("\n", 0, nul) + 1
        raise InputError(
            f"{path}: line {line} contains a NUL byte, so the file is damaged or not a text "
            "export (database exports sometimes pad fields with NULs). Remove the NUL bytes "
            "or export it again."
        )
    if re.search(r"\S", text) is None:
        raise InputError(f"{path}: the file is empty. Export it again with a header row.")
    return text


def _not_an_export(path: str, hint: str | None) -> InputError:
    if hint in ("xlsx", "xls"):
        return InputError(
            f"{path}: the file is named like an Excel workbook but is neither a workbook nor "
            "text. Open it in Excel and save it again as .xlsx or CSV UTF-8."
        )
    if hint == "parquet":
        return InputError(f"{path}: the file is named .parquet but is not a Parquet file.")
    return InputError(
        f"{path}: the file is not UTF-8 or GB18030 text, an .xlsx workbook or a Parquet file. "
        "If it is text in another encoding, set the encoding option (e.g. big5, utf-16)."
    )


# --- delimited text ----------------------------------------------------------------


def _read_text(
    text: str, *, utf8: bytes | None, skip: int = 0, path: str, encoding: str, hint: str | None
) -> RawTable:
    """JSON or delimited text. ``utf8``, when given, is the file's UTF-8 bytes, read from
    ``skip`` (after a BOM); delimited text is then parsed from them, and ``text`` is
    only sniffed, so it may be just a head that :func:`_sniff_sample` takes whole."""
    # Searching, not lstrip(): that would copy a large file.
    found = re.search(r"\S", text)
    first = found.group(0) if found else ""
    if first == "{":
        return _read_jsonl(text, path=path, encoding=encoding)
    if first == "[":
        return _read_json_array(text, path=path, encoding=encoding)
    named, rows_at, sample = _sniff_sample(text)
    delimiter = named or sniff_delimiter(sample, prefer_tab=hint == "tsv")
    fmt = "tsv" if delimiter == "\t" else "csv"
    if utf8 is None:  # decoded from another encoding: the parsers read UTF-8
        utf8, skip = text.encode("utf-8"), 0
    headers, columns, rows = _parse_delimited(
        sample,
        utf8=utf8,
        # The sep= line is ASCII: as many bytes as characters.
        skip=skip + rows_at,
        delimiter=delimiter,
        path=path,
    )
    return RawTable(headers, columns, rows, fmt, encoding)


_SNIFF_CHARS = 1 << 21


def _sniff_sample(text: str) -> tuple[str | None, int, str]:
    """The delimiter a ``sep=`` line names (else None), where the rows start, and the
    text sniffing reads: up to _SNIFF_CHARS characters from the first row on.

    Excel's "sep=;" first line names the delimiter. Excel hides the line, so the rows
    are counted from the header after it.
    """
    sep = _SEP_LINE.match(text)
    rows_at = sep.end() if sep is not None else 0
    return (sep.group(1) if sep is not None else None), rows_at, _skip_breaks(text, rows_at)


def sniff_delimiter(text: str, *, prefer_tab: bool = False) -> str:
    """The delimiter among ``, ; tab |``, from the first lines.

    csv.Sniffer decides when its answer is in the header line; otherwise the
    candidate that splits the header line most wins (a one-column file is ``,``).
    """
    sample = _first_lines(_skip_breaks(text), 20, 65536)
    # splitlines-style: old Mac exports end lines with a bare CR.
    header = re.split(r"\r\n?|\n", sample, maxsplit=1)[0]
    counts = {d: header.count(d) for d in DELIMITERS}
    try:
        sniffed: str | None = csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        sniffed = None
    if sniffed and counts.get(sniffed, 0) > 0:
        return sniffed
    best = max(DELIMITERS, key=lambda d: (counts[d], d == "\t" and prefer_tab))
    if counts[best] == 0:
        return "\t" if prefer_tab else ","
    return best


def _skip_breaks(text: str, start: int = 0) -> str:
    """Up to _SNIFF_CHARS characters of ``text`` from its first non-line-break character
    at or after ``start`` (a slice, not a full copy)."""
    while start < len(text) and text[start] in "\r\n":
        start += 1
    return text[start : start + _SNIFF_CHARS]


def _first_lines(text: str, lines: int, limit: int) -> str:
    end = 0
    for _ in range(lines):
        nxt = text.find("\n", end)
        if nxt == -1 or nxt > limit:
            return text[:limit]
        end = nxt + 1
    return text[:end]


def _parse_delimited(
    text: str, *, utf8: bytes, skip: int, delimiter: str, path: str
) -> tuple[list[str], list[pd.Series], np.ndarray]:
    """Headers, columns and the spreadsheet row of every parsed line (header included).

    ``utf8[skip:]`` holds the rows (valid UTF-8); ``text`` is their start, for counting
    the header's fields. pyarrow's reader does the common case; a file it rejects
    (lines shorter or longer than the header, a quote that never closes) goes through
    pandas' C reader, which pads short lines and names the failing row.
    """
    import pyarrow as pa

    # Leading and trailing blank lines are cut before parsing (the C reader takes its
    # column count from the first line); leading ones still count as rows.
    start = _LEADING_BREAKS.match(utf8, skip).end()  # type: ignore[union-attr]
    end = len(utf8)
    # rstrip() would copy the file. A trailing Ctrl-Z is the DOS end-of-file mark some
    # core-banking exports still write: not a record.
    while end > start and utf8[end - 1] in b"\r\n\x1a":
        end -= 1
    offset = len(_LINE_BREAK.findall(utf8, skip, start))
    data = pa.py_buffer(utf8)[start:end]
    n_columns = _count_header_fields(text, delimiter)
    # find() is a memchr; counting every byte costs 0.1 s at 3M contacts.
    quoted = utf8.find(b'"', start, end) >= 0
    # An odd number of quotes may be a quote that never closes; pyarrow accepts that
    # at the end of the file without a word, so let the C reader decide.
    parsed = None
    if not quoted or utf8.count(b'"', start, end) % 2 == 0:
        # Any pyarrow failure is retried by the C reader.
        with contextlib.suppress(Exception):
            parsed = _parse_pyarrow(data, delimiter=delimiter, n_columns=n_columns, quoted=quoted)
    if parsed is None:
        parsed = _parse_c(utf8[start:end], delimiter=delimiter, path=path, offset=offset)
    headers, columns, rows = parsed
    rows += offset  # in place: a new array of 3M rows costs its page faults again
    return headers, columns, rows


def _count_header_fields(text: str, delimiter: str) -> int:
    sample = _first_lines(_skip_breaks(text), 50, 1 << 20)
    # newline="": the csv module then takes CRLF, LF and a bare CR as line ends.
    reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter)
    for row in reader:
        return max(len(row), 1)
    return 1


# The whole file is one block up to this size: each column then arrives as one chunk.
# Parallel 4 MiB blocks parse a little faster on two idle cores, but joining their
# chunks (see _arrow_text) copies every column again: more CPU and memory in all.
_BLOCK_BYTES = 1 << 30


def _parse_pyarrow(
    data: Any, *, delimiter: str, n_columns: int, quoted: bool
) -> tuple[list[str], list[pd.Series], np.ndarray]:
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    names = [f"c{i}" for i in range(n_columns)]
    table = pacsv.read_csv(
        pa.BufferReader(data),
        read_options=pacsv.ReadOptions(
            column_names=names, block_size=min(data.size + 1, _BLOCK_BYTES)
        ),
        parse_options=pacsv.ParseOptions(
            delimiter=delimiter,
            # Quoted line breaks need the serial parser; files without quotes can't have them.
            newlines_in_values=quoted,
            ignore_empty_lines=False,
        ),
        convert_options=pacsv.ConvertOptions(
            # large_string is what pandas' str dtype holds: no cast of every column.
            column_types=dict.fromkeys(names, pa.large_string()),
            null_values=[""],
            strings_can_be_null=True,
            quoted_strings_can_be_null=True,
            # The bytes are valid UTF-8 already (checked by _valid_utf8 or _decode, or
            # encoded by Python), and the cells are whole characters of them.
            check_utf8=False,
        ),
    )
    keep: np.ndarray | None = None
    if min(column.null_count for column in table.columns) == 0:
        # A column without an empty cell: no blank rows, the header is the first row.
        header_at = 0
    else:
        blank_rows = pc.is_null(table.column(0))
        for column in table.columns[1:]:
            blank_rows = pc.and_(blank_rows, pc.is_null(column))
        blank = _unpack_bools(blank_rows)
        header_at = _first_false(blank)
        if blank[header_at + 1 :].any():
            keep = ~blank
            keep[: header_at + 1] = False
    header_row = table.slice(header_at, 1).to_pylist()[0] if header_at < table.num_rows else {}
    headers = [header_row.get(n) or "" for n in names]
    if keep is None:
        # Usually every row after the header is a record: a slice shares the buffers.
        body = table.slice(header_at + 1)
        rows = np.arange(header_at + 2, table.num_rows + 1, dtype="int64")
    else:
        body = table.filter(pa.array(keep))
        rows = np.flatnonzero(keep).astype("int64") + 1
    columns = [_arrow_text(body.column(i)) for i in range(n_columns)]
    return headers, columns, rows


def _arrow_text(column: Any) -> pd.Series:
    """A pyarrow string column as a pandas ``str`` Series.

    Chunks (the blocks of a file over _BLOCK_BYTES, Parquet row groups) are joined into
    one: every later take of finding rows from a many-chunk column costs about three
    times as much.
    """
    import pyarrow as pa

    if isinstance(column, pa.ChunkedArray) and column.num_chunks > 1:
        column = pa.chunked_array([column.combine_chunks()], type=column.type)
    series = column.to_pandas()
    if series.dtype != "str":
        series = series.astype("str")
    return series.reset_index(drop=True)


def _unpack_bools(values: Any) -> np.ndarray:
    """A null-free boolean Arrow (chunked) array as numpy, from its bits.

    ``to_numpy`` on a boolean array costs about 0.2 s per 3M values; this a millisecond.
    """
    chunks = values.chunks if hasattr(values, "chunks") else [values]
    parts = [
        np.unpackbits(np.frombuffer(c.buffers()[1], dtype=np.uint8), bitorder="little")[
            c.offset : c.offset + len(c)
        ].astype(bool)
        for c in chunks
        if len(c)
    ]
    return np.concatenate(parts) if parts else np.zeros(0, dtype=bool)


def _first_false(mask: np.ndarray) -> int:
    hits = np.flatnonzero(~mask)
    return int(hits[0]) if len(hits) else len(mask)


_C_ERROR = re.compile(r"(?:line|row) (\d+)")


def _parse_c(
    data: bytes, *, delimiter: str, path: str, offset: int
) -> tuple[list[str], list[pd.Series], np.ndarray]:
    try:
        frame = pd.read_csv(
            io.BytesIO(data),
            sep=delimiter,
            header=None,
            dtype=object,
            keep_default_na=False,
            na_values=[""],
            skip_blank_lines=False,
            quotechar='"',
            doublequote=True,
            engine="c",
            encoding="utf-8",
        )
    except pd.errors.EmptyDataError:
        raise InputError(f"{path}: the file is empty. Export it again with a header row.") from None
    except Exception as exc:  # noqa: BLE001 - messages must not echo cell values
        message = str(exc)
        where = _C_ERROR.search(message)
        if "EOF inside string" in message:
            row = f" starting at row {int(where.group(1)) + 1 + offset}" if where else ""
            raise InputError(
                f"{path}: a quoted field never closes{row}. Fix the quoting (a '\"' inside a "
                'field must be doubled as "") and export it again.'
            ) from None
        if "Expected" in message and where:
            # A one-field first line is usually a report title above the header row.
            title = (
                " If the first line is a title above the header row, delete it."
                if re.search(r"Expected 1 fields", message)
                else ""
            )
            raise InputError(
                f"{path}: row {int(where.group(1)) + offset} has more fields than the header. "
                f"Check the delimiter and the quoting of that row.{title}"
            ) from None
        raise InputError(
            f"{path}: the file cannot be read as delimited text. Check the delimiter and quoting."
        ) from None
    arrays: list[np.ndarray] = []
    blank = np.ones(len(frame), dtype=bool)
    for position in range(frame.shape[1]):
        values = frame.iloc[:, position].to_numpy(dtype=object, copy=True)
        missing = pd.isna(values)
        values[missing] = None
        blank &= missing
        arrays.append(values)
    header_at = _first_false(blank)
    headers = [(a[header_at] or "") if header_at < len(frame) else "" for a in arrays]
    keep = ~blank
    keep[: header_at + 1] = False
    rows = np.flatnonzero(keep).astype("int64") + 1
    return headers, [_text(a[keep]) for a in arrays], rows


# --- JSON -------------------------------------------------------------------------


def _json_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value if value != "" else None
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value, ensure_ascii=False)


def _records_table(
    records: list[dict[str, Any]], rows: list[int], fmt: str, encoding: str
) -> RawTable:
    headers: dict[str, None] = {}
    for record in records:
        for key in record:
            headers.setdefault(key, None)
    columns = [_text([_json_text(r.get(h)) for r in records]) for h in headers]
    return RawTable(list(headers), columns, np.array(rows, dtype="int64"), fmt, encoding)


def _loads(text: str) -> Any:
    # Numbers stay the text written in the file: int/float would damage phone numbers.
    return json.loads(text, parse_int=str, parse_float=str, parse_constant=str)


def _read_jsonl(text: str, *, path: str, encoding: str) -> RawTable:
    records: list[dict[str, Any]] = []
    rows: list[int] = []
    # split("\n"), not splitlines(): U+2028 may legally appear inside a JSON string.
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            record = _loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(
                f"{path}: line {number} is not valid JSON (column {exc.colno}). "
                "Each line of a JSON Lines file must be one JSON object."
            ) from None
        if not isinstance(record, dict):
            raise InputError(
                f"{path}: line {number} is not a JSON object. "
                "Each line of a JSON Lines file must be one JSON object."
            )
        records.append(record)
        rows.append(number + 1)
    return _records_table(records, rows, "jsonl", encoding)


def _read_json_array(text: str, *, path: str, encoding: str) -> RawTable:
    try:
        data = _loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{path}: the file is not valid JSON (line {exc.lineno}). "
            "Export JSON Lines (one object per line) or a JSON array of objects."
        ) from None
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise InputError(
            f"{path}: the JSON file is not an array of objects. "
            "Export JSON Lines (one object per line) or a JSON array of objects."
        )
    return _records_table(data, list(range(2, len(data) + 2)), "json", encoding)


# --- Excel ------------------------------------------------------------------------


def _excel_text(value: Any) -> str | None:
    if isinstance(value, str):
        return value if value != "" else None
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        # Excel stores every number as a double: 13812345678 comes back as 13812345678.0.
        # Above 2**53 a double no longer holds every integer: int() would invent the
        # trailing digits (a 20-digit ID becomes ...569216), so keep the float's text and
        # let the precision loss show.
        if math.isfinite(value) and value.is_integer() and abs(value) <= _EXACT_FLOAT_INT:
            return str(int(value))
        return repr(value)
    if isinstance(value, int):
        return str(value)
    isoformat = getattr(value, "isoformat", None)
    if isoformat is not None:
        try:
            return str(isoformat(sep=" "))
        except TypeError:  # date and time take no separator
            return str(isoformat())
    return str(value)


def _read_excel(data: bytes, *, path: str, sheet: str | None, fmt: str) -> RawTable:
    import python_calamine

    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception:  # noqa: BLE001 - calamine raises several unrelated types
        if fmt == "xlsx":
            raise InputError(
                f"{path}: the file is a ZIP archive but not a readable Excel workbook "
                "(corrupt, password-protected, or another kind of ZIP such as a zipped CSV). "
                "Open it in Excel and save it again, or export CSV UTF-8."
            ) from None
        raise InputError(
            f"{path}: the file is not a readable Excel workbook. Save it again as .xlsx."
        ) from None
    names = list(workbook.sheet_names)
    if not names:
        raise InputError(f"{path}: the workbook has no sheets.")
    if sheet is None:
        chosen = names[0]
    elif sheet in names:
        chosen = sheet
    elif sheet.isdigit() and 1 <= int(sheet) <= len(names):
        chosen = names[int(sheet) - 1]
    else:
        raise InputError(
            f"{path}: the workbook has no sheet '{sheet}'. Sheets: {', '.join(names)}."
        )
    try:
        cells = workbook.get_sheet_by_name(chosen).to_python(skip_empty_area=False)
    except Exception:  # noqa: BLE001
        raise InputError(
            f"{path}: sheet '{chosen}' cannot be read. Open the workbook in Excel and save it "
            "again, or export CSV UTF-8."
        ) from None
    if not cells:
        raise _empty_sheet(path, chosen, names)
    width = max(len(r) for r in cells)
    grid = [[_excel_text(v) for v in row] + [None] * (width - len(row)) for row in cells]
    blank = np.array([all(v is None for v in row) for row in grid], dtype=bool)
    header_at = _first_false(blank)
    if header_at == len(grid):
        raise _empty_sheet(path, chosen, names)
    headers = [h or "" for h in grid[header_at]]
    keep = ~blank
    keep[: header_at + 1] = False
    kept = [row for row, k in zip(grid, keep, strict=True) if k]
    columns = [_text([row[i] for row in kept]) for i in range(width)]
    rows = np.flatnonzero(keep).astype("int64") + 1
    return RawTable(headers, columns, rows, fmt, None)


def _empty_sheet(path: str, chosen: str, names: list[str]) -> InputError:
    # Workbooks often open with an empty or notes sheet before the data.
    if len(names) > 1:
        return InputError(
            f"{path}: sheet '{chosen}' is empty. Choose the sheet with the data with the sheet "
            f"option (sheets: {', '.join(names)}), or export it again with a header row."
        )
    return InputError(f"{path}: sheet '{chosen}' is empty. Export it again with a header row.")


# --- Parquet ----------------------------------------------------------------------


def _read_parquet(data: bytes, *, path: str) -> RawTable:
    import pyarrow.parquet as pq

    try:
        # ParquetFile, not read_table: the dataset reader refuses duplicate column names,
        # which check_duplicate_headers reports by name instead.
        table = pq.ParquetFile(io.BytesIO(data)).read()
        # A damaged footer can hold column names that are not UTF-8: they fail here.
        names = table.column_names
    except Exception:  # noqa: BLE001
        raise InputError(
            f"{path}: the file is not a readable Parquet file (corrupt or truncated). "
            "Export it again."
        ) from None
    # pandas writes a non-default index as __index_level_0__: not a column of the export.
    keep = [i for i, n in enumerate(names) if not re.fullmatch(r"__index_level_\d+__", str(n))]
    table = table.select(keep)
    headers = [str(names[i]) for i in keep]
    columns = []
    for i, header in enumerate(headers):
        try:
            columns.append(_parquet_text(table.column(i)))
        except Exception:  # noqa: BLE001
            raise InputError(
                f"{path}: column '{header}' of the Parquet file cannot be read as text (binary "
                "data that is not UTF-8?). Export plain string or number columns."
            ) from None
    rows = np.arange(2, table.num_rows + 2, dtype="int64")
    return RawTable(headers, columns, rows, "parquet", None)


def _parquet_text(column: Any) -> pd.Series:
    import pyarrow as pa
    import pyarrow.compute as pc

    if pa.types.is_dictionary(column.type):
        column = column.cast(column.type.value_type)
    kind = column.type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        values = _arrow_text(column)
        return values.where(values != "")
    if pa.types.is_floating(kind) or pa.types.is_boolean(kind):
        # Integral floats follow the Excel rule: a float64 phone column is exact digits.
        return _text([_excel_text(v) for v in column.to_pylist()])
    if (
        pa.types.is_integer(kind)
        or pa.types.is_decimal(kind)
        or pa.types.is_temporal(kind)
        or pa.types.is_binary(kind)
        or pa.types.is_large_binary(kind)
    ):
        return _arrow_text(pc.cast(column, pa.string()))
    return _text([_json_text(v) for v in column.to_pylist()])


# --- common tidy-up ---------------------------------------------------------------


def _tidy(table: RawTable, *, path: str) -> RawTable:
    """Strip a stray BOM from the first header; drop or name empty-header columns."""
    if table.headers:
        table.headers[0] = table.headers[0].removeprefix("\ufeff")
    headers: list[str] = []
    columns: list[pd.Series] = []
    for position, (header, values) in enumerate(
        zip(table.headers, table.columns, strict=True), start=1
    ):
        if header.strip() == "":
            if bool(values.isna().all()):
                continue
            header = f"column{position}"
            table.warnings.append({"issue": "unnamed-column", "column": header})
        headers.append(header)
        columns.append(values)
    if not headers:
        raise InputError(f"{path}: the file has no header row. Export it with column names.")
    table.headers, table.columns = headers, columns
    return table


def _text(values: list[Any] | np.ndarray) -> pd.Series:
    """Text cells (str or None) as a pandas ``str`` Series."""
    return pd.Series(values, dtype="str")
