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
        hits = f.loc[
            f["remediation"].isin(SUPPRESSING_REMEDIATIONS) & f["e164"].notna(), ["e164", "code"]
        ]
        numbers = hits["e164"].astype("string[pyarrow]")
        if not numbers.str.fullmatch(_E164).all():
            # No data value in the message: it ends up in logs.
            raise ValueError(
                "suppression list: a finding carries an e164 value that is not E.164; "
                "refusing to write an unsafe or incomplete suppression file"
            )
        pairs = hits.assign(e164=numbers).drop_duplicates()
        grouped = (
            pairs.sort_values(["e164", "code"]).groupby("e164", sort=True)["code"].agg(";".join)
        )
        lines.extend(grouped.index.astype(str) + "," + grouped.to_numpy().astype(str))
    return "\n".join(lines) + "\n"
