"""Synthetic exports with known defects, and the exact findings they must produce.

``generate_sample`` writes ``borrowers.csv``, ``contacts.csv`` (long layout),
``reassigned.csv``, ``opt_outs.csv``, ``campaign.csv`` and ``truth.csv``
(``source,row,code``: every finding a correct implementation of DESIGN.md §4 must
report on these files with ``--as-of`` set to the sample's ``as_of``), plus a short
``README.md``. The same arguments always give byte-identical files; the clock is
never read.

Everything is fictional: names are drawn from common given names and surnames, and
the numbers are random digits behind real Chinese mobile prefixes (plus US numbers
in the 555-01xx range reserved for fiction), so some may belong to real people —
never text them.

How the truth stays exact. Defects interact (a shared number gives a finding on each
peer; a message to a contact that is another borrower is third-party *and* unsafe),
so the truth is not a list of what was injected. It is computed by ``_oracle``, which
applies the contract's rules to what the generator *knows* about each record (the
E.164 number it drew, whether the cell is usable, the dates, the relationship) —
without parsing any text. The generator starts from clean records (valid, unique
numbers; fresh verification; known relationships; country CN) and puts each defect
into records of its own; every record also carries the codes its scenario meant to
cause, and the tests check that the oracle agrees with those intentions. Situations
where the contract is silent are never generated, and ``_oracle`` asserts that.

Choices where the contract is silent (the data avoids them, so truth does not depend
on them): stale-family codes and relationship checks are never exercised on unusable
numbers; contacts have no country column and no contacts belong to a borrower whose
country is not CN; a name-conflict group has only distinct real names; no campaign
message goes to a self contact's number. Where the contract decides, traps are
included on purpose: exactly 180/365 days is not stale, a consent date later than an
old verification makes it fresh, disconnection before verification is not
reassigned, a borrower row repeated with the same phone is not a duplicate id, a
contact number listed by two borrowers is not fan-out, names differing only in case,
width or spaces (or a role word such as 妈妈) are not a conflict, plain E.164 is not
decoration, 08:00 and 20:59 are inside the sending window, a non-collection message
with a neutral text to one of the borrower's contacts passes, and an unusable
campaign number gets ``recipient-unsafe-number`` only.

Below ``MIN_FULL_COVERAGE`` borrowers some scenarios do not fit and their codes are
missing from the sample.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import phonenumbers
from phonenumbers import PhoneNumberType

from contactaudit import catalog
from contactaudit.errors import ContactAuditError
from contactaudit.models import Severity
from contactaudit.outputs import write_atomic
from contactaudit.phones import RUN_RULE_EXEMPT
from contactaudit.vocab import RELATIONSHIP_WORDS, ROLE_WORDS, fold_text


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


DEFAULT_AS_OF = dt.date(2026, 11, 28)
# Every catalogue code appears in the truth from this many borrowers on.
MIN_FULL_COVERAGE = 36

FILES = ("borrowers", "contacts", "reassigned", "opt_outs", "campaign", "truth")
COLUMNS: dict[str, tuple[str, ...]] = {
    "borrowers": _words(
        "borrower_id name phone country phone_verified_at consent_at status sms_opt_out"
    ),
    "contacts": ("contact_id", "borrower_id", "name", "phone", "relationship", "verified_at"),
    "reassigned": ("phone", "disconnected_at"),
    "opt_outs": ("phone", "opted_out_at"),
    "campaign": ("message_id", "borrower_id", "phone", "purpose", "scheduled_at", "text"),
    "truth": ("source", "row", "code"),
}
SOURCE_ORDER = {"borrowers": 0, "contacts": 1, "campaign": 2}

STALE_DAYS = {"borrowers": 180, "contacts": 365}
WINDOW = (dt.time(8, 0), dt.time(21, 0))

# Prefixes whose 11-digit numbers phonenumbers reports as valid CN mobiles.
_CN_PREFIXES = _words("135 136 137 138 139 150 151 152 153 157 158 159 182 183 184 185 186 187 188")
# 555-0100..0199 is reserved for fiction in the North American numbering plan.
_US_AREAS = ("202", "206", "212", "213", "305", "312", "415", "617", "646", "718")
_KNOWN_DUMMIES = ("13800138000", "13888888888", "18888888888", "13800000000")

_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁"
_GIVEN = _words(
    "伟 芳 娜 秀英 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 秀兰 霞 平 刚 桂英 子涵 浩然 雨桐 "
    "思远 欣怡 宇轩 梓萱 晨曦 嘉怡 俊杰 佳琪 文博"
)
_FIRST = _words(
    "Amy Ben Chloe Daniel Emma Frank Grace Henry Ivy Jack Kevin Lily Mia Nathan Olivia Peter "
    "Queenie Ryan Sophie Tony Vivian William Yvonne Zoe"
)
_LAST = _words(
    "Chan Wong Lee Cheung Lau Ng Ho Tang Leung Smith Brown Taylor Walker Hughes Carter Morgan "
    "Lin Zhou Tan"
)
_ROLE_NAMES = ("妈妈", "老公", "先生", "女士", "爸爸", "Mr")
_NONSELF_WORDS = _words(
    "spouse Wife husband mother Father parent child son daughter sibling brother sister "
    "relative cousin friend colleague other 配偶 老公 老婆 父亲 母亲 妈妈 爸爸 子女 儿子 女儿 "
    "兄弟姐妹 哥哥 姐姐 亲戚 朋友 同学 同事 其他"
)
_SELF_WORDS = ("self", "本人", "自己")
_UNKNOWN_RELATIONSHIPS = ("", "邻居", "neighbour", "房东", "landlord", "N/A", "客户经理")
_STATUSES = ("active", "active", "overdue", "settled", "written_off")
_PURPOSES = ("collection", "reminder", "service", "marketing")
_DEBT_TEXTS = (
    "您的借款已逾期，请尽快还款。",
    "【提醒】您本期欠款尚未结清，请今日内处理，避免进入催收流程。",
    "您有一笔逾期账单，金额1280.00元，请尽快还款。",
    "Your loan is overdue. Please pay the outstanding debt today.",
    "Reminder: your debt of CNY 3,500 is overdue.",
)
# No digits and no debt words, so no reading of "amounts" or debt vocabulary matches.
_NEUTRAL_TEXTS = (
    "您好，感谢您使用我们的服务。",
    "您的个人资料已更新成功。",
    "祝您生活愉快！",
    "Hello, thank you for choosing our service.",
    "Your profile details have been updated.",
)

_NULL_CELLS = ("", "null", "NULL", "N/A", "-", "/", "0", "无", "暂无", "none")
_UNPARSEABLE = ("见备注", "同上", "请联系本人", "see notes", "abc")
_MASKS = ("****", "××××", "＊＊＊＊")
_MULTI_SEPARATORS = ("/", "，", "、", "；", ";", "|", " ")
_EXTENSIONS = (" ext. {}", "#{}", "转{}", "分机{}", " x{}")


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class _Phone:
    raw: str
    e164: str | None  # None when the cell has no usable number
    region: str | None
    malformed: str | None = None


@dataclass
class _Borrower:
    borrower_id: str
    name: str
    phone: _Phone
    country: str
    verified: dt.date | None
    consent: dt.date | None
    verified_text: str
    consent_text: str
    status: str
    opt_out: bool
    opt_out_text: str
    intent: set[str] = field(default_factory=set)
    row: int = 0

    def cells(self) -> list[str]:
        return [
            self.borrower_id,
            self.name,
            self.phone.raw,
            self.country,
            self.verified_text,
            self.consent_text,
            self.status,
            self.opt_out_text,
        ]


@dataclass
class _Contact:
    borrower_id: str
    name: str
    phone: _Phone
    relationship: str
    verified: dt.date | None
    verified_text: str
    intent: set[str] = field(default_factory=set)
    contact_id: str = ""
    row: int = 0

    @property
    def rel(self) -> str | None:
        """The canonical relationship, or None when blank or outside the vocabulary."""
        return RELATIONSHIP_WORDS.get(fold_text(self.relationship))

    def cells(self) -> list[str]:
        return [
            self.contact_id,
            self.borrower_id,
            self.name,
            self.phone.raw,
            self.relationship,
            self.verified_text,
        ]


@dataclass
class _Listed:
    """A row of the reassigned or opt-out list."""

    phone: _Phone
    when: dt.date
    when_text: str

    def cells(self) -> list[str]:
        return [self.phone.raw, self.when_text]


@dataclass
class _Message:
    borrower_id: str
    phone: _Phone
    purpose: str
    scheduled_text: str
    local: dt.time | None  # wall time at the recipient, None when not scheduled
    text: str
    debt: bool
    intent: set[str] = field(default_factory=set)
    message_id: str = ""
    row: int = 0

    def cells(self) -> list[str]:
        return [
            self.message_id,
            self.borrower_id,
            self.phone.raw,
            self.purpose,
            self.scheduled_text,
            self.text,
        ]


@dataclass
class _Dataset:
    borrowers: list[_Borrower]
    contacts: list[_Contact]
    reassigned: list[_Listed]
    opt_outs: list[_Listed]
    campaign: list[_Message]
    as_of: dt.date

    def records(self) -> Iterable[tuple[str, _Borrower | _Contact | _Message]]:
        yield from (("borrowers", b) for b in self.borrowers)
        yield from (("contacts", c) for c in self.contacts)
        yield from (("campaign", m) for m in self.campaign)

    def intended(self) -> set[tuple[str, int, str]]:
        return {(s, r.row, code) for s, r in self.records() for code in r.intent}


# --------------------------------------------------------------------------- numbers


def _runs_ok(digits: str) -> bool:
    """No hint of a placeholder: short identical and consecutive runs only.

    Stricter than the placeholder rule (7 identical / 8 consecutive) and counts a
    9→0 wrap as consecutive, so no reading of the rule can flag a clean number.
    """
    same = up = down = up_wrap = down_wrap = 1
    for a, b in zip(digits, digits[1:], strict=False):
        x, y = int(a), int(b)
        same = same + 1 if x == y else 1
        up = up + 1 if y == x + 1 else 1
        down = down + 1 if y == x - 1 else 1
        up_wrap = up_wrap + 1 if y == (x + 1) % 10 else 1
        down_wrap = down_wrap + 1 if y == (x - 1) % 10 else 1
        if same >= 5 or max(up, down, up_wrap, down_wrap) >= 6:
            return False
    return digits not in _KNOWN_DUMMIES


def _parse(text: str, region: str = "CN") -> phonenumbers.PhoneNumber:
    return phonenumbers.parse(text, region)


def _e164(number: phonenumbers.PhoneNumber) -> str:
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class _Numbers:
    """Draws numbers that no other record holds unless a scenario says so."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def _digits(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789") for _ in range(n))

    def _fresh(self, make: Callable[[], str], accept: Callable[[str], str | None]) -> str:
        while True:
            candidate = make()
            e164 = accept(candidate)
            if e164 is not None and e164 not in self.used:
                self.used.add(e164)
                return candidate

    def mobile(self) -> str:
        """National digits of a valid CN mobile (e.g. ``13512345678``), unique."""

        def accept(digits: str) -> str | None:
            if not _runs_ok(digits):
                return None
            number = _parse(digits)
            ok = phonenumbers.is_valid_number(number) and (
                phonenumbers.number_type(number) == PhoneNumberType.MOBILE
            )
            return _e164(number) if ok else None

        return self._fresh(lambda: self.rng.choice(_CN_PREFIXES) + self._digits(8), accept)

    def us(self) -> str:
        """A valid US number in the fictional 555-01xx range, in E.164."""

        def accept(text: str) -> str | None:
            number = _parse(text)
            ok = phonenumbers.is_valid_number(number) and (
                phonenumbers.region_code_for_number(number) == "US"
            )
            return text if ok else None

        return self._fresh(
            lambda: "+1" + self.rng.choice(_US_AREAS) + "5550" + "1" + self._digits(2), accept
        )

    def not_mobile(self) -> tuple[str, str]:
        """(digits, E.164) of a valid CN fixed line, toll-free or shared-cost number."""
        kinds = (
            lambda: "010" + self.rng.choice("2345678") + self._digits(7),
            lambda: "021" + self.rng.choice("23456") + self._digits(7),
            lambda: "0755" + self.rng.choice("2345678") + self._digits(7),
            lambda: "800" + self.rng.choice("1234589") + self._digits(6),
            lambda: "400" + self.rng.choice("1235678") + self._digits(6),
        )

        def accept(digits: str) -> str | None:
            if not _runs_ok(digits.lstrip("0")):
                return None
            number = _parse(digits)
            ok = phonenumbers.is_valid_number(number) and phonenumbers.number_type(number) not in (
                PhoneNumberType.MOBILE,
                PhoneNumberType.FIXED_LINE_OR_MOBILE,
            )
            return _e164(number) if ok else None

        digits = self._fresh(lambda: self.rng.choice(kinds)(), accept)
        return digits, _e164(_parse(digits))


# --------------------------------------------------------------------------- builder


def _fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in text)


class _Builder:
    def __init__(self, borrowers: int, seed: int, as_of: dt.date) -> None:
        self.n = borrowers
        self.rng = random.Random(f"contactaudit-sample:{seed}")
        self.numbers = _Numbers(self.rng)
        self.as_of = as_of
        self.borrowers: list[_Borrower] = []
        self.contacts: list[_Contact] = []
        self.reassigned: list[_Listed] = []
        self.opt_outs: list[_Listed] = []
        self.campaign: list[_Message] = []
        # Borrower ids are handed out in a shuffled order so that sorting the export
        # by id scatters the scenarios; ids left over serve orphans and unknowns.
        ids = [f"B{i:06d}" for i in range(1, 2 * borrowers + 200)]
        self.rng.shuffle(ids)
        self._ids = ids
        self.clean: list[_Borrower] = []
        self._exclusive: list[_Borrower] = []
        self.tainted: set[str] = set()
        self.self_listed: set[str] = set()

    # -- sizes ---------------------------------------------------------------------
    def count(self, rate: float, minimum: int = 1) -> int:
        return max(minimum, round(self.n * rate))

    def rows_left(self) -> int:
        return self.n - len(self.borrowers)

    def new_id(self) -> str:
        return self._ids.pop()

    # -- cell values ---------------------------------------------------------------
    def name(self) -> str:
        if self.rng.random() < 0.7:
            return self.rng.choice(_SURNAMES) + self.rng.choice(_GIVEN)
        return f"{self.rng.choice(_FIRST)} {self.rng.choice(_LAST)}"

    def contact_name(self) -> str:
        roll = self.rng.random()
        if roll < 0.08:
            return self.rng.choice(_ROLE_NAMES)
        if roll < 0.14:
            return ""
        return self.name()

    def date_text(self, day: dt.date | None) -> str:
        if day is None:
            return ""
        roll = self.rng.random()
        if roll < 0.8:
            return day.isoformat()
        if roll < 0.88:
            return f"{day.year}/{day.month}/{day.day}"
        if roll < 0.94:
            return f"{day.year}年{day.month}月{day.day}日"
        return day.strftime("%Y%m%d")

    def ago(self, low: int, high: int) -> dt.date:
        return self.as_of - dt.timedelta(days=self.rng.randint(low, high))

    def after(self, day: dt.date | None) -> dt.date:
        """A day between ``day`` and as_of: an opt-out no later verification undoes."""
        assert day is not None
        return day + dt.timedelta(days=self.rng.randint(0, (self.as_of - day).days))

    def clean_phone(self, digits: str | None = None, plus: float = 0.15) -> _Phone:
        digits = digits or self.numbers.mobile()
        raw = "+86" + digits if self.rng.random() < plus else digits
        return _Phone(raw, "+86" + digits, "CN")

    # -- records -------------------------------------------------------------------
    def add_borrower(
        self,
        phone: _Phone,
        *,
        borrower_id: str | None = None,
        country: str = "CN",
        verified: dt.date | None | str = "fresh",
        consent: dt.date | None | str = "older",
        opt_out: bool = False,
        intent: Iterable[str] = (),
        name: str | None = None,
    ) -> _Borrower:
        if verified == "fresh":
            verified = self.ago(3, 170)
        if consent == "older" and verified is None:
            consent = self.ago(3, 170)  # consent stands in for the missing verification
        elif consent == "older":
            # Consent never later than the verification, so "latest of" and "falls
            # back to" read the same date (except in the scenario that tests it).
            assert isinstance(verified, dt.date)
            consent = (
                None
                if self.rng.random() < 0.2
                else verified - dt.timedelta(days=self.rng.randint(0, 400))
            )
        assert not isinstance(verified, str) and not isinstance(consent, str)
        opt_text = (
            self.rng.choice(("true", "true", "yes", "是"))
            if opt_out
            else self.rng.choice(("false", "false", "false", "no", "否"))
        )
        borrower = _Borrower(
            borrower_id=borrower_id or self.new_id(),
            name=name if name is not None else self.name(),
            phone=phone,
            country=country,
            verified=verified,
            consent=consent,
            verified_text=self.date_text(verified),
            consent_text=self.date_text(consent),
            status=self.rng.choice(_STATUSES),
            opt_out=opt_out,
            opt_out_text=opt_text,
            intent=set(intent),
        )
        self.borrowers.append(borrower)
        return borrower

    def add_contact(
        self,
        borrower_id: str,
        phone: _Phone,
        *,
        relationship: str | None = None,
        name: str | None = None,
        verified: dt.date | None | str = "fresh",
        intent: Iterable[str] = (),
    ) -> _Contact:
        if verified == "fresh":
            verified = self.ago(3, 355)
        assert not isinstance(verified, str)
        contact = _Contact(
            borrower_id=borrower_id,
            name=name if name is not None else self.contact_name(),
            phone=phone,
            relationship=relationship
            if relationship is not None
            else self.rng.choice(_NONSELF_WORDS),
            verified=verified,
            verified_text=self.date_text(verified),
            intent=set(intent),
        )
        self.contacts.append(contact)
        return contact

    def add_listed(self, target: list[_Listed], e164: str, when: dt.date) -> None:
        """Put a number on a reference list, in one of the formats lists arrive in."""
        national = e164[3:]
        raw = self.rng.choice(
            (national, national, e164, f"{national[:3]} {national[3:7]} {national[7:]}")
        )
        target.append(_Listed(_Phone(raw, e164, "CN"), when, self.date_text(when)))

    def schedule(self, local: dt.datetime | None) -> tuple[str, dt.time | None]:
        """A scheduled_at cell for a CN recipient, naive or with an offset."""
        if local is None:
            return "", None
        roll = self.rng.random()
        if roll < 0.4:
            text = local.strftime("%Y-%m-%d %H:%M")
            if local.second:
                text = local.strftime("%Y-%m-%d %H:%M:%S")
        elif roll < 0.6:
            text = local.strftime("%Y-%m-%dT%H:%M:%S")
        elif roll < 0.8:
            text = local.strftime("%Y-%m-%dT%H:%M:%S") + "+08:00"
        else:
            text = (local - dt.timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M:%SZ")
        return text, local.time()

    def send_day(self) -> dt.date:
        return self.as_of + dt.timedelta(days=self.rng.randint(1, 10))

    def inside(self) -> dt.datetime | None:
        if self.rng.random() < 0.15:
            return None
        return dt.datetime.combine(
            self.send_day(), dt.time(self.rng.randint(8, 20), self.rng.randint(0, 59))
        )

    def add_message(
        self,
        borrower_id: str,
        phone: _Phone,
        *,
        purpose: str | None = None,
        local: dt.datetime | None | str = "inside",
        debt: bool | None = None,
        intent: Iterable[str] = (),
    ) -> _Message:
        if local == "inside":
            local = self.inside()
        assert not isinstance(local, str)
        if debt is None:
            debt = self.rng.random() < 0.5
        text = self.rng.choice(_DEBT_TEXTS if debt else _NEUTRAL_TEXTS)
        if not debt and self.rng.random() < 0.2:
            text = ""
        scheduled, wall = self.schedule(local)
        message = _Message(
            borrower_id=borrower_id,
            phone=phone,
            purpose=purpose or self.rng.choice(_PURPOSES),
            scheduled_text=scheduled,
            local=wall,
            text=text,
            debt=debt,
            intent=set(intent),
        )
        self.campaign.append(message)
        return message

    def own(self, borrower: _Borrower) -> _Phone:
        """The borrower's number as a message would carry it (national or E.164)."""
        assert borrower.phone.e164 is not None
        national = borrower.phone.e164[3:]
        raw = borrower.phone.e164 if self.rng.random() < 0.3 else national
        return _Phone(raw, borrower.phone.e164, "CN")

    # -- hosts ---------------------------------------------------------------------
    def host(self) -> _Borrower:
        """A clean borrower to hang a contact-level scenario on (may be reused)."""
        return self.rng.choice(self.clean)

    def hosts(self, k: int) -> list[_Borrower] | None:
        return self.rng.sample(self.clean, k) if len(self.clean) >= k else None

    def exclusive(self) -> _Borrower | None:
        """A clean borrower no other exclusive scenario touches (None when used up)."""
        return self._exclusive.pop() if self._exclusive else None

    def start_pool(self) -> None:
        # A borrower with a self contact already has a contact row holding its own
        # number; exclusive scenarios add another one, which would be a name-conflict.
        self._exclusive = [r for r in self.clean if r.borrower_id not in self.self_listed]
        self.rng.shuffle(self._exclusive)

    # -- malformed cells -------------------------------------------------------------
    def malformed(self, code: str) -> _Phone:
        rng = self.rng
        if code == "phone-missing":
            return _Phone(rng.choice(_NULL_CELLS), None, None, code)
        if code == "phone-masked":
            d = self.numbers.mobile()
            return _Phone(d[:3] + rng.choice(_MASKS) + d[7:], None, None, code)
        if code == "phone-precision-lost":
            while True:
                d = self.numbers.mobile()
                written = rng.choice((3, 6, 7, 10))
                if d[written - 1] != "0":  # a trailing written zero would blur the count
                    break
            exponent = rng.choice(("E+10", "E10", "e+10"))
            return _Phone(f"{d[0]}.{d[1:written]}{exponent}", None, None, code)
        if code == "phone-multiple":
            a, b = self.numbers.mobile(), self.numbers.mobile()
            if rng.random() < 0.2:
                return _Phone(f"母亲{a} 父亲{b}", None, None, code)
            return _Phone(f"{a}{rng.choice(_MULTI_SEPARATORS)}{b}", None, None, code)
        if code == "phone-unparseable":
            return _Phone(rng.choice(_UNPARSEABLE), None, None, code)
        if code == "phone-not-sms-capable":
            kinds = (
                lambda: (
                    rng.choice(("140", "141", "142", "143", "144", "146", "148"))
                    + self.numbers._digits(8)
                ),
                lambda: rng.choice(("1440", "1410", "1064")) + self.numbers._digits(9),
                lambda: rng.choice(("146", "148")) + self.numbers._digits(10),
                lambda: "1749" + self.numbers._digits(7),
                lambda: (
                    "174"
                    + rng.choice(("06", "07", "08", "09", "10", "11", "12"))
                    + self.numbers._digits(6)
                ),
            )
            while True:
                d = rng.choice(kinds)()
                if _runs_ok(d):
                    return _Phone(d, None, None, code)
        if code == "phone-invalid":
            while True:
                prefix = rng.choice(_CN_PREFIXES)
                d = prefix + self.numbers._digits(rng.choice((7, 9)))  # 10 or 12 digits
                if _runs_ok(d) and not phonenumbers.is_valid_number(_parse(d)):
                    return _Phone(d, None, None, code)
        if code == "phone-placeholder":
            roll = rng.random()
            if roll < 0.35:
                d = rng.choice(_KNOWN_DUMMIES)
            elif roll < 0.7:
                same = rng.choice("0123456789")
                other = rng.choice([c for c in "0123456789" if c != same])
                d = rng.choice(_CN_PREFIXES) + other + same * 7
            else:
                d = rng.choice(_CN_PREFIXES) + rng.choice(
                    ("01234567", "12345678", "23456789", "98765432", "87654321", "76543210")
                )
                if "+86" + d in RUN_RULE_EXEMPT:  # the contract's clean example number
                    d = "139" + d[3:]
            assert phonenumbers.is_valid_number(_parse(d))
            return _Phone(d, None, None, code)
        if code == "phone-not-mobile":
            d, e164 = self.numbers.not_mobile()
            raw = d
            if d.startswith("0") and rng.random() < 0.5:
                cut = 4 if d.startswith("0755") else 3
                raw = f"{d[:cut]}-{d[cut:]}"
            return _Phone(raw, e164, "CN", code)
        if code == "phone-has-extension":
            d = self.numbers.mobile()
            ext = str(rng.randint(1, 9)) + self.numbers._digits(rng.randint(1, 3))
            return _Phone(d + rng.choice(_EXTENSIONS).format(ext), "+86" + d, "CN", code)
        if code == "phone-float-artifact":
            d = self.numbers.mobile()
            while d.endswith("0"):  # a trailing written zero would blur the digit count
                d = self.numbers.mobile()
            raw = rng.choice((f"{d}.0", f"{d[0]}.{d[1:]}E10", f"{d[0]}.{d[1:]}E+10"))
            return _Phone(raw, "+86" + d, "CN", code)
        if code == "phone-nonstandard-format":
            d = self.numbers.mobile()
            raw = rng.choice(
                (
                    f"{d[:3]} {d[3:7]} {d[7:]}",
                    f"{d[:3]}-{d[3:7]}-{d[7:]}",
                    _fullwidth(d),
                    f"+86 {d[:3]} {d[3:7]} {d[7:]}",
                    f"0086{d}",
                    f"+86-{d[:3]}-{d[3:7]}-{d[7:]}",
                )
            )
            assert _e164(_parse(raw)) == "+86" + d
            return _Phone(raw, "+86" + d, "CN", code)
        raise ValueError(f"not a malformed code: {code}")


# --------------------------------------------------------------------------- scenarios
# Each scenario builds its own records and states the codes it means to cause.


def _borrower_scenarios(b: _Builder) -> list[tuple[float, int, int, Callable[[], None]]]:
    """(rate, minimum count, borrower rows per instance, build) in priority order."""
    as_of = b.as_of

    def malformed(code: str) -> Callable[[], None]:
        def build() -> None:
            borrower = b.add_borrower(b.malformed(code), intent={code})
            for _ in range(b.rng.choice((0, 0, 1, 2))):
                b.add_contact(borrower.borrower_id, b.clean_phone())

        return build

    def shared(with_message: bool) -> Callable[[], None]:
        def build() -> None:
            digits = b.numbers.mobile()
            peers = [
                b.add_borrower(
                    b.clean_phone(digits, plus=0.4), intent={"phone-shared-by-borrowers"}
                )
                for _ in range(2)
            ]
            if with_message:
                b.add_message(
                    peers[0].borrower_id, b.own(peers[0]), intent={"recipient-unsafe-number"}
                )

        return build

    def duplicate_id(with_message: bool) -> Callable[[], None]:
        def build() -> None:
            bid = b.new_id()
            rows = [
                b.add_borrower(b.clean_phone(), borrower_id=bid, intent={"borrower-duplicate-id"})
                for _ in range(2)
            ]
            if with_message:
                target = b.rng.choice(rows)
                b.add_message(bid, b.own(target), intent={"recipient-unsafe-number"})

        return build

    def exact_duplicate_row() -> None:
        first = b.add_borrower(b.clean_phone())
        b.borrowers.append(
            _Borrower(**{**first.__dict__, "intent": set(), "row": 0})  # same cells
        )

    def region(kind: str) -> Callable[[], None]:
        def build() -> None:
            if kind == "us-country-cn-number":
                e164 = "+86" + b.numbers.mobile()
                b.add_borrower(_Phone(e164, e164, "CN"), country="US", intent={"region-mismatch"})
            elif kind == "cn-country-us-number":
                e164 = b.numbers.us()
                b.add_borrower(_Phone(e164, e164, "US"), country="CN", intent={"region-mismatch"})
            else:  # trap: a US number on a US row
                e164 = b.numbers.us()
                b.add_borrower(_Phone(e164, e164, "US"), country="US")

        return build

    def stale(kind: str) -> Callable[[], None]:
        def build() -> None:
            if kind == "verified":
                b.add_borrower(
                    b.clean_phone(), verified=b.ago(181, 900), intent={"phone-verification-stale"}
                )
            elif kind == "consent-only":
                b.add_borrower(
                    b.clean_phone(),
                    verified=None,
                    consent=b.ago(181, 900),
                    intent={"phone-verification-stale"},
                )
            elif kind == "exactly-180":
                b.add_borrower(b.clean_phone(), verified=as_of - dt.timedelta(days=180))
            elif kind == "consent-later":
                b.add_borrower(b.clean_phone(), verified=b.ago(200, 700), consent=b.ago(3, 170))
            else:  # a message to a stale (medium) borrower passes the gate
                borrower = b.add_borrower(
                    b.clean_phone(), verified=b.ago(181, 900), intent={"phone-verification-stale"}
                )
                b.add_message(borrower.borrower_id, b.own(borrower))

        return build

    def never_verified() -> None:
        b.add_borrower(
            b.clean_phone(), verified=None, consent=None, intent={"phone-never-verified"}
        )

    def reassigned(kind: str) -> Callable[[], None]:
        def build() -> None:
            phone = b.clean_phone()
            assert phone.e164 is not None
            if kind == "never-verified":
                b.add_borrower(
                    phone,
                    verified=None,
                    consent=None,
                    intent={"phone-reassigned", "phone-never-verified"},
                )
                b.add_listed(b.reassigned, phone.e164, b.ago(10, 400))
                return
            if kind == "before-verification":  # trap: re-verified after the disconnection
                verified = b.ago(3, 170)
                b.add_borrower(phone, verified=verified)
                b.add_listed(
                    b.reassigned, phone.e164, verified - dt.timedelta(days=b.rng.randint(1, 300))
                )
                return
            if kind == "stale":
                verified = b.ago(250, 700)
                intent = {"phone-reassigned", "phone-verification-stale"}
            else:
                verified = b.ago(20, 170)
                intent = {"phone-reassigned"}
            borrower = b.add_borrower(phone, verified=verified, intent=intent)
            gap = 0 if kind == "same-day" else b.rng.randint(1, (as_of - verified).days)
            b.add_listed(b.reassigned, phone.e164, verified + dt.timedelta(days=gap))
            if kind == "message":
                b.add_message(
                    borrower.borrower_id, b.own(borrower), intent={"recipient-unsafe-number"}
                )

        return build

    def opted(kind: str) -> Callable[[], None]:
        def build() -> None:
            phone = b.clean_phone()
            assert phone.e164 is not None
            on_list = kind.startswith("list")
            borrower = b.add_borrower(phone, opt_out=not on_list, intent={"phone-opted-out"})
            if on_list:
                b.add_listed(b.opt_outs, phone.e164, b.after(borrower.verified))
            if kind.endswith("message"):
                b.add_message(borrower.borrower_id, b.own(borrower), intent={"recipient-opted-out"})

        return build

    def message_to_decorated() -> None:
        # A usable but decorated (info) borrower number is safe to text.
        borrower = b.add_borrower(
            b.malformed("phone-nonstandard-format"), intent={"phone-nonstandard-format"}
        )
        b.add_message(borrower.borrower_id, b.own(borrower))

    plan: list[tuple[float, int, int, Callable[[], None]]] = [
        (0.01, 1, 1, malformed(code)) for code in catalog.MALFORMED_ORDER
    ]
    plan += [
        # gate scenarios that need a borrower row of their own
        (0.004, 1, 2, shared(True)),
        (0.003, 1, 2, duplicate_id(True)),
        (0.004, 1, 1, reassigned("message")),
        (0.003, 1, 1, opted("flag-message")),
        (0.003, 1, 1, opted("list-message")),
        (0.006, 1, 2, shared(False)),
        (0.005, 1, 2, duplicate_id(False)),
        (0.005, 1, 1, region("us-country-cn-number")),
        (0.005, 1, 1, region("cn-country-us-number")),
        (0.005, 1, 1, stale("verified")),
        (0.003, 0, 1, stale("consent-only")),
        (0.006, 1, 1, never_verified),
        (0.005, 1, 1, reassigned("after-verification")),
        (0.002, 0, 1, reassigned("same-day")),
        (0.002, 0, 1, reassigned("never-verified")),
        (0.002, 0, 1, reassigned("stale")),
        (0.004, 1, 1, opted("flag")),
        (0.004, 1, 1, opted("list")),
        # traps: the contract says these are not findings
        (0.002, 0, 2, exact_duplicate_row),
        (0.002, 0, 1, region("us-us")),
        (0.002, 0, 1, stale("exactly-180")),
        (0.002, 0, 1, stale("consent-later")),
        (0.002, 0, 1, stale("message")),
        (0.002, 0, 1, reassigned("before-verification")),
        (0.002, 0, 1, message_to_decorated),
    ]
    return plan


def _contact_scenarios(b: _Builder) -> list[tuple[float, int, Callable[[], bool]]]:
    """(rate, minimum count, build) for scenarios hung on clean borrowers.

    ``build`` returns False when the pool of clean borrowers cannot host it.
    """
    as_of = b.as_of

    def malformed(code: str) -> Callable[[], bool]:
        def build() -> bool:
            b.add_contact(b.host().borrower_id, b.malformed(code), intent={code})
            return True

        return build

    def is_borrower_phone(with_message: bool) -> Callable[[], bool]:
        def build() -> bool:
            host = b.exclusive()
            if host is None:
                return False
            b.tainted.add(host.borrower_id)
            b.add_contact(host.borrower_id, b.own(host), intent={"contact-is-borrower-phone"})
            if with_message:
                b.add_message(host.borrower_id, b.own(host), intent={"recipient-unsafe-number"})
            return True

        return build

    def is_other_borrower(message: str | None) -> Callable[[], bool]:
        def build() -> bool:
            other = b.exclusive()
            if other is None or len(b.clean) < 2:
                return False
            host = b.host()
            while host is other:
                host = b.host()
            contact = b.add_contact(
                host.borrower_id, b.own(other), intent={"contact-is-other-borrower"}
            )
            if message is not None:
                debt = message == "debt"
                intent = {"recipient-third-party", "recipient-unsafe-number"}
                if debt:
                    intent.add("recipient-debt-disclosure")
                b.add_message(
                    host.borrower_id,
                    contact.phone,
                    purpose="collection",
                    debt=debt,
                    intent=intent,
                )
            return True

        return build

    def fanout(listers: int, rows_by_first: int = 1) -> Callable[[], bool]:
        def build() -> bool:
            hosts = b.hosts(listers)
            if hosts is None:
                return False
            digits = b.numbers.mobile()
            name = b.name()
            distinct = listers >= 3
            for i, host in enumerate(hosts):
                for _ in range(rows_by_first if i == 0 else 1):
                    intent = set()
                    if distinct:
                        intent.add("contact-shared-by-borrowers")
                    if i == 0 and rows_by_first > 1:
                        intent.add("contact-duplicate")
                    b.add_contact(
                        host.borrower_id,
                        b.clean_phone(digits, plus=0.3),
                        name=name,
                        intent=intent,
                    )
            return True

        return build

    def duplicate() -> bool:
        host = b.host()
        digits = b.numbers.mobile()
        name = b.contact_name()
        for _ in range(2):
            b.add_contact(
                host.borrower_id,
                b.clean_phone(digits, plus=0.3),
                name=name,
                intent={"contact-duplicate"},
            )
        return True

    def self_mismatch() -> bool:
        host = b.host()
        b.add_contact(
            host.borrower_id,
            b.clean_phone(),
            relationship=b.rng.choice(_SELF_WORDS),
            name=host.name,
            intent={"self-contact-mismatch"},
        )
        return True

    def names(kind: str) -> Callable[[], bool]:
        def build() -> bool:
            hosts = b.hosts(2)
            if hosts is None:
                return False
            digits = b.numbers.mobile()
            first = b.name()
            if kind == "conflict":
                second = b.name()
                while fold_text(second) == fold_text(first):
                    second = b.name()
                intent = {"name-conflict"}
            elif kind == "folding":  # same name after NFKC, case and space folding
                first = f"{b.rng.choice(_FIRST)} {b.rng.choice(_LAST)}"
                second = b.rng.choice(
                    (first.upper(), first.replace(" ", "  "), _fullwidth_letters(first))
                )
                intent = set()
            else:  # a role word or a blank is not a second person
                second = b.rng.choice((*_ROLE_NAMES, ""))
                intent = set()
            for host, name in zip(hosts, (first, second), strict=True):
                b.add_contact(
                    host.borrower_id, b.clean_phone(digits, plus=0.3), name=name, intent=intent
                )
            return True

        return build

    def relationship_unknown() -> bool:
        b.add_contact(
            b.host().borrower_id,
            b.clean_phone(),
            relationship=b.rng.choice(_UNKNOWN_RELATIONSHIPS),
            intent={"relationship-unknown"},
        )
        return True

    def orphan() -> bool:
        b.add_contact(b.new_id(), b.clean_phone(), intent={"contact-orphan"})
        return True

    def contact_reassigned(kind: str) -> Callable[[], bool]:
        def build() -> bool:
            phone = b.clean_phone()
            assert phone.e164 is not None
            verified = b.ago(20, 355)
            if kind == "after":
                when = verified + dt.timedelta(days=b.rng.randint(0, (as_of - verified).days))
                intent = {"phone-reassigned"}
            else:  # trap: verified after the disconnection
                when = verified - dt.timedelta(days=b.rng.randint(1, 300))
                intent = set()
            b.add_contact(b.host().borrower_id, phone, verified=verified, intent=intent)
            b.add_listed(b.reassigned, phone.e164, when)
            return True

        return build

    def contact_stale(kind: str) -> Callable[[], bool]:
        def build() -> bool:
            if kind == "stale":
                verified: dt.date | None = b.ago(366, 1500)
                intent = {"phone-verification-stale"}
            elif kind == "exactly-365":
                verified = as_of - dt.timedelta(days=365)
                intent = set()
            else:
                verified = None
                intent = {"phone-never-verified"}
            b.add_contact(b.host().borrower_id, b.clean_phone(), verified=verified, intent=intent)
            return True

        return build

    def contact_opted() -> bool:
        phone = b.clean_phone()
        assert phone.e164 is not None
        contact = b.add_contact(b.host().borrower_id, phone, intent={"phone-opted-out"})
        b.add_listed(b.opt_outs, phone.e164, b.after(contact.verified))
        return True

    plan: list[tuple[float, int, Callable[[], bool]]] = [
        (0.01, 1, malformed(code)) for code in catalog.MALFORMED_ORDER
    ]
    plan += [
        (0.004, 1, is_borrower_phone(False)),
        (0.004, 1, is_borrower_phone(True)),
        (0.005, 1, is_other_borrower(None)),
        (0.003, 1, is_other_borrower("neutral")),
        (0.002, 0, is_other_borrower("debt")),
        (0.004, 1, fanout(3)),
        (0.001, 0, fanout(4)),
        (0.006, 1, duplicate),
        (0.006, 1, self_mismatch),
        (0.006, 1, names("conflict")),
        (0.008, 1, relationship_unknown),
        (0.006, 1, orphan),
        (0.006, 1, contact_reassigned("after")),
        (0.008, 1, contact_stale("stale")),
        (0.006, 1, contact_stale("never")),
        (0.006, 1, contact_opted),
        # traps
        (0.002, 0, fanout(2)),
        (0.002, 0, fanout(2, rows_by_first=2)),
        (0.002, 0, names("folding")),
        (0.002, 0, names("role")),
        (0.002, 0, contact_reassigned("before")),
        (0.002, 0, contact_stale("exactly-365")),
    ]
    return plan


def _fullwidth_letters(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalpha() else c for c in text)


def _gate_scenarios(b: _Builder) -> list[tuple[float, int, Callable[[], bool]]]:
    def at(hour: int, minute: int, second: int = 0) -> dt.datetime:
        return dt.datetime.combine(b.send_day(), dt.time(hour, minute, second))

    untainted = [r for r in b.clean if r.borrower_id not in b.tainted]

    def pristine() -> _Borrower:
        """A clean borrower whose own number no scenario has put on a contact row."""
        return b.rng.choice(untainted)

    def own_phone() -> bool:
        borrower = pristine()
        b.add_message(borrower.borrower_id, b.own(borrower))
        return True

    def boundary_inside() -> bool:
        borrower = pristine()
        when = b.rng.choice((at(8, 0), at(20, 59), at(20, 59, 59), at(8, 0, 0)))
        b.add_message(borrower.borrower_id, b.own(borrower), local=when)
        return True

    def outside() -> bool:
        borrower = pristine()
        when = b.rng.choice(
            (at(21, 0), at(7, 59), at(7, 59, 59), at(22, 30), at(23, 59), at(0, 30), at(6, 0))
        )
        b.add_message(
            borrower.borrower_id, b.own(borrower), local=when, intent={"recipient-outside-hours"}
        )
        return True

    def unknown_borrower() -> bool:
        # Nothing but borrower-unknown, even at night, with a debt text, to a number
        # that is some other borrower's.
        roll = b.rng.random()
        phone = b.own(b.host()) if roll < 0.4 else b.clean_phone()
        when = at(23, 15) if b.rng.random() < 0.3 else "inside"
        b.add_message(b.new_id(), phone, local=when, intent={"recipient-borrower-unknown"})
        return True

    def unusable_number() -> bool:
        code = b.rng.choice(("phone-placeholder", "phone-invalid", "phone-masked"))
        b.add_message(
            pristine().borrower_id,
            b.malformed(code),
            local=None,
            debt=False,
            intent={"recipient-unsafe-number"},
        )
        return True

    def not_on_file(debt: bool) -> Callable[[], bool]:
        def build() -> bool:
            intent = {"recipient-not-on-file"}
            if debt:
                intent.add("recipient-debt-disclosure")
            b.add_message(pristine().borrower_id, b.clean_phone(), debt=debt, intent=intent)
            return True

        return build

    def to_contact(purpose: str, debt: bool) -> Callable[[], bool]:
        def build() -> bool:
            host = pristine()
            contact = b.add_contact(host.borrower_id, b.clean_phone())
            intent = set()
            if purpose == "collection":
                intent.add("recipient-third-party")
            if debt:
                intent.add("recipient-debt-disclosure")
            b.add_message(
                host.borrower_id, contact.phone, purpose=purpose, debt=debt, intent=intent
            )
            return True

        return build

    def to_other_borrower(debt: bool) -> Callable[[], bool]:
        def build() -> bool:
            other = b.exclusive()
            if other is None or len(untainted) < 2:
                return False
            host = pristine()
            while host is other:
                host = pristine()
            intent = {"recipient-third-party"}
            if debt:
                intent.add("recipient-debt-disclosure")
            b.add_message(host.borrower_id, b.own(other), debt=debt, intent=intent)
            return True

        return build

    def non_collection() -> str:
        return b.rng.choice(("reminder", "service", "marketing"))

    if not untainted:
        return []
    return [
        (0.15, 2, own_phone),
        (0.004, 1, boundary_inside),
        (0.008, 1, outside),
        (0.006, 1, unknown_borrower),
        (0.004, 1, unusable_number),
        (0.005, 1, not_on_file(False)),
        (0.003, 1, not_on_file(True)),
        (0.005, 1, to_contact("collection", False)),
        (0.004, 1, to_contact("collection", True)),
        (0.004, 1, lambda: to_contact(non_collection(), False)()),  # trap: allowed
        (0.004, 1, lambda: to_contact(non_collection(), True)()),  # disclosure only
        (0.004, 1, to_other_borrower(False)),
        (0.003, 1, to_other_borrower(True)),
    ]


def _build(borrowers: int, seed: int, as_of: dt.date) -> _Dataset:
    if borrowers < 1:
        raise ValueError("borrowers must be at least 1")
    b = _Builder(borrowers, seed, as_of)
    reserve = max(4, borrowers // 3)  # clean borrowers that host the other scenarios
    for rate, minimum, rows, build in _borrower_scenarios(b):
        for _ in range(b.count(rate, minimum)):
            if b.rows_left() - rows < reserve:
                break
            build()
    while b.rows_left() > 0:
        # Some clean rows have only a consent date (it stands in for verification)
        # or no country (the default region applies).
        borrower = b.add_borrower(
            b.clean_phone(),
            country=b.rng.choice(("CN",) * 9 + ("",)),
            verified=None if b.rng.random() < 0.1 else "fresh",
        )
        b.clean.append(borrower)
        # Clean contacts; sometimes a self contact with the borrower's own number.
        for _ in range(b.rng.choice((0, 1, 1, 2, 2, 3))):
            b.add_contact(borrower.borrower_id, b.clean_phone())
        if b.rng.random() < 0.08:
            b.self_listed.add(borrower.borrower_id)
            b.add_contact(
                borrower.borrower_id,
                b.own(borrower),
                relationship=b.rng.choice(_SELF_WORDS),
                name=borrower.name,
            )
    b.start_pool()
    if b.clean:
        # Gate scenarios are planned after the contact scenarios ran: they avoid the
        # borrowers whose own number those put on a contact row.
        for plan in (_contact_scenarios, _gate_scenarios):
            for rate, minimum, build_one in plan(b):
                for _ in range(b.count(rate, minimum)):
                    if not build_one():
                        break
    # Reference-list rows that match nobody: they must not produce findings.
    for target in (b.reassigned, b.opt_outs):
        for _ in range(b.count(0.01)):
            b.add_listed(target, "+86" + b.numbers.mobile(), b.ago(1, 500))

    b.borrowers.sort(key=lambda r: r.borrower_id)  # stable: duplicate ids stay in order
    b.rng.shuffle(b.contacts)
    b.contacts.sort(key=lambda r: r.borrower_id)
    for table in (b.reassigned, b.opt_outs, b.campaign):
        b.rng.shuffle(table)
    for i, borrower in enumerate(b.borrowers):
        borrower.row = i + 2
    for i, contact in enumerate(b.contacts):
        contact.row = i + 2
        contact.contact_id = f"C{i + 1:06d}"
    for i, message in enumerate(b.campaign):
        message.row = i + 2
        message.message_id = f"M{i + 1:06d}"
    return _Dataset(b.borrowers, b.contacts, b.reassigned, b.opt_outs, b.campaign, as_of)


# --------------------------------------------------------------------------- oracle


def _is_high(code: str, source: str) -> bool:
    return catalog.get(code).default_severity(source).rank >= Severity.HIGH.rank


def _real_name(name: str) -> str | None:
    folded = fold_text(name)
    return folded if folded and folded not in ROLE_WORDS else None


def _oracle(data: _Dataset) -> set[tuple[str, int, str]]:
    """Apply DESIGN.md §4 to what the generator knows about each record."""
    found: dict[int, set[str]] = defaultdict(set)  # keyed by id(record)
    borrowers, contacts, messages = data.borrowers, data.contacts, data.campaign
    reassigned: dict[str, list[dt.date]] = defaultdict(list)
    for item in data.reassigned:
        assert item.phone.e164 is not None
        reassigned[item.phone.e164].append(item.when)
    opted_numbers = {item.phone.e164 for item in data.opt_outs}

    ids = {r.borrower_id for r in borrowers}
    phones_of: dict[str, set[str]] = defaultdict(set)  # borrower_id -> E.164 numbers
    holders: dict[str, set[str]] = defaultdict(set)  # E.164 -> borrower ids
    opted_borrower_numbers: set[str] = set()
    rows_of_id: dict[str, list[_Borrower]] = defaultdict(list)
    for r in borrowers:
        rows_of_id[r.borrower_id].append(r)
        if r.phone.e164:
            phones_of[r.borrower_id].add(r.phone.e164)
            holders[r.phone.e164].add(r.borrower_id)
            if r.opt_out:
                opted_borrower_numbers.add(r.phone.e164)

    def stale_family(
        record: _Borrower | _Contact, last: dt.date | None, days: int, opted: bool
    ) -> None:
        codes = found[id(record)]
        e164 = record.phone.e164
        if e164 is None:
            # Stale checks need a usable number; the data never asks the question.
            assert last is not None and (data.as_of - last).days <= days and not opted
            return
        if any(last is None or last <= when for when in reassigned.get(e164, ())):
            codes.add("phone-reassigned")
        if last is None:
            codes.add("phone-never-verified")
        elif (data.as_of - last).days > days:
            codes.add("phone-verification-stale")
        if opted or e164 in opted_numbers:
            codes.add("phone-opted-out")

    for r in borrowers:
        codes = found[id(r)]
        if r.phone.malformed:
            codes.add(r.phone.malformed)
        e164 = r.phone.e164
        if e164 and len(holders[e164]) >= 2:
            codes.add("phone-shared-by-borrowers")
        group = rows_of_id[r.borrower_id]
        if len(group) > 1:
            distinct = {g.phone.e164 or g.phone.raw for g in group}
            # Either the same row repeated or all different usable numbers.
            assert len(distinct) == 1 or (
                len(distinct) == len(group) and all(g.phone.e164 for g in group)
            )
            if len(distinct) > 1:
                codes.add("borrower-duplicate-id")
        if e164 and r.country and r.phone.region != r.country:
            codes.add("region-mismatch")
        dates = [d for d in (r.verified, r.consent) if d is not None]
        stale_family(r, max(dates) if dates else None, STALE_DAYS["borrowers"], r.opt_out)

    by_number: dict[str, list[_Contact]] = defaultdict(list)
    for c in contacts:
        if c.phone.e164:
            by_number[c.phone.e164].append(c)
    country_of = {r.borrower_id: r.country for r in borrowers}
    for c in contacts:
        codes = found[id(c)]
        assert country_of.get(c.borrower_id, "CN") in ("CN", "")
        if c.phone.malformed:
            codes.add(c.phone.malformed)
        e164 = c.phone.e164
        if e164 is None:
            assert c.borrower_id in ids and c.rel is not None
            stale_family(c, c.verified, STALE_DAYS["contacts"], False)
            continue
        if c.borrower_id not in ids:
            codes.add("contact-orphan")
        own = phones_of.get(c.borrower_id, set())
        others = holders.get(e164, set()) - {c.borrower_id}
        assert not (e164 in own and others)
        if e164 in own and c.rel != "self":
            assert c.rel is not None
            codes.add("contact-is-borrower-phone")
        if others:
            codes.add("contact-is-other-borrower")
        peers = by_number[e164]
        if len({p.borrower_id for p in peers}) >= 3:
            codes.add("contact-shared-by-borrowers")
        if sum(p.borrower_id == c.borrower_id for p in peers) >= 2:
            codes.add("contact-duplicate")
        if c.rel == "self":
            assert len(rows_of_id[c.borrower_id]) == 1 and len(own) == 1
            if e164 not in own:
                codes.add("self-contact-mismatch")
        real = [_real_name(p.name) for p in peers]
        if len({n for n in real if n}) >= 2:
            # Only distinct real names in a conflicting group: no row is in doubt.
            assert all(real) and len(set(real)) == len(real)
            codes.add("name-conflict")
        if c.rel is None:
            codes.add("relationship-unknown")
        stale_family(c, c.verified, STALE_DAYS["contacts"], False)

    def audit_codes(record: _Borrower | _Contact) -> set[str]:
        return found[id(record)]

    for m in messages:
        codes = found[id(m)]
        if m.borrower_id not in ids:
            codes.add("recipient-borrower-unknown")
            continue
        e164 = m.phone.e164
        if e164 is None:
            assert m.local is None and not m.debt
            codes.add("recipient-unsafe-number")
            continue
        is_own = e164 in phones_of[m.borrower_id]
        listed = [c for c in by_number.get(e164, []) if c.borrower_id == m.borrower_id]
        assert all(c.rel not in (None, "self") for c in listed) or is_own
        if not is_own:
            other = bool(holders.get(e164, set()) - {m.borrower_id})
            if (m.purpose == "collection" and listed) or (other and not listed):
                codes.add("recipient-third-party")
            if not listed and not other:
                codes.add("recipient-not-on-file")
            if m.debt:
                codes.add("recipient-debt-disclosure")
        if e164 in opted_numbers or e164 in opted_borrower_numbers:
            codes.add("recipient-opted-out")
        holding: list[tuple[str, _Borrower | _Contact]] = [
            ("borrowers", r) for r in rows_of_id[m.borrower_id] if r.phone.e164 == e164
        ]
        holding += [("contacts", c) for c in listed]
        if any(
            _is_high(code, source) and code != "phone-opted-out"
            for source, record in holding
            for code in audit_codes(record)
        ):
            codes.add("recipient-unsafe-number")
        if m.local is not None and not (WINDOW[0] <= m.local < WINDOW[1]):
            codes.add("recipient-outside-hours")

    return {(source, r.row, code) for source, r in data.records() for code in found[id(r)]}


# --------------------------------------------------------------------------- writing


@dataclass(frozen=True)
class SampleManifest:
    """What ``generate_sample`` wrote: file paths by name and the expected findings."""

    out_dir: Path
    paths: dict[str, Path]
    truth: pd.DataFrame  # columns source, row (int), code; sorted
    borrowers: int
    seed: int
    as_of: dt.date

    def expected(self) -> set[tuple[str, int, str]]:
        """The truth as ``{(source, row, code)}``, the shape reports flatten to."""
        return set(
            zip(
                self.truth["source"], self.truth["row"].astype(int), self.truth["code"], strict=True
            )
        )


def _csv_bytes(header: Iterable[str], rows: Iterable[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(list(header))
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _readme(out_dir: Path, borrowers: int, seed: int, as_of: dt.date, counts: Counter[str]) -> str:
    flag = "" if as_of == DEFAULT_AS_OF else f" (as of {as_of.isoformat()})"
    lines = [
        "# Synthetic sample exports",
        "",
        "Every name and number in these files is synthetic (fictional names; random digits "
        "behind real mobile prefixes, so never text them). Regenerate them with "
        f"`contactaudit sample {out_dir.name} --borrowers {borrowers} --seed {seed}`{flag}.",
        "",
        "- `borrowers.csv`, `contacts.csv` (long layout), `reassigned.csv`, `opt_outs.csv`: "
        "exports with injected defects of every finding code.",
        "- `campaign.csv`: messages for `contactaudit gate`.",
        "- `truth.csv`: `source,row,code` — exactly the findings a correct audit and gate "
        f"report on these files with `--as-of {as_of.isoformat()}` (row 2 is the first "
        "record under the header).",
        "",
        f"Expected findings: {sum(counts.values())} across {len(counts)} codes.",
        "",
    ]
    return "\n".join(lines)


def generate_sample(
    out_dir: Path,
    *,
    borrowers: int = 200,
    seed: int = 7,
    as_of: dt.date = DEFAULT_AS_OF,
) -> SampleManifest:
    """Write synthetic exports with known defects and their ``truth.csv`` to ``out_dir``.

    ``borrowers`` is the number of rows of ``borrowers.csv``; ``as_of`` only places
    the dates (audit the files with ``--as-of`` set to it). The same arguments give
    byte-identical files.
    """
    data = _build(borrowers, seed, as_of)
    expected = _oracle(data)
    truth = pd.DataFrame(
        sorted(expected, key=lambda t: (SOURCE_ORDER[t[0]], t[1], t[2])),
        columns=["source", "row", "code"],
    ).astype({"source": "object", "row": "int64", "code": "object"})

    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ContactAuditError(
            f"Cannot create the sample directory '{out_dir}' ({exc.strerror}). "
            "Choose a writable directory."
        ) from None
    tables: dict[str, list[list[str]]] = {
        "borrowers": [r.cells() for r in data.borrowers],
        "contacts": [c.cells() for c in data.contacts],
        "reassigned": [x.cells() for x in data.reassigned],
        "opt_outs": [x.cells() for x in data.opt_outs],
        "campaign": [m.cells() for m in data.campaign],
        "truth": [[s, str(r), c] for s, r, c in truth.itertuples(index=False)],
    }
    paths: dict[str, Path] = {}
    for name in FILES:
        path = out_dir / f"{name}.csv"
        write_atomic(path, _csv_bytes(COLUMNS[name], tables[name]))
        paths[name] = path
    readme = out_dir / "README.md"
    counts = Counter(code for _, _, code in expected)
    write_atomic(readme, _readme(out_dir, borrowers, seed, as_of, counts).encode("utf-8"))
    paths["readme"] = readme
    return SampleManifest(out_dir, paths, truth, borrowers, seed, as_of)


__all__ = ["DEFAULT_AS_OF", "MIN_FULL_COVERAGE", "SampleManifest", "generate_sample"]
