"""Formats, encodings, delimiters, row numbers and input errors of load_export."""

from __future__ import annotations

import hashlib
import io
import json
import os
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from contactaudit.errors import InputError
from contactaudit.loading import load_export, readers

HEADER = "borrower_id,phone,name\n"


def write(tmp_path: Path, name: str, content: str | bytes, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode(encoding) if isinstance(content, str) else content)
    return path


def records(frame: pd.DataFrame, *columns: str) -> list[tuple]:
    """Rows as tuples; a missing text cell (NaN in a ``str`` column) reads as None."""
    cols = list(columns or ("borrower_id", "phone", "_row"))
    part = frame[cols].astype(object)
    return list(part.where(part.notna(), None).itertuples(index=False, name=None))


# --- CSV / TSV -------------------------------------------------------------------


def test_csv_cells_are_text_and_empty_cells_are_none(tmp_path):
    path = write(tmp_path, "b.csv", HEADER + "B1,13812345678,张三\nB2,,NA\nB3,0,null\n")
    loaded = load_export(path, "borrowers")
    frame = loaded.frame
    assert records(frame, "borrower_id", "phone", "name") == [
        ("B1", "13812345678", "张三"),
        ("B2", None, "NA"),
        ("B3", "0", "null"),
    ]
    assert frame["phone"].dtype == "str"
    assert frame["_row"].tolist() == [2, 3, 4]
    assert frame["_record_id"].tolist() == ["B1", "B2", "B3"]
    assert frame["_phone_column"].tolist() == ["phone"] * 3
    assert loaded.info.format == "csv"
    assert loaded.info.encoding == "utf-8"
    assert loaded.info.rows == 3


def test_leading_zeros_and_long_digit_strings_survive(tmp_path):
    path = write(tmp_path, "b.csv", HEADER + "007,008613812345678,a\n")
    frame = load_export(path, "borrowers").frame
    assert records(frame, "borrower_id", "phone") == [("007", "008613812345678")]


@pytest.mark.parametrize(
    ("delimiter", "fmt"), [(",", "csv"), (";", "csv"), ("\t", "tsv"), ("|", "csv")]
)
def test_delimiter_is_sniffed(tmp_path, delimiter, fmt):
    rows = [["borrower_id", "phone", "name"], ["B1", "13812345678", "Li, Wei"]]
    text = "\n".join(delimiter.join(r) for r in rows) + "\n"
    if delimiter == ",":
        text = text.replace("Li, Wei", '"Li, Wei"')
    loaded = load_export(write(tmp_path, "b.txt", text), "borrowers")
    assert records(loaded.frame, "borrower_id", "phone", "name") == [
        ("B1", "13812345678", "Li, Wei")
    ]
    assert loaded.info.format == fmt


def test_single_column_file_reads(tmp_path):
    loaded = load_export(write(tmp_path, "o.csv", "phone\n13812345678\n"), "opt_outs")
    assert loaded.frame["phone"].tolist() == ["13812345678"]
    assert loaded.frame["_record_id"].tolist() == [None]


def test_quoted_line_breaks_do_not_shift_rows(tmp_path):
    text = HEADER + 'B1,13812345678,"line one\nline two"\nB2,13987654321,x\n'
    frame = load_export(write(tmp_path, "b.csv", text), "borrowers").frame
    assert records(frame) == [("B1", "13812345678", 2), ("B2", "13987654321", 3)]
    assert frame["name"].iloc[0] == "line one\nline two"


def test_blank_lines_are_skipped_but_keep_their_row_number(tmp_path):
    text = HEADER + "B1,13812345678,a\n\nB2,13987654321,b\n\n\n"
    loaded = load_export(write(tmp_path, "b.csv", text), "borrowers")
    assert records(loaded.frame) == [("B1", "13812345678", 2), ("B2", "13987654321", 4)]
    assert loaded.info.rows == 2


def test_short_lines_are_padded_with_none(tmp_path):
    frame = load_export(write(tmp_path, "b.csv", HEADER + "B1,13812345678\n"), "borrowers").frame
    assert records(frame, "borrower_id", "phone", "name") == [("B1", "13812345678", None)]


def test_crlf_line_endings(tmp_path):
    text = (HEADER + "B1,13812345678,a\nB2,13987654321,b\n").replace("\n", "\r\n")
    frame = load_export(write(tmp_path, "b.csv", text), "borrowers").frame
    assert records(frame) == [("B1", "13812345678", 2), ("B2", "13987654321", 3)]
    assert frame["name"].tolist() == ["a", "b"]


def test_header_only_file_has_zero_rows(tmp_path):
    loaded = load_export(write(tmp_path, "b.csv", HEADER), "borrowers")
    assert loaded.info.rows == 0
    assert loaded.frame.empty
    assert {"borrower_id", "phone", "_row", "_record_id", "_phone_column"} <= set(
        loaded.frame.columns
    )


def test_original_keeps_headers_and_all_columns(tmp_path):
    text = "借款人ID,手机号,备注\nB1,13812345678,x\nB2,13987654321,\n"
    loaded = load_export(write(tmp_path, "b.csv", text), "borrowers")
    original = loaded.original
    assert list(original.columns) == ["借款人ID", "手机号", "备注"]
    assert original["手机号"].tolist() == ["13812345678", "13987654321"]
    assert original["备注"].isna().tolist() == [False, True]


def test_info_records_size_and_sha256(tmp_path):
    content = (HEADER + "B1,13812345678,a\n").encode()
    loaded = load_export(write(tmp_path, "b.csv", content), "borrowers")
    assert loaded.info.size_bytes == len(content)
    assert loaded.info.sha256 == hashlib.sha256(content).hexdigest()
    assert loaded.info.path == str(tmp_path / "b.csv")


def test_without_a_fingerprint_the_file_is_not_hashed(tmp_path):
    content = (HEADER + "B1,13812345678,a\n").encode()
    loaded = load_export(write(tmp_path, "b.csv", content), "borrowers", fingerprint=False)
    assert loaded.info.sha256 is None and loaded.info.size_bytes == len(content)


def test_stdin_dash_reads_csv_bytes():
    content = (HEADER + "B1,13812345678,a\n").encode()
    loaded = load_export("-", "borrowers", stdin=io.BytesIO(content))
    assert records(loaded.frame) == [("B1", "13812345678", 2)]
    assert loaded.info.path == "-"
    assert loaded.info.sha256 == hashlib.sha256(content).hexdigest()


def test_first_record_of_a_larger_file_uses_the_parallel_reader(tmp_path):
    lines = "".join(f"B{i},138{i:08d},n\n" for i in range(3000))
    frame = load_export(write(tmp_path, "b.csv", HEADER + lines), "borrowers").frame
    assert len(frame) == 3000
    assert frame["phone"].iloc[-1] == "13800002999"
    assert frame["_row"].iloc[-1] == 3001


# --- encodings -------------------------------------------------------------------

CHINESE = "借款人ID,手机号,姓名\nB1,13812345678,王䶮\n"


@pytest.mark.parametrize(
    ("encoding", "reported"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gb18030", "gb18030")],
)
def test_encoding_is_detected(tmp_path, encoding, reported):
    loaded = load_export(write(tmp_path, "b.csv", CHINESE, encoding), "borrowers")
    assert loaded.info.encoding == reported
    assert loaded.info.columns == {"borrower_id": "借款人ID", "phone": "手机号", "name": "姓名"}
    assert loaded.frame["name"].tolist() == ["王䶮"]
    assert list(loaded.original.columns)[0] == "借款人ID"


def test_excel_unicode_text_is_utf16le_tab_separated(tmp_path):
    content = b"\xff\xfe" + CHINESE.replace(",", "\t").encode("utf-16-le")
    loaded = load_export(write(tmp_path, "b.txt", content), "borrowers")
    assert loaded.info.encoding == "utf-16"
    assert loaded.info.format == "tsv"
    assert records(loaded.frame, "borrower_id", "phone", "name") == [("B1", "13812345678", "王䶮")]


def test_explicit_encoding_is_used(tmp_path):
    path = write(tmp_path, "b.csv", HEADER + "B1,13812345678,王偉\n", "big5")
    loaded = load_export(path, "borrowers", encoding="Big5")
    assert loaded.info.encoding == "big5"
    assert loaded.frame["name"].tolist() == ["王偉"]


def test_bom_read_as_explicit_utf8_is_stripped_from_first_header(tmp_path):
    path = write(tmp_path, "b.csv", CHINESE, "utf-8-sig")
    loaded = load_export(path, "borrowers", encoding="utf-8")
    assert list(loaded.original.columns)[0] == "借款人ID"
    assert loaded.info.columns["borrower_id"] == "借款人ID"


def test_unknown_encoding_name_is_an_input_error(tmp_path):
    path = write(tmp_path, "b.csv", CHINESE)
    with pytest.raises(InputError, match="unknown encoding 'klingon'"):
        load_export(path, "borrowers", encoding="klingon")


def test_wrong_explicit_encoding_is_an_input_error(tmp_path):
    path = write(tmp_path, "b.csv", CHINESE, "gb18030")
    with pytest.raises(InputError, match="not valid utf-8 text"):
        load_export(path, "borrowers", encoding="utf-8")


def test_neither_utf8_nor_gb18030_is_an_error_not_latin1(tmp_path):
    # 0x80 and 0xFF are invalid as single bytes in both UTF-8 and GB18030.
    content = b"borrower_id,phone,name\nB1,13812345678,\x80\xff\n"
    with pytest.raises(InputError, match="not UTF-8 or GB18030 text"):
        load_export(write(tmp_path, "b.csv", content), "borrowers")


# --- xlsx ------------------------------------------------------------------------


def make_xlsx(path: Path, rows: list[list], sheets: dict[str, list[list]] | None = None) -> Path:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Sheet1"
    for row in rows:
        sheet.append(row)
    for title, extra in (sheets or {}).items():
        other = workbook.create_sheet(title)
        for row in extra:
            other.append(row)
    workbook.save(path)
    return path


def test_xlsx_numeric_phone_cells_come_back_as_exact_digits(tmp_path):
    import datetime as dt

    path = make_xlsx(
        tmp_path / "b.xlsx",
        [
            ["borrower_id", "phone", "name", "phone_verified_at"],
            [1001, 13812345678, "张三", dt.date(2023, 1, 5)],
            ["B2", 1.3812345678e10, None, 44931],
            [None, None, None, None],
            ["B4", "13987654321", 1.5, dt.datetime(2023, 1, 5, 10, 30)],
        ],
    )
    loaded = load_export(path, "borrowers")
    frame = loaded.frame
    assert records(frame, "borrower_id", "phone", "name", "_row") == [
        ("1001", "13812345678", "张三", 2),
        ("B2", "13812345678", None, 3),
        ("B4", "13987654321", "1.5", 5),
    ]
    assert frame["phone_verified_at"].tolist() == [pd.Timestamp("2023-01-05")] * 3
    assert loaded.info.format == "xlsx"
    assert loaded.info.encoding is None


def test_xlsx_sheet_is_chosen_by_name(tmp_path):
    path = make_xlsx(
        tmp_path / "b.xlsx",
        [["notes"], ["nothing here"]],
        sheets={"borrowers": [["borrower_id", "phone"], ["B1", 13812345678]]},
    )
    frame = load_export(path, "borrowers", sheet="borrowers").frame
    assert records(frame) == [("B1", "13812345678", 2)]
    with pytest.raises(InputError, match="no sheet 'nope'. Sheets: Sheet1, borrowers"):
        load_export(path, "borrowers", sheet="nope")


def test_xlsx_named_csv_is_an_input_error_naming_both_formats(tmp_path):
    path = make_xlsx(tmp_path / "b.csv", [["borrower_id", "phone"], ["B1", 13812345678]])
    with pytest.raises(InputError, match=r"b.csv: the name says CSV text .* an Excel workbook"):
        load_export(path, "borrowers")


def test_csv_named_xlsx_is_an_input_error_naming_both_formats(tmp_path):
    path = write(tmp_path, "b.xlsx", HEADER + "B1,13812345678,a\n")
    with pytest.raises(InputError, match=r"b.xlsx: the name says an Excel workbook .* CSV text"):
        load_export(path, "borrowers")


def test_txt_file_is_read_as_whatever_it_holds(tmp_path):
    loaded = load_export(write(tmp_path, "b.txt", HEADER + "B1,13812345678,a\n"), "borrowers")
    assert loaded.info.format == "csv"
    assert records(loaded.frame) == [("B1", "13812345678", 2)]


def test_corrupt_xlsx_is_an_input_error(tmp_path):
    path = make_xlsx(tmp_path / "b.xlsx", [["borrower_id", "phone"], ["B1", 1]])
    path.write_bytes(path.read_bytes()[:300])
    with pytest.raises(InputError, match="not a readable Excel workbook"):
        load_export(path, "borrowers")


def test_zip_that_is_not_a_workbook_is_an_input_error(tmp_path):
    path = tmp_path / "b.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("b.csv", HEADER)
    with pytest.raises(InputError, match="zipped CSV"):
        load_export(path, "borrowers")


# --- Parquet and JSON Lines --------------------------------------------------------


def test_parquet_int64_phone_column_is_exact_digits(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table(
        {
            "borrower_id": pa.array(["B1", "B2", ""]),
            "phone": pa.array([13812345678, None, 8613987654321], pa.int64()),
            "country": pa.array([86.0, 1.5, None]),
            "sms_opt_out": pa.array([True, False, None]),
        }
    )
    path = tmp_path / "b.parquet"
    pq.write_table(table, path)
    loaded = load_export(path, "borrowers")
    frame = loaded.frame
    assert records(frame, "borrower_id", "phone", "_row") == [
        ("B1", "13812345678", 2),
        ("B2", None, 3),
        (None, "8613987654321", 4),
    ]
    assert loaded.original["country"].tolist()[:2] == ["86", "1.5"]
    assert frame["sms_opt_out"].tolist() == [True, False, pd.NA]
    assert loaded.info.format == "parquet"
    assert loaded.info.encoding is None


def test_corrupt_parquet_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="not a readable Parquet file"):
        load_export(write(tmp_path, "b.parquet", b"PAR1" + os.urandom(64)), "borrowers")


def test_json_lines_values_become_text_with_exact_integers(tmp_path):
    lines = [
        {"borrower_id": "B1", "phone": 13812345678, "name": "张三"},
        {"borrower_id": "B2", "phone": 1.3812345678e10, "extra": {"a": 1}},
        {"borrower_id": 3, "phone": None, "name": True},
    ]
    text = "\n".join(json.dumps(r, ensure_ascii=False) for r in lines[:2]) + "\n\n"
    text += json.dumps(lines[2]) + "\n"
    loaded = load_export(write(tmp_path, "b.jsonl", text), "borrowers")
    assert records(loaded.frame, "borrower_id", "phone", "name", "_row") == [
        ("B1", "13812345678", "张三", 2),
        ("B2", "13812345678.0", None, 3),
        ("3", None, "true", 5),
    ]
    assert loaded.info.format == "jsonl"
    assert {"issue": "unknown-columns", "columns": ["extra"]} in loaded.info.warnings


def test_json_lines_float_keeps_the_text_written(tmp_path):
    text = '{"borrower_id": "B1", "phone": 1.38123E+10}\n'
    frame = load_export(write(tmp_path, "b.jsonl", text), "borrowers").frame
    assert frame["phone"].tolist() == ["1.38123E+10"]


def test_bad_json_line_names_the_line(tmp_path):
    text = '{"borrower_id": "B1", "phone": "1"}\n{"borrower_id": \n'
    with pytest.raises(InputError, match="line 2 is not valid JSON"):
        load_export(write(tmp_path, "b.jsonl", text), "borrowers")


# --- errors ----------------------------------------------------------------------


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match=r"nope\.csv: file not found"):
        load_export(tmp_path / "nope.csv", "borrowers")


def test_directory(tmp_path):
    with pytest.raises(InputError, match="is a directory"):
        load_export(tmp_path, "borrowers")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file(tmp_path):
    path = write(tmp_path, "b.csv", HEADER)
    path.chmod(0)
    with pytest.raises(InputError, match="permission denied"):
        load_export(path, "borrowers")


@pytest.mark.parametrize("content", [b"", b"  \n\r\n\t ", b"\xef\xbb\xbf\n"])
def test_empty_file(tmp_path, content):
    with pytest.raises(InputError, match="is empty"):
        load_export(write(tmp_path, "b.csv", content), "borrowers")


def test_binary_garbage(tmp_path):
    content = bytes(range(256)) * 4
    with pytest.raises(InputError, match="not UTF-8 or GB18030 text"):
        load_export(write(tmp_path, "b.csv", content), "borrowers")


def test_binary_named_xlsx_says_it_is_not_a_workbook(tmp_path):
    with pytest.raises(InputError, match="named like an Excel workbook"):
        load_export(write(tmp_path, "b.xlsx", bytes(range(256))), "borrowers")


def test_unterminated_quote_is_an_input_error(tmp_path):
    text = HEADER + 'B1,13812345678,"never closed\nB2,13987654321,b\n'
    with pytest.raises(InputError, match="quoted field never closes") as caught:
        load_export(write(tmp_path, "b.csv", text), "borrowers")
    assert "13812345678" not in str(caught.value)


def test_too_many_fields_names_the_row_not_the_values(tmp_path):
    text = HEADER + "B1,13812345678,a\nB2,13987654321,b,extra\n"
    with pytest.raises(InputError, match="row 3 has more fields than the header") as caught:
        load_export(write(tmp_path, "b.csv", text), "borrowers")
    assert "13987654321" not in str(caught.value)


def test_permission_denied_is_an_input_error(tmp_path, monkeypatch):
    path = write(tmp_path, "b.csv", HEADER)

    def deny(self: Path) -> bytes:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "read_bytes", deny)
    with pytest.raises(InputError, match="permission denied"):
        load_export(path, "borrowers")


def test_json_array_of_objects_reads(tmp_path):
    text = '[{"borrower_id": "B1", "phone": 13812345678}]'
    loaded = load_export(write(tmp_path, "b.json", text), "borrowers")
    assert records(loaded.frame) == [("B1", "13812345678", 2)]
    assert loaded.info.format == "json"


def test_loaded_frame_dtypes_follow_the_contract(tmp_path):
    text = "borrower_id,phone,name,country,phone_verified_at,consent_at,status,sms_opt_out\n"
    text += "B1,13812345678,a,cn,2023-01-05,,active,no\n"
    frame = load_export(write(tmp_path, "b.csv", text), "borrowers").frame
    # Text stays pandas' Arrow-backed str (no Python string per cell); country is
    # derived text (upper-cased codes), _phone_column a categorical of slot labels.
    assert {c: str(t) for c, t in frame.dtypes.items()} == {
        "borrower_id": "str",
        "phone": "str",
        "name": "str",
        "country": "object",
        "phone_verified_at": "datetime64[ns]",
        "consent_at": "datetime64[ns]",
        "status": "str",
        "sms_opt_out": "boolean",
        "_row": "int64",
        "_record_id": "str",
        "_phone_column": "category",
    }


def test_damaged_utf8_is_an_error_not_read_as_gb18030(tmp_path):
    content = CHINESE.encode("utf-8") + b"B2,13987654321,\xe7\x8e\n"
    with pytest.raises(
        InputError, match=r"UTF-8 text with an invalid byte at offset \d+ \(line 3\)"
    ):
        load_export(write(tmp_path, "b.csv", content), "borrowers")


def test_xlsx_rows_are_the_rows_excel_shows(tmp_path):
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet["A3"], sheet["B3"] = "borrower_id", "phone"
    sheet["A4"], sheet["B4"] = "B1", 13812345678
    sheet["A6"], sheet["B6"] = "B2", "13987654321"
    workbook.save(tmp_path / "b.xlsx")
    frame = load_export(tmp_path / "b.xlsx", "borrowers").frame
    assert records(frame) == [("B1", "13812345678", 4), ("B2", "13987654321", 6)]


def test_header_only_xlsx_has_zero_rows(tmp_path):
    path = make_xlsx(tmp_path / "b.xlsx", [["borrower_id", "phone"]])
    loaded = load_export(path, "borrowers")
    assert loaded.info.rows == 0
    assert loaded.frame.empty


def test_semicolon_file_with_commas_in_values(tmp_path):
    text = "borrower_id;phone;name\nB1;13812345678;Li, Wei\nB2;13987654321;Wang, Fang\n"
    frame = load_export(write(tmp_path, "b.csv", text), "borrowers").frame
    assert frame["name"].tolist() == ["Li, Wei", "Wang, Fang"]


def test_utf16_without_bom_is_detected(tmp_path):
    content = (HEADER + "B1,13812345678,a\n").encode("utf-16-le")
    loaded = load_export(write(tmp_path, "b.csv", content), "borrowers")
    assert loaded.info.encoding == "utf-16-le"
    assert records(loaded.frame) == [("B1", "13812345678", 2)]


# --- UTF-8 read from its bytes ---------------------------------------------------

ROWS = "".join(f"B{i},138{i:08d},王䶮{i}\n" for i in range(300))


@pytest.fixture
def short_head(monkeypatch):
    """UTF-8 text is sniffed from its first 2 KiB (8 MiB in use), the rest only checked."""
    monkeypatch.setattr(readers, "_HEAD_BYTES", 2048)
    monkeypatch.setattr(readers, "_SNIFF_CHARS", 256)


@pytest.mark.parametrize("encoding", [None, "utf-8", "utf-8-sig"])
@pytest.mark.parametrize("prefix", ["", "\ufeff", "\ufeff\ufeff", "sep=,\n", "\n\r\n"])
def test_utf8_sniffed_from_its_head_reads_as_the_decoded_text(
    tmp_path, monkeypatch, prefix, encoding
):
    text = prefix + HEADER + ROWS + '"B9,1","139\n00",x\n'
    path = write(tmp_path, "b.csv", text)
    with monkeypatch.context() as patch:  # the whole file decoded, as other encodings are
        patch.setattr(readers, "_read_utf8", lambda *args, **kwargs: None)
        decoded = load_export(path, "borrowers", encoding=encoding)
    monkeypatch.setattr(readers, "_HEAD_BYTES", 2048)
    monkeypatch.setattr(readers, "_SNIFF_CHARS", 256)
    read = load_export(path, "borrowers", encoding=encoding)
    pd.testing.assert_frame_equal(read.frame, decoded.frame)
    pd.testing.assert_frame_equal(read.original, decoded.original)
    assert read.info == decoded.info


def test_gb18030_after_an_ascii_head_is_still_read_as_gb18030(tmp_path, short_head):
    ascii_rows = "".join(f"B{i},138{i:08d},n\n" for i in range(200))
    content = (HEADER + ascii_rows).encode() + "B9,13900000000,王伟\n".encode("gb18030")
    loaded = load_export(write(tmp_path, "b.csv", content), "borrowers")
    assert loaded.info.encoding == "gb18030"
    assert loaded.frame["name"].iloc[-1] == "王伟"


def test_damaged_utf8_after_the_head_names_its_offset(tmp_path, short_head):
    content = (HEADER + ROWS).encode() + b"B2,13987654321,\xe7\x8e\n"
    bad_at, line = len(content) - 3, content.count(b"\n")
    with pytest.raises(InputError, match=rf"invalid byte at offset {bad_at} \(line {line}\)"):
        load_export(write(tmp_path, "b.csv", content), "borrowers")


def test_nul_after_the_head_names_its_line(tmp_path, short_head):
    content = (HEADER + ROWS + "B2,139\x00,x\n").encode()
    line = content.count(b"\n")
    with pytest.raises(InputError, match=rf"line {line} contains a NUL byte"):
        load_export(write(tmp_path, "b.csv", content), "borrowers")


def test_utf8_split_by_quotes_is_not_utf8(tmp_path):
    # Without its quotes the cell is valid UTF-8 (玩), so the file is checked, not the cells.
    content = CHINESE.encode() + b'B2,13987654321,"\xe7"\x8e\xa9\n'
    with pytest.raises(InputError, match=r"invalid byte at offset \d+ \(line 3\)"):
        load_export(write(tmp_path, "b.csv", content), "borrowers")
