"""Time ``contactaudit gate`` on a generated campaign (issue 4's closing figure).

    python benchmarks/gate_bench.py [--borrowers 100000] [--messages 100000]

Reuses (or generates) the ``generate.py`` exports for the given size, writes a
campaign of ``--messages`` rows whose recipients are drawn from the exports as a send
list would be — mostly the borrower's own number, some contacts, some other borrowers'
numbers, some strangers — with mixed purposes, times and texts, then runs
``contactaudit gate`` once as a child process and prints its wall time, CPU time and
peak memory (``os.wait4``), and how many messages were approved and blocked.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import AS_OF, ensure_data  # noqa: E402  (benchmarks/ is not a package)

PURPOSES = ["collection", "reminder", "service", "marketing", "催收", "提醒"]
TEXTS = [
    "您好，您的账单已出，请按时查看。",
    "您本期欠款1280.00元已逾期，请尽快还款。",
    "Reminder: your statement is ready.",
    "Your account is overdue: please repay $120.50 today.",
]


def write_campaign(data: Path, n: int, seed: int) -> Path:
    rng = np.random.default_rng(seed)
    borrowers = pd.read_csv(data / "borrowers.csv", dtype=str, engine="pyarrow")
    contacts = pd.read_csv(data / "contacts.csv", dtype=str, engine="pyarrow")
    pick = rng.integers(0, len(borrowers), n)
    bid = borrowers["borrower_id"].to_numpy()[pick]
    phone = borrowers["phone"].to_numpy()[pick].astype(object)
    kind = rng.random(n)
    to_contact = kind < 0.15
    c = rng.integers(0, len(contacts), int(to_contact.sum()))
    phone[to_contact] = contacts["phone"].to_numpy()[c]
    bid[to_contact] = contacts["borrower_id"].to_numpy()[c]
    other = (kind >= 0.15) & (kind < 0.20)
    phone[other] = borrowers["phone"].to_numpy()[rng.integers(0, len(borrowers), other.sum())]
    stranger = (kind >= 0.20) & (kind < 0.23)
    phone[stranger] = [f"13{d:09d}" for d in rng.integers(100_000_000, 999_999_999, stranger.sum())]
    hours = rng.integers(6, 23, n)
    minutes = rng.integers(0, 60, n)
    scheduled = [f"2026-11-30 {h:02d}:{m:02d}" for h, m in zip(hours, minutes, strict=True)]
    campaign = pd.DataFrame(
        {
            "message_id": [f"M{i:07d}" for i in range(n)],
            "borrower_id": bid,
            "phone": phone,
            "purpose": np.array(PURPOSES, dtype=object)[rng.integers(0, len(PURPOSES), n)],
            "scheduled_at": scheduled,
            "text": np.array(TEXTS, dtype=object)[rng.integers(0, len(TEXTS), n)],
        }
    )
    path = data / f"campaign-{n}.csv"
    campaign.to_csv(path, index=False)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--borrowers", type=int, default=100_000)
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    data, _ = ensure_data(args.borrowers, 3, args.seed)
    campaign = write_campaign(data, args.messages, args.seed)
    out = HERE / "out"
    out.mkdir(exist_ok=True)
    cmd = [
        sys.executable, "-m", "contactaudit", "gate", str(campaign),
        "--borrowers", str(data / "borrowers.csv"), "--contacts", str(data / "contacts.csv"),
        "--reassigned", str(data / "reassigned.csv"), "--opt-outs", str(data / "opt_outs.csv"),
        "--approved-out", str(out / "approved.csv"), "--blocked-out", str(out / "blocked.csv"),
        "--as-of", AS_OF, "--format", "json", "-o", str(out / "gate.json"), "--quiet",
    ]  # fmt: skip
    env = {**os.environ, "CONTACTAUDIT_HASH_KEY": "benchmark-key"}
    started = time.perf_counter()
    pid = os.posix_spawn(sys.executable, cmd, env)
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    gate = json.loads((out / "gate.json").read_text(encoding="utf-8")).get("gate", {})
    print(
        f"gate: {args.messages:,} messages vs {args.borrowers:,} borrowers + "
        f"{3 * args.borrowers:,} contacts: wall {wall:.2f} s, CPU "
        f"{usage.ru_utime + usage.ru_stime:.2f} s, peak {usage.ru_maxrss / 1024:.0f} MB, "
        f"exit {code}; approved {gate.get('approved')}, blocked {gate.get('blocked')}"
    )
    return 0 if code in (0, 1) else 1


if __name__ == "__main__":
    raise SystemExit(main())
