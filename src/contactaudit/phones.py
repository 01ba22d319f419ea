"""Phone-number normalisation: every raw phone cell → E.164, one malformed code, usability.

This is the only module that calls ``phonenumbers`` (STYLE §3). Cells it can judge
by their shape are answered for whole columns at once; the rest once per *distinct*
(raw text, default region) pair, mapped back to the rows.

Two paths give identical answers (tests compare them on generated and adversarial
values, with and without extra placeholders, for CN and other regions):

* the **fast path** works on the Arrow text of every cell with string kernels and
  numpy, never building a Python string per cell. It takes printable ASCII cells and
  cells whose only other characters have a known NFKC form (full-width digits and
  signs, NBSP, U+3000, zero-width marks, mask characters), then mirrors the slow
  path's steps 1-4: outer spaces, Excel wrappers (``'…``, ``="…"``, ``"…"``), mask
  characters (phone-masked), lossy scientific notation (``1.38123E+10`` →
  phone-precision-lost, no parse needed), exact spreadsheet numbers
  (``13812345678.0``, ``1.3812345678E10`` → phone-float-artifact), then CN numbers:
  mobiles with or without ``+86`` / ``86`` / ``0086``, spaces or hyphens (clean,
  decorated or placeholder), and nationally dialled CN numbers (``010-62345897``,
  ``4001234567``, ``14012345678``) whose outcome does not depend on the spelling —
  phone-not-mobile, phone-not-sms-capable, phone-invalid, phone-placeholder; two
  mobiles in one cell (``13812345678 13987654321`` → phone-multiple); US numbers,
  ``+1`` or dialled nationally in a US row (``(212) 555-0143``). Types come from
  phonenumbers' own metadata regexes, read at run time and compiled (``re``'s parse
  tree → NFA → one layered DFA per number length) so that millions of numbers cost
  one numpy gather per digit — for CN mobiles one table lookup by their first five
  digits — following ``_number_type_helper``'s order and ``parse``'s national-prefix
  rules; a metadata release that moves a range moves both paths together, and a
  construct the compiler does not know sends those numbers slow. Everything the fast
  path does not take goes slow. The column is judged in pieces of 512k cells, two
  pieces at a time in threads (the kernels release the GIL).
* the **slow path** runs the careful pipeline below, one distinct value at a time,
  with ``phonenumbers.parse`` called once per distinct cleaned candidate.

Results carry ``e164_key``: the E.164 digits as int64 (unique: E.164 has at most 15
digits and no leading zero after ``+``), which the cross-record checks match on
instead of hashing text; ``e164`` is written from it.

Speed (measured on the shared 2-core box, CPU time): 4M cells of the benchmark mix
(1M borrowers + 3M contacts) ≈ 0.9 s on the fast path, which leaves a few dozen
distinct values (null tokens, words) of that mix to the slow path, at ≈ 70-80 µs
each, mostly inside phonenumbers. A 2-process pool on 300k messy values gained 17 %
(spawn) or nothing (forkserver) against the serial loop, so the slow path stays
serial.

Slow-path pipeline for one cell, in the order DESIGN §4 needs:

1. NFKC (full-width digits, NBSP, U+3000), zero-width characters dropped, ends
   stripped; Excel text wrappers (``'138…``, ``="138…"``) removed.
2. Empty, a null token (``vocab.NULL_TOKENS``) or an Excel error value
   (``#N/A`` …) → phone-missing.
3. Mask characters (``*``, ``×``, ``•``, runs of ``x``/``?``/``#`` or ``...`` next
   to a digit) → phone-masked, before phonenumbers, which accepts ``138****5678``.
4. Spreadsheet numbers: ``13812345678.0``, ``1.3812345678E10``, ``1,38…E+10`` and
   thousands separators (``13,812,345,678``) are recovered with ``Decimal`` when every
   digit is written; the recovered digits are then judged like any cell and a clean
   result becomes phone-float-artifact. Fewer written digits than the integer has →
   phone-precision-lost (never padded). A non-integer value → phone-unparseable.
5. Bracketed annotations without digits (``(home)``, ``（手机）``, ``[old]``) are
   dropped: phonenumbers would turn their letters into keypad digits.
6. Extensions at the end of the cell or of a piece (``ext. 12``, ``x99``, ``#12``,
   ``转123``, ``分机12``, ``;ext=12``, and a pause-dial ``,12`` / ``,,12`` after a
   complete number) are split off: the main number is judged, then
   phone-has-extension.
7. Several numbers: the cell is split on ``/ , ; | 、`` and line breaks, and each piece
   on letters / CJK text (labels such as ``母亲``). Two or more pieces holding digits
   where at least one is number-like (7+ digits) → phone-multiple (so the shorthand
   ``13812345678/9`` is two numbers). Digits separated only by spaces or hyphens are
   one number unless the whole does not validate and the groups split into two or
   more valid numbers (``13812345678 13987654321``); a digit run longer than any phone
   number (18+ digits) that splits into two valid numbers is also phone-multiple.
   ``138 1234 5678`` is always one number. One number-like chunk plus label counters
   of at most two digits (``电话1：…``) is one number; other leftover digits mixed with
   text → phone-unparseable.
8. The remaining candidate (digits and phone punctuation only) is parsed with the
   row's region — always explicit, as ``parse(x, None)`` raises. Parse errors:
   NOT_A_NUMBER → phone-unparseable; too short / too long / unknown country code →
   phone-invalid (the text is number-shaped, just wrong).
9. Then, in precedence order: CN non-SMS ranges and emergency numbers
   (phone-not-sms-capable, before validity: IoT numbers are "invalid" to
   phonenumbers), ``is_valid_number`` (phone-invalid), placeholders, type, extension,
   float, decoration.

Choices where the contract is silent (documented, tested):

* ``8613812345678`` (country code without ``+``) is usable and flagged
  phone-nonstandard-format, as phonenumbers reads it with region CN; with another
  region it is whatever that region makes of it (US: too long → phone-invalid).
* Decoration (phone-nonstandard-format) is anything other than the plain E.164 text
  or plain national digits (the national significant number, or the digits of
  phonenumbers' NATIONAL format: ``01062345897`` and ``1062345897`` are plain for a
  Beijing line, ``013926418573`` with a trunk 0 on a mobile is decorated):
  surrounding spaces, separators, brackets, labels, full-width characters, Excel
  wrappers, ``00``/``0086`` prefixes, a bare ``86``, carrier prefixes (``17951``).
* VOIP and PERSONAL_NUMBER are not phone-not-mobile: both commonly receive SMS
  (forwarding services, virtual mobiles). FIXED_LINE_OR_MOBILE is not a finding.
* ``number_type`` is phonenumbers' type name for every parsed number ("UNKNOWN" for
  an invalid one); ``number_region`` is ``region_code_for_number`` for every parsed
  number (invalid ones included) and None when nothing parsed. ``e164`` is set only
  for usable cells; ``describe_number`` shows the parsed number regardless.
* ``is_valid_number(n)`` is used for validity. In phonenumbers 9.0.x it equals
  ``number_type(n) != UNKNOWN`` (both resolve the region with
  ``region_code_for_number`` and run ``_number_type_helper``); the fast path relies on
  that helper's order (general → premium → toll-free → shared-cost → VOIP → personal
  → pager → UAN → voicemail → fixed → mobile), read from the metadata at run time.
* Region codes: missing entries of a ``regions`` Series mean ``CN`` (the signature's
  default — audit.py fills rows without a country itself); ``UK`` is read as ``GB``;
  an unknown region lets only ``+`` numbers parse, others get phone-invalid
  ("unknown default region").
* The run rule is applied anywhere in the national significant number, as DESIGN §4
  reads, with one narrow exception: the numbers DESIGN.md / PHONES.md themselves use
  as their examples of a clean number (``13812345678``), a landline (``010-12345678``,
  ``0755-12345678``) and a toll-free number (``8001234567``) are exempt from the run
  rule (``RUN_RULE_EXEMPT``), because the contract states what those exact cells
  must give (phone-float-artifact for ``13812345678.0``, phone-has-extension for
  ``13812345678转123``, phone-not-mobile for ``010-12345678`` …). Every other run,
  e.g. ``13912345678``, is a placeholder. The deny list and the trailing-digit rule
  still apply to them.
* ``extra_placeholders`` entries are NFKC-ed; ``+…`` entries compare with the E.164,
  digit-only entries with the national significant number or the national dialling
  digits (``01012345678`` matches the Beijing line ``+861012345678``).
* The ``detail`` column carries a value-free phrase for messages (a type name, a
  count, a reason) — never digits of the number.
"""

from __future__ import annotations

import re
import re._constants as _sre_c
import re._parser as _sre_p
import unicodedata
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from typing import Any

import numpy as np
import pandas as pd
import phonenumbers
import pyarrow as pa
import pyarrow.compute as pc
from phonenumbers import NumberParseException, PhoneNumberType, shortnumberinfo
from phonenumbers.phonenumber import CountryCodeSource

from contactaudit.vocab import NULL_TOKENS, fold_text

# --------------------------------------------------------------------------------
# CN-specific overrides — the ONE table to edit when MIIT moves a range or a new
# dummy number shows up. phonenumbers' metadata calls IoT numbers invalid and the
# dummies valid; these tables say what they mean for an SMS.
# --------------------------------------------------------------------------------

# country calling code → (national-significant-number pattern, why) for ranges
# where no person reads a text: checked before validity.
NOT_SMS_CAPABLE: dict[int, tuple[tuple[str, str], ...]] = {
    86: (
        (r"14[0-4]\d{8}|14[68]\d{8}", "in an IoT/M2M range"),  # 11-digit data-only
        (r"1440\d{9}|14[68]\d{10}|1410\d{9}|1064\d{9}", "in an IoT/M2M range"),  # 13-digit
        (r"1749\d{7}", "in a satellite range"),
        (r"1740[6-9]\d{6}|1741[0-2]\d{6}", "in a satellite or emergency-communication range"),
    ),
}

# Emergency short numbers on top of phonenumbers' shortnumberinfo (which knows CN
# 110/119/120 but not 122 traffic police or the GSM 112).
EMERGENCY_NUMBERS: dict[str, frozenset[str]] = {
    "CN": frozenset({"110", "112", "119", "120", "122", "999"}),
}

# The contract's own example numbers, exempt from the consecutive-run rule only (see
# the module docstring): DESIGN.md says what their cells must give.
RUN_RULE_EXEMPT: frozenset[str] = frozenset(
    {"+8613812345678", "+861012345678", "+8675512345678", "+868001234567"}
)

# Known dummy numbers, as E.164.
PLACEHOLDER_NUMBERS: frozenset[str] = frozenset(
    "+86" + n
    for n in (
        "13800138000",
        "13888888888",
        "18888888888",
        "13800000000",
        "13900000000",
        "13000000000",
        "13111111111",
        "12345678901",
        "11111111111",
        "13333333333",
        "15888888888",
        "13999999999",
        "10000000000",
    )
)

# Excel error values and a few export spellings of "nothing", beyond vocab.NULL_TOKENS.
EXTRA_NULL_TOKENS: frozenset[str] = frozenset(
    {
        "#n/a",
        "#na",
        "#value!",
        "#ref!",
        "#name?",
        "#null!",
        "#div/0!",
        "#num!",
        "--",
        "---",
        "—",
        "——",
        "undefined",
        "nil",
        "空",
        "(null)",
        "(blank)",
    }
)

# --------------------------------------------------------------------------------
# Codes and reasons
# --------------------------------------------------------------------------------

MISSING = "phone-missing"
MASKED = "phone-masked"
PRECISION_LOST = "phone-precision-lost"
MULTIPLE = "phone-multiple"
UNPARSEABLE = "phone-unparseable"
NOT_SMS = "phone-not-sms-capable"
INVALID = "phone-invalid"
PLACEHOLDER = "phone-placeholder"
NOT_MOBILE = "phone-not-mobile"
EXTENSION = "phone-has-extension"
FLOAT = "phone-float-artifact"
NONSTANDARD = "phone-nonstandard-format"

MALFORMED_CODES: tuple[str, ...] = (
    MISSING,
    MASKED,
    PRECISION_LOST,
    MULTIPLE,
    UNPARSEABLE,
    NOT_SMS,
    INVALID,
    PLACEHOLDER,
    NOT_MOBILE,
    EXTENSION,
    FLOAT,
    NONSTANDARD,
)
UNUSABLE_CODES: frozenset[str] = frozenset(
    {MISSING, MASKED, PRECISION_LOST, MULTIPLE, UNPARSEABLE, NOT_SMS, INVALID, PLACEHOLDER}
)

OUTPUT_COLUMNS: tuple[str, ...] = (
    "raw",
    "e164",
    "malformed",
    "usable",
    "number_region",
    "number_type",
    "detail",
    "e164_key",
)

# Types that cannot take SMS. VOIP / PERSONAL_NUMBER deliberately absent (docstring).
_NOT_MOBILE_TYPES: dict[int, str] = {
    PhoneNumberType.FIXED_LINE: "fixed-line",
    PhoneNumberType.TOLL_FREE: "toll-free",
    PhoneNumberType.SHARED_COST: "shared-cost",
    PhoneNumberType.PREMIUM_RATE: "premium-rate",
    PhoneNumberType.UAN: "UAN",
    PhoneNumberType.VOICEMAIL: "voicemail",
    PhoneNumberType.PAGER: "pager",
}
_TYPE_NAMES: dict[int, str] = {
    v: k for k, v in vars(PhoneNumberType).items() if k.isupper() and isinstance(v, int)
}

# Decoration reasons, in the order they are reported.
R_FULLWIDTH = "full-width characters or special spaces"
R_WRAPPER = "spreadsheet text wrapper"
R_LABEL = "annotation or label"
R_SEPARATORS = "spaces, separators or brackets"
R_IDD = "international prefix 00"
R_CC_NO_PLUS = "country code without +"
R_PREFIX = "extra prefix digits"
_REASON_ORDER = (R_FULLWIDTH, R_WRAPPER, R_LABEL, R_SEPARATORS, R_IDD, R_CC_NO_PLUS, R_PREFIX)

D_DENY = "known dummy number"
D_TRAILING = "7 or more identical trailing digits"
D_RUN = "run of 8 or more consecutive digits"

# --------------------------------------------------------------------------------
# Text patterns
# --------------------------------------------------------------------------------

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f"))
_DASHES = re.compile(r"[\u2010-\u2015\u2212\u30fc\ufe58\ufe63]")
_MASK = re.compile(
    r"[*×•●∗✱✲⁎※]"
    r"|(?<=\d)\s*(?:[xX]{2,}|\.{3,})|(?:[xX]{2,}|\.{3,})\s*(?=\d)"
    # ``?`` / ``#`` runs only against digits: ``??`` alone is usually a lost label glyph.
    r"|(?<=\d)(?:\?{2,}|\#{2,})(?=\d|$)"
)
_EXCEL_FORMULA = re.compile(r'^=\s*"(.*)"$', re.S)
_DOT_ZERO = re.compile(r"^(\d+)(?:\.0+|,0)$")
_THOUSANDS = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.0+)?$")
_SCIENTIFIC = re.compile(r"^(\d+)(?:[.,](\d*))?[eE]\+?(-?\d{1,4})$")
_ANNOTATION = re.compile(
    r"[(\[{<（［【《〔「『][^()\[\]{}<>（）［］【】《》〔〕「」『』\d]*[)\]}>）］】》〕」』]"
)
_EXTENSION = re.compile(
    r"(?ix)[\s\-]*[(\[]?\s*"
    r"(?:ext(?:ension)?|extn|分机号?|转分机|转|x|\#|;\s*ext=)"
    r"\s*[.:：#]?\s*(\d{1,6})\s*[)\]#]?\s*$"
)
# Pause-dial commas and the RFC 3966 ";ext=" hold separators, so they are read first.
_PAUSE_EXTENSION = re.compile(r"^(.*\d)\s*(?:,+|;\s*ext\s*=)\s*(\d{1,6})\s*$", re.S | re.I)
_STRONG_SEPARATORS = re.compile(r"[/\\,;|、\n\r\t]+")
_CHUNK = re.compile(r"[0-9+\-.()\[\] ~]+")
_NON_DIGITS = re.compile(r"\D")
_PLAIN_NUMBER = re.compile(r"^\+?[0-9]+$")
_HYPHEN_EXTENSION = re.compile(r"^(.*\d)\s*-\s*(\d{1,5})$")
_MAX_CELL_LENGTH = 256  # longer text is a note, not a phone cell (and keeps regexes linear)
_GROUP_SPLIT = re.compile(r"[\s\-]+")

_NUMBER_LIKE = 7  # digits: the shortest local landline
_MAX_NUMBER_DIGITS = 17  # phonenumbers' own maximum; a longer run is never one number


@dataclass(frozen=True)
class _Outcome:
    """What the pipeline knows about one distinct cell (richer than a row needs)."""

    code: str | None
    detail: str | None = None
    e164: str | None = None  # of the parsed main number, usable or not
    number_region: str | None = None
    number_type: str | None = None
    candidate: str | None = None  # the text handed to phonenumbers
    numobj: phonenumbers.PhoneNumber | None = None
    extension: str | None = None

    @property
    def usable(self) -> bool:
        return self.code not in UNUSABLE_CODES


@dataclass
class _Context:
    """Per-call state: placeholder sets and a parse cache shared by all cells."""

    extra_e164: frozenset[str] = frozenset()
    extra_digits: frozenset[str] = frozenset()
    parse_cache: dict[tuple[str, str], Any] = field(default_factory=dict)


def _make_context(extra_placeholders: Iterable[str]) -> _Context:
    e164: set[str] = set()
    digits: set[str] = set()
    for item in extra_placeholders:
        text = unicodedata.normalize("NFKC", str(item)).strip()
        only = _NON_DIGITS.sub("", text)
        if not only:
            continue
        if text.startswith("+"):
            e164.add("+" + only)
        else:
            digits.add(only)
    return _Context(extra_e164=frozenset(e164), extra_digits=frozenset(digits))


# --------------------------------------------------------------------------------
# Slow path
# --------------------------------------------------------------------------------


def _region_code(value: Any, default: str = "CN") -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return default
    text = str(value).strip().upper()
    if not text:
        return default
    return "GB" if text == "UK" else text


def _is_null(text: str) -> bool:
    folded = fold_text(text)
    return folded in NULL_TOKENS or folded in EXTRA_NULL_TOKENS


def _join_reasons(reasons: set[str]) -> str | None:
    ordered = [r for r in _REASON_ORDER if r in reasons]
    return "; ".join(ordered) if ordered else None


def _recover_spreadsheet_number(text: str) -> tuple[str, str] | None:
    """``(kind, value)`` for spreadsheet number text, else None.

    kind ``float``/``scientific``/``thousands`` → value is the recovered digits;
    ``lost`` → value is "W of N digits written"; ``fraction`` → not an integer.
    """
    m = _DOT_ZERO.match(text)
    if m:
        return "float", m.group(1)
    if _THOUSANDS.match(text):
        return "thousands", text.split(".")[0].replace(",", "")
    m = _SCIENTIFIC.match(text)
    if m:
        whole, frac, exp = m.group(1), m.group(2) or "", int(m.group(3))
        if exp > 20 or exp < -20:
            return "fraction", ""
        try:
            value = Decimal(f"{whole}.{frac or '0'}E{exp}")
        except InvalidOperation:  # pragma: no cover - the regex admits only digits
            return "fraction", ""
        if value != value.to_integral_value():
            return "fraction", ""
        integer = str(int(value))
        written = len((whole + frac).lstrip("0"))
        if written < len(integer.lstrip("0")):
            return "lost", f"{written} of {len(integer)} digits written"
        return "scientific", integer
    return None


def _parse(candidate: str, region: str, ctx: _Context) -> Any:
    """``phonenumbers.parse`` once per (candidate, region); an exception is cached too."""
    key = (candidate, region)
    if key not in ctx.parse_cache:
        try:
            ctx.parse_cache[key] = phonenumbers.parse(candidate, region, keep_raw_input=True)
        except NumberParseException as exc:
            ctx.parse_cache[key] = exc
    return ctx.parse_cache[key]


def _valid(candidate: str, region: str, ctx: _Context) -> bool:
    parsed = _parse(candidate, region, ctx)
    return (
        not isinstance(parsed, NumberParseException)
        and phonenumbers.number_type(parsed) != PhoneNumberType.UNKNOWN
    )


def _splits_into_valid_numbers(groups: list[str], region: str, ctx: _Context) -> int:
    """How many valid numbers ``groups`` (joined by spaces) split into; 0 if it does not.

    Only group boundaries are tried, so ``138 1234 5678`` can never become several
    numbers unless the whole is invalid and every part is valid.
    """
    if len(groups) > 12:
        return 0
    memo: dict[int, int] = {}

    def best(start: int) -> int:
        if start == len(groups):
            return 0
        if start in memo:
            return memo[start]
        found = -1
        for end in range(start + 1, len(groups) + 1):
            part = " ".join(groups[start:end])
            if len(_NON_DIGITS.sub("", part)) < _NUMBER_LIKE:
                continue
            if _valid(part, region, ctx):
                rest = best(end)
                if rest >= 0:
                    found = 1 + rest
                    break
        memo[start] = found
        return found

    count = best(0)
    return count if count >= 2 else 0


def _glued_numbers(digits: str, region: str, ctx: _Context) -> bool:
    """A digit run too long to be one number that is two valid numbers glued together."""
    if len(digits) <= _MAX_NUMBER_DIGITS or len(digits) > 2 * 15 + 2:
        return False
    return any(
        _valid(digits[:i], region, ctx) and _valid(digits[i:], region, ctx)
        for i in range(_NUMBER_LIKE, len(digits) - _NUMBER_LIKE + 1)
    )


def _several_numbers(candidate: str, digits: str, region: str, ctx: _Context) -> int:
    """How many valid numbers a candidate that is not one valid number holds (0: not several)."""
    groups = [g for g in _GROUP_SPLIT.split(candidate) if g]
    if len(groups) >= 2 and len(digits) >= 2 * _NUMBER_LIKE:
        count = _splits_into_valid_numbers(groups, region, ctx)
        if count:
            return count
    return 2 if _glued_numbers(digits, region, ctx) else 0


def _split_extension(text: str) -> tuple[str, str | None]:
    m = _EXTENSION.search(text)
    if m and re.search(r"\d", text[: m.start()]):
        return text[: m.start()], m.group(1)
    return text, None


@dataclass
class _Pieces:
    kind: str  # "one" | "multiple" | "unparseable"
    candidate: str = ""
    extension: str | None = None
    count: int = 0
    labelled: bool = False
    detail: str | None = None


def _digit_count(text: str) -> int:
    return sum(ch.isdigit() for ch in text)


def _find_numbers(text: str) -> _Pieces:
    """Split a cleaned cell into its number candidate(s) (module docstring, steps 6-7)."""
    extension = None
    m = _PAUSE_EXTENSION.match(text)
    if m and not _STRONG_SEPARATORS.search(m.group(1)) and _digit_count(m.group(1)) >= _NUMBER_LIKE:
        text, extension = m.group(1), m.group(2)

    # (main text of the piece, its digit chunks, its extension)
    pieces: list[tuple[str, list[str], str | None]] = []
    for piece in _STRONG_SEPARATORS.split(text):
        main, ext = _split_extension(piece)
        chunks = [c for c in _CHUNK.findall(main) if _digit_count(c)]
        if chunks:
            pieces.append((main, chunks, ext))
    if not pieces:
        return _Pieces("unparseable", detail="no digits")

    def long_count(chunks: list[str]) -> int:
        return sum(1 for c in chunks if _digit_count(c) >= _NUMBER_LIKE)

    if len(pieces) >= 2:
        if any(long_count(chunks) for _, chunks, _ in pieces):
            count = sum(max(1, long_count(chunks)) for _, chunks, _ in pieces)
            return _Pieces("multiple", count=count)
        # Only short fragments (``138,1234,5678``): one number with odd separators.
        joined = " ".join(c.strip() for _, chunks, _ in pieces for c in chunks)
        exts = [e for _, _, e in pieces if e]
        return _Pieces("one", candidate=joined, extension=extension or (exts[-1] if exts else None))

    main, chunks, ext = pieces[0]
    extension = extension or ext
    long_chunks = [c for c in chunks if _digit_count(c) >= _NUMBER_LIKE]
    short_chunks = [c for c in chunks if _digit_count(c) < _NUMBER_LIKE]
    if len(long_chunks) >= 2:
        return _Pieces("multiple", count=len(long_chunks))
    if len(long_chunks) == 1:
        # Label counters such as 电话1： may stay; other digits mixed with text may not.
        if any(_digit_count(c) > 2 for c in short_chunks):
            return _Pieces("unparseable", detail="digits mixed with text")
        candidate = long_chunks[0].strip()
    elif len(short_chunks) == 1:
        candidate = short_chunks[0].strip()
    else:
        return _Pieces("unparseable", detail="digits mixed with text")
    return _Pieces(
        "one", candidate=candidate, extension=extension, labelled=main.strip() != candidate
    )


def _classify(raw: str, region: str, ctx: _Context) -> _Outcome:
    """The slow path for one distinct (raw, region) pair."""
    text = unicodedata.normalize("NFKC", raw).translate(_ZERO_WIDTH)
    reasons: set[str] = set()
    if text != raw:
        reasons.add(R_FULLWIDTH)
    stripped = text.strip()
    if stripped != text:
        reasons.add(R_SEPARATORS)
    text = stripped
    m = _EXCEL_FORMULA.match(text)
    if m:
        text = m.group(1).strip()
        reasons.add(R_WRAPPER)
    elif text.startswith("'") or (len(text) > 1 and text[0] == text[-1] == '"'):
        text = text[1:-1] if text[0] == '"' else text[1:]
        text = text.strip()
        reasons.add(R_WRAPPER)

    if not text:
        return _Outcome(MISSING, "empty cell")
    if _is_null(text):
        return _Outcome(MISSING, "null token")
    if _MASK.search(text):
        return _Outcome(MASKED, "mask characters")
    if len(text) > _MAX_CELL_LENGTH:
        return _Outcome(UNPARSEABLE, "text too long for a phone cell")

    spreadsheet = _recover_spreadsheet_number(text)
    if spreadsheet is not None:
        kind, value = spreadsheet
        if kind == "lost":
            return _Outcome(PRECISION_LOST, value)
        if kind == "fraction":
            return _Outcome(UNPARSEABLE, "a fractional number")
        inner = _classify(value, region, ctx)
        if inner.code in (None, NONSTANDARD):
            what = {
                "float": "float",
                "scientific": "scientific notation",
                "thousands": "number with thousands separators",
            }[kind]
            return replace(inner, code=FLOAT, detail=what)
        return inner

    if _PLAIN_NUMBER.match(text):
        return _judge_candidate(text, None, region, reasons, ctx)
    text = _DASHES.sub("-", text)
    without_notes = text
    while True:
        reduced = _ANNOTATION.sub(" ", without_notes)
        if reduced == without_notes:
            break
        without_notes = reduced
    if without_notes != text:
        reasons.add(R_LABEL)
    text = without_notes.strip()

    found = _find_numbers(text)
    if found.kind == "multiple":
        return _Outcome(MULTIPLE, f"{found.count} numbers")
    if found.kind == "unparseable":
        return _Outcome(UNPARSEABLE, found.detail)
    if found.labelled:
        reasons.add(R_LABEL)
    return _judge_candidate(found.candidate, found.extension, region, reasons, ctx)


def _emergency(digits: str, region: str | None) -> bool:
    if not region or len(digits) > 6:
        return False
    if digits in EMERGENCY_NUMBERS.get(region, ()):
        return True
    return bool(shortnumberinfo.is_emergency_number(digits, region))


def _not_sms_capable(country_code: int, nsn: str) -> str | None:
    for pattern, why in _NOT_SMS_RE.get(country_code, ()):
        if pattern.fullmatch(nsn):
            return why
    return None


_NOT_SMS_RE: dict[int, tuple[tuple[re.Pattern[str], str], ...]] = {
    cc: tuple((re.compile(p), why) for p, why in rows) for cc, rows in NOT_SMS_CAPABLE.items()
}

_PARSE_ERROR_DETAIL = {
    NumberParseException.INVALID_COUNTRY_CODE: "unknown country code",
    NumberParseException.TOO_SHORT_AFTER_IDD: "too short",
    NumberParseException.TOO_SHORT_NSN: "too short",
    NumberParseException.TOO_LONG: "too long",
}
_POSSIBLE_DETAIL = {
    phonenumbers.ValidationResult.TOO_SHORT: "too short for its region",
    phonenumbers.ValidationResult.TOO_LONG: "too long for its region",
    phonenumbers.ValidationResult.INVALID_LENGTH: "wrong length for its region",
    phonenumbers.ValidationResult.INVALID_COUNTRY_CODE: "unknown country code",
    phonenumbers.ValidationResult.IS_POSSIBLE: "not an allocated range",
    phonenumbers.ValidationResult.IS_POSSIBLE_LOCAL_ONLY: "local number without area code",
}


def _national_digits(n: phonenumbers.PhoneNumber) -> str:
    """Digits of the NATIONAL format (``01062345897`` for a Beijing line)."""
    return _NON_DIGITS.sub(
        "", phonenumbers.format_number(n, phonenumbers.PhoneNumberFormat.NATIONAL)
    )


def _placeholder_reason(
    e164: str, nsn: str, n: phonenumbers.PhoneNumber, ctx: _Context
) -> str | None:
    if (
        e164 in PLACEHOLDER_NUMBERS
        or e164 in ctx.extra_e164
        or (
            ctx.extra_digits
            and (nsn in ctx.extra_digits or _national_digits(n) in ctx.extra_digits)
        )
    ):
        return D_DENY
    if _TRAILING_SAME.search(nsn):
        return D_TRAILING
    if _RUN.search(nsn) and e164 not in RUN_RULE_EXEMPT:
        return D_RUN
    return None


_RUN_SUBSTRINGS = ("01234567", "12345678", "23456789", "98765432", "87654321", "76543210")
_RUN_PATTERN = "|".join(_RUN_SUBSTRINGS)
_TRAILING_PATTERN = "(?:" + "|".join(f"{d}{{7}}" for d in "0123456789") + ")$"
_RUN = re.compile(_RUN_PATTERN)
_TRAILING_SAME = re.compile(_TRAILING_PATTERN)


def _judge_candidate(
    candidate: str, extension: str | None, region: str, reasons: set[str], ctx: _Context
) -> _Outcome:
    digits = _NON_DIGITS.sub("", candidate)
    known_region = region in phonenumbers.SUPPORTED_REGIONS
    parsed = _parse(candidate, region, ctx)
    if isinstance(parsed, NumberParseException):
        if not candidate.startswith("+") and _emergency(digits, region):
            return _Outcome(NOT_SMS, "an emergency number", candidate=candidate)
        count = _several_numbers(candidate, digits, region, ctx)
        if count:
            return _Outcome(MULTIPLE, f"{count} numbers", candidate=candidate)
        if parsed.error_type == NumberParseException.NOT_A_NUMBER:
            return _Outcome(UNPARSEABLE, "not a phone number", candidate=candidate)
        if not known_region and parsed.error_type == NumberParseException.INVALID_COUNTRY_CODE:
            return _Outcome(INVALID, "unknown default region", candidate=candidate)
        return _Outcome(
            INVALID, _PARSE_ERROR_DETAIL.get(parsed.error_type, "not valid"), candidate=candidate
        )

    n: phonenumbers.PhoneNumber = parsed
    extension = extension or n.extension or None
    country_code = int(n.country_code or 0)
    nsn = phonenumbers.national_significant_number(n)
    e164 = f"+{country_code}{nsn}"
    regions_for_code = phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(country_code, ())
    number_region = (
        regions_for_code[0]
        if len(regions_for_code) == 1
        else phonenumbers.region_code_for_number(n)
    )
    # number_type() != UNKNOWN is exactly is_valid_number() (module docstring); one call
    # instead of two halves the slow path's cost.
    ntype = phonenumbers.number_type(n)
    base = _Outcome(
        None, None, e164, number_region, _TYPE_NAMES.get(ntype, "UNKNOWN"), candidate, n, extension
    )

    why = _not_sms_capable(country_code, nsn)
    if why is None and _emergency(nsn, number_region or region):
        why = "an emergency number"
    if why is not None:
        return replace(base, code=NOT_SMS, detail=why)

    if ntype == PhoneNumberType.UNKNOWN:
        m = _HYPHEN_EXTENSION.match(candidate)
        if m and extension is None and _valid(m.group(1), region, ctx):
            # 010-12345678-8001: the switchboard notation for an extension.
            return _judge_candidate(m.group(1), m.group(2), region, reasons, ctx)
        count = _several_numbers(candidate, digits, region, ctx)
        if count:
            return _Outcome(MULTIPLE, f"{count} numbers", candidate=candidate)
        if (
            not known_region
            and n.country_code_source != CountryCodeSource.FROM_NUMBER_WITH_PLUS_SIGN
        ):
            detail = "unknown default region"
        else:
            detail = _POSSIBLE_DETAIL.get(
                phonenumbers.is_possible_number_with_reason(n), "not valid"
            )
        return replace(base, code=INVALID, detail=detail)

    placeholder = _placeholder_reason(e164, nsn, n, ctx)
    if placeholder is not None:
        return replace(base, code=PLACEHOLDER, detail=placeholder)

    if ntype in _NOT_MOBILE_TYPES:
        return replace(base, code=NOT_MOBILE, detail=_NOT_MOBILE_TYPES[ntype])
    if extension:
        return replace(base, code=EXTENSION, detail="extension")

    reasons = set(reasons)
    body = candidate[1:] if candidate.startswith("+") else candidate
    if not body.isdigit():
        reasons.add(R_SEPARATORS)
    source = n.country_code_source
    if source == CountryCodeSource.FROM_NUMBER_WITH_IDD:
        reasons.add(R_IDD)
    elif source == CountryCodeSource.FROM_NUMBER_WITHOUT_PLUS_SIGN:
        reasons.add(R_CC_NO_PLUS)
    elif source == CountryCodeSource.FROM_NUMBER_WITH_PLUS_SIGN:
        if digits != e164[1:]:
            reasons.add(R_PREFIX)
    elif digits != nsn and digits != _national_digits(n):  # a trunk 0 on a mobile, 17951 …
        reasons.add(R_PREFIX)
    decoration = _join_reasons(reasons)
    if decoration is not None:
        return replace(base, code=NONSTANDARD, detail=decoration)
    return base


def _classify_value(value: Any, region: str, ctx: _Context) -> _Outcome:
    text = _as_text(value)
    if text is None:
        return _Outcome(MISSING, "empty cell")
    return _classify(text, region, ctx)


def _as_text(value: Any) -> str | None:
    """The cell as text; None for a missing cell. Numbers are written as Python would."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, float):
        return None if np.isnan(value) else repr(value)
    return str(value)


# --------------------------------------------------------------------------------
# Fast path (vectorised over distinct values)
# --------------------------------------------------------------------------------


class _Unsupported(Exception):
    """A regex construct the digit-DFA compiler does not handle (use the fallback)."""


_ALL_DIGITS = (1 << 10) - 1


class _DigitNfa:
    """A Thompson NFA over the ten ASCII digits, built from ``re``'s own parse tree.

    phonenumbers' national patterns use only literals, digit classes, groups,
    alternation and counted repeats; anything else raises :class:`_Unsupported`.
    """

    def __init__(self) -> None:
        self.eps: list[list[int]] = []
        self.edges: list[list[tuple[int, int]]] = []

    def state(self) -> int:
        self.eps.append([])
        self.edges.append([])
        return len(self.eps) - 1

    def _step(self, start: int, mask: int) -> int:
        end = self.state()
        self.edges[start].append((mask, end))
        return end

    @staticmethod
    def _class_mask(items: Any) -> int:
        mask, negate = 0, False
        for op, av in items:
            if op == _sre_c.LITERAL:
                mask |= 1 << (av - 48) if 48 <= av <= 57 else 0
            elif op == _sre_c.RANGE:
                for code in range(max(av[0], 48), min(av[1], 57) + 1):
                    mask |= 1 << (code - 48)
            elif op == _sre_c.CATEGORY and av == _sre_c.CATEGORY_DIGIT:
                mask = _ALL_DIGITS
            elif op == _sre_c.NEGATE:
                negate = True
            else:
                raise _Unsupported(str(op))
        return (_ALL_DIGITS & ~mask) if negate else mask

    def add(self, items: Any, start: int) -> int:
        """Append the parsed sequence ``items`` after ``start``; return its end state."""
        for op, av in items:
            if op == _sre_c.LITERAL:
                start = self._step(start, 1 << (av - 48) if 48 <= av <= 57 else 0)
            elif op == _sre_c.IN:
                start = self._step(start, self._class_mask(av))
            elif op == _sre_c.ANY:
                start = self._step(start, _ALL_DIGITS)
            elif op == _sre_c.SUBPATTERN:
                start = self.add(av[-1], start)
            elif op == _sre_c.BRANCH:
                end = self.state()
                for alternative in av[1]:
                    first = self.state()
                    self.eps[start].append(first)
                    self.eps[self.add(alternative, first)].append(end)
                start = end
            elif op in (_sre_c.MAX_REPEAT, _sre_c.MIN_REPEAT):
                low, high, sub = av
                for _ in range(low):
                    start = self.add(sub, start)
                if high == _sre_c.MAXREPEAT:
                    loop = self.state()
                    self.eps[start].append(loop)
                    self.eps[self.add(sub, loop)].append(loop)
                    start = loop
                elif high > low:
                    if high - low > 32:
                        raise _Unsupported("long optional repeat")
                    end = self.state()
                    for _ in range(high - low):
                        self.eps[start].append(end)
                        start = self.add(sub, start)
                    self.eps[start].append(end)
                    start = end
            else:
                raise _Unsupported(str(op))
        return start

    def closure(self, states: Iterable[int]) -> frozenset[int]:
        seen = set(states)
        stack = list(seen)
        while stack:
            for nxt in self.eps[stack.pop()]:
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
        return frozenset(seen)


@dataclass(frozen=True)
class _DigitDfa:
    """Several patterns compiled into one layered DFA for digit strings of one length.

    ``tables[i][state, digit]`` is the state after position ``i``; ``accepts[name]``
    says, per final state, whether the pattern fully matched (prefix patterns: matched
    a prefix). Evaluating it is ``length`` numpy gathers over all values at once.
    """

    tables: tuple[np.ndarray, ...]
    accepts: dict[str, np.ndarray]

    def final_states(self, digits: np.ndarray) -> np.ndarray:
        state = np.zeros(len(digits), dtype=np.int32)
        for position, table in enumerate(self.tables):
            state = table[state, digits[:, position]]
        return state

    def run(self, digits: np.ndarray) -> dict[str, np.ndarray]:
        state = self.final_states(digits)
        return {name: flags[state] for name, flags in self.accepts.items()}


def _compile_digit_dfa(
    patterns: dict[str, tuple[str, bool]], length: int, max_states: int = 20000
) -> _DigitDfa:
    """``patterns``: name → (regex, prefix_only). Raises _Unsupported when it cannot."""
    nfa = _DigitNfa()
    root = nfa.state()
    accept_state: dict[str, int] = {}
    for name, (pattern, prefix_only) in patterns.items():
        first = nfa.state()
        nfa.eps[root].append(first)
        try:
            parsed = _sre_p.parse(pattern)
        except re.error as exc:  # pragma: no cover - phonenumbers' patterns compile
            raise _Unsupported(str(exc)) from None
        if parsed.state.flags & ~(re.UNICODE | re.ASCII):
            raise _Unsupported("inline flags")
        end = nfa.add(list(parsed), first)
        if prefix_only:
            nfa.edges[end].append((_ALL_DIGITS, end))
        accept_state[name] = end
    layer = {nfa.closure([root]): 0}
    tables = []
    for _ in range(length):
        following: dict[frozenset[int], int] = {}
        table = np.zeros((len(layer), 10), dtype=np.int32)
        for states, index in layer.items():
            for digit in range(10):
                bit = 1 << digit
                target = nfa.closure(to for s in states for mask, to in nfa.edges[s] if mask & bit)
                table[index, digit] = following.setdefault(target, len(following))
        if len(following) > max_states:
            raise _Unsupported("too many states")
        tables.append(table)
        layer = following
    finals = sorted(layer, key=layer.__getitem__)
    accepts = {
        name: np.array([state in final for final in finals], dtype=bool)
        for name, state in accept_state.items()
    }
    return _DigitDfa(tuple(tables), accepts)


@dataclass(frozen=True)
class _FastPlan:
    """What the fast path checks, read from phonenumbers' CN metadata at run time.

    A CN number of 11 digits takes the fast path only when phonenumbers would call it
    MOBILE: it fully matches the general and mobile patterns and none of the types
    ``_number_type_helper`` tests before MOBILE; it is outside the non-SMS ranges; and
    its start does not look like a national / carrier prefix phonenumbers might strip.
    Everything else goes to the slow path, so the fast path can only agree with it.
    """

    usable: bool
    patterns: dict[str, tuple[str, bool]] = field(default_factory=dict)
    dfa: _DigitDfa | None = None
    # The DFA's verdict by a number's first ``prefix_digits`` digits (1 take, 0 not,
    # -1 later digits decide), so most numbers cost one table lookup: see _prefix_verdicts.
    prefix_digits: int = 0
    prefix_verdict: np.ndarray | None = None


_FAST_LENGTH = 11
_BEFORE_MOBILE = (
    "premium_rate",
    "toll_free",
    "shared_cost",
    "voip",
    "personal_number",
    "pager",
    "uan",
    "voicemail",
    "fixed_line",
)
_FAST_PLAN: _FastPlan | None = None


def _desc_pattern(desc: Any, length: int) -> str | None:
    """The pattern a number of ``length`` digits must fully match; None if none can."""
    if desc is None or not desc.national_number_pattern:
        return None
    lengths = tuple(desc.possible_length or ())
    if lengths and length not in lengths:
        return None
    return str(desc.national_number_pattern)


def _fast_plan() -> _FastPlan:
    global _FAST_PLAN
    if _FAST_PLAN is None:
        _FAST_PLAN = _build_fast_plan()
    return _FAST_PLAN


def _build_fast_plan(use_dfa: bool = True) -> _FastPlan:
    md = phonenumbers.PhoneMetadata.metadata_for_region("CN")
    if md is None or md.same_mobile_and_fixed_line_pattern:
        return _FastPlan(False)
    general = _desc_pattern(md.general_desc, _FAST_LENGTH)
    mobile = _desc_pattern(md.mobile, _FAST_LENGTH)
    if general is None or mobile is None:
        return _FastPlan(False)
    patterns: dict[str, tuple[str, bool]] = {"general": (general, False), "mobile": (mobile, False)}
    for name in _BEFORE_MOBILE:
        pattern = _desc_pattern(getattr(md, name, None), _FAST_LENGTH)
        if pattern:
            patterns["before:" + name] = (pattern, False)
    for i, (pattern, _why) in enumerate(NOT_SMS_CAPABLE.get(86, ())):
        patterns[f"not_sms:{i}"] = (pattern, False)
    if md.national_prefix_for_parsing:
        patterns["national_prefix"] = (str(md.national_prefix_for_parsing), True)
    dfa = None
    if use_dfa:
        try:
            dfa = _compile_digit_dfa(patterns, _FAST_LENGTH)
        except (_Unsupported, RecursionError):
            dfa = None
    if dfa is None:
        return _FastPlan(True, patterns)
    return _FastPlan(True, patterns, dfa, *_prefix_verdicts(dfa, _mobile_verdict(dfa.accepts)))


_MAX_PREFIX_DIGITS = 6  # a verdict table of at most 10**6 entries (1 MB)


def _prefix_verdicts(dfa: _DigitDfa, verdict: np.ndarray) -> tuple[int, np.ndarray]:
    """``(p, table)``: ``table[n // 10**(length - p)]`` is the verdict of every number
    starting with those ``p`` digits, or -1 where the later digits decide.

    For CN mobiles the first five digits decide every number (the patterns tell the
    ranges apart by their start only), so p is the smallest length that decides all
    prefixes, up to ``_MAX_PREFIX_DIGITS``; undecided prefixes fall back to the whole
    DFA.
    """
    # decided[i][s]: the verdict shared by every completion of state s before position i
    # (-1 when completions differ), from the last position back.
    decided = [verdict.astype(np.int8)]
    for table in reversed(dfa.tables):
        after = decided[0][table]
        same = (after == after[:, :1]).all(axis=1)
        decided.insert(0, np.where(same, after[:, 0], -1).astype(np.int8))
    states = np.zeros(1, dtype=np.int32)
    for p in range(1, min(_MAX_PREFIX_DIGITS, len(dfa.tables)) + 1):
        # Prefixes in numeric order: prefix * 10 + digit is the flattened (prefix, digit).
        states = dfa.tables[p - 1][states].reshape(-1)
        verdicts = decided[p][states]
        if (verdicts >= 0).all():
            break
    return p, verdicts


def _mobile_flags(plan: _FastPlan, value: np.ndarray) -> np.ndarray:
    """Whether each 11-digit number (int64, -1 for none) is one the fast path may answer
    (see _FastPlan)."""
    good = value >= 0
    if plan.dfa is not None and plan.prefix_verdict is not None:
        prefix = np.where(good, value, 0) // 10 ** (_FAST_LENGTH - plan.prefix_digits)
        verdict = np.take(plan.prefix_verdict, prefix)
        ok = verdict > 0
        open_ = np.flatnonzero(verdict < 0)
        if len(open_):
            states = plan.dfa.final_states(_digit_matrix(value[open_], _FAST_LENGTH))
            ok[open_] = _mobile_verdict(plan.dfa.accepts)[states]
        return ok & good
    # The metadata grew a construct the DFA compiler does not know: use ``re``.
    texts = [f"{v:011d}" for v in value.tolist()]
    flags = {}
    for name, (pattern, prefix_only) in plan.patterns.items():
        compiled = re.compile(pattern)
        matcher = compiled.match if prefix_only else compiled.fullmatch
        flags[name] = np.array([matcher(t) is not None for t in texts], dtype=bool)
    return _mobile_verdict(flags) & good


def _mobile_verdict(flags: dict[str, np.ndarray]) -> np.ndarray:
    ok = flags["general"] & flags["mobile"]
    for name, values in flags.items():
        if name.startswith(("before:", "not_sms:")) or name == "national_prefix":
            ok &= ~values
    return ok


def _digit_matrix(value: np.ndarray, width: int) -> np.ndarray:
    """Numbers of ``width`` digits (int64, leading zeros implied) as an (n, width) int8
    array, for the DFA; -1 (none) gives zeros, which no metadata pattern accepts."""
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return (np.maximum(value, 0)[:, None] // powers % 10).astype(np.int8)


def _cn_ints(numbers: Iterable[str], prefix: str, length: int = _FAST_LENGTH) -> np.ndarray:
    """National numbers of ``length`` digits (after ``prefix``) of a set of strings, as int64."""
    out = [
        int(n[len(prefix) :])
        for n in numbers
        if n.startswith(prefix)
        and len(n) == len(prefix) + length
        and n[len(prefix) :].isdigit()
        and n[len(prefix)] != "0"
    ]
    return np.array(out, dtype=np.int64)


def _placeholder_flags(value: np.ndarray, ctx: _Context) -> tuple[np.ndarray, ...]:
    """(deny, trailing, run) for 11-digit CN mobiles (int64), as the slow path's rules.

    All three are rare, so cheap tables pick the candidates and only those are tested
    exactly: the last seven digits can be equal (or a listed number's) only when the
    last five are, and as every 8-digit window of 11 digits covers positions 3-7, only
    numbers whose digits 3-7 climb or fall by one can hold a run.
    """
    deny_values = np.concatenate(
        [
            _cn_ints(PLACEHOLDER_NUMBERS | ctx.extra_e164, "+86"),
            _cn_ints(ctx.extra_digits, ""),
        ]
    )
    suffix = _SAME_FIVE.copy()
    suffix[deny_values % 10**5] = True
    n = len(value)
    deny, trailing, run = (np.zeros(n, dtype=bool) for _ in range(3))
    # (x - x // m * m is x % m: numpy divides int64 by a constant much faster than it
    # takes a remainder.)
    maybe = np.flatnonzero(np.take(suffix, value - value // 10**5 * 10**5))
    if len(maybe):
        candidates = value[maybe]
        deny[maybe] = np.isin(candidates, deny_values)
        trailing[maybe] = (candidates % 10**7) % 1111111 == 0
    upper = value // 1000
    maybe = np.flatnonzero(np.take(_STEPPED_FIVE, upper - upper // 10**5 * 10**5))
    if len(maybe):
        candidates = value[maybe]
        hit = np.zeros(len(maybe), dtype=bool)
        for shift in range(_FAST_LENGTH - 8 + 1):
            hit |= np.isin((candidates // 10**shift) % 10**8, _RUN_WINDOWS)
        run[maybe] = hit & ~np.isin(candidates, _cn_ints(RUN_RULE_EXEMPT, "+86"))
    return deny, trailing, run


# Lookup tables over the 5-digit numbers 00000-99999: all digits equal; digits climbing
# or falling by one.
_FIVE = _digit_matrix(np.arange(10**5, dtype=np.int64), 5).astype(np.int16)
_SAME_FIVE = (_FIVE == _FIVE[:, :1]).all(axis=1)
_STEPPED_FIVE = (np.diff(_FIVE) == 1).all(axis=1) | (np.diff(_FIVE) == -1).all(axis=1)


_RUN_WINDOWS = np.array([int(s) for s in _RUN_SUBSTRINGS], dtype=np.int64)

NO_KEY = -1
_CN_KEY_BASE = 86 * 10**_FAST_LENGTH
_KEY_LIMIT = 10**18  # E.164 digits below this are their own int64 key

# Characters whose NFKC form the fast path knows (printable ASCII stays as it is;
# full-width forms become ASCII, NBSP / U+3000 a space) plus those the slow path drops.
_FAST_NON_ASCII = (
    r"^[\x{20}-\x{7e}\x{a0}\x{3000}\x{ff01}-\x{ff5e}\x{ad}\x{200b}-\x{200f}\x{2060}\x{feff}"
    r"×•●∗✱✲⁎※\x{3001}\x{4e00}-\x{9fff}]*$"
)
_ZERO_WIDTH_RE2 = r"[\x{200b}\x{200c}\x{200d}\x{2060}\x{feff}\x{ad}\x{200e}\x{200f}]"
_MASK_CHARS_RE2 = "[*×•●∗✱✲⁎※]"
# _EXTENSION at the end of a cell whose main part is digits, +, spaces and hyphens only.
_EXTENSION_RE2 = (
    r"^(?P<main>[0-9+][0-9 \-]*[0-9])[ \-]*"
    r"(?:(?i:ext(?:ension)?|extn|x)|分机号?|转分机|转|#)"
    r"[ ]*[.:#]?[ ]*(?P<ext>[0-9]{1,6})[ ]*[)\]#]?[ ]*$"
)

# Reason bits of the fast path.
_BIT_FULLWIDTH, _BIT_WRAPPER, _BIT_SEPARATORS, _BIT_IDD, _BIT_CC = 1, 2, 4, 8, 16
_BIT_REASONS = {
    _BIT_FULLWIDTH: R_FULLWIDTH,
    _BIT_WRAPPER: R_WRAPPER,
    _BIT_SEPARATORS: R_SEPARATORS,
    _BIT_IDD: R_IDD,
    _BIT_CC: R_CC_NO_PLUS,
}


class _Labels:
    """Strings (and None) numbered densely: columns travel as small ints until the end."""

    def __init__(self, items: Iterable[str | None] = ()) -> None:
        self.items: list[str | None] = [None]
        self.index: dict[str | None, int] = {None: 0}
        for item in items:
            self.code(item)

    def code(self, item: str | None) -> int:
        found = self.index.get(item)
        if found is None:
            found = self.index[item] = len(self.items)
            self.items.append(item)
        return found

    def table(self) -> np.ndarray:
        out = np.empty(len(self.items), dtype=object)
        out[:] = self.items
        return out

    def copy(self) -> _Labels:
        other = _Labels()
        other.items, other.index = list(self.items), dict(self.index)
        return other


_MAX_SCI_EXPONENT = 20
_CODES = _Labels(MALFORMED_CODES)
_DETAILS = _Labels(
    [_join_reasons({r for bit, r in _BIT_REASONS.items() if mask & bit}) for mask in range(32)]
    + ["empty cell", "float", "scientific notation", "mask characters", "extension"]
    + [D_DENY, D_TRAILING, D_RUN]
    + [f"{w} of {t} digits written" for t in range(2, _MAX_SCI_EXPONENT + 2) for w in range(1, t)]
)
_REGIONS = _Labels(["CN", "US"])
_TYPES = _Labels(["MOBILE", *_TYPE_NAMES.values(), "UNKNOWN"])
# detail code of each reason mask
_REASON_DETAIL = np.array(
    [
        _DETAILS.code(_join_reasons({r for bit, r in _BIT_REASONS.items() if mask & bit}))
        for mask in range(32)
    ],
    dtype=np.int32,
)
_LOST_DETAIL = np.zeros((_MAX_SCI_EXPONENT + 2, _MAX_SCI_EXPONENT + 2), dtype=np.int32)
for _t in range(2, _MAX_SCI_EXPONENT + 2):
    for _w in range(1, _t):
        _LOST_DETAIL[_w, _t] = _DETAILS.code(f"{_w} of {_t} digits written")


@dataclass(frozen=True)
class _Answers:
    """One lane's answers for the values at ``positions``.

    Codes, details, regions and types are label numbers (``_CODES`` …).
    """

    positions: np.ndarray
    key: np.ndarray  # int64 E.164 digits for usable numbers, NO_KEY otherwise
    code_ix: np.ndarray
    detail_ix: np.ndarray
    usable: np.ndarray
    region_ix: np.ndarray
    type_ix: np.ndarray


_ANSWER_FIELDS = ("key", "code_ix", "detail_ix", "usable", "region_ix", "type_ix")


@dataclass(frozen=True)
class _FastResult:
    """The answers for the values the fast path took, one ``_Answers`` per lane.

    The parts stay separate until ``scatter`` writes each into the caller's per-row
    arrays: joining them at every level would copy the big lanes several times. The
    properties (strings only when asked for) join them, for tests and small inputs.
    """

    parts: tuple[_Answers, ...]

    @staticmethod
    def of(*arrays: np.ndarray) -> _FastResult:
        """One lane's answers: positions, key, code, detail, usable, region, type."""
        return _FastResult((_Answers(*arrays),))

    def _joined(self, name: str) -> np.ndarray:
        arrays = [getattr(p, name) for p in self.parts]
        return arrays[0] if len(arrays) == 1 else np.concatenate(arrays)

    @property
    def positions(self) -> np.ndarray:
        return self._joined("positions")

    @property
    def usable(self) -> np.ndarray:
        return self._joined("usable")

    @property
    def code(self) -> np.ndarray:
        return _CODES.table()[self._joined("code_ix")]

    @property
    def detail(self) -> np.ndarray:
        return _DETAILS.table()[self._joined("detail_ix")]

    @property
    def number_region(self) -> np.ndarray:
        return _REGIONS.table()[self._joined("region_ix")]

    @property
    def number_type(self) -> np.ndarray:
        return _TYPES.table()[self._joined("type_ix")]

    @property
    def e164(self) -> np.ndarray:
        key = self._joined("key")
        out = np.full(len(key), None, dtype=object)
        usable = key != NO_KEY
        out[usable] = ["+" + str(k) for k in key[usable].tolist()]
        return out

    def moved(self, positions: np.ndarray) -> _FastResult:
        """The same answers for values that sit at ``positions[self.positions]``."""
        return _FastResult(tuple(replace(p, positions=positions[p.positions]) for p in self.parts))

    def scatter(self, targets: tuple[np.ndarray, ...], handled: np.ndarray, offset: int) -> None:
        """Write the answers into per-row arrays (``_ANSWER_FIELDS`` order) for the
        values at ``offset + positions``, and mark them handled."""
        for part in self.parts:
            at = part.positions + offset if offset else part.positions
            handled[at] = True
            for target, name in zip(targets, _ANSWER_FIELDS, strict=True):
                target[at] = getattr(part, name)

    @staticmethod
    def concat(results: list[_FastResult | None]) -> _FastResult | None:
        parts = tuple(p for r in results if r is not None for p in r.parts if len(p.positions))
        return _FastResult(parts) if parts else None


def _fast_path(values: pa.Array, region: str | np.ndarray, ctx: _Context) -> _FastResult | None:
    """Answers for the dominant shapes, all at once; None when none applies.

    ``region`` is the default region of every value, or an array of each value's
    default region as a ``_REGIONS`` label number (see _home). Printable ASCII cells
    are judged as they are; other cells only when every character has an NFKC form
    the fast path knows (full-width digits, NBSP, U+3000, zero-width marks, mask
    characters), after NFKC.
    """
    plan = _fast_plan()
    n = len(values)
    if not plan.usable or n == 0:
        return None
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if not pa.types.is_large_string(values.type):
        values = values.cast(pa.large_string())
    home = np.full(n, _home(region), dtype=np.int8) if isinstance(region, str) else region
    ascii_ = _bool(pc.string_is_ascii(values))
    parts = [_judge_text(values, ascii_, home, np.zeros(n, dtype=np.int8), ctx, plan)]
    other = np.flatnonzero(~ascii_ & _bool(pc.is_valid(values)))
    if len(other):
        subset = values.take(pa.array(other))
        known = _bool(pc.match_substring_regex(subset, _FAST_NON_ASCII))
        folded = pc.replace_substring_regex(pc.utf8_normalize(subset, "NFKC"), _ZERO_WIDTH_RE2, "")
        bits = np.where(_bool(pc.not_equal(folded, subset)), _BIT_FULLWIDTH, 0).astype(np.int8)
        found = _judge_text(folded, known, home[other], bits, ctx, plan, ascii_only=False)
        parts.append(found.moved(other) if found is not None else None)
    return _FastResult.concat(parts)


def _home(region: str) -> int:
    """A default region as the ``_REGIONS`` label number the fast lanes test (CN: CN
    mobiles and national numbers; US: US national numbers), 0 for any other region."""
    return _REGIONS.index.get(region, 0)


def _judge_text(
    text: pa.Array,
    eligible: np.ndarray,
    home: np.ndarray,
    bits: np.ndarray,
    ctx: _Context,
    plan: _FastPlan,
    *,
    ascii_only: bool = True,
) -> _FastResult | None:
    """Cells in NFKC form: outer spaces and Excel wrappers (steps 1-2), then the body."""
    first, last = _edge_bytes(text)
    if ((first == ord(" ")) | (last == ord(" "))).any():
        stripped = pc.utf8_trim(text, " ")
        length = _lengths(stripped, ascii_only)
        outer = length != _lengths(text, ascii_only)
        bits = bits | np.where(outer, _BIT_SEPARATORS, 0).astype(np.int8)
        first, _ = _edge_bytes(stripped)
    else:  # no outer spaces anywhere (the usual case): nothing to strip
        stripped = text
        length = _lengths(text, ascii_only)
    # Excel wrappers: ="…", '…, "…" (inner spaces are stripped without a reason).
    formula = first == ord("=")
    apostrophe = first == ord("'")
    quoted = (first == ord('"')) & (length > 1)
    wrapped = eligible & (formula | apostrophe | quoted)
    parts: list[_FastResult | None] = []
    if wrapped.any():
        at = np.flatnonzero(wrapped)
        sub = stripped.take(pa.array(at))
        is_formula = formula[at] & _bool(pc.match_substring_regex(sub, r'^= *".*"$'))
        is_quote = ~formula[at] & (apostrophe[at] | (quoted[at] & _bool(pc.ends_with(sub, '"'))))
        # Only cells without line breaks unwrap here: RE2's "." stops at one, and such a
        # cell then keeps its wrapper and fails every shape below (it goes slow).
        unwrapped = pc.if_else(
            pa.array(is_formula),
            pc.replace_substring_regex(sub, r'^= *"(.*)"$', r"\1"),
            pc.replace_substring_regex(sub, r"""^'(.*)$|^"(.*)"$""", r"\1\2"),
        )
        body = pc.utf8_trim(unwrapped, " ")
        found = _judge_body(
            body,
            is_formula | is_quote,
            home[at],
            bits[at] | _BIT_WRAPPER,
            ctx,
            plan,
            ascii_only=ascii_only,
        )
        parts.append(found.moved(at) if found is not None else None)
        # A cell that looks wrapped but is not (="138…" without quotes) is judged as is.
        eligible = eligible & ~wrapped
        eligible[at[~(is_formula | is_quote)]] = True
    parts.append(_judge_body(stripped, eligible, home, bits, ctx, plan, ascii_only=ascii_only))
    return _FastResult.concat(parts)


def _starts_with(mask: np.ndarray, text: pa.Array, prefix: str) -> np.ndarray:
    """``mask`` and the cell starts with ``prefix``, tested on the rows ``mask`` selects
    only (the few among millions that have the length of a prefixed number)."""
    out = mask.copy()
    at = np.flatnonzero(mask)
    if len(at):
        out[at] = _bool(pc.starts_with(text.take(pa.array(at)), prefix))
    return out


def _judge_body(
    body: pa.Array,
    eligible: np.ndarray,
    home: np.ndarray,
    bits: np.ndarray,
    ctx: _Context,
    plan: _FastPlan,
    *,
    ascii_only: bool,
) -> _FastResult | None:
    """Cells after strip and unwrap: digit strings at once, the other shapes on the rest.

    Mirrors ``_classify`` for the shapes it takes: mask characters, spreadsheet floats
    and scientific notation (step 4), and CN mobiles with or without +86 / 86 / 0086,
    spaces and hyphens, and US numbers dialled nationally. Whatever it does not take
    goes slow, so it can only agree with the slow path.
    """
    cn, us = home == _home("CN"), home == _home("US")
    length = _lengths(body, ascii_only)
    digits_only = eligible & _bool(pc.ascii_is_decimal(body))
    national = digits_only & cn & (length == _FAST_LENGTH)
    cc = _starts_with(digits_only & cn & (length == _FAST_LENGTH + 2), body, "86")
    idd = _starts_with(digits_only & cn & (length == _FAST_LENGTH + 4), body, "0086")
    parts: list[_FastResult | None] = []
    dialled = digits_only & cn
    # National 11-digit cells are their own national number; 86… / 0086… end with it.
    for lane, prefixed in ((national, False), (cc | idd, True)):
        if not lane.any():
            continue
        at = np.flatnonzero(lane)
        nsn = body.filter(pa.array(lane))
        if prefixed:
            nsn = pc.utf8_slice_codeunits(nsn, -_FAST_LENGTH)
        reasons = bits[at]
        if prefixed:
            reasons = reasons | np.where(cc[at], _BIT_CC, _BIT_IDD).astype(np.int8)
        found = _mobiles(at, nsn, reasons, ctx, plan)
        if found is not None:
            parts.append(found)
            dialled[found.positions] = False
    if dialled.any():  # landlines, 400/800, IoT … (what the mobile lane left)
        at = np.flatnonzero(dialled)
        numbers = body.filter(pa.array(dialled))
        parts.append(_nationals(at, numbers, np.zeros(len(at), dtype=bool), ctx))
    us_dialled = digits_only & us & (length == _NANP_LENGTH)
    if us_dialled.any():
        at = np.flatnonzero(us_dialled)
        numbers = body.filter(pa.array(us_dialled))
        parts.append(_nanp_numbers(at, numbers, bits[at], ctx, national=True))
    rest = np.flatnonzero(eligible & ~digits_only)
    if len(rest):
        others = body.take(pa.array(rest))
        # Most of them hold only digits, +, spaces and hyphens (+86…, 138 1234 5678):
        # those skip the tests that need other characters.
        plain = _bool(pc.match_substring_regex(others, r"^[0-9 +\-]*$"))
        for lane, is_plain in ((plain, True), (~plain, False)):
            if lane.any():
                at = rest[lane]
                found = _judge_rest(
                    others.filter(pa.array(lane)),
                    home[at],
                    bits[at],
                    ctx,
                    plan,
                    ascii_only=ascii_only,
                    plain=is_plain,
                )
                parts.append(found.moved(at) if found is not None else None)
    return _FastResult.concat(parts)


def _special_shapes(
    body: pa.Array, cn: np.ndarray, ascii_only: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, pa.Array]:
    """Masks, spreadsheet numbers and extensions (steps 3, 4 and 6) for _judge_rest.

    Returns bool arrays masked, float, scientific and extension, the detail code of
    lossy scientific notation (0 for other cells) and the text without the extension.
    """
    if ascii_only:
        masked = _bool(pc.match_substring(body, "*"))
    else:
        masked = _bool(pc.match_substring_regex(body, _MASK_CHARS_RE2))
    # Spreadsheet numbers; recovered digits are judged with the row's region, and only
    # CN rows are mobiles here.
    flt = cn & ~masked & _bool(pc.match_substring_regex(body, r"^1\d{10}(?:\.0+|,0)$"))
    sci = cn & ~masked & _bool(pc.match_substring_regex(body, r"^1[.,]\d{10}[eE]\+?10$"))
    # Lossy scientific notation: only cells with an exponent mark are looked at.
    lost = np.zeros(len(body), dtype=np.int32)
    marked = np.flatnonzero(~masked & _bool(pc.match_substring(body, "e", ignore_case=True)))
    if len(marked):
        shape = pc.extract_regex(
            body.take(pa.array(marked)),
            r"^[1-9](?:[.,](?P<frac>\d{0,19}))?[eE]\+?(?P<exp>\d{1,2})$",
        )
        frac_len = _ints(pc.utf8_length(pc.struct_field(shape, "frac")))
        exponent = _ints(pc.cast(pc.struct_field(shape, "exp"), pa.int64()))
        hit = _bool(pc.is_valid(shape)) & (exponent > frac_len) & (exponent <= _MAX_SCI_EXPONENT)
        lost[marked[hit]] = _LOST_DETAIL[frac_len[hit] + 1, exponent[hit] + 1]
    # A number followed by an extension (step 6): the main number is judged. Runs of
    # x, ?, # or dots next to digits are masks in the slow path, so they stay out.
    ext = ~masked & _bool(pc.match_substring_regex(body, "[xX#转分]"))
    main = body
    if ext.any():
        at = np.flatnonzero(ext)
        split = pc.extract_regex(body.take(pa.array(at)), _EXTENSION_RE2)
        ext[at] = _bool(pc.is_valid(split)) & ~_bool(
            pc.match_substring_regex(body.take(pa.array(at)), r"[xX]{2}|\.{3}|\?{2}|#{2}")
        )
        if ext.any():
            # Scatter the main parts back: cells without an extension keep their text.
            index = np.arange(len(body))
            index[at[ext[at]]] = len(body) + np.flatnonzero(ext[at])
            main = pa.concat_arrays([body, pc.struct_field(split, "main").cast(body.type)]).take(
                pa.array(index)
            )
    return masked, flt, sci, lost, ext, main


_US_BRACKETS = r"^\(\d{3}\) ?\d{3}[ \-]?\d{4}$"


def _judge_rest(
    body: pa.Array,
    home: np.ndarray,
    bits: np.ndarray,
    ctx: _Context,
    plan: _FastPlan,
    *,
    ascii_only: bool,
    plain: bool,
) -> _FastResult | None:
    """Eligible cells that are not plain digit strings (a minority: regexes are fine).

    ``plain``: every cell holds only digits, +, spaces and hyphens, which no mask,
    spreadsheet, extension or several-numbers test can match, so those are skipped.
    """
    cn, us = home == _home("CN"), home == _home("US")
    if plain:
        none = np.zeros(len(body), dtype=bool)
        masked, flt, sci, ext, main = none, none, none, none, body
        lost_detail = np.zeros(len(body), dtype=np.int32)
    else:
        masked, flt, sci, lost_detail, ext, main = _special_shapes(body, cn, ascii_only)
    lost = lost_detail != 0
    cleaned = pc.replace_substring(pc.replace_substring(main, " ", ""), "-", "")
    if not plain and us.any():
        # A US area code in brackets, (617) 627-4686, is decoration like the spaces.
        bracketed = us & _bool(pc.match_substring_regex(body, _US_BRACKETS))
        if bracketed.any():
            cleaned = pc.if_else(
                pa.array(bracketed), pc.replace_substring_regex(cleaned, "[()]", ""), cleaned
            )
    length = _ints(pc.utf8_length(cleaned))
    number = ~masked & ~flt & ~sci & ~lost & _bool(pc.ascii_is_decimal(pc.utf8_ltrim(cleaned, "+")))
    plus = number & (length == _FAST_LENGTH + 3) & _bool(pc.starts_with(cleaned, "+86"))
    cc = number & cn & (length == _FAST_LENGTH + 2) & _bool(pc.starts_with(cleaned, "86"))
    idd = number & cn & (length == _FAST_LENGTH + 4) & _bool(pc.starts_with(cleaned, "0086"))
    national = number & cn & (length == _FAST_LENGTH)
    separated = np.where(length != _lengths(body, ascii_only), _BIT_SEPARATORS, 0).astype(np.int8)
    parts: list[_FastResult | None] = []

    special = np.flatnonzero(masked | lost)
    if len(special):
        k = len(special)
        is_lost = lost[special]
        detail = np.where(is_lost, lost_detail[special], _DETAILS.code("mask characters"))
        detail = detail.astype(np.int32, copy=False)
        parts.append(
            _FastResult.of(
                special,
                np.full(k, NO_KEY, dtype=np.int64),
                np.where(is_lost, _CODES.code(PRECISION_LOST), _CODES.code(MASKED)).astype(
                    np.int16
                ),
                detail,
                np.zeros(k, dtype=bool),
                np.zeros(k, dtype=np.int16),
                np.zeros(k, dtype=np.int16),
            )
        )
    numbers = plus | cc | idd | national
    if numbers.any():
        at = np.flatnonzero(numbers)
        nsn = pc.utf8_slice_codeunits(cleaned.filter(pa.array(numbers)), -_FAST_LENGTH)
        reasons = (
            bits[at] | separated[at] | np.where(cc[at], _BIT_CC, 0) | np.where(idd[at], _BIT_IDD, 0)
        )
        extension = (
            np.where(ext[at], _CODES.code(EXTENSION), 0).astype(np.int16),
            np.where(ext[at], _DETAILS.code("extension"), 0).astype(np.int32),
        )
        found = _mobiles(at, nsn, reasons.astype(np.int8), ctx, plan, extension)
        unclaimed = number.copy()
        if found is not None:
            parts.append(found)
            unclaimed[found.positions] = False
    else:
        unclaimed = number
    plus_sign = _bool(pc.starts_with(cleaned, "+"))
    plus_one = number & ~ext & (length == _NANP_LENGTH + 2) & _bool(pc.starts_with(cleaned, "+1"))
    us_dialled = number & ~ext & us & (length == _NANP_LENGTH) & ~plus_sign
    for lane, without_plus in ((plus_one, False), (us_dialled, True)):
        if lane.any():
            at = np.flatnonzero(lane)
            reasons = bits[at] | separated[at]
            nsn = pc.utf8_slice_codeunits(cleaned.filter(pa.array(lane)), -_NANP_LENGTH)
            parts.append(_nanp_numbers(at, nsn, reasons, ctx, national=without_plus))
    pairs = number & cn & (length == 2 * _FAST_LENGTH)
    if pairs.any():
        parts.append(_mobile_pairs(np.flatnonzero(pairs), body.filter(pa.array(pairs)), plan))
    dialled_rows = unclaimed & cn & ~plus_sign
    if dialled_rows.any():
        at = np.flatnonzero(dialled_rows)
        # "010-1234-567": a hyphen before 1-5 final digits may be a switchboard extension.
        # With an extension already split off, that reading is not tried.
        hyphen = ~ext[at] & _bool(
            pc.match_substring_regex(body.filter(pa.array(dialled_rows)), r"\d *- *\d{1,5}$")
        )
        parts.append(_nationals(at, cleaned.filter(pa.array(dialled_rows)), hyphen, ctx))
    if not plain:
        several = _several_in_cell(body, ~masked & ~flt & ~sci & ~lost & ~ext & ~number)
        if several is not None:
            parts.append(several)
    sheet = flt | sci
    if sheet.any():
        at = np.flatnonzero(sheet)
        sub = body.filter(pa.array(sheet))
        # "13812345678.0": the first 11 characters; "1.3812345678E10": the digit
        # before the point and the ten after it.
        nsn = pc.if_else(
            pa.array(flt[at]),
            pc.utf8_slice_codeunits(sub, 0, _FAST_LENGTH),
            pc.binary_join_element_wise(
                pc.utf8_slice_codeunits(sub, 0, 1),
                pc.utf8_slice_codeunits(sub, 2, 1 + _FAST_LENGTH),
                pa.scalar("", pa.large_string()),
            ),
        )
        spreadsheet = np.where(
            flt[at], _DETAILS.code("float"), _DETAILS.code("scientific notation")
        ).astype(np.int32)
        floats = (np.full(len(at), _CODES.code(FLOAT), dtype=np.int16), spreadsheet)
        parts.append(_mobiles(at, nsn, np.zeros(len(at), dtype=np.int8), ctx, plan, floats))
    return _FastResult.concat(parts)


# Cells the "several numbers" lane may read: digits, +, hyphens, spaces, the strong
# separators, and CJK labels other than the extension words 转 and 分(机).
_SEVERAL_CHARS = r"^[0-9 +\-/,;|、\x{4e00}-\x{5205}\x{5207}-\x{8f6b}\x{8f6d}-\x{9fff}]*$"
_MAX_SEVERAL = 20


def _several_in_cell(body: pa.Array, eligible: np.ndarray) -> _FastResult | None:
    """phone-multiple without parsing: two or more separated pieces holding digits, one
    of them number-like (7+ digits), or one piece with two number-like digit runs
    (``母亲138… 父亲139…``). Mirrors ``_find_numbers``; cells a spreadsheet rule or a
    pause-dial extension could claim (``138…,0``, ``138…,12``) go slow.
    """
    at = np.flatnonzero(eligible)
    if len(at) == 0:
        return None
    body = body.take(pa.array(at))
    keep = _bool(pc.match_substring_regex(body, _SEVERAL_CHARS))
    keep &= _ints(pc.utf8_length(body)) <= _MAX_CELL_LENGTH
    keep &= ~_bool(pc.match_substring_regex(body, r"^\d+,0$|^\d{1,3}(?:,\d{3})+$|,+ *\d{1,6} *$"))
    at = at[keep]
    if len(at) == 0:
        return None
    pieces = pc.split_pattern_regex(body.filter(pa.array(keep)), r"[/,;|、]+")
    flat = pc.list_flatten(pieces)
    offsets = np.asarray(pieces.offsets.to_numpy(), dtype=np.int64)
    offsets = offsets - offsets[0]
    has_digits = _ints(pc.count_substring_regex(flat, r"[0-9]")) > 0
    # A digit run (digits joined by spaces, hyphens or +) of 7+ digits: number-like.
    long = _ints(pc.count_substring_regex(flat, r"[0-9](?:[ +\-]*[0-9]){6,}"))
    counted_pieces = _segment_sum(has_digits.astype(np.int64), offsets)
    long_total = _segment_sum(long, offsets)
    piece_count = _segment_sum(np.where(has_digits, np.maximum(long, 1), 0), offsets)
    count = np.where(counted_pieces >= 2, piece_count, long_total)
    several = ((counted_pieces >= 2) & (long_total >= 1)) | (
        (counted_pieces == 1) & (long_total >= 2)
    )
    several &= count <= _MAX_SEVERAL
    hit = np.flatnonzero(several)
    if len(hit) == 0:
        return None
    k = len(hit)
    return _FastResult.of(
        at[hit],
        np.full(k, NO_KEY, dtype=np.int64),
        np.full(k, _CODES.code(MULTIPLE), dtype=np.int16),
        _SEVERAL_DETAIL[count[hit]],
        np.zeros(k, dtype=bool),
        np.zeros(k, dtype=np.int16),
        np.zeros(k, dtype=np.int16),
    )


def _segment_sum(values: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Sums of ``values[offsets[i]:offsets[i + 1]]`` (empty segments sum to 0)."""
    totals = np.concatenate(([0], np.cumsum(values)))
    return totals[offsets[1:]] - totals[offsets[:-1]]


def _mobiles(
    positions: np.ndarray,
    nsn: pa.Array,
    reasons: np.ndarray,
    ctx: _Context,
    plan: _FastPlan,
    override: tuple[np.ndarray, np.ndarray] | None = None,
) -> _FastResult | None:
    """Answers for 11-digit national numbers that phonenumbers would call MOBILE.

    ``nsn`` holds ASCII digit strings of 11 characters; the others are dropped, like
    numbers the metadata does not make mobiles (those go slow). Then: placeholder,
    ``override`` (code and detail per row, code 0 for none: a spreadsheet float or an
    extension), decoration (``reasons``).
    """
    value = _fixed_value(nsn, _FAST_LENGTH)
    ok = _mobile_flags(plan, value)
    if not ok.all():
        positions, value, reasons = positions[ok], value[ok], reasons[ok]
        override = (override[0][ok], override[1][ok]) if override is not None else None
    m = len(positions)
    if m == 0:
        return None
    deny, trailing, run = _placeholder_flags(value, ctx)
    placeholder = deny | trailing | run
    detail = _REASON_DETAIL[reasons]
    code = np.where(detail != 0, _CODES.code(NONSTANDARD), 0).astype(np.int16)
    if override is not None:
        chosen = override[0] != 0
        code[chosen] = override[0][chosen]
        detail[chosen] = override[1][chosen]
    code[placeholder] = _CODES.code(PLACEHOLDER)
    detail[run] = _DETAILS.code(D_RUN)
    detail[trailing] = _DETAILS.code(D_TRAILING)
    detail[deny] = _DETAILS.code(D_DENY)
    key = np.where(placeholder, NO_KEY, _CN_KEY_BASE + value)
    return _FastResult.of(
        positions,
        key.astype(np.int64, copy=False),
        code,
        detail.astype(np.int32, copy=False),
        ~placeholder,
        np.full(m, _REGIONS.code("CN"), dtype=np.int16),
        np.full(m, _TYPES.code("MOBILE"), dtype=np.int16),
    )


_NATIONAL_LENGTHS = range(7, 14)  # national numbers the CN national path may take
_TYPE_ORDER = (
    ("premium_rate", PhoneNumberType.PREMIUM_RATE),
    ("toll_free", PhoneNumberType.TOLL_FREE),
    ("shared_cost", PhoneNumberType.SHARED_COST),
    ("voip", PhoneNumberType.VOIP),
    ("personal_number", PhoneNumberType.PERSONAL_NUMBER),
    ("pager", PhoneNumberType.PAGER),
    ("uan", PhoneNumberType.UAN),
    ("voicemail", PhoneNumberType.VOICEMAIL),
)
_REGION_DFAS: dict[tuple[str, int], _DigitDfa | None] = {}


def _national_dfa(length: int, region: str = "CN") -> _DigitDfa | None:
    """A region's metadata patterns for national numbers of one length: the general
    description, every type, the not-SMS ranges of its country code and the national
    prefix for parsing (prefix match). None when the DFA compiler cannot take them."""
    if (region, length) not in _REGION_DFAS:
        md = phonenumbers.PhoneMetadata.metadata_for_region(region)
        patterns: dict[str, tuple[str, bool]] = {}
        if md is not None:
            for name in ("general_desc", *(n for n, _ in _TYPE_ORDER), "fixed_line", "mobile"):
                pattern = _desc_pattern(getattr(md, name, None), length)
                if pattern:
                    patterns[name] = (pattern, False)
            for i, (pattern, _why) in enumerate(NOT_SMS_CAPABLE.get(int(md.country_code or 0), ())):
                patterns[f"not_sms:{i}"] = (pattern, False)
            if md.national_prefix_for_parsing:
                patterns["national_prefix"] = (str(md.national_prefix_for_parsing), True)
        try:
            dfa = _compile_digit_dfa(patterns, length) if md is not None else None
        except (_Unsupported, RecursionError):
            dfa = None
        _REGION_DFAS[region, length] = dfa
    return _REGION_DFAS[region, length]


def _number_types(flags: dict[str, np.ndarray], md: Any, n: int) -> np.ndarray:
    """``_number_type_helper`` over DFA flags: the first matching type in its order."""
    none = np.zeros(n, dtype=bool)
    ntype = np.full(n, PhoneNumberType.UNKNOWN, dtype=np.int16)
    decided = ~flags.get("general_desc", none)
    for name, kind in _TYPE_ORDER:
        hit = flags.get(name, none) & ~decided
        ntype[hit], decided = kind, decided | hit
    fixed = flags.get("fixed_line", none) & ~decided
    mobile = flags.get("mobile", none)
    both = fixed & (mobile | bool(md.same_mobile_and_fixed_line_pattern))
    ntype[fixed & ~both] = PhoneNumberType.FIXED_LINE
    ntype[both] = PhoneNumberType.FIXED_LINE_OR_MOBILE
    decided |= fixed
    if not md.same_mobile_and_fixed_line_pattern:
        ntype[mobile & ~decided] = PhoneNumberType.MOBILE
    return ntype


def _nationals(
    positions: np.ndarray, dialled: pa.Array, hyphen: np.ndarray, ctx: _Context
) -> _FastResult | None:
    """CN national numbers that are not mobiles: landlines, 400/800, IoT, invalid ranges.

    ``dialled`` holds the digits as dialled in a CN row (no ``+``): a trunk ``0`` and an
    area code, or a national number without it. This is what ``phonenumbers.parse``
    does with them (CN's national prefix for parsing is ``0`` or a carrier code): a
    leading ``0`` is stripped when 7-12 digits remain; a number starting with ``00``
    (IDD), ``86`` (country code) or a carrier code goes slow. The type follows
    ``_number_type_helper`` on the metadata DFA of its length. Taken are only outcomes
    that never look at the spelling: phone-not-sms-capable, phone-invalid (without a
    hyphen, which could be a switchboard extension), phone-placeholder and
    phone-not-mobile. Mobiles and everything else go slow (or were taken before).
    """
    md = phonenumbers.PhoneMetadata.metadata_for_region("CN")
    if md is None or len(positions) == 0:
        return None
    total = _ints(pc.utf8_length(dialled))
    zero = _bool(pc.starts_with(dialled, "0"))
    trunk = zero & ~_bool(pc.starts_with(dialled, "00"))
    bare = ~zero & ~_bool(pc.starts_with(dialled, "86"))
    length = total - trunk
    ok = (trunk & (length >= 7) & (length <= 12)) | (bare & (length >= 7) & (length <= 13))
    nsn = pc.if_else(pa.array(trunk), pc.utf8_slice_codeunits(dialled, 1), dialled)
    parts: list[_FastResult | None] = []
    for size in np.unique(length[ok]).tolist():
        dfa = _national_dfa(size)
        if dfa is None:
            continue
        sel = ok & (length == size)
        at = np.flatnonzero(sel)
        value = _fixed_value(nsn.filter(pa.array(sel)), size)
        flags = dfa.run(_digit_matrix(value, size))
        none = np.zeros(len(at), dtype=bool)
        keep = value >= 0
        keep &= ~(flags.get("national_prefix", none) & ~trunk[at])
        ntype = _number_types(flags, md, len(at))

        not_sms = np.zeros(len(at), dtype=np.int32)  # detail code, 0 = none
        for i in reversed(range(len(NOT_SMS_CAPABLE.get(86, ())))):
            hit = flags.get(f"not_sms:{i}", none)
            not_sms[hit] = _DETAILS.code(NOT_SMS_CAPABLE[86][i][1])
        if ctx.extra_digits:  # national-digit placeholders: the slow path decides
            keep &= ~np.isin(value, _cn_ints(ctx.extra_digits, "", size))
            keep &= ~np.isin(value, _cn_ints(ctx.extra_digits, "0", size))
        key = _CN_KEY_BASE // 10**_FAST_LENGTH * 10**size + value
        deny, trailing, run = _placeholders(key, value, size, ctx)
        placeholder = deny | trailing | run
        valid = ntype != PhoneNumberType.UNKNOWN
        not_mobile = np.isin(ntype, list(_NOT_MOBILE_TYPES))

        code = np.zeros(len(at), dtype=np.int16)
        detail = np.zeros(len(at), dtype=np.int32)
        usable = np.zeros(len(at), dtype=bool)
        taken = np.zeros(len(at), dtype=bool)
        # In _judge_candidate's order: not-SMS, invalid, placeholder, not-mobile.
        step = not_sms != 0
        code[step], detail[step], taken[step] = _CODES.code(NOT_SMS), not_sms[step], True
        step = ~taken & ~valid & ~hyphen[at]
        length_check = _length_check(md, size)
        if length_check is None:
            continue
        if length_check in _POSSIBLE_DETAIL:
            code[step] = _CODES.code(INVALID)
            detail[step] = _DETAILS.code(_POSSIBLE_DETAIL[length_check])
            taken |= step
        step = ~taken & valid & placeholder
        code[step], taken[step] = _CODES.code(PLACEHOLDER), True
        detail[step & run] = _DETAILS.code(D_RUN)
        detail[step & trailing] = _DETAILS.code(D_TRAILING)
        detail[step & deny] = _DETAILS.code(D_DENY)
        step = ~taken & valid & not_mobile
        code[step], taken[step], usable[step] = _CODES.code(NOT_MOBILE), True, True
        for kind, name in _NOT_MOBILE_TYPES.items():
            detail[step & (ntype == kind)] = _DETAILS.code(name)
        taken &= keep
        if not taken.any():
            continue
        parts.append(
            _FastResult.of(
                positions[at[taken]],
                np.where(usable, key, NO_KEY)[taken].astype(np.int64),
                code[taken],
                detail[taken],
                usable[taken],
                np.full(int(taken.sum()), _REGIONS.code("CN"), dtype=np.int16),
                _TYPE_CODES[ntype[taken]],
            )
        )
    return _FastResult.concat(parts)


def _placeholders(
    key: np.ndarray, value: np.ndarray, size: int, ctx: _Context
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(deny, trailing, run): phone-placeholder's three rules as the slow path applies
    them, tested on every value: national
    numbers ``value`` of ``size`` digits whose E.164 digits are ``key`` (int64). A listed
    number, the last seven digits all equal, or a run of 8 climbing or falling digits
    (unless the number is exempt from the run rule). The fast lanes for landlines and
    NANP numbers use it; CN mobiles, the bulk, go through ``_placeholder_flags``."""
    deny = np.isin(key, _e164_ints(PLACEHOLDER_NUMBERS | ctx.extra_e164))
    trailing = (value % 10**7) % 1111111 == 0
    run = np.zeros(len(value), dtype=bool)
    for shift in range(size - 8 + 1):
        run |= np.isin((value // 10**shift) % 10**8, _RUN_WINDOWS)
    run &= ~np.isin(key, _e164_ints(RUN_RULE_EXEMPT))
    return deny, trailing, run


_NANP_LENGTH = 10


def _nanp_numbers(
    positions: np.ndarray, nsn: pa.Array, reasons: np.ndarray, ctx: _Context, *, national: bool
) -> _FastResult | None:
    """Ten digits after ``+1``, or dialled nationally in a US row, that the US metadata
    calls a valid number.

    The US is first among country code 1's regions, so ``region_code_for_number`` says
    US exactly when the US metadata gives the number a type; other NANP regions (CA,
    the Caribbean) go slow. A ``+`` number is read the same with any default region.
    A national number is taken only when it starts with 2-9: then ``parse`` strips no
    international prefix (011), country code or national prefix (both 1), and its
    digits are the national number, so the outcome is the ``+1`` one.
    Outcomes: placeholder, phone-not-mobile (toll-free, premium …), else clean or
    decorated like a CN mobile (fixed-line-or-mobile and personal numbers take SMS).
    """
    md = phonenumbers.PhoneMetadata.metadata_for_region("US")
    dfa = _national_dfa(_NANP_LENGTH, "US")
    if md is None or dfa is None or md.country_code != 1 or len(positions) == 0:
        return None
    if phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(1, ("",))[0] != "US" or md.leading_digits:
        return None
    value = _fixed_value(nsn, _NANP_LENGTH)
    ntype = _number_types(dfa.run(_digit_matrix(value, _NANP_LENGTH)), md, len(positions))
    keep = (value >= (2 * 10**9 if national else 0)) & (ntype != PhoneNumberType.UNKNOWN)
    if ctx.extra_digits:  # national-digit placeholders: the slow path decides
        keep &= ~np.isin(value, _cn_ints(ctx.extra_digits, "", _NANP_LENGTH))
        keep &= ~np.isin(value, _cn_ints(ctx.extra_digits, "1", _NANP_LENGTH))
    key = 10**_NANP_LENGTH + value
    deny, trailing, run = _placeholders(key, value, _NANP_LENGTH, ctx)
    placeholder = deny | trailing | run
    not_mobile = np.isin(ntype, list(_NOT_MOBILE_TYPES))
    detail = _REASON_DETAIL[reasons].astype(np.int32)
    code = np.where(detail != 0, _CODES.code(NONSTANDARD), 0).astype(np.int16)
    code[not_mobile] = _CODES.code(NOT_MOBILE)
    for kind, name in _NOT_MOBILE_TYPES.items():
        detail[not_mobile & (ntype == kind)] = _DETAILS.code(name)
    code[placeholder] = _CODES.code(PLACEHOLDER)
    detail[run] = _DETAILS.code(D_RUN)
    detail[trailing] = _DETAILS.code(D_TRAILING)
    detail[deny] = _DETAILS.code(D_DENY)
    usable = ~placeholder
    k = int(keep.sum())
    return _FastResult.of(
        positions[keep],
        np.where(usable, key, NO_KEY)[keep].astype(np.int64),
        code[keep],
        detail[keep],
        usable[keep],
        np.full(k, _REGIONS.code("US"), dtype=np.int16),
        _TYPE_CODES[ntype[keep]],
    )


def _mobile_pairs(positions: np.ndarray, body: pa.Array, plan: _FastPlan) -> _FastResult | None:
    """Two CN mobiles written one after the other (``13812345678 13987654321``): the
    22 digits are too long to parse, and both groups are valid numbers, so the slow
    path's group split (``_several_numbers``) makes them phone-multiple. Taken only
    when both are numbers the mobile lane takes (so phonenumbers calls them MOBILE,
    and no national prefix is stripped from the start of the cell).
    """
    pair = pc.extract_regex(body, r"^(?P<a>1[0-9]{10})[ \-]+(?P<b>1[0-9]{10})$")
    ok = _bool(pc.is_valid(pair))
    for name in ("a", "b"):
        ok &= _mobile_flags(plan, _fixed_value(pc.struct_field(pair, name), _FAST_LENGTH))
    k = int(ok.sum())
    return _FastResult.of(
        positions[ok],
        np.full(k, NO_KEY, dtype=np.int64),
        np.full(k, _CODES.code(MULTIPLE), dtype=np.int16),
        np.full(k, _SEVERAL_DETAIL[2], dtype=np.int32),
        np.zeros(k, dtype=bool),
        np.zeros(k, dtype=np.int16),
        np.zeros(k, dtype=np.int16),
    )


def _e164_ints(numbers: Iterable[str]) -> np.ndarray:
    """E.164 strings as their int64 digits (keys), skipping anything else."""
    out = [int(n[1:]) for n in numbers if n.startswith("+") and n[1:].isdigit() and len(n) < 20]
    return np.array(out, dtype=np.int64)


def _length_check(md: Any, size: int) -> int | None:
    """``_test_number_length`` of a CN national number of ``size`` digits (general
    lengths), or None when a trunk 0 in front of it would not be stripped."""
    lengths = list(md.general_desc.possible_length or ())
    local = list(md.general_desc.possible_length_local_only or ())
    if not lengths or lengths[0] == -1:
        return None
    if size in local:
        return None
    if lengths[0] == size:
        return int(phonenumbers.ValidationResult.IS_POSSIBLE)
    if lengths[0] > size:
        return None
    if lengths[-1] < size:
        return int(phonenumbers.ValidationResult.TOO_LONG)
    if size in lengths[1:]:
        return int(phonenumbers.ValidationResult.IS_POSSIBLE)
    return None


_TYPE_CODES = np.array(
    [_TYPES.code(_TYPE_NAMES.get(t, "UNKNOWN")) for t in range(100)], dtype=np.int16
)
for _why in {why for rows in NOT_SMS_CAPABLE.values() for _, why in rows}:
    _DETAILS.code(_why)
for _name in [*_NOT_MOBILE_TYPES.values(), *_POSSIBLE_DETAIL.values(), "not valid"]:
    _DETAILS.code(_name)
_SEVERAL_DETAIL = np.array(
    [0, 0, *(_DETAILS.code(f"{c} numbers") for c in range(2, _MAX_SEVERAL + 1))], dtype=np.int32
)


def _fixed_value(texts: pa.Array, width: int) -> np.ndarray:
    """Strings of ``width`` ASCII digits as int64; other strings give -1, which the
    callers drop (no metadata pattern accepts it)."""
    good = (_lengths(texts, ascii_only=True) == width) & _bool(pc.ascii_is_decimal(texts))
    if not good.all():
        texts = pc.if_else(pa.array(good), texts, pa.scalar("0" * width, texts.type))
    value = np.asarray(pc.cast(texts, pa.int64()).to_numpy(), dtype=np.int64)
    return value if good.all() else np.where(good, value, -1)


def _ints(array: Any) -> np.ndarray:
    """An integer Arrow array as int64 numpy (null → 0)."""
    if array.null_count:
        array = pc.fill_null(array, 0)
    return np.asarray(array.to_numpy(zero_copy_only=False), dtype=np.int64)


def _lengths(text: Any, ascii_only: bool) -> np.ndarray:
    """Characters per cell; for ASCII text the byte lengths, read from the offsets."""
    if not ascii_only:
        return _ints(pc.utf8_length(text))
    offsets, _ = _buffers(text)
    return np.diff(offsets)


def _buffers(text: Any) -> tuple[np.ndarray, np.ndarray]:
    """(offsets, data bytes) of a string array, as numpy views (missing cells are empty)."""
    if isinstance(text, pa.ChunkedArray):
        text = text.combine_chunks()
    n = len(text)
    offset_type = np.int64 if pa.types.is_large_string(text.type) else np.int32
    buffers = text.buffers()
    if n == 0 or buffers[1] is None:
        return np.zeros(n + 1, dtype=np.int64), np.zeros(0, dtype=np.uint8)
    offsets = np.frombuffer(buffers[1], dtype=offset_type)[text.offset : text.offset + n + 1]
    data = (
        np.frombuffer(buffers[2], dtype=np.uint8)
        if buffers[2] is not None
        else np.zeros(0, dtype=np.uint8)
    )
    return offsets.astype(np.int64, copy=False), data


def _edge_bytes(text: Any) -> tuple[np.ndarray, np.ndarray]:
    """The first and the last byte of every cell (0 for an empty or missing cell)."""
    offsets, data = _buffers(text)
    starts, ends = offsets[:-1], offsets[1:]
    empty = ends <= starts
    if len(data) == 0:
        zero = np.zeros(len(starts), dtype=np.uint8)
        return zero, zero.copy()
    # mode="clip": an empty cell at the very end points past the data.
    first = np.take(data, starts, mode="clip")
    last = np.take(data, ends - 1, mode="clip")
    first[empty] = 0
    last[empty] = 0
    return first, last


def _bool(array: Any) -> np.ndarray:
    """A boolean Arrow array as numpy (null → False), unpacking the bits directly.

    ``to_numpy`` on a boolean array costs 0.2 s per 3M values; this 1 ms.
    """
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    n = len(array)
    if n == 0 or pa.types.is_null(array.type):
        return np.zeros(n, dtype=bool)
    validity, data = array.buffers()[:2]
    start, stop = array.offset, array.offset + n
    out = np.unpackbits(np.frombuffer(data, dtype=np.uint8), bitorder="little")[start:stop]
    out = out.astype(bool)
    if array.null_count:
        valid = np.unpackbits(np.frombuffer(validity, dtype=np.uint8), bitorder="little")
        out &= valid[start:stop].astype(bool)
    return out


# --------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------


def normalize_phones(
    raw: pd.Series,
    regions: pd.Series | str = "CN",
    *,
    extra_placeholders: Iterable[str] = (),
    text_dtype: str = "object",
) -> pd.DataFrame:
    """Normalise a column of raw phone cells.

    Returns a frame aligned with ``raw.index`` with ``OUTPUT_COLUMNS``: ``raw`` (the
    cell as text, missing when empty), ``e164`` (only for usable numbers),
    ``malformed`` (one DESIGN §4 code or None), ``usable``, ``number_region``,
    ``number_type``, ``detail`` (a value-free phrase for the finding message) and
    ``e164_key`` (int64: the E.164 digits of a usable number — unique, as E.164 has
    no leading zero — or ``NO_KEY`` (-1); the cross-record checks match on it).
    ``regions`` is one default region or a per-row Series aligned by position.

    ``text_dtype="object"`` gives ``raw`` and ``e164`` as Python ``str`` / None;
    ``"str"`` keeps them as pandas' Arrow-backed ``str`` (missing = NaN) without
    building a Python string per cell, and ``number_type`` / ``detail`` (read only
    for finding rows) as categoricals — what the audit uses on large exports.
    """
    if text_dtype not in ("object", "str"):
        raise ValueError("text_dtype must be 'object' or 'str'")
    ctx = _make_context(extra_placeholders)
    n = len(raw)
    texts = _arrow_cells(raw)
    key = np.full(n, NO_KEY, dtype=np.int64)
    code_ix = np.zeros(n, dtype=np.int16)
    detail_ix = np.zeros(n, dtype=np.int32)
    region_ix = np.zeros(n, dtype=np.int16)
    type_ix = np.zeros(n, dtype=np.int16)
    usable = np.zeros(n, dtype=bool)
    missing = ~_bool(pc.is_valid(texts))
    code_ix[missing] = _CODES.code(MISSING)
    detail_ix[missing] = _DETAILS.code("empty cell")

    names, row_group = _region_groups(regions, n)
    if row_group is None:
        home = np.full(n, _home(names[0]), dtype=np.int8)
    else:
        home = np.array([_home(name) for name in names], dtype=np.int8)[row_group]
    targets: tuple[np.ndarray, ...] = (key, code_ix, detail_ix, usable, region_ix, type_ix)
    handled = missing.copy()
    _fast_pieces(texts, home, ctx, targets, handled)
    # Copied after the fast path: its label numbers are the module tables'.
    codes, details, regions_, types = _CODES.copy(), _DETAILS.copy(), _REGIONS.copy(), _TYPES.copy()

    # The rest, once per distinct (text, region): the careful pipeline.
    long_keys: dict[str, int] = {}
    labels = (codes, details, regions_, types)
    for group, region in enumerate(names):
        left = ~handled if row_group is None else ~handled & (row_group == group)
        todo = np.flatnonzero(left)
        if len(todo) == 0:
            continue
        distinct, uniques = pd.factorize(
            np.asarray(_take(texts, todo).to_numpy(zero_copy_only=False), dtype=object)
        )
        answers = _judge_slow(uniques, region, ctx, long_keys, labels)
        for target, values in zip(targets, answers, strict=True):
            target[todo] = values[distinct]

    e164 = _e164_text(key, long_keys)
    if text_dtype == "str":
        raw_out = pd.Series(
            raw.array if raw.dtype == "str" else _str_array(texts),
            index=raw.index,
            copy=False,
        )
        e164_out = pd.Series(_str_array(e164), index=raw.index, copy=False)
    else:
        raw_out = pd.Series(
            texts.to_numpy(zero_copy_only=False) if n else np.empty(0, dtype=object),
            index=raw.index,
            dtype=object,
        )
        e164_out = pd.Series(
            e164.to_numpy(zero_copy_only=False) if n else np.empty(0, dtype=object),
            index=raw.index,
            dtype=object,
        )
    columns: dict[str, Any] = {
        "raw": raw_out,
        "e164": e164_out,
        "malformed": codes.table()[code_ix],
        "usable": usable,
        "number_region": regions_.table()[region_ix],
        "number_type": (
            _categorical(types, type_ix, raw.index)
            if text_dtype == "str"
            else types.table()[type_ix]
        ),
        "detail": (
            _categorical(details, detail_ix, raw.index)
            if text_dtype == "str"
            else details.table()[detail_ix]
        ),
        "e164_key": key,
    }
    return pd.DataFrame(
        {
            name: (
                value
                if isinstance(value, pd.Series)
                else pd.Series(value, index=raw.index, dtype=value.dtype, copy=False)
            )
            for name, value in columns.items()
        },
        copy=False,  # the arrays are ours; copying 4M-row object columns costs a second
    )


# Rows per fast-path piece: the column is judged in pieces of at most this many cells,
# two at a time (the work is in Arrow and numpy kernels, which release the GIL), and
# each piece's temporaries are small enough for the allocator to hand back to the next.
_PIECE_ROWS = 1 << 19
_FAST_WORKERS = 2


def _fast_pieces(
    texts: pa.ChunkedArray,
    home: np.ndarray,
    ctx: _Context,
    targets: tuple[np.ndarray, ...],
    handled: np.ndarray,
) -> None:
    """The fast path over the pieces of the column, its answers written into the
    per-row ``targets`` (``_ANSWER_FIELDS`` order) and ``handled`` (pieces write
    disjoint rows, so the threads never touch the same element)."""
    pieces: list[tuple[int, pa.Array]] = []
    start = 0
    for chunk in texts.chunks:
        for first in range(0, len(chunk), _PIECE_ROWS):
            pieces.append((start + first, chunk.slice(first, _PIECE_ROWS)))
        start += len(chunk)

    def judge(piece: tuple[int, pa.Array]) -> None:
        first, values = piece
        fast = _fast_path(values, home[first : first + len(values)], ctx)
        if fast is not None:
            fast.scatter(targets, handled, first)

    if len(pieces) > 1:
        _prepare_fast_path()
    _in_threads(judge, pieces)


def _in_threads(work: Any, items: list[Any]) -> None:
    """``work(item)`` for every item, in ``_FAST_WORKERS`` threads when there are several."""
    if len(items) <= 1:
        for item in items:
            work(item)
        return
    with ThreadPoolExecutor(max_workers=_FAST_WORKERS) as pool:
        for _ in pool.map(work, items):  # re-raises a worker's exception here
            pass


def _take(texts: pa.ChunkedArray, rows: np.ndarray) -> pa.Array:
    """The cells at ``rows`` (ascending), taken chunk by chunk: a take on the chunked
    column would first join all its chunks into one copy."""
    parts = []
    start = 0
    for chunk in texts.chunks:
        lo, hi = np.searchsorted(rows, [start, start + len(chunk)])
        if hi > lo:
            parts.append(chunk.take(pa.array(rows[lo:hi] - start)))
        start += len(chunk)
    return pa.concat_arrays(parts) if parts else pa.array([], type=pa.large_string())


def _prepare_fast_path() -> None:
    """Make the plan, the DFAs and the metadata they read (all built on first use)
    before threads share them."""
    _fast_plan()
    for size in _NATIONAL_LENGTHS:
        _national_dfa(size)
    _national_dfa(_NANP_LENGTH, "US")


def _categorical(labels: _Labels, codes: np.ndarray, index: pd.Index) -> pd.Series:
    """Label numbers as a pandas categorical (slot 0, None, is missing): 2 bytes a row."""
    categories = pd.Index(labels.items[1:], dtype=object)
    # The label numbers are in range by construction: pandas need not check 4M codes.
    values = pd.Categorical.from_codes(
        codes.astype(np.int32) - 1, categories=categories, validate=False
    )
    return pd.Series(values, index=index, copy=False)


def _str_array(values: pa.Array | pa.ChunkedArray) -> pd.api.extensions.ExtensionArray:
    """Arrow text as pandas' ``str`` array (NaN for missing), without a copy."""
    return pd.arrays.ArrowStringArray(values, dtype=pd.StringDtype("pyarrow", na_value=np.nan))


def _arrow_cells(raw: pd.Series) -> pa.ChunkedArray:
    """The cells as Arrow large_string chunks (missing → null, numbers as text); the
    chunks of an Arrow-backed column are its own (not copied)."""
    if raw.dtype == "str" or isinstance(raw.dtype, pd.StringDtype):
        array = pa.array(raw.array, type=pa.large_string(), from_pandas=True)
    else:
        objects = raw.to_numpy(dtype=object, na_value=None)
        if len(objects) and pd.api.types.infer_dtype(objects, skipna=True) not in (
            "string",
            "empty",
        ):
            # Numbers in an object column: 13926418573 and 13926418573.0 are equal to
            # Python, but one is clean and the other a float artefact, so compare as text.
            objects = np.array([_as_text(v) for v in objects], dtype=object)
        array = pa.array(objects, type=pa.large_string(), from_pandas=True)
    if isinstance(array, pa.ChunkedArray):
        return array
    return pa.chunked_array([array], type=pa.large_string())


def _e164_text(key: np.ndarray, long_keys: dict[str, int]) -> pa.Array:
    """``+<digits>`` for every key (null for ``NO_KEY``), from the int64 keys."""
    n = len(key)
    usable = key != NO_KEY
    # Arrow writes -<digits> for the negated keys, piece by piece in threads; the pieces'
    # bytes are joined into one array (one copy, which the plus needs anyway: Arrow's
    # buffers are read-only) and every sign becomes the plus. Joining "+" to each
    # value instead took a second kernel as slow as the cast.
    firsts = list(range(0, n, _PIECE_ROWS))
    pieces: list[pa.Array] = [pa.array([], type=pa.large_string())] * len(firsts)

    def write(index: int) -> None:
        part = key[firsts[index] : firsts[index] + _PIECE_ROWS]
        minus = pa.array(np.negative(part), mask=part == NO_KEY)
        pieces[index] = pc.cast(minus, pa.large_string())

    _in_threads(write, list(range(len(firsts))))
    offsets = np.zeros(n + 1, dtype=np.int64)
    chars = []
    for first, piece in zip(firsts, pieces, strict=True):
        piece_offsets, data = _buffers(piece)
        offsets[first + 1 : first + len(piece) + 1] = piece_offsets[1:] + offsets[first]
        chars.append(data[: piece_offsets[-1]])
    joined = np.concatenate(chars) if chars else np.zeros(0, dtype=np.uint8)
    joined[offsets[:-1][usable]] = ord("+")
    text = pa.Array.from_buffers(
        pa.large_string(),
        n,
        [
            pa.py_buffer(np.packbits(usable, bitorder="little")),
            pa.py_buffer(offsets),
            pa.py_buffer(joined),
        ],
        null_count=n - int(usable.sum()),
    )
    if long_keys:  # E.164 digits too long for int64 carry codes from _KEY_LIMIT up
        lookup = {v: k for k, v in long_keys.items()}
        big = np.flatnonzero(key >= _KEY_LIMIT)
        values = text.to_numpy(zero_copy_only=False).astype(object)
        values[big] = [lookup[int(k)] for k in key[big].tolist()]
        text = pa.array(values, type=pa.large_string())
    return text


_INT_PATH_MIN = 10_000  # below this, one string factorize is as fast


def _distinct(objects: np.ndarray) -> tuple[np.ndarray, pa.Array]:
    """``(codes, distinct texts)`` like ``pd.factorize`` (missing → -1), faster for big columns.

    Hashing millions of strings dominates at scale, so 11-digit texts starting with 1
    (the CN mobile shape, usually most of a column) are factorised as int64 — a
    one-to-one mapping, as they have no leading zero — and only the rest as strings.
    """
    n = len(objects)
    if n < _INT_PATH_MIN:
        codes, uniques = pd.factorize(objects)
        return codes, pa.array(np.asarray(uniques, dtype=object), type=pa.string())
    texts = pa.array(objects, type=pa.string(), from_pandas=True)
    shaped = _bool(
        pc.and_(
            pc.and_(pc.equal(pc.utf8_length(texts), 11), pc.ascii_is_decimal(texts)),
            pc.starts_with(texts, "1"),
        )
    )
    if shaped.sum() < n // 4:
        codes, uniques = pd.factorize(objects)
        return codes, pa.array(np.asarray(uniques, dtype=object), type=pa.string())
    ints = np.asarray(pc.cast(texts.filter(pa.array(shaped)), pa.int64()).to_numpy())
    int_codes, int_uniques = pd.factorize(ints)
    rest = np.flatnonzero(~shaped)
    rest_codes, rest_uniques = pd.factorize(objects[rest])
    codes = np.empty(n, dtype=np.int64)
    codes[shaped] = int_codes
    codes[rest] = np.where(rest_codes < 0, -1, rest_codes + len(int_uniques))
    uniques = pa.concat_arrays(
        [
            pc.cast(pa.array(int_uniques, type=pa.int64()), pa.string()),
            pa.array(np.asarray(rest_uniques, dtype=object), type=pa.string()),
        ]
    )
    return codes, uniques


def _region_groups(regions: pd.Series | str, n: int) -> tuple[list[str], np.ndarray | None]:
    """The canonical default regions and each row's index among them (None: every row
    has the only one)."""
    if isinstance(regions, str):
        return [_region_code(regions)], None
    if len(regions) != n:
        raise ValueError("regions must have one entry per phone cell")
    if isinstance(regions.dtype, pd.CategoricalDtype):  # the audit's: codes as they are
        codes, uniques = regions.cat.codes.to_numpy(), list(regions.cat.categories)
    else:
        codes, uniques = pd.factorize(regions)
    canonical = [_region_code(u) for u in uniques] + ["CN"]  # last slot: missing entries
    names = sorted(set(canonical))
    group_of = np.array([names.index(c) for c in canonical], dtype=np.int16)
    row_group = group_of[codes]  # a missing entry's code -1 picks the last slot
    present = np.flatnonzero(np.bincount(row_group, minlength=len(names)))
    if len(present) <= 1:
        return [names[int(present[0])] if n else "CN"], None
    return names, row_group


def _judge_slow(
    uniques: np.ndarray,
    region: str,
    ctx: _Context,
    long_keys: dict[str, int],
    labels: tuple[_Labels, _Labels, _Labels, _Labels],
) -> tuple[np.ndarray, ...]:
    """Slow-path answers for distinct texts of one region (label numbers, see _Labels).

    Returns key, code, detail, usable, number_region and number_type arrays.
    """
    codes, details, regions, types = labels
    k = len(uniques)
    key = np.full(k, NO_KEY, dtype=np.int64)
    code = np.zeros(k, dtype=np.int16)
    detail = np.zeros(k, dtype=np.int32)
    number_region = np.zeros(k, dtype=np.int16)
    number_type = np.zeros(k, dtype=np.int16)
    usable = np.zeros(k, dtype=bool)
    for i, text in enumerate(uniques.tolist()):
        outcome = _classify_value(text, region, ctx)
        code[i], detail[i] = codes.code(outcome.code), details.code(outcome.detail)
        usable[i] = outcome.usable
        if outcome.usable and outcome.e164 is not None:
            key[i] = _e164_key(outcome.e164, long_keys)
        number_region[i] = regions.code(outcome.number_region)
        number_type[i] = types.code(outcome.number_type)
    return key, code, detail, usable, number_region, number_type


def _e164_key(e164: str, long_keys: dict[str, int]) -> int:
    digits = e164[1:]
    if len(digits) < 19:
        return int(digits)
    return long_keys.setdefault(e164, _KEY_LIMIT + len(long_keys))


def describe_number(text: str, region: str = "CN") -> dict[str, Any]:
    """Everything known about one number, for ``contactaudit inspect``.

    Runs the same slow path as :func:`normalize_phones` (which the fast path matches
    exactly). The carrier is the *original allocation* of the number block: China has
    had number portability since 2019, so it says nothing about today's operator.
    """
    from phonenumbers import carrier, geocoder  # heavy data modules: load on demand

    region_code = _region_code(region)
    outcome = _classify_value(text, region_code, _make_context(()))
    n = outcome.numobj
    info: dict[str, Any] = {
        "input": text,
        "region": region_code,
        "cleaned": outcome.candidate,
        "e164": outcome.e164,
        "usable_e164": outcome.e164 if outcome.usable else None,
        "extension": outcome.extension,
        "number_type": outcome.number_type,
        "number_region": outcome.number_region,
        "is_valid": bool(n is not None and phonenumbers.is_valid_number(n)),
        "is_possible": bool(n is not None and phonenumbers.is_possible_number(n)),
        "home_region_zh": None,
        "home_region_en": None,
        "original_carrier": None,
        "original_carrier_zh": None,
        "original_carrier_note": "carrier of the original allocation; numbers may have been "
        "ported since (China: number portability since 2019)",
        "malformed": outcome.code,
        "usable": outcome.usable,
        "reason": outcome.detail,
    }
    if n is not None:
        info["home_region_zh"] = geocoder.description_for_number(n, "zh") or None
        info["home_region_en"] = geocoder.description_for_number(n, "en") or None
        info["original_carrier"] = carrier.name_for_number(n, "en") or None
        info["original_carrier_zh"] = carrier.name_for_number(n, "zh") or None
    return info
