"""run_audit loads its inputs two at a time, yet reports as if one after another."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from contactaudit.audit import AuditInputs, load_inputs, run_audit
from contactaudit.config import AuditConfig
from contactaudit.errors import ColumnError, InputError

BORROWERS = "borrower_id,phone,phone_verified_at\nB1,13912345678,2026-10-01\n"
CONTACTS = "contact_id,borrower_id,phone,relationship\nC1,B1,13987654321,母亲\n"


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_inputs_load_in_order_and_announce_themselves_in_order(tmp_path: Path) -> None:
    seen: list[str] = []
    loaded = load_inputs(
        AuditInputs(
            borrowers=_write(tmp_path, "b.csv", BORROWERS),
            contacts=_write(tmp_path, "c.csv", CONTACTS),
            opt_outs=_write(tmp_path, "o.csv", "phone\n13900000000\n"),
        ),
        AuditConfig(),
        seen.append,
    )
    assert list(loaded) == ["borrowers", "contacts", "opt_outs"]
    assert seen == ["loading borrowers", "loading contacts", "loading opt_outs"]
    assert loaded["contacts"].frame["_record_id"].tolist() == ["C1"]


def test_when_two_inputs_are_broken_the_first_is_reported(tmp_path: Path) -> None:
    borrowers = _write(tmp_path, "b.csv", "borrower_id,name\nB1,x\n")  # no phone column
    contacts = tmp_path / "missing.csv"  # not there at all
    with pytest.raises(ColumnError) as info:
        run_audit(
            AuditInputs(borrowers=borrowers, contacts=contacts),
            AuditConfig(),
            as_of=dt.date(2026, 11, 28),
        )
    assert "b.csv" in str(info.value)


def test_a_broken_later_input_is_reported_after_good_ones(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        load_inputs(
            AuditInputs(
                borrowers=_write(tmp_path, "b.csv", BORROWERS),
                contacts=tmp_path / "missing.csv",
            ),
            AuditConfig(),
            lambda _: None,
        )
    assert "missing.csv" in str(info.value)
