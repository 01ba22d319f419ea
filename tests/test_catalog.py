from __future__ import annotations

import re
from pathlib import Path

from contactaudit import catalog
from contactaudit.models import Severity

ROOT = Path(__file__).resolve().parents[1]

# The contract's codes (DESIGN.md §4), with default severity and remediation.
CONTRACT = {
    "phone-missing": ("high", "RECOLLECT"),
    "phone-masked": ("high", "RECOLLECT"),
    "phone-precision-lost": ("high", "RECOLLECT"),
    "phone-multiple": ("medium", "SPLIT"),
    "phone-unparseable": ("high", "RECOLLECT"),
    "phone-not-sms-capable": ("high", "SUPPRESS_SMS"),
    "phone-invalid": ("high", "SUPPRESS_SMS"),
    "phone-placeholder": ("high", "SUPPRESS_SMS"),
    "phone-not-mobile": ("medium", "SUPPRESS_SMS"),
    "phone-has-extension": ("medium", "SUPPRESS_SMS"),
    "phone-float-artifact": ("low", "FIX_FORMAT"),
    "phone-nonstandard-format": ("info", "FIX_FORMAT"),
    "phone-shared-by-borrowers": ("high", "REVERIFY"),
    "borrower-duplicate-id": ("high", "MERGE"),
    "contact-is-borrower-phone": ("high", "REVERIFY"),
    "contact-is-other-borrower": ("high", "USE_NEUTRAL_TEMPLATE"),
    "contact-shared-by-borrowers": ("high", "SUPPRESS_SMS"),
    "contact-duplicate": ("low", "MERGE"),
    "self-contact-mismatch": ("medium", "REVERIFY"),
    "name-conflict": ("medium", "REVERIFY"),
    "relationship-unknown": ("low", "REVIEW"),
    "region-mismatch": ("low", "REVIEW"),
    "contact-orphan": ("medium", "REVIEW"),
    "phone-reassigned": ("critical", "SUPPRESS_SMS"),
    "phone-verification-stale": ("medium", "REVERIFY"),
    "phone-never-verified": ("low", "REVERIFY"),
    "phone-opted-out": ("high", "SUPPRESS_SMS"),
    "recipient-borrower-unknown": ("critical", "BLOCK_SEND"),
    "recipient-third-party": ("critical", "BLOCK_SEND"),
    "recipient-not-on-file": ("critical", "BLOCK_SEND"),
    "recipient-opted-out": ("critical", "BLOCK_SEND"),
    "recipient-unsafe-number": ("critical", "BLOCK_SEND"),
    "recipient-outside-hours": ("high", "RESCHEDULE"),
    "recipient-debt-disclosure": ("critical", "BLOCK_SEND"),
}


def test_catalogue_holds_exactly_the_contract_codes_with_their_defaults() -> None:
    got = {c: (e.severity.value, e.remediation) for c, e in catalog.CATALOG.items()}
    assert got == CONTRACT


def test_phone_missing_is_low_on_contacts() -> None:
    entry = catalog.CATALOG["phone-missing"]
    assert entry.default_severity("borrowers") is Severity.HIGH
    assert entry.default_severity("contacts") is Severity.LOW


def test_malformed_order_is_the_contract_precedence() -> None:
    assert catalog.MALFORMED_ORDER == tuple(list(CONTRACT)[:12])


def test_every_code_is_documented_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| ([a-z-]+) \|", readme, flags=re.M))
    assert set(catalog.CATALOG) <= documented


def test_every_check_module_emits_only_catalogued_codes() -> None:
    emitted: set[str] = set()
    for path in (ROOT / "src" / "contactaudit" / "checks").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        emitted |= set(
            re.findall(
                r"\"((?:phone|borrower|contact|self|name|relationship|"
                r"region|recipient)-[a-z-]+)\"",
                text,
            )
        )
    assert emitted, "no codes found in checks/"
    assert emitted <= set(catalog.CATALOG)
