from __future__ import annotations

import datetime as dt
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from contactaudit import history
from contactaudit.errors import HistoryError
from contactaudit.history import HistoryStore, finding_fingerprints
from contactaudit.models import FINDING_COLUMNS, AuditReport, InputInfo
from contactaudit.privacy import keyed_digest

KEY = "test-history-key"
START = dt.datetime(2026, 11, 28, 2, 0, 0)


@pytest.fixture(autouse=True)
def _hash_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONTACTAUDIT_HASH_KEY", KEY)


# (code, severity, source, row, record_id, borrower_id, column, e164, raw)
A = ("phone-shared-by-borrowers", "high", "borrowers", 2, "B0001", "B0001", "phone",
     "+8613800138000", "138 0013 8000")  # fmt: skip
B = ("phone-invalid", "medium", "borrowers", 3, "B0002", "B0002", "phone", None, "12345")
C = ("contact-is-borrower", "high", "contacts", 2, "C0001", "B0001", "phone",
     "+8613900139000", "13900139000")  # fmt: skip
D = ("contact-unverified", "low", "contacts", 3, "C0002", "B0002", "phone",
     "+8613700137000", "+86 137-0013-7000")  # fmt: skip
E = ("phone-reassigned", "critical", "borrowers", 4, "B0003", "B0003", "phone",
     "+8615000150000", "15000150000")  # fmt: skip


def findings(*rows: tuple) -> pd.DataFrame:
    records = [
        {
            "code": code,
            "severity": sev,
            "remediation": "REVERIFY",
            "source": source,
            "row": row,
            "record_id": rid,
            "borrower_id": bid,
            "column": column,
            "phone_masked": None if e164 is None else e164[3:6] + "****" + e164[-4:],
            "phone_key": None,
            "message": "message-text",
            "related": (),
            "status": None,
            "e164": e164,
            "raw": raw,
        }
        for code, sev, source, row, rid, bid, column, e164, raw in rows
    ]
    frame = pd.DataFrame(records, columns=list(FINDING_COLUMNS))
    return frame.astype({"row": "int64"})


def report(*rows: tuple, fail_on_new: bool = False, paths: tuple[str, ...] = ()) -> AuditReport:
    inputs = [
        InputInfo("borrowers", paths[0] if paths else "b.csv", "csv", "utf-8", 3, {},
                  size_bytes=120, sha256="ab" * 32),
        InputInfo("contacts", paths[1] if paths else "c.csv", "csv", "utf-8", 2, {},
                  size_bytes=80, sha256="cd" * 32),
    ]  # fmt: skip
    return AuditReport(
        command="audit",
        as_of=dt.date(2026, 11, 28),
        default_region="CN",
        inputs=inputs,
        findings=findings(*rows),
        fail_on_new=fail_on_new,
    )


def record(store: HistoryStore, rep: AuditReport, dataset: str | None = "nightly", night: int = 0):
    return store.record_run(
        rep,
        dataset=dataset,
        config_digest="cfg1",
        started_at=START + dt.timedelta(days=night),
        duration_seconds=1.5,
    )


def statuses(rep: AuditReport) -> dict[str, str]:
    return dict(zip(rep.findings["record_id"], rep.findings["status"], strict=True))


def test_same_data_twice_then_changes_count_new_resolved_and_persisting(tmp_path: Path) -> None:
    with HistoryStore(tmp_path / "h.sqlite") as store:
        first = report(A, B, C)
        r1 = record(store, first, night=0)
        assert (r1.new, r1.resolved, r1.persisting, r1.previous_run_id) == (3, 0, 0, None)
        assert set(first.findings["status"]) == {"new"}

        second = report(A, B, C)
        r2 = record(store, second, night=1)
        assert (r2.new, r2.resolved, r2.persisting) == (0, 0, 3)
        assert (second.new, second.resolved) == (0, 0)
        assert set(second.findings["status"]) == {"persisting"}
        assert r2.previous_run_id == r1.run_id

        # B and C fixed, D and E appear.
        third = report(A, D, E)
        r3 = record(store, third, night=2)
        assert (r3.new, r3.resolved, r3.persisting) == (2, 2, 1)
        assert (third.new, third.resolved) == (2, 2)
        assert statuses(third) == {"B0001": "persisting", "C0002": "new", "B0003": "new"}
        assert third.summary()["new"] == 2 and third.summary()["resolved"] == 2


def test_report_is_unchanged_until_history_is_recorded(tmp_path: Path) -> None:
    rep = report(A)
    assert rep.findings["status"].isna().all() and rep.new is None
    with HistoryStore(tmp_path / "h.sqlite") as store:
        record(store, rep)
    assert rep.findings["status"].tolist() == ["new"]


def test_fail_on_new_ignores_persisting_findings(tmp_path: Path) -> None:
    with HistoryStore(tmp_path / "h.sqlite") as store:
        record(store, report(A, D))
        only_old = report(A, D, fail_on_new=True)
        record(store, only_old, night=1)
        assert only_old.exit_status == 0
        new_high = report(A, D, C, fail_on_new=True)
        record(store, new_high, night=2)
        assert new_high.exit_status == 1
        new_low_only = report(A, D, C, B, fail_on_new=True)
        record(store, new_low_only, night=3)
        assert new_low_only.exit_status == 0  # B is medium, below the default fail_on high
        runs = store.list_runs("nightly")
    assert [r["exit_status"] for r in runs] == [0, 1, 0, 1]


def test_without_fail_on_new_persisting_high_findings_still_fail(tmp_path: Path) -> None:
    with HistoryStore(tmp_path / "h.sqlite") as store:
        record(store, report(A))
        rep = report(A)
        record(store, rep, night=1)
    assert rep.findings["status"].tolist() == ["persisting"]
    assert rep.exit_status == 1


def test_record_id_keeps_a_finding_persisting_when_rows_shift(tmp_path: Path) -> None:
    shifted = (A[0], A[1], A[2], 7, *A[4:])
    no_id = (B[0], B[1], B[2], 3, None, None, "phone", None, "12345")
    no_id_shifted = (B[0], B[1], B[2], 4, None, None, "phone", None, "12345")
    with HistoryStore(tmp_path / "h.sqlite") as store:
        record(store, report(A, no_id))
        rep = report(shifted, no_id_shifted)
        record(store, rep, night=1)
    # With no key at all, the row is all there is: a shifted row is a different finding.
    assert rep.findings["status"].tolist() == ["persisting", "new"]
    assert rep.resolved == 1


def test_borrower_id_and_column_identify_wide_contacts_without_contact_id(tmp_path: Path) -> None:
    first = ("contact-unverified", "low", "contacts", 2, None, "B0001", "contact1_phone",
             "+8613700137000", "13700137000")  # fmt: skip
    second_col = (*first[:6], "contact2_phone", *first[7:])
    moved_row = (first[0], first[1], first[2], 9, *first[4:])
    with HistoryStore(tmp_path / "h.sqlite") as store:
        record(store, report(first))
        rep = report(moved_row, second_col)
        record(store, rep, night=1)
    assert rep.findings["status"].tolist() == ["persisting", "new"]


def test_severity_or_message_change_does_not_make_a_finding_new(tmp_path: Path) -> None:
    with HistoryStore(tmp_path / "h.sqlite") as store:
        record(store, report(A))
        rep = report(("phone-shared-by-borrowers", "critical", *A[2:]))
        rep.findings["message"] = "number is also the phone of 5 other borrowers"
        record(store, rep, night=1)
    assert rep.findings["status"].tolist() == ["persisting"]


def test_identical_findings_are_compared_as_a_multiset(tmp_path: Path) -> None:
    with HistoryStore(tmp_path / "h.sqlite") as store:
        record(store, report(D, D))
        three = report(D, D, D)
        r2 = record(store, three, night=1)
        assert three.findings["status"].tolist() == ["persisting", "persisting", "new"]
        assert (r2.new, r2.persisting, r2.resolved) == (1, 2, 0)
        r3 = record(store, report(D), night=2)
        assert (r3.new, r3.persisting, r3.resolved) == (0, 1, 2)


def test_run_without_findings_resolves_everything(tmp_path: Path) -> None:
    with HistoryStore(tmp_path / "h.sqlite") as store:
        record(store, report(A, B))
        empty = report()
        result = record(store, empty, night=1)
        assert (result.new, result.resolved, result.persisting) == (0, 2, 0)
        assert empty.exit_status == 0
        after = record(store, report(A), night=2)
    assert (after.new, after.resolved) == (1, 0)


def test_datasets_are_kept_apart_by_input_paths_or_name(tmp_path: Path) -> None:
    with HistoryStore(tmp_path / "h.sqlite") as store:
        a = record(store, report(A, paths=("x/b.csv", "x/c.csv")), dataset=None)
        other = record(store, report(A, paths=("y/b.csv", "y/c.csv")), dataset=None)
        swapped = report(A, paths=("x/b.csv", "x/c.csv"))
        swapped.inputs.reverse()
        again = record(store, swapped, dataset=None)
        assert a.dataset.startswith("files:") and a.dataset != other.dataset
        assert (other.new, again.new, again.previous_run_id) == (1, 0, a.run_id)
        # An explicit name links runs whose file names carry the date.
        record(store, report(A, paths=("b-1127.csv", "c.csv")), dataset="lender-x")
        named = record(store, report(A, paths=("b-1128.csv", "c.csv")), dataset="lender-x")
        assert (named.dataset, named.new, named.persisting) == ("lender-x", 0, 1)
        with pytest.raises(HistoryError, match="dataset name is empty"):
            record(store, report(A), dataset="  ")


def test_list_runs_newest_first_with_inputs_and_counts(tmp_path: Path) -> None:
    with HistoryStore(tmp_path / "h.sqlite") as store:
        record(store, report(A, B, C), night=0)
        record(store, report(A, D, E), night=1)
        record(store, report(A), dataset="other", night=2)
        runs = store.list_runs("nightly")
        assert len(store.list_runs()) == 3 and len(store.list_runs(limit=1)) == 1
        trend = store.trend("nightly")
    newest = runs[0]
    assert [r["started_at"] for r in runs] == ["2026-11-29T02:00:00", "2026-11-28T02:00:00"]
    assert newest["dataset"] == "nightly" and newest["command"] == "audit"
    assert newest["as_of"] == "2026-11-28" and newest["duration_seconds"] == 1.5
    assert newest["findings"] == 3 and (newest["new"], newest["resolved"]) == (2, 2)
    assert newest["by_severity"] == {"critical": 1, "high": 1, "low": 1}
    assert list(newest["by_severity"]) == ["critical", "high", "low"]
    assert newest["config_digest"] == "cfg1"
    assert newest["inputs"] == [
        {"source": "borrowers", "path": "b.csv", "size_bytes": 120, "sha256": "ab" * 32,
         "rows": 3},
        {"source": "contacts", "path": "c.csv", "size_bytes": 80, "sha256": "cd" * 32, "rows": 2},
    ]  # fmt: skip
    assert trend == [
        {"run_at": "2026-11-28T02:00:00", "findings": 3, "new": 3, "resolved": 0,
         "by_severity": {"high": 2, "medium": 1}},
        {"run_at": "2026-11-29T02:00:00", "findings": 3, "new": 2, "resolved": 2,
         "by_severity": {"critical": 1, "high": 1, "low": 1}},
    ]  # fmt: skip


def test_database_holds_no_numbers_names_or_ids(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite"
    rows = (A, B, C, D, E)
    with HistoryStore(db) as store:
        record(store, report(*rows))
        record(store, report(A, C), night=1)
        wal = Path(str(db) + "-wal")
        # While the store is open the runs sit in the write-ahead log.
        blobs = [db.read_bytes(), wal.read_bytes() if wal.exists() else b""]
    blobs.append(db.read_bytes())
    secrets: set[str] = set()
    for _code, _sev, _src, _row, rid, bid, _col, e164, raw in rows:
        secrets |= {s for s in (rid, bid, raw, e164) if s}
        if e164:
            secrets |= {e164[1:], e164[3:], e164[3:6] + "****" + e164[-4:]}
    secrets.add("message-text")
    assert blobs[1], "expected the runs in the write-ahead log"
    for blob in blobs:
        for secret in secrets:
            assert secret.encode() not in blob, secret


def test_fingerprint_is_the_keyed_digest_of_code_source_record_key_column_and_number() -> None:
    expected = keyed_digest(
        "phone-shared-by-borrowers\x1fborrowers\x1fid:B0001\x1fphone\x1f+8613800138000"
    )
    malformed = keyed_digest("phone-invalid\x1fborrowers\x1fid:B0002\x1fphone\x1f")
    fps = finding_fingerprints(findings(A, B))
    assert fps.tolist() == [
        int.from_bytes(bytes.fromhex(expected), "big", signed=True),
        int.from_bytes(bytes.fromhex(malformed), "big", signed=True),
    ]


def test_another_hash_key_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "h.sqlite"
    with HistoryStore(db) as store:
        record(store, report(A))
    monkeypatch.setenv("CONTACTAUDIT_HASH_KEY", "another-key")
    with HistoryStore(db) as store, pytest.raises(HistoryError, match="different hash key"):
        record(store, report(A), night=1)


def test_crash_inside_the_transaction_leaves_database_and_report_as_they_were(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "h.sqlite"
    with HistoryStore(db) as store:
        first = record(store, report(A, B))

    def crash(self: HistoryStore, dataset: str) -> None:
        raise RuntimeError("power cut")

    # _prune runs after the run row and fingerprints are written, just before COMMIT.
    monkeypatch.setattr(HistoryStore, "_prune", crash)
    doomed = report(C)
    with HistoryStore(db) as store, pytest.raises(RuntimeError, match="power cut"):
        record(store, doomed, night=1)
    assert doomed.findings["status"].isna().all() and doomed.new is None
    monkeypatch.undo()
    monkeypatch.setenv("CONTACTAUDIT_HASH_KEY", KEY)

    with HistoryStore(db) as store:
        assert [r["run_id"] for r in store.list_runs()] == [first.run_id]
        after = record(store, report(A, B), night=2)
    assert (after.previous_run_id, after.persisting, after.new) == (first.run_id, 2, 0)
    with sqlite3.connect(db) as conn:
        chunks = conn.execute("SELECT run_id FROM fingerprints ORDER BY run_id").fetchall()
    assert chunks == [(first.run_id,), (after.run_id,)]


SCRIPT_HEADER = textwrap.dedent(
    """
    import datetime as dt, os, sys
    sys.path.insert(0, {tests!r})
    from test_history import A, B, C, D, E, report
    from contactaudit.history import HistoryStore
    """
)


def run_script(body: str, env_key: str = KEY) -> subprocess.Popen[bytes]:
    code = SCRIPT_HEADER.format(tests=str(Path(__file__).parent)) + textwrap.dedent(body)
    env = {"CONTACTAUDIT_HASH_KEY": env_key, "PATH": "/usr/bin:/bin"}
    return subprocess.Popen(
        [sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


def test_killed_process_mid_transaction_leaves_previous_state(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite"
    with HistoryStore(db) as store:
        first = record(store, report(A, B))
    proc = run_script(
        f"""
        def die(self, dataset):
            os._exit(9)
        HistoryStore._prune = die
        with HistoryStore({str(db)!r}) as store:
            store.record_run(report(C, D, E), dataset="nightly", config_digest="x",
                             started_at=dt.datetime(2026, 11, 29), duration_seconds=1.0)
        """
    )
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 9, err.decode()
    with HistoryStore(db) as store:
        assert [r["run_id"] for r in store.list_runs()] == [first.run_id]
        after = record(store, report(A, B), night=1)
    assert (after.previous_run_id, after.persisting) == (first.run_id, 2)


def test_two_processes_writing_at_once_both_succeed(tmp_path: Path) -> None:
    db = tmp_path / "new-dir" / "h.sqlite"  # created by whichever process comes first
    body = f"""
        import pathlib, time
        ready = pathlib.Path({str(tmp_path)!r})
        (ready / f"ready-{{os.getpid()}}").touch()
        while len(list(ready.glob("ready-*"))) < 2:  # start writing together
            time.sleep(0.01)
        many = [A, B, C, D, E] * 400
        for night in range(5):
            with HistoryStore({str(db)!r}) as store:
                store.record_run(report(*many[night:]), dataset="shared", config_digest="x",
                                 started_at=dt.datetime(2026, 11, 28), duration_seconds=1.0)
        """
    procs = [run_script(body), run_script(body)]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()
    with HistoryStore(db) as store:
        runs = store.list_runs("shared")
        (mode,) = store._conn.execute("PRAGMA journal_mode").fetchone()
    assert mode == "wal"
    assert len(runs) == 10
    # Every run compared against the run committed just before it, never a stale one.
    ordered = sorted(runs, key=lambda r: r["run_id"])
    assert [r["previous_run_id"] for r in ordered[1:]] == [r["run_id"] for r in ordered[:-1]]


class _RefusingConnection:
    """A connection whose first ``refusals`` switches to WAL fail as SQLite's do when
    another process is switching the same new file."""

    def __init__(self, conn: sqlite3.Connection, refusals: int, error: str) -> None:
        self.conn, self.refusals, self.error, self.tries = conn, refusals, error, 0

    def execute(self, sql: str, *args: object) -> sqlite3.Cursor:
        if sql == "PRAGMA journal_mode = WAL":
            self.tries += 1
            if self.tries <= self.refusals:
                raise sqlite3.OperationalError(self.error)
        return self.conn.execute(sql, *args)


def test_switching_to_wal_waits_out_another_process_doing_the_same(tmp_path: Path) -> None:
    with HistoryStore(tmp_path / "h.sqlite") as store:
        refusing = _RefusingConnection(store._conn, 3, "database is locked")
        store._conn = refusing  # type: ignore[assignment]
        store._use_wal()
        store._conn = refusing.conn
    assert refusing.tries == 4


def test_other_errors_switching_to_wal_are_not_retried(tmp_path: Path) -> None:
    with HistoryStore(tmp_path / "h.sqlite") as store:
        refusing = _RefusingConnection(store._conn, 1, "disk I/O error")
        store._conn = refusing  # type: ignore[assignment]
        with pytest.raises(sqlite3.OperationalError, match="disk I/O"):
            store._use_wal()
        store._conn = refusing.conn
    assert refusing.tries == 1


def test_newer_schema_version_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite"
    with HistoryStore(db) as store:
        record(store, report(A))
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    with pytest.raises(HistoryError) as info:
        HistoryStore(db)
    message = str(info.value)
    assert str(db) in message and "newer contactaudit" in message and "Upgrade" in message


NOT_HISTORY = [
    b"borrower_id,phone\nB1,13800138000\n" * 200,  # a CSV given by mistake
    b"SQLite format 3\x00" + b"\xff" * 200,  # a damaged database
]


@pytest.mark.parametrize("content", NOT_HISTORY)
def test_file_that_is_not_a_history_database_is_refused(tmp_path: Path, content: bytes) -> None:
    db = tmp_path / "h.sqlite"
    db.write_bytes(content)
    with pytest.raises(HistoryError, match="is not a contactaudit history database") as info:
        HistoryStore(db)
    assert str(db) in str(info.value) and "13800138000" not in str(info.value)
    assert db.read_bytes() == content


def test_other_applications_sqlite_database_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "app.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE users (name TEXT)")
    with pytest.raises(HistoryError, match="not a contactaudit history"):
        HistoryStore(db)


def test_reading_a_missing_history_does_not_create_it(tmp_path: Path) -> None:
    db = tmp_path / "missing.sqlite"
    with pytest.raises(HistoryError, match="does not exist"):
        HistoryStore(db, create=False)
    assert not db.exists()
    with pytest.raises(HistoryError, match="is a directory"):
        HistoryStore(tmp_path)


def test_old_fingerprints_are_pruned_but_runs_are_kept(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite"
    with HistoryStore(db, keep_fingerprints=2) as store:
        for night in range(4):
            result = record(store, report(A, B), night=night)
        record(store, report(A), dataset="other")
        assert result.persisting == 2
        assert len(store.list_runs()) == 5
    with sqlite3.connect(db) as conn:
        kept = [r[0] for r in conn.execute("SELECT run_id FROM fingerprints ORDER BY run_id")]
    assert kept == [3, 4, 5]


def test_schema_version_is_recorded_in_meta(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite"
    HistoryStore(db).close()
    with sqlite3.connect(db) as conn:
        version = conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
    assert version == (str(history.SCHEMA_VERSION),)
