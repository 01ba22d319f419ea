"""Malformed family: one finding per phone cell that carries a malformed code.

``contactaudit.phones.normalize_phones`` already chose the one code per cell (DESIGN §4
order); this check turns those cells into findings with a message. Messages are built
from the cell's ``detail`` (a type name, a count, a reason — never digits of the
number) once per distinct (code, detail) pair and mapped back to the rows.

The severity of phone-missing differs by table (high on borrowers, low on contacts);
that is the catalogue's ``default_severity(source)``, applied by audit.py, not here.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from contactaudit import phones
from contactaudit.checks._crossrecord import finding_rows, take_objects
from contactaudit.models import check_frame, empty_check_frame

# Message per code; ``{detail}`` is filled from normalize_phones' ``detail`` column.
# The second form is used when a cell has no detail.
_MESSAGES: dict[str, tuple[str, str]] = {
    phones.MISSING: ("phone cell is empty or holds a null token", ""),
    phones.MASKED: ("phone was masked upstream: mask characters replace digits", ""),
    phones.PRECISION_LOST: (
        "spreadsheet scientific notation lost digits ({detail}): the number cannot be recovered",
        "spreadsheet scientific notation lost digits: the number cannot be recovered",
    ),
    phones.MULTIPLE: ("cell holds {detail}", "cell holds several numbers"),
    phones.UNPARSEABLE: ("cell is not a phone number ({detail})", "cell is not a phone number"),
    phones.NOT_SMS: (
        "number is {detail}: it cannot take SMS",
        "number is in a range that cannot take SMS",
    ),
    phones.INVALID: ("number is not valid ({detail})", "number is not valid for its region"),
    phones.PLACEHOLDER: ("number is a placeholder ({detail})", "number is a placeholder"),
    phones.NOT_MOBILE: (
        "phone is a {detail} number: it cannot take SMS",
        "phone is not a mobile number: it cannot take SMS",
    ),
    phones.EXTENSION: ("number has an extension: a switchboard, not a handset", ""),
    phones.FLOAT: (
        "number was stored as a spreadsheet {detail}; every digit survived, store it as text",
        "number was stored as a spreadsheet float; every digit survived, store it as text",
    ),
    phones.NONSTANDARD: (
        "number is stored with decoration ({detail})",
        "number is stored with decoration",
    ),
}

_MISSING_MESSAGES = {
    "empty cell": "phone cell is empty",
    "null token": "phone cell holds a null token",
}

# Belt and braces: a detail that ever carried a number's digits is dropped.
_DIGIT_RUN = re.compile(r"\d{3,}")


def message_for(code: str, detail: str | None) -> str:
    """The finding message of one malformed code and its detail (no data values)."""
    if code == phones.MISSING and detail in _MISSING_MESSAGES:
        return _MISSING_MESSAGES[detail]
    with_detail, without = _MESSAGES[code]
    if "{detail}" not in with_detail:
        return with_detail
    if not detail or _DIGIT_RUN.search(detail):
        return without
    return with_detail.format(detail=detail)


def check_malformed(table: pd.DataFrame, source: str) -> pd.DataFrame:
    """One finding per cell of a normalised ``table`` whose ``malformed`` is set."""
    if table.empty or "malformed" not in table.columns:
        return empty_check_frame()
    pos = np.flatnonzero(table["malformed"].notna().to_numpy(dtype=bool))
    if len(pos) == 0:
        return empty_check_frame()
    # Only the finding rows' columns are taken (a boolean mask would copy the table).
    rows = finding_rows(table, pos)
    if "borrower_id" not in rows.columns:  # reference lists have no borrower
        rows["borrower_id"] = None
    codes = take_objects(table["malformed"], pos)
    details = (
        take_objects(table["detail"], pos)
        if "detail" in table.columns
        else np.full(len(pos), None, dtype=object)
    )
    # One message per distinct (code, detail) pair.
    code_ix, code_values = pd.factorize(codes)
    detail_ix, detail_values = pd.factorize(details, use_na_sentinel=True)
    pair = code_ix * (len(detail_values) + 1) + (detail_ix + 1)
    distinct, inverse = np.unique(pair, return_inverse=True)
    texts = np.array(
        [
            message_for(
                code_values[p // (len(detail_values) + 1)],
                (detail_values[p % (len(detail_values) + 1) - 1] or None)
                if p % (len(detail_values) + 1)
                else None,
            )
            for p in distinct.tolist()
        ],
        dtype=object,
    )
    return check_frame(
        rows,
        pd.Series(codes, dtype=object),
        source,
        pd.Series(texts[inverse.reshape(-1)], dtype=object),
    )
