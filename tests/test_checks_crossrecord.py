"""The cross-record families' shared machinery: lookups, related tuples, messages, frames."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from contactaudit.checks._crossrecord import (
    NO_KEY,
    RELATED_CAP,
    findings,
    key_index,
    pair_related,
    peer_related,
    per_count,
    refs,
)
from contactaudit.models import CHECK_COLUMNS
from normalised_frames import borrowers, rb, with_str_dtype

RNG = np.random.default_rng(7)


def reference_peers(groups: np.ndarray, rows: np.ndarray, members: list, cap: int) -> list:
    """Each member's group, other members in row order, at most ``cap`` — one by one."""
    out = []
    for i in range(len(groups)):
        peers = sorted(
            (rows[j], j) for j in range(len(groups)) if groups[j] == groups[i] and j != i
        )
        out.append(tuple(members[j] for _, j in peers[:cap]))
    return out


@pytest.mark.parametrize("cap", [1, 3, RELATED_CAP])
def test_peer_related_matches_member_by_member_lists_for_every_group_size(cap: int) -> None:
    # Many pairs and triples (built a group size at a time), a few big groups (built
    # one by one) and groups larger than the cap.
    groups = np.concatenate(
        [np.repeat(np.arange(40), 2), np.repeat(np.arange(40, 70), 3), np.full(60, 70)]
    )
    RNG.shuffle(groups)
    rows = RNG.integers(2, 500, len(groups))
    members = [("borrowers", int(r), f"B{i}") for i, r in enumerate(rows)]
    got = peer_related(groups, rows, np.fromiter(members, dtype=object, count=len(members)), cap)
    assert list(got) == reference_peers(groups, rows, members, cap)


def test_pair_related_lists_each_owners_targets_in_row_order_up_to_the_cap() -> None:
    owners = RNG.integers(0, 30, 400)
    targets = RNG.integers(0, 50, 400)
    member_rows = RNG.permutation(50) + 2
    members = [("borrowers", int(r), None) for r in member_rows]
    got = pair_related(
        owners, targets, np.fromiter(members, dtype=object, count=50), member_rows, 31, cap=4
    )
    for owner in range(31):
        listed = sorted(member_rows[targets[owners == owner]].tolist())[:4]
        assert got[owner] == tuple(("borrowers", r, None) for r in listed)


@pytest.mark.parametrize("n_uniques", [0, 1, 5_000])
def test_key_index_agrees_with_a_hash_lookup(n_uniques: int) -> None:
    uniques = np.unique(RNG.integers(8613900000000, 8613999999999, n_uniques))
    keys = np.concatenate([RNG.choice(uniques, 3_000) if n_uniques else [], [NO_KEY] * 50])
    keys = np.concatenate([keys, RNG.integers(8613900000000, 8613999999999, 20_000)])
    keys = keys.astype(np.int64)
    expected = pd.Index(uniques).get_indexer(keys) if n_uniques else np.full(len(keys), -1)
    assert (key_index(uniques, keys) == expected).all()


@pytest.mark.parametrize("spread", [10, 10**9])  # a table of counts, or a sort
def test_per_count_formats_once_per_combination_in_either_way(spread: int) -> None:
    a = RNG.integers(1, spread, 1_000)
    b = RNG.integers(0, 4, 1_000)
    calls: list[tuple[int, int]] = []

    def make(x: int, y: int) -> str:
        calls.append((x, y))
        return f"{x}/{y}"

    got = per_count(make, a, b)
    assert got.tolist() == [f"{x}/{y}" for x, y in zip(a.tolist(), b.tolist(), strict=True)]
    assert len(calls) == len(set(zip(a.tolist(), b.tolist(), strict=True)))


def test_findings_frame_keeps_text_as_arrow_codes_as_categoricals_and_related_as_tuples() -> None:
    table = with_str_dtype(
        borrowers(
            {"borrower_id": "B1", "phone": "+8613912345611"},
            {"borrower_id": None, "phone": None},
        )
    )
    positions = np.array([0, 1])
    related = np.empty(2, dtype=object)
    related[:] = [tuple(refs(table, np.array([1]), "borrowers")), ()]
    out = findings(table, positions, "c", "borrowers", "m", related)
    assert tuple(out.columns) == CHECK_COLUMNS
    assert [str(out[c].dtype) for c in ("record_id", "borrower_id", "e164", "raw")] == ["str"] * 4
    assert out["row"].dtype == "int64"
    coded = ("code", "source", "column", "message")
    assert all(isinstance(out[c].dtype, pd.CategoricalDtype) for c in coded)
    assert [out[c].tolist() for c in coded] == [
        ["c", "c"],
        ["borrowers", "borrowers"],
        ["phone", "phone"],
        ["m", "m"],
    ]
    assert out["record_id"].tolist()[0] == "B1" and pd.isna(out["borrower_id"].iloc[1])
    # Plain tuples (which the collector stops tracking), equal to Related.
    entry = out["related"].iloc[0][0]
    assert type(entry) is tuple and entry == rb(3, None)
