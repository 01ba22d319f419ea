"""The commented starter config written by ``contactaudit init``.

Every key of AuditConfig appears here, commented out at its default, so the file is
also the reference. When exports are given, their detected column mapping is
written out explicitly, so an analyst can correct a wrong guess in one place.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from contactaudit.errors import ContactAuditError

_SOURCES_BY_POSITION = ("borrowers", "contacts")

TEMPLATE = """\
# contactaudit configuration. Command-line options win over this file.
# Every key is shown at its default; uncomment what you change.
# (Top-level keys first: in TOML a key below a [table] header belongs to that table.)

# Default region for numbers written without a country code (a row's country wins).
# region = "CN"

# Exit 1 when a finding is at or above this severity: critical, high, medium, low,
# info, or never.
# fail_on = "high"

# Days after which the last verification is stale (exactly N days is still fresh).
# stale_after_days = {{ borrowers = 180, contacts = 365 }}

# A contact number listed by this many distinct borrowers or more is fan-out.
# contact_fanout_threshold = 3

# Extra placeholder numbers staff type as fillers (on top of the built-in list).
# placeholders = ["13912345678"]

# Extra generic role words that are not names (name-conflict ignores them).
# role_words = ["阿姨"]

# Order of ambiguous numeric dates such as 05/01/2023: "DMY" or "MDY".
# date_order = "DMY"

# Encoding of text inputs (default: BOM, strict UTF-8, then strict GB18030).
# encoding = "gb18030"

# Excel sheet to read (default: the first).
# sheet = "Sheet1"

# Codes or families to keep (select) or drop (ignore), like a linter.
# select = ["malformed", "stale"]
# ignore = ["relationship-unknown"]

# Extra debt words or regular expressions for recipient-debt-disclosure.
# debt_words = ["分期"]

# Extra relationship words -> self, spouse, parent, child, sibling, relative,
# friend, colleague or other.
# [relationships]
# "舅舅" = "relative"

# Severity per code.
# [severity]
# "phone-nonstandard-format" = "low"

# Allowed sending window per region of the number, local time [start, end).
# [send_window]
# default = ["08:00", "21:00"]
# US = ["08:00", "21:00"]

# Time zone per region for scheduled_at with an offset.
# [timezones]
# CN = "Asia/Shanghai"
{inputs}{columns}"""


def _toml_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def starter_config(exports: list[Path], config_dir: Path = Path(".")) -> str:
    """The starter file; ``exports`` are borrowers then contacts (both optional).

    Input paths are written relative to ``config_dir``, the folder the file goes to,
    because the config resolves them relative to itself.
    """
    from contactaudit.loading import load_export

    if len(exports) > len(_SOURCES_BY_POSITION):
        raise ContactAuditError(
            "init takes at most two exports: the borrowers file, then the contacts file."
        )
    inputs_lines = []
    column_blocks = []
    for source, path in zip(_SOURCES_BY_POSITION, exports, strict=False):
        export = load_export(path, source)
        relative = os.path.relpath(path.resolve(), config_dir.resolve())
        inputs_lines.append(f"{source} = {_toml_string(Path(relative).as_posix())}")
        mapping = "\n".join(
            f"{canon} = {_toml_string(header)}"
            for canon, header in sorted(export.info.columns.items())
        )
        column_blocks.append(
            f"\n# Columns detected in {path} ({export.info.format}, "
            f"{export.info.encoding or 'binary'}, {export.info.rows} rows).\n"
            f"[columns.{source}]\n{mapping}\n"
        )
    if inputs_lines:
        inputs = (
            "\n# Input files (relative to this file).\n[inputs]\n" + "\n".join(inputs_lines) + "\n"
        )
    else:
        inputs = (
            "\n# Input files (relative to this file).\n# [inputs]\n"
            '# borrowers = "borrowers.csv"\n# contacts = "contacts.csv"\n'
        )
    return TEMPLATE.format(inputs=inputs, columns="".join(column_blocks))
