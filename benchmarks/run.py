"""Time contactaudit against the naive reference and a plain pyarrow read (issue 7).

    python benchmarks/run.py [--borrowers 1000000] [--keep-data] [--skip-naive]

In one run, side by side, on the same generated files (``benchmarks/data/``, reused
when the same size and seed were generated before):

  read        ``pd.read_csv(engine="pyarrow", dtype=str)`` of the four input files
              and nothing else, timed inside its process (median of 3; imports and
              interpreter start excluded) - the floor any tool pays to see the data;
  naive       ``benchmarks/naive_reference.py`` as a subprocess (wall time);
  audit-json  ``contactaudit audit B C --reassigned R --opt-outs O --format json -o F``;
  audit-csv   the same with ``--format csv`` (the findings CSV).

Each measured program runs as a child started with ``posix_spawn`` and reaped with
``os.wait4``, which returns that child's own rusage: its peak RSS (``ru_maxrss``) and
CPU time, with no wrapper process in between. Wall times include interpreter start
and imports, as a user sees them. The machine is described (cores, CPU model,
versions) and so is how busy it was: the CPU time other processes used during each
measurement, from ``/proc/stat``, so a figure taken on a contended machine says so.

Prints a table and writes ``benchmarks/out/results.json`` (git-ignored). Exit status
is 0 when every measured program succeeded, whether or not the targets were met.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
AS_OF = "2026-11-28"  # generate.AS_OF: staleness is relative to the generated dates

# Issue 7's targets.
TARGET_SPEEDUP = 12.0  # naive / contactaudit, at least
TARGET_READ_RATIO = 20.0  # contactaudit / read-only, at most
TARGET_PEAK_BYTES = 2_000_000_000  # "2 GB", taken as decimal gigabytes (the stricter)

READ_ONLY = r"""
import json, statistics, sys, time
import pandas as pd
paths = sys.argv[1:]
def once(ps):
    t = time.perf_counter()
    for p in ps:
        pd.read_csv(p, engine="pyarrow", dtype=str)
    return time.perf_counter() - t
all_files = [once(paths) for _ in range(3)]
two_files = [once(paths[:2]) for _ in range(3)]
print(json.dumps({"read_all": statistics.median(all_files), "read_all_runs": all_files,
                  "read_two": statistics.median(two_files), "read_two_runs": two_files}))
"""


@dataclass
class Measured:
    name: str
    argv: list[str]
    exit_status: int
    wall_seconds: float
    cpu_seconds: float
    peak_rss_bytes: int
    others_cpu_seconds: float
    load_before: list[float]
    stdout: str
    stderr_tail: str
    extra: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.exit_status in self.extra.get("ok_statuses", (0,))


def _busy_jiffies() -> int:
    with open("/proc/stat", encoding="ascii") as fh:
        parts = fh.readline().split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in parts[:8])
    return user + nice + system + irq + softirq + steal


def _loadavg() -> list[float]:
    return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]


def measure(
    name: str, argv: list[str], out_dir: Path, ok_statuses=(0,), env: dict[str, str] | None = None
) -> Measured:
    """Run argv as a direct child; wall time, its own peak RSS and CPU via wait4."""
    stdout_path = out_dir / f"{name}.stdout"
    stderr_path = out_dir / f"{name}.stderr"
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    actions = [
        (os.POSIX_SPAWN_OPEN, 0, "/dev/null", os.O_RDONLY, 0),
        (os.POSIX_SPAWN_OPEN, 1, str(stdout_path), flags, 0o644),
        (os.POSIX_SPAWN_OPEN, 2, str(stderr_path), flags, 0o644),
    ]
    load = _loadavg()
    hz = os.sysconf("SC_CLK_TCK")
    busy = _busy_jiffies()
    started = time.perf_counter()
    pid = os.posix_spawn(argv[0], argv, env or dict(os.environ), file_actions=actions)
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - started
    cpu = usage.ru_utime + usage.ru_stime
    others = max(0.0, (_busy_jiffies() - busy) / hz - cpu)
    stderr = stderr_path.read_text(encoding="utf-8", errors="replace")
    return Measured(
        name=name,
        argv=argv,
        exit_status=os.waitstatus_to_exitcode(status),
        wall_seconds=wall,
        cpu_seconds=cpu,
        peak_rss_bytes=usage.ru_maxrss * 1024,  # Linux reports kilobytes
        others_cpu_seconds=others,
        load_before=load,
        stdout=stdout_path.read_text(encoding="utf-8", errors="replace")[-2000:],
        stderr_tail=stderr[-2000:],
        extra={"ok_statuses": list(ok_statuses)},
    )


def ensure_data(borrowers: int, per_borrower: int, seed: int) -> tuple[Path, bool]:
    """The data directory for these parameters and whether this run generated it."""
    data = HERE / "data" / f"b{borrowers}-c{per_borrower}-s{seed}"
    manifest = data / "manifest.json"
    if manifest.exists():
        m = json.loads(manifest.read_text(encoding="utf-8"))
        if m.get("borrowers") == borrowers and m.get("seed") == seed:
            return data, False
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            str(HERE / "generate.py"),
            "--borrowers",
            str(borrowers),
            "--contacts-per-borrower",
            str(per_borrower),
            "--out",
            str(data),
            "--seed",
            str(seed),
        ],
        check=True,
    )
    print(f"generated data in {time.perf_counter() - started:.1f}s", file=sys.stderr)
    return data, True


def machine() -> dict:
    import numpy
    import pandas
    import phonenumbers
    import pyarrow

    try:
        import contactaudit

        ca_version = contactaudit.__version__
    except Exception:  # noqa: BLE001 - the description must not fail the run
        ca_version = None
    cpu = "unknown"
    mem = None
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = int(line.split()[1]) * 1024
    except OSError:
        pass

    def git(*args: str) -> str | None:
        try:
            return subprocess.run(
                ["git", *args], cwd=REPO, capture_output=True, text=True, check=True
            ).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            return None

    return {
        "nproc": len(os.sched_getaffinity(0)),
        "cpu_model": cpu,
        "memory_bytes": mem,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "pandas": pandas.__version__,
        "pyarrow": pyarrow.__version__,
        "numpy": numpy.__version__,
        "phonenumbers": phonenumbers.__version__,
        "contactaudit": ca_version,
        "git_commit": git("rev-parse", "--short", "HEAD"),
        "git_dirty": bool(git("status", "--porcelain", "--untracked-files=no", "src")),
    }


def findings_in_json(path: Path) -> int | None:
    """summary.findings from the report's head (the file may be a gigabyte)."""
    try:
        with open(path, encoding="utf-8") as fh:
            head = fh.read(1 << 20)
    except OSError:
        return None
    match = re.search(r'"summary"\s*:\s*\{\s*"findings"\s*:\s*(\d+)', head)
    return int(match.group(1)) if match else None


def _mb(n: int | None) -> str:
    return "-" if n is None else f"{n / 1e6:,.0f} MB"


def _s(x: float | None) -> str:
    return "-" if x is None else f"{x:,.2f} s"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--borrowers", type=int, default=1_000_000)
    parser.add_argument("--contacts-per-borrower", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--keep-data",
        action="store_true",
        help="keep data this run generated (data found on disk is always kept)",
    )
    parser.add_argument(
        "--keep-outputs",
        action="store_true",
        help="keep the reports and findings files in benchmarks/out/",
    )
    parser.add_argument("--skip-naive", action="store_true", help="do not run the naive reference")
    parser.add_argument("--skip-csv", action="store_true", help="do not run the CSV variant")
    args = parser.parse_args(argv)

    out = HERE / "out"
    out.mkdir(exist_ok=True)
    data, generated = ensure_data(args.borrowers, args.contacts_per_borrower, args.seed)
    files = [data / f"{n}.csv" for n in ("borrowers", "contacts", "reassigned", "opt_outs")]
    for f in files:  # warm the page cache so every contestant reads from memory
        with open(f, "rb") as fh:
            while fh.read(1 << 24):
                pass
    env = dict(os.environ)
    # A fixed key: the run must not create a key file in the user's config directory.
    env.setdefault("CONTACTAUDIT_HASH_KEY", "benchmark-only-key")
    py = sys.executable
    b, c, r, o = (str(f) for f in files)
    audit = [
        py,
        "-m",
        "contactaudit",
        "audit",
        b,
        c,
        "--reassigned",
        r,
        "--opt-outs",
        o,
        "--as-of",
        AS_OF,
        "--quiet",
    ]
    runs: dict[str, Measured] = {}

    print(
        f"benchmark: {args.borrowers:,} borrowers, "
        f"{args.borrowers * args.contacts_per_borrower:,} contacts ({data})",
        file=sys.stderr,
    )
    runs["read"] = measure("read", [py, "-c", READ_ONLY, *map(str, files)], out)
    if not args.skip_naive:
        runs["naive"] = measure(
            "naive",
            [
                py,
                str(HERE / "naive_reference.py"),
                b,
                c,
                r,
                o,
                "--out",
                str(out / "naive-findings.csv"),
                "--as-of",
                AS_OF,
            ],
            out,
        )
    report_json = out / "audit-report.json"
    runs["audit-json"] = measure(
        "audit-json",
        [*audit, "--format", "json", "-o", str(report_json)],
        out,
        ok_statuses=(0, 1),
        env=env,
    )
    if not args.skip_csv:
        runs["audit-csv"] = measure(
            "audit-csv",
            [*audit, "--format", "csv", "-o", str(out / "audit-findings.csv")],
            out,
            ok_statuses=(0, 1),
            env=env,
        )

    read = json.loads(runs["read"].stdout) if runs["read"].ok else {}
    read_all = read.get("read_all")
    naive = runs.get("naive")
    aj = runs["audit-json"]
    naive_findings = None
    if naive is not None and naive.ok:
        m = re.search(r"findings=(\d+)", naive.stdout)
        naive_findings = int(m.group(1)) if m else None
    ca_findings = findings_in_json(report_json) if aj.ok else None
    speedup = naive.wall_seconds / aj.wall_seconds if naive and naive.ok and aj.ok else None
    read_ratio = aj.wall_seconds / read_all if read_all and aj.ok else None
    audits = [m for k, m in runs.items() if k.startswith("audit") and m.ok]
    peak = max((m.peak_rss_bytes for m in audits), default=None)
    sizes = {p.name: p.stat().st_size for p in files}

    results = {
        "borrowers": args.borrowers,
        "contacts": args.borrowers * args.contacts_per_borrower,
        "seed": args.seed,
        "data": str(data),
        "input_bytes": sizes,
        "machine": machine(),
        "read_only": read,
        "runs": {
            k: {kk: vv for kk, vv in asdict(m).items() if kk != "extra"} for k, m in runs.items()
        },
        "findings": {"contactaudit": ca_findings, "naive": naive_findings},
        "ratios": {"naive_over_contactaudit": speedup, "contactaudit_over_read": read_ratio},
        "targets": {
            "naive_over_contactaudit_at_least": TARGET_SPEEDUP,
            "contactaudit_over_read_at_most": TARGET_READ_RATIO,
            "peak_bytes_at_most": TARGET_PEAK_BYTES,
            "met": {
                "speedup": None if speedup is None else speedup >= TARGET_SPEEDUP,
                "read_ratio": None if read_ratio is None else read_ratio <= TARGET_READ_RATIO,
                "peak_memory": None if peak is None else peak <= TARGET_PEAK_BYTES,
            },
        },
        "output_bytes": {
            p.name: p.stat().st_size
            for p in out.glob("*")
            if p.suffix in (".json", ".csv") and p.name != "results.json"
        },
    }
    text = json.dumps(results, indent=2, ensure_ascii=False) + "\n"
    (out / "results.json").write_text(text, encoding="utf-8")
    (out / f"results-b{args.borrowers}.json").write_text(text, encoding="utf-8")

    mach = results["machine"]
    print()
    print(
        f"contactaudit benchmark - {args.borrowers:,} borrowers + "
        f"{results['contacts']:,} contacts (+ reassigned, opt-outs), as of {AS_OF}"
    )
    print(
        f"machine: {mach['nproc']} CPUs, {mach['cpu_model']}, "
        f"{_mb(mach['memory_bytes'])} RAM; Python {mach['python']}, pandas {mach['pandas']}, "
        f"pyarrow {mach['pyarrow']}, phonenumbers {mach['phonenumbers']}, "
        f"contactaudit {mach['contactaudit']} @ {mach['git_commit']}"
        f"{' (src modified)' if mach['git_dirty'] else ''}"
    )
    print()
    print(
        f"{'step':<12}{'wall':>12}{'CPU':>12}{'peak RSS':>12}{'exit':>6}"
        f"{'findings':>12}{'others busy':>13}"
    )
    for key, m in runs.items():
        shown = m.wall_seconds
        if key == "read" and read_all is not None:
            shown = read_all
        nfind = {"naive": naive_findings, "audit-json": ca_findings}.get(key)
        print(
            f"{key:<12}{_s(shown):>12}{_s(m.cpu_seconds):>12}{_mb(m.peak_rss_bytes):>12}"
            f"{m.exit_status:>6}{'-' if nfind is None else f'{nfind:,}':>12}"
            f"{m.others_cpu_seconds / max(m.wall_seconds, 1e-9):>10.2f} cpu"
        )
    print()
    if read:
        print(
            f"read only (pyarrow engine, median of 3): all four files {_s(read_all)}, "
            f"borrowers + contacts {_s(read.get('read_two'))}"
        )

    def verdict(ok: bool | None) -> str:
        return "n/a" if ok is None else ("met" if ok else "NOT met")

    met = results["targets"]["met"]
    print(
        f"naive / contactaudit      : "
        f"{'-' if speedup is None else f'{speedup:.1f}x'}  (target >= {TARGET_SPEEDUP:.0f}x: "
        f"{verdict(met['speedup'])})"
    )
    print(
        f"contactaudit / read only  : "
        f"{'-' if read_ratio is None else f'{read_ratio:.1f}x'}  (target <= "
        f"{TARGET_READ_RATIO:.0f}x: {verdict(met['read_ratio'])})"
    )
    print(
        f"contactaudit peak memory  : {_mb(peak)}  (target <= {_mb(TARGET_PEAK_BYTES)}: "
        f"{verdict(met['peak_memory'])})"
    )
    busy = max(m.others_cpu_seconds / max(m.wall_seconds, 1e-9) for m in runs.values())
    if busy > 0.25:
        print(
            f"note: other processes kept up to {busy:.1f} CPUs busy during a measurement; "
            f"the figures are pessimistic."
        )
    failed = [m for m in runs.values() if not m.ok]
    for m in failed:
        print(
            f"\n{m.name} failed with exit status {m.exit_status}:\n{m.stderr_tail}", file=sys.stderr
        )
    print(f"\nresults: {out / 'results.json'}")

    if not args.keep_outputs:
        for p in (report_json, out / "audit-findings.csv", out / "naive-findings.csv"):
            p.unlink(missing_ok=True)
    if generated and not args.keep_data:
        shutil.rmtree(data)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
