"""No report a person reads carries an input phone number unmasked.

The fixture findings hold real-looking ``e164`` and ``raw`` values; every rendered
report is searched for them, for their national digits and for the digits-only form
of each raw cell. suppression.csv is the one file that holds numbers by design.
"""

import re

import pytest

from contactaudit.reporters import (
    csv_report,
    html_report,
    junit_report,
    markdown_report,
    suppression,
)
from reporting_samples import SECRETS, sample_report


def needles() -> set[str]:
    found = set(SECRETS)
    for secret in SECRETS:
        digits = re.sub(r"\D", "", secret)
        found.add(digits)
        if secret.startswith("+86"):
            found.add(digits[2:])  # the national number as people write it
    return {n for n in found if len(n) >= 7}


def as_text(data: str | bytes) -> str:
    return data.decode("utf-8-sig") if isinstance(data, bytes) else data


@pytest.mark.parametrize(
    "render",
    [csv_report.render, markdown_report.render, junit_report.render, html_report.render],
    ids=["csv", "markdown", "junit", "html"],
)
def test_reports_hold_no_unmasked_number(render):
    text = as_text(render(sample_report(), reveal_phones=False))
    squeezed = re.sub(r"[\s\-'\"]", "", text)
    for needle in needles():
        assert needle not in text
        assert needle not in squeezed


@pytest.mark.parametrize(
    "render",
    [markdown_report.render, junit_report.render, html_report.render],
    ids=["markdown", "junit", "html"],
)
def test_shared_reports_stay_masked_even_with_reveal_phones(render):
    text = as_text(render(sample_report(reveal_phones=True), reveal_phones=True))
    for needle in needles():
        assert needle not in text


def test_only_the_csv_reveals_numbers_when_asked():
    text = as_text(csv_report.render(sample_report(), reveal_phones=True))
    assert "'+8613812345678" in text
    assert "138 1234 5678" in text


def test_suppression_holds_e164_numbers_but_no_raw_cells():
    text = suppression.render(sample_report())
    assert "+8613812345678" in text
    assert "138 1234 5678" not in text
    assert "+86 150-1234-5678" not in text
