"""Keyed hashing of phone numbers and fingerprints.

An unkeyed SHA-256 of a CN mobile is brute-forced in minutes (about 4×10⁹
candidates), so every join key is an HMAC-SHA256 under a secret key: from
``CONTACTAUDIT_HASH_KEY``, else a key file created once with mode 0600 (path from
``CONTACTAUDIT_KEY_FILE``, else ``$XDG_CONFIG_HOME/contactaudit/hash.key``, else
``~/.config/contactaudit/hash.key``). The same key gives the same ``phone_key`` on
every run, which is what nightly joins need.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import unicodedata
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from contactaudit.errors import ConfigError
from contactaudit.vocab import NULL_TOKENS, fold_text

KEY_ENV = "CONTACTAUDIT_HASH_KEY"
KEY_FILE_ENV = "CONTACTAUDIT_KEY_FILE"


def key_file_path() -> Path:
    explicit = os.environ.get(KEY_FILE_ENV)
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "contactaudit" / "hash.key"


def _read_or_create_key(path: Path) -> bytes:
    try:
        return path.read_bytes().strip()
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise ConfigError(
            f"Hash key file '{path}' cannot be read ({exc.strerror}). Set {KEY_ENV} "
            f"or point {KEY_FILE_ENV} at a readable file."
        ) from None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_hex(32).encode()
        # O_EXCL: two first runs at once must not both write different keys.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes().strip()
    except OSError as exc:
        raise ConfigError(
            f"Hash key file '{path}' cannot be created ({exc.strerror}). Set {KEY_ENV} "
            f"or point {KEY_FILE_ENV} at a writable location."
        ) from None
    with os.fdopen(fd, "wb") as handle:
        handle.write(key + b"\n")
    return key


@lru_cache(maxsize=4)
def _key_for(env_value: str | None, file_path: str) -> bytes:
    if env_value:
        return env_value.encode("utf-8")
    return _read_or_create_key(Path(file_path))


def hash_key() -> bytes:
    """The secret key (cached per environment setting)."""
    return _key_for(os.environ.get(KEY_ENV), str(key_file_path()))


def keyed_digest(text: str, length: int = 16) -> str:
    """HMAC-SHA256 of ``text`` under the hash key, as ``length`` hex characters."""
    return hmac.new(hash_key(), text.encode("utf-8"), hashlib.sha256).hexdigest()[:length]


def phone_keys(e164_values: Iterable[str | None]) -> dict[str, str]:
    """``phone_key`` for each distinct E.164 value (16 hex chars), hashed once each."""
    digest = _phone_digest(hash_key())
    out: dict[str, str] = {}
    for value in e164_values:
        if value and value not in out:
            out[value] = digest(value)
    return out


def phone_key_values(e164: np.ndarray | pd.Series) -> np.ndarray:
    """``phone_key`` per cell (None where there is no number), one HMAC per distinct value."""
    return _keys(_Numbers(_object_values(e164)))


def mask_and_key_values(
    e164: np.ndarray | pd.Series, raw: np.ndarray | pd.Series
) -> tuple[np.ndarray, np.ndarray]:
    """``(mask_values(e164, raw), phone_key_values(e164))`` with one factorisation."""
    masks, keys = mask_and_key_arrays(e164, raw)
    return masks.to_numpy(zero_copy_only=False), keys.to_numpy(zero_copy_only=False)


def mask_and_key_arrays(
    e164: np.ndarray | pd.Series,
    raw: np.ndarray | pd.Series,
    digits: np.ndarray | None = None,
) -> Any:
    """``mask_and_key_values`` as two Arrow string arrays (null where there is none).

    Masks and keys are made once per distinct number (or cell) and spread to the rows
    by an Arrow take, so a million findings cost no Python string each. The masks are
    mostly Arrow kernels, which release the GIL, and the keys a Python loop of HMACs,
    which holds it: the masks are made on a second thread meanwhile.

    ``digits`` may give each row's E.164 digits as int64 (-1 for no number), as the
    normaliser's ``e164_key`` does: the numbers are then told apart by those integers,
    not by reading the text. The caller vouches that they are the text's digits; only
    their shape is checked (length, range, -1 exactly where the text is null), and
    the text is read instead when that fails.
    """
    from concurrent.futures import ThreadPoolExecutor

    numbers = _Numbers(_arrow_or_object(e164), digits)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="contactaudit-mask") as pool:
        masks = pool.submit(_mask_array, numbers, raw)
        keys = _key_array(numbers)
        return masks.result(), keys


class _Numbers:
    """An E.164 column factorised once: ``codes`` index the distinct values (NA → the
    slot after the last); ``usable[i]`` says whether distinct value ``i`` is a
    non-empty string. Text (an Arrow column, or objects that are all strings) is
    factorised without Python hashing: by the ``digits`` given (``_factorize_digits``),
    else by reading it (``_factorize_text``); anything else by ``pd.factorize``."""

    def __init__(self, values: Any, digits: np.ndarray | None = None) -> None:
        import pyarrow as pa
        import pyarrow.compute as pc

        self.text: Any = None  # the distinct values as an Arrow array, when all are text
        try:
            if isinstance(values, pa.ChunkedArray):
                array = values.combine_chunks().cast(pa.string())
            else:
                array = pa.array(values, type=pa.string(), from_pandas=True)
        except (pa.ArrowException, UnicodeError):
            codes, uniques = pd.factorize(values)
            self._uniques = np.asarray(uniques, dtype=object)
            self.codes = np.where(codes < 0, len(uniques), codes)
            self.usable = np.array(
                [isinstance(v, str) and v != "" for v in self._uniques] + [False], dtype=bool
            )
            return
        factorised = _factorize_digits(digits, array) if digits is not None else None
        self.codes, self.text = factorised or _factorize_text(array)
        nonempty = pc.greater(pc.binary_length(self.text), 0).to_numpy(zero_copy_only=False)
        self.usable = np.append(nonempty, False)

    def usable_values(self) -> Any:
        """The usable distinct values: an Arrow string array, or an object array."""
        if self.text is not None:
            return self.text.filter(self.usable[:-1])
        return self._uniques[self.usable[:-1]]

    def usable_bytes(self) -> list[bytes]:
        import pyarrow as pa

        if self.text is not None:
            return self.usable_values().cast(pa.binary()).to_pylist()
        return [v.encode("utf-8") for v in self.usable_values()]


_NO_DIGITS = -1
_MAX_DIGITS = 10**18  # E.164 has at most 15 digits; larger values are not digits


def _factorize_digits(digits: np.ndarray, array: Any) -> tuple[np.ndarray, Any] | None:
    """``_factorize_text`` from each row's E.164 digits as int64 (``_NO_DIGITS`` where
    the text is null): factorising integers, and taking each distinct number's text
    from its first row, costs about a third of reading the text. None (read the text)
    when the integers cannot be the text's digits: another length, a number where the
    text has none or the reverse, a value out of range."""
    import pyarrow as pa

    digits = np.asarray(digits)
    if digits.dtype != np.int64 or len(digits) != len(array):
        return None
    has = digits != _NO_DIGITS
    if (digits[has] <= 0).any() or (digits[has] >= _MAX_DIGITS).any():
        return None
    if not np.array_equal(has, array.is_valid().to_numpy(zero_copy_only=False)):
        return None
    rows = np.flatnonzero(has)
    found, distinct = pd.factorize(digits[rows])
    first = np.empty(len(distinct), dtype=np.int64)
    first[found[::-1]] = rows[::-1]  # each number's first row
    codes = np.full(len(digits), len(distinct), dtype=np.int64)  # null: the last slot
    codes[rows] = found
    return codes, array.take(pa.array(first))


def _factorize_text(array: Any) -> tuple[np.ndarray, Any]:
    """Codes (null → the slot after the last) and distinct values of an Arrow string
    array. E.164 text (``+`` and 1-18 digits, no leading zero) is factorised by its
    integer value, which is several times faster than Arrow's hashing of the text
    (the distinct texts are the integers written back); anything else is hashed."""
    import pyarrow as pa
    import pyarrow.compute as pc

    digits = pc.utf8_slice_codeunits(array, 1)
    length = pc.binary_length(array)
    plain = pc.and_(
        pc.and_(
            pc.starts_with(array, "+"),
            pc.and_(pc.string_is_ascii(digits), pc.ascii_is_decimal(digits)),
        ),
        pc.and_(
            pc.and_(pc.greater_equal(length, 2), pc.less_equal(length, 19)),
            pc.invert(pc.starts_with(digits, "0")),
        ),
    )
    plain_mask = pc.fill_null(plain, False).to_numpy(zero_copy_only=False)
    codes = np.empty(len(array), dtype=np.int64)
    int_codes, ints = pd.factorize(
        pc.cast(digits.filter(pa.array(plain_mask)), pa.int64()).to_numpy()
    )
    codes[plain_mask] = int_codes
    distinct = [pc.binary_join_element_wise("+", pc.cast(pa.array(ints), pa.string()), "")]
    rest = ~plain_mask
    if rest.any():
        encoded = pc.dictionary_encode(array.filter(pa.array(rest)))
        others = encoded.indices.to_numpy(zero_copy_only=False)
        # Nulls come out as NaN (float): give them -1 for now, the last slot below.
        others = np.where(np.isnan(others), -1, others).astype(np.int64)
        codes[rest] = np.where(others < 0, -1, others + len(ints))
        distinct.append(encoded.dictionary.cast(pa.string()))
    text = pa.concat_arrays(distinct)
    codes[codes < 0] = len(text)
    return codes, text


def _keys(numbers: _Numbers) -> np.ndarray:
    return _key_array(numbers).to_numpy(zero_copy_only=False)


def _key_array(numbers: _Numbers) -> Any:
    import pyarrow as pa

    inner, outer = _hmac_states(hash_key())
    inner_copy, outer_copy = inner.copy, outer.copy
    digests: list[str] = []
    append = digests.append
    # Inlined HMAC (see _phone_digest): this loop runs once per distinct number.
    for value in numbers.usable_bytes():
        i = inner_copy()
        i.update(value)
        o = outer_copy()
        o.update(i.digest())
        append(o.hexdigest()[:16])
    slot = np.full(len(numbers.usable), -1, dtype=np.int64)  # distinct value → digest
    slot[np.flatnonzero(numbers.usable)] = np.arange(len(digests))
    return _spread(pa.array(digests, type=pa.string()), slot[numbers.codes])


def _spread(texts: Any, index: np.ndarray) -> Any:
    """``texts[index]`` as an Arrow array, null where ``index`` is negative."""
    import pyarrow as pa

    missing = index < 0
    return texts.take(pa.array(np.where(missing, 0, index), mask=missing))


_BLOCK = 64  # SHA-256 block size
_IPAD = bytes(x ^ 0x36 for x in range(256))
_OPAD = bytes(x ^ 0x5C for x in range(256))


def _phone_digest(key: bytes) -> Callable[[str], str]:
    """HMAC-SHA256 (RFC 2104) of a text as 16 hex chars, the same as
    ``hmac.new(key, text, sha256).hexdigest()[:16]``.

    The keyed inner and outer states are built once and copied per value: about twice
    as fast as ``hmac.new``/``hmac.digest``, which set up the key for every number.
    """
    inner, outer = _hmac_states(key)

    def digest(text: str) -> str:
        i = inner.copy()
        i.update(text.encode("utf-8"))
        o = outer.copy()
        o.update(i.digest())
        return o.hexdigest()[:16]

    return digest


def _hmac_states(key: bytes) -> tuple[Any, Any]:
    """SHA-256 states after absorbing the key XOR ipad / opad (RFC 2104)."""
    if len(key) > _BLOCK:
        key = hashlib.sha256(key).digest()
    key = key.ljust(_BLOCK, b"\0")
    return hashlib.sha256(key.translate(_IPAD)), hashlib.sha256(key.translate(_OPAD))


def _arrow_or_object(values: np.ndarray | pd.Series) -> Any:
    """An Arrow-backed text Series as its Arrow data (no Python strings), anything else
    as an object array."""
    from contactaudit.models import arrow_chunks

    chunks = arrow_chunks(values) if isinstance(values, pd.Series) else None
    return chunks if chunks is not None else _object_values(values)


def _object_values(values: np.ndarray | pd.Series) -> np.ndarray:
    if isinstance(values, pd.Series):
        return values.to_numpy(dtype=object, na_value=None)
    return np.asarray(values, dtype=object)


# --------------------------------------------------------------------------------
# Masking for people (DESIGN §6): CN mobiles keep the 3-digit network prefix and the
# last 4 digits; other numbers keep "+<country code>" and the last 4 digits; a cell
# without a usable number shows at most the last 4 digits of its text — never letters,
# so a name written into a phone cell cannot leak.
# --------------------------------------------------------------------------------

_MIN_DIGITS_TO_SHOW_TAIL = 7  # a shorter text is not a number: show nothing of it


def _split_e164(e164: str) -> tuple[str, str] | None:
    """``(country code, national number)`` of an E.164 string, None if it is not one."""
    import phonenumbers  # local: privacy is imported by reporters that never mask

    digits = e164[1:] if e164.startswith("+") else ""
    if not digits.isdigit() or not digits.isascii():
        return None
    for size in (1, 2, 3):
        if int(digits[:size]) in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
            return digits[:size], digits[size:]
    return None


def _mask_text(raw: str | None) -> str | None:
    if raw is None:
        return None
    text = unicodedata.normalize("NFKC", str(raw))
    if fold_text(text) in NULL_TOKENS:
        return None
    digits = "".join(ch for ch in text if "0" <= ch <= "9")
    if len(digits) >= _MIN_DIGITS_TO_SHOW_TAIL:
        return "****" + digits[-4:]
    return "****"


def mask_phone(e164: str | None, raw: str | None) -> str | None:
    """The number as a person may see it: ``138****5678``, ``+1******0143``, ``****5678``.

    With an E.164 number: a CN mobile (``+861`` + 10 digits) keeps its first 3 and last
    4 national digits; any other number keeps ``+`` and its country code, one ``*`` per
    hidden digit and the last 4 digits. Without one (masked, multiple, unparseable …
    cells): ``****`` plus the last 4 digits of the cell when it holds at least 7 digits,
    else ``****``; None for an empty or null cell.
    """
    if isinstance(e164, str) and e164:
        parts = _split_e164(e164)
        if parts is not None:
            country, national = parts
            if country == "86" and len(national) == 11 and national.startswith("1"):
                return f"{national[:3]}****{national[-4:]}"
            if len(national) <= 4:
                return f"+{country}****"
            return f"+{country}{'*' * (len(national) - 4)}{national[-4:]}"
        return _mask_text(e164)
    if raw is None or (isinstance(raw, float) and raw != raw):  # NaN
        return None
    return _mask_text(raw)


def mask_series(e164: pd.Series, raw: pd.Series) -> pd.Series:
    """``mask_phone`` over two columns aligned by position, once per distinct value."""
    if len(raw) != len(e164):
        raise ValueError("e164 and raw must be aligned column by column")
    return pd.Series(mask_values(e164, raw), index=e164.index, dtype=object)


# A CN mobile in E.164: "+86", then 11 national digits starting with 1.
_CN_MOBILE_E164 = r"^\+861[0-9]{10}$"


def mask_values(e164: np.ndarray | pd.Series, raw: np.ndarray | pd.Series) -> np.ndarray:
    """``mask_phone`` per position as an object array (the array form of ``mask_series``).

    Each distinct number or cell is masked once. Numbers are masked by whole-array
    Arrow slicing (CN mobiles, and ``+<country code>`` numbers); only cells without a
    usable number, and E.164 text without a known country code, go through
    ``mask_phone`` one by one.
    """
    numbers = _object_values(e164)
    cells = _object_values(raw)
    if len(numbers) != len(cells):
        raise ValueError("e164 and raw must be aligned column by column")
    return _masks(_Numbers(numbers), cells)


def _masks(numbers: _Numbers, raw: np.ndarray | pd.Series) -> np.ndarray:
    return _mask_array(numbers, raw).to_numpy(zero_copy_only=False)


def _mask_array(numbers: _Numbers, raw: np.ndarray | pd.Series) -> Any:
    """The masks as an Arrow array: distinct numbers' masks, then distinct cells' masks
    (for rows without a number), taken row by row."""
    import pyarrow as pa

    if len(numbers.codes) != len(raw):
        raise ValueError("e164 and raw must be aligned column by column")
    has_number = numbers.usable[numbers.codes]
    index = np.full(len(raw), -1, dtype=np.int64)
    slot = np.full(len(numbers.usable), -1, dtype=np.int64)  # distinct value → mask
    usable = np.flatnonzero(numbers.usable)
    slot[usable] = np.arange(len(usable))
    index[has_number] = slot[numbers.codes[has_number]]
    masks = [_number_masks(numbers.usable_values())] if len(usable) else []
    if not has_number.all():
        # Only the cells without a number are needed as Python objects.
        without = np.flatnonzero(~has_number)
        if isinstance(raw, pd.Series):
            cells = raw.iloc[without].to_numpy(dtype=object, na_value=None)
        else:
            cells = np.asarray(raw, dtype=object)[without]
        cell_codes, cell_uniques = pd.factorize(cells)
        masks.append(pa.array([mask_phone(None, v) for v in cell_uniques], type=pa.string()))
        index[without] = np.where(cell_codes < 0, -1, cell_codes + len(usable))
    return _spread(pa.concat_arrays(masks) if masks else pa.array([], pa.string()), index)


def _number_masks(values: Any) -> Any:
    """``mask_phone(v, None)`` for distinct non-empty strings (Arrow or object array), as
    an Arrow string array.

    Whole-array Arrow kernels per shape of number (CN mobiles; other E.164 text by the
    width of its country code), each shape's masks put back in place by one take; only
    text of no known shape goes through ``mask_phone``. No Python string per number:
    this runs on a thread beside the phone keys' HMAC loop, which needs the GIL.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(values, pa.Array):
        text = values.cast(pa.string())
    else:
        try:
            text = pa.array(values, type=pa.string())
        except (pa.ArrowException, UnicodeError):  # e.g. a lone surrogate: the slow path
            return pa.array([mask_phone(v, None) for v in values], type=pa.string())
    pieces: list[Any] = []  # masks of one shape each …
    where: list[np.ndarray] = []  # … and the positions they belong to
    done = np.zeros(len(text), dtype=bool)
    cn = pc.match_substring_regex(text, _CN_MOBILE_E164).to_numpy(zero_copy_only=False)
    if cn.any():
        mobiles = text.filter(pa.array(cn))
        # "+86" + 3-digit network prefix + 4 hidden + last 4: keep [3:6] and [10:14].
        pieces.append(
            pc.binary_join_element_wise(
                pc.utf8_slice_codeunits(mobiles, 3, 6),
                "****",
                pc.utf8_slice_codeunits(mobiles, 10, 14),
                "",
            )
        )
        where.append(np.flatnonzero(cn))
        done |= cn
    # Other E.164 text: "+<cc>", a star per hidden national digit, the last 4 digits.
    # _split_e164 takes the shortest 1-3 digit prefix whose value is a country code.
    plain = pc.match_substring_regex(text, r"^\+[0-9]+$").to_numpy(zero_copy_only=False)
    size = np.zeros(len(text), dtype=np.int64)
    if (plain & ~done).any():
        for width in (3, 2, 1):  # the shortest match wins: it is written last
            prefix = pc.cast(
                pc.utf8_slice_codeunits(pc.if_else(pa.array(plain), text, "+0"), 1, 1 + width),
                pa.int64(),
            )
            hit = pc.is_in(prefix, value_set=_country_codes()).to_numpy(zero_copy_only=False)
            size[hit & plain & ~done] = width
    for width in (1, 2, 3):
        rows = size == width
        if not rows.any():
            continue
        numbers = text.filter(pa.array(rows))
        country = pc.utf8_slice_codeunits(numbers, 0, 1 + width)  # "+" and the code
        national = pc.subtract(pc.utf8_length(numbers), 1 + width).to_numpy()
        stars = pa.array(np.maximum(national - 4, 0))
        tail = pc.if_else(
            pa.array(national > 4), pc.utf8_slice_codeunits(numbers, -4), pa.scalar("", pa.string())
        )
        # Four or fewer national digits: all hidden, shown as "****".
        stars_text = pc.if_else(
            pa.array(national > 4), pc.binary_repeat("*", stars), pa.scalar("****", pa.string())
        )
        pieces.append(pc.binary_join_element_wise(country, stars_text, tail, ""))
        where.append(np.flatnonzero(rows))
        done |= rows
    if not done.all():
        rest = np.flatnonzero(~done)
        others = text.take(pa.array(rest)).to_pylist()
        pieces.append(pa.array([mask_phone(v, None) for v in others], type=pa.string()))
        where.append(rest)
    if not pieces:
        return pa.array([], type=pa.string())
    placed = np.empty(len(text), dtype=np.int64)  # position in the pieces → position
    placed[np.concatenate(where)] = np.arange(len(text))
    return pa.concat_arrays([p.cast(pa.string()) for p in pieces]).take(pa.array(placed))


@lru_cache(maxsize=1)
def _country_codes() -> Any:
    import phonenumbers
    import pyarrow as pa

    return pa.array(sorted(phonenumbers.COUNTRY_CODE_TO_REGION_CODE), type=pa.int64())
