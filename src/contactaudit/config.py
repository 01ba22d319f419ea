"""AuditConfig: defaults, a TOML file, then command-line overrides (CLI wins).

The file is ``--config``, else ``contactaudit.toml`` in the working directory, else
``[tool.contactaudit]`` in ``pyproject.toml``. Unknown keys and wrong types are
``ConfigError``s naming the key and the closest valid one, like a linter would.
"""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from contactaudit.catalog import CATALOG, FAMILIES
from contactaudit.errors import ConfigError
from contactaudit.models import SEVERITY_ORDER

SOURCES = ("borrowers", "contacts", "reassigned", "opt_outs", "campaign")
DATE_ORDERS = ("YMD", "DMY", "MDY")


@dataclass(frozen=True)
class AuditConfig:
    # Input paths per source (relative paths are relative to the config file).
    inputs: dict[str, str] = field(default_factory=dict)
    region: str = "CN"
    # Exit 1 when a finding is at or above this severity ("never" to always exit 0).
    fail_on: str | None = None
    # Days after which a verification is stale, per source; exactly N days is fresh.
    stale_after_days: dict[str, int] = field(
        default_factory=lambda: {"borrowers": 180, "contacts": 365}
    )
    # A contact number listed by this many distinct borrowers or more is fan-out.
    contact_fanout_threshold: int = 3
    # Extra placeholder numbers (raw national digits or E.164) on top of the built-ins.
    placeholders: tuple[str, ...] = ()
    # Extra relationship words: word -> canonical relationship.
    relationships: dict[str, str] = field(default_factory=dict)
    # Extra generic role words ignored by name-conflict (妈妈, 先生 are built in).
    role_words: tuple[str, ...] = ()
    # Explicit column mapping per source: {"borrowers": {"phone": "Mobile No"}}.
    columns: dict[str, dict[str, str]] = field(default_factory=dict)
    # Severity override per code.
    severity: dict[str, str] = field(default_factory=dict)
    # Like a linter: codes or family names to keep / drop.
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    # Order for ambiguous numeric dates such as 05/01/2023; None makes them an error.
    date_order: str | None = None
    encoding: str | None = None
    sheet: str | None = None
    # Sending window per country (local time, start inclusive, end exclusive).
    send_window: dict[str, tuple[str, str]] = field(
        default_factory=lambda: {"default": ("08:00", "21:00")}
    )
    # Time zone per region for scheduled_at without an offset (CN is Asia/Shanghai).
    timezones: dict[str, str] = field(default_factory=dict)
    # Extra debt words / patterns (regular expressions) for recipient-debt-disclosure.
    debt_words: tuple[str, ...] = ()

    def enabled(self, code: str) -> bool:
        """Whether a code survives ``select`` / ``ignore`` (codes or families)."""
        family = CATALOG[code].family
        if self.select and code not in self.select and family not in self.select:
            return False
        return code not in self.ignore and family not in self.ignore

    def with_overrides(self, **overrides: Any) -> AuditConfig:
        """A copy with the non-``None`` command-line values applied."""
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})


_KEYS = {f.name for f in fields(AuditConfig)}


def _closest(key: str, options: Any) -> str:
    match = difflib.get_close_matches(key, list(options), n=1, cutoff=0.5)
    return f" Did you mean '{match[0]}'?" if match else ""


def _fail(where: str, key: str, problem: str) -> ConfigError:
    return ConfigError(f"{where}: {problem} (key '{key}').")


def find_config_file(explicit: Path | None, cwd: Path | None = None) -> tuple[Path, str] | None:
    """The config file to use and the table within it ('' for the top level)."""
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(
                f"Config file '{explicit}' does not exist or is not a file. "
                "Check the --config path."
            )
        return explicit, "tool.contactaudit" if explicit.name == "pyproject.toml" else ""
    cwd = cwd or Path.cwd()
    own = cwd / "contactaudit.toml"
    if own.is_file():
        return own, ""
    pyproject = cwd / "pyproject.toml"
    if pyproject.is_file():
        return pyproject, "tool.contactaudit"
    return None


def load_config(explicit: Path | None = None, cwd: Path | None = None) -> AuditConfig:
    """Read the config file (if any) into an ``AuditConfig``."""
    found = find_config_file(explicit, cwd)
    if found is None:
        return AuditConfig()
    path, table = found
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"Config file '{path}' is not UTF-8 text. Save it as UTF-8.") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"Config file '{path}' is not valid TOML ({exc}). Fix the syntax at that line."
        ) from None
    except OSError as exc:
        raise ConfigError(f"Config file '{path}' cannot be read ({exc.strerror}).") from None
    if table:
        for part in table.split("."):
            data = data.get(part, {}) if isinstance(data, dict) else {}
        if not data:
            return AuditConfig()
    config = parse_config(data, where=str(path))
    if config.inputs:
        base = path.parent
        resolved = {k: str(base / v) if v != "-" else v for k, v in config.inputs.items()}
        config = replace(config, inputs=resolved)
    return config


def parse_config(data: dict[str, Any], where: str = "config") -> AuditConfig:
    """Validate a decoded TOML mapping; every problem names its key."""
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key not in _KEYS:
            raise ConfigError(
                f"{where}: unknown key '{key}'.{_closest(key, _KEYS)} "
                "See the README's configuration section for every key."
            )
        values[key] = _validate(where, key, value)
    return AuditConfig(**values)


def _expect(where: str, key: str, value: Any, kind: type | tuple[type, ...], what: str) -> None:
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        raise _fail(where, key, f"expected {what}, got {type(value).__name__}")


def _validate(where: str, key: str, value: Any) -> Any:
    if key in ("region",):
        _expect(where, key, value, str, 'a two-letter region code such as "CN"')
        if len(value) != 2 or not value.isalpha():
            raise _fail(where, key, 'expected a two-letter region code such as "CN"')
        return value.upper()
    if key == "inputs":
        _expect(where, key, value, dict, 'a table such as {borrowers = "b.csv"}')
        for source, path in value.items():
            if source not in SOURCES:
                raise ConfigError(
                    f"{where}: unknown key 'inputs.{source}'.{_closest(source, SOURCES)}"
                )
            _expect(where, f"inputs.{source}", path, str, "a file path")
        return dict(value)
    if key == "fail_on":
        _expect(where, key, value, str, 'a severity or "never"')
        if value not in (*SEVERITY_ORDER, "never"):
            raise _fail(where, key, f"expected one of {', '.join(SEVERITY_ORDER)}, never")
        return value
    if key in ("encoding", "sheet"):
        _expect(where, key, value, str, "a string")
        return value
    if key == "date_order":
        _expect(where, key, value, str, "one of YMD, DMY, MDY")
        if value.upper() not in DATE_ORDERS:
            raise _fail(where, key, f"expected one of {', '.join(DATE_ORDERS)}")
        return value.upper()
    if key == "contact_fanout_threshold":
        _expect(where, key, value, int, "an integer of 2 or more")
        if value < 2:
            raise _fail(where, key, "expected an integer of 2 or more")
        return value
    if key == "stale_after_days":
        _expect(where, key, value, dict, "a table such as {borrowers = 180, contacts = 365}")
        out = dict(AuditConfig().stale_after_days)
        for source, days in value.items():
            sub = f"{key}.{source}"
            if source not in ("borrowers", "contacts"):
                raise ConfigError(
                    f"{where}: unknown key '{sub}'.{_closest(source, ('borrowers', 'contacts'))}"
                )
            _expect(where, sub, days, int, "a whole number of days")
            if days < 0:
                raise _fail(where, sub, "expected a whole number of days, 0 or more")
            out[source] = days
        return out
    if key in ("placeholders", "role_words", "debt_words", "select", "ignore"):
        _expect(where, key, value, list, "a list of strings")
        for item in value:
            _expect(where, key, item, str, "a list of strings")
        if key in ("select", "ignore"):
            for item in value:
                if item not in CATALOG and item not in FAMILIES:
                    raise ConfigError(
                        f"{where}: '{key}' names unknown code or family '{item}'."
                        f"{_closest(item, [*CATALOG, *FAMILIES])} "
                        "Run 'contactaudit rules' for the list."
                    )
        return tuple(value)
    if key == "relationships":
        _expect(where, key, value, dict, "a table of word = relationship")
        from contactaudit.vocab import RELATIONSHIPS

        for word, rel in value.items():
            _expect(where, f"{key}.{word}", rel, str, "a relationship name")
            if rel not in RELATIONSHIPS:
                raise _fail(
                    where,
                    f"{key}.{word}",
                    f"unknown relationship '{rel}'.{_closest(rel, RELATIONSHIPS)}"
                    f" Use one of {', '.join(RELATIONSHIPS)}",
                )
        return dict(value)
    if key == "columns":
        _expect(where, key, value, dict, "a table per source, e.g. [columns.borrowers]")
        mappings: dict[str, dict[str, str]] = {}
        for source, mapping in value.items():
            if source not in SOURCES:
                raise ConfigError(
                    f"{where}: unknown key 'columns.{source}'.{_closest(source, SOURCES)}"
                )
            _expect(where, f"columns.{source}", mapping, dict, "a table of column = header")
            for canon, header in mapping.items():
                _expect(where, f"columns.{source}.{canon}", header, str, "a header name")
            mappings[source] = dict(mapping)
        return mappings
    if key == "severity":
        _expect(where, key, value, dict, "a table of code = severity")
        for code, sev in value.items():
            if code not in CATALOG:
                raise ConfigError(
                    f"{where}: unknown key 'severity.{code}'.{_closest(code, CATALOG)} "
                    "Run 'contactaudit rules' for the codes."
                )
            if sev not in SEVERITY_ORDER:
                raise _fail(
                    where,
                    f"severity.{code}",
                    f"expected one of {', '.join(SEVERITY_ORDER)}",
                )
        return dict(value)
    if key == "send_window":
        _expect(where, key, value, dict, 'a table of region = ["08:00", "21:00"]')
        out_w = dict(AuditConfig().send_window)
        for region, window in value.items():
            sub = f"{key}.{region}"
            if (
                not isinstance(window, list)
                or len(window) != 2
                or not all(isinstance(t, str) and _is_hhmm(t) for t in window)
            ):
                raise _fail(where, sub, 'expected ["HH:MM", "HH:MM"]')
            out_w[region.upper() if region != "default" else region] = (window[0], window[1])
        return out_w
    if key == "timezones":
        _expect(where, key, value, dict, 'a table of region = "Area/City"')
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        for region, zone in value.items():
            _expect(where, f"{key}.{region}", zone, str, "an IANA time zone name")
            try:
                ZoneInfo(zone)
            except (ZoneInfoNotFoundError, ValueError):
                raise _fail(where, f"{key}.{region}", "unknown IANA time zone") from None
        return {r.upper(): z for r, z in value.items()}
    raise _fail(where, key, "unsupported key")  # pragma: no cover - _KEYS guards this


def _is_hhmm(text: str) -> bool:
    parts = text.split(":")
    return (
        len(parts) == 2
        and all(p.isdigit() for p in parts)
        and 0 <= int(parts[0]) <= 24
        and 0 <= int(parts[1]) < 60
    )
