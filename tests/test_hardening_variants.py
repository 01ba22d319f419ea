"""Issue 8 item 1: every export variant gives exactly the plain UTF-8 CSV's findings.

One base dataset (Chinese headers and names, a spread of codes, quoted line breaks
and quotes) is written in each variant; the audit of each must equal the audit of
the plain CSV finding by finding (every JSON field, not counts). ``inputs[]`` is not
compared: its ``format``/``encoding`` legitimately differ.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from contactaudit.audit import AuditInputs, run_audit
from contactaudit.cli import app
from contactaudit.config import AuditConfig
from contactaudit.reporters.json_report import report_to_dict

AS_OF = dt.date(2026, 11, 28)

Table = tuple[list[str], list[list[str]]]

# Chinese headers throughout (aliases), names with quotes, commas and line breaks early
# in the file, so a reader that counts lines instead of records shifts every later row.
BORROWERS: Table = (
    ["客户号", "姓名", "手机号", "国家", "核验日期", "授权日期", "状态", "是否退订"],
    [
        ["B001", "张三", "13912873456", "CN", "2026-10-01", "", "active", "false"],
        ["B002", '王"小"\n明', "13912873456", "CN", "2026-10-01", "", "overdue", "false"],
        ["B003", "李四, 先生", "+86 139 2468 1357", "中国", "2026-10-01", "", "active", ""],
        ["B004", "赵六", "", "CN", "2026-10-01", "", "active", "false"],
        ["B005", "刘䶮", "138****5678", "CN", "2026-10-01", "", "active", "false"],
        ["B006", "孙七", "13800138000", "CN", "2026-10-01", "", "active", "false"],
        ["B007", "周八", "13523874561.0", "CN", "2026-10-01", "", "active", "false"],
        ["B008", "吴九", "010-62345897", "CN", "2026-10-01", "", "active", "false"],
        ["B009", "郑十", "13623874569/13987654320", "CN", "2026-10-01", "", "active", "false"],
        ["B001", "张三", "13723874560", "CN", "2026-10-01", "", "active", "false"],
        ["B010", "冯一", "14023874561", "CN", "2026-10-01", "", "active", "false"],
        ["B011", "陈二", "13823874562", "US", "2026-10-01", "", "active", "false"],
        ["B012", "褚三", "13823874563", "CN", "2025-01-02", "", "overdue", "false"],
        ["B013", "卫四", "13823874564", "CN", "2026-10-01", "", "active", "true"],
        ["B014", "蒋五", "13723874575", "CN", "2025-06-01", "", "written_off", "false"],
        ["B015", "沈六", "13823874565 转 123", "CN", "2026-10-01", "", "active", "false"],
        ["B016", "韩七", "abc", "CN", "2026-10-01", "", "active", "false"],
        ["B017", "杨八", "1.38123E+10", "CN", "2026-10-01", "", "active", "false"],
        ["B018", "朱九", "１３９２３８７４５６５", "CN", "2026-10-01", "", "active", "false"],
        ["B019", "秦十", "13923874566", "CN", "", "", "active", "false"],
        ["B020", "尤一", "13723874576", "CN", "2026/9/1", "", "settled", "false"],
        ["B021", "许二", "13923874567", "火星", "not a date", "2026年10月5日", "active", "maybe"],
        ["B022", "何三", "+8613923874568", "CN", "20261001", "", "active", "false"],
        ["B023", "吕四", "13523874577", "CN", "2026-10-01", "", "active", "false"],
    ],
)
CONTACTS: Table = (
    ["联系人编号", "客户号", "联系人姓名", "联系人手机号", "与借款人关系", "验证日期"],
    [
        ["C01", "B001", "赵母", "13523874561", "母亲", "2026-10-01"],
        ["C02", "B001", '钱"老"\n七', "13912873456", "父亲", "2026-10-01"],
        ["C03", "B003", "孙八", "13623874570", "friend", "2026-10-01"],
        ["C04", "B003", "孙八", "13623874570", "friend", "2026-10-01"],
        ["C05", "B003", "李某", "", "朋友", "2026-10-01"],
        ["C06", "B002", "周九", "13623874571", "本人", "2026-10-01"],
        ["C07", "B002", "吴十", "13623874572", "", "2026-10-01"],
        ["C08", "B999", "郑一", "13623874573", "朋友", "2026-10-01"],
        ["C09", "B003", "王芳", "13623874574", "同事", "2026-10-01"],
        ["C10", "B012", "李娜", "13623874574", "同事", "2026-10-01"],
        ["C11", "B013", "王芳", "13623874574", "同事", "2026-10-01"],
        ["C12", "B012", "冯, 二", "13523874578", "兄弟姐妹", "2020-01-01"],
        ["C13", "B020", "陈三", "0755-12345678", "配偶", "2026-10-01"],
        ["C14", "B023", "卫五", "13523874579", "子女", ""],
    ],
)
REASSIGNED: Table = (["phone", "disconnected_at"], [["13723874575", "2026-01-01"]])
OPT_OUTS: Table = (["手机号", "退订时间"], [["13723874576", "2026-11-01"]])
TABLES: dict[str, Table] = {
    "borrowers": BORROWERS,
    "contacts": CONTACTS,
    "reassigned": REASSIGNED,
    "opt_outs": OPT_OUTS,
}


# ---- writers: one per variant ------------------------------------------------------


def _delimited(table: Table, *, delimiter: str = ",", eol: str = "\n", quoting: int = 0) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=eol, quoting=quoting)
    writer.writerow(table[0])
    writer.writerows(table[1])
    return out.getvalue()


def _utf8(table: Table) -> bytes:
    return _delimited(table).encode("utf-8")


def _xlsx(table: Table, *, numbers: bool) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(table[0])
    for values in table[1]:
        row: list[Any] = []
        for value in values:
            if value == "":
                row.append(None)
            elif numbers and value.isascii() and value.isdigit() and value[0] != "0":
                # A phone stored as a number cell: Excel keeps it as a double.
                row.append(int(value))
            elif numbers and _iso_date(value) is not None:
                row.append(_iso_date(value))
            else:
                row.append(value)
        sheet.append(row)
    if not numbers:
        for cells in sheet.iter_rows(min_row=2):
            for cell in cells:
                if cell.value is not None:
                    cell.data_type = "s"  # text cells, as "format cells → text" gives
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _iso_date(value: str) -> dt.datetime | None:
    try:
        return dt.datetime.strptime(value, "%Y-%m-%d")
    except ValueError:
        return None


def _parquet(table: Table) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    columns = {
        header: pa.array([row[i] or None for row in table[1]], type=pa.string())
        for i, header in enumerate(table[0])
    }
    buffer = io.BytesIO()
    pq.write_table(pa.table(columns), buffer)
    return buffer.getvalue()


def _jsonl(table: Table, *, numbers: bool = False) -> bytes:
    lines = []
    for row in table[1]:
        record: dict[str, Any] = {}
        for header, value in zip(table[0], row, strict=True):
            if value == "":
                record[header] = None
            elif numbers and value.isascii() and value.isdigit() and value[0] != "0":
                record[header] = int(value)
            else:
                record[header] = value
        lines.append(json.dumps(record, ensure_ascii=False))
    return ("\n".join(lines) + "\n").encode("utf-8")


def _unicode_text(table: Table) -> bytes:
    # Excel "Unicode text": UTF-16 with a BOM, tab-separated, CRLF.
    return _delimited(table, delimiter="\t", eol="\r\n").encode("utf-16")


# variant -> (file suffix, writer, (format, encoding) detected for borrowers/contacts)
VARIANTS: dict[str, tuple[str, Callable[[Table], bytes], tuple[str, str | None]]] = {
    "utf8-bom": (".csv", lambda t: _delimited(t).encode("utf-8-sig"), ("csv", "utf-8-sig")),
    "gb18030": (".csv", lambda t: _delimited(t).encode("gb18030"), ("csv", "gb18030")),
    "gb18030-crlf": (
        ".csv", lambda t: _delimited(t, eol="\r\n").encode("gb18030"), ("csv", "gb18030")
    ),
    "semicolon": (
        ".csv", lambda t: _delimited(t, delimiter=";").encode("utf-8"), ("csv", "utf-8")
    ),
    "tab": (".tsv", lambda t: _delimited(t, delimiter="\t").encode("utf-8"), ("tsv", "utf-8")),
    "tab-named-csv": (
        ".csv", lambda t: _delimited(t, delimiter="\t").encode("utf-8"), ("tsv", "utf-8")
    ),
    "pipe": (".txt", lambda t: _delimited(t, delimiter="|").encode("utf-8"), ("csv", "utf-8")),
    "crlf": (".csv", lambda t: _delimited(t, eol="\r\n").encode("utf-8"), ("csv", "utf-8")),
    "cr-only": (".csv", lambda t: _delimited(t, eol="\r").encode("utf-8"), ("csv", "utf-8")),
    "excel-sep-line": (
        ".csv", lambda t: b"sep=;\r\n" + _delimited(t, delimiter=";").encode(), ("csv", "utf-8")
    ),
    "quote-all": (
        ".csv", lambda t: _delimited(t, quoting=csv.QUOTE_ALL).encode("utf-8"), ("csv", "utf-8")
    ),
    "xlsx-text": (".xlsx", lambda t: _xlsx(t, numbers=False), ("xlsx", None)),
    "xlsx-numbers": (".xlsx", lambda t: _xlsx(t, numbers=True), ("xlsx", None)),
    "parquet": (".parquet", _parquet, ("parquet", None)),
    "jsonl": (".jsonl", _jsonl, ("jsonl", "utf-8")),
    "jsonl-numbers": (".jsonl", lambda t: _jsonl(t, numbers=True), ("jsonl", "utf-8")),
    "utf16-tsv": (".txt", _unicode_text, ("tsv", "utf-16")),
    "utf16-tsv-named-csv": (".csv", _unicode_text, ("tsv", "utf-16")),
    # bcp -w and some ETL tools write UTF-16 without a BOM; the header is all Chinese.
    "utf16le-no-bom": (
        ".txt",
        lambda t: _delimited(t, delimiter="\t", eol="\r\n").encode("utf-16-le"),
        ("tsv", "utf-16-le"),
    ),
    "utf16be-no-bom": (
        ".txt",
        lambda t: _delimited(t, delimiter="\t", eol="\r\n").encode("utf-16-be"),
        ("tsv", "utf-16-be"),
    ),
}  # fmt: skip


def _write(directory: Path, suffix: str, writer: Callable[[Table], bytes]) -> AuditInputs:
    directory.mkdir()
    paths = {}
    for source, table in TABLES.items():
        path = directory / f"{source}{suffix}"
        path.write_bytes(writer(table))
        paths[source] = path
    return AuditInputs(**paths)


def _audit(inputs: AuditInputs) -> dict[str, Any]:
    return report_to_dict(run_audit(inputs, AuditConfig(), as_of=AS_OF).report)


@pytest.fixture(scope="module")
def plain(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    directory = tmp_path_factory.mktemp("variants") / "plain"
    # Module scope runs before conftest's per-test hash key: set the same key here.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CONTACTAUDIT_HASH_KEY", "test-key-not-secret")
        return _audit(_write(directory, ".csv", _utf8))


# ---- the baseline itself -----------------------------------------------------------


def test_base_dataset_has_a_spread_of_codes(plain: dict[str, Any]) -> None:
    codes = {f["code"] for f in plain["findings"]}
    expected = {
        "phone-missing", "phone-masked", "phone-precision-lost", "phone-multiple",
        "phone-unparseable", "phone-not-sms-capable", "phone-placeholder", "phone-not-mobile",
        "phone-has-extension", "phone-float-artifact", "phone-nonstandard-format",
        "phone-shared-by-borrowers", "borrower-duplicate-id", "contact-is-borrower-phone",
        "contact-is-other-borrower", "contact-shared-by-borrowers", "contact-duplicate",
        "self-contact-mismatch", "name-conflict", "relationship-unknown", "region-mismatch",
        "contact-orphan", "phone-reassigned", "phone-verification-stale",
        "phone-never-verified", "phone-opted-out",
    }  # fmt: skip
    assert expected <= codes, expected - codes


def test_quoted_line_breaks_keep_rows_counted_in_records(plain: dict[str, Any]) -> None:
    record_rows = {
        source: {row[0]: [i + 2 for i, r in enumerate(TABLES[source][1]) if r[0] == row[0]]
                 for row in TABLES[source][1]}
        for source in ("borrowers", "contacts")
    }  # fmt: skip
    checked = 0
    for finding in plain["findings"]:
        for item in (finding, *finding["related"]):
            assert item["row"] in record_rows[item["source"]][item["record_id"]], item
            checked += 1
    assert checked > 50
    # Rows after the multi-line names are still counted in records, not lines.
    shared = [f for f in plain["findings"] if f["code"] == "phone-shared-by-borrowers"]
    assert [(f["row"], f["record_id"]) for f in shared] == [(2, "B001"), (3, "B002")]


def test_warnings_name_columns_and_rows_but_never_values(plain: dict[str, Any]) -> None:
    borrowers = plain["inputs"][0]
    issues = {w["issue"]: w for w in borrowers["warnings"]}
    assert issues["unparseable-date"] == {
        "column": "核验日期",
        "issue": "unparseable-date",
        "count": 1,
        "rows": [23],
    }
    assert issues["unknown-country"]["rows"] == [23]
    assert issues["unknown-boolean"]["rows"] == [23]
    text = json.dumps(plain["inputs"], ensure_ascii=False)
    for value in ("火星", "not a date", "maybe", "许二", "13923874567"):
        assert value not in text


# ---- every variant equals the baseline ---------------------------------------------


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_variant_gives_exactly_the_plain_csv_findings(
    variant: str, plain: dict[str, Any], tmp_path: Path
) -> None:
    suffix, writer, detected = VARIANTS[variant]
    report = _audit(_write(tmp_path / variant, suffix, writer))
    assert report["findings"] == plain["findings"]
    assert [(i["format"], i["encoding"]) for i in report["inputs"][:2]] == [detected] * 2
    assert report["summary"] == plain["summary"]
    for got, want in zip(report["inputs"], plain["inputs"], strict=True):
        assert (got["source"], got["rows"], got["columns"]) == (
            want["source"], want["rows"], want["columns"]
        )  # fmt: skip
        ignore = {"format-mismatch"}
        assert [w for w in got.get("warnings", []) if w["issue"] not in ignore] == want.get(
            "warnings", []
        )


def test_xlsx_number_cells_really_are_numbers(tmp_path: Path) -> None:
    import openpyxl

    path = tmp_path / "b.xlsx"
    path.write_bytes(_xlsx(BORROWERS, numbers=True))
    sheet = openpyxl.load_workbook(path).active
    phones = [row[2] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert 13912873456 in phones and "+86 139 2468 1357" in phones
    assert isinstance(sheet.cell(2, 5).value, dt.datetime)


def test_cli_json_of_a_variant_equals_the_plain_csv(plain: dict[str, Any], tmp_path: Path) -> None:
    inputs = _write(tmp_path / "cli", ".xlsx", lambda t: _xlsx(t, numbers=True))
    result = CliRunner().invoke(
        app,
        [
            "audit", str(inputs.borrowers), str(inputs.contacts),
            "--reassigned", str(inputs.reassigned), "--opt-outs", str(inputs.opt_outs),
            "--as-of", AS_OF.isoformat(), "--format", "json", "--quiet",
        ],
        catch_exceptions=False,
    )  # fmt: skip
    assert result.exit_code == 1
    assert json.loads(result.stdout)["findings"] == plain["findings"]


# ---- typed columns: phones stored as numbers ----------------------------------------


def _digit_only(table: Table, phone_at: int) -> Table:
    """Rows whose phone is plain digits: the only ones a typed number column can hold."""
    rows = [r for r in table[1] if r[phone_at].isascii() and r[phone_at].isdigit()]
    return table[0], rows


def test_parquet_int64_phone_column_gives_the_csv_findings(tmp_path: Path) -> None:
    # A warehouse export types an all-digit phone column as int64; only digit-only rows
    # can be written that way, so this compares that subset with its own CSV.
    import pyarrow as pa
    import pyarrow.parquet as pq

    borrowers = _digit_only(BORROWERS, 2)
    contacts = _digit_only(CONTACTS, 3)
    csv_dir = tmp_path / "csv"
    csv_dir.mkdir()
    (csv_dir / "b.csv").write_bytes(_utf8(borrowers))
    (csv_dir / "c.csv").write_bytes(_utf8(contacts))
    want = _audit(AuditInputs(borrowers=csv_dir / "b.csv", contacts=csv_dir / "c.csv"))

    def typed(table: Table, phone_at: int) -> bytes:
        columns = {}
        for i, header in enumerate(table[0]):
            values = [row[i] or None for row in table[1]]
            if i == phone_at:
                columns[header] = pa.array([int(v) for v in values], type=pa.int64())
            else:
                columns[header] = pa.array(values, type=pa.string())
        buffer = io.BytesIO()
        pq.write_table(pa.table(columns), buffer)
        return buffer.getvalue()

    (tmp_path / "b.parquet").write_bytes(typed(borrowers, 2))
    (tmp_path / "c.parquet").write_bytes(typed(contacts, 3))
    got = _audit(AuditInputs(borrowers=tmp_path / "b.parquet", contacts=tmp_path / "c.parquet"))
    assert want["findings"], "the subset should still have findings"
    assert got["findings"] == want["findings"]


# ---- GBK text that starts like valid UTF-8 -----------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        # 陆伟 (D0BD CEB0 in GBK) and 状态 (D7B4 CCAC) are valid UTF-8 byte pairs.
        "borrower_id,name,phone\nB1,陆伟,13912873456\nB2,张三,13912873456\n",
        "borrower_id,phone,状态\nB1,13912873456,正常\nB2,13912873456,逾期\n",
        "状态,客户号,手机号\nactive,B1,13912873456\noverdue,B2,13912873456\n",
    ],
)
def test_gbk_file_that_starts_like_utf8_is_read_as_gb18030(text: str, tmp_path: Path) -> None:
    # Was: "the file is UTF-8 text with an invalid byte" — about one small GBK export in
    # seven was refused because its first Chinese characters happen to be valid UTF-8.
    (tmp_path / "utf8.csv").write_bytes(text.encode("utf-8"))
    (tmp_path / "gbk.csv").write_bytes(text.encode("gbk"))
    want = _audit(AuditInputs(borrowers=tmp_path / "utf8.csv"))
    got = _audit(AuditInputs(borrowers=tmp_path / "gbk.csv"))
    assert got["inputs"][0]["encoding"] == "gb18030"
    assert got["inputs"][0]["columns"] == want["inputs"][0]["columns"]
    assert got["findings"] == want["findings"]
    assert {f["code"] for f in got["findings"]} == {"phone-shared-by-borrowers"}


def test_damaged_utf8_deep_in_a_large_file_is_still_an_error(tmp_path: Path) -> None:
    from contactaudit.errors import InputError
    from contactaudit.loading import load_export

    rows = "".join(f"B{i},1391287{i % 10000:04d},王小明{i}\n" for i in range(20000))
    data = ("borrower_id,phone,name\n" + rows).encode("utf-8") + b"B9,13912873456,\xe7\x8e\n"
    (tmp_path / "b.csv").write_bytes(data)
    with pytest.raises(InputError, match=r"UTF-8 text with an invalid byte .*line 20002"):
        load_export(tmp_path / "b.csv", "borrowers")


def test_number_cells_beyond_exact_double_range_never_invent_digits(tmp_path: Path) -> None:
    # Was: 12345678901234567890 in a number cell came back as "12345678901234569216",
    # digits the file never held. Up to 2**53 every integer is exact and stays digits.
    import openpyxl

    from contactaudit.loading import load_export

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["borrower_id", "phone"])
    sheet.append([2**53, 13912873456])
    sheet.append(["B2", 12345678901234567890])
    book.save(tmp_path / "b.xlsx")
    frame = load_export(tmp_path / "b.xlsx", "borrowers").frame
    assert frame["borrower_id"].tolist() == [str(2**53), "B2"]
    phones = frame["phone"].tolist()
    assert phones[0] == "13912873456"
    assert phones[1].startswith("1.23456789012345") and phones[1].endswith("e+19")
    report = _audit(AuditInputs(borrowers=tmp_path / "b.xlsx"))
    assert [(f["code"], f["row"]) for f in report["findings"]] == [("phone-precision-lost", 3)]
