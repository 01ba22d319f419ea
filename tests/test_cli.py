"""The CLI end to end: exit statuses, stdout/stderr separation, JSON == library report."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from contactaudit.audit import AuditInputs, run_audit
from contactaudit.cli import app
from contactaudit.config import AuditConfig
from contactaudit.reporters.json_report import report_to_dict

AS_OF = "2026-11-28"

BORROWERS = (
    "borrower_id,phone,name,phone_verified_at\n"
    "B1,13912873456,张三,2026-10-01\n"
    "B2,13912873456,李四,2026-10-01\n"
    "B3,+86 139 2468 1357,王五,2026-10-01\n"
)
CONTACTS = (
    "contact_id,borrower_id,phone,name,relationship,verified_at\n"
    "C1,B1,13523874561,赵六,母亲,2026-10-01\n"
    "C2,B3,13523874562,钱七,friend,2026-10-01\n"
)
CLEAN = "borrower_id,phone,phone_verified_at\nB1,13523874561,2026-10-01\nB2,13623874562,2026-10-01\n"


def invoke(*args: str | Path, input: str | None = None):  # noqa: A002 - mirrors CliRunner
    runner = CliRunner()
    return runner.invoke(app, [str(a) for a in args], input=input, catch_exceptions=False)


@pytest.fixture
def exports(tmp_path: Path) -> tuple[Path, Path]:
    b = tmp_path / "borrowers.csv"
    c = tmp_path / "contacts.csv"
    b.write_text(BORROWERS, encoding="utf-8")
    c.write_text(CONTACTS, encoding="utf-8")
    return b, c


def test_cli_json_equals_the_library_report(exports: tuple[Path, Path]) -> None:
    b, c = exports
    result = invoke("audit", b, c, "--format", "json", "--as-of", AS_OF, "--quiet")
    assert result.exit_code == 1
    library = run_audit(
        AuditInputs(borrowers=b, contacts=c), AuditConfig(), as_of=dt.date(2026, 11, 28)
    ).report
    assert json.loads(result.stdout) == report_to_dict(library)


def test_shared_number_gives_exit_1_and_masked_findings(exports: tuple[Path, Path]) -> None:
    b, c = exports
    result = invoke("audit", b, c, "--format", "json", "--as-of", AS_OF, "--quiet")
    data = json.loads(result.stdout)
    shared = [f for f in data["findings"] if f["code"] == "phone-shared-by-borrowers"]
    assert [(f["source"], f["row"], f["record_id"]) for f in shared] == [
        ("borrowers", 2, "B1"),
        ("borrowers", 3, "B2"),
    ]
    assert shared[0]["phone_masked"] == "139****3456"
    assert shared[0]["related"] == [{"source": "borrowers", "row": 3, "record_id": "B2"}]
    assert "13912873456" not in result.stdout
    assert data["summary"]["exit_status"] == 1


def test_clean_exports_exit_0(tmp_path: Path) -> None:
    b = tmp_path / "b.csv"
    b.write_text(CLEAN, encoding="utf-8")
    result = invoke("audit", b, "--as-of", AS_OF, "--format", "json", "--quiet")
    assert result.exit_code == 0, result.stdout
    assert json.loads(result.stdout)["findings"] == []


def test_fail_on_never_exits_0_and_fail_on_info_exits_1(exports: tuple[Path, Path]) -> None:
    b, c = exports
    assert invoke("audit", b, c, "--as-of", AS_OF, "--fail-on", "never", "-q").exit_code == 0
    assert invoke("audit", b, "--as-of", AS_OF, "--fail-on", "info", "-q").exit_code == 1


def test_table_report_goes_to_stdout_and_summary_line_to_stderr(
    exports: tuple[Path, Path],
) -> None:
    b, c = exports
    result = invoke("audit", b, c, "--as-of", AS_OF)
    assert "phone-shared-by-borrowers" in result.stdout
    assert "139****3456" in result.stdout
    assert "contactaudit: audit findings=" in result.stderr
    assert "contactaudit: audit findings=" not in result.stdout
    assert "13912873456" not in result.stdout + result.stderr


def test_output_file_is_written_and_stdout_stays_empty(
    exports: tuple[Path, Path], tmp_path: Path
) -> None:
    b, c = exports
    out = tmp_path / "report.json"
    result = invoke("audit", b, c, "--format", "json", "-o", out, "--as-of", AS_OF, "-q")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert json.loads(out.read_text(encoding="utf-8"))["schema_version"] == 1


def test_same_inputs_and_as_of_give_byte_identical_json(exports: tuple[Path, Path]) -> None:
    b, c = exports
    first = invoke("audit", b, c, "--format", "json", "--as-of", AS_OF, "-q").stdout
    second = invoke("audit", b, c, "--format", "json", "--as-of", AS_OF, "-q").stdout
    assert first == second


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["audit", "{tmp}/absent.csv"], "absent.csv"),
        (["audit", "{tmp}"], "directory"),
        (["audit", "{tmp}/empty.csv"], "empty"),
        (["audit", "{tmp}/garbage.csv"], "garbage.csv"),
        (["audit", "{tmp}/nophone.csv"], "'phone'"),
        (["audit", "{tmp}/b.csv", "--encoding", "klingon-8"], "klingon-8"),
        (["audit", "{tmp}/b.csv", "--as-of", "28/11/2026"], "--as-of"),
        (["audit", "{tmp}/b.csv", "--region", "XX"], "--region"),
        (["audit", "{tmp}/b.csv", "--config", "{tmp}/bad.toml"], "'regoin'"),
        (["audit", "{tmp}/b.csv", "--format", "json", "-o", "{tmp}/b.csv"], "also an input"),
        (["rules", "phone-invalidd"], "phone-invalid"),
    ],
)
def test_bad_input_exits_2_naming_the_problem_without_traceback(
    tmp_path: Path, args: list[str], needle: str
) -> None:
    (tmp_path / "b.csv").write_text(
        "borrower_id,phone,name\nB1,13912873456,张三\n", encoding="utf-8"
    )
    (tmp_path / "empty.csv").write_bytes(b"")
    (tmp_path / "garbage.csv").write_bytes(bytes(range(256)) * 8)
    (tmp_path / "nophone.csv").write_text("borrower_id,name\nB1,张三\n", encoding="utf-8")
    (tmp_path / "bad.toml").write_text('regoin = "CN"\n', encoding="utf-8")
    result = invoke(*(a.replace("{tmp}", str(tmp_path)) for a in args))
    assert result.exit_code == 2, result.output
    assert needle in result.stderr
    assert "Traceback" not in result.output
    assert "13912873456" not in result.output
    assert "张三" not in result.output


def test_internal_error_exits_3_without_data(
    exports: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    import contactaudit.audit as audit_module

    def boom(*_a: object, **_k: object) -> None:
        raise RuntimeError("13912873456 leaked")

    monkeypatch.setattr(audit_module, "run_checks", boom)
    b, c = exports
    result = invoke("audit", b, c, "--as-of", AS_OF)
    assert result.exit_code == 3
    assert "internal error (RuntimeError)" in result.stderr
    assert "13912873456" not in result.output


def test_rules_lists_every_code_and_explains_one() -> None:
    from contactaudit.catalog import CATALOG

    listing = invoke("rules", "--format", "json")
    assert {e["code"] for e in json.loads(listing.stdout)} == set(CATALOG)
    one = invoke("rules", "phone-precision-lost")
    assert one.exit_code == 0
    assert "RECOLLECT" in one.stdout


def test_inspect_shows_e164_type_and_code() -> None:
    result = invoke("inspect", "13800138000", "--format", "json")
    assert result.exit_code == 0
    info = json.loads(result.stdout)
    assert info["e164"] == "+8613800138000"
    assert info["malformed"] == "phone-placeholder"


def test_stdin_dash_reads_csv(tmp_path: Path) -> None:
    result = invoke("audit", "-", "--as-of", AS_OF, "--format", "json", "-q", input=BORROWERS)
    assert result.exit_code == 1
    assert json.loads(result.stdout)["inputs"][0]["path"] == "-"


def test_every_command_has_help() -> None:
    for command in ("audit", "gate", "rules", "inspect", "sample", "history", "init"):
        result = invoke(command, "--help")
        assert result.exit_code == 0
        assert len(result.stdout.strip()) > 100, command
