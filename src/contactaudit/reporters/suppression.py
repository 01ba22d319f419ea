"""suppression.csv: the numbers an SMS platform must not text, with the reasons.

It holds real E.164 numbers by design — an SMS platform cannot match a masked or
hashed number — so the writer creates it with ``SUPPRESSION_MODE`` (0600).

Choices the contract leaves open:

- Columns ``phone_e164, codes``; one row per distinct number that has a finding with
  remediation ``SUPPRESS_SMS`` or ``BLOCK_SEND`` (catalog.SUPPRESSING_REMEDIATIONS)
  and a usable number (``e164`` not null); ``codes`` sorted and joined by ``;``;
  rows sorted by number.
- It is a machine file: plain UTF-8 without BOM, LF line ends, and **no** ``'``
  CSV-injection prefix. An SMS platform must import ``+8613812345678`` as is, and a
  quote would make every number unmatchable. That is safe only because every cell is
  known-shape: codes come from the catalogue, and each number must be E.164
  (``+`` and 2–15 digits, which a spreadsheet can only read as a number). A value
  that is not is a bug upstream, so ``render`` raises rather than write it or —
  worse — drop a number that must be suppressed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from contactaudit.catalog import SUPPRESSING_REMEDIATIONS
from contactaudit.models import AuditReport

SUPPRESSION_MODE = 0o600
COLUMNS: tuple[str, ...] = ("phone_e164", "codes")

_E164 = r"^\+[1-9][0-9]{1,14}$"


def render(report: AuditReport) -> str:
    """The suppression list as CSV text (header always present, even when empty)."""
    f = report.findings
    lines = [",".join(COLUMNS)]
    if not f.empty:
        hit = (f["remediation"].isin(SUPPRESSING_REMEDIATIONS) & f["e164"].notna()).to_numpy()
        if hit.any():
            lines.extend(_rows(f["e164"].to_numpy(dtype=object)[hit], f["code"][hit]))
    return "\n".join(lines) + "\n"


def _rows(e164: np.ndarray, codes: pd.Series) -> list[str]:
    """``number,code;code`` per distinct number, sorted, without a Python pass per
    finding: each number's codes become one bit mask, and each distinct mask (a
    handful) is spelled out once."""
    number_ix, numbers = pd.factorize(e164)
    try:
        valid = pc.match_substring_regex(pa.array(numbers, type=pa.string()), _E164)
        all_valid = pc.all(valid).as_py()
    except (pa.ArrowException, UnicodeError):  # not even text
        all_valid = False
    if not all_valid:
        # No data value in the message: it ends up in logs.
        raise ValueError(
            "suppression list: a finding carries an e164 value that is not E.164; "
            "refusing to write an unsafe or incomplete suppression file"
        )
    code_ix, code_names = pd.factorize(codes.to_numpy(dtype=object), sort=True)
    if len(code_names) > 62:  # more codes than bits: not in this catalogue
        raise ValueError("suppression list: too many distinct codes for a bit mask")
    masks = np.zeros(len(numbers), dtype=np.int64)
    np.bitwise_or.at(masks, number_ix, np.left_shift(1, code_ix.astype(np.int64)))
    distinct, which = np.unique(masks, return_inverse=True)
    spelled = np.array(
        [";".join(c for i, c in enumerate(code_names) if int(m) >> i & 1) for m in distinct],
        dtype=object,
    )
    order = np.argsort(np.asarray(numbers, dtype=str), kind="stable")
    return (np.asarray(numbers, dtype=object)[order] + "," + spelled[which[order]]).tolist()
