from __future__ import annotations

import json

from contactaudit.reporters import json_report
from reporting_samples import SECRETS, assert_golden, sample_report

FINDING_KEYS = [
    "code",
    "severity",
    "remediation",
    "source",
    "row",
    "record_id",
    "borrower_id",
    "column",
    "phone_masked",
    "phone_key",
    "message",
    "related",
    "status",
]


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
