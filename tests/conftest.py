"""Shared fixtures: a fixed hash key so no test writes a key file to the home directory."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _hash_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONTACTAUDIT_HASH_KEY", "test-key-not-secret")
