"""The two files ``contactaudit gate`` writes: approved messages and blocked ones.

``split_campaign`` partitions the campaign as the user supplied it (original
headers, original cell text, file order) by the assembled gate findings:

* a message is **blocked** when it has a critical or high finding (the assembled
  severity, so config overrides count); every other message is **approved**, even
  one with a lower-severity finding;
* approved keeps the campaign's columns unchanged, so the SMS platform imports it
  exactly like the campaign;
* blocked adds ``blocked_codes`` — every code of the message's findings (not only
  the blocking ones), distinct, sorted by severity (critical first) then code,
  ``;``-separated — and ``remediation``, the distinct remediations of those codes
  in the same order, ``;``-separated. If the campaign already has a column with one
  of those names, the added column is prefixed ``contactaudit_``;
* every message lands in exactly one file, in the campaign's order.

``to_csv_bytes`` writes UTF-8 CSV (comma, minimal quoting, ``\\n`` line ends, empty
cells for missing values) with a BOM when the campaign had one. It deliberately does
**not** apply the CSV-injection ``'`` prefix used by ``findings.csv``: the approved
file must import into the SMS platform exactly as the campaign did, and a prefix
would corrupt every ``+86…`` number and any text beginning with ``-``. The blocked
file gets the same treatment so it can be fixed and re-imported. Neither file adds
content a formula could come from: the cells are the campaign's own, plus codes.
"""

from __future__ import annotations

import io

import pandas as pd

from contactaudit.catalog import CATALOG
from contactaudit.models import severity_rank

BLOCKING = ("critical", "high")
_BOM = "\ufeff".encode()


def split_campaign(
    original: pd.DataFrame, rows: pd.Series, assembled_gate_findings: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(approved, blocked)`` frames of the campaign; see the module doc."""
    if len(rows) != len(original):
        raise ValueError("rows must hold one spreadsheet row number per campaign message")
    frame = original.reset_index(drop=True)
    row_numbers = pd.Series(pd.array(rows, dtype="int64")).reset_index(drop=True)

    f = assembled_gate_findings
    if "source" in f:
        f = f[f["source"] == "campaign"]
    f = f[["row", "code", "severity", *(["remediation"] if "remediation" in f else [])]]
    # Plain text: the joins below run per message, and a categorical (the assembled
    # findings' catalogue columns) would rebuild its values for every group.
    f = f.astype({c: object for c in ("code", "severity", "remediation") if c in f})
    if "remediation" not in f:
        f["remediation"] = f["code"].map({c: info.remediation for c, info in CATALOG.items()})
    f["row"] = f["row"].astype("int64")
    f["_rank"] = f["severity"].astype(str).map(severity_rank)
    blocking_rows = set(f.loc[f["severity"].isin(BLOCKING), "row"])
    blocked = row_numbers.isin(blocking_rows).to_numpy()

    approved_frame = frame[~blocked].reset_index(drop=True)
    blocked_frame = frame[blocked].reset_index(drop=True)

    f = f[f["row"].isin(blocking_rows)].drop_duplicates(["row", "code"])
    f = f.sort_values(["row", "_rank", "code"], ascending=[True, False, True], kind="stable")
    codes = f.groupby("row", sort=False)["code"].agg(";".join)
    # one join per blocked message (a group of findings), keeping first-seen order
    remediation = f.groupby("row", sort=False)["remediation"].agg(
        lambda r: ";".join(dict.fromkeys(x for x in r if isinstance(x, str) and x))
    )
    blocked_rows = row_numbers[blocked].to_numpy()
    blocked_frame[_free_name(frame, "blocked_codes")] = codes.reindex(blocked_rows).to_numpy()
    blocked_frame[_free_name(frame, "remediation")] = remediation.reindex(blocked_rows).to_numpy()
    return approved_frame, blocked_frame


def _free_name(frame: pd.DataFrame, name: str) -> str:
    return name if name not in frame.columns else f"contactaudit_{name}"


def to_csv_bytes(frame: pd.DataFrame, *, bom: bool) -> bytes:
    """UTF-8 CSV of ``frame`` (BOM when asked), without CSV-injection prefixing."""
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, lineterminator="\n")
    data = buffer.getvalue().encode("utf-8")
    return _BOM + data if bom else data
