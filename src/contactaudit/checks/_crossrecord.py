"""Machinery shared by the cross-record families (duplicated, mismatched, stale).

Numbers are matched as integer keys, never as strings: an E.164 string is ``+`` and at
most 15 digits, so its digits are an exact int64 (other spellings fall back to codes
over the strings). Measured on 4M numbers, hashing the strings (``pd.factorize``,
``isin``) took 1–3 s; casting to int64 took 0.2 s. Most checks then keep only the rows
whose key occurs twice or more across the tables (one value sort, then a lookup into
that small set of repeated keys; typically a tenth of the rows) and group that subset
with sorts, ``bincount`` and small merges.

Building the findings costs as much as finding them on large exports. So the findings
frames (``findings``) keep the record's text as Arrow columns taken from the tables,
never one Python string per cell; ``related`` tuples are built a whole group size at a
time; messages are formatted once per distinct count (``per_count``); and the checks
run with the garbage collector paused (``gc_paused``).

Every grouping is keyed by one column (the number or the borrower_id): partitioning
the tables by that key makes each grouping partition-local, which is how these steps
would run on a distributed dataframe engine.
"""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable, Sequence
from itertools import repeat
from typing import ParamSpec, TypeVar

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from contactaudit.config import AuditConfig
from contactaudit.models import concat_check_frames, empty_check_frame
from contactaudit.vocab import NULL_TOKENS, RELATIONSHIP_WORDS, fold_text

# A peer group can be thousands of rows (a broker's number). Each finding lists at most
# this many related records, in row order; its message gives the full count.
RELATED_CAP = 50

NO_KEY = -1

P = ParamSpec("P")
R = TypeVar("R")

# pandas' ``str`` dtype: Arrow large_string storage, NaN for a missing value.
TEXT = pd.StringDtype("pyarrow", na_value=np.nan)
_POW10 = 10 ** np.arange(19, dtype=np.int64)


def gc_paused(check: Callable[P, R]) -> Callable[P, R]:
    """Run a check with the cyclic garbage collector paused.

    The checks build hundreds of thousands of small tuples (``related``) and none of
    them forms a cycle. Each allocation burst triggers full collections, and a full
    collection walks every element of every object-dtype column of the tables
    (millions of references): measured, building 300k related entries took 1.1 s with
    the collector on and 0.3 s with it paused.
    """

    @functools.wraps(check)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        enabled = gc.isenabled()
        gc.disable()
        try:
            return check(*args, **kwargs)
        finally:
            if enabled:
                gc.enable()

    return run


def usable_mask(frame: pd.DataFrame) -> np.ndarray:
    """Rows that hold a usable number: ``usable`` is true and ``e164`` is set."""
    if "e164" not in frame:
        return np.zeros(len(frame), dtype=bool)
    mask = frame["e164"].notna().to_numpy(dtype=bool, copy=True)
    return mask & _usable_flags(frame)


def usable_numbers(frame: pd.DataFrame) -> tuple[pa.Array, np.ndarray]:
    """The ``e164`` column as Arrow text and the usable mask, from one conversion."""
    if "e164" not in frame:
        return pa.nulls(len(frame), pa.large_string()), np.zeros(len(frame), dtype=bool)
    text = arrow_text(frame["e164"])
    valid = pc.is_valid(text).to_numpy(zero_copy_only=False)
    return text, valid & _usable_flags(frame)


def _usable_flags(frame: pd.DataFrame) -> np.ndarray:
    if "usable" not in frame:
        return np.ones(len(frame), dtype=bool)
    flags = frame["usable"]
    if flags.dtype == bool:
        return flags.to_numpy()
    return flags.astype("boolean").fillna(False).to_numpy(dtype=bool)


def arrow_text(values: pd.Series) -> pa.Array:
    """A text column as an Arrow large_string array (missing values as nulls)."""
    try:
        array = pa.array(values, from_pandas=True, type=pa.large_string())
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        text = values.astype("object").where(values.notna(), None)
        array = pa.array([None if v is None else str(v) for v in text], type=pa.large_string())
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    return array


def number_keys(*frames: pd.DataFrame | None) -> list[np.ndarray]:
    """One int64 key per row of each frame for its usable number, ``NO_KEY`` otherwise.

    Keys are comparable across the frames. They are the ``e164_key`` column that
    ``normalize_phones`` writes (the E.164 digits as int64) when every frame has it;
    else the E.164 digits parsed from the text when every value is a well-formed
    E.164 string, else codes over the union of the values.
    """
    if all(f is None or "e164_key" in f for f in frames):
        return [
            np.zeros(0, dtype=np.int64)
            if f is None
            else np.where(_usable_flags(f), f["e164_key"].to_numpy(dtype=np.int64), NO_KEY)
            for f in frames
        ]
    present = [f if f is not None else pd.DataFrame() for f in frames]
    texts, masks = zip(*(usable_numbers(f) for f in present), strict=True) if present else ((), ())
    keys = [_e164_digits(t) for t in texts]
    if any(k is None for k in keys):
        keys = list(text_codes(texts))
    out = []
    for key, mask in zip(keys, masks, strict=True):
        assert key is not None
        out.append(np.where(mask, key, NO_KEY).astype(np.int64, copy=False))
    return out


def _e164_digits(text: pa.Array) -> np.ndarray | None:
    """The digits after ``+`` as int64, or None when a value is not plain E.164."""
    if len(text) == 0:
        return np.zeros(0, dtype=np.int64)
    starts = pc.starts_with(text, "+")
    if pc.any(pc.invert(starts)).as_py():
        return None
    digits = pc.utf8_slice_codeunits(text, 1)
    try:
        ints = pc.cast(digits, pa.int64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    values = pc.fill_null(ints, 1).to_numpy(zero_copy_only=False).astype(np.int64, copy=False)
    lengths = pc.fill_null(pc.utf8_length(digits), 1).to_numpy(zero_copy_only=False)
    # "+-5" casts to -5 and "+0086…" drops its zeros: insist on one digit per character.
    if (values <= 0).any() or (np.searchsorted(_POW10, values, side="right") != lengths).any():
        return None
    return values


def text_codes(texts: Sequence[pa.Array]) -> list[np.ndarray]:
    """Dense codes over the union of several text arrays; missing values get ``NO_KEY``."""
    chunks: list[pa.Array] = []
    for t in texts:
        chunks.extend(t.chunks if isinstance(t, pa.ChunkedArray) else [t])
    if not chunks:
        return [np.zeros(0, dtype=np.int64) for _ in texts]
    combined = pa.chunked_array(chunks, type=pa.large_string())
    encoded = pc.dictionary_encode(combined)
    indices = pa.chunked_array([c.indices for c in encoded.chunks], type=encoded.type.index_type)
    codes = pc.fill_null(indices, NO_KEY).to_numpy().astype(np.int64, copy=False)
    out, start = [], 0
    for t in texts:
        out.append(codes[start : start + len(t)])
        start += len(t)
    return out


def ids_at(frame: pd.DataFrame, positions: np.ndarray) -> pa.Array:
    """The borrower_id cells at ``positions`` as Arrow text (no pandas index to build)."""
    return pc.take(arrow_text(frame["borrower_id"]), pa.array(positions), boundscheck=False)


def unknowns_apart(*codes: np.ndarray) -> list[np.ndarray]:
    """Borrower-id codes (``text_codes``) where each missing id is its own borrower.

    A row without a borrower_id cannot be shown to be any other row's borrower, so it
    counts as a distinct unknown borrower (never equal to another row's id).
    """
    top = max((int(c.max()) for c in codes if len(c)), default=-1) + 1
    out = []
    for c in codes:
        missing = c == NO_KEY
        if missing.any():
            c = c.copy()
            c[missing] = top + np.arange(int(missing.sum()))
            top += int(missing.sum())
        out.append(c)
    return out


def sorted_unique(keys: np.ndarray) -> np.ndarray:
    """The distinct keys (``NO_KEY`` dropped), sorted."""
    s = keys[keys != NO_KEY]
    s.sort()  # in place: the filter made a copy already (one 30 MB array less at 4M keys)
    if len(s) == 0:
        return s
    return s[np.r_[True, s[1:] != s[:-1]]]


def dense(keys: np.ndarray) -> tuple[np.ndarray, int]:
    """Dense codes 0..n-1 for int keys, and n."""
    uniques, inverse = np.unique(keys, return_inverse=True)
    return inverse.astype(np.int64, copy=False).reshape(-1), len(uniques)


def shared_codes(*keys: np.ndarray) -> tuple[list[np.ndarray], int]:
    """Dense codes for the keys that occur on two rows or more across all the arrays.

    Every other row gets ``NO_KEY``: a number seen once cannot be shared, duplicated or
    conflicting, so the later groupings only touch the shared subset (about a tenth of
    the rows). Found with one value sort (0.03 s on 4M keys, against 0.26 s for
    ``np.unique`` with inverse codes) and ``key_index`` into the repeated keys.
    """
    joined = np.concatenate(keys) if keys else np.zeros(0, dtype=np.int64)
    s = joined[joined != NO_KEY]
    s.sort()  # in place: the filter made a copy already (one 30 MB array less at 4M keys)
    twice = s[1:][s[1:] == s[:-1]]
    repeated_keys = twice[np.r_[True, twice[1:] != twice[:-1]]] if len(twice) else twice
    codes = key_index(repeated_keys, joined)
    out, start = [], 0
    for k in keys:
        out.append(codes[start : start + len(k)])
        start += len(k)
    return out, len(repeated_keys)


def key_index(uniques: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Each key's position in ``uniques`` (distinct int64 keys), ``NO_KEY`` if absent.

    Most keys are absent (a number seen once, a number on no list), so a bit table of
    the keys' low bits, eight slots per unique key and small enough to stay in cache,
    rules out most of them with one gather; only the rest go through a hash lookup.
    Measured on 4M keys against 150k uniques: 0.04 s, against 0.07 s for the hash
    lookup of all of them and 0.4 s for binary searches.
    """
    out = np.full(len(keys), NO_KEY, dtype=np.int64)
    if len(uniques) == 0 or len(keys) == 0:
        return out
    mask = (1 << max(10, min(24, int(len(uniques) * 8).bit_length()))) - 1
    table = np.zeros(mask + 1, dtype=bool)
    table[uniques & mask] = True
    candidates = np.flatnonzero(table[keys & mask])
    out[candidates] = pd.Index(uniques).get_indexer(keys[candidates])
    return out


def code_counts(codes: np.ndarray, n: int) -> np.ndarray:
    """Rows per code (length ``n``), ignoring ``NO_KEY``."""
    return np.bincount(codes[codes != NO_KEY], minlength=n)


def at(table: np.ndarray, codes: np.ndarray, default: int = 0) -> np.ndarray:
    """``table[codes]`` with ``default`` where the code is ``NO_KEY``.

    Test the small per-code table, not the gathered rows (``at(counts >= 2, codes)``):
    a boolean table gathers into a byte per row, not an int64 to compare afterwards.
    """
    # NO_KEY is -1, so it picks the default appended last: one gather, no masks.
    return np.append(table, np.asarray(default, dtype=table.dtype))[codes]


# What a contact's relationship cell says (``relationship_kinds``).
RELATIONSHIP_BLANK, RELATIONSHIP_UNKNOWN, RELATIONSHIP_SELF, RELATIONSHIP_OTHER = range(4)


def relationship_kinds(values: pd.Series, config: AuditConfig) -> np.ndarray:
    """Per row (int8): ``RELATIONSHIP_BLANK`` when the cell is blank or a null token,
    ``RELATIONSHIP_UNKNOWN`` when the word is outside the vocabulary, else
    ``RELATIONSHIP_SELF`` or ``RELATIONSHIP_OTHER`` by its canonical relationship.

    Folded once per distinct cell value, so millions of rows cost one factorize; small
    integers, because comparing millions of object cells with ``==`` cost more than that.
    """
    words = {fold_text(k): v for k, v in RELATIONSHIP_WORDS.items()}
    words.update({fold_text(k): v for k, v in config.relationships.items()})
    codes, uniques = pd.factorize(values)
    kinds = []
    for value in uniques:
        folded = fold_text(str(value))
        canon = "" if folded in NULL_TOKENS else words.get(folded)
        if canon is None:
            kinds.append(RELATIONSHIP_UNKNOWN)
        elif canon == "":
            kinds.append(RELATIONSHIP_BLANK)
        else:
            kinds.append(RELATIONSHIP_SELF if canon == "self" else RELATIONSHIP_OTHER)
    lookup = np.array([*kinds, RELATIONSHIP_BLANK], dtype=np.int8)
    return lookup[codes]  # code -1 (missing) picks the trailing blank


def take_objects(values: pd.Series, positions: np.ndarray) -> np.ndarray:
    """``values`` at ``positions`` as an object array with None for missing.

    Takes first, then converts: an Arrow-backed ``str`` column of millions of rows is
    never turned into Python objects as a whole (that cost seconds per call).
    """
    if values.dtype == object:
        out = values.to_numpy()[positions]
    elif isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow":
        # Arrow's own take and conversion (nulls become None) beat pandas' by 3x.
        array = pa.array(values.array, type=pa.large_string())
        taken = array.take(pa.array(np.asarray(positions, dtype=np.int64)))
        return np.asarray(taken.to_numpy(zero_copy_only=False), dtype=object)
    else:
        out = values.array.take(np.asarray(positions, dtype=np.int64)).to_numpy(
            dtype=object, na_value=None
        )
        return np.asarray(out, dtype=object)
    missing = pd.isna(out)
    if missing.any():
        out = out.copy()
        out[missing] = None
    return out


def refs(frame: pd.DataFrame, positions: np.ndarray, source: str) -> np.ndarray:
    """The related-record entries (an object array) of the given row positions of a
    table: ``(source, row, record_id)``, the fields of a ``models.Related``.

    Plain tuples, not ``Related`` instances: the collector stops tracking a plain tuple
    of strings and ints (and a plain tuple of those) at its first pass, never a
    NamedTuple. With ``Related`` the ~750k entries and tuples of 1M borrowers stayed
    tracked, and every later full collection walked them: 0.4 s each, against 0.03 s.
    Reporters read the entries by position; ``AuditReport.iter_findings`` makes them
    ``Related``.
    """
    rows = frame["_row"].to_numpy()[positions].tolist()
    id_list = take_objects(frame["_record_id"], positions).tolist()
    return np.fromiter(zip(repeat(source), rows, id_list), dtype=object, count=len(rows))


def peer_related(
    groups: np.ndarray, rows: np.ndarray, members: np.ndarray, cap: int = RELATED_CAP
) -> np.ndarray:
    """For each member, the other members of its group in row order (at most ``cap``)."""
    n = len(groups)
    out = _filled((), n)
    if n == 0:
        return out
    order = np.lexsort((np.arange(n), rows, groups))
    starts, sizes = _runs(groups[order])
    ordered = members[order]
    for size in np.unique(sizes).tolist():
        first = starts[sizes == size]
        if len(first) < 4 * size:  # few groups of this size: one by one
            for start in first.tolist():
                idx = order[start : start + size]
                head = tuple(ordered[start : start + min(size, cap + 1)])
                out[idx[cap + 1 :]] = _filled(head[:cap], max(0, size - cap - 1))
                for j, i in enumerate(idx[: cap + 1].tolist()):
                    out[i] = head[:j] + head[j + 1 :]
            continue
        # Many groups of one size: member j of every group at once, its tuple zipped
        # from the other members' columns (no Python loop per member).
        columns = [ordered[first + k] for k in range(min(size, cap + 1))]
        for j in range(min(size, cap + 1)):
            out[order[first + j]] = _tuples([*columns[:j], *columns[j + 1 :]], len(first))
        if size > cap + 1:
            capped = _tuples(columns[:cap], len(first))
            for start, head in zip(first.tolist(), capped, strict=True):
                out[order[start + cap + 1 : start + size]] = _filled(head, size - cap - 1)
    return out


def pair_related(
    owners: np.ndarray,
    targets: np.ndarray,
    members: np.ndarray,
    member_rows: np.ndarray,
    n_owners: int,
    cap: int = RELATED_CAP,
) -> np.ndarray:
    """``related`` tuples from pairs: owner ``owners[i]`` relates to ``members[targets[i]]``.

    Each owner (0..n_owners-1) gets its targets in row order, at most ``cap``.
    """
    out = _filled((), n_owners)
    if len(owners) == 0:
        return out
    order = np.lexsort((member_rows[targets], owners))
    sorted_owners = owners[order]
    starts, sizes = _runs(sorted_owners)
    taken = members[targets[order]]
    sizes = np.minimum(sizes, cap)
    for size in np.unique(sizes).tolist():
        first = starts[sizes == size]
        columns = [taken[first + k] for k in range(size)]
        out[sorted_owners[first]] = _tuples(columns, len(first))
    return out


def _runs(sorted_keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and length of each run of equal values in a sorted array."""
    starts = np.r_[0, np.flatnonzero(sorted_keys[1:] != sorted_keys[:-1]) + 1]
    return starts, np.diff(np.r_[starts, len(sorted_keys)])


def _tuples(columns: list[np.ndarray], n: int) -> np.ndarray:
    """Row i's tuple ``(columns[0][i], columns[1][i], …)`` for each of ``n`` rows."""
    if not columns:
        return _filled((), n)
    return np.fromiter(zip(*columns, strict=True), dtype=object, count=n)


def _filled(value: object, n: int) -> np.ndarray:
    """An object array holding the one ``value`` in every slot (tuples included)."""
    out = np.empty(n, dtype=object)
    out.fill(value)
    return out


def text_at(frame: pd.DataFrame, column: str, positions: pa.Array) -> pd.Series:
    """A text column's cells at ``positions`` as pandas ``str`` (Arrow), never as
    Python strings; an absent column gives missing values.

    Arrow's take copies the bytes of the taken cells only. Building a Python string
    per finding and cell (four text columns of 1.87M findings at 1M borrowers) cost
    more than finding them, and those objects then had to be copied, concatenated and
    collected again downstream.
    """
    if column in frame:
        # Positions come from masks over this very table: no bounds to check.
        array = pc.take(arrow_text(frame[column]), positions, boundscheck=False)
    else:
        array = pa.nulls(len(positions), pa.large_string())
    return pd.Series(pd.arrays.ArrowStringArray(array, dtype=TEXT), copy=False)


def _object_column(value: object, n: int) -> pd.Series:
    """An object column: a per-row array as given, else ``value`` in every row."""
    array = value if isinstance(value, np.ndarray) else _filled(value, n)
    # dtype=object: pandas 3 would infer its str dtype (NaN for None) for strings.
    return pd.Series(array, dtype=object, copy=False)


def _category(value: str | pd.Categorical | np.ndarray, n: int) -> pd.Series:
    """A categorical column: ``value`` in every row, or per row (a Categorical as it
    is, an array of texts factorised)."""
    if isinstance(value, pd.Categorical):
        return pd.Series(value, copy=False)
    if isinstance(value, np.ndarray):
        return pd.Series(pd.Categorical(value), copy=False)
    codes = np.zeros(n, dtype=np.int8)
    return pd.Series(pd.Categorical.from_codes(codes, categories=[value]), copy=False)


def _category_at(values: pd.Series, positions: np.ndarray) -> pd.Series:
    """A table column's values at ``positions`` as a categorical (its codes taken, when
    it is one already)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = values.cat.codes.to_numpy()[positions]
        categorical = pd.Categorical.from_codes(codes, dtype=values.dtype)
    else:
        categorical = pd.Categorical(take_objects(values, positions))
    return pd.Series(categorical, copy=False)


def findings(
    frame: pd.DataFrame,
    positions: np.ndarray,
    code: str | pd.Categorical,
    source: str,
    message: str | pd.Categorical | np.ndarray,
    related: np.ndarray | None = None,
    column: str | None = None,
) -> pd.DataFrame:
    """The findings (``CHECK_COLUMNS``) of the rows at ``positions`` of a normalised table.

    ``record_id``, ``borrower_id``, ``e164`` and ``raw`` are pandas ``str`` columns
    (Arrow; missing is NaN) taken straight from the table's Arrow text; ``row`` is
    int64; ``code``, ``source``, ``column`` and ``message`` are categoricals (a few
    distinct values each: ``concat_checks`` unites their categories and
    ``assemble_findings`` sorts by their codes, no string hashing); ``related`` is an
    object column (tuples of ``refs`` entries). The column is the row's
    ``_phone_column`` unless ``column`` names one.
    """
    n = len(positions)
    if n == 0:
        return empty_check_frame()
    positions = np.asarray(positions, dtype=np.int64)
    take = pa.array(positions)
    data = {
        "code": _category(code, n),
        "source": _category(source, n),
        "row": frame["_row"].to_numpy(dtype=np.int64)[positions],
        "record_id": text_at(frame, "_record_id", take),
        "borrower_id": text_at(frame, "borrower_id", take),
        "column": (
            _category_at(frame["_phone_column"], positions)
            if column is None
            else _category(column, n)
        ),
        "e164": text_at(frame, "e164", take),
        "raw": text_at(frame, "raw", take),
        "message": _category(message, n),
        "related": _object_column(() if related is None else related, n),
    }
    if "e164_key" in frame:
        # Beyond CHECK_COLUMNS: the normaliser's E.164 digits, so that assembling tells
        # the findings' numbers apart by integer (see privacy.mask_and_key_arrays).
        data["e164_key"] = frame["e164_key"].to_numpy(dtype=np.int64)[positions]
    return pd.DataFrame(data, copy=False)


def plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def per_count(make: Callable[..., str], *counts: np.ndarray) -> pd.Categorical:
    """Messages built from counts, once per distinct combination (there are few), as a
    categorical: the findings and the reports then handle a code per finding.

    Formatting a few hundred thousand messages one by one cost more than the check.
    """
    if not counts or len(counts[0]) == 0:
        return pd.Categorical.from_codes(np.zeros(0, dtype=np.int8), categories=[])
    columns = [np.asarray(c, dtype=np.int64) for c in counts]
    low = [int(c.min()) for c in columns]
    spans = [int(c.max()) - lo + 1 for c, lo in zip(columns, low, strict=True)]
    combinations = np.prod(spans, dtype=float)
    if combinations < 2**62:
        # One int64 per combination: a 1-D unique sorts far faster than rows (axis=0).
        combined = np.zeros(len(columns[0]), dtype=np.int64)
        for c, lo, span in zip(columns, low, spans, strict=True):
            combined = combined * span + (c - lo)
        if combinations <= 4 * len(combined) + 1024:
            # Few possible combinations (ages in days, group sizes): a table of the
            # ones present, no sort.
            present = np.zeros(int(combinations), dtype=bool)
            present[combined] = True
            keys = np.flatnonzero(present)
            inverse = (np.cumsum(present) - 1)[combined]
        else:
            keys, inverse = np.unique(combined, return_inverse=True)
        distinct = [_digits(key, low, spans) for key in keys.tolist()]
    else:
        stacked = np.stack(columns, axis=1)
        unique_rows, inverse = np.unique(stacked, axis=0, return_inverse=True)
        distinct = unique_rows.tolist()
    # Two combinations may read the same: a category each text, once.
    text_ix, texts = pd.factorize(np.array([make(*row) for row in distinct], dtype=object))
    return pd.Categorical.from_codes(text_ix[inverse.reshape(-1)], categories=texts)


def _digits(key: int, low: list[int], spans: list[int]) -> list[int]:
    """The counts a combined key was made of (its digits in mixed radix ``spans``)."""
    row = []
    for lo, span in zip(reversed(low), reversed(spans), strict=True):
        key, digit = divmod(key, span)
        row.append(digit + lo)
    return row[::-1]


def counted(prefix: str, counts: np.ndarray, noun: str, suffix: str = "") -> pd.Categorical:
    """Messages such as "number is shared by 3 borrowers" for an array of counts."""
    return per_count(lambda n: f"{prefix}{plural(n, noun)}{suffix}", counts)


def concat_findings(parts: list[pd.DataFrame]) -> pd.DataFrame:
    return concat_check_frames(parts)
