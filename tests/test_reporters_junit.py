import xml.etree.ElementTree as ET
from functools import cache
from pathlib import Path

import pytest
import xmlschema

from contactaudit import catalog
from contactaudit.reporters import junit_report
from reporting_samples import assert_golden, findings_frame, hostile_row, sample_report

XSD = Path(__file__).parent / "data" / "junit.xsd"


@cache
def schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(XSD))


def render(report) -> ET.Element:
    text = junit_report.render(report)
    schema().validate(text)
    return ET.fromstring(text.encode("utf-8"))


def case(root: ET.Element, code: str) -> ET.Element:
    return root.find(f".//testcase[@name='{code}']")


def test_junit_xml_matches_golden_file():
    assert_golden("junit.xml", junit_report.render(sample_report()))


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {"fail_on": "never"},
        {"fail_on_new": True},
        {"command": "gate"},
        {"duration_seconds": 12.3456},
        {"findings": findings_frame([])},
        {"findings": findings_frame([hostile_row("B\x00\x1b<&>\"'", "bad\x07 ]]> text")])},
    ],
)
def test_output_validates_against_the_junit_schema(overrides):
    render(sample_report(**overrides))


def test_one_suite_per_family_and_one_case_per_catalogue_code():
    root = render(sample_report())
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == [f"contactaudit.{f}" for f in catalog.FAMILIES]
    for suite, family in zip(suites, catalog.FAMILIES, strict=True):
        names = [c.get("name") for c in suite.findall("testcase")]
        assert names == list(catalog.codes_in_family(family))
        assert {c.get("classname") for c in suite.findall("testcase")} == {f"contactaudit.{family}"}
        assert suite.get("tests") == str(len(names))
    assert root.get("tests") == str(len(catalog.CATALOG))


def test_codes_at_or_above_fail_on_fail_and_others_pass():
    root = render(sample_report())
    failing = {c.get("name") for c in root.iter("testcase") if c.find("failure") is not None}
    assert failing == {
        "phone-reassigned",
        "contact-is-other-borrower",
        "phone-invalid",
        "phone-opted-out",
        "phone-shared-by-borrowers",
    }
    assert root.get("failures") == "5"
    assert root.find("testsuite[@name='contactaudit.duplicated']").get("failures") == "2"
    below = case(root, "name-conflict")
    assert below.find("failure") is None
    assert "1 finding below high: 1 medium" in below.findtext("system-out")
    assert case(root, "phone-missing").find("*") is None


def test_failure_message_counts_and_masked_examples():
    root = render(sample_report())
    failure = case(root, "phone-shared-by-borrowers").find("failure")
    assert failure.get("message") == "2 findings at or above high: 2 high"
    assert failure.get("type") == "high"
    assert "borrowers:4 [B003] 150****5678: number is also the phone" in failure.text
    assert "remediation: REVERIFY" in failure.text


def test_at_most_five_examples_per_code():
    rows = [hostile_row(f"C{i}", "unknown relationship", row=10 + i) for i in range(8)]
    root = render(sample_report(rows, fail_on="low"))
    text = case(root, "relationship-unknown").find("failure").text
    assert text.count("unknown relationship") == 5
    assert "… and 3 more" in text


def test_fail_on_never_fails_nothing():
    root = render(sample_report(fail_on="never"))
    assert root.get("failures") == "0"
    assert not list(root.iter("failure"))


def test_fail_on_new_counts_only_new_findings():
    root = render(sample_report(fail_on_new=True))
    failing = {c.get("name") for c in root.iter("testcase") if c.find("failure") is not None}
    # contact-is-other-borrower, phone-invalid and phone-opted-out are only persisting
    assert failing == {"phone-reassigned", "phone-shared-by-borrowers"}
    assert "new findings only" in case(root, "phone-reassigned").find("failure").get("message")


@pytest.mark.parametrize("fail_on", ["critical", "high", "medium", "low", "info", "never"])
def test_failures_agree_with_the_exit_status(fail_on):
    report = sample_report(fail_on=fail_on)
    root = render(report)
    assert (root.get("failures") != "0") == (report.exit_status == 1)


def test_gate_family_is_skipped_in_an_audit_run_only():
    audit = render(sample_report())
    gate_suite = audit.find("testsuite[@name='contactaudit.gate']")
    assert gate_suite.get("skipped") == "7"
    assert len(gate_suite.findall("testcase/skipped")) == 7
    gate = render(sample_report(command="gate"))
    assert gate.find("testsuite[@name='contactaudit.gate']").get("skipped") == "0"


def test_output_is_deterministic_with_as_of_timestamp():
    first = junit_report.render(sample_report())
    assert first == junit_report.render(sample_report())
    root = ET.fromstring(first.encode())
    assert {s.get("timestamp") for s in root.iter("testsuite")} == {"2026-11-28T00:00:00"}
    assert root.get("time") == "0"
    assert (
        ET.fromstring(junit_report.render(sample_report(duration_seconds=1.5)).encode()).get("time")
        == "1.500"
    )


def test_control_characters_are_replaced_not_emitted():
    text = junit_report.render(sample_report([hostile_row("B\x00\x1b", "bad\x07")], fail_on="low"))
    assert "\x00" not in text and "\x07" not in text
    assert "B\ufffd\ufffd" in text


@pytest.mark.parametrize(
    "mutation",
    [
        ('<testsuites name="contactaudit"', '<testsuites skipped="0" name="contactaudit"'),
        (' failures="1" errors="0" skipped="0"', ' errors="0" skipped="0"'),
        ("<testcase classname", '<testcase bogus="1" classname'),
        ('<property name="command" value="audit" />', '<property name="command" />'),
    ],
)
def test_the_schema_rejects_what_jenkins_would_reject(mutation):
    text = junit_report.render(sample_report())
    assert mutation[0] in text
    assert not schema().is_valid(text.replace(mutation[0], mutation[1], 1))
