"""A small hand-built AuditReport shared by the reporter tests and golden files.

The findings carry real-looking E.164 and raw values so the privacy tests can grep
every rendered report for them; ``SECRETS`` lists them.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
from pathlib import Path
from typing import Any

import pandas as pd

from contactaudit.models import FINDING_COLUMNS, AuditReport, InputInfo, Related

# (code, severity, remediation, source, row, record_id, borrower_id, column,
#  phone_masked, phone_key, message, related, status, e164, raw)
# fmt: off
_ROWS: list[tuple[Any, ...]] = [
    ("phone-reassigned", "critical", "SUPPRESS_SMS", "borrowers", 2, "B001", "B001", "phone",
     "138****5678", "a1b2c3d4e5f60718",
     "number is on the reassigned list, disconnected after the last verification",
     (), "new", "+8613812345678", "138 1234 5678"),
    ("contact-is-other-borrower", "high", "USE_NEUTRAL_TEMPLATE", "contacts", 3, "C002", "B001",
     "contact2_phone", "139****4321", "0f1e2d3c4b5a6978",
     "联系人号码是另一位借款人的手机号", (Related("borrowers", 5, "B004"),), "persisting",
     "+8613987654321", "13987654321"),
    ("phone-invalid", "high", "SUPPRESS_SMS", "contacts", 6, "C005", "B002", "phone",
     "1****5", None, "not a valid number for region CN", (), "persisting", None, "1234567895"),
    ("phone-opted-out", "high", "SUPPRESS_SMS", "borrowers", 5, "B004", "B004", "phone",
     "139****4321", "0f1e2d3c4b5a6978", "borrower asked not to be texted (sms_opt_out)",
     (), "persisting", "+8613987654321", "13987654321"),
    ("phone-shared-by-borrowers", "high", "REVERIFY", "borrowers", 4, "B003", "B003", "phone",
     "150****5678", "99aa88bb77cc66dd", "number is also the phone of 1 other borrower",
     (Related("borrowers", 6, "B005"), Related("contacts", 7, None)), "new",
     "+8615012345678", "+86 150-1234-5678"),
    ("phone-shared-by-borrowers", "high", "REVERIFY", "borrowers", 6, "B005", "B005", "phone",
     "150****5678", "99aa88bb77cc66dd", "number is also the phone of 1 other borrower",
     (Related("borrowers", 4, "B003"),), "new", "+8615012345678", "15012345678"),
    ("name-conflict", "medium", "REVERIFY", "contacts", 7, None, "B003", "phone",
     "150****5678", "99aa88bb77cc66dd", "number listed under 2 names: 张三 | 李四?",
     (Related("contacts", 8, "C007"),), "new", "+8615012345678", "150 1234 5678"),
    ("region-mismatch", "low", "REVIEW", "borrowers", 9, "B008", "B008", "phone",
     "+44******0123", "5e5e5e5e5e5e5e5e", "number region GB differs from country CN",
     (), "persisting", "+447700900123", "07700 900123"),
    ("phone-nonstandard-format", "info", "FIX_FORMAT", "borrowers", 4, "B003", "B003", "phone",
     "150****5678", "99aa88bb77cc66dd", "stored with separators or a prefix",
     (), "persisting", "+8615012345678", "+86 150-1234-5678"),
]
# fmt: on

SECRETS: tuple[str, ...] = tuple(sorted({v for row in _ROWS for v in (row[13], row[14]) if v}))


def findings_frame(rows: list[tuple[Any, ...]] | None = None) -> pd.DataFrame:
    data = _ROWS if rows is None else rows
    frame = pd.DataFrame(
        {c: pd.Series([r[i] for r in data], dtype=object) for i, c in enumerate(FINDING_COLUMNS)}
    )
    frame["row"] = frame["row"].astype("int64")
    return frame


def sample_report(rows: list[tuple[Any, ...]] | None = None, **overrides: Any) -> AuditReport:
    fields: dict[str, Any] = {
        "command": "audit",
        "as_of": dt.date(2026, 11, 28),
        "default_region": "CN",
        "inputs": [
            InputInfo(
                source="borrowers",
                path="exports/借款人.csv",
                format="csv",
                encoding="utf-8-sig",
                rows=10,
                columns={"borrower_id": "客户号", "phone": "手机号", "name": "姓名"},
            ),
            InputInfo(
                source="contacts",
                path="exports/contacts.xlsx",
                format="xlsx",
                encoding=None,
                rows=12,
                columns={"borrower_id": "borrower_id", "phone": "contact2_phone"},
                warnings=[
                    {
                        "issue": "unparseable-date",
                        "column": "verified_at",
                        "count": 2,
                        "rows": [4, 9],
                    }
                ],
            ),
        ],
        "findings": findings_frame(rows),
        "fail_on": "high",
        "new": 4,
        "resolved": 1,
        "history_trend": [
            {
                "run_at": "2026-11-26T02:00:00",
                "findings": 12,
                "new": 12,
                "resolved": 0,
                "by_severity": {"critical": 2, "high": 6, "medium": 2, "low": 1, "info": 1},
            },
            {
                "run_at": "2026-11-27T02:00:00",
                "findings": 6,
                "new": 1,
                "resolved": 7,
                "by_severity": {"critical": 0, "high": 4, "medium": 1, "low": 1},
            },
            {
                "run_at": "2026-11-28T02:00:00",
                "findings": 9,
                "new": 4,
                "resolved": 1,
                "by_severity": {"critical": 1, "high": 5, "medium": 1, "low": 1, "info": 1},
            },
        ],
    }
    fields.update(overrides)
    return AuditReport(**fields)


def hostile_row(record_id: str, message: str, row: int = 20) -> tuple[Any, ...]:
    """A finding whose text fields carry attacker-chosen content."""
    return (
        "relationship-unknown",
        "low",
        "REVIEW",
        "contacts",
        row,
        record_id,
        record_id,
        "relationship",
        "-",
        None,
        message,
        (Related("contacts", row + 1, record_id),),
        None,
        None,
        None,
    )


GOLDEN = Path(__file__).parent / "golden"


def assert_golden(name: str, actual: str | bytes) -> None:
    """Compare with ``tests/golden/<name>``; ``UPDATE_GOLDEN=1`` rewrites the file."""
    path = GOLDEN / name
    data = actual.encode("utf-8") if isinstance(actual, str) else actual
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return
    assert path.exists(), f"{path} is missing: run the tests with UPDATE_GOLDEN=1 to create it"
    expected = path.read_bytes()
    if data != expected:
        diff = "\n".join(
            difflib.unified_diff(
                expected.decode("utf-8", "replace").splitlines(),
                data.decode("utf-8", "replace").splitlines(),
                "golden",
                "rendered",
                lineterm="",
            )
        )
        raise AssertionError(
            f"{name} differs from its golden file (UPDATE_GOLDEN=1 to accept):\n{diff[:4000]}"
        )
