"""The finding catalogue: every code, its family, default severity and remediation.

This is the one place codes are defined (DESIGN.md §4 — the codes are a public
contract). Checks emit codes and evidence only; severity and remediation are looked
up here, then adjusted by the config's overrides.
"""

from __future__ import annotations

from dataclasses import dataclass

from contactaudit.models import Severity

FAMILIES = ("malformed", "duplicated", "mismatched", "stale", "gate")

REMEDIATIONS = (
    "BLOCK_SEND",
    "SUPPRESS_SMS",
    "REVERIFY",
    "RECOLLECT",
    "FIX_FORMAT",
    "SPLIT",
    "MERGE",
    "REVIEW",
    "RESCHEDULE",
    "USE_NEUTRAL_TEMPLATE",
)


@dataclass(frozen=True)
class CodeInfo:
    code: str
    family: str
    severity: Severity
    remediation: str
    title: str
    explanation: str
    # Per-source default severities where the contract differs by table.
    severity_by_source: tuple[tuple[str, Severity], ...] = ()

    def default_severity(self, source: str) -> Severity:
        return dict(self.severity_by_source).get(source, self.severity)


C, H, M, L, N = (
    Severity.CRITICAL,
    Severity.HIGH,
    Severity.MEDIUM,
    Severity.LOW,
    Severity.INFO,
)

# fmt: off
_ENTRIES: tuple[CodeInfo, ...] = (
    # --- malformed: one per phone cell at most, in this order -------------------
    CodeInfo(
        "phone-missing", "malformed", H, "RECOLLECT", "Phone missing",
        "The phone cell is empty or holds a null token (null, none, nan, n/a, -, /, 0, "
        "无, 暂无). High on borrowers (no way to reach the borrower), low on contacts.",
        (("contacts", L),),
    ),
    CodeInfo(
        "phone-masked", "malformed", H, "RECOLLECT", "Phone masked upstream",
        "The cell contains mask characters (138****5678, ×, ＊): the export was masked "
        "before it reached you, so the real number cannot be used or checked.",
    ),
    CodeInfo(
        "phone-precision-lost", "malformed", H, "RECOLLECT", "Spreadsheet lost digits",
        "A spreadsheet wrote the number as a float or in scientific notation with fewer "
        "written digits than the number has (1.38123E+10 writes 6 of 11). It cannot be "
        "recovered exactly; padding with zeros would give a stranger's number.",
    ),
    CodeInfo(
        "phone-multiple", "malformed", M, "SPLIT", "Several numbers in one cell",
        "The cell holds several numbers (13812345678/13987654321, 母亲138… 父亲139…). "
        "Split them into separate rows so each can be checked and attributed.",
    ),
    CodeInfo(
        "phone-unparseable", "malformed", H, "RECOLLECT", "Not a phone number",
        "The cell cannot be read as a phone number at all.",
    ),
    CodeInfo(
        "phone-not-sms-capable", "malformed", H, "SUPPRESS_SMS", "Not an SMS-capable range",
        "The number is in an IoT/M2M, satellite or emergency range (CN 140–144, 146, "
        "148, 13-digit 1440x/146xx/148xx/1410x/1064x, 1749, 17406–17412): no person "
        "reads texts sent to it.",
    ),
    CodeInfo(
        "phone-invalid", "malformed", H, "SUPPRESS_SMS", "Invalid number",
        "The text parses as a phone number but is not a valid number for its region.",
    ),
    CodeInfo(
        "phone-placeholder", "malformed", H, "SUPPRESS_SMS", "Placeholder number",
        "A known dummy (13800138000, 13888888888 …), seven or more identical trailing "
        "digits, or eight or more consecutive ascending/descending digits: staff typed "
        "a filler, and a real stranger may own it.",
    ),
    CodeInfo(
        "phone-not-mobile", "malformed", M, "SUPPRESS_SMS", "Not a mobile number",
        "Valid, but a fixed line, toll-free, shared-cost, premium, UAN, voicemail or "
        "pager number: it cannot take SMS.",
    ),
    CodeInfo(
        "phone-has-extension", "malformed", M, "SUPPRESS_SMS", "Number has an extension",
        "The number carries an extension (ext. 12, #12, 转123, 分机): a switchboard, "
        "not a personal handset. Checked by its main number elsewhere.",
    ),
    CodeInfo(
        "phone-float-artifact", "malformed", L, "FIX_FORMAT", "Spreadsheet float artefact",
        "A spreadsheet stored the number as a float (13812345678.0, 1.3812345678E10) "
        "but every digit survived, so it was recovered exactly. Store it as text.",
    ),
    CodeInfo(
        "phone-nonstandard-format", "malformed", N, "FIX_FORMAT", "Decorated number",
        "Valid, but stored with decoration: separators, brackets, full-width digits, a "
        "00/0086 prefix. Plain E.164 and plain national digits are fine.",
    ),
    # --- duplicated ---------------------------------------------------------------
    CodeInfo(
        "phone-shared-by-borrowers", "duplicated", H, "REVERIFY", "Number shared by borrowers",
        "The same number is the phone of two or more distinct borrowers: a household "
        "phone, a recycled number or a data-entry error. A text to one reaches the other.",
    ),
    CodeInfo(
        "borrower-duplicate-id", "duplicated", H, "MERGE", "Duplicate borrower id",
        "A borrower_id appears on several borrower rows with different phones: which "
        "number is the borrower's is unknown.",
    ),
    CodeInfo(
        "contact-is-borrower-phone", "duplicated", H, "REVERIFY",
        "Contact has the borrower's number",
        "A contact (not 'self') carries the listing borrower's own number: the number "
        "registered as the borrower's may really be the relative's.",
    ),
    CodeInfo(
        "contact-is-other-borrower", "duplicated", H, "USE_NEUTRAL_TEMPLATE",
        "Contact is another borrower",
        "A contact's number is another borrower's phone: a text about one debt would "
        "reach another customer.",
    ),
    CodeInfo(
        "contact-shared-by-borrowers", "duplicated", H, "SUPPRESS_SMS", "Contact fan-out",
        "One contact number is listed by many distinct borrowers (default 3 or more): a "
        "broker, an agent or fabricated contacts.",
    ),
    CodeInfo(
        "contact-duplicate", "duplicated", L, "MERGE", "Duplicate contact",
        "The same borrower lists the same contact number twice or more.",
    ),
    # --- mismatched ---------------------------------------------------------------
    CodeInfo(
        "self-contact-mismatch", "mismatched", M, "REVERIFY", "Self contact differs",
        "A contact row with relationship 'self' has a number different from the "
        "borrower's phone: one of the two is out of date.",
    ),
    CodeInfo(
        "name-conflict", "mismatched", M, "REVERIFY", "Number under several names",
        "One number is listed on contact rows under two or more different person names "
        "(after folding case, width and spaces; role words such as 妈妈 or 先生 ignored).",
    ),
    CodeInfo(
        "relationship-unknown", "mismatched", L, "REVIEW", "Relationship unknown",
        "The relationship is blank or outside the vocabulary, so a collection text "
        "cannot tell whether the contact may be reached.",
    ),
    CodeInfo(
        "region-mismatch", "mismatched", L, "REVIEW", "Region differs from country",
        "The number's region differs from the record's country column.",
    ),
    CodeInfo(
        "contact-orphan", "mismatched", M, "REVIEW", "Contact without borrower",
        "A contact row's borrower_id is not in the borrowers export.",
    ),
    # --- stale --------------------------------------------------------------------
    CodeInfo(
        "phone-reassigned", "stale", C, "SUPPRESS_SMS", "Number reassigned",
        "The number is on the reassigned/disconnected list with a disconnection on or "
        "after the record's last verification (or the record was never verified): a "
        "stranger now owns it.",
    ),
    CodeInfo(
        "phone-verification-stale", "stale", M, "REVERIFY", "Verification stale",
        "The last verification (the latest of verified and consent dates) is older "
        "than stale_after_days before --as-of (borrowers 180, contacts 365).",
    ),
    CodeInfo(
        "phone-never-verified", "stale", L, "REVERIFY", "Never verified",
        "The export has verification columns but they are all empty for this record.",
    ),
    CodeInfo(
        "phone-opted-out", "stale", H, "SUPPRESS_SMS", "Opted out",
        "The number is on the opt-out list, or the borrower's sms_opt_out is true.",
    ),
    # --- campaign gate --------------------------------------------------------------
    CodeInfo(
        "recipient-borrower-unknown", "gate", C, "BLOCK_SEND", "Borrower unknown",
        "The message's borrower_id is not in the borrowers export; no other recipient "
        "code is reported for it.",
    ),
    CodeInfo(
        "recipient-third-party", "gate", C, "BLOCK_SEND", "Third-party recipient",
        "The number is not the borrower's own: a collection message to one of the "
        "borrower's non-self contacts, or any message to another borrower's phone.",
    ),
    CodeInfo(
        "recipient-not-on-file", "gate", C, "BLOCK_SEND", "Recipient not on file",
        "The number is neither the borrower's phone, nor one of that borrower's "
        "contacts, nor another borrower's phone.",
    ),
    CodeInfo(
        "recipient-opted-out", "gate", C, "BLOCK_SEND", "Recipient opted out",
        "The number is on the opt-out list, or is the phone of a borrower whose "
        "sms_opt_out is true.",
    ),
    CodeInfo(
        "recipient-unsafe-number", "gate", C, "BLOCK_SEND", "Unsafe recipient number",
        "A record of this borrower holding the number carries a critical or high audit "
        "finding (other than phone-opted-out), or the number itself is unusable.",
    ),
    CodeInfo(
        "recipient-outside-hours", "gate", H, "RESCHEDULE", "Outside sending hours",
        "scheduled_at, in the recipient's local time, is outside the allowed window "
        "(08:00 ≤ time < 21:00 by default).",
    ),
    CodeInfo(
        "recipient-debt-disclosure", "gate", C, "BLOCK_SEND", "Debt disclosed to third party",
        "The recipient is not the borrower and the text mentions the debt (逾期, 欠款, "
        "还款, 催收, overdue, debt, amounts …).",
    ),
)

# fmt: on

CATALOG: dict[str, CodeInfo] = {entry.code: entry for entry in _ENTRIES}

# The malformed codes in the contract's precedence order (one per cell at most).
MALFORMED_ORDER: tuple[str, ...] = tuple(e.code for e in _ENTRIES if e.family == "malformed")

# Codes whose findings put the number on suppression.csv.
SUPPRESSING_REMEDIATIONS = frozenset({"SUPPRESS_SMS", "BLOCK_SEND"})


def codes_in_family(family: str) -> tuple[str, ...]:
    return tuple(e.code for e in _ENTRIES if e.family == family)


def get(code: str) -> CodeInfo:
    return CATALOG[code]
