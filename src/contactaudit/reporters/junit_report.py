"""junit.xml: one testsuite per catalogue family, one testcase per code.

The shape follows the JUnit XML dialect that Jenkins (xunit plugin ``junit-10.xsd``),
GitLab and Azure Pipelines all read; ``tests/data/junit.xsd`` holds that schema and a
test validates every rendering against it.

Choices the contract leaves open:

- Every catalogue code is a testcase, so a CI dashboard tracks each rule over time;
  a code with no findings passes. In an ``audit`` run the ``gate`` family is
  ``<skipped>`` (those rules only run in ``contactaudit gate``).
- A testcase fails when it has findings at or above ``report.fail_on`` (with
  ``fail_on_new`` only ``status == "new"`` ones; with ``never`` nothing fails) — the
  same rule as the exit status, so the XML and the exit code always agree. The
  ``<failure>`` message has the counts; its body lists up to ``EXAMPLES`` (5) failing
  findings as ``source:row [record] masked-number: message``. A passing code that
  still has findings (below the threshold) reports them in ``<system-out>``.
- Deterministic: the suite ``timestamp`` is ``report.as_of`` at midnight, testcase
  times are 0. Only the root ``time`` carries ``report.duration_seconds`` when set
  (a timing field, allowed to differ between runs).
- ``tests``/``failures``/``errors``/``skipped`` are on every suite; the root carries
  ``tests``/``failures``/``errors`` only, because junit-10.xsd has no ``skipped``
  attribute on ``<testsuites>``.
- Numbers are masked whatever ``reveal_phones`` says: CI logs are widely readable.
- Characters XML 1.0 cannot carry (control characters in a hostile record id) are
  replaced by U+FFFD so the file always parses.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter

import numpy as np
import pandas as pd

from contactaudit import __version__, catalog
from contactaudit.models import SEVERITY_ORDER, AuditReport
from contactaudit.reporters._common import failing_mask, text_or_empty

EXAMPLES = 5

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _clean(value: object) -> str:
    return _NOT_XML.sub("\ufffd", text_or_empty(value))


def _example(rec: dict) -> str:
    where = f"{rec['source']}:{int(rec['row'])}"
    if text_or_empty(rec["record_id"]):
        where += f" [{rec['record_id']}]"
    number = text_or_empty(rec["phone_masked"]) or "-"
    status = f" ({rec['status']})" if text_or_empty(rec["status"]) else ""
    return f"{where} {number}: {text_or_empty(rec['message'])}{status}"


def _by_severity(severities: pd.Series) -> str:
    counts = severities.value_counts()
    return ", ".join(f"{int(counts[s]):,} {s}" for s in SEVERITY_ORDER if s in counts.index)


def _describe(findings: pd.DataFrame, positions: np.ndarray, title: str) -> str:
    """The title, the first ``EXAMPLES`` of the findings at ``positions``, and how many
    more (only the examples are copied out of the frame)."""
    lines = [title]
    lines += [_example(rec) for rec in findings.iloc[positions[:EXAMPLES]].to_dict("records")]
    if len(positions) > EXAMPLES:
        lines.append(f"… and {len(positions) - EXAMPLES:,} more")
    return "\n".join(lines)


def render(report: AuditReport, *, reveal_phones: bool = False) -> str:
    """The JUnit XML document (``reveal_phones`` is ignored: masked numbers only)."""
    f = report.findings
    failing = failing_mask(report)
    codes = f["code"].to_numpy(dtype=object)
    severities = f["severity"].to_numpy(dtype=object)
    # Positions per code, computed once: a Python pass per code, not per finding.
    positions: dict[str, np.ndarray] = {}
    if len(f):
        for code, idx in pd.Series(np.arange(len(f))).groupby(codes, sort=False):
            positions[str(code)] = idx.to_numpy()
    threshold = report.fail_on + (" (new findings only)" if report.fail_on_new else "")
    timestamp = f"{report.as_of.isoformat()}T00:00:00"

    root = ET.Element("testsuites", {"name": "contactaudit"})
    totals: Counter[str] = Counter()
    for suite_id, family in enumerate(catalog.FAMILIES):
        suite = ET.SubElement(root, "testsuite")
        props = ET.SubElement(suite, "properties")
        for name, value in (
            ("command", report.command),
            ("as_of", report.as_of.isoformat()),
            ("default_region", report.default_region),
            ("fail_on", report.fail_on),
            ("fail_on_new", "true" if report.fail_on_new else "false"),
            ("version", __version__),
        ):
            ET.SubElement(props, "property", {"name": name, "value": _clean(value)})
        counts: Counter[str] = Counter()
        skip_family = family == "gate" and report.command == "audit"
        for code in catalog.codes_in_family(family):
            counts["tests"] += 1
            case = ET.SubElement(
                suite,
                "testcase",
                {"classname": f"contactaudit.{family}", "name": code, "time": "0"},
            )
            mine = positions.get(code, np.empty(0, dtype=np.int64))
            bad = mine[failing[mine]]
            if len(bad):
                counts["failures"] += 1
                bad_severities = pd.Series(severities[bad])
                worst = next(s for s in SEVERITY_ORDER if (bad_severities == s).any())
                message = (
                    f"{len(bad):,} finding{'s' if len(bad) != 1 else ''} at or above "
                    f"{threshold}: {_by_severity(bad_severities)}"
                )
                failure = ET.SubElement(case, "failure", {"message": message, "type": worst})
                failure.text = _clean(
                    _describe(f, bad, f"{catalog.CATALOG[code].title} — {message}")
                    + f"\nremediation: {catalog.CATALOG[code].remediation}"
                )
            elif skip_family and not len(mine):
                counts["skipped"] += 1
                ET.SubElement(
                    case,
                    "skipped",
                    {"message": "campaign gate rules run only in 'contactaudit gate'"},
                )
            if len(mine) and not len(bad):
                out = ET.SubElement(case, "system-out")
                out.text = _clean(
                    _describe(
                        f,
                        mine,
                        f"{len(mine):,} finding{'s' if len(mine) != 1 else ''} below "
                        f"{threshold}: {_by_severity(pd.Series(severities[mine]))}",
                    )
                )
        suite.attrib.update(
            {
                "name": f"contactaudit.{family}",
                "tests": str(counts["tests"]),
                "failures": str(counts["failures"]),
                "errors": "0",
                "skipped": str(counts["skipped"]),
                "time": "0",
                "timestamp": timestamp,
                "hostname": "contactaudit",
                "id": str(suite_id),
                "package": "contactaudit",
            }
        )
        totals.update(counts)
    root.attrib.update(
        {
            "tests": str(totals["tests"]),
            "failures": str(totals["failures"]),
            "errors": "0",
            "time": f"{report.duration_seconds:.3f}" if report.duration_seconds else "0",
        }
    )
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode", short_empty_elements=True)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"
