from __future__ import annotations

import json

import pandas as pd
import pyarrow as pa
import pytest

from contactaudit.models import AuditReport, Related
from contactaudit.reporters import json_report
from contract_helpers import FINDING_FIELDS
from reporting_samples import SECRETS, assert_golden, hostile_row, sample_report

FINDING_KEYS = list(FINDING_FIELDS)


def test_json_report_matches_golden_file() -> None:
    assert_golden("report.json", json_report.render(sample_report()))


def test_json_report_has_the_contract_fields() -> None:
    data = json.loads(json_report.render(sample_report()))
    assert data["schema_version"] == 1
    assert data["tool"]["name"] == "contactaudit"
    assert set(data["summary"]) >= {
        "findings",
        "records_with_findings",
        "by_severity",
        "by_code",
        "new",
        "resolved",
    }
    assert list(data["findings"][0]) == FINDING_KEYS
    assert data["findings"][1]["related"] == [
        {"source": "borrowers", "row": 5, "record_id": "B004"}
    ]


def test_json_report_masks_by_default_and_reveals_on_request() -> None:
    masked = json_report.render(sample_report())
    for secret in SECRETS:
        assert secret not in masked
    revealed = json.loads(json_report.render(sample_report(reveal_phones=True)))
    first = revealed["findings"][0]
    assert (first["phone_e164"], first["phone_raw"]) == ("+8613812345678", "138 1234 5678")


def _roundtrip(report: AuditReport) -> None:
    text = json_report.render(report)
    assert json.loads(text) == json_report.report_to_dict(report)
    assert text == "".join(json_report.render_chunks(report))
    assert text.encode("utf-8") == b"".join(json_report.render_byte_chunks(report))


@pytest.mark.parametrize("reveal", [False, True])
def test_streamed_json_parses_to_report_to_dict(reveal: bool) -> None:
    _roundtrip(sample_report(reveal_phones=reveal))


def test_streamed_json_of_a_report_without_findings() -> None:
    report = sample_report([])
    _roundtrip(report)
    assert json.loads(json_report.render(report))["findings"] == []


def test_json_is_one_finding_per_line_after_an_indented_header() -> None:
    lines = json_report.render(sample_report()).splitlines()
    start = lines.index('  "findings": [')
    assert lines[1] == '  "schema_version": 1,'
    assert lines[start + 1].startswith('    {"code": "phone-reassigned", ')
    assert lines[-2:] == ["  ]", "}"]
    assert len(lines) - start - 3 == len(sample_report().findings)


_AWKWARD = [
    'quote " and backslash \\ and a/slash',
    "line\nbreak\ttab\r\x00\x1f end",
    "中文 消息 🙂 \u2028",
    "",
]


def test_text_that_needs_escapes_round_trips(monkeypatch: pytest.MonkeyPatch) -> None:
    rows = []
    for i, text in enumerate(_AWKWARD * 3):
        row = hostile_row(text, text, row=10 + i)
        # None, NaN and text in the optional columns; related with and without ids.
        row = (
            row[:8]
            + (text or None, float("nan"), text)
            + (
                (Related("contacts", 3, None), Related("borrowers", 4, text)) if i % 2 else (),
                None if i % 3 else "new",
                text,
                None,
            )
        )
        rows.append(row)
    monkeypatch.setattr(json_report, "CHUNK_ROWS", 5)  # several chunks
    report = sample_report(rows, reveal_phones=True)
    _roundtrip(report)
    data = json.loads(json_report.render(report))
    assert [f["message"] for f in data["findings"]] == _AWKWARD * 3
    assert data["findings"][1]["related"] == [
        {"source": "contacts", "row": 3, "record_id": None},
        {"source": "borrowers", "row": 4, "record_id": _AWKWARD[1]},
    ]
    assert data["findings"][0]["phone_key"] is None


@pytest.mark.parametrize("block", [1, 3, 1 << 20])
def test_the_escape_scan_finds_a_character_in_any_block_and_only_inside_the_slice(
    monkeypatch: pytest.MonkeyPatch, block: int
) -> None:
    monkeypatch.setattr(json_report, "_SCAN_BLOCK", block)
    plain = ["plain id", "中文", "", "abc"]
    for special in ('"', "\\", "\n", "\x00", "\x1f"):
        text = pa.array([*plain, "tail" + special], type=pa.string())
        assert json_report._may_need_escapes(text)
        assert not json_report._may_need_escapes(text.slice(0, len(plain)))
        assert json_report._may_need_escapes(text.slice(len(plain)))
    assert not json_report._may_need_escapes(pa.array(plain, type=pa.string()))
    assert not json_report._may_need_escapes(pa.array(["\x7f é /"], type=pa.string()))


def test_arrow_string_columns_and_non_text_values_round_trip() -> None:
    report = sample_report()
    f = report.findings
    f["message"] = f["message"].astype("str")
    f["record_id"] = [7, None, "C005", 9.5, "B003", "B005", None, "B008", "B003"]
    f["related"] = [None, *f["related"].iloc[1:]]
    text = json_report.render(report)
    assert json.loads(text) == json_report.report_to_dict(report)
    assert [x["record_id"] for x in json.loads(text)["findings"]][:4] == [7, None, "C005", 9.5]


def test_repetitive_and_distinct_columns_take_both_encodings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # 20 copies: codes, messages (some with escapes) repeat; record ids are all distinct.
    base = sample_report().findings
    frame = pd.concat([base] * 20, ignore_index=True)
    frame["record_id"] = [f'R"{i}' if i % 7 else None for i in range(len(frame))]
    frame.loc[::3, "message"] = 'has "quotes" and \\ backslash'
    monkeypatch.setattr(json_report, "CHUNK_ROWS", 64)
    report = sample_report(findings=frame, reveal_phones=True)
    _roundtrip(report)
    assert json.loads(json_report.render(report))["findings"][3]["message"] == (
        'has "quotes" and \\ backslash'
    )


def test_chunk_boundaries_do_not_show_in_the_text(monkeypatch: pytest.MonkeyPatch) -> None:
    report = sample_report()
    whole = json_report.render(report)
    monkeypatch.setattr(json_report, "CHUNK_ROWS", 2)
    assert json_report.render(report) == whole
    lines = whole.splitlines()
    findings = lines[lines.index('  "findings": [') + 1 : -2]
    assert all(line.startswith('    {"code": ') for line in findings)
    assert all(line.endswith("},") for line in findings[:-1]) and findings[-1].endswith("}")
