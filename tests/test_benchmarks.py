"""Smoke tests that keep the benchmark scripts (benchmarks/) runnable."""

from __future__ import annotations

import csv
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "benchmarks"


def _module(name: str):
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bench")
    _module("generate").generate(400, 3, out, seed=11)
    return out


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_generator_writes_the_four_exports_with_canonical_headers(generated: Path) -> None:
    borrowers = _rows(generated / "borrowers.csv")
    contacts = _rows(generated / "contacts.csv")
    assert len(borrowers) == 400 and len(contacts) == 1200
    assert list(borrowers[0]) == [
        "borrower_id",
        "phone",
        "name",
        "country",
        "phone_verified_at",
        "consent_at",
        "status",
        "sms_opt_out",
    ]
    assert list(contacts[0]) == [
        "contact_id",
        "borrower_id",
        "phone",
        "name",
        "relationship",
        "verified_at",
    ]
    assert list(_rows(generated / "reassigned.csv")[0]) == ["phone", "disconnected_at"]
    assert list(_rows(generated / "opt_outs.csv")[0]) == ["phone", "opted_out_at"]


def test_generator_is_deterministic_for_a_seed(generated: Path, tmp_path: Path) -> None:
    _module("generate").generate(400, 3, tmp_path, seed=11)
    for name in ("borrowers", "contacts", "reassigned", "opt_outs"):
        assert (tmp_path / f"{name}.csv").read_bytes() == (generated / f"{name}.csv").read_bytes()


def test_generator_shares_about_a_tenth_of_numbers(tmp_path: Path) -> None:
    manifest = _module("generate").generate(5000, 3, tmp_path, seed=3)
    assert 0.07 < manifest["shared_cell_share"] < 0.13
    phones = [r["phone"] for r in _rows(tmp_path / "contacts.csv")]
    plain = sum(p.isdigit() and len(p) == 11 and p.startswith("1") for p in phones)
    assert 0.75 < plain / len(phones) < 0.9  # mostly plain mobiles, the rest messy


def test_naive_reference_writes_findings(generated: Path, tmp_path: Path) -> None:
    out = tmp_path / "naive.csv"
    files = [
        str(generated / f"{n}.csv") for n in ("borrowers", "contacts", "reassigned", "opt_outs")
    ]
    done = subprocess.run(
        [sys.executable, str(BENCH / "naive_reference.py"), *files, "--out", str(out)],
        capture_output=True,
        text=True,
        check=True,
    )
    codes = {r["code"] for r in _rows(out)}
    assert {"phone-missing", "phone-shared-by-borrowers", "contact-is-other-borrower"} <= codes
    assert f"findings={len(_rows(out))}" in done.stdout


def test_findings_count_is_read_from_the_report_head(tmp_path: Path) -> None:
    report = tmp_path / "r.json"
    report.write_text(json.dumps({"schema_version": 1, "summary": {"findings": 42}}, indent=2))
    assert _module("run").findings_in_json(report) == 42
