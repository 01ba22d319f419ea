"""Issue 8 items 2 and 4: broken inputs exit 2 with a message, never a traceback or a value.

Every case goes through the CLI and checks the exit status, that the message names
the file (and the row, line, column or key where it applies), that there is no
traceback, and that no phone number or name from the input appears anywhere.
Cases already covered in test_cli.py (missing file, directory, empty file, binary
garbage, missing column, bad encoding name, unknown config key, -o over an input)
are not repeated.
"""

from __future__ import annotations

import gzip
import io
import json
import subprocess
import sys
import warnings
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from contactaudit.cli import app

AS_OF = "2026-11-28"
PHONES = ("13912873456", "13523874561", "13623874570")
NAMES = ("张三", "李四", "王五")
GOOD = "borrower_id,phone,name\nB1,13912873456,张三\nB2,13523874561,李四\n"


def invoke(*args: str | Path, input: str | bytes | None = None):  # noqa: A002 - CliRunner's name
    return CliRunner().invoke(app, [str(a) for a in args], input=input, catch_exceptions=False)


def assert_no_values(text: str) -> None:
    assert "Traceback" not in text
    for value in PHONES + NAMES:
        assert value not in text


def assert_input_error(result, *needles: str) -> None:
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("contactaudit: error: ")
    for needle in needles:
        assert needle in result.stderr, result.stderr
    assert result.stdout == ""
    assert_no_values(result.output)


def _xlsx(rows: list[list[object]], *, empty_first_sheet: bool = False) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    if empty_first_sheet:
        sheet.title = "说明"
        sheet = book.create_sheet("data")
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _zip_of_csv() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("borrowers.csv", GOOD)
    return buffer.getvalue()


def _parquet() -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    buffer = io.BytesIO()
    pq.write_table(pa.table({"borrower_id": ["B1"], "phone": ["13912873456"]}), buffer)
    return buffer.getvalue()


XLSX = _xlsx([["borrower_id", "phone", "name"], ["B1", 13912873456, "张三"]])
PARQUET = _parquet()
CORPUS = Path(__file__).parent / "data" / "corpus"

# file name -> (content, text the message must contain besides the file name)
BROKEN: dict[str, tuple[bytes, tuple[str, ...]]] = {
    "unterminated.csv": (
        b'borrower_id,phone,name\nB1,13912873456,"\xe5\xbc\xa0\xe4\xb8\x89\nB2,13523874561,x\n',
        ("never closes", "row 2"),
    ),
    "unterminated_late.csv": (
        (GOOD + 'B3,13623874570,"王五\n').encode("utf-8"),
        ("never closes", "row 4"),
    ),
    # Cut in the middle of the last character: damaged UTF-8, never re-read as GB18030.
    "truncated_utf8.csv": (GOOD.encode("utf-8")[:-2], ("invalid byte", "line 3")),
    # A UTF-8 file with a GBK line appended by another tool.
    "mixed_encodings.csv": (
        GOOD.encode("utf-8") + "B3,13623874570,王五\n".encode("gbk"),
        ("invalid byte", "line 4"),
    ),
    "nul_byte.csv": (b"borrower_id,phone,name\nB1,1391287\x003456,x\n", ("NUL", "line 2")),
    "compressed.csv": (gzip.compress(GOOD.encode("utf-8")), ("gzip", "Decompress")),
    "blank_lines.csv": (b"\n\r\n   \n\t\n\n", ("empty",)),
    "bom_only.csv": (b"\xef\xbb\xbf\r\n", ("empty",)),
    "delimiters_only.csv": (b",,,\n,,,\n", ("no header row",)),
    "duplicate_columns.csv": (
        b"borrower_id,phone,phone\nB1,13912873456,13523874561\n",
        ("'phone' appears twice", "columns 2 and 3"),
    ),
    # No header row and two equal cells in the first record: never echo them as headers.
    "headerless_duplicates.csv": (
        b"B1,13912873456,13912873456\nB2,13523874561,13523874561\n",
        ("columns 2 and 3", "no header row"),
    ),
    "extra_fields.csv": (
        (GOOD + "B3,13623874570,王五,extra\n").encode("utf-8"),
        ("row 4 has more fields than the header",),
    ),
    # Chinese Excel reports put a title such as 借款人信息表 above the header row.
    "title_row.xlsx": (
        (CORPUS / "xlsx_title_row_above_header.xlsx").read_bytes(),
        ("looks like a title above the header row",),
    ),
    "title_line.csv": (
        (CORPUS / "title_line_above_header.csv").read_bytes(),
        ("row 2 has more fields", "title above the header row"),
    ),
    "corrupt.xlsx": (XLSX[: len(XLSX) // 3], ("not a readable Excel workbook",)),
    "zipped_csv.xlsx": (_zip_of_csv(), ("another kind of ZIP",)),
    "binary.xlsx": (bytes(range(128, 256)) * 20, ("named like an Excel workbook",)),
    "empty_first_sheet.xlsx": (
        _xlsx([["borrower_id", "phone"], ["B1", "13912873456"]], empty_first_sheet=True),
        ("sheet '说明' is empty", "sheets: 说明, data"),
    ),
    "corrupt.parquet": (PARQUET[:40] + PARQUET[-12:], ("not a readable Parquet file",)),
    "truncated.parquet": (PARQUET[:-20], ("not a readable Parquet file",)),
    # Was "corrupt or truncated": the dataset reader refuses duplicate names.
    "duplicate_columns.parquet": (
        (CORPUS / "parquet_duplicate_columns.parquet").read_bytes(),
        ("'phone' appears twice",),
    ),
    "binary_column.parquet": (
        (CORPUS / "parquet_binary_column.parquet").read_bytes(),
        ("column 'phone'", "cannot be read as text"),
    ),
    # Found by the fuzz test: a column name that is not UTF-8 was an internal error.
    "name_not_utf8.parquet": (
        (CORPUS / "parquet_name_not_utf8.parquet").read_bytes(),
        ("not a readable Parquet file",),
    ),
    "not_parquet.parquet": (bytes(range(128, 256)) * 20, ("named .parquet",)),
    "legacy.xls": (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600,
        ("Save it again as .xlsx",),
    ),
    "bad_line.jsonl": (
        b'{"borrower_id": "B1", "phone": "13912873456"}\n{"borrower_id": "B2", "phone": 1352\n',
        ("line 2 is not valid JSON",),
    ),
}


@pytest.mark.parametrize("name", list(BROKEN))
def test_broken_input_exits_2_naming_file_and_place(name: str, tmp_path: Path) -> None:
    content, needles = BROKEN[name]
    path = tmp_path / name
    path.write_bytes(content)
    result = invoke("audit", path, "--as-of", AS_OF)
    assert_input_error(result, str(path), *needles)


def test_broken_contacts_file_is_named_not_the_borrowers(tmp_path: Path) -> None:
    (tmp_path / "b.csv").write_text(GOOD, encoding="utf-8")
    (tmp_path / "c.csv").write_bytes(b'contact_id,borrower_id,phone\nC1,B1,"13623874570\n')
    result = invoke("audit", tmp_path / "b.csv", tmp_path / "c.csv", "--as-of", AS_OF)
    assert_input_error(result, str(tmp_path / "c.csv"), "never closes")
    assert str(tmp_path / "b.csv") not in result.stderr


def test_unreadable_file_exits_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Tests may run as root, where chmod 000 still reads: make the read itself fail.
    path = tmp_path / "locked.csv"
    path.write_text(GOOD, encoding="utf-8")
    real = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self.name == "locked.csv":
            raise PermissionError(13, "Permission denied")
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    assert_input_error(invoke("audit", path, "--as-of", AS_OF), str(path), "permission denied")


def test_empty_standard_input_exits_2() -> None:
    assert_input_error(invoke("audit", "-", "--as-of", AS_OF, input=b""), "-:", "empty")


def test_standard_input_for_two_inputs_exits_2() -> None:
    # Was: the second input found standard input consumed and was called "empty".
    result = invoke("audit", "-", "--opt-outs", "-", "--as-of", AS_OF, input=GOOD)
    assert_input_error(result, "borrowers and opt_outs", "only once")


# ---- not errors: files that look odd but are fine ------------------------------------


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("header_only.csv", b"borrower_id,phone,name\n"),
        ("header_only_crlf_bom.csv", b"\xef\xbb\xbfborrower_id,phone,name\r\n\r\n"),
        ("header_only.tsv", "借款人ID\t手机号\t姓名\n".encode("gb18030")),
        ("header_only.xlsx", _xlsx([["borrower_id", "phone", "name"]])),
        ("header_only.jsonl", b"\n\n"),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_header_without_records_is_an_audit_with_zero_findings(
    name: str, content: bytes, tmp_path: Path
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    if name.endswith(".jsonl"):
        # JSON Lines has no header line: a file of blank lines is empty, not zero records.
        assert_input_error(invoke("audit", path, "--as-of", AS_OF), str(path), "empty")
        return
    contacts = tmp_path / "contacts.csv"
    contacts.write_text("contact_id,borrower_id,phone\n", encoding="utf-8")
    result = invoke("audit", path, contacts, "--as-of", AS_OF, "--format", "json", "-q")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["findings"] == []
    assert [i["rows"] for i in report["inputs"]] == [0, 0]


@pytest.mark.parametrize(
    ("name", "content", "needle"),
    [
        ("really_csv.xlsx", GOOD.encode("utf-8"), "is CSV text"),
        ("really_xlsx.csv", XLSX, "is an Excel workbook"),
        ("really_parquet.csv", PARQUET, "is a Parquet file"),
    ],
)
def test_wrong_extension_exits_2_naming_the_file_and_its_real_format(
    name: str, content: bytes, needle: str, tmp_path: Path
) -> None:
    # Issue 8: an .xlsx that is really a CSV, and the reverse, are broken inputs.
    path = tmp_path / name
    path.write_bytes(content)
    result = invoke("audit", path, "--as-of", AS_OF, "--format", "json", "-q")
    assert result.exit_code == 2, result.output
    assert name in result.stderr
    assert needle in result.stderr
    assert "Traceback" not in result.output
    assert_no_values(result.stderr)


def test_dos_end_of_file_mark_is_not_a_record(tmp_path: Path) -> None:
    # Was: the trailing Ctrl-Z became a record with a phone-missing finding (exit 1).
    path = tmp_path / "dos.csv"
    path.write_bytes(GOOD.replace("\n", "\r\n").encode("gbk") + b"\x1a")
    result = invoke("audit", path, "--as-of", AS_OF, "--format", "json", "-q")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["inputs"][0]["rows"] == 2
    assert report["findings"] == []


def test_old_mac_line_endings_and_excel_sep_line_are_read(tmp_path: Path) -> None:
    # Was: a bare-CR file was an internal error (exit 3) from the header field count.
    text = GOOD + "B3,13912873456,王五\nB4,+86 135 2387 4569,\n"
    cr = tmp_path / "cr.csv"
    cr.write_bytes(("\r\r" + text.replace("\n", "\r")).encode("utf-8"))
    sep = tmp_path / "sep.csv"
    sep.write_bytes(("sep=;\r\n" + text.replace(",", ";")).encode("utf-8"))
    plain = tmp_path / "plain.csv"
    plain.write_text("\n\n" + text, encoding="utf-8")
    reports = [
        json.loads(invoke("audit", p, "--as-of", AS_OF, "--format", "json", "-q").stdout)
        for p in (plain, cr, sep)
    ]
    assert {(f["code"], f["row"]) for f in reports[0]["findings"]} >= {
        ("phone-shared-by-borrowers", 4),
        ("phone-shared-by-borrowers", 6),
        ("phone-nonstandard-format", 7),
    }
    assert reports[1]["findings"] == reports[0]["findings"]
    # Excel hides the sep= line: the header is row 1 there, two rows up.
    shifted = [
        {**f, "row": f["row"] + 2, "related": [{**r, "row": r["row"] + 2} for r in f["related"]]}
        for f in reports[2]["findings"]
    ]
    assert shifted == reports[0]["findings"]


def test_extremely_long_line_and_many_columns_are_read(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    extra = [f"x{i}" for i in range(2000)]
    header = ",".join(["borrower_id", "phone", "name", *extra])
    row = ",".join(["B1", "13912873456", "张" * 1_000_000, *(["1"] * 2000)])
    path.write_text(f"{header}\n{row}\n", encoding="utf-8")
    result = invoke("audit", path, "--as-of", AS_OF, "--format", "json", "-q")
    assert result.exit_code in (0, 1), result.output
    report = json.loads(result.stdout)
    assert report["inputs"][0]["rows"] == 1
    (unknown,) = [w for w in report["inputs"][0]["warnings"] if w["issue"] == "unknown-columns"]
    assert len(unknown["columns"]) == 2000


# ---- options and config ------------------------------------------------------------


@pytest.fixture
def borrowers(tmp_path: Path) -> Path:
    path = tmp_path / "b.csv"
    path.write_text(GOOD, encoding="utf-8")
    return path


@pytest.mark.parametrize("value", ["2026-13-01", "yesterday", "2026-11-28T00:00", ""])
def test_bad_as_of_exits_2(borrowers: Path, value: str) -> None:
    assert_input_error(invoke("audit", borrowers, "--as-of", value), "--as-of", "YYYY-MM-DD")


@pytest.mark.parametrize(
    ("toml", "needles"),
    [
        ("region = 86\n", ("'region'",)),
        ('contact_fanout_threshold = "three"\n', ("'contact_fanout_threshold'",)),
        ('placeholders = "13800138000"\n', ("'placeholders'",)),
        ('[stale_after_days]\nborrowers = "180"\n', ("borrowers",)),
        ("[severity]\nphone-invalid = 3\n", ("phone-invalid",)),
        ("[columns.borrowers]\nphone = 7\n", ("phone",)),
        ("[stale_after_dayz]\nborrowers = 90\n", ("'stale_after_dayz'", "stale_after_days")),
        ('region = "CN"\nregion = "US"\n', ("not valid TOML",)),
    ],
)
def test_config_value_of_the_wrong_type_exits_2_naming_the_key(
    borrowers: Path, tmp_path: Path, toml: str, needles: tuple[str, ...]
) -> None:
    config = tmp_path / "cfg.toml"
    config.write_text(toml, encoding="utf-8")
    result = invoke("audit", borrowers, "--config", config, "--as-of", AS_OF)
    assert_input_error(result, *needles)


def test_config_file_that_is_not_utf8_or_a_directory_exits_2(
    borrowers: Path, tmp_path: Path
) -> None:
    config = tmp_path / "cfg.toml"
    config.write_bytes('region = "中国"\n'.encode("gbk"))
    assert_input_error(invoke("audit", borrowers, "--config", config), "cfg.toml", "UTF-8")
    assert_input_error(invoke("audit", borrowers, "--config", tmp_path), "--config")


@pytest.mark.parametrize(
    "extra",
    [
        ["-o", "{tmp}/cfg.toml"],
        ["--suppression-out", "{tmp}/cfg.toml"],
        ["--history", "{tmp}/h.sqlite", "-o", "{tmp}/h.sqlite"],
        ["--suppression-out", "{tmp}/s.csv", "-o", "{tmp}/s.csv"],
        ["--out-dir", "{tmp}", "--history", "{tmp}/report.json"],
        ["-o", "{tmp}/sub/../b.csv"],
        ["--out-dir", "{tmp}/in"],
    ],
)
def test_an_output_over_an_input_or_another_output_exits_2(
    borrowers: Path, tmp_path: Path, extra: list[str]
) -> None:
    config = tmp_path / "cfg.toml"
    config.write_text('region = "CN"\n', encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "findings.csv").write_text(GOOD, encoding="utf-8")
    before = {p: p.read_bytes() for p in (borrowers, config, tmp_path / "in" / "findings.csv")}
    args = [a.replace("{tmp}", str(tmp_path)) for a in extra]
    result = invoke(
        "audit", borrowers, "--opt-outs", tmp_path / "in" / "findings.csv", "--config", config,
        "--as-of", AS_OF, "--format", "json", *args,
    )  # fmt: skip
    assert_input_error(result)
    assert "Choose another" in result.stderr
    assert {p: p.read_bytes() for p in before} == before


# ---- gate -------------------------------------------------------------------------


@pytest.fixture
def campaign(tmp_path: Path) -> Path:
    path = tmp_path / "campaign.csv"
    path.write_text(
        "message_id,borrower_id,phone,purpose\nM1,B1,13912873456,reminder\n", encoding="utf-8"
    )
    return path


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (["--approved-out", "{tmp}/ok.csv", "--blocked-out", "{tmp}/no.csv"], ("--borrowers",)),
        (["--borrowers", "{b}", "--blocked-out", "{tmp}/no.csv"], ("--approved-out",)),
        (
            ["--borrowers", "{b}", "--approved-out", "{tmp}/x.csv", "--blocked-out", "{tmp}/x.csv"],
            ("different files",),
        ),
        (
            ["--borrowers", "{b}", "--approved-out", "{c}", "--blocked-out", "{tmp}/no.csv"],
            ("also an input",),
        ),
        (
            ["--borrowers", "{b}", "--approved-out", "{tmp}/ok.csv", "--blocked-out", "{b}"],
            ("also an input",),
        ),
    ],
)
def test_gate_error_paths_exit_2_and_write_nothing(
    borrowers: Path, campaign: Path, tmp_path: Path, args: list[str], needles: tuple[str, ...]
) -> None:
    before = {borrowers: borrowers.read_bytes(), campaign: campaign.read_bytes()}
    filled = [
        a.replace("{tmp}", str(tmp_path))
        .replace("{b}", str(borrowers))
        .replace("{c}", str(campaign))
        for a in args
    ]
    result = invoke("gate", campaign, *filled, "--as-of", AS_OF)
    assert_input_error(result, *needles)
    assert {p: p.read_bytes() for p in before} == before
    assert not (tmp_path / "ok.csv").exists() and not (tmp_path / "no.csv").exists()


def test_gate_broken_campaign_names_the_campaign_file(borrowers: Path, tmp_path: Path) -> None:
    campaign = tmp_path / "campaign.csv"
    campaign.write_bytes(b'message_id,borrower_id,phone\nM1,B1,"13912873456\n')
    result = invoke(
        "gate", campaign, "--borrowers", borrowers, "--approved-out", tmp_path / "ok.csv",
        "--blocked-out", tmp_path / "no.csv", "--as-of", AS_OF,
    )  # fmt: skip
    assert_input_error(result, str(campaign), "never closes")


# ---- internal errors and --debug ----------------------------------------------------


@pytest.fixture
def broken_check(monkeypatch: pytest.MonkeyPatch) -> None:
    import contactaudit.audit as audit_module

    def boom(*_args: object, **_kwargs: object) -> None:
        # An internal error whose text quotes data, as a pandas KeyError would.
        raise KeyError(f"{PHONES[0]} {NAMES[0]}")

    monkeypatch.setattr(audit_module, "check_duplicated", boom)


@pytest.mark.usefixtures("broken_check")
def test_internal_error_without_debug_shows_no_traceback_and_no_values(borrowers: Path) -> None:
    result = invoke("audit", borrowers, "--as-of", AS_OF)
    assert result.exit_code == 3
    assert "internal error (KeyError)" in result.stderr
    assert "--debug" in result.stderr
    assert result.stdout == ""
    assert_no_values(result.output)


@pytest.mark.usefixtures("broken_check")
def test_internal_error_with_debug_shows_the_traceback(borrowers: Path) -> None:
    result = invoke("audit", borrowers, "--as-of", AS_OF, "--debug")
    assert result.exit_code == 3
    assert "Traceback" in result.stderr
    assert "check_duplicated" in result.stderr or "boom" in result.stderr


def test_input_errors_never_show_a_traceback_even_with_debug(tmp_path: Path) -> None:
    path = tmp_path / "b.csv"
    path.write_bytes(BROKEN["unterminated.csv"][0])
    result = invoke("audit", path, "--as-of", AS_OF, "--debug")
    assert_input_error(result, "never closes")


def test_typer_pretty_exceptions_and_locals_are_off() -> None:
    assert app.pretty_exceptions_enable is False
    assert not app.pretty_exceptions_show_locals


def test_real_entry_point_exits_2_without_traceback(tmp_path: Path) -> None:
    path = tmp_path / "b.csv"
    path.write_bytes(BROKEN["mixed_encodings.csv"][0])
    done = subprocess.run(
        [sys.executable, "-m", "contactaudit", "audit", str(path), "--as-of", AS_OF],
        capture_output=True,
        text=True,
        timeout=60,
        env={"CONTACTAUDIT_HASH_KEY": "test-key-not-secret", "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 2
    assert "line 4" in done.stderr
    assert_no_values(done.stdout + done.stderr)


# ---- privacy of a successful run ---------------------------------------------------


def test_successful_run_stderr_and_warnings_hold_no_values(tmp_path: Path) -> None:
    path = tmp_path / "b.csv"
    path.write_text(
        "borrower_id,phone,name,country,phone_verified_at,sms_opt_out,note\n"
        "B1,13912873456,张三,火星,not a date,maybe,x\n"
        "B2,13523874561,李四,CN,2026/02/30,true,y\n"
        "B3,13623874570,王五,CN,2026-10-01,false,z\n",
        encoding="utf-8",
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = invoke("audit", path, "--as-of", AS_OF, "--format", "json")
    assert result.exit_code in (0, 1)
    assert_no_values(result.stderr)
    assert result.stderr.startswith("contactaudit: audit findings=")
    for warning in caught:
        assert_no_values(str(warning.message))
    (info,) = json.loads(result.stdout)["inputs"]
    issues = {w["issue"] for w in info["warnings"]}
    assert {"unparseable-date", "unknown-country", "unknown-boolean"} <= issues
    text = json.dumps(info["warnings"], ensure_ascii=False)
    for value in ("火星", "not a date", "2026/02/30", "maybe", *PHONES, *NAMES):
        assert value not in text
