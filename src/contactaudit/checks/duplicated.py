"""Duplicated family: one number or one id where there should be one owner.

Choices where the contract is silent:

- Only usable numbers match (placeholders and invalid numbers never count as shared).
- A row without a borrower_id is its own unknown borrower: it never equals another
  row's id, so it can share a number with a known borrower, but it is never part of a
  borrower-duplicate-id group.
- borrower-duplicate-id compares phones as the usable E.164 number, else the folded raw
  cell; an empty cell and a null token are the same "no phone". Rows of one id that all
  carry the same phone (exact duplicates) are not a finding: a text still reaches the
  same number. When the id has two different phones, every row of the id is a finding,
  related to all the other rows of the id.
- contact-is-borrower-phone counts every relationship that is not ``self`` (blank and
  unknown relationships included, and every contact when the export has no
  relationship column).
- contact-is-other-borrower applies whatever the relationship: a text to that number
  reaches another customer.
- ``related`` lists at most ``RELATED_CAP`` (50) records in row order; a fan-out message
  gives the full number of borrowers and rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from contactaudit.checks._crossrecord import (
    NO_KEY,
    RELATED_CAP,
    RELATIONSHIP_SELF,
    arrow_text,
    at,
    code_counts,
    concat_findings,
    counted,
    dense,
    findings,
    gc_paused,
    ids_at,
    number_keys,
    pair_related,
    peer_related,
    per_count,
    plural,
    refs,
    relationship_kinds,
    shared_codes,
    sorted_unique,
    text_codes,
    unknowns_apart,
)
from contactaudit.config import AuditConfig
from contactaudit.vocab import NULL_TOKENS, fold_text


@gc_paused
def check_duplicated(
    borrowers: pd.DataFrame, contacts: pd.DataFrame | None, config: AuditConfig
) -> pd.DataFrame:
    """Findings of the duplicated family over normalised borrowers and contacts."""
    if contacts is not None and contacts.empty:
        contacts = None
    bkey, ckey = number_keys(borrowers, contacts)
    (bcode, ccode), n = shared_codes(bkey, ckey)
    bcount, ccount = code_counts(bcode, n), code_counts(ccode, n)
    bid, cid = _borrower_ids(borrowers, contacts, ccode)
    parts = [
        phone_shared_by_borrowers(borrowers, bcode, bcount, bid),
        borrower_duplicate_id(borrowers, bkey, bid),
    ]
    if contacts is not None:
        parts.extend(
            contacts_matching_borrowers(
                borrowers, contacts, bcode, ccode, bcount, ccount, bid, cid, config
            )
        )
        parts.extend(contact_groups(contacts, ccode, ccount, cid, config))
    return concat_findings(parts)


def _borrower_ids(
    borrowers: pd.DataFrame, contacts: pd.DataFrame | None, ccode: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``text_codes`` of every borrower's borrower_id, and of the contacts' where their
    number is shared (the only contacts any step reads; ``NO_KEY`` elsewhere).

    One hash table for all the steps: encoding each step's ids apart built one table per
    step, and hashing ids costs more than anything else these steps do.
    """
    if contacts is None:
        (bid,) = text_codes([arrow_text(borrowers["borrower_id"])])
        return bid, np.zeros(0, dtype=np.int64)
    shared = np.flatnonzero(ccode != NO_KEY)
    bid, shared_cid = text_codes([arrow_text(borrowers["borrower_id"]), ids_at(contacts, shared)])
    cid = np.full(len(contacts), NO_KEY, dtype=np.int64)
    cid[shared] = shared_cid
    return bid, cid


def phone_shared_by_borrowers(
    borrowers: pd.DataFrame, bcode: np.ndarray, bcount: np.ndarray, bid: np.ndarray
) -> pd.DataFrame:
    """phone-shared-by-borrowers: one number is the phone of two or more borrower_ids."""
    cand = np.flatnonzero(at(bcount >= 2, bcode))
    if len(cand) == 0:
        return concat_findings([])
    key, _ = dense(bcode[cand])
    (ids,) = unknowns_apart(bid[cand])
    distinct = _distinct_per_group(key, ids, int(ids.max()) + 1)
    hit = np.flatnonzero(distinct >= 2)
    pos = cand[hit]
    members = refs(borrowers, pos, "borrowers")
    related = peer_related(key[hit], borrowers["_row"].to_numpy()[pos], members)
    message = counted("number is also the phone of ", distinct[hit] - 1, "other borrower")
    return findings(borrowers, pos, "phone-shared-by-borrowers", "borrowers", message, related)


def _distinct_per_group(group: np.ndarray, value: np.ndarray, width: int) -> np.ndarray:
    """For each row, how many distinct values its group holds (``group`` and ``value``
    are dense codes, every value below ``width``)."""
    pairs = sorted_unique(group * width + value)
    return np.bincount(pairs // width, minlength=int(group.max()) + 1)[group]


def borrower_duplicate_id(
    borrowers: pd.DataFrame, bkey: np.ndarray, bid: np.ndarray
) -> pd.DataFrame:
    """borrower-duplicate-id: one borrower_id on several rows with different phones."""
    known = bid != NO_KEY
    if not known.any():
        return concat_findings([])
    rows_per_id = np.bincount(bid[known])
    cand = np.flatnonzero(known & (rows_per_id[np.where(known, bid, 0)] >= 2))
    if len(cand) == 0:
        return concat_findings([])
    phone = _phone_identity(borrowers["raw"].iloc[cand], bkey[cand])
    ident, _ = dense(bid[cand])
    phone_code, width = dense(phone)
    phones = _distinct_per_group(ident, phone_code, width)
    hit = np.flatnonzero(phones >= 2)
    pos = cand[hit]
    members = refs(borrowers, pos, "borrowers")
    related = peer_related(ident[hit], borrowers["_row"].to_numpy()[pos], members)
    rows = np.bincount(ident)[ident[hit]]
    message = per_count(
        lambda r, p: f"borrower_id is on {r} rows with {p} different phones", rows, phones[hit]
    )
    return findings(
        borrowers, pos, "borrower-duplicate-id", "borrowers", message, related, column="borrower_id"
    )


def _phone_identity(raw: pd.Series, key: np.ndarray) -> np.ndarray:
    """The usable number's key, else a negative code of the folded raw cell."""
    codes, uniques = pd.factorize(raw)
    folded = [fold_text(str(u)) for u in uniques]
    # Every spelling of "no phone" (empty, null, 无 …) is one value: -1.
    names = {f: i for i, f in enumerate(dict.fromkeys(f for f in folded if f not in NULL_TOKENS))}
    lookup = np.array([-(names[f] + 2) if f in names else -1 for f in folded] + [-1])
    return np.where(key != NO_KEY, key, lookup[codes])


def contacts_matching_borrowers(
    borrowers: pd.DataFrame,
    contacts: pd.DataFrame,
    bcode: np.ndarray,
    ccode: np.ndarray,
    bcount: np.ndarray,
    ccount: np.ndarray,
    bid: np.ndarray,
    cid: np.ndarray,
    config: AuditConfig,
) -> list[pd.DataFrame]:
    """contact-is-borrower-phone and contact-is-other-borrower."""
    cpos = np.flatnonzero(at(bcount > 0, ccode))
    if len(cpos) == 0:
        return []
    bpos = np.flatnonzero(at(ccount > 0, bcode))
    pairs = pd.DataFrame({"c": np.arange(len(cpos)), "key": ccode[cpos]}).merge(
        pd.DataFrame({"b": np.arange(len(bpos)), "key": bcode[bpos]}), on="key"
    )
    pc_, pb = pairs["c"].to_numpy(), pairs["b"].to_numpy()
    cbid, bbid = unknowns_apart(cid[cpos], bid[bpos])
    same = cbid[pc_] == bbid[pb]
    if "relationship" in contacts:
        kinds = relationship_kinds(contacts["relationship"].iloc[cpos], config)
        not_self = kinds != RELATIONSHIP_SELF
    else:
        not_self = np.ones(len(cpos), dtype=bool)
    members = refs(borrowers, bpos, "borrowers")
    member_rows = borrowers["_row"].to_numpy()[bpos]

    own = same & not_self[pc_]
    owners, owner_of_pair = np.unique(pc_[own], return_inverse=True)
    is_own = findings(
        contacts,
        cpos[owners],
        "contact-is-borrower-phone",
        "contacts",
        "contact's number is the listing borrower's own phone",
        pair_related(owner_of_pair, pb[own], members, member_rows, len(owners)),
    )

    other = ~same
    owners, owner_of_pair = np.unique(pc_[other], return_inverse=True)
    width = int(bbid.max()) + 1
    distinct = sorted_unique(owner_of_pair * width + bbid[pb[other]])
    n_other = np.bincount(distinct // width, minlength=len(owners))
    is_other = findings(
        contacts,
        cpos[owners],
        "contact-is-other-borrower",
        "contacts",
        counted("contact's number is the phone of ", n_other, "other borrower"),
        pair_related(owner_of_pair, pb[other], members, member_rows, len(owners)),
    )
    return [is_own, is_other]


def contact_groups(
    contacts: pd.DataFrame,
    ccode: np.ndarray,
    ccount: np.ndarray,
    cid: np.ndarray,
    config: AuditConfig,
) -> list[pd.DataFrame]:
    """contact-shared-by-borrowers (fan-out) and contact-duplicate."""
    cand = np.flatnonzero(at(ccount >= 2, ccode))
    if len(cand) == 0:
        return []
    key, n_keys = dense(ccode[cand])
    (bid,) = unknowns_apart(cid[cand])
    width = int(bid.max()) + 1
    uniques, pair = np.unique(key * width + bid, return_inverse=True)
    pair = pair.reshape(-1)
    rows_all = contacts["_row"].to_numpy()[cand]

    rows_per_pair = np.bincount(pair)[pair]
    dup = np.flatnonzero(rows_per_pair >= 2)
    duplicate = findings(
        contacts,
        cand[dup],
        "contact-duplicate",
        "contacts",
        counted("borrower lists this number on ", rows_per_pair[dup], "contact row"),
        peer_related(pair[dup], rows_all[dup], refs(contacts, cand[dup], "contacts")),
    )

    borrowers_per_key = np.bincount(uniques // width, minlength=n_keys)[key]
    fan = np.flatnonzero(borrowers_per_key >= config.contact_fanout_threshold)
    rows_per_key = np.bincount(key)[key[fan]]
    message = per_count(
        lambda listers, rows: (
            f"number is listed as a contact by {plural(listers, 'borrower')} on "
            f"{plural(rows, 'row')}"
            + (f"; related lists the first {RELATED_CAP}" if rows - 1 > RELATED_CAP else "")
        ),
        borrowers_per_key[fan],
        rows_per_key,
    )
    fanout = findings(
        contacts,
        cand[fan],
        "contact-shared-by-borrowers",
        "contacts",
        message,
        peer_related(key[fan], rows_all[fan], refs(contacts, cand[fan], "contacts")),
    )
    return [fanout, duplicate]
