"""The command-line skin: parse options, call the library, render, exit.

No pandas and no check logic here. stdout carries only the report; notes, progress
and errors go to stderr. Exit statuses (DESIGN.md §5): 0 clean, 1 findings at or
above --fail-on, 2 usage/config/input error, 3 internal error.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console

from contactaudit import __version__
from contactaudit.errors import ContactAuditError
from contactaudit.runtime import gc_paused, keep_freed_arrow_memory, prefer_small_pages

app = typer.Typer(
    name="contactaudit",
    help="Find the phone data that would send a debt text to the wrong person.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

T = TypeVar("T")


class FailOn(str, Enum):
    critical = "critical"
    high = "high"
    medium = "medium"
    low = "low"
    info = "info"
    never = "never"


class Format(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"
    html = "html"
    junit = "junit"


class HistoryFormat(str, Enum):
    table = "table"
    json = "json"


def _stderr() -> Console:
    return Console(stderr=True, highlight=False)


def _fail(message: str) -> typer.Exit:
    _stderr().print(f"contactaudit: error: {message}", markup=False, soft_wrap=True)
    return typer.Exit(2)


def _guarded(debug: bool, body: Callable[[], T]) -> T:
    """Run a command body; library errors exit 2, anything else exits 3."""
    try:
        with gc_paused():
            return body()
    except (typer.Exit, typer.Abort):
        raise
    except ContactAuditError as exc:
        raise _fail(str(exc)) from None
    except KeyboardInterrupt:
        _stderr().print("contactaudit: interrupted.")
        raise typer.Exit(130) from None
    except Exception as exc:
        if debug:
            traceback.print_exc()
        # The exception text may quote a cell: print only its type (no data values).
        _stderr().print(
            f"contactaudit: internal error ({type(exc).__name__}). Re-run with --debug to see "
            "the traceback, and please report it.",
            markup=False,
        )
        raise typer.Exit(3) from None


def _parse_as_of(value: str | None) -> dt.date:
    if value is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ContactAuditError(
            f"--as-of '{value}' is not a date: use YYYY-MM-DD, e.g. --as-of 2026-11-28."
        ) from None


def _check_region(region: str | None) -> str | None:
    if region is None:
        return None
    import phonenumbers

    code = region.upper()
    if code not in phonenumbers.SUPPORTED_REGIONS:
        raise ContactAuditError(
            f"--region '{region}' is not a region phonenumbers knows: use an ISO 3166 "
            "alpha-2 code such as CN, US or GB."
        )
    return code


@contextlib.contextmanager
def _progress(enabled: bool, stages: int) -> Iterator[Callable[[str], None]]:
    """A progress bar over the run's stages on stderr — only when stderr is a terminal.

    The library reports each stage it starts (loading an input, normalising, each
    check family); cron and Airflow logs get nothing but the final summary line.
    """
    console = _stderr()
    if not enabled or not console.is_terminal:
        yield lambda _stage: None
        return
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    columns = (
        SpinnerColumn(),
        TextColumn("{task.description:<32}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("starting", total=stages)
        seen = 0

        def update(stage: str) -> None:
            nonlocal seen
            progress.update(task, description=stage, completed=seen)
            seen += 1

        yield update
        progress.update(task, completed=stages)


def _stage_count(inputs: Any, gate: bool = False) -> int:
    """Stages the library announces: one per input, normalising, four check families."""
    return len(inputs.items()) + 1 + 4 + (1 if gate else 0)


def _config_digest(config: Any) -> str:
    return hashlib.sha256(repr(config).encode("utf-8")).hexdigest()[:16]


def _emit_report(report: Any, fmt: Format, output: Path | None) -> None:
    from contactaudit.outputs import write_atomic_chunks
    from contactaudit.reporters import render_chunks

    if fmt is Format.table and output is None:
        from contactaudit.reporters.table_report import render_to

        # Logs and pipes get 120 columns instead of rich's 80, so codes are not cut.
        width = None if sys.stdout.isatty() else 120
        render_to(report, Console(highlight=False, width=width))
        return
    chunks = render_chunks(report, fmt.value)
    if output is None:
        sys.stdout.flush()
        for chunk in chunks:  # streamed: a large JSON report is never one string
            if isinstance(chunk, str):
                sys.stdout.write(chunk)
            else:  # bytes, or a view of Arrow's bytes
                sys.stdout.buffer.write(chunk)
        sys.stdout.flush()
        return
    write_atomic_chunks(output, chunks)


def _write_out_dir(report: Any, out_dir: Path) -> None:
    from contactaudit.outputs import write_atomic, write_atomic_chunks
    from contactaudit.reporters import OUT_DIR_FILES, render_chunks, render_suppression
    from contactaudit.reporters.suppression import SUPPRESSION_MODE

    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ContactAuditError(
            f"Cannot create --out-dir '{out_dir}' ({exc.strerror}). Choose a writable directory."
        ) from None
    for name, fmt in OUT_DIR_FILES.items():
        write_atomic_chunks(out_dir / name, render_chunks(report, fmt))
    write_atomic(out_dir / "suppression.csv", render_suppression(report), mode=SUPPRESSION_MODE)


def _summary_line(report: Any, seconds: float) -> str:
    summary = report.summary()
    parts = [f"contactaudit: {report.command}", f"findings={summary['findings']}"]
    parts += [f"{sev}={n}" for sev, n in summary["by_severity"].items()]
    if summary["new"] is not None:
        parts += [f"new={summary['new']}", f"resolved={summary['resolved']}"]
    if report.gate_counts is not None:
        parts += [
            f"approved={report.gate_counts['approved']}",
            f"blocked={report.gate_counts['blocked']}",
        ]
    parts += [f"duration={seconds:.2f}s", f"exit={report.exit_status}"]
    return " ".join(parts)


def _finish(
    report: Any,
    *,
    fmt: Format,
    output: Path | None,
    out_dir: Path | None,
    suppression_out: Path | None,
    history: Path | None,
    dataset: str | None,
    config: Any,
    started_at: dt.datetime,
    started: float,
    quiet: bool,
) -> int:
    from contactaudit.outputs import write_atomic
    from contactaudit.reporters import render_suppression

    if history is not None:
        from contactaudit.history import HistoryStore

        with HistoryStore(history) as store:
            result = store.record_run(
                report,
                dataset=dataset,
                config_digest=_config_digest(config),
                started_at=started_at,
                duration_seconds=time.perf_counter() - started,
            )
            report.history_trend = store.trend(result.dataset)
    report.duration_seconds = time.perf_counter() - started
    _emit_report(report, fmt, output)
    if out_dir is not None:
        _write_out_dir(report, out_dir)
    if suppression_out is not None:
        from contactaudit.reporters.suppression import SUPPRESSION_MODE

        write_atomic(suppression_out, render_suppression(report), mode=SUPPRESSION_MODE)
    if not quiet:
        _stderr().print(
            _summary_line(report, report.duration_seconds), markup=False, soft_wrap=True
        )
    return int(report.exit_status)


# ---- shared option types ------------------------------------------------------------
ConfigOpt = Annotated[
    Path | None,
    typer.Option(
        "--config",
        help="TOML config file (default: ./contactaudit.toml, "
        "else [tool.contactaudit] in ./pyproject.toml).",
    ),
]
ReassignedOpt = Annotated[
    Path | None, typer.Option("--reassigned", help="Numbers known to be disconnected/reassigned.")
]
OptOutsOpt = Annotated[Path | None, typer.Option("--opt-outs", help="Numbers that opted out.")]
RegionOpt = Annotated[
    str | None,
    typer.Option(
        "--region", help="Default region for numbers without a country code (default CN)."
    ),
]
AsOfOpt = Annotated[
    str | None, typer.Option("--as-of", help="Today's date for staleness, YYYY-MM-DD.")
]
FormatOpt = Annotated[Format, typer.Option("--format", help="Report format.")]
OutputOpt = Annotated[
    Path | None, typer.Option("-o", "--output", help="Write the report here instead of stdout.")
]
OutDirOpt = Annotated[
    Path | None,
    typer.Option(
        "--out-dir",
        help="Write report.json, findings.csv, report.html, "
        "report.md, junit.xml and suppression.csv here.",
    ),
]
SuppressionOpt = Annotated[
    Path | None,
    typer.Option("--suppression-out", help="Write the suppression list here (mode 0600)."),
]
HistoryOpt = Annotated[
    Path | None, typer.Option("--history", help="SQLite run history: new / resolved findings.")
]
DatasetOpt = Annotated[
    str | None,
    typer.Option(
        "--dataset",
        help="Name of the dataset in --history (default: derived from the input paths).",
    ),
]
FailOnOpt = Annotated[
    FailOn | None,
    typer.Option(
        "--fail-on", help="Exit 1 when a finding is at or above this severity (default high)."
    ),
]
FailOnNewOpt = Annotated[
    bool,
    typer.Option("--fail-on-new", help="With --history: only new findings count for --fail-on."),
]
RevealOpt = Annotated[
    bool,
    typer.Option(
        "--reveal-phones", help="Add phone_e164 and phone_raw to reports (contains personal data)."
    ),
]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No notes or progress on stderr.")]
EncodingOpt = Annotated[
    str | None,
    typer.Option("--encoding", help="Encoding of text inputs (default: BOM, UTF-8, then GB18030)."),
]
SheetOpt = Annotated[str | None, typer.Option("--sheet", help="Excel sheet name (default: first).")]
DebugOpt = Annotated[bool, typer.Option("--debug", help="Show tracebacks of internal errors.")]


def _prepare(
    config_path: Path | None,
    region: str | None,
    encoding: str | None,
    sheet: str | None,
    fail_on: FailOn | None,
) -> tuple[Any, str]:
    from contactaudit.config import load_config

    config = load_config(config_path)
    config = config.with_overrides(region=_check_region(region), encoding=encoding, sheet=sheet)
    chosen = fail_on.value if fail_on is not None else (config.fail_on or "high")
    return config, chosen


def _config_file(config_path: Path | None) -> Path | None:
    """The config file in use: an input that no output may overwrite."""
    from contactaudit.config import find_config_file

    found = find_config_file(config_path)
    return found[0] if found is not None else None


def _inputs(
    config: Any,
    borrowers: Path | None,
    contacts: Path | None,
    reassigned: Path | None,
    opt_outs: Path | None,
    campaign: Path | None = None,
) -> Any:
    """The inputs to read: each command-line path, else the config's [inputs] entry."""
    from contactaudit.audit import AuditInputs

    given = {
        "borrowers": borrowers,
        "contacts": contacts,
        "reassigned": reassigned,
        "opt_outs": opt_outs,
        "campaign": campaign,
    }
    return AuditInputs(
        **{
            source: path if path is not None else config.inputs.get(source)
            for source, path in given.items()
        }
    )


def _guard_outputs(
    outputs: list[Path | None], out_dir: Path | None, inputs: Any, config_path: Path | None
) -> None:
    """Refuse (exit 2) any output — --out-dir's files included — that is an input."""
    from contactaudit.outputs import refuse_inputs_as_outputs
    from contactaudit.reporters import OUT_DIR_FILES

    if out_dir is not None:
        outputs = [*outputs, *(out_dir / name for name in (*OUT_DIR_FILES, "suppression.csv"))]
    refuse_inputs_as_outputs(
        outputs, [*(path for _, path in inputs.items()), _config_file(config_path)]
    )


@app.command()
def audit(
    borrowers: Annotated[Path | None, typer.Argument(help="Borrowers export.")] = None,
    contacts: Annotated[Path | None, typer.Argument(help="Contacts export.")] = None,
    reassigned: ReassignedOpt = None,
    opt_outs: OptOutsOpt = None,
    config_path: ConfigOpt = None,
    region: RegionOpt = None,
    as_of: AsOfOpt = None,
    fmt: FormatOpt = Format.table,
    output: OutputOpt = None,
    out_dir: OutDirOpt = None,
    suppression_out: SuppressionOpt = None,
    history: HistoryOpt = None,
    dataset: DatasetOpt = None,
    fail_on: FailOnOpt = None,
    fail_on_new: FailOnNewOpt = False,
    reveal_phones: RevealOpt = False,
    quiet: QuietOpt = False,
    encoding: EncodingOpt = None,
    sheet: SheetOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Audit borrower and contact exports; exit 1 when findings reach --fail-on."""

    def body() -> int:
        from contactaudit.audit import run_audit

        started_at = dt.datetime.now(dt.UTC)
        started = time.perf_counter()
        config, chosen_fail_on = _prepare(config_path, region, encoding, sheet, fail_on)
        inputs = _inputs(config, borrowers, contacts, reassigned, opt_outs)
        _guard_outputs([output, suppression_out, history], out_dir, inputs, config_path)
        day = _parse_as_of(as_of)
        with _progress(not quiet, _stage_count(inputs)) as progress:
            run = run_audit(
                inputs,
                config,
                as_of=day,
                fail_on=chosen_fail_on,
                fail_on_new=fail_on_new,
                reveal_phones=reveal_phones,
                progress=progress,
                keep_tables=False,
                # Only history records the files' SHA-256: 0.2 s of CPU at 1M borrowers.
                fingerprint_inputs=history is not None,
            )
        report = run.report
        # Rendering needs only the report: free the loaded and normalised tables first
        # (GBs at a million borrowers).
        del run
        return _finish(
            report,
            fmt=fmt,
            output=output,
            out_dir=out_dir,
            suppression_out=suppression_out,
            history=history,
            dataset=dataset,
            config=config,
            started_at=started_at,
            started=started,
            quiet=quiet,
        )

    raise typer.Exit(_guarded(debug, body))


@app.command()
def gate(
    campaign: Annotated[Path, typer.Argument(help="Campaign: one row per message to send.")],
    borrowers: Annotated[Path | None, typer.Option("--borrowers", help="Borrowers export.")] = None,
    contacts: Annotated[Path | None, typer.Option("--contacts", help="Contacts export.")] = None,
    approved_out: Annotated[
        Path | None, typer.Option("--approved-out", help="Write the messages that may be sent.")
    ] = None,
    blocked_out: Annotated[
        Path | None, typer.Option("--blocked-out", help="Write the blocked messages and why.")
    ] = None,
    reassigned: ReassignedOpt = None,
    opt_outs: OptOutsOpt = None,
    config_path: ConfigOpt = None,
    region: RegionOpt = None,
    as_of: AsOfOpt = None,
    fmt: FormatOpt = Format.table,
    output: OutputOpt = None,
    out_dir: OutDirOpt = None,
    suppression_out: SuppressionOpt = None,
    history: HistoryOpt = None,
    dataset: DatasetOpt = None,
    fail_on: FailOnOpt = None,
    fail_on_new: FailOnNewOpt = False,
    reveal_phones: RevealOpt = False,
    quiet: QuietOpt = False,
    encoding: EncodingOpt = None,
    sheet: SheetOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Check every message of an SMS campaign; write approved and blocked files."""

    def body() -> int:
        from contactaudit.audit import run_gate
        from contactaudit.outputs import write_atomic
        from contactaudit.reporters.gate_files import to_csv_bytes

        started_at = dt.datetime.now(dt.UTC)
        started = time.perf_counter()
        config, chosen_fail_on = _prepare(config_path, region, encoding, sheet, fail_on)
        inputs = _inputs(config, borrowers, contacts, reassigned, opt_outs, campaign)
        if inputs.borrowers is None:
            raise ContactAuditError(
                "gate needs --borrowers: without the borrowers export no recipient can be "
                "checked. Pass --borrowers FILE (and --contacts FILE)."
            )
        if approved_out is None or blocked_out is None:
            raise ContactAuditError(
                "gate needs --approved-out FILE and --blocked-out FILE: every message is "
                "written to exactly one of them."
            )
        if approved_out.resolve() == blocked_out.resolve():
            raise ContactAuditError("--approved-out and --blocked-out must be different files.")
        _guard_outputs(
            [approved_out, blocked_out, output, suppression_out, history],
            out_dir,
            inputs,
            config_path,
        )
        day = _parse_as_of(as_of)
        with _progress(not quiet, _stage_count(inputs, gate=True)) as progress:
            run = run_gate(
                inputs,
                config,
                as_of=day,
                fail_on=chosen_fail_on,
                fail_on_new=fail_on_new,
                reveal_phones=reveal_phones,
                progress=progress,
                fingerprint_inputs=history is not None,
            )
        bom = (run.campaign.info.encoding or "").replace("_", "-").lower() == "utf-8-sig"
        write_atomic(approved_out, to_csv_bytes(run.approved, bom=bom))
        write_atomic(blocked_out, to_csv_bytes(run.blocked, bom=bom))
        return _finish(
            run.report,
            fmt=fmt,
            output=output,
            out_dir=out_dir,
            suppression_out=suppression_out,
            history=history,
            dataset=dataset,
            config=config,
            started_at=started_at,
            started=started,
            quiet=quiet,
        )

    raise typer.Exit(_guarded(debug, body))


@app.command()
def rules(
    code: Annotated[str | None, typer.Argument(help="A finding code to explain.")] = None,
    fmt: Annotated[HistoryFormat, typer.Option("--format", help="table or json.")] = (
        HistoryFormat.table
    ),
) -> None:
    """List the finding catalogue, or explain one code."""
    from contactaudit import catalog

    def body() -> int:
        entries = list(catalog.CATALOG.values())
        if code is not None:
            if code not in catalog.CATALOG:
                import difflib

                close = difflib.get_close_matches(code, list(catalog.CATALOG), n=1)
                hint = f" Did you mean '{close[0]}'?" if close else ""
                raise ContactAuditError(
                    f"Unknown code '{code}'.{hint} Run 'contactaudit rules' for the list."
                )
            entries = [catalog.CATALOG[code]]
        if fmt is HistoryFormat.json:
            data = [
                {
                    "code": e.code,
                    "family": e.family,
                    "severity": e.severity.value,
                    "severity_by_source": {s: v.value for s, v in e.severity_by_source},
                    "remediation": e.remediation,
                    "title": e.title,
                    "explanation": e.explanation,
                }
                for e in entries
            ]
            sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
            return 0
        from rich.table import Table

        console = Console(highlight=False)
        if code is not None:
            e = entries[0]
            by_source = ", ".join(f"{s}: {v.value}" for s, v in e.severity_by_source)
            console.print(f"[bold]{e.code}[/bold] — {e.title}")
            console.print(
                f"family: {e.family}   severity: {e.severity.value}"
                + (f" ({by_source})" if by_source else "")
                + f"   remediation: {e.remediation}"
            )
            console.print(e.explanation, markup=False)
            return 0
        table = Table(title="contactaudit finding codes")
        for name in ("code", "family", "severity", "remediation", "title"):
            table.add_column(name)
        for e in entries:
            sev = e.severity.value + "".join(f" / {v.value} ({s})" for s, v in e.severity_by_source)
            table.add_row(e.code, e.family, sev, e.remediation, e.title)
        console.print(table)
        return 0

    raise typer.Exit(_guarded(False, body))


@app.command()
def inspect(
    number: Annotated[str, typer.Argument(help="A phone number as written in an export.")],
    region: RegionOpt = None,
    fmt: Annotated[HistoryFormat, typer.Option("--format", help="table or json.")] = (
        HistoryFormat.table
    ),
) -> None:
    """Everything known about one number: E.164, type, region, home region, codes."""

    def body() -> int:
        from contactaudit.phones import describe_number

        info = describe_number(number, _check_region(region) or "CN")
        if fmt is HistoryFormat.json:
            sys.stdout.write(json.dumps(info, ensure_ascii=False, indent=2, default=str) + "\n")
            return 0
        from rich.table import Table

        table = Table(show_header=False, box=None)
        table.add_column(style="bold")
        table.add_column()
        for key, value in info.items():
            table.add_row(key, "-" if value is None else str(value))
        Console(highlight=False).print(table)
        return 0

    raise typer.Exit(_guarded(False, body))


@app.command()
def sample(
    directory: Annotated[Path, typer.Argument(help="Directory to write the synthetic exports to.")],
    borrowers: Annotated[
        int, typer.Option("--borrowers", min=10, help="How many borrowers.")
    ] = 200,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (same seed, same files).")] = 7,
) -> None:
    """Write synthetic exports with known defects of every code, and their truth file."""

    def body() -> int:
        from contactaudit.sample import generate_sample

        manifest = generate_sample(directory, borrowers=borrowers, seed=seed)
        _stderr().print(
            f"contactaudit: wrote {len(manifest.paths)} files to {directory} "
            f"({len(manifest.truth)} expected findings in truth.csv).",
            markup=False,
        )
        return 0

    raise typer.Exit(_guarded(False, body))


@app.command("history")
def history_cmd(
    history: Annotated[Path, typer.Option("--history", help="SQLite run history file.")] = Path(
        ".contactaudit/history.sqlite"
    ),
    dataset: DatasetOpt = None,
    fmt: Annotated[HistoryFormat, typer.Option("--format", help="table or json.")] = (
        HistoryFormat.table
    ),
    limit: Annotated[int, typer.Option("--limit", min=1, help="How many runs.")] = 30,
) -> None:
    """Past runs: date, counts by severity, new and resolved."""

    def body() -> int:
        from contactaudit.history import HistoryStore

        with HistoryStore(history, create=False) as store:
            runs = store.list_runs(dataset, limit=limit)
        if fmt is HistoryFormat.json:
            sys.stdout.write(json.dumps(runs, ensure_ascii=False, indent=2, default=str) + "\n")
            return 0
        from rich import box
        from rich.table import Table

        table = Table(
            title=f"contactaudit runs in {history}", box=box.SIMPLE_HEAD, title_justify="left"
        )
        table.add_column("run", justify="right", no_wrap=True)
        table.add_column("started (UTC)", no_wrap=True)
        table.add_column("command", no_wrap=True)
        table.add_column("as of", no_wrap=True)
        table.add_column("findings", justify="right", no_wrap=True)
        table.add_column("by severity")
        table.add_column("new", justify="right", no_wrap=True)
        table.add_column("resolved", justify="right", no_wrap=True)
        table.add_column("exit", justify="right", no_wrap=True)
        for run in runs:
            sev = run.get("by_severity") or {}
            table.add_row(
                str(run["run_id"]),
                str(run["started_at"])[:16].replace("T", " "),
                str(run.get("command", "")),
                str(run.get("as_of", "")),
                f"{run['findings']:,}",
                ", ".join(f"{n:,} {s}" for s, n in sev.items() if n) or "-",
                "-" if run.get("new") is None else f"{run['new']:,}",
                "-" if run.get("resolved") is None else f"{run['resolved']:,}",
                str(run.get("exit_status", "")),
            )
        width = None if sys.stdout.isatty() else 120
        Console(highlight=False, width=width).print(table)
        return 0

    raise typer.Exit(_guarded(False, body))


@app.command()
def init(
    exports: Annotated[
        list[Path] | None,
        typer.Argument(help="Exports to detect columns from: borrowers, then contacts."),
    ] = None,
    output: Annotated[Path, typer.Option("-o", "--output", help="Config file to write.")] = Path(
        "contactaudit.toml"
    ),
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a commented starter contactaudit.toml, with the columns detected in EXPORTS."""

    def body() -> int:
        from contactaudit.config_template import starter_config
        from contactaudit.outputs import write_atomic

        if output.exists() and not force:
            raise ContactAuditError(f"'{output}' already exists. Pass --force to overwrite it.")
        write_atomic(output, starter_config(exports or [], config_dir=output.parent))
        _stderr().print(f"contactaudit: wrote {output}.", markup=False)
        return 0

    raise typer.Exit(_guarded(False, body))


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"contactaudit {__version__}\n")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """Find the phone data that would send a debt text to the wrong person."""


def main() -> None:
    # Process-wide settings: the command line's, not the library's.
    prefer_small_pages()
    keep_freed_arrow_memory()
    app()
