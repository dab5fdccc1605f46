"""Run every benchmark of `make bench` in turn, then print how long each took against the budget.

    python bench/all.py [--budget 300]

The sizes here are `make bench`'s: each script's own defaults stay what its docstring
describes (run it alone for those figures). Exits non-zero when a script fails or the
whole run takes longer than the budget (seconds).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

# (script, arguments): the SQLite figures, no PostgreSQL needed (see `make bench-postgres`).
RUNS: list[tuple[str, list[str]]] = [
    ("updates.py", ["--updates", "2500"]),
    ("leaderboard.py", []),
    ("qa.py", []),
    ("payments.py", ["--purchases", "60"]),
    ("digest.py", []),
    ("outbox.py", ["--notices", "500", "--private", "250", "--group-notices", "40"]),
    ("recs.py", ["--scale"]),
    ("recs_coldstart.py", []),
    ("stats.py", []),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=float, default=300, help="seconds the whole run may take")
    args = parser.parse_args()
    took: list[tuple[str, float, int]] = []
    started = time.perf_counter()
    for script, script_args in RUNS:
        line = " ".join([f"bench/{script}", *script_args])
        print(f"\n=== {line}", flush=True)
        began = time.perf_counter()
        code = subprocess.run([sys.executable, str(HERE / script), *script_args]).returncode
        took.append((line, time.perf_counter() - began, code))
    total = time.perf_counter() - started
    print(f"\n{'benchmark':<72} {'seconds':>8}")
    for line, seconds, code in took:
        print(f"{line:<72} {seconds:>8.1f}{'' if code == 0 else f'   FAILED ({code})'}")
    within = total <= args.budget
    print(f"{'total':<72} {total:>8.1f}   {'within' if within else 'OVER'} the {args.budget:.0f} s budget")
    return 0 if within and all(code == 0 for _, _, code in took) else 1


if __name__ == "__main__":
    sys.exit(main())
