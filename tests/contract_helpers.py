"""Black-box helpers for the contract acceptance tests (DESIGN.md §3–§7).

Everything here goes through the CLI (`typer.testing.CliRunner`) and reads only what a
user sees: exit status, stdout (the report), stderr, and the files the command writes.
Expectations come from DESIGN.md / PHONES.md, never from the implementation.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from contactaudit.cli import app

AS_OF = "2026-11-28"
AS_OF_DATE = date(2026, 11, 28)

# Valid CN mobiles without placeholder patterns (checked with `contactaudit inspect`).
N1 = "13571928346"
N2 = "13691827364"
N3 = "15820394857"
N4 = "18633724910"
N5 = "13902817465"
N6 = "17701928374"
N7 = "15911837265"
N8 = "13066182743"
N9 = "18910293847"
N10 = "13524681357"
N11 = "15013572468"
N12 = "18702468135"
CLEAN = [N1, N2, N3, N4, N5, N6, N7, N8, N9, N10, N11, N12]
GB_MOBILE = "+447911123456"


def e164(national: str) -> str:
    return "+86" + national


def cn_mask(national: str) -> str:
    """DESIGN §6: CN numbers are masked as `138****5678`."""
    return national[:3] + "****" + national[-4:]


def days_before(n: int, as_of: date = AS_OF_DATE) -> str:
    return (as_of - timedelta(days=n)).isoformat()


def excel_serial(d: date) -> str:
    return str((d - date(1899, 12, 30)).days)


SEVERITY_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}

# DESIGN §4 catalogue: code -> (default severity, remediation).
CATALOGUE: dict[str, tuple[str, str]] = {
    "phone-missing": ("high/low", "RECOLLECT"),
    "phone-masked": ("high", "RECOLLECT"),
    "phone-precision-lost": ("high", "RECOLLECT"),
    "phone-multiple": ("medium", "SPLIT"),
    "phone-unparseable": ("high", "RECOLLECT"),
    "phone-not-sms-capable": ("high", "SUPPRESS_SMS"),
    "phone-invalid": ("high", "SUPPRESS_SMS"),
    "phone-placeholder": ("high", "SUPPRESS_SMS"),
    "phone-not-mobile": ("medium", "SUPPRESS_SMS"),
    "phone-has-extension": ("medium", "SUPPRESS_SMS"),
    "phone-float-artifact": ("low", "FIX_FORMAT"),
    "phone-nonstandard-format": ("info", "FIX_FORMAT"),
    "phone-shared-by-borrowers": ("high", "REVERIFY"),
    "borrower-duplicate-id": ("high", "MERGE"),
    "contact-is-borrower-phone": ("high", "REVERIFY"),
    "contact-is-other-borrower": ("high", "USE_NEUTRAL_TEMPLATE"),
    "contact-shared-by-borrowers": ("high", "SUPPRESS_SMS"),
    "contact-duplicate": ("low", "MERGE"),
    "self-contact-mismatch": ("medium", "REVERIFY"),
    "name-conflict": ("medium", "REVERIFY"),
    "relationship-unknown": ("low", "REVIEW"),
    "region-mismatch": ("low", "REVIEW"),
    "contact-orphan": ("medium", "REVIEW"),
    "phone-reassigned": ("critical", "SUPPRESS_SMS"),
    "phone-verification-stale": ("medium", "REVERIFY"),
    "phone-never-verified": ("low", "REVERIFY"),
    "phone-opted-out": ("high", "SUPPRESS_SMS"),
    "recipient-borrower-unknown": ("critical", "BLOCK_SEND"),
    "recipient-third-party": ("critical", "BLOCK_SEND"),
    "recipient-not-on-file": ("critical", "BLOCK_SEND"),
    "recipient-opted-out": ("critical", "BLOCK_SEND"),
    "recipient-unsafe-number": ("critical", "BLOCK_SEND"),
    "recipient-outside-hours": ("high", "RESCHEDULE"),
    "recipient-debt-disclosure": ("critical", "BLOCK_SEND"),
}

# DESIGN §6: the keys of a finding, in the contract's order.
FINDING_FIELDS = (
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
)
FINDING_KEYS = set(FINDING_FIELDS)

Table = Sequence[Sequence[str]]


def write_table(path: Path, table: Table, *, encoding: str = "utf-8", delimiter: str = ",") -> Path:
    """Write header + rows as a CSV export (csv module quoting, LF line ends)."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\n")
    for row in table:
        writer.writerow(list(row))
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def read_csv_file(path: Path) -> list[dict[str, str]]:
    text = path.read_bytes().decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def read_csv_rows(path: Path) -> list[list[str]]:
    text = path.read_bytes().decode("utf-8-sig")
    return [row for row in csv.reader(io.StringIO(text)) if row]


Flat = set[tuple[str, str, int]]


@dataclass
class Run:
    exit_code: int
    stdout: str
    stderr: str
    report: dict[str, Any] | None
    files: dict[str, Path] = field(default_factory=dict)

    @property
    def findings(self) -> list[dict[str, Any]]:
        assert self.report is not None, self.stderr
        return list(self.report["findings"])

    def flat(self, source: str | None = None, codes: Iterable[str] | None = None) -> Flat:
        wanted = set(codes) if codes is not None else None
        return {
            (f["code"], f["source"], f["row"])
            for f in self.findings
            if (source is None or f["source"] == source) and (wanted is None or f["code"] in wanted)
        }

    def codes_at(self, source: str, row: int) -> set[str]:
        return {f["code"] for f in self.findings if f["source"] == source and f["row"] == row}

    def finding(self, code: str, source: str, row: int) -> dict[str, Any]:
        hits = [
            f
            for f in self.findings
            if f["code"] == code and f["source"] == source and f["row"] == row
        ]
        assert len(hits) == 1, (code, source, row, self.flat())
        return hits[0]


def related_set(finding: dict[str, Any]) -> set[tuple[str, int, str | None]]:
    return {(r["source"], r["row"], r["record_id"]) for r in finding["related"]}


def invoke(
    args: list[str], *, input: str | bytes | None = None, env: dict[str, str] | None = None
) -> Run:
    runner = CliRunner()
    result = runner.invoke(app, args, input=input, env=env, catch_exceptions=False)
    stdout = result.stdout
    report = None
    if "--format" in args and args[args.index("--format") + 1] == "json" and "-o" not in args:
        try:
            report = json.loads(stdout)
        except ValueError:
            report = None
    return Run(result.exit_code, stdout, result.stderr, report)


def _put(tmp: Path, name: str, table: Table | Path | None, encoding: str) -> list[str]:
    if table is None:
        return []
    if isinstance(table, Path):
        return [str(table)]
    return [str(write_table(tmp / name, table, encoding=encoding))]


def audit(
    tmp: Path,
    borrowers: Table | Path | None = None,
    contacts: Table | Path | None = None,
    *,
    reassigned: Table | None = None,
    opt_outs: Table | None = None,
    args: Sequence[str] = (),
    as_of: str | None = AS_OF,
    fmt: str = "json",
    encoding: str = "utf-8",
    env: dict[str, str] | None = None,
) -> Run:
    cmd = ["audit"]
    cmd += _put(tmp, "borrowers.csv", borrowers, encoding)
    cmd += _put(tmp, "contacts.csv", contacts, encoding)
    if reassigned is not None:
        cmd += ["--reassigned", str(write_table(tmp / "reassigned.csv", reassigned))]
    if opt_outs is not None:
        cmd += ["--opt-outs", str(write_table(tmp / "opt_outs.csv", opt_outs))]
    if as_of is not None:
        cmd += ["--as-of", as_of]
    cmd += ["--format", fmt, *args]
    return invoke(cmd, env=env)


def gate(
    tmp: Path,
    campaign: Table,
    borrowers: Table,
    contacts: Table | None = None,
    *,
    reassigned: Table | None = None,
    opt_outs: Table | None = None,
    args: Sequence[str] = (),
    as_of: str | None = AS_OF,
) -> Run:
    approved = tmp / "approved.csv"
    blocked = tmp / "blocked.csv"
    cmd = ["gate", str(write_table(tmp / "campaign.csv", campaign))]
    cmd += ["--borrowers", str(write_table(tmp / "g_borrowers.csv", borrowers))]
    if contacts is not None:
        cmd += ["--contacts", str(write_table(tmp / "g_contacts.csv", contacts))]
    if reassigned is not None:
        cmd += ["--reassigned", str(write_table(tmp / "g_reassigned.csv", reassigned))]
    if opt_outs is not None:
        cmd += ["--opt-outs", str(write_table(tmp / "g_opt_outs.csv", opt_outs))]
    cmd += ["--approved-out", str(approved), "--blocked-out", str(blocked)]
    if as_of is not None:
        cmd += ["--as-of", as_of]
    cmd += ["--format", "json", *args]
    run = invoke(cmd)
    run.files = {"approved": approved, "blocked": blocked}
    return run


def check_catalogue(findings: Iterable[dict[str, Any]]) -> None:
    """Every finding carries the contract's default severity and remediation."""
    for f in findings:
        sev, remediation = CATALOGUE[f["code"]]
        if f["code"] == "phone-missing":
            sev = "high" if f["source"] == "borrowers" else "low"
        assert (f["severity"], f["remediation"]) == (sev, remediation), f


def sort_key(f: dict[str, Any]) -> tuple[int, str, str, int]:
    return (SEVERITY_RANK[f["severity"]], f["code"], f["source"], f["row"])
