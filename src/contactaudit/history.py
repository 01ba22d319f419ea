"""Run history in SQLite: what each run saw, and which findings are new or resolved.

Choices the contract leaves open, recorded here:

* **No data values.** A finding is stored only as a 64-bit fingerprint: the first 8
  bytes of HMAC-SHA256 (the same key and construction as :func:`privacy.keyed_digest`)
  over ``code, source, record key, column, e164``. Messages, masked numbers, record ids
  and names never reach the file. Input paths, sizes, SHA-256 and row counts are stored
  (they describe files, not people).
* **Storage of fingerprints.** A run's fingerprints are one sorted int64 array (with
  repeats for identical findings) in 8 MiB BLOB chunks: 8 bytes per finding, written
  and read back in milliseconds, compared with numpy. A table row per fingerprint
  cost ~1.5 s per million findings to insert and fetch, and 18 bytes each.
* **What makes a finding "the same" across nights.** The record key prefers the
  export's own key (``record_id``: borrower_id / contact_id / message_id), then
  ``borrower_id``, then the spreadsheet row; ``column`` is always part of it, so a wide
  contacts layout's ``contact1_phone`` and ``contact2_phone`` stay apart. Row numbers
  are the last resort because a re-export with one inserted row shifts every row below
  it. Severity, message and related records are *not* part of it: a severity override
  or a peer count changing does not make an old problem new. For a malformed cell the
  number part is empty (there is no E.164), so "this record's phone is still invalid"
  persists even when the bad text changes.
* **Duplicates.** Identical findings (e.g. a contacts file without contact_id listing
  the same number twice for one borrower) are counted per fingerprint and compared as
  a multiset: with 2 copies last night and 3 tonight, 2 persist and 1 is new; with 3
  then 1, 2 are resolved.
* **The previous run** of a dataset is the one with the highest ``run_id``, read inside
  the write transaction, so two overlapping runs of one dataset chain rather than both
  comparing against the same older run. The first run of a dataset marks everything
  ``new`` (a baseline has to be looked at once); resolved is 0.
* **Dataset.** An explicit ``--dataset`` name is stored as given; otherwise the key is
  ``files:`` + a keyed digest of the sorted (source, resolved absolute path) pairs.
* **The hash key.** A check value derived from the key is kept in ``meta``; recording
  with another key is refused, because every finding would silently turn "new".
* **Retention.** Run rows are kept forever; fingerprints only for the newest
  ``keep_fingerprints`` runs of each dataset (default 10), since only the previous run
  is compared. Freed pages are reused, so a nightly database stops growing.
* **Safety.** WAL journal, a 30 s busy timeout and ``BEGIN IMMEDIATE`` serialise
  concurrent writers; one transaction per run, so a crash leaves the file as it was and
  the report is only updated after the commit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
import time
from dataclasses import dataclass, replace
from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np
import pandas as pd

from contactaudit.errors import HistoryError
from contactaudit.models import SEVERITY_ORDER, AuditReport
from contactaudit.privacy import hash_key, keyed_digest

SCHEMA_VERSION = 1
BUSY_TIMEOUT_SECONDS = 30.0
DEFAULT_KEEP_FINGERPRINTS = 10

# ASCII unit separator: cannot come out of a phone number, code or column name.
_SEP = "\x1f"
_KEY_CHECK_TEXT = "contactaudit-history-key-check"
# Fingerprints of a run are one sorted little-endian int64 array, split into BLOB
# chunks of 8 MiB (far below SQLite's 1 GB value limit).
_PACKED = "<i8"
_CHUNK_FINGERPRINTS = 1 << 20

_SCHEMA = """
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE runs (
    run_id           INTEGER PRIMARY KEY,
    dataset          TEXT NOT NULL,
    command          TEXT NOT NULL,
    started_at       TEXT NOT NULL,
    as_of            TEXT NOT NULL,
    duration_seconds REAL,
    exit_status      INTEGER NOT NULL,
    config_digest    TEXT NOT NULL,
    findings         INTEGER NOT NULL,
    by_severity      TEXT NOT NULL,
    by_code          TEXT NOT NULL,
    new              INTEGER NOT NULL,
    resolved         INTEGER NOT NULL,
    persisting       INTEGER NOT NULL,
    previous_run_id  INTEGER
);
CREATE INDEX runs_by_dataset ON runs (dataset, run_id);
CREATE TABLE run_inputs (
    run_id     INTEGER NOT NULL REFERENCES runs (run_id),
    source     TEXT NOT NULL,
    path       TEXT NOT NULL,
    size_bytes INTEGER,
    sha256     TEXT,
    rows       INTEGER NOT NULL
);
CREATE INDEX run_inputs_by_run ON run_inputs (run_id);
CREATE TABLE fingerprints (
    run_id INTEGER NOT NULL,
    chunk  INTEGER NOT NULL,
    packed BLOB NOT NULL,
    UNIQUE (run_id, chunk)
);
"""


@dataclass(frozen=True)
class RunResult:
    """What :meth:`HistoryStore.record_run` stored and found."""

    run_id: int
    dataset: str
    new: int
    resolved: int
    persisting: int
    previous_run_id: int | None = None


def dataset_key(report: AuditReport, name: str | None) -> str:
    """The dataset a run belongs to: the explicit name, else a digest of its input files."""
    if name is not None:
        name = name.strip()
        if not name:
            raise HistoryError(
                "The dataset name is empty. Pass a non-empty --dataset NAME, or leave it "
                "out to group runs by their input files."
            )
        return name
    pairs = sorted((info.source, str(Path(info.path).resolve())) for info in report.inputs)
    return "files:" + keyed_digest(json.dumps(pairs, ensure_ascii=False))


def finding_fingerprints(findings: pd.DataFrame) -> np.ndarray:
    """One signed 64-bit fingerprint per finding row (see the module docstring)."""
    if findings.empty:
        return np.empty(0, dtype="int64")
    cols = [
        _values(findings[c])
        for c in ("code", "source", "record_id", "borrower_id", "row", "column", "e164")
    ]
    # A plain comprehension over column lists: pandas string concatenation of seven
    # columns took 1.4 s per million findings, this takes 0.4 s. An empty id counts
    # as missing.
    texts = [
        f"{code}{_SEP}{source}{_SEP}"
        f"{f'id:{rid}' if rid != '' else (f'borrower:{bid}' if bid != '' else f'row:{row}')}"
        f"{_SEP}{column}{_SEP}{e164}"
        for code, source, rid, bid, row, column, e164 in zip(*cols, strict=True)
    ]
    return _hmac64(texts)


def _values(series: pd.Series) -> list[Any]:
    """A column as a list with missing values (None, NaN, pd.NA) as ""."""
    return series.to_numpy(dtype=object, na_value="").tolist()


def _hmac64(texts: list[str]) -> np.ndarray:
    """First 8 bytes of HMAC-SHA256 per text, as signed int64.

    Equal to ``keyed_digest(text)`` read as a big-endian integer. Precomputing the
    inner and outer pad states and copying them is ~2x faster than ``hmac.new`` per
    text (0.9 s instead of 2 s for a million findings).
    """
    key = hash_key()
    block = hashlib.sha256().block_size
    if len(key) > block:
        key = hashlib.sha256(key).digest()
    key = key.ljust(block, b"\0")
    inner_copy = hashlib.sha256(bytes(b ^ 0x36 for b in key)).copy
    outer_copy = hashlib.sha256(bytes(b ^ 0x5C for b in key)).copy
    packed = bytearray()
    extend = packed.extend
    for text in texts:
        i = inner_copy()
        i.update(text.encode("utf-8"))
        o = outer_copy()
        o.update(i.digest())
        extend(o.digest()[:8])
    return np.frombuffer(bytes(packed), dtype=">i8").astype("int64")


def _compare(current: np.ndarray, previous: np.ndarray) -> tuple[np.ndarray, int]:
    """Multiset comparison: (persisting mask per current finding, resolved count)."""
    if current.size == 0 or previous.size == 0:
        return np.zeros(current.size, dtype=bool), int(previous.size)
    prev_fp, prev_n = np.unique(previous, return_counts=True)
    pos = pd.Index(prev_fp).get_indexer(current)
    prev_count = np.where(pos >= 0, prev_n[pos], 0)
    cur_fp, cur_n = np.unique(current, return_counts=True)
    if cur_fp.size == current.size:
        persisting = prev_count > 0
    else:
        # The k-th copy (0-based) of a fingerprint persists while k < last run's count.
        occurrence = pd.Series(current).groupby(current).cumcount().to_numpy()
        persisting = occurrence < prev_count
    cur_pos = pd.Index(cur_fp).get_indexer(prev_fp)
    still = np.where(cur_pos >= 0, cur_n[cur_pos], 0)
    resolved = int(np.maximum(prev_n - still, 0).sum())
    return persisting, resolved


class HistoryStore:
    """A history database file; use as a context manager.

    ``create=False`` (for read-only commands such as ``contactaudit history``) refuses
    a missing file instead of creating an empty database.
    """

    def __init__(
        self,
        path: Path,
        *,
        create: bool = True,
        keep_fingerprints: int = DEFAULT_KEEP_FINGERPRINTS,
    ) -> None:
        self.path = Path(path)
        self.keep_fingerprints = max(1, keep_fingerprints)
        if not create and not self.path.exists():
            raise HistoryError(
                f"History database '{self.path}' does not exist. Run "
                f"'contactaudit audit ... --history {self.path}' first, or check the path."
            )
        if self.path.is_dir():
            raise HistoryError(
                f"History path '{self.path}' is a directory. Pass a file name, e.g. "
                f"'{self.path / 'history.sqlite'}'."
            )
        try:
            if create:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            # isolation_level=None: transactions are opened explicitly (BEGIN IMMEDIATE).
            self._conn = sqlite3.connect(
                self.path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None
            )
        except (OSError, sqlite3.Error) as exc:
            raise self._error(exc) from None
        try:
            self._conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
            self._use_wal()
            self._prepare_schema()
        except BaseException as exc:
            self._conn.close()
            if isinstance(exc, sqlite3.Error):
                raise self._error(exc) from None
            raise

    def _use_wal(self) -> None:
        """Switch the file to write-ahead logging, waiting out another process doing the
        same: two runs opening a new file at once make SQLite refuse one of them at
        once ("database is locked", without its busy wait; seen in 9 of 60 tries)."""
        deadline = time.monotonic() + BUSY_TIMEOUT_SECONDS
        delay = 0.001
        while True:
            try:
                self._conn.execute("PRAGMA journal_mode = WAL")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc).lower() or time.monotonic() >= deadline:
                    raise
            time.sleep(delay)
            delay = min(2 * delay, 0.1)

    # -- context manager -------------------------------------------------------

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._conn.close()

    # -- schema ----------------------------------------------------------------

    def _prepare_schema(self) -> None:
        conn = self._conn
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "meta" not in tables:
            if tables:
                raise HistoryError(
                    f"'{self.path}' is a SQLite database but not a contactaudit history "
                    "(it has no 'meta' table). Point --history at a new file name."
                )
            conn.execute("BEGIN IMMEDIATE")
            try:
                # Re-check under the write lock: a concurrent first run may have won.
                exists = conn.execute(
                    "SELECT 1 FROM sqlite_master WHERE type='table' AND name='meta'"
                ).fetchone()
                if not exists:
                    for statement in _SCHEMA.split(";"):
                        if statement.strip():
                            conn.execute(statement)
                    conn.execute(
                        "INSERT INTO meta (key, value) VALUES ('schema_version', ?)",
                        (str(SCHEMA_VERSION),),
                    )
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        try:
            version = int(row[0]) if row else None
        except ValueError:
            version = None
        if version is None:
            raise HistoryError(
                f"History database '{self.path}' has no valid schema_version in its meta "
                "table. Point --history at a new file name."
            )
        if version > SCHEMA_VERSION:
            raise HistoryError(
                f"History database '{self.path}' was written by a newer contactaudit "
                f"(schema version {version}; this version reads up to {SCHEMA_VERSION}). "
                "Upgrade contactaudit, or point --history at a new file name."
            )

    # -- writing ---------------------------------------------------------------

    def record_run(
        self,
        report: AuditReport,
        *,
        dataset: str | None,
        config_digest: str,
        started_at: dt.datetime,
        duration_seconds: float,
    ) -> RunResult:
        """Compare ``report`` with the dataset's previous run and store it.

        Sets ``report.findings["status"]``, ``report.new`` and ``report.resolved`` —
        only after the commit, so a failed write leaves the report as it was. The
        stored exit status is ``report.exit_status`` with the new statuses applied.
        """
        key = dataset_key(report, dataset)
        # Hash outside the write lock: it is the slow part and needs no database.
        fps = finding_fingerprints(report.findings)
        # Not report.summary(): its records-with-findings de-duplication is not needed here.
        by_severity, by_code = _counts(report.findings)
        key_check = keyed_digest(_KEY_CHECK_TEXT)
        conn = self._conn
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise self._error(exc) from None
        try:
            self._check_key(key_check)
            prev = conn.execute(
                "SELECT run_id FROM runs WHERE dataset = ? ORDER BY run_id DESC LIMIT 1",
                (key,),
            ).fetchone()
            previous_run_id = int(prev[0]) if prev else None
            previous = self._load_fingerprints(previous_run_id)
            persisting_mask, resolved = _compare(fps, previous)
            # object dtype, like the rest of the findings' text columns; letting pandas
            # infer its arrow-backed str dtype costs 0.3 s per million findings.
            status = pd.Series(
                np.where(persisting_mask, "persisting", "new"),
                index=report.findings.index,
                dtype="object",
            )
            persisting = int(persisting_mask.sum())
            new = int(fps.size - persisting)
            findings = report.findings.assign(status=status)
            exit_status = replace(report, findings=findings).exit_status

            cur = conn.execute(
                "INSERT INTO runs (dataset, command, started_at, as_of, duration_seconds,"
                " exit_status, config_digest, findings, by_severity, by_code, new, resolved,"
                " persisting, previous_run_id)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    key,
                    report.command,
                    started_at.isoformat(),
                    report.as_of.isoformat(),
                    float(duration_seconds),
                    exit_status,
                    config_digest,
                    int(fps.size),
                    json.dumps(by_severity),
                    json.dumps(by_code),
                    new,
                    resolved,
                    persisting,
                    previous_run_id,
                ),
            )
            run_id = int(cur.lastrowid or 0)
            conn.executemany(
                "INSERT INTO run_inputs (run_id, source, path, size_bytes, sha256, rows)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (run_id, i.source, str(i.path), i.size_bytes, i.sha256, int(i.rows))
                    for i in report.inputs
                ],
            )
            self._insert_fingerprints(run_id, fps)
            self._prune(key)
            conn.execute("COMMIT")
        except BaseException as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise self._error(exc) from None
            raise
        report.findings["status"] = status
        report.new = new
        report.resolved = resolved
        return RunResult(
            run_id=run_id,
            dataset=key,
            new=new,
            resolved=resolved,
            persisting=persisting,
            previous_run_id=previous_run_id,
        )

    def _check_key(self, key_check: str) -> None:
        row = self._conn.execute("SELECT value FROM meta WHERE key = 'key_check'").fetchone()
        if row is None:
            self._conn.execute(
                "INSERT INTO meta (key, value) VALUES ('key_check', ?)", (key_check,)
            )
        elif row[0] != key_check:
            raise HistoryError(
                f"History database '{self.path}' was written with a different hash key, so "
                "its findings cannot be compared with this run. Set CONTACTAUDIT_HASH_KEY "
                "(or CONTACTAUDIT_KEY_FILE) to the key used before, or point --history at "
                "a new file name."
            )

    def _load_fingerprints(self, run_id: int | None) -> np.ndarray:
        if run_id is None:
            return np.empty(0, dtype="int64")
        chunks = self._conn.execute(
            "SELECT packed FROM fingerprints WHERE run_id = ? ORDER BY chunk", (run_id,)
        ).fetchall()
        if not chunks:
            return np.empty(0, dtype="int64")
        return np.frombuffer(b"".join(c[0] for c in chunks), dtype=_PACKED).astype("int64")

    def _insert_fingerprints(self, run_id: int, fps: np.ndarray) -> None:
        packed = np.sort(fps).astype(_PACKED).tobytes()
        step = _CHUNK_FINGERPRINTS * 8
        self._conn.executemany(
            "INSERT INTO fingerprints (run_id, chunk, packed) VALUES (?, ?, ?)",
            [
                (run_id, n, packed[start : start + step])
                for n, start in enumerate(range(0, len(packed), step))
            ],
        )

    def _prune(self, dataset: str) -> None:
        self._conn.execute(
            "DELETE FROM fingerprints WHERE run_id IN (SELECT run_id FROM runs"
            " WHERE dataset = ? ORDER BY run_id DESC LIMIT -1 OFFSET ?)",
            (dataset, self.keep_fingerprints),
        )

    # -- reading ---------------------------------------------------------------

    def list_runs(self, dataset: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
        """Past runs, newest first, with their inputs (for ``contactaudit history``)."""
        where, params = ("WHERE dataset = ?", [dataset]) if dataset is not None else ("", [])
        try:
            rows = self._conn.execute(
                "SELECT run_id, dataset, command, started_at, as_of, duration_seconds,"
                " exit_status, config_digest, findings, by_severity, by_code, new, resolved,"
                f" persisting, previous_run_id FROM runs {where} ORDER BY run_id DESC LIMIT ?",
                [*params, int(limit)],
            ).fetchall()
            runs = [
                {
                    "run_id": r[0],
                    "dataset": r[1],
                    "command": r[2],
                    "started_at": r[3],
                    "as_of": r[4],
                    "duration_seconds": r[5],
                    "exit_status": r[6],
                    "config_digest": r[7],
                    "findings": r[8],
                    "by_severity": _ordered_severities(json.loads(r[9])),
                    "by_code": json.loads(r[10]),
                    "new": r[11],
                    "resolved": r[12],
                    "persisting": r[13],
                    "previous_run_id": r[14],
                    "inputs": [],
                }
                for r in rows
            ]
            by_id = {run["run_id"]: run for run in runs}
            if by_id:
                marks = ",".join("?" * len(by_id))
                for r in self._conn.execute(
                    "SELECT run_id, source, path, size_bytes, sha256, rows FROM run_inputs"
                    f" WHERE run_id IN ({marks}) ORDER BY rowid",
                    list(by_id),
                ):
                    by_id[r[0]]["inputs"].append(
                        {
                            "source": r[1],
                            "path": r[2],
                            "size_bytes": r[3],
                            "sha256": r[4],
                            "rows": r[5],
                        }
                    )
        except sqlite3.Error as exc:
            raise self._error(exc) from None
        return runs

    def trend(self, dataset: str, limit: int = 30) -> list[dict[str, Any]]:
        """The dataset's last ``limit`` runs, oldest first, for the HTML trend chart."""
        runs = self.list_runs(dataset, limit)
        return [
            {
                "run_at": run["started_at"],
                "findings": run["findings"],
                "new": run["new"],
                "resolved": run["resolved"],
                "by_severity": run["by_severity"],
            }
            for run in reversed(runs)
        ]

    # -- errors ----------------------------------------------------------------

    def _error(self, exc: BaseException) -> BaseException:
        """A HistoryError naming the file and the fix; programming errors pass through."""
        if isinstance(exc, sqlite3.IntegrityError | sqlite3.ProgrammingError):
            return exc
        text = str(exc).lower()
        if "not a database" in text or "malformed" in text:
            what = (
                "is not a contactaudit history database (not a SQLite file, or damaged). "
                "Point --history at a new file name, or restore the file from a backup."
            )
        elif "locked" in text or "busy" in text:
            what = (
                f"stayed locked by another writer for {BUSY_TIMEOUT_SECONDS:.0f} s. "
                "Retry when the other contactaudit run has finished."
            )
        elif "readonly" in text or "read-only" in text:
            what = "is read-only. Fix its permissions (and its directory's) or use another file."
        elif isinstance(exc, OSError):
            what = f"cannot be created ({exc.strerror}). Check the directory and permissions."
        else:
            what = f"cannot be used ({exc}). Check the path and permissions, or use a new file."
        return HistoryError(f"History database '{self.path}' {what}")


def _counts(findings: pd.DataFrame) -> tuple[dict[str, int], dict[str, int]]:
    if findings.empty:
        return {}, {}
    by_sev = findings["severity"].astype(str).value_counts().to_dict()
    by_code = findings["code"].astype(str).value_counts().to_dict()
    return _ordered_severities(by_sev), {c: int(by_code[c]) for c in sorted(by_code)}


def _ordered_severities(counts: dict[str, int]) -> dict[str, int]:
    return {s: int(counts[s]) for s in SEVERITY_ORDER if s in counts}
