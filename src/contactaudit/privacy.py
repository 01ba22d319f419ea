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
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

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
    key = hash_key()
    out: dict[str, str] = {}
    for value in e164_values:
        if value and value not in out:
            out[value] = hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()[:16]
    return out


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
    numbers = e164.to_numpy(dtype=object, na_value=None)
    cells = raw.to_numpy(dtype=object, na_value=None)
    has_number = np.array([isinstance(v, str) and v != "" for v in numbers], dtype=bool)
    out = np.full(len(numbers), None, dtype=object)
    for mask, values, masker in (
        (has_number, numbers, lambda v: mask_phone(v, None)),
        (~has_number, cells, lambda v: mask_phone(None, v)),
    ):
        if not mask.any():
            continue
        codes, uniques = pd.factorize(values[mask])
        masked = np.array([masker(v) for v in uniques] + [None], dtype=object)
        out[mask] = masked[np.where(codes < 0, len(uniques), codes)]
    return pd.Series(out, index=e164.index, dtype=object)
