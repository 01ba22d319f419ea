"""Helpers shared by the file reporters (CSV, Markdown, JUnit, HTML).

Everything here works column-wise on ``AuditReport.findings`` so a report with a
million findings costs a few vectorised passes, not a Python loop per finding.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from itertools import chain
from operator import itemgetter
from typing import Any, TypeVar

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from contactaudit.models import SEVERITY_ORDER, AuditReport, arrow_chunks, severity_rank

_RANKS = {name: severity_rank(name) for name in SEVERITY_ORDER}

_T = TypeVar("_T")
_R = TypeVar("_R")


def ordered_map(
    fn: Callable[[_T], _R], items: Iterable[_T], *, workers: int | None = None
) -> Iterator[_R]:
    """``map(fn, items)`` on a small thread pool, results in order, at most two per
    worker in flight (so a streamed report holds a few chunks, never all of them).

    Worth it where ``fn`` spends its time in Arrow kernels, which release the GIL: the
    JSON and CSV reporters render their chunks this way and use both cores. With one
    CPU (or ``workers=1``) it is plain ``map``.
    """
    workers = workers or min(2, os.cpu_count() or 1)
    if workers < 2:
        yield from map(fn, items)
        return
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="contactaudit") as pool:
        pending: deque[Any] = deque()
        for item in items:
            pending.append(pool.submit(fn, item))
            if len(pending) >= 2 * workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def severity_ranks(findings: pd.DataFrame) -> np.ndarray:
    """Rank per finding (critical 4 … info 0); an unknown severity ranks -1."""
    codes, uniques = pd.factorize(findings["severity"])
    table = np.array([_RANKS.get(name, -1) for name in uniques] + [-1], dtype=np.int64)
    return table[np.where(codes < 0, len(uniques), codes)]


def failing_mask(report: AuditReport) -> np.ndarray:
    """Findings that decide the exit status: at or above ``fail_on`` (new ones only
    with ``fail_on_new``). The same rule as ``AuditReport.exit_status``."""
    f = report.findings
    if report.fail_on == "never" or f.empty:
        return np.zeros(len(f), dtype=bool)
    failing = severity_ranks(f) >= severity_rank(report.fail_on)
    if report.fail_on_new:
        failing &= f["status"].eq("new").fillna(False).to_numpy(dtype=bool)
    return failing


def worst_first(findings: pd.DataFrame, limit: int | None = None) -> pd.DataFrame:
    """Findings ordered worst severity first, keeping the report order inside a severity.

    The assembled frame is already in that order; a stable sort makes the reporters
    right for hand-built or filtered frames too, at O(n log n) on one int column.
    """
    ranks = severity_ranks(findings)
    if limit is None or limit >= len(ranks):
        return findings.iloc[np.argsort(-ranks, kind="stable")]
    # Only the first ``limit`` are wanted: collect them rank by rank, no full sort.
    picked: list[np.ndarray] = []
    wanted = limit
    for rank in sorted(set(_RANKS.values()) | {-1}, reverse=True):
        if wanted <= 0:
            break
        positions = np.flatnonzero(ranks == rank)[:wanted]
        picked.append(positions)
        wanted -= len(positions)
    return findings.iloc[np.concatenate(picked) if picked else np.empty(0, dtype=np.int64)]


def arrow_text(series: pd.Series) -> pa.Array | None:
    """An Arrow-backed text column as one ``string`` array (no Python strings), else None."""
    chunks = arrow_chunks(series)
    return None if chunks is None else chunks.combine_chunks().cast(pa.string())


def categorical_text(series: pd.Series) -> pa.Array | None:
    """A categorical of text as one ``string`` array, its categories taken by its codes
    (missing stays null), else None.

    ``to_numpy(dtype=object)`` on a categorical makes a Python string per value: about
    250 MB and a quarter second for each catalogue column of 1.87M findings.
    """
    if not isinstance(series.dtype, pd.CategoricalDtype):
        return None
    try:
        texts = pa.array(
            np.asarray(series.cat.categories, dtype=object), type=pa.string(), from_pandas=True
        )
    except (pa.ArrowException, UnicodeError):  # categories that are not all text
        return None
    codes = series.cat.codes.to_numpy()
    missing = codes < 0
    if len(texts) == 0:
        return pa.nulls(len(codes), pa.string())
    return texts.take(pa.array(np.where(missing, 0, codes), mask=missing))


def related_text(values: Iterable[Any]) -> list[str]:
    """``related`` tuples as ``source:row:record_id`` joined by ``;`` (``source:row``
    when the related record has no id); ``""`` when there are none.

    A Python pass, but a tight one (about 1 s per million findings that all have
    related records; most findings have none and cost a truth test). Whole columns
    that end in Arrow use ``related_text_array``.
    """
    out: list[str] = []
    append = out.append
    for related in values:
        # None or NaN (a frame rebuilt by pandas) means no related records, like ().
        if not isinstance(related, tuple | list) or not related:
            append("")
            continue
        append(
            ";".join(
                [
                    f"{src}:{row}" if rid is None or rid != rid else f"{src}:{row}:{rid}"
                    for src, row, rid in related
                ]
            )
        )
    return out


def related_text_array(values: Iterable[Any]) -> pa.Array:
    """``related_text`` as an Arrow string array, ``""`` for none: Arrow joins over the
    flattened records (``flat_related``), the Python pass only for odd values."""
    if not isinstance(values, pd.Series):
        values = list(values)
    flat = flat_related(values)
    if flat is None:
        return pa.array(related_text(values), type=pa.string())
    # A null record id drops its separator too: "source:row".
    items = pc.binary_join_element_wise(
        flat.sources, pc.cast(flat.rows, pa.string()), flat.record_ids, ":", null_handling="skip"
    )
    return pc.binary_join(pa.ListArray.from_arrays(flat.offsets, items), ";")


@dataclass(frozen=True)
class FlatRelated:
    """All findings' related records in three flat Arrow columns.

    Finding ``i`` owns items ``offsets[i]:offsets[i + 1]``; a missing record id is null.
    """

    offsets: pa.Array  # int32, one more than the findings
    sources: pa.Array  # string
    rows: pa.Array  # int64
    record_ids: pa.Array  # string, nulls for no id


def flat_related(values: Iterable[Any]) -> FlatRelated | None:
    """Flatten a ``related`` column, or None when some value is not a tuple (or list) of
    ``(source: str, row: int, record_id: str | None)`` — callers then go per finding.

    None and NaN count as no related records. The flattening runs at C speed
    (``map``/``chain``/``itemgetter``); the per-item work after it is Arrow's.
    """
    items = values.to_numpy(dtype=object) if isinstance(values, pd.Series) else list(values)
    try:
        lengths = np.fromiter(map(len, items), dtype=np.int64, count=len(items))
    except TypeError:  # None/NaN among them
        items = [v if isinstance(v, tuple | list) else () for v in items]
        lengths = np.fromiter(map(len, items), dtype=np.int64, count=len(items))
    offsets = np.zeros(len(items) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    if offsets[-1] > np.iinfo(np.int32).max:
        return None
    flat = list(chain.from_iterable(items[i] for i in np.flatnonzero(lengths)))
    try:
        if set(map(len, flat)) - {3}:
            return None
        sources = pa.array(list(map(itemgetter(0), flat)), type=pa.string())
        rows = pa.array(list(map(itemgetter(1), flat)), from_pandas=True)
        record_ids = pa.array(list(map(itemgetter(2), flat)), from_pandas=True)
    except (TypeError, KeyError, IndexError, pa.ArrowException):
        return None
    if not (pa.types.is_integer(rows.type) or pa.types.is_null(rows.type)) or rows.null_count:
        return None
    if pa.types.is_null(record_ids.type):
        record_ids = record_ids.cast(pa.string())
    if not pa.types.is_string(record_ids.type) or sources.null_count:
        return None
    return FlatRelated(
        offsets=pa.array(offsets.astype(np.int32)),
        sources=sources,
        rows=rows.cast(pa.int64()),
        record_ids=record_ids,
    )


def text_or_empty(value: Any) -> str:
    """A cell as display text: ``None``/NaN/NA become ``""``."""
    if value is None:
        return ""
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):  # tuples and other containers are not scalars
        pass
    return str(value)


def exit_decision(report: AuditReport) -> dict[str, Any]:
    """The exit decision as data: status, pass/fail, and the sentence that explains it."""
    failing = int(failing_mask(report).sum())
    status = report.exit_status
    which = "new findings" if report.fail_on_new else "findings"
    if report.fail_on == "never":
        sentence = "fail-on is never: findings do not fail the run"
    elif failing:
        noun = which if failing != 1 else which.rstrip("s")
        sentence = f"{failing:,} {noun} at or above {report.fail_on}"
    else:
        sentence = f"no {which.rstrip('s')} at or above {report.fail_on}"
    return {
        "status": status,
        "passed": status == 0,
        "label": "PASS" if status == 0 else "FAIL",
        "failing": failing,
        "sentence": sentence,
    }
