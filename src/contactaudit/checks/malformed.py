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
from contactaudit.checks._crossrecord import findings, per_count
from contactaudit.models import empty_check_frame

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
    codes = table["malformed"].to_numpy(dtype=object)
    pos = np.flatnonzero(pd.notna(codes))
    if len(pos) == 0:
        return empty_check_frame()
    code_ix, code_values = pd.factorize(codes[pos])
    if "detail" in table.columns:
        detail = table["detail"]
        if not isinstance(detail.dtype, pd.CategoricalDtype):
            detail = detail.astype("category")
        detail_ix = detail.cat.codes.to_numpy()[pos].astype(np.int64)
        detail_values = list(detail.cat.categories)
    else:
        detail_ix, detail_values = np.full(len(pos), -1, dtype=np.int64), []
    # One message per distinct (code, detail) pair; detail code -1 is "no detail".
    messages = per_count(
        lambda c, d: message_for(code_values[c], (detail_values[d] or None) if d >= 0 else None),
        code_ix,
        detail_ix,
    )
    codes = pd.Categorical.from_codes(code_ix, categories=list(code_values))
    return findings(table, pos, codes, source, messages)
