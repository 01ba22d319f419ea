"""Issue 8 item 5: fuzz the loaders, and keep the tricky files found under tests/data/corpus.

Every outcome of ``load_export`` must be a LoadedExport or an InputError — never
another exception; every outcome of the whole audit must be a report or a
ContactAuditError. The runs are bounded (``max_examples``) so the file stays well
under 20 s; raise ``HYPOTHESIS_FUZZ_EXAMPLES`` for a long local hunt.

The corpus test runs the CLI on every file kept under tests/data/corpus: exit 0, 1
or 2, never 3, never a traceback, never a value in the messages.
"""

from __future__ import annotations

import codecs
import datetime as dt
import io
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from contactaudit.audit import AuditInputs, run_audit
from contactaudit.cli import app
from contactaudit.config import AuditConfig
from contactaudit.errors import ContactAuditError, InputError
from contactaudit.loading import LoadedExport, load_export

EXAMPLES = int(os.environ.get("HYPOTHESIS_FUZZ_EXAMPLES", "60"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
)
CORPUS = Path(__file__).parent / "data" / "corpus"
SOURCES = ["borrowers", "contacts", "reassigned", "opt_outs", "campaign"]
SUFFIXES = [".csv", ".tsv", ".txt", ".xlsx", ".parquet", ".jsonl", ".json", ""]


def _load(data: bytes, suffix: str, source: str, **options: object) -> LoadedExport | None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / f"export{suffix}"
        path.write_bytes(data)
        try:
            loaded = load_export(path, source, **options)  # type: ignore[arg-type]
        except InputError as exc:
            assert str(path) in str(exc) or "-" in str(exc)
            return None
    frame = loaded.frame
    assert frame["_row"].dtype == "int64"
    assert (frame["_row"] >= 2).all()
    assert loaded.info.rows == len(loaded.original)
    return loaded


# ---- seeds: small valid exports in every format, for byte-level mutation ---------------

_CSV = (
    "borrower_id,phone,name,phone_verified_at,country,sms_opt_out\n"
    'B1,13912873456,"张""三""\n",2026-10-01,CN,false\n'
    "B2,+86 135 2387 4561,李四,2026/9/1,中国,true\n"
    "B3,1.3912873456E10,,20261001,,\n"
)


def _xlsx_seed() -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["客户号", "手机号", "姓名"])
    sheet.append(["B1", 13912873456, "张三"])
    sheet.append(["B2", "+86 135 2387 4561", None])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _parquet_seed() -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    buffer = io.BytesIO()
    table = pa.table({"borrower_id": ["B1", "B2"], "phone": pa.array([13912873456, None])})
    pq.write_table(table, buffer)
    return buffer.getvalue()


SEEDS = {
    "utf8": _CSV.encode("utf-8"),
    "bom": _CSV.encode("utf-8-sig"),
    "gb18030": _CSV.replace(",", ";").encode("gb18030"),
    "utf16": codecs.BOM_UTF16_LE + _CSV.replace(",", "\t").encode("utf-16-le"),
    "jsonl": b'{"borrower_id": "B1", "phone": 13912873456}\n{"borrower_id": "B2"}\n',
    "xlsx": _xlsx_seed(),
    "parquet": _parquet_seed(),
}


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(SEEDS[draw(st.sampled_from(sorted(SEEDS)))])
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        op = draw(st.sampled_from(["flip", "insert", "delete", "truncate", "duplicate"]))
        at = draw(st.integers(min_value=0, max_value=max(len(data) - 1, 0)))
        if op == "flip" and data:
            data[at] = draw(st.integers(min_value=0, max_value=255))
        elif op == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif op == "delete":
            del data[at : at + draw(st.integers(min_value=1, max_value=16))]
        elif op == "truncate":
            del data[at:]
        elif op == "duplicate":
            data[at:at] = data[at : at + draw(st.integers(min_value=1, max_value=64))]
    return bytes(data)


@FUZZ
@given(
    st.one_of(st.binary(max_size=300), mutated()),
    st.sampled_from(SUFFIXES),
    st.sampled_from(SOURCES),
)
def test_loader_on_any_bytes_returns_a_table_or_an_input_error(
    data: bytes, suffix: str, source: str
) -> None:
    _load(data, suffix, source)


# ---- structured text: valid-looking delimited files with tricky cells ------------------

HEADERS = [
    "borrower_id", "phone", "name", "country", "phone_verified_at", "consent_at", "status",
    "sms_opt_out", "contact_id", "relationship", "verified_at", "disconnected_at",
    "opted_out_at", "message_id", "purpose", "scheduled_at", "text", "客户号", "手机号",
    "姓名", "关系", "状态", "紧急联系人1电话", "contact2_phone", "contact2_name", "", " ",
    "\ufeffphone", "Phone Number", "note", "phone",
]  # fmt: skip
CELLS = st.one_of(
    st.sampled_from(
        [
            "", " ", "13912873456", "+86 139 2468 1357", "1.3912873456E10", "13912873456.0",
            "138****5678", "null", "无", "0", "-", "2026-10-01", "2026/2/30", "05/01/2023",
            "2026年10月5日", "44931", "20261001", "true", "是", "CN", "中国", "火星", "母亲",
            "self", '"', '""', "a,b", "a;b", "a\tb", "line\nbreak", "cr\rcell", "张三",
            "=cmd()", "\x00", "\u2028", "x" * 300,
        ]
    ),
    st.text(max_size=12),
)  # fmt: skip


@st.composite
def delimited(draw: st.DrawFn) -> bytes:
    width = draw(st.integers(min_value=1, max_value=6))
    headers = draw(st.lists(st.sampled_from(HEADERS), min_size=width, max_size=width))
    rows = draw(
        st.lists(
            st.lists(CELLS, min_size=0, max_size=width + 1),
            max_size=6,
        )
    )
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    eol = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    quote_all = draw(st.booleans())

    def field(value: str) -> str:
        special = any(ch in value for ch in (delimiter, '"', "\n", "\r"))
        if quote_all or special:
            return '"' + value.replace('"', '""') + '"'
        return value

    lines = [delimiter.join(field(h) for h in headers)]
    lines += [delimiter.join(field(c) for c in row) for row in rows]
    text = eol.join(lines) + draw(st.sampled_from(["", eol, eol * 3]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16"]))
    return text.encode(encoding, errors="replace")


@FUZZ
@given(delimited(), st.sampled_from(SOURCES), st.sampled_from([None, "DMY"]))
def test_loader_on_structured_text_returns_a_table_or_an_input_error(
    data: bytes, source: str, date_order: str | None
) -> None:
    _load(data, ".csv", source, date_order=date_order)


@settings(FUZZ, max_examples=max(EXAMPLES // 2, 10))
@given(delimited(), delimited())
def test_whole_audit_on_structured_text_gives_a_report_or_a_clear_error(
    borrowers: bytes, contacts: bytes
) -> None:
    with tempfile.TemporaryDirectory() as directory:
        paths = [Path(directory) / "b.csv", Path(directory) / "c.csv"]
        paths[0].write_bytes(borrowers)
        paths[1].write_bytes(contacts)
        try:
            run = run_audit(
                AuditInputs(borrowers=paths[0], contacts=paths[1]),
                AuditConfig(),
                as_of=dt.date(2026, 11, 28),
            )
        except ContactAuditError:
            return
    assert run.report.exit_status in (0, 1)


# ---- the corpus of tricky files ------------------------------------------------------


# Expected exit status per corpus file (README.md there says why each file is kept).
EXPECTED_EXIT = {
    "blank_lines_only.csv": 2,
    "bom_only.csv": 2,
    "borrowers_plain.csv": 0,
    "contacts_self_and_orphans.csv": 0,
    "contacts_wide_chinese.csv": 0,
    "cr_only_line_ends.csv": 0,
    "csv_named.xlsx": 2,
    "ctrl_z_only.csv": 2,
    "delimiters_only.csv": 2,
    "dos_eof_ctrl_z.csv": 0,
    "excel_sep_line.csv": 0,
    "excel_unicode_text.txt": 0,
    "extra_fields.csv": 2,
    "float_and_scientific_phones.csv": 1,
    "formula_and_control_cells.csv": 1,
    "gb18030_rare_name.csv": 0,
    "gbk_first_name_valid_utf8.csv": 1,
    "gbk_status_header_valid_utf8.csv": 0,
    "gzip_compressed.csv": 2,
    "header_only.csv": 0,
    "headerless_duplicate_cells.csv": 2,
    "json_array.json": 1,
    "json_lines_bad_line.jsonl": 2,
    "json_lines_numbers.jsonl": 1,
    "json_scalars.json": 2,
    "legacy_ole2.xls": 2,
    "mixed_utf8_then_gbk.csv": 2,
    "nul_byte.csv": 2,
    "parquet_binary_column.parquet": 2,
    "parquet_duplicate_columns.parquet": 2,
    "parquet_int64_phones.parquet": 1,
    "parquet_name_not_utf8.parquet": 2,
    "parquet_truncated.parquet": 2,
    "quote_inside_unquoted_field.csv": 0,
    "quoted_newlines_and_quotes.csv": 1,
    "short_lines.csv": 1,
    "title_line_above_header.csv": 2,
    "truncated_mid_character.csv": 2,
    "unterminated_quote.csv": 2,
    "utf16_without_bom.csv": 0,
    "xlsx_empty_first_sheet.xlsx": 2,
    "xlsx_named.csv": 2,
    "xlsx_title_row_above_header.xlsx": 2,
    "xlsx_truncated.xlsx": 2,
    "zipped_csv.xlsx": 2,
}


def _corpus() -> list[Path]:
    return sorted(p for p in CORPUS.iterdir() if p.is_file() and p.name != "README.md")


def test_corpus_is_small_and_every_file_has_an_expected_exit() -> None:
    files = _corpus()
    assert {p.name for p in files} == set(EXPECTED_EXIT)
    assert sum(p.stat().st_size for p in files) < 100_000
    readme = (CORPUS / "README.md").read_text(encoding="utf-8")
    assert all(f"`{p.name}`" in readme or p.name == "borrowers_plain.csv" for p in files)


@pytest.mark.parametrize("path", _corpus(), ids=lambda p: p.name)
def test_cli_on_corpus_file_gives_its_exit_status_and_never_crashes(path: Path) -> None:
    # contacts_* files are audited as contacts next to a plain borrowers file.
    exports = [path]
    if path.name.startswith("contacts"):
        exports = [CORPUS / "borrowers_plain.csv", path]
    args = ["audit", *map(str, exports), "--as-of", "2026-11-28", "--format", "json", "-q"]
    result = CliRunner().invoke(app, args, catch_exceptions=False)
    assert result.exit_code == EXPECTED_EXIT[path.name], result.output
    assert "Traceback" not in result.output
    if result.exit_code == 2:
        assert result.stderr.startswith(f"contactaudit: error: {path}: ")
        assert result.stdout == ""
    for value in ("13912873456", "13523874561", "13623874570", "张三", "李四", "王五", "陆伟"):
        assert value not in result.stderr
