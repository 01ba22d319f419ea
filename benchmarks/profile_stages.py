"""Where the audit's time and memory go, stage by stage (issue 7).

    python benchmarks/profile_stages.py [--borrowers 100000] [--no-cprofile] [--top 30]

1. Stage timing, in this process: calls the orchestrator's pieces one by one, as
   ``contactaudit.audit.run_audit`` does - ``load_inputs`` (per input file),
   ``normalise_tables``, each check family (``check_malformed`` per table,
   ``check_duplicated``, ``check_mismatched``, ``check_stale``), ``assemble_findings``,
   then the JSON and CSV reporters and the atomic write - and prints each stage's wall
   and CPU time, the process's RSS after it and the peak RSS so far. Set up as the CLI
   runs: garbage collector paused, no transparent huge pages, Arrow keeping the memory
   it frees, tables freed before the findings are assembled. One difference: the check
   families are timed one after another here, while ``run_audit`` runs them two at a
   time.
2. cProfile, in a fresh process (so no cache warmed by step 1 flatters it): the whole
   audit plus the JSON report, printing the top functions by cumulative and by own
   time, and saving ``benchmarks/out/profile-b<N>.prof`` for snakeviz/pstats. cProfile
   roughly doubles the time of Python-heavy code; read its figures as shares.

The data comes from ``benchmarks/data/`` like ``run.py`` (generated when missing).
Named ``profile_stages.py``, not ``profile.py``: a script directory's ``profile.py``
shadows the standard library module that ``cProfile`` imports.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from contactaudit.runtime import keep_freed_arrow_memory

# As the CLI's entry point does, and before anything starts pyarrow (its allocator reads
# the setting when it starts).
keep_freed_arrow_memory()

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import AS_OF, ensure_data  # noqa: E402

os.environ.setdefault("CONTACTAUDIT_HASH_KEY", "benchmark-only-key")


def _rss() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def _peak() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


class Stages:
    """Wall and CPU seconds per stage: on a shared machine the CPU column (this
    process's user + system time) is the one to compare between runs."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, float, float | None, int | None, int | None]] = []
        self._last = time.perf_counter()
        self._last_cpu = time.process_time()

    def mark(self, name: str) -> None:
        """A stage that ran since the previous mark."""
        now, cpu = time.perf_counter(), time.process_time()
        self.rows.append((name, now - self._last, cpu - self._last_cpu, _rss(), _peak()))
        self._last, self._last_cpu = now, cpu

    def add(self, name: str, seconds: float) -> None:
        """A sub-stage timed elsewhere (no CPU or memory reading); the next mark() covers
        the rest."""
        self.rows.append((name, seconds, None, None, None))
        self._last += seconds

    def print(self) -> None:
        total = sum(r[1] for r in self.rows)
        total_cpu = sum(r[2] or 0.0 for r in self.rows)
        print(
            f"{'stage':<34}{'seconds':>9}{'cpu s':>8}{'share':>8}{'RSS after':>12}"
            f"{'peak so far':>13}"
        )
        for name, secs, cpu, rss, peak in self.rows:
            cpu_text = "" if cpu is None else f"{cpu:.2f}"
            memory = "" if rss is None else f"{rss / 1e6:>9,.0f} MB{peak / 1e6:>10,.0f} MB"
            print(f"{name:<34}{secs:>9.2f}{cpu_text:>8}{secs / total:>8.0%}{memory}")
        print(f"{'total':<34}{total:>9.2f}{total_cpu:>8.2f}")


def stage_timing(files: dict[str, Path], out: Path) -> None:
    from contactaudit.runtime import gc_paused, prefer_small_pages

    prefer_small_pages()  # as the CLI's entry point does
    with gc_paused():  # as the CLI runs a command
        _stage_timing(files, out)


def _stage_timing(files: dict[str, Path], out: Path) -> None:
    stages = Stages()
    from contactaudit import audit as A
    from contactaudit.config import AuditConfig

    stages.mark("import contactaudit")
    config = AuditConfig()
    inputs = A.AuditInputs(**{k: v for k, v in files.items()})

    # load_inputs reports "loading <source>" before each file: time between messages.
    marks: list[tuple[str, float]] = []
    loaded = A.load_inputs(
        inputs, config, lambda m: marks.append((m.removeprefix("loading "), time.perf_counter()))
    )
    marks.append(("", time.perf_counter()))
    for (source, start), (_, end) in zip(marks, marks[1:], strict=False):
        stages.add(f"load {source}", end - start)
    stages.mark("load (after all files)")

    tables = A.normalise_tables(loaded, config)
    stages.mark("normalise_tables (phones)")

    from contactaudit.checks.duplicated import check_duplicated
    from contactaudit.checks.malformed import check_malformed
    from contactaudit.checks.mismatched import check_mismatched
    from contactaudit.checks.stale import check_stale

    as_of = dt.date.fromisoformat(AS_OF)
    frames = []
    for source in ("borrowers", "contacts"):
        frames.append(check_malformed(tables[source], source))
        stages.mark(f"check_malformed {source}")
    frames.append(check_duplicated(tables["borrowers"], tables["contacts"], config))
    stages.mark("check_duplicated")
    frames.append(check_mismatched(tables["borrowers"], tables["contacts"], config))
    stages.mark("check_mismatched")
    frames.append(
        check_stale(
            tables["borrowers"],
            tables["contacts"],
            A._reference(tables.get("reassigned")),
            A._reference(tables.get("opt_outs")),
            as_of,
            config,
        )
    )
    stages.mark("check_stale")

    # As run_audit(keep_tables=False), which the CLI uses: the tables go before the
    # findings are assembled.
    rows = {s: len(t) for s, t in tables.items()}
    inputs_info = [e.info for e in loaded.values()]
    del tables, loaded
    A.release_memory()
    checks = A.concat_checks(frames)
    del frames
    findings = A.assemble_findings(checks, config)
    del checks
    stages.mark("assemble_findings")

    from contactaudit.models import AuditReport
    from contactaudit.outputs import write_atomic_chunks
    from contactaudit.reporters import render_chunks

    report = AuditReport(
        command="audit",
        as_of=as_of,
        default_region=config.region,
        inputs=inputs_info,
        findings=findings,
        fail_on="high",
        fail_on_new=False,
        reveal_phones=False,
    )
    # As the CLI does it: rendered and written chunk by chunk, one stage.
    write_atomic_chunks(out / "profile-report.json", render_chunks(report, "json"))
    stages.mark("render+write json (streamed)")
    write_atomic_chunks(out / "profile-findings.csv", render_chunks(report, "csv"))
    stages.mark("render+write csv (streamed)")
    (out / "profile-report.json").unlink()
    (out / "profile-findings.csv").unlink()

    print(f"rows: {rows}; findings: {len(findings):,}")
    by_code = findings["code"].value_counts()
    print("findings by code: " + ", ".join(f"{c}={n:,}" for c, n in by_code.items()))
    print()
    stages.print()


def cprofile_run(files: dict[str, Path], out: Path, top: int, borrowers: int) -> None:
    import cProfile
    import pstats

    from contactaudit.audit import AuditInputs, run_audit
    from contactaudit.config import AuditConfig
    from contactaudit.reporters import render

    def whole() -> None:
        run = run_audit(AuditInputs(**files), AuditConfig(), as_of=dt.date.fromisoformat(AS_OF))
        render(run.report, "json")

    path = out / f"profile-b{borrowers}.prof"
    profiler = cProfile.Profile()
    profiler.runcall(whole)
    profiler.dump_stats(path)
    stats = pstats.Stats(str(path))
    stats.strip_dirs()
    print(f"cProfile of run_audit + JSON render (saved to {path})")
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--borrowers", type=int, default=100_000)
    parser.add_argument("--contacts-per-borrower", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--no-cprofile", action="store_true", help="stage timing only")
    parser.add_argument("--cprofile-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    out = HERE / "out"
    out.mkdir(exist_ok=True)
    data, _ = ensure_data(args.borrowers, args.contacts_per_borrower, args.seed)
    files = {n: data / f"{n}.csv" for n in ("borrowers", "contacts", "reassigned", "opt_outs")}
    if args.cprofile_only:
        cprofile_run(files, out, args.top, args.borrowers)
        return 0
    print(
        f"stage timing: {args.borrowers:,} borrowers + "
        f"{args.borrowers * args.contacts_per_borrower:,} contacts, load average "
        f"{' '.join(Path('/proc/loadavg').read_text().split()[:3])}"
    )
    stage_timing(files, out)
    sys.stdout.flush()
    if not args.no_cprofile:
        print()
        subprocess.run(
            [
                sys.executable,
                __file__,
                "--borrowers",
                str(args.borrowers),
                "--contacts-per-borrower",
                str(args.contacts_per_borrower),
                "--seed",
                str(args.seed),
                "--top",
                str(args.top),
                "--cprofile-only",
            ],
            check=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
