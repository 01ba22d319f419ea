"""Campaign gate: may each message go to its number, at its time, with its text?

``check_gate`` checks every message of a normalised campaign table against the
normalised borrowers / contacts / opt-out tables and the assembled audit findings
(DESIGN.md §3 campaign, §4 campaign gate). Everything is whole-column work: numbers
and borrower_ids get one shared integer code across all tables, then ``isin`` masks,
merges on ``(borrower_id, e164)`` or ``e164`` codes, and group-bys; purposes, texts
and times are read once per distinct value. The only Python loops run over distinct
values, distinct time zones and groups of findings (about 2 s for 100k messages
against 100k borrowers and 300k contacts on one core).

Choices the contract leaves open (recorded here so the README can repeat them):

* **Unknown borrower.** A message whose ``borrower_id`` is empty or not in the
  borrowers export gets ``recipient-borrower-unknown`` and nothing else.
* **Unusable campaign number.** A cell without a usable number (any malformed code
  that leaves ``usable`` false: missing, masked, invalid, placeholder …) gets
  ``recipient-unsafe-number`` naming that code; it is *not* also resolved to
  third-party / not-on-file / opted-out / debt-disclosure, because an unusable
  number cannot be matched against anything. Its sending time is still checked.
  Usable cells with a lesser code (not-mobile landline, extension, float artefact)
  are checked by their number like any other; the audit decides whether a
  landline on a borrower record is a problem.
* **Self contacts.** A contact row whose relationship folds to ``self`` (vocab +
  ``config.relationships``) is never a third party and puts the number on file,
  but it is not "the borrower's own phone": debt-disclosure compares with the
  borrower rows only, as the contract says, so a debt text to a self contact
  whose number differs from the borrower record is blocked (that mismatch is
  exactly what ``self-contact-mismatch`` asks to re-verify).
* **Purpose.** Folded (NFKC, case, spaces, ``-``/``_``) and looked up in
  ``PURPOSE_WORDS``. An empty or unknown purpose is treated as ``collection`` —
  the strictest reading, since nothing proves the message is not a collection
  text — and counted in a ``purpose`` / ``unknown-purpose`` warning.
* **Unsafe number.** Audit findings match a message when their ``source`` is
  borrowers or contacts and their ``(borrower_id, e164)`` equals the message's:
  that is "a record of this borrower holding the number", and it keeps the
  columns of a wide contact row apart. Severity is the assembled one (config
  overrides applied). ``related`` lists those records; the message names codes.
* **Sending time.** ``scheduled_at`` is parsed once per distinct value. Accepted:
  ``YYYY-MM-DD``, ``YYYY/M/D``, ``YYYY.M.D``, ``YYYY年M月D日``, ``YYYYMMDD`` followed
  by ``T``/space and ``H:MM[:SS[.fff]]`` or ``H时[M分[S秒]]`` / ``H点[M分]``, an
  optional AM/PM (上午/下午/早上/晚上/凌晨 before the hour), and an optional offset
  ``Z``/``UTC``/``GMT``/``±HH[:MM]``; also an Excel serial with a fraction
  (``45000.5``). Without an offset the wall time is already the recipient's local
  time (the number's region), so no zone is needed. With an offset it is
  converted to the zone of the number: ``config.timezones[region]``, else the
  single zone phonenumbers' offline time-zone table gives for the number's prefix
  (a table lookup, not a parse: ``+1 213`` → America/Los_Angeles), else
  ``DEFAULT_ZONES[region]`` (CN → Asia/Shanghai, US → America/New_York …), else
  the first zone the table lists; no zone at all → no finding and a
  ``unknown-time-zone`` warning. The window is ``config.send_window[region]`` or
  ``["default"]``; allowed when ``start <= time < end`` to the second (a window
  whose start is after its end wraps midnight). Empty cells (or null tokens) are
  not checked; a date without a time is counted as ``missing-time``, anything
  else unreadable as ``unparseable-date``; neither yields a finding.
* **Debt words.** One case-insensitive regex over NFKC text (``DEBT_PATTERN``),
  plus ``config.debt_words`` as extra alternatives. English words and currency
  codes are delimited by "not a Latin letter" rather than ``\\b`` so they still
  match between Chinese characters.
* **related**, per code: third-party → the contact rows (collection to a contact) or
  the other borrowers' rows (one row each); not-on-file and debt-disclosure → this
  borrower's rows; opted-out → the ``opt_outs`` list rows (record_id None) and the
  opted-out borrowers' rows; unsafe-number → the records carrying the findings
  (nothing for an unusable campaign cell); borrower-unknown and outside-hours → none.
  Every finding of a known borrower then lists that borrower's row(s) first (DESIGN
  §4: a message's finding carries "the borrower row in related").
* A borrower_id is known when any borrower row has it, even with an unusable phone
  (then no number is its own phone).
  Unreadable ``scheduled_at`` cells are warned about for every message, findings
  only for known borrowers; a message without a number region uses ``config.region``.
* **Findings' column** is the phone column for every gate code, so a message counts
  as one record in the summary; the message text says which field is at fault.
* ``related`` holds at most ``RELATED_CAP`` records per finding (sorted by source,
  row); warnings list at most ``WARNING_ROWS_CAP`` row numbers with the full count.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from phonenumbers.tzdata import TIMEZONE_DATA, TIMEZONE_LONGEST_PREFIX

from contactaudit.config import AuditConfig
from contactaudit.errors import ConfigError
from contactaudit.models import CHECK_COLUMNS, Related, check_frame, empty_check_frame
from contactaudit.vocab import NULL_TOKENS, RELATIONSHIP_WORDS, fold_text

SOURCE = "campaign"
RELATED_CAP = 20
WARNING_ROWS_CAP = 100

PURPOSES = ("collection", "reminder", "service", "marketing")

# Folded word (see _fold_purpose) -> canonical purpose.
PURPOSE_WORDS: dict[str, str] = {
    **dict.fromkeys(
        (
            "collection",
            "collections",
            "collect",
            "debtcollection",
            "dunning",
            "recovery",
            "催收",
            "催款",
            "催缴",
            "逾期",
            "逾期催收",
            "逾期提醒",
        ),
        "collection",
    ),
    **dict.fromkeys(
        (
            "reminder",
            "reminders",
            "remind",
            "paymentreminder",
            "duereminder",
            "提醒",
            "还款提醒",
            "到期提醒",
            "账单提醒",
        ),
        "reminder",
    ),
    **dict.fromkeys(
        (
            "service",
            "notification",
            "notice",
            "transactional",
            "otp",
            "verification",
            "通知",
            "服务",
            "服务通知",
            "验证码",
        ),
        "service",
    ),
    **dict.fromkeys(
        (
            "marketing",
            "promotion",
            "promotional",
            "promo",
            "advertising",
            "ad",
            "营销",
            "推广",
            "广告",
            "促销",
        ),
        "marketing",
    ),
}

# Region -> zone used when the number's prefix does not pin one zone. CN is the
# contract's; the others pick the most populous zone of a multi-zone country.
DEFAULT_ZONES: dict[str, str] = {
    "CN": "Asia/Shanghai",
    "HK": "Asia/Hong_Kong",
    "MO": "Asia/Macau",
    "TW": "Asia/Taipei",
    "US": "America/New_York",
    "CA": "America/Toronto",
    "MX": "America/Mexico_City",
    "BR": "America/Sao_Paulo",
    "AU": "Australia/Sydney",
    "RU": "Europe/Moscow",
    "ID": "Asia/Jakarta",
    "KZ": "Asia/Almaty",
    "GB": "Europe/London",
}

_DEBT_ZH = (
    "逾期",
    "欠款",
    "欠费",
    "欠债",
    "债务",
    "还款",
    "还钱",
    "催收",
    "催缴",
    "借款",
    "贷款",
    "本金",
    "利息",
    "罚息",
    "滞纳金",
    "违约",
    "待还",
    "应还",
    "未还",
)
_DEBT_EN = (
    "overdue",
    "debts?",
    "indebted",
    "owe[sd]?",
    "owing",
    "outstanding",
    "arrears?",
    "collections?",
    "repay(?:s|ment|ments)?",
    r"past[\s-]*due",
    "loans?",
    "delinquen(?:t|cy)",
    r"in\s+default",
)
_CURRENCY = ("rmb", "cny", "usd", "eur", "gbp", "hkd", "yuan", "dollars?")
# Latin words are delimited by "no Latin letter" instead of \b: in "您的debt已逾期"
# the Chinese neighbours are word characters and would defeat \b.
_NOT_LATIN_BEFORE, _NOT_LATIN_AFTER = r"(?<![a-z])", r"(?![a-z])"
DEBT_PATTERN = "|".join(
    [
        *_DEBT_ZH,
        _NOT_LATIN_BEFORE + "(?:" + "|".join(_DEBT_EN) + ")" + _NOT_LATIN_AFTER,
        # amounts: 5000元, 300块钱, ¥5000 / ￥ (NFKC folds the full-width sign), $120.50,
        # RMB 5000, 30 USD
        r"\d\s*(?:元|块钱)",
        r"[¥$€£]\s*\d",
        _NOT_LATIN_BEFORE + "(?:" + "|".join(_CURRENCY) + r")\s*\d",
        r"\d\s*(?:" + "|".join(_CURRENCY) + ")" + _NOT_LATIN_AFTER,
    ]
)

_STAMP = re.compile(
    r"^(?:(?P<y>\d{4})[-/.年](?P<mo>\d{1,2})[-/.月](?P<d>\d{1,2})日?"
    r"|(?P<cy>\d{4})(?P<cmo>\d{2})(?P<cd>\d{2}))"
    r"(?:(?:t|\s+|(?<=日))\s*(?P<ap1>上午|下午|早上|晚上|凌晨)?\s*(?P<h>\d{1,2})"
    r"(?::(?P<mi>\d{2})(?::(?P<s>\d{2})(?:[.,]\d+)?)?"
    r"|[时点](?:(?P<mi2>\d{1,2})分?(?:(?P<s2>\d{1,2})秒)?)?)"
    r"\s*(?P<ap2>am|pm|a\.m\.|p\.m\.)?)?"
    r"\s*(?P<tz>z|utc|gmt|[+-]\d{2}(?::?\d{2})?)?$",
    re.IGNORECASE,
)
# phonenumbers' offline prefix -> zones table, reduced once to what _zones needs.
_ZONE_LISTS = {k: [z for z in v if z != "Etc/Unknown"] for k, v in TIMEZONE_DATA.items()}
_ZONE_KEYS = frozenset(k for k, v in _ZONE_LISTS.items() if v)
_SINGLE_ZONE = {k: v[0] for k, v in _ZONE_LISTS.items() if len(v) == 1}
_FIRST_ZONE = {k: v[0] for k, v in _ZONE_LISTS.items() if v}
_SERIAL = re.compile(r"^(?P<serial>\d{5}\.\d+)$")
_PM_WORDS = frozenset({"pm", "p.m.", "下午", "晚上"})
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")


@dataclass(frozen=True)
class GateResult:
    """Gate findings (``CHECK_COLUMNS``) and input warnings for the campaign."""

    findings: pd.DataFrame
    warnings: list[dict[str, Any]] = field(default_factory=list)


def check_gate(
    campaign: pd.DataFrame,
    borrowers: pd.DataFrame,
    contacts: pd.DataFrame | None,
    audit_findings: pd.DataFrame,
    opt_outs: pd.DataFrame | None,
    config: AuditConfig,
) -> GateResult:
    """Every recipient-* finding for every message of ``campaign`` (see module doc)."""
    debt_regex = _debt_regex(config)
    warnings: list[dict[str, Any]] = []
    msg = _messages(campaign, warnings)
    if msg.empty:
        return GateResult(empty_check_frame(), warnings)

    bor = _usable_records(borrowers, ("sms_opt_out",))
    con = _contacts(contacts, config)
    listed = _usable_records(opt_outs)
    blocking = _blocking_findings(audit_findings)
    # One shared integer code per number and per borrower_id: every later merge and
    # membership test runs on int64 instead of Python strings (about 3x faster).
    known_ids = _add_keys([msg, bor, con, listed, blocking], borrowers["borrower_id"])

    known = _isin(msg["_b"].to_numpy(), known_ids) & (msg["_b"].to_numpy() >= 0)
    parts = [
        check_frame(
            msg[~known],
            "recipient-borrower-unknown",
            SOURCE,
            "borrower_id is not in the borrowers export; the message cannot be checked",
        )
    ]

    kmsg = msg[known]
    usable = kmsg["usable"].to_numpy(bool) & (kmsg["_e"].to_numpy() >= 0)
    unusable = kmsg[~usable]
    parts.append(
        check_frame(
            unusable,
            "recipient-unsafe-number",
            SOURCE,
            "recipient number is unusable ("
            + unusable["malformed"].fillna("no usable number").astype(str)
            + ")",
        )
    )
    um = kmsg[usable]
    if not um.empty:
        parts.extend(_resolve(um, bor, con, listed, blocking, debt_regex))
    parts.append(_outside_hours(msg, known, config, warnings))

    parts = [p for p in parts if not p.empty]
    findings = pd.concat(parts, ignore_index=True) if parts else empty_check_frame()
    findings = _with_borrower_rows(findings, borrowers)
    return GateResult(findings[list(CHECK_COLUMNS)], warnings)


def _with_borrower_rows(findings: pd.DataFrame, borrowers: pd.DataFrame) -> pd.DataFrame:
    """Put the message's borrower row(s) first in every finding's ``related``.

    DESIGN §4: a campaign message's finding sits on the message row "with the borrower
    row in related" — whatever else the code relates (contacts, other borrowers).
    """
    known = findings["code"].ne("recipient-borrower-unknown").to_numpy()
    if not known.any():
        return findings
    ids = findings.loc[known, "borrower_id"].dropna().unique()
    rows = borrowers.loc[borrowers["borrower_id"].isin(ids), ["borrower_id", "_row", "_record_id"]]
    own: dict[str, list[Related]] = {}
    for bid, row, rid in zip(rows["borrower_id"], rows["_row"], rows["_record_id"], strict=True):
        entries = own.setdefault(bid, [])
        if len(entries) < RELATED_CAP:
            entries.append(Related("borrowers", int(row), None if pd.isna(rid) else rid))
    related = findings["related"].tolist()
    # One conversion: ``.at`` per finding is a scalar take from an Arrow column each.
    borrower_ids = findings["borrower_id"].to_numpy(dtype=object, na_value=None)
    for i in np.flatnonzero(known):
        mine = own.get(borrower_ids[i], [])
        if mine:
            rest = [r for r in (related[i] or ()) if r not in mine]
            related[i] = tuple([*mine, *rest][: max(RELATED_CAP, len(mine))])
    findings = findings.copy()
    findings["related"] = related
    return findings


# --- preparation ---------------------------------------------------------------


def _none(series: pd.Series) -> pd.Series:
    """Object column with missing values as ``None``."""
    out = series.astype(object)
    return out.where(out.notna(), None)


def _bool(frame: pd.DataFrame, column: str, default: bool) -> np.ndarray:
    if column not in frame:
        return np.full(len(frame), default)
    return frame[column].astype("boolean").fillna(False).to_numpy(bool)


def _fold_purpose(word: str) -> str:
    return re.sub(r"[-_]", "", fold_text(word))


def _messages(campaign: pd.DataFrame, warnings: list[dict[str, Any]]) -> pd.DataFrame:
    """The campaign with a positional index (``_m``) and a canonical ``_purpose``."""
    msg = campaign.reset_index(drop=True).copy()
    for col in ("borrower_id", "e164", "malformed", "number_region", "_record_id"):
        msg[col] = _none(msg[col]) if col in msg else None
    for col in ("purpose", "scheduled_at", "text", "raw"):
        if col not in msg:
            msg[col] = None
    msg["usable"] = _bool(msg, "usable", True) & msg["e164"].notna().to_numpy()
    if "_phone_column" not in msg:
        msg["_phone_column"] = "phone"

    codes, uniques = pd.factorize(_none(msg["purpose"]), use_na_sentinel=True)
    canon = np.array(
        [PURPOSE_WORDS.get(_fold_purpose(str(u)), "") for u in uniques] + [""], dtype=object
    )
    purpose = canon[codes]  # the sentinel -1 picks the trailing "" (empty cell)
    unknown = purpose == ""
    msg["_purpose"] = np.where(unknown, "collection", purpose)
    if unknown.any():
        warnings.append(_warning("purpose", "unknown-purpose", msg.loc[unknown, "_row"]))
    return msg


def _usable_records(frame: pd.DataFrame | None, extra: tuple[str, ...] = ()) -> pd.DataFrame:
    """Rows of a normalised table holding a usable number: keys, row, record id, extras."""
    cols = ["borrower_id", "e164", "_row", "_record_id", *extra]
    if frame is None or frame.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    keep = frame["e164"].notna().to_numpy() & _bool(frame, "usable", True)
    if "borrower_id" in frame:
        keep &= frame["borrower_id"].notna().to_numpy()
    part = frame[keep]
    out = pd.DataFrame(
        {
            "borrower_id": part.get("borrower_id"),
            "e164": part["e164"],
            "_row": part["_row"].astype("int64"),
            "_record_id": part.get("_record_id"),
        }
    )
    for col in extra:
        out[col] = _bool(part, col, False)
    return out.reset_index(drop=True)


def _contacts(contacts: pd.DataFrame | None, config: AuditConfig) -> pd.DataFrame:
    """Usable contact rows with ``is_self`` from the folded relationship word."""
    con = _usable_records(contacts)
    con["is_self"] = False
    if contacts is None or con.empty or "relationship" not in contacts:
        return con
    words = {fold_text(k): v for k, v in {**RELATIONSHIP_WORDS, **config.relationships}.items()}
    keep = contacts["e164"].notna().to_numpy() & _bool(contacts, "usable", True)
    keep &= contacts["borrower_id"].notna().to_numpy()
    codes, uniques = pd.factorize(_none(contacts.loc[keep, "relationship"]), use_na_sentinel=True)
    is_self = np.array([words.get(fold_text(str(u))) == "self" for u in uniques] + [False])
    con["is_self"] = is_self[codes]
    return con


def _blocking_findings(audit_findings: pd.DataFrame | None) -> pd.DataFrame:
    """Critical/high audit findings on borrower or contact records that hold a number."""
    cols = ["borrower_id", "e164", "_source", "_row", "_record_id", "code"]
    af = audit_findings
    if af is None or af.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    sel = (
        af["source"].isin(["borrowers", "contacts"])
        & af["severity"].astype(str).isin(["critical", "high"])
        & af["code"].ne("phone-opted-out")  # recipient-opted-out reports it
        & af["e164"].notna()
        & af["borrower_id"].notna()
    ).to_numpy()
    part = af[sel]
    return pd.DataFrame(
        {
            "borrower_id": part["borrower_id"],
            "e164": part["e164"],
            "_source": part["source"].astype(object),
            "_row": part["row"].astype("int64"),
            "_record_id": part["record_id"],
            "code": part["code"].astype(object),
        }
    ).reset_index(drop=True)


def _encode(columns: list[pd.Series]) -> tuple[list[np.ndarray], int]:
    """Shared int64 codes for the values of several columns (-1 for missing)."""
    values = pd.concat([_none(c) for c in columns], ignore_index=True)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    codes = codes.astype("int64")
    bounds = np.cumsum([len(c) for c in columns])[:-1]
    return np.split(codes, bounds), len(uniques)


def _add_keys(frames: list[pd.DataFrame], all_borrower_ids: pd.Series) -> np.ndarray:
    """Add ``_e`` (number), ``_b`` (borrower) and ``_be`` (pair) codes in place.

    Returns the codes of every borrower_id in the borrowers export, including
    borrowers whose phone is unusable (they are known, just not reachable).
    """
    e_codes, n_e = _encode([f["e164"] for f in frames])
    b_all, _ = _encode([*(f["borrower_id"] for f in frames), all_borrower_ids])
    for frame, e, b in zip(frames, e_codes, b_all[:-1], strict=True):
        frame["_e"] = e
        frame["_b"] = b
        frame["_be"] = np.where((e >= 0) & (b >= 0), b * (n_e + 1) + e, -1)
    known = b_all[-1]
    return np.unique(known[known >= 0])


def _isin(values: np.ndarray, pool: np.ndarray) -> np.ndarray:
    # pandas' hash-table isin is ~20x faster than np.isin on 100k x 300k int64 keys
    return pd.Series(values).isin(pool).to_numpy(bool)


def _debt_regex(config: AuditConfig) -> re.Pattern[str]:
    extra = []
    for i, pattern in enumerate(config.debt_words):
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ConfigError(
                f"config: entry {i + 1} of 'debt_words' is not a valid regular expression "
                f"({exc.msg}). Escape special characters such as ( [ + with a backslash "
                "(key 'debt_words')."
            ) from None
        extra.append(f"(?:{unicodedata.normalize('NFKC', pattern)})")
    return re.compile("|".join([DEBT_PATTERN, *extra]), re.IGNORECASE)


# --- recipient resolution -------------------------------------------------------


def _pairs(hits: pd.DataFrame, source: str | pd.Series) -> pd.DataFrame:
    """Related-record rows (``_m, source, row, record_id``) from a merge result."""
    return pd.DataFrame(
        {
            "_m": hits["_m"].to_numpy(),
            "source": source if isinstance(source, str) else source.to_numpy(),
            "row": hits["_row"].astype("int64").to_numpy(),
            "record_id": _none(hits["_record_id"]).to_numpy(),
        }
    )


def _capped(frame: pd.DataFrame, key: str, cap: int) -> pd.DataFrame:
    """At most ``cap`` rows per ``key`` (lowest rows first): bounds merges on hub numbers."""
    frame = frame.sort_values([key, "_row"], kind="stable")
    return frame[frame.groupby(key, sort=False).cumcount().to_numpy() < cap]


def _related(pairs: list[pd.DataFrame], index: pd.Index) -> pd.Series:
    """Per message ``_m`` in ``index``: sorted, distinct, capped tuples of Related."""
    empty = pd.Series([()] * len(index), index=index, dtype=object)
    frames = [p for p in pairs if not p.empty]
    if not frames:
        return empty
    p = pd.concat(frames, ignore_index=True)
    p = p[p["_m"].isin(index)].drop_duplicates(["_m", "source", "row", "record_id"])
    if p.empty:
        return empty
    p = p.sort_values(["_m", "source", "row"], kind="stable")
    p = p[p.groupby("_m", sort=False).cumcount().to_numpy() < RELATED_CAP]
    items = [
        Related(s, int(r), rid)
        for s, r, rid in zip(p["source"], p["row"], _none(p["record_id"]), strict=True)
    ]
    m = p["_m"].to_numpy()
    starts = np.flatnonzero(np.r_[True, m[1:] != m[:-1]])
    ends = np.r_[starts[1:], len(m)]
    by_m = {int(m[s]): tuple(items[s:e]) for s, e in zip(starts, ends, strict=True)}
    return pd.Series([by_m.get(int(i), ()) for i in index], index=index, dtype=object)


def _resolve(
    um: pd.DataFrame,
    bor: pd.DataFrame,
    con: pd.DataFrame,
    listed: pd.DataFrame,
    blocking: pd.DataFrame,
    debt_regex: re.Pattern[str],
) -> list[pd.DataFrame]:
    """Third-party, not-on-file, opted-out, unsafe and debt findings of usable messages."""
    keys = pd.DataFrame(
        {"_m": um.index.to_numpy(), "_b": um["_b"].to_numpy(), "_e": um["_e"].to_numpy(),
         "_be": um["_be"].to_numpy()}
    )  # fmt: skip
    be = keys["_be"].to_numpy()
    e = keys["_e"].to_numpy()
    nonself = con[~con["is_self"].to_numpy(bool)]
    own = _isin(be, bor["_be"].to_numpy())
    on_contacts = _isin(be, con["_be"].to_numpy())
    on_nonself = _isin(be, nonself["_be"].to_numpy())
    # distinct borrowers per number, minus this borrower when the number is its own
    n_bids = np.bincount(bor.drop_duplicates("_be")["_e"].to_numpy(), minlength=int(e.max()) + 1)
    others = n_bids[e] - own.astype(int)
    collection = um["_purpose"].eq("collection").to_numpy()

    out: list[pd.DataFrame] = []
    capped_bor = _capped(bor, "_b", RELATED_CAP)

    def borrower_rows(mask: np.ndarray) -> pd.DataFrame:
        hits = keys.loc[mask, ["_m", "_b"]].merge(capped_bor[["_b", "_row", "_record_id"]], on="_b")
        return _pairs(hits, "borrowers")

    # recipient-third-party: clause 1 (collection to a non-self contact) and
    # clause 2 (another borrower's phone this borrower did not list) never overlap.
    via_contact = ~own & collection & on_nonself
    via_borrower = ~own & (others > 0) & ~on_contacts
    third = via_contact | via_borrower
    if third.any():
        rows = um[third]
        contact_hits = keys.loc[via_contact, ["_m", "_be"]].merge(
            nonself[["_be", "_row", "_record_id"]], on="_be"
        )
        hub = _capped(bor.drop_duplicates("_be"), "_e", RELATED_CAP + 1)
        other_hits = keys.loc[via_borrower, ["_m", "_b", "_e"]].merge(
            hub[["_e", "_b", "_row", "_record_id"]], on="_e", suffixes=("", "_other")
        )
        other_hits = other_hits[other_hits["_b"].to_numpy() != other_hits["_b_other"].to_numpy()]
        message = np.where(
            via_contact[third],
            "collection message to a non-self contact of the borrower, not the borrower's "
            "own phone",
            pd.Series(others[third]).astype(str).to_numpy()
            + " other borrower(s) have this number as their phone and this borrower "
            "does not list it as a contact",
        )
        related = _related(
            [_pairs(contact_hits, "contacts"), _pairs(other_hits, "borrowers")], rows.index
        )
        out.append(check_frame(rows, "recipient-third-party", SOURCE, pd.Series(message), related))

    not_on_file = ~own & ~on_contacts & (others == 0)
    if not_on_file.any():
        rows = um[not_on_file]
        out.append(
            check_frame(
                rows,
                "recipient-not-on-file",
                SOURCE,
                "number is not the borrower's phone, a contact of the borrower, or another "
                "borrower's phone",
                _related([borrower_rows(not_on_file)], rows.index),
            )
        )

    out.extend(_opted_out(um, keys, bor, listed))
    out.extend(_unsafe(um, keys, blocking))

    # Campaign texts come from a few templates: match each distinct text once.
    codes, texts = pd.factorize(_none(um["text"]), use_na_sentinel=True)
    normal = pd.Series(texts, dtype=object).astype(str).str.normalize("NFKC")
    hit = np.append(normal.str.contains(debt_regex, na=False).to_numpy(bool), False)
    debt = ~own & hit[codes]
    if debt.any():
        rows = um[debt]
        out.append(
            check_frame(
                rows,
                "recipient-debt-disclosure",
                SOURCE,
                "text mentions the debt and the number is not the borrower's own phone",
                _related([borrower_rows(debt)], rows.index),
            )
        )
    return out


def _opted_out(
    um: pd.DataFrame, keys: pd.DataFrame, bor: pd.DataFrame, listed: pd.DataFrame
) -> list[pd.DataFrame]:
    flagged = bor[bor["sms_opt_out"].to_numpy(bool)]
    e = keys["_e"].to_numpy()
    on_list = _isin(e, listed["_e"].to_numpy())
    by_flag = _isin(e, flagged["_e"].to_numpy())
    hit = on_list | by_flag
    if not hit.any():
        return []
    rows = um[hit]
    list_hits = keys.loc[on_list, ["_m", "_e"]].merge(
        _capped(listed, "_e", RELATED_CAP)[["_e", "_row", "_record_id"]], on="_e"
    )
    flag_hits = keys.loc[by_flag, ["_m", "_e"]].merge(
        _capped(flagged, "_e", RELATED_CAP)[["_e", "_row", "_record_id"]], on="_e"
    )
    message = np.select(
        [on_list[hit] & by_flag[hit], on_list[hit]],
        [
            "number is on the opt-out list and is the phone of a borrower with sms_opt_out",
            "number is on the opt-out list",
        ],
        "number is the phone of a borrower with sms_opt_out",
    )
    related = _related([_pairs(list_hits, "opt_outs"), _pairs(flag_hits, "borrowers")], rows.index)
    return [check_frame(rows, "recipient-opted-out", SOURCE, pd.Series(message), related)]


def _unsafe(um: pd.DataFrame, keys: pd.DataFrame, blocking: pd.DataFrame) -> list[pd.DataFrame]:
    if blocking.empty:
        return []
    hits = keys[["_m", "_be"]].merge(
        blocking[["_be", "_source", "_row", "_record_id", "code"]], on="_be"
    )
    if hits.empty:
        return []
    codes = (
        hits[["_m", "code"]]
        .drop_duplicates()
        .sort_values(["_m", "code"])
        .groupby("_m")["code"]
        .agg(", ".join)
    )
    rows = um.loc[codes.index]
    message = "a record of the borrower holding this number has critical/high findings: " + codes
    return [
        check_frame(
            rows,
            "recipient-unsafe-number",
            SOURCE,
            message.reset_index(drop=True),
            _related([_pairs(hits, hits["_source"])], rows.index),
        )
    ]


# --- sending time ----------------------------------------------------------------


def _warning(column: str, issue: str, rows: pd.Series) -> dict[str, Any]:
    listed = sorted(int(r) for r in rows)
    return {
        "column": column,
        "issue": issue,
        "count": len(listed),
        "rows": listed[:WARNING_ROWS_CAP],
    }


def parse_scheduled(values: pd.Series) -> pd.DataFrame:
    """Parse ``scheduled_at`` text once per distinct value.

    Returns, aligned to ``values``: ``status`` ("empty", "ok", "missing-time",
    "unparseable-date"), ``wall`` (naive wall-clock Timestamp as written, NaT unless
    ok) and ``offset`` (seconds east of UTC, NaN when the text has no offset).
    """
    text = _none(values)
    codes, uniques = pd.factorize(text, use_na_sentinel=True)
    u = pd.Series(uniques, dtype=object).astype(str)
    u = u.str.normalize("NFKC").str.strip()
    empty = u.str.casefold().isin(NULL_TOKENS).to_numpy()

    parts = u.str.extract(_STAMP)
    serial = pd.to_numeric(u.str.extract(_SERIAL)["serial"], errors="coerce")

    def num(*cols: str) -> pd.Series:
        out = pd.Series(np.nan, index=u.index)
        for c in cols:
            out = out.fillna(pd.to_numeric(parts[c], errors="coerce"))
        return out

    year, month, day = num("y", "cy"), num("mo", "cmo"), num("d", "cd")
    hour, minute, second = num("h"), num("mi", "mi2").fillna(0), num("s", "s2").fillna(0)
    ampm = parts["ap1"].fillna(parts["ap2"]).str.casefold()
    has_ampm = ampm.notna()
    hour = hour.where(~has_ampm | hour.between(1, 12))  # 13:00 PM is not a time
    hour = hour.where(~has_ampm, hour.mod(12) + np.where(ampm.isin(_PM_WORDS), 12, 0))
    valid_time = hour.between(0, 23) & minute.between(0, 59) & second.between(0, 59)

    dates = pd.to_datetime(
        pd.DataFrame({"year": year, "month": month, "day": day}), errors="coerce"
    )
    wall = dates + pd.to_timedelta(hour * 3600 + minute * 60 + second, unit="s")
    wall = wall.where(valid_time & parts["h"].notna())
    from_serial = _EXCEL_EPOCH + pd.to_timedelta((serial * 86400).round(), unit="s")
    wall = wall.fillna(from_serial.where(serial.notna()))

    tz = parts["tz"].str.casefold()
    signed = tz.str.match(r"[+-]", na=False).astype(bool)
    sign = np.where(tz.str.startswith("-", na=False).astype(bool), -1, 1)
    hh = pd.to_numeric(tz.str.slice(1, 3), errors="coerce")
    mm = pd.to_numeric(tz.str.replace(":", "", regex=False).str.slice(3, 5), errors="coerce")
    offset = (sign * (hh * 3600 + mm.fillna(0) * 60)).where(signed)
    offset = offset.where(~tz.isin(["z", "utc", "gmt"]), 0.0)

    status = np.select(
        [empty, wall.notna().to_numpy(), dates.notna().to_numpy() & parts["h"].isna().to_numpy()],
        ["empty", "ok", "missing-time"],
        "unparseable-date",
    )
    # factorize codes: -1 is an empty cell; append an "empty" slot for it
    status = np.append(status, "empty")[codes]
    wall_vals = pd.concat([wall, pd.Series([pd.NaT])], ignore_index=True).to_numpy()[codes]
    off_vals = np.append(offset.to_numpy(float), np.nan)[codes]
    return pd.DataFrame(
        {"status": status, "wall": pd.to_datetime(wall_vals), "offset": off_vals},
        index=values.index,
    )


def _zones(e164: pd.Series, region: pd.Series, config: AuditConfig) -> pd.Series:
    """The recipient's IANA zone per message (see the module doc for the order)."""
    digits = e164.astype(object).fillna("").astype(str).str.lstrip("+")
    key = pd.Series([None] * len(digits), index=digits.index, dtype=object)
    for length in range(TIMEZONE_LONGEST_PREFIX, 0, -1):
        missing = key.isna().to_numpy()
        if not missing.any():
            break
        prefix = digits[missing].str.slice(0, length)
        key[missing] = prefix.where(prefix.isin(_ZONE_KEYS), None)
    region = region.astype(object)
    zone = pd.Series([None] * len(region), index=region.index, dtype=object)
    for candidates in (
        region.map(config.timezones),
        key.map(_SINGLE_ZONE),
        region.map(DEFAULT_ZONES),
        key.map(_FIRST_ZONE),
    ):
        zone = zone.where(zone.notna(), candidates.astype(object))
    return zone.where(zone.notna(), None)


def _seconds(hhmm: str) -> int:
    h, m = hhmm.split(":")
    return int(h) * 3600 + int(m) * 60


def _outside_hours(
    msg: pd.DataFrame,
    known: np.ndarray,
    config: AuditConfig,
    warnings: list[dict[str, Any]],
) -> pd.DataFrame:
    parsed = parse_scheduled(msg["scheduled_at"])
    for issue in ("unparseable-date", "missing-time"):
        bad = parsed["status"].eq(issue).to_numpy()
        if bad.any():
            warnings.append(_warning("scheduled_at", issue, msg.loc[bad, "_row"]))

    ok = parsed["status"].eq("ok").to_numpy() & known
    if not ok.any():
        return empty_check_frame()
    m = msg[ok]
    p = parsed[ok]
    region = m["number_region"].fillna(config.region).astype(object)
    wall = p["wall"]
    # Without an offset the text is the recipient's wall clock; with one, convert.
    local_seconds = (wall - wall.dt.normalize()).dt.total_seconds()
    has_offset = p["offset"].notna().to_numpy()
    zone = pd.Series([None] * len(m), index=m.index, dtype=object)
    if has_offset.any():
        zone[has_offset] = _zones(m.loc[has_offset, "e164"], region[has_offset], config)
        no_zone = has_offset & zone.isna().to_numpy()
        if no_zone.any():
            warnings.append(_warning("scheduled_at", "unknown-time-zone", m.loc[no_zone, "_row"]))
        utc = wall - pd.to_timedelta(p["offset"], unit="s")
        convert = has_offset & ~no_zone
        for name, idx in zone[convert].groupby(zone[convert]).groups.items():
            local = pd.DatetimeIndex(utc.loc[idx]).tz_localize("UTC").tz_convert(str(name))
            local_seconds.loc[idx] = (
                local.hour * 3600 + local.minute * 60 + local.second
            ).to_numpy(float)
        local_seconds[no_zone] = np.nan

    default = config.send_window.get("default", ("08:00", "21:00"))
    window = {r: config.send_window.get(r, default) for r in region.unique()}
    start = region.map({r: _seconds(w[0]) for r, w in window.items()}).to_numpy(float)
    end = region.map({r: _seconds(w[1]) for r, w in window.items()}).to_numpy(float)
    t = local_seconds.to_numpy(float)
    inside = np.where(start <= end, (start <= t) & (t < end), (t >= start) | (t < end))
    outside = ~inside & ~np.isnan(t)
    if not outside.any():
        return empty_check_frame()
    rows = m[outside]
    secs = pd.Series(t[outside]).astype(int)
    clock = (
        (secs // 3600).astype(str).str.zfill(2) + ":" + (secs % 3600 // 60).astype(str).str.zfill(2)
    )
    win = region[outside].map({r: f"{w[0]}–{w[1]}" for r, w in window.items()})
    win = win.reset_index(drop=True)
    message = (
        "scheduled_at is "
        + clock
        + " local time ("
        + region[outside].reset_index(drop=True).astype(str)
        + "), outside the sending window "
        + win
    )
    return check_frame(rows, "recipient-outside-hours", SOURCE, message, column=None)
