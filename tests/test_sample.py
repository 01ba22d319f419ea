import csv
import datetime as dt
from collections import Counter
from pathlib import Path

import pandas as pd
import phonenumbers
import pytest

from contactaudit import catalog, sample
from contactaudit.errors import ContactAuditError
from contactaudit.sample import (
    COLUMNS,
    DEFAULT_AS_OF,
    MIN_FULL_COVERAGE,
    SampleManifest,
    generate_sample,
)
from contactaudit.vocab import RELATIONSHIP_WORDS, fold_text

DATA_FILES = ("borrowers", "contacts", "reassigned", "opt_outs", "campaign")


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> SampleManifest:
    return generate_sample(tmp_path_factory.mktemp("sample"), borrowers=200, seed=7)


def _read_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def test_same_seed_writes_identical_bytes(tmp_path: Path) -> None:
    first = generate_sample(tmp_path / "a", borrowers=200, seed=11)
    second = generate_sample(tmp_path / "b", borrowers=200, seed=11)
    assert sorted(first.paths) == sorted(second.paths)
    for name, path in first.paths.items():
        other = second.paths[name]
        if name == "readme":  # names its own directory
            continue
        assert path.read_bytes() == other.read_bytes(), name


def test_different_seed_gives_different_data(tmp_path: Path) -> None:
    first = generate_sample(tmp_path / "a", borrowers=100, seed=1)
    second = generate_sample(tmp_path / "b", borrowers=100, seed=2)
    assert first.paths["borrowers"].read_bytes() != second.paths["borrowers"].read_bytes()


def test_as_of_only_places_dates(tmp_path: Path) -> None:
    base = generate_sample(tmp_path / "a", borrowers=150, seed=3)
    later = generate_sample(tmp_path / "b", borrowers=150, seed=3, as_of=dt.date(2031, 2, 28))
    assert base.expected() == later.expected()
    assert base.paths["borrowers"].read_bytes() != later.paths["borrowers"].read_bytes()
    assert "--as-of 2031-02-28" in later.paths["readme"].read_text(encoding="utf-8")


def test_every_catalogue_code_is_in_truth(manifest: SampleManifest) -> None:
    assert set(manifest.truth["code"]) == set(catalog.CATALOG)


@pytest.mark.parametrize("borrowers", [MIN_FULL_COVERAGE, 60, 97])
@pytest.mark.parametrize("seed", [0, 7])
def test_small_samples_still_cover_every_code(borrowers: int, seed: int) -> None:
    data = sample._build(borrowers, seed, DEFAULT_AS_OF)
    assert {code for _, _, code in sample._oracle(data)} == set(catalog.CATALOG)


@pytest.mark.parametrize("borrowers", [10, 25, 200, 1200])
@pytest.mark.parametrize("seed", [0, 5, 7])
def test_truth_matches_the_defects_each_scenario_meant(borrowers: int, seed: int) -> None:
    # The oracle applies the contract's rules; every record also states what its
    # scenario meant to cause. Agreement means no defect leaked into another.
    data = sample._build(borrowers, seed, DEFAULT_AS_OF)
    assert len(data.borrowers) == borrowers
    assert sample._oracle(data) == data.intended()


def test_truth_rows_point_at_existing_rows(manifest: SampleManifest) -> None:
    sizes = {
        source: len(_read_rows(manifest.paths[source])) - 1
        for source in ("borrowers", "contacts", "campaign")
    }
    for source, row in zip(manifest.truth["source"], manifest.truth["row"], strict=True):
        assert 2 <= row <= sizes[source] + 1, (source, row)
    assert not manifest.truth.duplicated().any()


def test_truth_csv_holds_the_manifest_truth(manifest: SampleManifest) -> None:
    written = pd.read_csv(manifest.paths["truth"], dtype=str, keep_default_na=False)
    assert list(written.columns) == ["source", "row", "code"]
    assert written.astype({"row": "int64"}).values.tolist() == manifest.truth.values.tolist()


def test_files_load_as_plain_csv_with_every_column_as_text(manifest: SampleManifest) -> None:
    for name in (*DATA_FILES, "truth"):
        path = manifest.paths[name]
        raw = path.read_bytes()
        assert not raw.startswith(b"\xef\xbb\xbf")
        raw.decode("utf-8")
        rows = _read_rows(path)
        assert tuple(rows[0]) == COLUMNS[name]
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        assert frame.values.tolist() == rows[1:], name
        assert all(len(row) == len(COLUMNS[name]) for row in rows)


def test_phone_cells_keep_their_spreadsheet_text(manifest: SampleManifest) -> None:
    # Float artefacts and leading zeros must survive as written, not as numbers.
    phones = [row[3] for row in _read_rows(manifest.paths["contacts"])[1:]]
    phones += [row[2] for row in _read_rows(manifest.paths["borrowers"])[1:]]
    assert any(p.endswith(".0") or "E" in p.upper() for p in phones)
    assert any(p.startswith("0") and len(p) > 3 for p in phones)


def test_clean_numbers_are_valid_mobiles_without_placeholder_patterns() -> None:
    data = sample._build(400, 7, DEFAULT_AS_OF)
    cells = [r.phone for r in data.borrowers] + [c.phone for c in data.contacts]
    clean = [p for p in cells if p.malformed is None and p.region == "CN"]
    assert len(clean) > 400
    for phone in clean:
        number = phonenumbers.parse(phone.raw, "CN")
        assert phonenumbers.is_valid_number(number)
        assert phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.MOBILE
        assert phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) == (
            phone.e164
        )
        assert sample._runs_ok(phone.e164[3:])


def test_usable_decorated_cells_parse_to_the_recorded_number() -> None:
    data = sample._build(600, 7, DEFAULT_AS_OF)
    cells = [r.phone for r in data.borrowers] + [c.phone for c in data.contacts]
    checked = Counter()
    for phone in cells:
        if phone.malformed in ("phone-nonstandard-format", "phone-not-mobile"):
            number = phonenumbers.parse(phone.raw, "CN")
            assert phonenumbers.is_valid_number(number)
            assert phonenumbers.format_number(number, 0) == phone.e164
            checked[phone.malformed] += 1
    assert checked["phone-nonstandard-format"] and checked["phone-not-mobile"]


def test_untouched_records_are_clean() -> None:
    data = sample._build(600, 7, DEFAULT_AS_OF)
    holders: dict[str, set[str]] = {}
    for r in data.borrowers:
        if r.phone.e164:
            holders.setdefault(r.phone.e164, set()).add(r.borrower_id)
    for r in data.borrowers:
        if not r.intent and r.phone.e164:
            assert holders[r.phone.e164] == {r.borrower_id}
    listed = Counter(c.phone.e164 for c in data.contacts)
    for c in data.contacts:
        if c.intent:
            continue
        assert fold_text(c.relationship) in RELATIONSHIP_WORDS
        if c.phone.e164 in holders:  # only a self contact repeats a borrower's number
            assert c.rel == "self" and holders[c.phone.e164] == {c.borrower_id}
        elif listed[c.phone.e164] > 1:  # a two-borrower trap with one name
            assert len({x.name for x in data.contacts if x.phone.e164 == c.phone.e164}) <= 2


def test_traps_sit_on_records_without_findings() -> None:
    data = sample._build(1500, 7, DEFAULT_AS_OF)
    truth = sample._oracle(data)
    flagged = {(source, row) for source, row, _ in truth}
    as_of = DEFAULT_AS_OF

    def days(borrower: sample._Borrower) -> int | None:
        dates = [d for d in (borrower.verified, borrower.consent) if d]
        return (as_of - max(dates)).days if dates else None

    exactly_180 = [r for r in data.borrowers if days(r) == 180]
    assert exactly_180 and all(("borrowers", r.row) not in flagged for r in exactly_180)
    exactly_365 = [c for c in data.contacts if c.verified and (as_of - c.verified).days == 365]
    assert exactly_365 and all(("contacts", c.row) not in flagged for c in exactly_365)
    edges = [
        m for m in data.campaign if m.local in (dt.time(8, 0), dt.time(20, 59), dt.time(20, 59, 59))
    ]
    assert edges and all(("campaign", m.row, "recipient-outside-hours") not in truth for m in edges)
    late = [m for m in data.campaign if m.local in (dt.time(21, 0), dt.time(7, 59))]
    known = {r.borrower_id for r in data.borrowers}
    assert any(
        ("campaign", m.row, "recipient-outside-hours") in truth
        for m in late
        if m.borrower_id in known
    )
    # A +1 number on a CN row is usable: region-mismatch only.
    us_on_cn = [r for r in data.borrowers if r.country == "CN" and r.phone.region == "US"]
    assert us_on_cn and all(
        {code for s, row, code in truth if s == "borrowers" and row == r.row} == {"region-mismatch"}
        for r in us_on_cn
    )


def test_unknown_borrower_messages_get_nothing_else() -> None:
    data = sample._build(1500, 7, DEFAULT_AS_OF)
    truth = sample._oracle(data)
    known = {r.borrower_id for r in data.borrowers}
    unknown_rows = {m.row for m in data.campaign if m.borrower_id not in known}
    assert unknown_rows
    for source, row, code in truth:
        if source == "campaign" and row in unknown_rows:
            assert code == "recipient-borrower-unknown"


def test_readme_says_the_files_are_synthetic(tmp_path: Path) -> None:
    manifest = generate_sample(tmp_path / "sample_data", borrowers=60, seed=7)
    text = manifest.paths["readme"].read_text(encoding="utf-8")
    assert "synthetic" in text
    assert "contactaudit sample sample_data --borrowers 60 --seed 7" in text


def test_expected_is_the_truth_as_tuples(manifest: SampleManifest) -> None:
    expected = manifest.expected()
    assert len(expected) == len(manifest.truth)
    assert all(isinstance(row, int) for _, row, _ in expected)


def test_unwritable_directory_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory", encoding="utf-8")
    with pytest.raises(ContactAuditError, match="Cannot create the sample directory"):
        generate_sample(blocker / "sample", borrowers=20)
