"""Mismatched family: records that contradict each other or the vocabulary.

Choices where the contract is silent:

- self-contact-mismatch needs a usable contact number and at least one usable phone
  of that borrower_id; it fires when the contact differs from every one of them.
  ``related`` holds those borrower rows.
- name-conflict compares names after ``fold_text``; blanks, null tokens and role words
  (``vocab.ROLE_WORDS`` + ``role_words``) are not names. A role word with a surname
  (王先生, 李女士: a one- or two-character CJK remainder before the role word; or
  "Mr Smith": a role word as the first of several words) is not a name either — it
  cannot be told apart from the full name of the same person, so comparing it would
  only raise false conflicts. Findings sit on the rows carrying a real name; each
  lists the other named rows of the number. Many borrowers listing one contact under
  one name is fan-out (duplicated family), not a conflict.
- relationship-unknown is reported only when the contacts export has a relationship
  column (without one there is nothing to review). It concerns the relationship cell,
  so it does not depend on the phone being usable; its column is ``relationship``.
- region-mismatch compares the number's region with the row's ``country`` on usable
  numbers, for any table that has a country column.
- contact-orphan concerns the borrower_id (its column); a contact without a
  borrower_id is an orphan too. It does not depend on the phone.
"""

from __future__ import annotations

import unicodedata
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from contactaudit.checks._crossrecord import (
    NO_KEY,
    RELATIONSHIP_BLANK,
    RELATIONSHIP_SELF,
    RELATIONSHIP_UNKNOWN,
    arrow_text,
    concat_findings,
    counted,
    dense,
    findings,
    gc_paused,
    number_keys,
    pair_related,
    peer_related,
    refs,
    relationship_kinds,
    shared_codes,
    sorted_unique,
    text_codes,
    usable_mask,
)
from contactaudit.config import AuditConfig
from contactaudit.vocab import NULL_TOKENS, ROLE_WORDS, fold_text


@gc_paused
def check_mismatched(
    borrowers: pd.DataFrame, contacts: pd.DataFrame | None, config: AuditConfig
) -> pd.DataFrame:
    """Findings of the mismatched family over normalised borrowers and contacts."""
    parts = [region_mismatch(borrowers, "borrowers")]
    if contacts is not None and len(contacts):
        # Each id column is converted to Arrow once and shared by the checks below.
        ids = _BorrowerIds(
            arrow_text(borrowers["borrower_id"]), arrow_text(contacts["borrower_id"])
        )
        parts.append(region_mismatch(contacts, "contacts"))
        parts.append(contact_orphan(contacts, ids))
        if "relationship" in contacts:
            kinds = relationship_kinds(contacts["relationship"], config)
            parts.append(relationship_unknown(contacts, kinds))
            parts.append(self_contact_mismatch(borrowers, contacts, kinds, ids))
        parts.append(name_conflict(contacts, config))
    return concat_findings(parts)


class _BorrowerIds(NamedTuple):
    borrowers: pa.Array
    contacts: pa.Array


def self_contact_mismatch(
    borrowers: pd.DataFrame, contacts: pd.DataFrame, kinds: np.ndarray, ids: _BorrowerIds
) -> pd.DataFrame:
    """self-contact-mismatch: a 'self' contact whose number is none of the borrower's."""
    spos = np.flatnonzero((kinds == RELATIONSHIP_SELF) & usable_mask(contacts))
    if len(spos) == 0:
        return concat_findings([])
    self_ids = ids.contacts.take(pa.array(spos))
    listed = pc.is_in(ids.borrowers, value_set=self_ids, skip_nulls=True)
    listed_mask = pc.fill_null(listed, False).to_numpy(zero_copy_only=False)
    bpos = np.flatnonzero(listed_mask & usable_mask(borrowers))
    if len(bpos) == 0:
        return concat_findings([])
    skey, bkey = number_keys(_phone_columns(contacts, spos), _phone_columns(borrowers, bpos))
    sid, bid = text_codes([self_ids, ids.borrowers.take(pa.array(bpos))])
    pairs = pd.DataFrame({"s": np.arange(len(spos)), "id": sid}).merge(
        pd.DataFrame({"b": np.arange(len(bpos)), "id": bid}), on="id"
    )
    ps, pb = pairs["s"].to_numpy(), pairs["b"].to_numpy()
    has_phone = np.zeros(len(spos), dtype=bool)
    has_phone[ps] = True
    matched = np.zeros(len(spos), dtype=bool)
    matched[ps[skey[ps] == bkey[pb]]] = True
    hit = has_phone & ~matched
    sel = hit[ps]
    owners, owner_of_pair = np.unique(ps[sel], return_inverse=True)
    related = pair_related(
        owner_of_pair,
        pb[sel],
        refs(borrowers, bpos, "borrowers"),
        borrowers["_row"].to_numpy()[bpos],
        len(owners),
    )
    return findings(
        contacts,
        spos[owners],
        "self-contact-mismatch",
        "contacts",
        "self contact's number differs from every phone of the borrower",
        related,
    )


def _phone_columns(frame: pd.DataFrame, positions: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame(
        {c: frame[c].take(positions) for c in ("e164", "usable", "e164_key") if c in frame}
    )


def name_conflict(contacts: pd.DataFrame, config: AuditConfig) -> pd.DataFrame:
    """name-conflict: one number on contact rows under two or more person names."""
    if "name" not in contacts:
        return concat_findings([])
    (ccode,), _ = shared_codes(*number_keys(contacts))
    cand = np.flatnonzero(ccode != NO_KEY)
    if len(cand) == 0:
        return concat_findings([])
    key, n_keys = dense(ccode[cand])
    names = pc.take(arrow_text(contacts["name"]), pa.array(cand), boundscheck=False)
    encoded = pc.dictionary_encode(names)
    cells = pc.fill_null(encoded.indices, NO_KEY).to_numpy(zero_copy_only=False).astype(np.int64)
    # Folding never tells two equal cells apart, so only a number with two different
    # name cells can carry two names: the other numbers' cells are never folded.
    filled = cells != NO_KEY
    width = len(encoded.dictionary) + 1
    cell_pairs = sorted_unique(key[filled] * width + cells[filled])
    different_cells = np.bincount(cell_pairs // width, minlength=n_keys)[key]
    keep = np.flatnonzero(filled & (different_cells >= 2))
    cand, key, cells = cand[keep], key[keep], cells[keep]
    name_id = _name_ids(cells, encoded.dictionary, config)
    named = name_id != NO_KEY
    cand, key, name_id = cand[named], key[named], name_id[named]
    if len(cand) == 0:
        return concat_findings([])
    width = int(name_id.max()) + 1
    pairs = sorted_unique(key * width + name_id)
    names_per_key = np.bincount(pairs // width, minlength=n_keys)[key]
    hit = np.flatnonzero(names_per_key >= 2)
    pos = cand[hit]
    related = peer_related(
        key[hit], contacts["_row"].to_numpy()[pos], refs(contacts, pos, "contacts")
    )
    message = counted("number is listed under ", names_per_key[hit], "different name")
    return findings(contacts, pos, "name-conflict", "contacts", message, related)


def _name_ids(cells: np.ndarray, values: pa.Array, config: AuditConfig) -> np.ndarray:
    """One id per distinct folded person name of ``cells`` (codes into ``values``);
    ``NO_KEY`` for blanks and role words. Only the values the cells use are folded."""
    roles = frozenset(fold_text(w) for w in (*ROLE_WORDS, *config.role_words))
    role_lengths = sorted({len(r) for r in roles})
    used = np.unique(cells)
    ids: dict[str, int] = {}
    lookup = np.full(len(values), NO_KEY, dtype=np.int64)
    for code, text in zip(used.tolist(), values.take(pa.array(used)).to_pylist(), strict=True):
        folded = fold_text(text)
        if _is_name(text, folded, roles, role_lengths):
            lookup[code] = ids.setdefault(folded, len(ids))
    return lookup[cells]


def _is_name(text: str, folded: str, roles: frozenset[str], role_lengths: list[int]) -> bool:
    if folded in NULL_TOKENS or folded in roles:
        return False
    # 王先生, 欧阳女士: a surname and a role word.
    for length in role_lengths:
        rest = folded[:-length]
        if folded[-length:] in roles and 1 <= len(rest) <= 2 and all(map(_is_cjk, rest)):
            return False
    # "Mr. Smith": a title and a surname.
    words = unicodedata.normalize("NFKC", text).casefold().replace(".", " ").split()
    return not (len(words) >= 2 and words[0] in roles)


def _is_cjk(char: str) -> bool:
    return "\u3400" <= char <= "\u9fff" or "\U00020000" <= char <= "\U0003134f"


def relationship_unknown(contacts: pd.DataFrame, kinds: np.ndarray) -> pd.DataFrame:
    """relationship-unknown: the relationship cell is blank or outside the vocabulary."""
    pos = np.flatnonzero(kinds <= RELATIONSHIP_UNKNOWN)
    blank = kinds[pos] == RELATIONSHIP_BLANK
    message = np.where(
        blank, "relationship is blank", "relationship is not in the vocabulary"
    ).astype(object)
    return findings(
        contacts, pos, "relationship-unknown", "contacts", message, column="relationship"
    )


def region_mismatch(frame: pd.DataFrame, source: str) -> pd.DataFrame:
    """region-mismatch: a usable number whose region is not the row's country."""
    if "country" not in frame or "number_region" not in frame or frame.empty:
        return concat_findings([])
    usable = np.flatnonzero(usable_mask(frame))
    region = frame["number_region"].to_numpy(dtype=object)[usable]
    stated = frame["country"].to_numpy(dtype=object)[usable]
    try:
        # Compared first, then only the differing cells checked for missing values: isna
        # on every object cell cost four times the comparison.
        differs = np.flatnonzero(region != stated)
    except TypeError:  # a pd.NA cell cannot be compared
        differs = np.flatnonzero(~(pd.isna(region) | pd.isna(stated)))
        differs = differs[region[differs] != stated[differs]]
    else:
        differs = differs[~(pd.isna(region[differs]) | pd.isna(stated[differs]))]
    pos = usable[differs]
    message = (
        "number's region " + region[differs] + " differs from the row's country " + stated[differs]
    )
    return findings(frame, pos, "region-mismatch", source, message)


def contact_orphan(contacts: pd.DataFrame, ids: _BorrowerIds) -> pd.DataFrame:
    """contact-orphan: the contact's borrower_id is not in the borrowers export."""
    known = pc.is_in(ids.contacts, value_set=ids.borrowers, skip_nulls=True)
    pos = np.flatnonzero(~pc.fill_null(known, False).to_numpy(zero_copy_only=False))
    missing = pc.is_null(ids.contacts).to_numpy(zero_copy_only=False)[pos]
    message = np.where(
        missing,
        "contact row has no borrower_id",
        "contact's borrower_id is not in the borrowers export",
    ).astype(object)
    return findings(contacts, pos, "contact-orphan", "contacts", message, column="borrower_id")
