"""Typed building blocks shared by checks, the orchestrator and the reporters.

Findings travel as one pandas DataFrame (``FINDING_COLUMNS``), never as millions of
Python objects: checks build them with whole-column operations and reporters read
them column-wise. ``Finding`` is the typed view of one row, for tests and library
users who want objects.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from pandas.api.types import union_categoricals


class Severity(str, Enum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        """Higher is worse: critical 4 … info 0."""
        return _RANK[self.value]

    def __str__(self) -> str:  # so f-strings print "high", not "Severity.HIGH"
        return self.value


_RANK = {"critical": 4, "high": 3, "medium": 2, "low": 1, "info": 0}
SEVERITY_ORDER: tuple[str, ...] = ("critical", "high", "medium", "low", "info")


def severity_rank(name: str) -> int:
    """Rank of a severity name; ``never`` ranks above everything (nothing fails)."""
    if name == "never":
        return 99
    return _RANK[name]


class Related(NamedTuple):
    """A peer or counterpart record of a finding."""

    source: str
    row: int
    record_id: str | None


# Columns every check emits. ``e164`` and ``raw`` are the real number and the raw
# cell; they never reach a report unless --reveal-phones asks for them. Findings taken
# from a normalised table also carry its ``e164_key`` (the E.164 digits as int64, -1
# for none) after these: assembling uses it to tell numbers apart, and ignores it
# when a check frame lacks it.
CHECK_COLUMNS: tuple[str, ...] = (
    "code",
    "source",
    "row",
    "record_id",
    "borrower_id",
    "column",
    "e164",
    "raw",
    "message",
    "related",
)

# A finding's fields as the JSON report and findings.csv present them (DESIGN §6),
# in order; --reveal-phones appends REVEAL_FIELDS.
REPORT_FIELDS: tuple[str, ...] = (
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
REVEAL_FIELDS: tuple[str, ...] = ("phone_e164", "phone_raw")

# Columns of the assembled findings frame held by AuditReport.findings. Their dtypes:
# ``row`` int64; code, severity, remediation and source categoricals, as are column and
# message when the checks made them so (they do); phone_masked and phone_key
# Arrow-backed ``str`` (missing = NaN), as are record_id, borrower_id, e164 and raw when
# the checks took them from the tables; related (tuples) and status object. Read text
# with ``notna``/``to_numpy(na_value=...)``, not ``is None``.
FINDING_COLUMNS: tuple[str, ...] = (*REPORT_FIELDS, "e164", "raw")


def empty_check_frame() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in CHECK_COLUMNS}).astype(
        {"row": "int64"}
    )


def concat_check_frames(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Check frames as one (``CHECK_COLUMNS``), the empty ones left out.

    A column that is categorical in every frame (the checks' code, source, column and
    message) stays categorical, over the union of the categories: ``pd.concat`` would
    turn categoricals with different categories into an object column of strings.
    """
    frames = [f for f in frames if not f.empty]
    if not frames:
        return empty_check_frame()
    columns = list(frames[0].columns)
    united = {
        name: union_categoricals([f[name] for f in frames], sort_categories=True)
        for name in columns
        if all(isinstance(f[name].dtype, pd.CategoricalDtype) for f in frames)
    }
    rest = [f.drop(columns=list(united)) for f in frames] if united else frames
    out = pd.concat(rest, ignore_index=True)
    for name, values in united.items():
        out[name] = pd.Series(values, copy=False)
    return out[columns]


def check_frame(
    frame: pd.DataFrame,
    code: str | pd.Series,
    source: str,
    message: str | pd.Series,
    related: pd.Series | None = None,
    column: str | pd.Series | None = None,
) -> pd.DataFrame:
    """Build a check's findings from the rows of a loaded, normalised table.

    ``frame`` must carry the loaded-table columns ``_row``, ``_record_id``,
    ``borrower_id``, ``_phone_column``, and the phone columns ``e164`` and ``raw``.
    ``related`` (aligned to ``frame``) holds tuples of :class:`Related`.
    """
    if frame.empty:
        return empty_check_frame()
    n = len(frame)
    columns = {
        "code": _objects(code) if isinstance(code, pd.Series) else _constant(code, n),
        "source": _constant(source, n),
        "record_id": _objects(frame["_record_id"]),
        "borrower_id": _objects(frame["borrower_id"]),
        "column": (
            _objects(column)
            if isinstance(column, pd.Series)
            else (_constant(column, n) if column is not None else _objects(frame["_phone_column"]))
        ),
        "e164": _objects(frame["e164"]) if "e164" in frame else _constant(None, n),
        "raw": _objects(frame["raw"]) if "raw" in frame else _constant(None, n),
        "message": _objects(message) if isinstance(message, pd.Series) else _constant(message, n),
        "related": _objects(related) if related is not None else _constant((), n),
    }
    # One object block filled column by column: object columns, because pandas 3 would
    # infer Arrow strings (slower to build here) and turn None into NaN, which the
    # reporters would then have to undo.
    names = [c for c in CHECK_COLUMNS if c != "row"]
    block = np.empty((len(names), n), dtype=object)
    for i, name in enumerate(names):
        block[i] = columns[name]
    out = pd.DataFrame(block.T, columns=names, dtype=object, copy=False)
    out.insert(CHECK_COLUMNS.index("row"), "row", frame["_row"].to_numpy(dtype=np.int64))
    return out


def _constant(value: Any, n: int) -> np.ndarray:
    out = np.empty(n, dtype=object)
    out.fill(value)  # the one object in every slot, tuples included
    return out


def _objects(values: Any) -> np.ndarray:
    """A column as an object array with missing values as ``None`` (by position)."""
    if isinstance(values, pd.Series):
        array = values.to_numpy(dtype=object)
    elif isinstance(values, np.ndarray) and values.dtype == object:
        array = values
    else:
        array = np.fromiter(values, dtype=object, count=len(values))
    missing = pd.isna(array)
    if missing.any():
        array = array.copy()
        array[missing] = None
    return array


@dataclass(frozen=True)
class Finding:
    code: str
    severity: str
    remediation: str
    source: str
    row: int
    record_id: str | None
    borrower_id: str | None
    column: str | None
    phone_masked: str | None
    phone_key: str | None
    message: str
    related: tuple[Related, ...] = ()
    status: str | None = None
    phone_e164: str | None = None
    phone_raw: str | None = None


@dataclass
class InputInfo:
    """Provenance of one loaded input, reported in ``inputs[]``."""

    source: str
    path: str
    format: str
    encoding: str | None
    rows: int
    columns: dict[str, str]
    warnings: list[dict[str, Any]] = field(default_factory=list)
    # Not in the JSON contract; used by history to identify a dataset.
    size_bytes: int | None = None
    sha256: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "source": self.source,
            "path": self.path,
            "format": self.format,
            "encoding": self.encoding,
            "rows": self.rows,
            "columns": dict(self.columns),
        }
        if self.warnings:
            data["warnings"] = list(self.warnings)
        return data


def arrow_chunks(series: pd.Series) -> Any:
    """The ``pyarrow.ChunkedArray`` behind an Arrow-backed text column (no copy), or
    None for any other column."""
    import pyarrow as pa

    if not isinstance(series.array, pd.arrays.ArrowStringArray):
        return None
    data = pa.array(series.array)  # through __arrow_array__: the column's own chunks
    return data if isinstance(data, pa.ChunkedArray) else pa.chunked_array([data])


def _codes(values: pd.Series) -> tuple[np.ndarray, list[Any]]:
    """Integer codes and their values: a categorical's own (assembled findings), else
    factorised."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values.cat.codes.to_numpy(), list(values.cat.categories)
    codes, uniques = pd.factorize(values)
    return codes, list(uniques)


def _counts(values: pd.Series) -> dict[Any, int]:
    """How often each value occurs, values that do not occur left out."""
    codes, uniques = _codes(values)
    counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
    return {u: int(n) for u, n in zip(uniques, counts, strict=True) if n}


def _ranks(severity: pd.Series) -> np.ndarray:
    codes, names = _codes(severity)
    lookup = np.array([_RANK.get(str(n), -1) for n in names] + [-1], dtype=np.int64)
    return lookup[codes]  # a missing severity (code -1) takes the last slot: -1


def _records(findings: pd.DataFrame) -> int:
    """Distinct (source, row) pairs: a record is a row of an export, so a wide contacts
    row counts once, whatever slots and columns its findings name."""
    if findings.empty:
        return 0
    source, sources = _codes(findings["source"])
    rows = findings["row"].to_numpy(dtype=np.int64)
    span = int(rows.max()) - int(rows.min()) + 1
    keys = (source.astype(np.int64) + 1) * span + (rows - rows.min())
    slots = (len(sources) + 1) * span
    if slots > max(16 * len(keys), 1 << 24):  # very sparse rows: hash them instead
        return len(pd.unique(keys))
    # A flag per possible (source, row): no hashing of a few million findings.
    seen = np.zeros(slots, dtype=bool)
    seen[keys] = True
    return int(np.count_nonzero(seen))


@dataclass
class AuditReport:
    """The outcome of ``run_audit`` / ``run_gate``; it owns the exit decision."""

    command: str
    as_of: dt.date
    default_region: str
    inputs: list[InputInfo]
    findings: pd.DataFrame
    fail_on: str = "high"
    fail_on_new: bool = False
    reveal_phones: bool = False
    new: int | None = None
    resolved: int | None = None
    duration_seconds: float | None = None
    # gate only: how many messages were approved / blocked
    gate_counts: dict[str, int] | None = None
    history_trend: list[dict[str, Any]] = field(default_factory=list)

    @property
    def exit_status(self) -> int:
        """0: nothing at or above --fail-on; 1: something is (new ones only with --fail-on-new)."""
        if self.fail_on == "never" or self.findings.empty:
            return 0
        threshold = severity_rank(self.fail_on)
        failing = _ranks(self.findings["severity"]) >= threshold
        if self.fail_on_new:
            failing &= self.findings["status"].eq("new").to_numpy()
        return 1 if bool(failing.any()) else 0

    def summary(self) -> dict[str, Any]:
        f = self.findings
        by_sev = _counts(f["severity"])
        by_code = _counts(f["code"])
        return {
            "findings": int(len(f)),
            "records_with_findings": _records(f),
            "by_severity": {s: by_sev[s] for s in SEVERITY_ORDER if s in by_sev},
            "by_code": {c: by_code[c] for c in sorted(by_code)},
            "new": self.new,
            "resolved": self.resolved,
        }

    def iter_findings(self) -> list[Finding]:
        """Typed findings, in report order (meant for tests and small reports)."""
        out = []
        # Arrow-backed text columns give NaN for a missing value: None in a Finding.
        frame = self.findings.astype(object)
        frame = frame.where(frame.notna(), None)
        for rec in frame.to_dict("records"):
            out.append(
                Finding(
                    code=rec["code"],
                    severity=rec["severity"],
                    remediation=rec["remediation"],
                    source=rec["source"],
                    row=int(rec["row"]),
                    record_id=rec["record_id"],
                    borrower_id=rec["borrower_id"],
                    column=rec["column"],
                    phone_masked=rec["phone_masked"],
                    phone_key=rec["phone_key"],
                    message=rec["message"],
                    related=tuple(Related(*r) for r in (rec["related"] or ())),
                    status=rec["status"],
                    phone_e164=rec["e164"] if self.reveal_phones else None,
                    phone_raw=rec["raw"] if self.reveal_phones else None,
                )
            )
        return out

    def flat(self) -> list[tuple[str, str, int]]:
        """``[(code, source, row)]`` in report order — the shape tests assert on."""
        f = self.findings
        return list(zip(f["code"], f["source"], f["row"].astype(int), strict=True))
