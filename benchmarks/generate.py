"""Generate synthetic lender exports for the performance benchmark (GitHub issue 7).

    python benchmarks/generate.py --borrowers 1000000 --contacts-per-borrower 3 \
        --out benchmarks/data/1000000 --seed 7

writes ``borrowers.csv``, ``contacts.csv``, ``reassigned.csv``, ``opt_outs.csv`` and
``manifest.json`` (the parameters and a few counts) into ``--out``.

What the data looks like, and why:

- Phone cells are mostly plain CN mobiles (``13812345678``, about 83 %), the rest in
  the spellings real exports carry: ``+86…``, ``+86 138 1234 5678``, ``138-1234-5678``,
  ``0086…``, ``86…``, full-width digits, ``'…`` Excel text wrappers, spreadsheet floats
  (``13812345678.0``, ``1.3812345678E10``, lossy ``1.38123E+10``), masked ``138****5678``,
  blanks and null tokens, landlines, 400/800 numbers, extensions (``转``, ``分机``,
  ``ext.``, ``#``), two numbers in a cell, placeholders, IoT 14x numbers, +1 NANP
  numbers and a little garbage. The proportions are ``FORMAT_WEIGHTS`` below.
- About 10 % of phone cells share their number with another cell: households sharing
  a phone across borrowers, contacts that are the borrower's own number or another
  borrower's, contact numbers listed by several borrowers (with a few "broker"
  numbers listed by hundreds), and contacts listed twice by the same borrower. The
  shares are ``SHARE_WEIGHTS``. Overall about 88 % of cells carry a distinct number.
- Dates mix ISO, ``2023/1/5``, ``2023年1月5日``, ``20230105``, ``2023.01.05`` and ISO with
  a time; never a day/month-ambiguous spelling (the audit rejects those by contract).
  Verification dates sit relative to ``AS_OF`` so that roughly a sixth of records are
  stale, as in a book that re-verifies on each loan.
- Relationship words are Chinese and English, with a few blanks and words outside the
  vocabulary.

Everything is drawn with numpy from ``--seed``; only the minority spellings are built
by Python string formatting (about a fifth of the cells), so 1M borrowers + 3M
contacts take well under a minute. The CSVs are written with pyarrow.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

# The audit's reference day; run.py passes the same date as --as-of.
AS_OF = dt.date(2026, 11, 28)

# Share of phone cells per spelling; "plain" takes the remainder.
FORMAT_WEIGHTS: dict[str, float] = {
    "e164": 0.040,  # +8613812345678
    "intl_spaced": 0.015,  # +86 138 1234 5678
    "dashed": 0.015,  # 138-1234-5678
    "spaced": 0.010,  # 138 1234 5678
    "intl_00": 0.004,  # 008613812345678
    "cc_no_plus": 0.004,  # 8613812345678
    "fullwidth": 0.004,  # １３８１２３４５６７８
    "excel_text": 0.002,  # '13812345678
    "float_dot0": 0.020,  # 13812345678.0
    "sci_exact": 0.004,  # 1.3812345678E10
    "sci_lossy": 0.002,  # 1.38123E+10
    "masked": 0.004,  # 138****5678
    "blank": 0.015,
    "null_token": 0.005,  # NULL, 无, N/A …
    "landline": 0.010,  # 010-22345678
    "tollfree": 0.002,  # 4001234567
    "extension": 0.002,  # 13812345678转123
    "multiple": 0.003,  # 13812345678/13987654321
    "placeholder": 0.003,  # 13800138000
    "iot": 0.002,  # 14012345678
    "nanp": 0.004,  # +1 212-736-5000
    "garbage": 0.001,  # 见备注
}

# Share of borrower / contact rows whose number is deliberately shared.
SHARE_WEIGHTS: dict[str, float] = {
    "borrower_household": 0.015,  # borrower takes another borrower's phone
    "contact_self": 0.005,  # relationship 本人/self (80 % with the borrower's phone)
    "contact_is_own_borrower": 0.010,  # non-self contact with the borrower's own phone
    "contact_is_other_borrower": 0.020,  # contact is another borrower's phone
    "contact_pool": 0.050,  # contact numbers listed by about 3 borrowers each
    "contact_broker": 0.001,  # a handful of numbers listed by hundreds of borrowers
    "contact_duplicate": 0.005,  # same borrower lists the same number again
}

CN_MOBILE_PREFIXES = np.array(
    [
        130,
        131,
        132,
        133,
        134,
        135,
        136,
        137,
        138,
        139,
        147,
        150,
        151,
        152,
        153,
        155,
        156,
        157,
        158,
        159,
        162,
        165,
        166,
        167,
        173,
        175,
        176,
        177,
        178,
        180,
        181,
        182,
        183,
        184,
        185,
        186,
        187,
        188,
        189,
        191,
        193,
        195,
        196,
        197,
        198,
        199,
    ],
    dtype=np.int64,
)
# Area code -> subscriber digits; subscribers start 2-8 so every one is a valid landline.
LANDLINE_AREAS = [
    ("010", 8),
    ("020", 8),
    ("021", 8),
    ("022", 8),
    ("023", 8),
    ("028", 8),
    ("0755", 8),
    ("0571", 8),
    ("0512", 8),
    ("0731", 7),
    ("0591", 8),
]
NANP_AREAS = ["212", "646", "718", "415", "305", "312", "206", "617", "702", "213"]
PLACEHOLDERS = [
    "13800138000",
    "13888888888",
    "18888888888",
    "13800000000",
    "13900000000",
    "13333333333",
    "13912345678",
    "12345678901",
    "11111111111",
    "00000000000",
]
NULL_TOKENS = ["null", "NULL", "None", "N/A", "-", "无", "暂无", "0", "nan", "/"]
GARBAGE = ["unknown", "见备注", "abc", "已停机", "号码错误", "test", "同上"]
SURNAMES = list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
    "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = list(
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彩春菊兰凤洁"
    "梅琳素云莲真环雪荣爱妹霞香月莺媛艳瑞凡佳嘉琼勤珍贞莉桂娣叶璧璐娅琦晶妍茜秋珊莎锦"
    "黛青倩婷姣婉娴瑾颖露瑶怡婵雁蓓纨仪荷丹蓉眉君琴蕊薇菁梦岚苑婕馨瑗琰韵融园艺咏卿聪"
    "澜纯毓悦昭冰爽琬茗羽希宁欣飘育滢馥筠柔竹霭凝晓欢霄枫芸菲寒伊亚宜可姬舒影荔枝思丽"
)
ROLE_NAMES = ["妈妈", "老公", "老婆", "爸爸", "先生", "女士", "哥哥", "姐姐", "朋友", "同事"]
RELATIONSHIPS = [
    ("配偶", 0.12),
    ("父亲", 0.08),
    ("母亲", 0.10),
    ("子女", 0.05),
    ("兄弟姐妹", 0.08),
    ("朋友", 0.20),
    ("同事", 0.12),
    ("其他", 0.03),
    ("亲属", 0.03),
    ("spouse", 0.03),
    ("mother", 0.03),
    ("friend", 0.05),
    ("colleague", 0.03),
    ("", 0.03),
    ("邻居", 0.005),
    ("房东", 0.003),
    ("neighbour", 0.002),
]
STATUSES = [("active", 0.50), ("overdue", 0.30), ("settled", 0.15), ("written_off", 0.05)]
FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def _choice(rng: np.random.Generator, items: list, weights: list[float], n: int) -> np.ndarray:
    p = np.asarray(weights, dtype=float)
    idx = rng.choice(len(items), size=n, p=p / p.sum())
    return np.asarray(items, dtype=object)[idx]


def _cn_mobiles(rng: np.random.Generator, n: int) -> np.ndarray:
    prefix = CN_MOBILE_PREFIXES[rng.integers(0, len(CN_MOBILE_PREFIXES), n)]
    return prefix * 100_000_000 + rng.integers(0, 100_000_000, n)


def _names(rng: np.random.Generator, n: int, pool_size: int = 20_000) -> np.ndarray:
    surnames = rng.integers(0, len(SURNAMES), pool_size)
    g1 = rng.integers(0, len(GIVEN), pool_size)
    g2 = rng.integers(0, len(GIVEN), pool_size)
    two = rng.random(pool_size) < 0.3
    pool = np.array(
        [
            SURNAMES[s] + GIVEN[a] + ("" if t else GIVEN[b])
            for s, a, b, t in zip(surnames, g1, g2, two, strict=True)
        ],
        dtype=object,
    )
    return pool[rng.integers(0, pool_size, n)]


def _pick_rows(rng: np.random.Generator, n: int, weights: dict[str, float]) -> np.ndarray:
    """One category per row (index into ``weights``, len(weights) meaning "none")."""
    bounds = np.cumsum(list(weights.values()))
    return np.searchsorted(bounds, rng.random(n), side="right")


def _format_phones(
    rng: np.random.Generator, numbers: np.ndarray, with_country: bool
) -> tuple[np.ndarray, np.ndarray | None]:
    """Spell each CN national number in one of the export spellings.

    Returns the phone column and, when ``with_country``, the country column (CN for
    most rows, blank for some, US for most NANP rows so that region handling is used).
    """
    n = len(numbers)
    names = list(FORMAT_WEIGHTS)
    kind = _pick_rows(rng, n, FORMAT_WEIGHTS)
    out = numbers.astype("U11").astype(object)
    country = None
    if with_country:
        country = _choice(rng, ["CN", None], [0.9, 0.1], n)

    def rows(name: str) -> np.ndarray:
        return np.flatnonzero(kind == names.index(name))

    def digits(idx: np.ndarray) -> list[str]:
        return [str(x) for x in numbers[idx]]

    def put(name: str, fn) -> None:
        idx = rows(name)
        if len(idx):
            out[idx] = np.array(
                [fn(s, i) for i, s in zip(idx, digits(idx), strict=True)], dtype=object
            )

    put("e164", lambda s, i: "+86" + s)
    put("intl_spaced", lambda s, i: f"+86 {s[:3]} {s[3:7]} {s[7:]}")
    put("dashed", lambda s, i: f"{s[:3]}-{s[3:7]}-{s[7:]}")
    put("spaced", lambda s, i: f"{s[:3]} {s[3:7]} {s[7:]}")
    put("intl_00", lambda s, i: "0086" + s)
    put("cc_no_plus", lambda s, i: "86" + s)
    put("fullwidth", lambda s, i: s.translate(FULLWIDTH))
    put("excel_text", lambda s, i: "'" + s)
    put("float_dot0", lambda s, i: s + ".0")
    put("sci_exact", lambda s, i: f"{s[0]}.{s[1:]}E10")
    put("sci_lossy", lambda s, i: f"{s[0]}.{s[1:6]}E+10")
    put("masked", lambda s, i: s[:3] + ("****" if i % 5 else "××××") + s[7:])
    out[rows("blank")] = None
    idx = rows("null_token")
    out[idx] = np.asarray(NULL_TOKENS, dtype=object)[rng.integers(0, len(NULL_TOKENS), len(idx))]

    def landline(i: int) -> str:
        area, width = LANDLINE_AREAS[i % len(LANDLINE_AREAS)]
        sub = str(2 + i % 7) + str(int(rng_digits[i % len(rng_digits)]))[: width - 1]
        return f"{area}-{sub}" if i % 3 else area + sub

    rng_digits = rng.integers(10**7, 10**8 - 1, 1024)
    put("landline", lambda s, i: landline(i))
    put("tollfree", lambda s, i: ("400" if i % 4 else "800") + s[4:])
    put(
        "extension",
        lambda s, i: (
            f"{s}转{i % 900 + 100}"
            if i % 4 == 0
            else f"{landline(i)} ext. {i % 90 + 10}"
            if i % 4 == 1
            else f"{landline(i)}分机{i % 9 + 1}"
            if i % 4 == 2
            else f"{landline(i)}#{i % 900 + 100}"
        ),
    )
    others = numbers[rng.permutation(n)]
    seps = ["/", "，", "、", " ", ";"]
    put(
        "multiple",
        lambda s, i: f"母亲{s} 父亲{others[i]}" if i % 6 == 5 else f"{s}{seps[i % 5]}{others[i]}",
    )
    put("placeholder", lambda s, i: PLACEHOLDERS[i % len(PLACEHOLDERS)])
    put(
        "iot",
        lambda s, i: f"14{i % 5}{s[3:]}" if i % 3 else f"1440{s[2:]}",
    )

    def nanp(s: str, i: int) -> str:
        area = NANP_AREAS[i % len(NANP_AREAS)]
        exchange = 201 + (int(s[3:7]) % 798)
        if exchange % 100 == 11 or exchange == 555:
            exchange += 1
        line = s[7:]
        if country is not None and i % 5 < 3:
            country[i] = "US"
            return f"({area}) {exchange}-{line}" if i % 2 else f"{area}-{exchange}-{line}"
        return f"+1 {area}-{exchange}-{line}" if i % 2 else f"+1{area}{exchange}{line}"

    put("nanp", nanp)
    idx = rows("garbage")
    out[idx] = np.asarray(GARBAGE, dtype=object)[rng.integers(0, len(GARBAGE), len(idx))]
    return out, country


def _dates(rng: np.random.Generator, days_ago: np.ndarray) -> np.ndarray:
    """Spell ``AS_OF - days_ago`` dates in mixed styles; negative days mean blank."""
    n = len(days_ago)
    base = np.datetime64(AS_OF.isoformat(), "D")
    when = base - np.maximum(days_ago, 0).astype("timedelta64[D]")
    out = np.datetime_as_string(when, unit="D").astype(object)
    style = _pick_rows(
        rng, n, {"slash": 0.06, "zh": 0.04, "compact": 0.04, "time": 0.02, "dots": 0.02}
    )
    for k, fmt in enumerate(("slash", "zh", "compact", "time", "dots")):
        idx = np.flatnonzero(style == k)
        if not len(idx):
            continue
        ds = when[idx].astype(object)  # datetime.date objects
        if fmt == "slash":
            vals = [f"{d.year}/{d.month}/{d.day}" for d in ds]
        elif fmt == "zh":
            vals = [f"{d.year}年{d.month}月{d.day}日" for d in ds]
        elif fmt == "compact":
            vals = [f"{d.year}{d.month:02d}{d.day:02d}" for d in ds]
        elif fmt == "time":
            vals = [
                f"{d.isoformat()} {h:02d}:{m:02d}:00"
                for d, h, m in zip(ds, idx % 24, idx % 60, strict=True)
            ]
        else:
            vals = [f"{d.year}.{d.month:02d}.{d.day:02d}" for d in ds]
        out[idx] = np.array(vals, dtype=object)
    out[days_ago < 0] = None
    return out


def _days(
    rng: np.random.Generator,
    n: int,
    blank: float,
    fresh_max: int,
    stale_share: float,
    stale_min: int,
    stale_max: int = 2000,
) -> np.ndarray:
    """Days before AS_OF: mostly fresh, ``stale_share`` stale, ``blank`` missing (-1)."""
    u = rng.random(n)
    days = rng.integers(1, fresh_max + 1, n)
    stale = (u >= blank) & (u < blank + stale_share)
    days[stale] = rng.integers(stale_min, stale_max, int(stale.sum()))
    days[u < blank] = -1
    return days


def _ids(prefix: str, values: np.ndarray, width: int) -> pa.Array:
    text = pc.utf8_lpad(pa.array(values).cast(pa.string()), width, "0")
    return pc.binary_join_element_wise(prefix, text, "")


def generate(n_borrowers: int, contacts_per_borrower: int, out: Path, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    nb = n_borrowers
    nc = n_borrowers * contacts_per_borrower
    out.mkdir(parents=True, exist_ok=True)

    base = _cn_mobiles(rng, nb + nc)
    b_num = base[:nb].copy()
    c_num = base[nb:].copy()
    c_owner = np.repeat(np.arange(nb), contacts_per_borrower)

    # Households: a borrower takes the phone of a random other borrower.
    household = rng.random(nb) < SHARE_WEIGHTS["borrower_household"]
    b_num[household] = b_num[rng.integers(0, nb, int(household.sum()))]

    share_names = [k for k in SHARE_WEIGHTS if k.startswith("contact_")]
    share = _pick_rows(rng, nc, {k: SHARE_WEIGHTS[k] for k in share_names})

    def contact_rows(name: str) -> np.ndarray:
        return np.flatnonzero(share == share_names.index(name))

    relationship = _choice(rng, [r for r, _ in RELATIONSHIPS], [w for _, w in RELATIONSHIPS], nc)
    relationship[relationship == ""] = None
    contact_name = _names(rng, nc)
    role = rng.random(nc)
    contact_name[role < 0.08] = np.asarray(ROLE_NAMES, dtype=object)[
        rng.integers(0, len(ROLE_NAMES), int((role < 0.08).sum()))
    ]
    contact_name[role > 0.93] = None
    borrower_name = _names(rng, nb)

    idx = contact_rows("contact_self")
    relationship[idx] = np.where(rng.random(len(idx)) < 0.5, "本人", "self")
    keep = idx[rng.random(len(idx)) < 0.8]
    c_num[keep] = b_num[c_owner[keep]]
    contact_name[idx] = borrower_name[c_owner[idx]]
    idx = contact_rows("contact_is_own_borrower")
    c_num[idx] = b_num[c_owner[idx]]
    idx = contact_rows("contact_is_other_borrower")
    c_num[idx] = b_num[rng.integers(0, nb, len(idx))]
    idx = contact_rows("contact_pool")
    pool = _cn_mobiles(rng, max(1, len(idx) // 3))
    pick = rng.integers(0, len(pool), len(idx))
    c_num[idx] = pool[pick]
    # Most people list a shared contact under the same name; some do not.
    pool_names = _names(rng, len(pool))
    same = rng.random(len(idx)) < 0.7
    contact_name[idx[same]] = pool_names[pick[same]]
    idx = contact_rows("contact_broker")
    brokers = _cn_mobiles(rng, max(1, nc // 150_000))
    c_num[idx] = brokers[rng.integers(0, len(brokers), len(idx))]
    idx = contact_rows("contact_duplicate")
    idx = idx[(idx > 0)]
    idx = idx[c_owner[idx - 1] == c_owner[idx]]
    c_num[idx] = c_num[idx - 1]

    b_phone, b_country = _format_phones(rng, b_num, with_country=True)
    c_phone, _ = _format_phones(rng, c_num, with_country=False)

    # A few duplicated borrower ids and orphan contacts, as exports from merged systems have.
    b_id_num = np.arange(1, nb + 1)
    dup = np.flatnonzero(rng.random(nb) < 0.0005)
    dup = dup[dup > 0]
    b_id_num[dup] = b_id_num[dup - 1]
    c_owner_id = b_id_num[c_owner].copy()
    orphan = rng.random(nc) < 0.001
    c_owner_id[orphan] = 90_000_000 + np.arange(int(orphan.sum()))

    opt_flag = _choice(rng, ["true", "false", None], [0.01, 0.80, 0.19], nb)
    borrowers = pa.table(
        {
            "borrower_id": _ids("B", b_id_num, 8),
            "phone": pa.array(b_phone, type=pa.string()),
            "name": pa.array(borrower_name, type=pa.string()),
            "country": pa.array(b_country, type=pa.string()),
            "phone_verified_at": pa.array(
                _dates(
                    rng, _days(rng, nb, blank=0.10, fresh_max=170, stale_share=0.15, stale_min=181)
                ),
                type=pa.string(),
            ),
            "consent_at": pa.array(
                _dates(
                    rng, _days(rng, nb, blank=0.40, fresh_max=1500, stale_share=0.0, stale_min=181)
                ),
                type=pa.string(),
            ),
            "status": pa.array(
                _choice(rng, [s for s, _ in STATUSES], [w for _, w in STATUSES], nb),
                type=pa.string(),
            ),
            "sms_opt_out": pa.array(opt_flag, type=pa.string()),
        }
    )
    contacts = pa.table(
        {
            "contact_id": _ids("C", np.arange(1, nc + 1), 9),
            "borrower_id": _ids("B", c_owner_id, 8),
            "phone": pa.array(c_phone, type=pa.string()),
            "name": pa.array(contact_name, type=pa.string()),
            "relationship": pa.array(relationship, type=pa.string()),
            "verified_at": pa.array(
                _dates(
                    rng, _days(rng, nc, blank=0.08, fresh_max=360, stale_share=0.12, stale_min=366)
                ),
                type=pa.string(),
            ),
        }
    )

    # Reference lists: ~1 % of all numbers each, 70 % of them numbers in the exports.
    def reference(date_col: str, spread: int) -> pa.Table:
        n = max(1, (nb + nc) // 100)
        from_data = rng.random(n) < 0.7
        nums = _cn_mobiles(rng, n)
        all_nums = np.concatenate([b_num, c_num])
        nums[from_data] = all_nums[rng.integers(0, len(all_nums), int(from_data.sum()))]
        text = nums.astype("U11").astype(object)
        plus = rng.random(n) < 0.5
        text[plus] = np.array(["+86" + s for s in text[plus]], dtype=object)
        return pa.table(
            {
                "phone": pa.array(text, type=pa.string()),
                date_col: pa.array(_dates(rng, rng.integers(1, spread, n)), type=pa.string()),
            }
        )

    reassigned = reference("disconnected_at", 400)
    opt_outs = reference("opted_out_at", 900)

    # Unquoted, like most exports; the header is written by hand because pyarrow
    # quotes header names whatever the quoting style.
    options = pacsv.WriteOptions(quoting_style="none", include_header=False)
    for name, table in (
        ("borrowers", borrowers),
        ("contacts", contacts),
        ("reassigned", reassigned),
        ("opt_outs", opt_outs),
    ):
        with open(out / f"{name}.csv", "wb") as fh:
            fh.write((",".join(table.column_names) + "\n").encode("utf-8"))
            pacsv.write_csv(table, fh, write_options=options)

    # How many cells share their underlying number with another cell (before spelling).
    all_numbers = np.concatenate([b_num, c_num])
    _, inverse, counts = np.unique(all_numbers, return_inverse=True, return_counts=True)

    manifest = {
        "borrowers": nb,
        "contacts": nc,
        "reassigned": reassigned.num_rows,
        "opt_outs": opt_outs.num_rows,
        "seed": seed,
        "distinct_numbers": int(len(counts)),
        "shared_cells": int((counts[inverse] > 1).sum()),
        "shared_cell_share": round(float((counts[inverse] > 1).mean()), 4),
        "as_of": AS_OF.isoformat(),
        "format_weights": FORMAT_WEIGHTS,
        "share_weights": SHARE_WEIGHTS,
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--borrowers", type=int, default=1_000_000)
    parser.add_argument("--contacts-per-borrower", type=int, default=3)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "data" / "default")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    manifest = generate(args.borrowers, args.contacts_per_borrower, args.out, args.seed)
    print(
        f"wrote {manifest['borrowers']} borrowers, {manifest['contacts']} contacts, "
        f"{manifest['reassigned']} reassigned, {manifest['opt_outs']} opt-outs to {args.out} "
        f"in {time.perf_counter() - started:.1f}s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
