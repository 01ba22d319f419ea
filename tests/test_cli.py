"""The CLI end to end: exit statuses, stdout/stderr separation, JSON == library report."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
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
CLEAN = (
    "borrower_id,phone,phone_verified_at\nB1,13523874561,2026-10-01\nB2,13623874562,2026-10-01\n"
)


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


SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"


def test_out_dir_writes_every_report_and_a_private_suppression_list(
    exports: tuple[Path, Path], tmp_path: Path
) -> None:
    import stat

    b, c = exports
    out = tmp_path / "reports"
    opt_outs = tmp_path / "opt_outs.csv"
    opt_outs.write_text("phone\n13924681357\n", encoding="utf-8")
    result = invoke("audit", b, c, "--opt-outs", opt_outs, "--out-dir", out, "--as-of", AS_OF, "-q")
    assert result.exit_code == 1
    names = sorted(p.name for p in out.iterdir())
    assert names == [
        "findings.csv",
        "junit.xml",
        "report.html",
        "report.json",
        "report.md",
        "suppression.csv",
    ]
    assert stat.S_IMODE((out / "suppression.csv").stat().st_mode) == 0o600
    suppression = (out / "suppression.csv").read_text(encoding="utf-8")
    assert "+8613924681357,phone-opted-out" in suppression
    for name in ("findings.csv", "junit.xml", "report.html", "report.json", "report.md"):
        text = (out / name).read_text(encoding="utf-8-sig")
        for number in ("13912873456", "13924681357", "13523874561"):
            assert number not in text, name


def test_gate_puts_every_message_in_exactly_one_output(tmp_path: Path) -> None:
    import csv

    ok, blocked = tmp_path / "ok.csv", tmp_path / "blocked.csv"
    result = invoke(
        "gate",
        SAMPLE / "campaign.csv",
        "--borrowers",
        SAMPLE / "borrowers.csv",
        "--contacts",
        SAMPLE / "contacts.csv",
        "--opt-outs",
        SAMPLE / "opt_outs.csv",
        "--reassigned",
        SAMPLE / "reassigned.csv",
        "--approved-out",
        ok,
        "--blocked-out",
        blocked,
        "--as-of",
        AS_OF,
        "--format",
        "json",
        "-q",
    )
    assert result.exit_code == 1
    with open(SAMPLE / "campaign.csv", encoding="utf-8", newline="") as handle:
        campaign = list(csv.DictReader(handle))
    with open(ok, encoding="utf-8", newline="") as handle:
        approved = list(csv.DictReader(handle))
    with open(blocked, encoding="utf-8", newline="") as handle:
        refused = list(csv.DictReader(handle))
    ids = [r["message_id"] for r in approved] + [r["message_id"] for r in refused]
    assert sorted(ids) == sorted(r["message_id"] for r in campaign)
    assert list(approved[0]) == list(campaign[0])  # the campaign's own columns, unchanged
    assert {"blocked_codes", "remediation"} <= set(refused[0])
    report = json.loads(result.stdout)
    assert report["gate"] == {
        "messages": len(campaign),
        "approved": len(approved),
        "blocked": len(refused),
    }
    assert {f["source"] for f in report["findings"]} == {"campaign"}


def test_gate_refuses_to_write_over_its_campaign(tmp_path: Path) -> None:
    campaign = tmp_path / "campaign.csv"
    campaign.write_bytes((SAMPLE / "campaign.csv").read_bytes())
    result = invoke(
        "gate",
        campaign,
        "--borrowers",
        SAMPLE / "borrowers.csv",
        "--approved-out",
        campaign,
        "--blocked-out",
        tmp_path / "blocked.csv",
    )
    assert result.exit_code == 2
    assert "also an input" in result.stderr
    assert campaign.read_bytes() == (SAMPLE / "campaign.csv").read_bytes()


def test_history_marks_the_second_identical_run_as_persisting(
    exports: tuple[Path, Path], tmp_path: Path
) -> None:
    b, c = exports
    db = tmp_path / "history.sqlite"
    args = ("audit", b, c, "--history", db, "--as-of", AS_OF, "--format", "json", "-q")
    first = invoke(*args, "--fail-on-new")
    second = invoke(*args, "--fail-on-new")
    assert (first.exit_code, second.exit_code) == (1, 0)
    summary = json.loads(second.stdout)["summary"]
    assert (summary["new"], summary["resolved"]) == (0, 0)
    assert {f["status"] for f in json.loads(second.stdout)["findings"]} == {"persisting"}
    listing = invoke("history", "--history", db, "--format", "json")
    assert [run["run_id"] for run in json.loads(listing.stdout)] == [2, 1]


def test_history_records_each_input_files_sha256(
    exports: tuple[Path, Path], tmp_path: Path
) -> None:
    b, c = exports
    db = tmp_path / "history.sqlite"
    invoke("audit", b, c, "--history", db, "--as-of", AS_OF, "--format", "json", "-q")
    with sqlite3.connect(db) as conn:
        stored = dict(conn.execute("SELECT source, sha256 FROM run_inputs").fetchall())
    assert stored == {
        "borrowers": hashlib.sha256(b.read_bytes()).hexdigest(),
        "contacts": hashlib.sha256(c.read_bytes()).hexdigest(),
    }


def test_history_of_a_missing_database_exits_2(tmp_path: Path) -> None:
    result = invoke("history", "--history", tmp_path / "none.sqlite")
    assert result.exit_code == 2
    assert "none.sqlite" in result.stderr


def test_init_writes_a_config_that_audits_the_same_files(tmp_path: Path) -> None:
    target = tmp_path / "conf" / "contactaudit.toml"
    target.parent.mkdir()
    made = invoke("init", SAMPLE / "borrowers.csv", SAMPLE / "contacts.csv", "-o", target)
    assert made.exit_code == 0
    direct = invoke(
        "audit",
        SAMPLE / "borrowers.csv",
        SAMPLE / "contacts.csv",
        "--as-of",
        AS_OF,
        "--format",
        "json",
        "-q",
    )
    via_config = invoke("audit", "--config", target, "--as-of", AS_OF, "--format", "json", "-q")
    assert json.loads(via_config.stdout)["findings"] == json.loads(direct.stdout)["findings"]
    again = invoke("init", "-o", target)
    assert again.exit_code == 2
    assert "--force" in again.stderr


def test_init_template_is_valid_toml_with_every_line_uncommented(tmp_path: Path) -> None:
    import tomllib

    from contactaudit.config import parse_config
    from contactaudit.config_template import starter_config

    text = starter_config([])
    uncommented = "\n".join(
        line[2:] if line.startswith("# ") and ("=" in line or line.startswith("# [")) else line
        for line in text.splitlines()
    )
    data = tomllib.loads(uncommented)
    config = parse_config(data)
    assert config.select == ("malformed", "stale")
    assert config.severity == {"phone-nonstandard-format": "low"}
    assert config.relationships == {"舅舅": "relative"}
    assert config.debt_words == ("分期",)


def test_without_a_terminal_stderr_is_one_summary_line_and_quiet_silences_it(
    exports: tuple[Path, Path],
) -> None:
    b, c = exports
    result = invoke("audit", b, c, "--as-of", AS_OF, "--format", "json")
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("contactaudit: audit findings=")
    assert lines[0].endswith("exit=1")
    assert invoke("audit", b, c, "--as-of", AS_OF, "--format", "json", "-q").stderr == ""


def test_gate_out_dir_may_not_overwrite_an_input(tmp_path: Path) -> None:
    (tmp_path / "report.html").write_bytes((SAMPLE / "campaign.csv").read_bytes())
    result = invoke(
        "gate", tmp_path / "report.html", "--borrowers", SAMPLE / "borrowers.csv",
        "--approved-out", tmp_path / "ok.csv", "--blocked-out", tmp_path / "no.csv",
        "--out-dir", tmp_path,
    )  # fmt: skip
    assert result.exit_code == 2
    assert "also an input" in result.stderr
