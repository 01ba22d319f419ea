from __future__ import annotations

from pathlib import Path

import pytest

from contactaudit.config import AuditConfig, load_config, parse_config
from contactaudit.errors import ConfigError


def test_defaults_match_the_contract() -> None:
    config = AuditConfig()
    assert config.region == "CN"
    assert config.stale_after_days == {"borrowers": 180, "contacts": 365}
    assert config.contact_fanout_threshold == 3
    assert config.send_window["default"] == ("08:00", "21:00")


def test_unknown_key_names_the_key_and_the_closest_one() -> None:
    with pytest.raises(ConfigError) as exc:
        parse_config({"stale_after_day": {"borrowers": 90}}, where="nightly.toml")
    message = str(exc.value)
    assert "nightly.toml" in message
    assert "'stale_after_day'" in message
    assert "Did you mean 'stale_after_days'?" in message


def test_wrong_type_names_the_key() -> None:
    with pytest.raises(ConfigError, match=r"key 'contact_fanout_threshold'"):
        parse_config({"contact_fanout_threshold": "three"})


def test_nested_unknown_key_is_named_with_its_table() -> None:
    with pytest.raises(ConfigError, match=r"'stale_after_days.borowers'.*'borrowers'"):
        parse_config({"stale_after_days": {"borowers": 90}})


def test_unknown_code_in_severity_is_named() -> None:
    with pytest.raises(ConfigError, match=r"'severity.phone-invalidd'.*'phone-invalid'"):
        parse_config({"severity": {"phone-invalidd": "low"}})


def test_bad_severity_value_is_rejected() -> None:
    with pytest.raises(ConfigError, match=r"severity.phone-invalid"):
        parse_config({"severity": {"phone-invalid": "urgent"}})


def test_select_and_ignore_take_codes_and_families() -> None:
    config = parse_config({"select": ["malformed"], "ignore": ["phone-nonstandard-format"]})
    assert config.enabled("phone-invalid")
    assert not config.enabled("phone-nonstandard-format")
    assert not config.enabled("phone-shared-by-borrowers")


def test_unknown_relationship_target_is_rejected() -> None:
    with pytest.raises(ConfigError, match=r"relationships.舅舅"):
        parse_config({"relationships": {"舅舅": "uncle"}})


def test_send_window_needs_two_times() -> None:
    config = parse_config({"send_window": {"US": ["09:00", "20:00"]}})
    assert config.send_window == {"default": ("08:00", "21:00"), "US": ("09:00", "20:00")}
    with pytest.raises(ConfigError, match=r"send_window.US"):
        parse_config({"send_window": {"US": ["9am", "20:00"]}})


def test_unknown_time_zone_is_rejected() -> None:
    with pytest.raises(ConfigError, match=r"timezones.CN"):
        parse_config({"timezones": {"CN": "Asia/Nowhere"}})


def test_contactaudit_toml_in_the_working_directory_is_found(tmp_path: Path) -> None:
    (tmp_path / "contactaudit.toml").write_text('region = "US"\n', encoding="utf-8")
    assert load_config(cwd=tmp_path).region == "US"


def test_pyproject_tool_table_is_used_when_there_is_no_contactaudit_toml(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.contactaudit]\ncontact_fanout_threshold = 5\n',
        encoding="utf-8",
    )
    assert load_config(cwd=tmp_path).contact_fanout_threshold == 5


def test_pyproject_without_the_table_gives_defaults(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")
    assert load_config(cwd=tmp_path) == AuditConfig()


def test_invalid_toml_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text("region = \n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bad.toml.*not valid TOML"):
        load_config(path)


def test_missing_config_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"does not exist"):
        load_config(tmp_path / "absent.toml")


def test_input_paths_are_relative_to_the_config_file(tmp_path: Path) -> None:
    sub = tmp_path / "conf"
    sub.mkdir()
    (sub / "nightly.toml").write_text('[inputs]\nborrowers = "b.csv"\n', encoding="utf-8")
    config = load_config(sub / "nightly.toml")
    assert Path(config.inputs["borrowers"]) == sub / "b.csv"


def test_command_line_overrides_win() -> None:
    config = parse_config({"region": "US"}).with_overrides(region="GB", encoding=None)
    assert config.region == "GB"
