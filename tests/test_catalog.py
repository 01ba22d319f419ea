from __future__ import annotations

import re
from pathlib import Path

from contactaudit import catalog
from contactaudit.models import Severity
from contract_helpers import CATALOGUE

ROOT = Path(__file__).resolve().parents[1]

# The contract's codes (DESIGN.md §4) with default severity and remediation, as
# contract_helpers spells them out; phone-missing's "high/low" is high by default.
CONTRACT = {code: (sev.split("/")[0], rem) for code, (sev, rem) in CATALOGUE.items()}


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
