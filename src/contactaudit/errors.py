"""Exceptions raised by the library.

Every message names the file, column or key and says what to do; none carries a
data value (a phone number or a name), because messages end up in logs.
The CLI maps ``ContactAuditError`` to exit status 2 and anything else to 3.
"""

from __future__ import annotations


class ContactAuditError(Exception):
    """A usage, config or input problem the user can fix (exit status 2)."""


class InputError(ContactAuditError):
    """An input file cannot be read as an export (missing, empty, corrupt, encoding)."""


class ColumnError(InputError):
    """A required column is missing or ambiguous."""


class ConfigError(ContactAuditError):
    """A config file or option is invalid (unknown key, wrong type, bad value)."""


class HistoryError(ContactAuditError):
    """The history database cannot be used (newer schema, not a database)."""
