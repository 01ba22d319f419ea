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
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from contactaudit.errors import ConfigError

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
