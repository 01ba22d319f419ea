"""run_audit / run_gate: the only orchestrators.

They load the exports, normalise every phone cell once (all tables together, so a
number that appears in borrowers, contacts and the reference lists is parsed once),
run the check families over whole columns, and assemble one sorted findings frame
with severities, remediations, masked numbers and keyed phone hashes.

Choices where the contract is silent:
- Contacts take their default region from their own ``country`` column when the
  export has one, else from ``--region``; they do not inherit the borrower's country,
  because a contact abroad is common and the export rarely says so.
- A ``country`` cell that is not a region phonenumbers knows is ignored for parsing
  (the default region is used) and counted in that input's warnings.
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, overload

import numpy as np
import pandas as pd
import phonenumbers
import pyarrow as pa

from contactaudit import catalog
from contactaudit.checks.duplicated import check_duplicated
from contactaudit.checks.malformed import check_malformed
from contactaudit.checks.mismatched import check_mismatched
from contactaudit.checks.stale import check_stale
from contactaudit.config import AuditConfig
from contactaudit.errors import ConfigError
from contactaudit.loading import LoadedExport, load_export
from contactaudit.models import (
    FINDING_COLUMNS,
    AuditReport,
    InputInfo,
    arrow_chunks,
    concat_check_frames,
    severity_rank,
)
from contactaudit.phones import normalize_phones
from contactaudit.privacy import mask_and_key_arrays
from contactaudit.runtime import gc_paused

Progress = Callable[[str], None]

_SUPPORTED_REGIONS = frozenset(phonenumbers.SUPPORTED_REGIONS)


@dataclass
class AuditInputs:
    """Paths of the exports to audit; ``None`` for an input not given."""

    borrowers: Path | str | None = None
    contacts: Path | str | None = None
    reassigned: Path | str | None = None
    opt_outs: Path | str | None = None
    campaign: Path | str | None = None

    def items(self) -> list[tuple[str, Path | str]]:
        names = ("borrowers", "contacts", "reassigned", "opt_outs", "campaign")
        return [(n, getattr(self, n)) for n in names if getattr(self, n) is not None]


@dataclass
class AuditRun:
    """What the orchestrator keeps besides the report (the gate needs the tables)."""

    report: AuditReport
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    loaded: dict[str, LoadedExport] = field(default_factory=dict)


def _noop(_: str) -> None:
    return None


def load_inputs(
    inputs: AuditInputs, config: AuditConfig, progress: Progress, *, fingerprint: bool = True
) -> dict[str, LoadedExport]:
    """Every input file, loaded; ``fingerprint`` hashes each (``InputInfo.sha256``)."""
    stdin = [source for source, path in inputs.items() if str(path) == "-"]
    if len(stdin) > 1:
        # The first would read all of standard input and the next would find it empty.
        raise ConfigError(
            f"Standard input ('-') is given for {' and '.join(stdin)}; it can be read only "
            "once. Pass files for all but one of them."
        )

    def load(item: tuple[str, Path | str]) -> LoadedExport:
        source, path = item
        export = load_export(
            path,
            source,
            encoding=config.encoding,
            sheet=config.sheet,
            column_map=config.columns.get(source),
            date_order=config.date_order,
            fingerprint=fingerprint,
        )
        if source != "campaign":
            # Only the gate writes a file's own columns back (the campaign); elsewhere
            # they would keep every date's text and unused columns alive for nothing.
            export.original = _empty_like(export.original)
        return export

    # Two files load at once: much of a load is Arrow's parsing and kernels, which
    # release the GIL, so the other file's Python work fills the second core. Results
    # (and the first error) come in input order, so messages do not depend on timing.
    items = inputs.items()
    loaded: dict[str, LoadedExport] = {}
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="contactaudit-load") as pool:
        futures = [pool.submit(load, item) for item in items]
        try:
            for (source, _), future in zip(items, futures, strict=True):
                progress(f"loading {source}")
                loaded[source] = future.result()
        finally:
            for future in futures:
                future.cancel()
    return loaded


def _empty_like(frame: pd.DataFrame) -> pd.DataFrame:
    """The same columns and dtypes without rows or buffers (``iloc[:0]`` of an Arrow
    column still holds the column's whole buffers)."""
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in frame.dtypes.items()})


def _regions(frame: pd.DataFrame, default: str, info: InputInfo) -> pd.Series | str:
    if "country" not in frame.columns:
        return default
    country = frame["country"].astype("object")
    known = country.isin(_SUPPORTED_REGIONS)
    unknown = country.notna() & ~known
    if unknown.any():
        rows = frame.loc[unknown, "_row"].astype(int).tolist()
        info.warnings.append(
            {
                "column": info.columns.get("country", "country"),
                "issue": "unknown-country",
                "count": len(rows),
                "rows": rows[:20],
            }
        )
    return country.where(known, default)


def normalise_tables(
    loaded: Mapping[str, LoadedExport], config: AuditConfig
) -> dict[str, pd.DataFrame]:
    """Join the phone columns onto every table, parsing all tables' cells in one pass.

    The tables' phone columns are laid end to end as Arrow chunks (no copy of the
    text) and their default regions as one categorical, so the normaliser sees each
    distinct (cell, region) once across all tables. Each table then gets its slice
    of the answers as new columns: ``raw`` is the table's own phone column, ``e164``
    stays Arrow text, and the loaded columns are shared, not copied.
    """
    chunks: list[pa.Array] = []
    region_codes: list[np.ndarray] = []
    region_names: dict[str, int] = {}
    raws: dict[str, pd.Series] = {}
    for source, export in loaded.items():
        frame = export.frame
        n = len(frame)
        raw = frame["phone"] if "phone" in frame.columns else pd.Series([None] * n, dtype="str")
        raw = raw if raw.dtype == "str" else raw.astype("str")
        raws[source] = raw
        array = pa.array(raw.array, type=pa.large_string(), from_pandas=True)
        chunks.extend(array.chunks if isinstance(array, pa.ChunkedArray) else [array])
        region = _regions(frame, config.region, export.info)
        if isinstance(region, str):
            code = region_names.setdefault(region, len(region_names))
            region_codes.append(np.full(n, code, dtype=np.int64))
        else:
            codes, uniques = pd.factorize(region)
            lookup = np.array(
                [region_names.setdefault(str(u), len(region_names)) for u in uniques],
                dtype=np.int64,
            )
            region_codes.append(lookup[codes] if len(codes) else codes.astype(np.int64))
    if not loaded:
        return {}
    all_raw = pd.Series(
        pd.arrays.ArrowStringArray(
            pa.chunked_array(chunks, type=pa.large_string()),
            dtype=pd.StringDtype("pyarrow", na_value=np.nan),
        )
    )
    all_regions = pd.Series(
        pd.Categorical.from_codes(np.concatenate(region_codes), categories=list(region_names))
    )
    phones = normalize_phones(
        all_raw, all_regions, extra_placeholders=config.placeholders, text_dtype="str"
    )
    tables: dict[str, pd.DataFrame] = {}
    offset = 0
    for source, export in loaded.items():
        frame = export.frame
        n = len(frame)
        table = frame.drop(columns=[c for c in phones.columns if c in frame.columns])
        for column in phones.columns:
            if column == "raw":
                values = raws[source]
            elif phones[column].dtype == object:
                # Labels stay object (shared strings): pandas would rebuild them as Arrow.
                values = pd.Series(
                    phones[column].to_numpy()[offset : offset + n], dtype=object, copy=False
                )
            else:
                values = pd.Series(phones[column].array[offset : offset + n], copy=False)
            table[column] = values.set_axis(frame.index)
        offset += n
        tables[source] = table
    # The loader's and normaliser's temporaries are gone: hand their pages back before
    # the checks build the findings.
    release_memory()
    return tables


def release_memory() -> None:
    """Return freed memory to the system: Arrow's pool and glibc's heap.

    glibc keeps freed small blocks in its arenas; after loading and normalising a
    million borrowers that was about 300 MB of the process's size (issue 7). Where
    ``malloc_trim`` does not exist (not glibc) nothing more happens. No ``gc.collect``:
    the tables hold no reference cycles (a collection here freed nothing at 1M + 3M)
    and walking the findings' million ``related`` tuples took 1.2 s.
    """
    pa.default_memory_pool().release_unused()
    with contextlib.suppress(AttributeError, OSError):
        ctypes.CDLL(None).malloc_trim(0)


def _reference(table: pd.DataFrame | None) -> pd.DataFrame | None:
    """A reference list keeps only its usable numbers: anything else cannot match."""
    if table is None:
        return None
    return table[table["usable"].astype(bool)]


@overload
def run_checks(
    tables: Mapping[str, pd.DataFrame],
    config: AuditConfig,
    as_of: dt.date,
    progress: Progress,
    *,
    concat: Literal[True] = True,
) -> pd.DataFrame: ...


@overload
def run_checks(
    tables: Mapping[str, pd.DataFrame],
    config: AuditConfig,
    as_of: dt.date,
    progress: Progress,
    *,
    concat: Literal[False],
) -> list[pd.DataFrame]: ...


def run_checks(
    tables: Mapping[str, pd.DataFrame],
    config: AuditConfig,
    as_of: dt.date,
    progress: Progress,
    *,
    concat: bool = True,
) -> pd.DataFrame | list[pd.DataFrame]:
    """Every check family over the normalised tables: one findings frame, or with
    ``concat=False`` one frame per family (so a caller can free the tables before the
    concatenation's copy; ``concat_checks`` joins them)."""
    frames = check_frames(tables, config, as_of, progress)
    return concat_checks(frames) if concat else frames


def concat_checks(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """One findings frame from the check families' frames (``CHECK_COLUMNS``)."""
    return concat_check_frames(frames)


def check_frames(
    tables: Mapping[str, pd.DataFrame], config: AuditConfig, as_of: dt.date, progress: Progress
) -> list[pd.DataFrame]:
    """Every check family's findings, one frame each."""
    borrowers = tables.get("borrowers")
    contacts = tables.get("contacts")
    frames: list[pd.DataFrame] = []
    progress("checking malformed numbers")
    for source in ("borrowers", "contacts"):
        if source in tables:
            frames.append(check_malformed(tables[source], source))
    if borrowers is not None:
        reassigned = _reference(tables.get("reassigned"))
        opt_outs = _reference(tables.get("opt_outs"))
        # The three families only read the tables, and much of their work is numpy and
        # Arrow, which release the GIL: on two threads they take both cores (1M + 3M:
        # 11.5-12.7 s -> 10.6-11.1 s for the whole audit). Results keep family order.
        with ThreadPoolExecutor(max_workers=2, thread_name_prefix="contactaudit-check") as pool:
            jobs = [
                ("duplicated numbers", pool.submit(check_duplicated, borrowers, contacts, config)),
                ("mismatched records", pool.submit(check_mismatched, borrowers, contacts, config)),
                (
                    "stale numbers",
                    pool.submit(
                        check_stale, borrowers, contacts, reassigned, opt_outs, as_of, config
                    ),
                ),
            ]
            for what, job in jobs:
                progress(f"checking {what}")
                frames.append(job.result())
    elif contacts is not None:
        # Contacts alone: only what needs no borrower table.
        frames.append(
            check_stale(
                _empty_borrowers(),
                contacts,
                _reference(tables.get("reassigned")),
                _reference(tables.get("opt_outs")),
                as_of,
                config,
            )
        )
    return frames


def _empty_borrowers() -> pd.DataFrame:
    columns = [
        "_row",
        "_record_id",
        "_phone_column",
        "borrower_id",
        "phone",
        "raw",
        "e164",
        "malformed",
        "usable",
        "number_region",
    ]
    frame = pd.DataFrame({c: pd.Series(dtype="object") for c in columns})
    return frame.astype({"_row": "int64", "usable": "bool"})


def assemble_findings(checks: pd.DataFrame, config: AuditConfig) -> pd.DataFrame:
    """Catalogue severities and remediations, config overrides, masking, keys, order.

    Whole-column work on integer codes: severities come from a small (code, source)
    table, the order from ``np.lexsort`` over factorised keys (severity desc, code,
    source, row, column; record_id and message only break the rare remaining ties), and
    the frame is copied once, already in that order.
    """
    if checks.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in FINDING_COLUMNS}).astype(
            {"row": "int64"}
        )
    code_ix, codes = _sorted_codes(checks["code"])
    for code in codes:
        if code not in catalog.CATALOG:  # a check emitted a code the catalogue lacks
            raise AssertionError(f"check emitted uncatalogued code {code}")
    if (code_ix < 0).any():
        raise AssertionError("check emitted a finding without a code")
    enabled = np.array([config.enabled(code) for code in codes], dtype=bool)
    keep = np.flatnonzero(enabled[code_ix])
    code_ix = code_ix[keep]
    source_ix, sources = _sorted_codes(checks["source"], keep)
    if (source_ix < 0).any():
        raise AssertionError("check emitted a finding without a source")

    # Severity per (code, source): the config's override, else the catalogue's default
    # for that source (e.g. phone-missing is low on contacts).
    names: list[str] = []
    table = np.empty((len(codes), len(sources)), dtype=np.int64)
    for i, code in enumerate(codes):
        for j, source in enumerate(sources):
            name = config.severity.get(code, catalog.CATALOG[code].default_severity(source).value)
            if name not in names:
                names.append(name)
            table[i, j] = names.index(name)
    severity_ix = table[code_ix, source_ix]
    neg_rank = -np.array([severity_rank(n) for n in names], dtype=np.int64)[severity_ix]

    rows = checks["row"].to_numpy(dtype=np.int64)[keep]
    column_ix = _sort_codes(checks["column"], keep)
    order = np.lexsort((column_ix, rows, source_ix, code_ix, neg_rank))
    order = _break_ties(order, (neg_rank, code_ix, source_ix, rows, column_ix), checks, keep)
    take = keep[order]
    code_ix = code_ix[order]

    # One object block filled column by column in report order (pandas would otherwise
    # copy every column once more to consolidate them), plus the int64 ``row`` and the
    # four catalogue columns as categoricals: a few distinct values each, so counting,
    # ranking and encoding them works on small integer codes (the summary, the exit
    # status and every reporter read them).
    # Text the checks took from the tables as Arrow columns (ids, numbers, cells) stays
    # Arrow: one take each, and the reporters encode it without Python strings.
    # The checks' own categoricals (column, message) stay categoricals: codes taken.
    checked_categoricals = [
        name
        for name in ("column", "message")
        if isinstance(checks[name].dtype, pd.CategoricalDtype)
    ]
    arrow = {
        name: _arrow_take(chunks, take)
        for name in ("record_id", "borrower_id", "e164", "raw")
        if (chunks := arrow_chunks(checks[name])) is not None
    }
    object_columns = [
        c
        for c in FINDING_COLUMNS
        if c not in _CATEGORICAL
        and c not in ("row", "phone_masked", "phone_key")
        and c not in arrow
        and c not in checked_categoricals
    ]
    block = np.empty((len(object_columns), len(take)), dtype=object)
    slot = {name: block[i] for i, name in enumerate(object_columns)}
    for name in ("record_id", "borrower_id", "column", "message", "related", "e164", "raw"):
        if name in slot and name not in arrow:
            np.take(_column_values(checks[name]), take, out=slot[name])
    digits = checks.get("e164_key")
    masks, keys = mask_and_key_arrays(
        arrow.get("e164", slot.get("e164")),
        arrow.get("raw", slot.get("raw")),
        None if digits is None or digits.dtype != np.int64 else digits.to_numpy()[take],
    )
    arrow["phone_masked"] = _text_series(masks)
    arrow["phone_key"] = _text_series(keys)
    slot["status"][:] = None
    remediation_ix, remediations = pd.factorize(
        np.array([catalog.CATALOG[c].remediation for c in codes], dtype=object)
    )
    categorical = {
        "code": (code_ix, list(codes)),
        "severity": (severity_ix[order], names),
        "remediation": (remediation_ix[code_ix], list(remediations)),
        "source": (source_ix[order], list(sources)),
    }
    for name in checked_categoricals:
        values = checks[name].cat
        categorical[name] = (values.codes.to_numpy()[take], list(values.categories))
    # dtype=object: pandas 3 would turn text columns into Arrow strings with NaN for None.
    frame = pd.DataFrame(block.T, columns=object_columns, dtype=object, copy=False)
    for position, name in enumerate(FINDING_COLUMNS):
        if name == "row":
            frame.insert(position, name, rows[order])
        elif name in categorical:
            ix, categories = categorical[name]
            frame.insert(position, name, pd.Categorical.from_codes(ix, categories=categories))
        elif name in arrow:
            frame.insert(position, name, arrow[name])
    return frame


def _arrow_take(chunks: pa.ChunkedArray, positions: np.ndarray) -> pd.Series:
    """An Arrow text column's values at ``positions``, as a one-chunk ``str`` Series."""
    # One chunk first: a take across the check families' many chunks costs more.
    return _text_series(chunks.combine_chunks().take(pa.array(positions)))


def _text_series(taken: pa.Array) -> pd.Series:
    """An Arrow text array as a pandas ``str`` Series (NaN for null), without a copy."""
    return pd.Series(
        pd.arrays.ArrowStringArray(
            pa.chunked_array([taken]), dtype=pd.StringDtype("pyarrow", na_value=np.nan)
        ),
        copy=False,
    )


_CATEGORICAL = ("code", "severity", "remediation", "source")


def _column_values(series: pd.Series) -> np.ndarray:
    """A findings column as an object array (missing values as they are: None or NaN)."""
    if series.dtype == object:
        return series.to_numpy()
    return series.to_numpy(dtype=object, na_value=None)


def _sorted_codes(
    series: pd.Series, keep: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """``pd.factorize(values[keep], sort=True)``: codes (-1 for missing) into the sorted
    distinct values. A categorical (the checks' code, source, column and message) is
    read from its own codes: only its few categories are sorted, no string is hashed."""
    if not isinstance(series.dtype, pd.CategoricalDtype):
        values = _column_values(series)
        return pd.factorize(values if keep is None else values[keep], sort=True)
    codes = series.cat.codes.to_numpy().astype(np.int64)
    if keep is not None:
        codes = codes[keep]
    categories = np.asarray(series.cat.categories, dtype=object)
    present = np.flatnonzero(np.bincount(codes[codes >= 0], minlength=len(categories)))
    order = np.argsort(categories[present], kind="stable")
    rank = np.full(len(categories) + 1, -1, dtype=np.int64)  # the last slot: code -1
    rank[present[order]] = np.arange(len(present))
    return rank[codes], categories[present[order]]


def _sort_codes(series: pd.Series, keep: np.ndarray) -> np.ndarray:
    """Integer codes of ``series[keep]`` that order like the text, a missing value
    like ``""``."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        codes, uniques = _sorted_codes(series, keep)
        if not (codes < 0).any():
            return codes
        # "" sorts before any other text: missing values take slot 0, with a "" if any.
        shift = 0 if len(uniques) and uniques[0] == "" else 1
        return np.where(codes < 0, 0, codes + shift)
    filled = _column_values(series)[keep]
    filled[pd.isna(filled)] = ""
    return pd.factorize(filled, sort=True)[0]


def _break_ties(
    order: np.ndarray, keys: tuple[np.ndarray, ...], checks: pd.DataFrame, keep: np.ndarray
) -> np.ndarray:
    """Order findings equal on every sort key by record_id, then message (stably)."""
    if len(order) < 2:
        return order
    same = np.ones(len(order) - 1, dtype=bool)
    for key in keys:
        ranked = key[order]
        same &= ranked[1:] == ranked[:-1]
    if not same.any():
        return order
    # Positions (in sorted order) that belong to a run of equal keys, and their run id.
    starts = np.concatenate(([True], ~same))
    run = np.cumsum(starts)
    tied = np.concatenate(([False], same)) | np.concatenate((same, [False]))
    positions = np.flatnonzero(tied)
    rows = keep[order[positions]]
    record_ix = _sort_codes(checks["record_id"], rows)
    message_ix = _sort_codes(checks["message"], rows)
    sub = np.lexsort((message_ix, record_ix, run[positions]))
    order = order.copy()
    order[positions] = order[positions][sub]
    return order


@gc_paused()
def run_audit(
    inputs: AuditInputs,
    config: AuditConfig,
    *,
    as_of: dt.date,
    fail_on: str = "high",
    fail_on_new: bool = False,
    reveal_phones: bool = False,
    progress: Progress | None = None,
    keep_tables: bool = True,
    fingerprint_inputs: bool = True,
) -> AuditRun:
    """Audit borrowers and/or contacts (plus reference lists) into an AuditReport.

    ``keep_tables=False`` drops the loaded and normalised tables as soon as the checks
    have run (``AuditRun.tables`` is then empty and ``loaded`` keeps only each input's
    info), so they are not held in memory next to the findings (a GB at a million
    borrowers). ``fingerprint_inputs=False`` skips each file's SHA-256 (only history
    records it; ``InputInfo.sha256`` is then None).
    """
    progress = progress or _noop
    if inputs.borrowers is None and inputs.contacts is None:
        raise ConfigError(
            "Nothing to audit: give a borrowers and/or contacts export on the command line "
            "or under [inputs] in the config file."
        )
    loaded = load_inputs(inputs, config, progress, fingerprint=fingerprint_inputs)
    progress("normalising phone numbers")
    tables = normalise_tables(loaded, config)
    frames = run_checks(tables, config, as_of, progress, concat=False)
    if not keep_tables:
        tables = {}
        for export in loaded.values():
            export.frame = _empty_like(export.frame)
            export.original = _empty_like(export.original)
        release_memory()
    checks = concat_checks(frames)
    del frames
    findings = assemble_findings(checks, config)
    del checks
    report = AuditReport(
        command="audit",
        as_of=as_of,
        default_region=config.region,
        inputs=[export.info for export in loaded.values()],
        findings=findings,
        fail_on=fail_on,
        fail_on_new=fail_on_new,
        reveal_phones=reveal_phones,
    )
    return AuditRun(report=report, tables=tables, loaded=loaded)


@dataclass
class GateRun:
    report: AuditReport
    approved: pd.DataFrame
    blocked: pd.DataFrame
    audit: AuditRun
    campaign: LoadedExport


@gc_paused()
def run_gate(
    inputs: AuditInputs,
    config: AuditConfig,
    *,
    as_of: dt.date,
    fail_on: str = "high",
    fail_on_new: bool = False,
    reveal_phones: bool = False,
    progress: Progress | None = None,
    fingerprint_inputs: bool = True,
) -> GateRun:
    """Check every campaign message against the audited borrowers and contacts
    (``fingerprint_inputs`` as for ``run_audit``)."""
    from contactaudit.checks.gate import check_gate
    from contactaudit.reporters.gate_files import split_campaign

    progress = progress or _noop
    if inputs.campaign is None or inputs.borrowers is None:
        raise ConfigError("gate needs a campaign file and --borrowers.")
    audit = run_audit(
        inputs,
        config,
        as_of=as_of,
        fail_on=fail_on,
        reveal_phones=reveal_phones,
        progress=progress,
        fingerprint_inputs=fingerprint_inputs,
    )
    tables = audit.tables
    progress("checking campaign messages")
    result = check_gate(
        tables["campaign"],
        tables["borrowers"],
        tables.get("contacts"),
        audit.report.findings,
        _reference(tables.get("opt_outs")),
        config,
    )
    campaign = audit.loaded["campaign"]
    if result.warnings:
        campaign.info.warnings.extend(result.warnings)
    findings = assemble_findings(result.findings, config)
    report = AuditReport(
        command="gate",
        as_of=as_of,
        default_region=config.region,
        inputs=audit.report.inputs,
        findings=findings,
        fail_on=fail_on,
        fail_on_new=fail_on_new,
        reveal_phones=reveal_phones,
    )
    rows = campaign.frame["_row"]
    approved, blocked = split_campaign(campaign.original, rows, findings)
    report.gate_counts = {
        "messages": int(len(campaign.original)),
        "approved": int(len(approved)),
        "blocked": int(len(blocked)),
    }
    return GateRun(
        report=report, approved=approved, blocked=blocked, audit=audit, campaign=campaign
    )


__all__ = [
    "AuditInputs",
    "AuditRun",
    "GateRun",
    "assemble_findings",
    "run_audit",
    "run_gate",
]
