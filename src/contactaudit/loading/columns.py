"""Which header is which canonical column: aliases (English and Chinese) and matching.

A header is compared after :func:`normalize_header` (NFKC, case-fold, without white
space, ``*``, ``_`` and ``-``), so ``Mobile_Phone``, ``mobile phone`` and
``＊手机号`` all meet their alias. The alias table is one table for every source;
each source only accepts its own canonical columns, so ``verified_at`` means
``phone_verified_at`` in a borrowers export and ``verified_at`` in a contacts export.

Choices where the contract is silent:

- An explicit mapping (``[columns.<source>]``) wins over aliases. A mapped header is
  looked up exactly first, then by its normalised form.
- Two headers that both look like one canonical column are an error rather than a
  guess (``手机号`` and ``联系电话`` in one borrowers export): the user maps the right
  one, and the other then becomes an unknown extra column.
- ``loan_id`` is not an alias of ``borrower_id``: one borrower can hold several loans,
  and exports often carry both keys.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from contactaudit.errors import ColumnError

SOURCES: tuple[str, ...] = ("borrowers", "contacts", "reassigned", "opt_outs", "campaign")

# Canonical columns per source, in the order the loaded frame lists them.
SOURCE_COLUMNS: dict[str, tuple[str, ...]] = {
    "borrowers": (
        "borrower_id",
        "phone",
        "name",
        "country",
        "phone_verified_at",
        "consent_at",
        "status",
        "sms_opt_out",
    ),
    "contacts": ("borrower_id", "phone", "contact_id", "name", "relationship", "verified_at"),
    "reassigned": ("phone", "disconnected_at"),
    "opt_outs": ("phone", "opted_out_at"),
    "campaign": ("message_id", "borrower_id", "phone", "purpose", "scheduled_at", "text"),
}

REQUIRED: dict[str, tuple[str, ...]] = {
    "borrowers": ("borrower_id", "phone"),
    "contacts": ("borrower_id", "phone"),
    "reassigned": ("phone",),
    "opt_outs": ("phone",),
    "campaign": ("borrower_id", "phone"),
}

# The key of a row, reported as ``record_id``.
RECORD_ID_COLUMN: dict[str, str | None] = {
    "borrowers": "borrower_id",
    "contacts": "contact_id",
    "reassigned": None,
    "opt_outs": None,
    "campaign": "message_id",
}

DATE_COLUMNS: frozenset[str] = frozenset(
    {"phone_verified_at", "consent_at", "verified_at", "disconnected_at", "opted_out_at"}
)
ID_COLUMNS: frozenset[str] = frozenset({"borrower_id", "contact_id", "message_id"})

# fmt: off
_PHONE = (
    "phone", "mobile", "mobile_phone", "mobile_no", "mobile_number", "cell", "cellphone",
    "cell_phone", "phone_number", "phone_no", "tel", "telephone", "msisdn", "contact_phone",
    "手机", "手机号", "手机号码", "联系电话", "电话", "电话号码", "联系方式", "号码",
    "移动电话", "联系号码", "联系人电话", "联系人手机", "联系人手机号",
)
_NAME = (
    "name", "full_name", "customer_name", "borrower_name", "contact_name",
    "姓名", "客户姓名", "借款人姓名", "名字", "联系人", "联系人姓名", "联系人名称",
)
_VERIFIED = (
    "verified_at", "verification_date", "verify_date", "last_verified", "last_verified_at",
    "验证时间", "验证日期", "核验日期", "核验时间", "最近验证时间",
)

ALIASES: dict[str, tuple[str, ...]] = {
    "borrower_id": (
        "borrower_id", "customer_id", "client_id", "account_id", "user_id", "borrower_no",
        "customer_no", "借款人id", "借款人编号", "客户号", "客户id", "客户编号", "用户id",
    ),
    "phone": _PHONE,
    "name": _NAME,
    "country": ("country", "country_code", "region", "国家", "国家/地区", "国家地区"),
    "phone_verified_at": ("phone_verified_at", *_VERIFIED),
    "verified_at": _VERIFIED,
    "consent_at": (
        "consent_at", "consent_date", "sms_consent_at", "sms_consent_date",
        "授权时间", "授权日期", "同意时间",
    ),
    "status": ("status", "loan_status", "account_status", "状态", "贷款状态", "账户状态"),
    "sms_opt_out": (
        "sms_opt_out", "opt_out", "opted_out", "unsubscribed", "退订", "是否退订", "短信退订",
    ),
    "contact_id": ("contact_id", "联系人id", "联系人编号"),
    "relationship": (
        "relationship", "relation", "关系", "与借款人关系", "联系人关系", "与本人关系",
    ),
    "disconnected_at": (
        "disconnected_at", "disconnect_date", "disconnected_date", "reassigned_at",
        "销号时间", "销号日期", "停机时间",
    ),
    "opted_out_at": (
        "opted_out_at", "opt_out_at", "opt_out_date", "unsubscribed_at", "退订时间", "退订日期",
    ),
    "message_id": ("message_id", "msg_id", "sms_id", "短信id", "消息id"),
    "purpose": ("purpose", "type", "message_type", "sms_type", "用途", "类型", "短信类型"),
    "scheduled_at": (
        "scheduled_at", "scheduled_time", "send_time", "send_at", "发送时间", "计划发送时间",
    ),
    "text": ("text", "content", "message", "body", "sms_text", "短信内容", "内容"),
}
# fmt: on


def normalize_header(header: str) -> str:
    """NFKC, case-fold, and drop white space, ``*``, ``_``, ``-`` and a stray BOM."""
    text = unicodedata.normalize("NFKC", header).replace("\ufeff", "").casefold()
    return "".join(ch for ch in text if not ch.isspace() and ch not in "*_-")


def _alias_index(source: str) -> dict[str, str]:
    index: dict[str, str] = {}
    for canonical in SOURCE_COLUMNS[source]:
        for alias in ALIASES[canonical]:
            index.setdefault(normalize_header(alias), canonical)
    return index


_ALIAS_INDEX: dict[str, dict[str, str]] = {source: _alias_index(source) for source in SOURCES}


def canonical_for(header: str, source: str) -> str | None:
    """The canonical column a header stands for in ``source``, or None."""
    return _ALIAS_INDEX[source].get(normalize_header(header))


@dataclass
class ColumnMatch:
    """Canonical column -> original header, and headers that matched nothing."""

    columns: dict[str, str] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)


def describe_headers(headers: Iterable[str]) -> str:
    """Headers for an error message, unless the first row looks like data.

    A file without a header row has phone numbers or names in its first row; listing
    them would put data values into an error message and a log.
    """
    headers = list(headers)
    if looks_like_data(headers):
        return "(not listed: the first row looks like data, so the file may have no header row)"
    return ", ".join(headers) if headers else "(none)"


def looks_like_data(headers: Iterable[str]) -> bool:
    """A header row holding a phone-like value (7+ digits) is probably a data row."""
    return any(sum(ch.isdigit() for ch in h) >= 7 for h in headers)


def match_columns(
    headers: list[str],
    source: str,
    *,
    path: str,
    column_map: Mapping[str, str] | None = None,
    skip: Iterable[str] = (),
) -> ColumnMatch:
    """Match the headers of one export to its canonical columns.

    ``skip`` holds headers already claimed elsewhere (the numbered slots of a wide
    contacts layout); they are neither matched nor reported as unknown. Required
    columns are checked by the caller, which knows whether a wide layout supplies
    the phone.
    """
    if source not in SOURCE_COLUMNS:
        raise ValueError(f"unknown source {source!r}")
    allowed = SOURCE_COLUMNS[source]
    match = ColumnMatch()
    claimed: set[str] = set(skip)

    for canonical, wanted in (column_map or {}).items():
        if canonical not in allowed:
            raise ColumnError(
                f"{path}: [columns.{source}] maps unknown column '{canonical}'. "
                f"The {source} columns are: {', '.join(allowed)}."
            )
        found_header = find_header(headers, wanted)
        if found_header is None:
            raise ColumnError(
                f"{path}: column '{wanted}' mapped to '{canonical}' in [columns.{source}] "
                f"was not found. Headers found: {describe_headers(headers)}. "
                "Fix the mapping in the config."
            )
        match.columns[canonical] = found_header
        claimed.add(found_header)

    by_canonical: dict[str, list[str]] = {}
    for header in headers:
        if header in claimed:
            continue
        matched = canonical_for(header, source)
        if matched is None or matched in match.columns:
            match.unknown.append(header)
            continue
        by_canonical.setdefault(matched, []).append(header)

    for canonical in allowed:
        found = by_canonical.get(canonical)
        if not found:
            continue
        if len(found) > 1:
            names = " and ".join(f"'{h}'" for h in found)
            raise ColumnError(
                f"{path}: headers {names} all look like the '{canonical}' column. "
                f'Map the right one with [columns.{source}] {canonical} = "..." in the config.'
            )
        match.columns[canonical] = found[0]
    return match


def check_required(
    match: ColumnMatch, source: str, headers: list[str], *, path: str, provided: Iterable[str] = ()
) -> None:
    """Raise ColumnError for the first required column neither matched nor ``provided``."""
    have = set(match.columns) | set(provided)
    for canonical in REQUIRED[source]:
        if canonical not in have:
            named = [h for h in headers if not _GENERATED_HEADER.fullmatch(h)]
            if len(headers) > 1 and len(named) == 1:
                # One named cell over unnamed data columns: a title row (Chinese Excel
                # reports often put 借款人信息表 above the header), not the header.
                raise ColumnError(
                    f"{path}: required column '{canonical}' not found: the first row has a "
                    "single cell over unnamed columns, so it looks like a title above the "
                    "header row. Delete the rows above the header and export it again."
                )
            raise ColumnError(
                f"{path}: required column '{canonical}' not found. "
                f"Headers found: {describe_headers(headers)}. "
                f'Map it with [columns.{source}] {canonical} = "..." in the config.'
            )


# readers._tidy names a data column under an empty header column<N>.
_GENERATED_HEADER = re.compile(r"column\d+")


def check_duplicate_headers(headers: list[str], *, path: str) -> None:
    seen: dict[str, int] = {}
    for position, header in enumerate(headers, start=1):
        if header in seen:
            if looks_like_data(headers):
                # A file without a header row: its "headers" are a record's numbers.
                raise ColumnError(
                    f"{path}: columns {seen[header]} and {position} have the same header, "
                    "and the first row looks like data, so the file may have no header row. "
                    "Export it with column names."
                )
            raise ColumnError(
                f"{path}: header '{header}' appears twice (columns {seen[header]} and "
                f"{position}). Rename or remove one of them."
            )
        seen[header] = position


def find_header(headers: list[str], wanted: str) -> str | None:
    """``wanted`` itself, else the one header equal to it after normalisation."""
    if wanted in headers:
        return wanted
    key = normalize_header(wanted)
    hits = [h for h in headers if normalize_header(h) == key]
    return hits[0] if len(hits) == 1 else None
