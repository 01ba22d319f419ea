"""The JSON report (DESIGN.md §6): the machine contract other programs read.

Deterministic for the same inputs and ``--as-of``: no timing fields, sorted findings,
keys in the contract's order. ``phone_e164`` and ``phone_raw`` appear only with
``--reveal-phones``. Gate reports add a ``gate`` object with message counts.
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from contactaudit import __version__
from contactaudit.models import AuditReport

SCHEMA_VERSION = 1

_FIELDS = (
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
)


def finding_dicts(report: AuditReport) -> list[dict[str, Any]]:
    """The ``findings`` array, built column-wise (a million findings stay quick)."""
    f = report.findings
    if f.empty:
        return []
    columns: dict[str, list[Any]] = {}
    for name in _FIELDS:
        series = f[name].astype("object")
        columns[name] = series.where(series.notna(), None).tolist()
    columns["row"] = [int(r) for r in f["row"].tolist()]
    related = [
        [{"source": s, "row": int(r), "record_id": rid} for s, r, rid in rel] if rel else []
        for rel in f["related"].tolist()
    ]
    status = f["status"].astype("object")
    status_list = status.where(status.notna(), None).tolist()
    reveal = report.reveal_phones
    if reveal:
        e164 = f["e164"].astype("object")
        raw = f["raw"].astype("object")
        e164_list = e164.where(e164.notna(), None).tolist()
        raw_list = raw.where(raw.notna(), None).tolist()
    out = []
    for i in range(len(f)):
        item = {name: columns[name][i] for name in _FIELDS}
        item["related"] = related[i]
        item["status"] = status_list[i]
        if reveal:
            item["phone_e164"] = e164_list[i]
            item["phone_raw"] = raw_list[i]
        out.append(item)
    return out


def report_to_dict(report: AuditReport) -> dict[str, Any]:
    data: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "contactaudit", "version": __version__},
        "command": report.command,
        "as_of": report.as_of.isoformat(),
        "default_region": report.default_region,
        "inputs": [info.to_dict() for info in report.inputs],
        "summary": report.summary(),
    }
    data["summary"]["fail_on"] = report.fail_on
    data["summary"]["exit_status"] = report.exit_status
    if report.gate_counts is not None:
        data["gate"] = dict(report.gate_counts)
    data["findings"] = finding_dicts(report)
    return data


def render(report: AuditReport) -> str:
    return json.dumps(report_to_dict(report), ensure_ascii=False, indent=2, default=_default) + "\n"


def _default(value: Any) -> Any:
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")
