"""The naive reference: the audit a data engineer would write by hand in an afternoon.

    python benchmarks/naive_reference.py borrowers.csv contacts.csv reassigned.csv \
        opt_outs.csv [--out findings.csv] [--as-of 2026-11-28]

This is the yardstick of GitHub issue 7 ("at least 12x faster than the naive pandas +
phonenumbers script"). It is written the obvious way, neither a strawman nor tuned:

What it does
- Reads the four CSVs with ``pd.read_csv(dtype=str)`` (the default C engine, as most
  scripts do; every column as text so phone numbers survive).
- Parses every phone cell of every table with ``phonenumbers.parse`` (default region
  CN), then ``is_valid_number``, ``number_type``, ``region_code_for_number`` and
  ``format_number(E164)``, row by row through ``Series.apply`` - no cache, so a number
  that appears several times is parsed several times. Borrower rows whose ``country``
  is another region are parsed again with that region (a small ``.apply`` on that
  subset; ``DataFrame.apply(axis=1)`` over every row would be ~10x slower still and
  nobody keeps it once they notice).
- Per-cell findings, with cheap vectorised string tests where a careful engineer
  would add them: phone-missing (blank or a null token), phone-masked (``*``/``×``),
  phone-float-artifact (``.0`` or ``E`` spellings), phone-placeholder (a short deny
  list), phone-unparseable, phone-invalid, phone-not-mobile,
  phone-nonstandard-format (valid but neither plain digits nor E.164), region-mismatch.
- Cross-record findings with pandas ``groupby`` / ``merge`` on the E.164 of valid
  numbers: phone-shared-by-borrowers, borrower-duplicate-id, contact-is-borrower-phone,
  contact-is-other-borrower, contact-shared-by-borrowers (>= 3 borrowers),
  contact-duplicate, self-contact-mismatch, name-conflict, relationship-unknown,
  contact-orphan, phone-reassigned (list date on/after the latest verification),
  phone-opted-out (list or ``sms_opt_out``), phone-verification-stale and
  phone-never-verified (dates read with ``pd.to_datetime(format="mixed")``).
- Writes one findings CSV (code, source, row, record_id, borrower_id, e164) sorted by
  code, source, row, and prints ``findings=N`` and its own timings on stdout.

What it does not do (so its findings are not those of contactaudit, only the work is
comparable)
- No recovery of float/scientific spellings, no splitting of two numbers in a cell, no
  extension markers (转/分机), no IoT ranges, no run/repeat placeholder patterns, no
  NFKC of names or role-word filtering beyond a blank test, no ``related`` lists, no
  severities, masking or keyed phone hashes, no JSON report, no encoding sniffing or
  column-name aliases: the headers must be the canonical names.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings

import pandas as pd
import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType

NULL_TOKENS = {"", "null", "none", "nan", "n/a", "na", "-", "/", "0", "无", "暂无"}
PLACEHOLDERS = {"13800138000", "13888888888", "18888888888", "13800000000", "13900000000"}
MOBILE_TYPES = {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}
SELF_WORDS = {"self", "本人", "自己", "借款人"}
RELATIONSHIP_WORDS = SELF_WORDS | {
    "spouse",
    "wife",
    "husband",
    "parent",
    "father",
    "mother",
    "child",
    "son",
    "daughter",
    "sibling",
    "brother",
    "sister",
    "relative",
    "friend",
    "colleague",
    "other",
    "配偶",
    "老公",
    "老婆",
    "父亲",
    "母亲",
    "父母",
    "子女",
    "儿子",
    "女儿",
    "兄弟姐妹",
    "亲属",
    "朋友",
    "同学",
    "同事",
    "其他",
}


def check_number(raw: object, region: str = "CN") -> tuple:
    """(e164, valid, number_type, region) of one cell, or Nones when it does not parse."""
    if not isinstance(raw, str) or not raw.strip():
        return (None, False, None, None)
    try:
        number = phonenumbers.parse(raw, region)
    except NumberParseException:
        return (None, False, None, None)
    valid = phonenumbers.is_valid_number(number)
    return (
        phonenumbers.format_number(number, PhoneNumberFormat.E164) if valid else None,
        valid,
        phonenumbers.number_type(number),
        phonenumbers.region_code_for_number(number),
    )


def parse_column(frame: pd.DataFrame, regions: pd.Series | None = None) -> pd.DataFrame:
    """Add e164 / valid / ntype / nregion / parsed columns, parsing row by row."""
    parsed = frame["phone"].apply(check_number)
    if regions is not None:
        other = regions.notna() & (regions != "CN")
        if other.any():
            sub = frame.loc[other]
            again = [check_number(p, r) for p, r in zip(sub["phone"], regions[other], strict=True)]
            parsed[other] = pd.Series(again, index=sub.index, dtype=object)
    out = pd.DataFrame(
        parsed.tolist(), index=frame.index, columns=["e164", "valid", "ntype", "nregion"]
    )
    out["valid"] = out["valid"].astype(bool)
    return frame.join(out)


def cell_findings(frame: pd.DataFrame, source: str) -> list[pd.DataFrame]:
    raw = frame["phone"].fillna("").str.strip()
    missing = raw.str.lower().isin(NULL_TOKENS)
    masked = ~missing & raw.str.contains(r"[*×＊]", regex=True)
    floaty = (
        ~missing & ~masked & raw.str.contains(r"^\d+(?:\.\d+)?(?:\.0|[eE][+]?\d+)$", regex=True)
    )
    placeholder = raw.isin(PLACEHOLDERS)
    parsed_ok = frame["ntype"].notna()
    rest = ~(missing | masked | floaty | placeholder)
    unparseable = rest & ~parsed_ok
    invalid = rest & parsed_ok & ~frame["valid"]
    valid = rest & frame["valid"]
    not_mobile = valid & ~frame["ntype"].isin(MOBILE_TYPES)
    plain = raw.str.fullmatch(r"\+?\d+")
    nonstandard = valid & ~not_mobile & ~plain
    out = [
        emit(frame[mask], code, source)
        for code, mask in (
            ("phone-missing", missing),
            ("phone-masked", masked),
            ("phone-float-artifact", floaty),
            ("phone-placeholder", placeholder),
            ("phone-unparseable", unparseable),
            ("phone-invalid", invalid),
            ("phone-not-mobile", not_mobile),
            ("phone-nonstandard-format", nonstandard),
        )
    ]
    if "country" in frame.columns:
        mismatch = valid & frame["country"].notna() & (frame["nregion"] != frame["country"])
        out.append(emit(frame[mismatch], "region-mismatch", source))
    return out


def emit(rows: pd.DataFrame, code: str, source: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "code": code,
            "source": source,
            "row": rows["_row"],
            "record_id": rows["_record_id"],
            "borrower_id": rows["borrower_id"],
            "e164": rows["e164"],
        }
    )


def cross_findings(
    b: pd.DataFrame,
    c: pd.DataFrame,
    reassigned: pd.DataFrame,
    opt_outs: pd.DataFrame,
    as_of: pd.Timestamp,
) -> list[pd.DataFrame]:
    out: list[pd.DataFrame] = []
    bv = b[b["e164"].notna()]
    cv = c[c["e164"].notna()]

    n_borrowers = bv.groupby("e164")["borrower_id"].transform("nunique")
    out.append(emit(bv[n_borrowers >= 2], "phone-shared-by-borrowers", "borrowers"))
    n_phones = b.groupby("borrower_id")["e164"].transform("nunique")
    ids = b.groupby("borrower_id")["borrower_id"].transform("size")
    out.append(emit(b[(ids > 1) & (n_phones > 1)], "borrower-duplicate-id", "borrowers"))

    own = cv.merge(
        bv[["borrower_id", "e164"]].drop_duplicates("borrower_id"),
        on="borrower_id",
        how="left",
        suffixes=("", "_b"),
    )
    is_self = own["relationship"].isin(SELF_WORDS)
    out.append(
        emit(
            own[~is_self & (own["e164"] == own["e164_b"])], "contact-is-borrower-phone", "contacts"
        )
    )
    out.append(
        emit(
            own[is_self & own["e164_b"].notna() & (own["e164"] != own["e164_b"])],
            "self-contact-mismatch",
            "contacts",
        )
    )

    other = cv.merge(
        bv[["borrower_id", "e164"]].rename(columns={"borrower_id": "other_id"}), on="e164"
    )
    other = other[other["other_id"] != other["borrower_id"]].drop_duplicates("_row")
    out.append(emit(other, "contact-is-other-borrower", "contacts"))

    listed_by = cv.groupby("e164")["borrower_id"].transform("nunique")
    out.append(emit(cv[listed_by >= 3], "contact-shared-by-borrowers", "contacts"))
    dup = cv.duplicated(["borrower_id", "e164"], keep=False)
    out.append(emit(cv[dup], "contact-duplicate", "contacts"))
    named = cv[cv["name"].notna()]
    names = named.groupby("e164")["name"].transform("nunique")
    out.append(emit(named[names >= 2], "name-conflict", "contacts"))
    rel = c["relationship"].fillna("").str.strip().str.lower()
    out.append(emit(c[~rel.isin(RELATIONSHIP_WORDS)], "relationship-unknown", "contacts"))
    out.append(emit(c[~c["borrower_id"].isin(b["borrower_id"])], "contact-orphan", "contacts"))

    ref = reassigned[reassigned["e164"].notna()][["e164", "disconnected_at"]]
    optl = set(opt_outs["e164"].dropna())
    for frame, source, verified in (
        (bv, "borrowers", b["_verified"]),
        (cv, "contacts", c["_verified"]),
    ):
        v = frame.assign(_v=verified.loc[frame.index])
        hit = v.merge(ref, on="e164")
        hit = hit[hit["_v"].isna() | (hit["disconnected_at"] >= hit["_v"])]
        out.append(emit(hit.drop_duplicates("_row"), "phone-reassigned", source))
        opted = frame["e164"].isin(optl)
        if "sms_opt_out" in frame.columns:
            opted |= frame["sms_opt_out"].fillna("").str.lower().isin({"true", "1", "yes"})
        out.append(emit(frame[opted], "phone-opted-out", source))
    for frame, source, verified, days in (
        (b, "borrowers", b["_verified"], 180),
        (c, "contacts", c["_verified"], 365),
    ):
        out.append(emit(frame[verified.isna()], "phone-never-verified", source))
        stale = (as_of - verified) > pd.Timedelta(days=days)
        out.append(emit(frame[stale], "phone-verification-stale", source))
    return out


def read(path: str, key: str | None) -> pd.DataFrame:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    frame["_row"] = range(2, len(frame) + 2)
    frame["_record_id"] = frame[key] if key else None
    if "borrower_id" not in frame.columns:
        frame["borrower_id"] = None
    return frame


def dates(values: pd.Series) -> pd.Series:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pd.to_datetime(values, errors="coerce", format="mixed").dt.normalize()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("borrowers")
    parser.add_argument("contacts")
    parser.add_argument("reassigned")
    parser.add_argument("opt_outs")
    parser.add_argument("--out", default="naive_findings.csv")
    parser.add_argument("--as-of", default="2026-11-28")
    args = parser.parse_args(argv)
    timings: dict[str, float] = {}
    t = time.perf_counter()

    b = read(args.borrowers, "borrower_id")
    c = read(args.contacts, "contact_id")
    reassigned = read(args.reassigned, None)
    opt_outs = read(args.opt_outs, None)
    timings["read"] = time.perf_counter() - t

    b = parse_column(b, b["country"] if "country" in b.columns else None)
    c = parse_column(c)
    reassigned = parse_column(reassigned)
    opt_outs = parse_column(opt_outs)
    timings["parse"] = time.perf_counter() - t - sum(timings.values())

    b["_verified"] = pd.concat([dates(b["phone_verified_at"]), dates(b["consent_at"])], axis=1).max(
        axis=1
    )
    c["_verified"] = dates(c["verified_at"])
    reassigned["disconnected_at"] = dates(reassigned["disconnected_at"])
    as_of = pd.Timestamp(args.as_of)
    timings["dates"] = time.perf_counter() - t - sum(timings.values())

    frames = cell_findings(b, "borrowers") + cell_findings(c, "contacts")
    frames += cross_findings(b, c, reassigned, opt_outs, as_of)
    findings = pd.concat([f for f in frames if not f.empty], ignore_index=True)
    findings = findings.sort_values(["code", "source", "row"], kind="stable")
    timings["checks"] = time.perf_counter() - t - sum(timings.values())

    findings.to_csv(args.out, index=False)
    timings["write"] = time.perf_counter() - t - sum(timings.values())
    print(
        f"findings={len(findings)} "
        + " ".join(f"{k}={v:.2f}s" for k, v in timings.items())
        + f" total={time.perf_counter() - t:.2f}s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
