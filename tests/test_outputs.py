from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from contactaudit import outputs
from contactaudit.errors import ContactAuditError
from contactaudit.outputs import refuse_inputs_as_outputs, write_atomic, write_atomic_chunks


def test_write_atomic_replaces_the_file_and_leaves_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    target.write_text("old", encoding="utf-8")
    write_atomic(target, "new")
    assert target.read_text(encoding="utf-8") == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]


def test_write_atomic_sets_the_requested_mode(tmp_path: Path) -> None:
    target = tmp_path / "suppression.csv"
    write_atomic(target, b"phone_e164,codes\n", mode=0o600)
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600


def test_write_atomic_into_a_missing_directory_names_it(tmp_path: Path) -> None:
    with pytest.raises(ContactAuditError, match=r"does not exist"):
        write_atomic(tmp_path / "nope" / "r.json", "x")


def test_write_atomic_chunks_writes_text_and_bytes_pieces_in_order(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    write_atomic_chunks(target, iter(["{", b'"a": ', '"名"', b"}"]), mode=0o640)
    assert target.read_text(encoding="utf-8") == '{"a": "名"}'
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]


def test_write_atomic_chunks_that_fail_midway_keep_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    target.write_text("old", encoding="utf-8")

    def pieces() -> Iterator[str]:
        yield "half a report"
        raise ValueError("renderer bug")

    with pytest.raises(ValueError, match="renderer bug"):
        write_atomic_chunks(target, pieces())
    assert target.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]


def test_a_large_output_is_flushed_to_disk_while_it_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(outputs._EarlyFlush, "EVERY", 4)
    synced: list[int] = []
    real = getattr(os, "fdatasync", os.fsync)
    monkeypatch.setattr(os, "fdatasync", lambda fd: (synced.append(fd), real(fd))[1], raising=False)
    target = tmp_path / "report.json"
    write_atomic_chunks(target, iter(["abcd", b"efgh", "ijkl", "m"]))
    assert target.read_text(encoding="utf-8") == "abcdefghijklm"
    assert synced  # at least one early flush ran (wake-ups may coalesce)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]


def test_a_failed_early_flush_fails_the_write_and_keeps_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(outputs._EarlyFlush, "EVERY", 1)

    def broken(fd: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "fdatasync", broken, raising=False)
    monkeypatch.setattr(os, "fsync", lambda fd: None)  # only the early flush reports it
    target = tmp_path / "report.json"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(ContactAuditError, match=r"Cannot write .*Input/output error"):
        write_atomic_chunks(target, iter(["abc", "def"]))
    assert target.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]


def test_an_output_that_is_an_input_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "borrowers.csv"
    source.write_text("borrower_id,phone\n", encoding="utf-8")
    with pytest.raises(ContactAuditError, match=r"also an input"):
        refuse_inputs_as_outputs([tmp_path / "." / "borrowers.csv"], [source])


def test_distinct_outputs_are_accepted(tmp_path: Path) -> None:
    refuse_inputs_as_outputs([tmp_path / "out.json", None], [tmp_path / "in.csv", "-", None])
